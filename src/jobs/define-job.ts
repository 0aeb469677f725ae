import { z } from 'zod';
import { JobDefinitionError } from '../errors';
import { type BackoffPolicy, DEFAULT_BACKOFF } from '../runtime/backoff';
import type { JobContext } from './job-context';
import { type JobSchedule, normalizeSchedules, type ScheduleDefinition } from './schedules';

/** SQS limits every visibility timeout (and the sum of extensions) to 12 hours. */
export const MAX_VISIBILITY_SECONDS = 43_200;
/** Time added to `timeoutSeconds` for the default visibility: enough to settle the message after a timeout. */
export const VISIBILITY_MARGIN_SECONDS = 30;
/** Queue names are at most 80 characters; leave room for a prefix and the `-dlq` suffix. */
export const MAX_JOB_NAME_LENGTH = 60;
const JOB_NAME_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

export interface RetryPolicy {
  /** Total runs including the first; 1 means never retried. */
  maxAttempts: number;
  backoff: BackoffPolicy;
}

/** How the job runs as an AWS Lambda function (serverless.yml is generated from it). */
export interface LambdaSettings {
  /** Records per invocation, 1–10. Default: min(10, concurrency). */
  batchSize: number;
  /** Invocations at once (the event source mapping's maximum concurrency), 2–1000. Default 10. */
  maximumConcurrency: number;
  /** Function memory in MB, 128–10240. Default 512. */
  memorySizeMb: number;
}

export interface JobDefinition<Schema extends z.ZodType, Result> {
  /** kebab-case; becomes the queue name (`<prefix><name>`, DLQ `<prefix><name>-dlq`). */
  name: string;
  description?: string;
  payload: Schema;
  retry?: { maxAttempts?: number; backoff?: Partial<BackoffPolicy> };
  /** The handler's AbortSignal fires after this many seconds and the attempt counts as failed. */
  timeoutSeconds: number;
  /** Defaults to timeoutSeconds + 30. Lower values rely on the heartbeat to keep long jobs hidden. */
  visibilityTimeoutSeconds?: number;
  /** Jobs run at once per worker process for this queue. Default 10. */
  concurrency?: number;
  lambda?: Partial<LambdaSettings>;
  /** Enqueue the job on a cron schedule (the scheduler locally, EventBridge Scheduler on AWS). */
  schedule?: ScheduleDefinition<z.input<Schema>> | readonly ScheduleDefinition<z.input<Schema>>[];
  handler(payload: z.output<Schema>, context: JobContext): Promise<Result>;
}

export interface Job<Schema extends z.ZodType = z.ZodType, Result = unknown> {
  readonly name: string;
  readonly description: string | undefined;
  readonly payload: Schema;
  readonly retry: Readonly<RetryPolicy>;
  readonly timeoutSeconds: number;
  readonly visibilityTimeoutSeconds: number;
  readonly concurrency: number;
  readonly lambda: Readonly<LambdaSettings>;
  readonly schedules: readonly JobSchedule[];
  // Method syntax keeps Job<Specific> assignable to AnyJob (parameters are checked bivariantly).
  handler(payload: z.output<Schema>, context: JobContext): Promise<Result>;
}

/** A job of any payload type, for registries and runtimes that treat jobs uniformly. */
export type AnyJob = Job;

const definitionSchema = z
  .object({
    name: z
      .string()
      .max(MAX_JOB_NAME_LENGTH, `must be at most ${MAX_JOB_NAME_LENGTH} characters`)
      .regex(JOB_NAME_PATTERN, 'must be kebab-case: lowercase letters and digits separated by single "-"'),
    timeoutSeconds: z
      .number()
      .positive('must be greater than 0')
      .max(
        MAX_VISIBILITY_SECONDS - VISIBILITY_MARGIN_SECONDS,
        `must be at most ${MAX_VISIBILITY_SECONDS - VISIBILITY_MARGIN_SECONDS} (SQS visibility limit of 12 h minus a ${VISIBILITY_MARGIN_SECONDS}s margin)`,
      ),
    visibilityTimeoutSeconds: z
      .number()
      .int('must be a whole number of seconds')
      .min(1, 'must be at least 1')
      .max(MAX_VISIBILITY_SECONDS, `must be at most ${MAX_VISIBILITY_SECONDS} (the SQS limit)`)
      .optional(),
    concurrency: z.number().int('must be an integer').min(1, 'must be at least 1').max(1000).optional(),
    maxAttempts: z.number().int('must be an integer').min(1, 'must be at least 1').max(990, 'must be at most 990'),
    baseSeconds: z.number().min(0, 'must be at least 0'),
    factor: z.number().min(1, 'must be at least 1'),
    maxSeconds: z.number().min(0).max(MAX_VISIBILITY_SECONDS, `must be at most ${MAX_VISIBILITY_SECONDS} (the SQS limit)`),
    jitter: z.enum(['full', 'equal', 'none']),
    batchSize: z.number().int('must be an integer').min(1, 'must be at least 1').max(10, 'must be at most 10').optional(),
    maximumConcurrency: z.number().int('must be an integer').min(2, 'must be at least 2 (the AWS minimum)').max(1000).optional(),
    memorySizeMb: z.number().int('must be an integer').min(128, 'must be at least 128').max(10_240, 'must be at most 10240').optional(),
  })
  .refine((value) => value.maxSeconds >= value.baseSeconds, {
    message: 'must be at least retry.backoff.baseSeconds',
    path: ['maxSeconds'],
  });

const FIELD_LABELS: Record<string, string> = {
  maxAttempts: 'retry.maxAttempts',
  baseSeconds: 'retry.backoff.baseSeconds',
  factor: 'retry.backoff.factor',
  maxSeconds: 'retry.backoff.maxSeconds',
  jitter: 'retry.backoff.jitter',
  batchSize: 'lambda.batchSize',
  maximumConcurrency: 'lambda.maximumConcurrency',
  memorySizeMb: 'lambda.memorySizeMb',
};

/**
 * Declares a job. Types flow from the schema: enqueue takes `z.input<Schema>`, the handler
 * receives `z.output<Schema>` (defaults applied). Invalid definitions throw at module load.
 */
export function defineJob<Schema extends z.ZodType, Result>(definition: JobDefinition<Schema, Result>): Job<Schema, Result> {
  const label = typeof definition.name === 'string' && definition.name ? `job '${definition.name}'` : 'job';
  if (!(definition.payload instanceof z.ZodType)) {
    throw new JobDefinitionError(`${label}: payload must be a zod schema`);
  }
  if (typeof definition.handler !== 'function') {
    throw new JobDefinitionError(`${label}: handler must be a function`);
  }
  const backoff = { ...DEFAULT_BACKOFF, ...definition.retry?.backoff };
  const checked = definitionSchema.safeParse({
    name: definition.name,
    timeoutSeconds: definition.timeoutSeconds,
    visibilityTimeoutSeconds: definition.visibilityTimeoutSeconds,
    concurrency: definition.concurrency,
    maxAttempts: definition.retry?.maxAttempts ?? 3,
    ...backoff,
    ...definition.lambda,
  });
  if (!checked.success) {
    const problems = checked.error.issues.map((issue) => {
      const field = String(issue.path[0] ?? 'definition');
      return `${FIELD_LABELS[field] ?? field} ${issue.message}`;
    });
    throw new JobDefinitionError(`invalid definition for ${label}: ${problems.join('; ')}`);
  }
  const valid = checked.data;
  const concurrency = valid.concurrency ?? 10;
  return Object.freeze({
    name: valid.name,
    description: definition.description,
    payload: definition.payload,
    retry: Object.freeze({
      maxAttempts: valid.maxAttempts,
      backoff: Object.freeze({ baseSeconds: valid.baseSeconds, factor: valid.factor, maxSeconds: valid.maxSeconds, jitter: valid.jitter }),
    }),
    timeoutSeconds: valid.timeoutSeconds,
    visibilityTimeoutSeconds:
      valid.visibilityTimeoutSeconds ??
      Math.min(MAX_VISIBILITY_SECONDS, Math.ceil(valid.timeoutSeconds) + VISIBILITY_MARGIN_SECONDS),
    concurrency,
    lambda: Object.freeze({
      batchSize: valid.batchSize ?? Math.min(10, concurrency),
      maximumConcurrency: valid.maximumConcurrency ?? 10,
      memorySizeMb: valid.memorySizeMb ?? 512,
    }),
    schedules: Object.freeze(normalizeSchedules(valid.name, definition.payload, definition.schedule)),
    handler: definition.handler.bind(definition),
  });
}
