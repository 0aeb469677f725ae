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
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  // Loopback by default: an API without keys must not be reachable from other machines.
  HOST: z.string().min(1).default('127.0.0.1'),
  API_KEYS: z
    .string()
    .transform((value) => value.split(',').map((key) => key.trim()).filter(Boolean))
    .pipe(z.array(z.string().min(16, 'each API key needs at least 16 characters')))
    .default([]),
  HEALTH_PUBLIC: booleanFromEnv.default(true),
  METRICS_PUBLIC: booleanFromEnv.default(true),
  IDEMPOTENCY_TTL_SECONDS: z.coerce.number().int().min(60).max(30 * 86_400).default(86_400),
  HEALTH_JOBS_TIMEOUT_MS: z.coerce.number().int().min(100).max(30_000).default(5_000),
  DYNAMODB_ENDPOINT: z.url().optional(),
  JOB_TABLE: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{3,255}$/, '3–255 letters, digits, "_", "-" or "."')
    .optional(),
  /** false: no queued/running/succeeded records (the store still keeps idempotency keys, schedule claims, presence). */
  JOB_STATUS_TRACKING: booleanFromEnv.default(true),
  JOB_STATUS_TTL_SECONDS: z.coerce.number().int().min(60).default(7 * 86_400),
  EMBEDDED_DYNAMODB_PORT: z.coerce.number().int().min(0).max(65535).default(8000),
  WORKER_PRESENCE_INTERVAL_MS: z.coerce.number().int().min(100).max(300_000).default(10_000),
  // A worker's own /metrics port; unset = not exposed (under `npm start` the API serves /metrics).
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  // `npm run offline`: serverless-offline's API Gateway and Lambda Invoke ports.
  OFFLINE_HTTP_PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  OFFLINE_LAMBDA_PORT: z.coerce.number().int().min(1).max(65535).default(3002),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_FORMAT: z.enum(['auto', 'json', 'pretty']).default('auto'),
});

export type AppConfig = z.output<typeof configSchema>;
/** Every variable the configuration reads (for checks of compose files and the like). */
export const CONFIG_KEYS: readonly string[] = Object.keys(configSchema.shape);

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '::1']);

/** Parses the environment once; a bad value stops the process with every problem listed. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const blankAsUnset = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const result = configSchema.safeParse(blankAsUnset);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
  }
  if (result.data.API_KEYS.length === 0 && !LOOPBACK_HOSTS.has(result.data.HOST)) {
    throw new ConfigError(`invalid configuration: HOST=${result.data.HOST} exposes the API beyond this machine; set API_KEYS`);
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

/** The HTTP API settings the environment controls, in createApp's terms. */
export function apiSettings(config: AppConfig): {
  apiKeys: string[];
  publicHealth: boolean;
  publicMetrics: boolean;
  idempotencyTtlSeconds: number;
  healthJobsTimeoutMs: number;
  workerPresenceIntervalMs: number;
  statusTracking: boolean;
} {
  return {
    apiKeys: config.API_KEYS,
    publicHealth: config.HEALTH_PUBLIC,
    publicMetrics: config.METRICS_PUBLIC,
    idempotencyTtlSeconds: config.IDEMPOTENCY_TTL_SECONDS,
    healthJobsTimeoutMs: config.HEALTH_JOBS_TIMEOUT_MS,
    workerPresenceIntervalMs: config.WORKER_PRESENCE_INTERVAL_MS,
    statusTracking: config.JOB_STATUS_TRACKING,
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

/** The job table's name: JOB_TABLE, or `<QUEUE_PREFIX>sqs-jobs` so prefixes isolate tables too. */
export function jobTableName(config: AppConfig): string {
  return config.JOB_TABLE ?? `${config.QUEUE_PREFIX}sqs-jobs`;
}
