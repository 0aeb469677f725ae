import { z } from 'zod';
import { ConfigError } from './errors';

const QUEUE_PREFIX_PATTERN = /^[A-Za-z0-9_-]{0,15}$/;

const booleanFromEnv = z
  .enum(['true', 'false', '1', '0'])
  .transform((value) => value === 'true' || value === '1');

/** Every environment variable the project reads, with its default; `.env.example` mirrors this. */
const configSchema = z.object({
  SQS_ENDPOINT: z.url().optional(),
  AWS_REGION: z.string().min(1).default('us-east-1'),
  QUEUE_PREFIX: z
    .string()
    .regex(QUEUE_PREFIX_PATTERN, 'up to 15 letters, digits, "-" or "_"')
    .default(''),
  HANDLERS_DIR: z.string().min(1).optional(),
  EMBEDDED_SQS_HOST: z.string().min(1).default('127.0.0.1'),
  EMBEDDED_SQS_PORT: z.coerce.number().int().min(0).max(65535).default(9324),
  WORKER_JOBS: z.string().optional(),
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(1000).optional(),
  // Unset: 20 s for workers (fewest empty receives on AWS), 2 s for `npm start` (quick Ctrl-C).
  WORKER_WAIT_TIME_SECONDS: z.coerce.number().int().min(0).max(20).optional(),
  SHUTDOWN_TIMEOUT_SECONDS: z.coerce.number().min(0).max(3600).default(30),
  PROVISION_ON_START: booleanFromEnv.default(true),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_FORMAT: z.enum(['auto', 'json', 'pretty']).default('auto'),
});

export type AppConfig = z.output<typeof configSchema>;

/** Parses the environment once; a bad value stops the process with every problem listed. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const blankAsUnset = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const result = configSchema.safeParse(blankAsUnset);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
  }
  return result.data;
}

/** The worker settings the environment controls; `concurrency` from a CLI flag wins over the env. */
export function workerSettings(
  config: AppConfig,
  overrides: { concurrency?: number; defaultWaitTimeSeconds: number },
): { concurrency: number | undefined; waitTimeSeconds: number; shutdownTimeoutSeconds: number } {
  return {
    concurrency: overrides.concurrency ?? config.WORKER_CONCURRENCY,
    waitTimeSeconds: config.WORKER_WAIT_TIME_SECONDS ?? overrides.defaultWaitTimeSeconds,
    shutdownTimeoutSeconds: config.SHUTDOWN_TIMEOUT_SECONDS,
  };
}

/** Loads `.env` from the working directory when present; real environment variables win. */
export function loadDotEnv(path = '.env'): void {
  try {
    process.loadEnvFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}
