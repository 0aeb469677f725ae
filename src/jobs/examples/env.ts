import type { z } from 'zod';
import { PermanentJobError } from '../../errors';

/**
 * Validates a handler's configuration from the environment. Handlers call this on every run, not
 * at import, so tests (and a redeploy with new settings) take effect without reloading modules.
 *
 * Missing configuration is a PermanentJobError (code `misconfigured`): retrying with the same
 * environment cannot succeed, and dead-lettered jobs can be redriven once the setting is fixed.
 */
export function readJobEnv<Schema extends z.ZodType>(
  jobName: string,
  schema: Schema,
  env: NodeJS.ProcessEnv = process.env,
): z.output<Schema> {
  // `FOO=` in a compose file or .env means "not set", so an empty value gets the default (or fails
  // as missing) instead of being validated as a real value.
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = schema.safeParse(present);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => {
    const key = String(issue.path[0] ?? '(environment)');
    // Never echo the value: settings such as SMTP_URL carry credentials.
    return key in present ? `${key}: ${issue.message}` : `${key} is required but not set`;
  });
  throw new PermanentJobError(`job '${jobName}' is misconfigured: ${problems.join('; ')}`, { code: 'misconfigured' });
}
