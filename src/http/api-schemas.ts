import { z } from 'zod';
import { MAX_DELAY_SECONDS } from '../jobs/enqueue';

/**
 * The API's request and response shapes. Routes validate with them and the OpenAPI document is
 * generated from them, so the documentation cannot drift from what the server does.
 */
export const MAX_BATCH_ITEMS = 500;

export const jobNameParam = z.string().meta({ description: 'A job name, as in `sqs-jobs jobs`', example: 'log-message' });
/** Every jobId the system creates fits this; anything else cannot name a job (nor be a store key). */
export const JOB_ID_PATTERN = /^[\x21-\x7e]{1,255}$/;
export const jobIdParam = z.string().regex(JOB_ID_PATTERN).meta({ description: 'The jobId returned when the job was enqueued' });

const delaySeconds = z.coerce
  .number()
  .int('must be an integer')
  .min(0, 'must be at least 0')
  .max(MAX_DELAY_SECONDS, `must be at most ${MAX_DELAY_SECONDS}`);

export const enqueueQuery = z.strictObject({
  delaySeconds: delaySeconds.optional().meta({ description: 'Seconds before the job becomes visible to workers (0–900).' }),
});

export const idempotencyKeyHeader = z
  .string()
  .regex(/^[\x21-\x7e]{1,255}$/, 'must be 1–255 visible ASCII characters')
  .meta({ description: 'The same key within the dedupe window returns the first jobId and enqueues nothing.' });

export const batchRequest = z.strictObject({
  items: z
    .array(z.strictObject({ payload: z.unknown(), delaySeconds: delaySeconds.optional() }))
    .min(1, 'must hold at least one item')
    .max(MAX_BATCH_ITEMS, `must hold at most ${MAX_BATCH_ITEMS} items`),
});

const issue = z.object({ path: z.string(), message: z.string() });

export const errorBody = z
  .object({
    error: z.object({ code: z.string(), message: z.string(), issues: z.array(issue).optional() }),
    requestId: z.string().optional(),
  })
  .meta({ id: 'Error' });

export const enqueueAccepted = z
  .object({ jobId: z.string(), status: z.literal('queued'), statusUrl: z.string() })
  .meta({ id: 'EnqueueAccepted' });

export const batchAccepted = z
  .object({
    accepted: z.number().int(),
    failed: z.number().int(),
    results: z.array(
      z.object({
        index: z.number().int(),
        status: z.enum(['queued', 'rejected', 'failed']),
        jobId: z.string().optional(),
        statusUrl: z.string().optional(),
        error: z.object({ code: z.string(), message: z.string(), issues: z.array(issue).optional() }).optional(),
        retryable: z.boolean().optional(),
      }),
    ),
  })
  .meta({ id: 'BatchAccepted' });

export const jobStatusBody = z
  .object({
    jobId: z.string(),
    job: z.string(),
    status: z.enum(['queued', 'running', 'succeeded', 'failed', 'dead']),
    attempts: z.number().int(),
    enqueuedAt: z.string().optional(),
    startedAt: z.string().optional(),
    finishedAt: z.string().optional(),
    updatedAt: z.string(),
    nextAttemptAt: z.string().optional(),
    lastError: z.object({ code: z.string(), message: z.string() }).optional(),
    result: z.unknown().optional(),
    durationMs: z.number().optional(),
    traceId: z.string().optional(),
  })
  .meta({ id: 'JobStatus' });

const check = z.object({ ok: z.boolean(), error: z.string().optional() });

export const readinessBody = z
  .object({ status: z.enum(['ready', 'not-ready']), checks: z.record(z.string(), check) })
  .meta({ id: 'Readiness' });

export const jobsHealthBody = z
  .object({ status: z.enum(['ok', 'unavailable']), jobId: z.string().optional(), latencyMs: z.number().optional(), reason: z.string().optional() })
  .meta({ id: 'JobsHealth' });

export const workersHealthBody = z
  .object({
    status: z.enum(['ok', 'unavailable']),
    alive: z.number().int(),
    byJob: z.record(z.string(), z.number().int()),
    workers: z.array(
      z.object({ workerId: z.string(), host: z.string(), pid: z.number().int(), jobs: z.array(z.string()), startedAt: z.string(), lastSeenAt: z.string() }),
    ),
  })
  .meta({ id: 'WorkersHealth' });

export const healthJobsQuery = z.strictObject({
  timeoutMs: z.coerce.number().int().min(100).max(30_000).optional().meta({ description: 'How long to wait for a worker (100–30000 ms).' }),
});
