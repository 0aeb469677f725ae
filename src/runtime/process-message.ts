import type { Message, SQSClient } from '@aws-sdk/client-sqs';
import { describeError, InvalidPayloadError, JobError, RetryLaterError } from '../errors';
import { type AnyJob, MAX_VISIBILITY_SECONDS } from '../jobs/define-job';
import { parsePayload } from '../jobs/enqueue';
import type { Enqueue, JobContext } from '../jobs/job-context';
import {
  ATTR,
  attemptOf,
  jobIdOf,
  readDateAttribute,
  readNumberAttribute,
  readStringAttribute,
} from '../jobs/message-attributes';
import type { Logger } from '../observability/logger';
import type { JobQueues } from '../queues/provisioning';
import { backoffDelaySeconds } from './backoff';
import { defaultHeartbeatIntervalMs, startHeartbeat } from './heartbeat';
import type { JobEvents } from './job-events';
import { runHandler } from './run-handler';
import { changeVisibility, sendToDeadLetterQueue } from './settle';

export interface ProcessMessageDeps {
  sqs: SQSClient;
  /** The job's queue and DLQ. */
  queues: JobQueues;
  logger: Logger;
  /** Offered to handlers as ctx.enqueue; without it ctx.enqueue rejects. */
  enqueue?: Enqueue;
  /** Aborting it interrupts the handler and releases the message (visibility 0) instead of failing it. */
  stopSignal?: AbortSignal;
  /** [0, 1) source for backoff jitter; injectable for tests. */
  random?: () => number;
  heartbeatIntervalMs?: number;
  /** Observers (metrics, job status); called synchronously, must not block. */
  events?: JobEvents;
}

interface OutcomeBase {
  jobId: string;
  attempt: number;
  messageId: string;
}

export interface FailureDetails {
  code: string;
  message: string;
}

export type JobOutcome =
  | (OutcomeBase & { status: 'succeeded'; durationMs: number; result: unknown })
  | (OutcomeBase & { status: 'retrying'; delaySeconds: number; error: FailureDetails; durationMs?: number })
  | (OutcomeBase & { status: 'dead-lettered'; error: FailureDetails; durationMs?: number })
  | (OutcomeBase & { status: 'released' });

/** Succeeded and dead-lettered messages must now be deleted from the job queue by the caller. */
export function shouldDelete(outcome: JobOutcome): boolean {
  return outcome.status === 'succeeded' || outcome.status === 'dead-lettered';
}

const enqueueUnavailable: Enqueue = () => Promise.reject(new Error('ctx.enqueue is not available in this runtime'));

/**
 * The single core every runtime shares: parse and validate, run the handler with timeout and
 * heartbeat, then settle. It never throws and never deletes: retries are scheduled with
 * ChangeMessageVisibility and dead letters are copied to the DLQ here, while deleting (a batch
 * delete for workers, an omitted batchItemFailure for Lambda) is the caller's job.
 */
export async function processMessage(job: AnyJob, message: Message, deps: ProcessMessageDeps): Promise<JobOutcome> {
  const base: OutcomeBase = { jobId: jobIdOf(message), attempt: attemptOf(message), messageId: message.MessageId ?? '' };
  const traceId = readStringAttribute(message, ATTR.traceId);
  const logger = deps.logger.child({ job: job.name, jobId: base.jobId, attempt: base.attempt, messageId: base.messageId, traceId });
  logger.info('job received');
  const eventBase = {
    job,
    redriveCount: redriveGeneration(message),
    enqueuedAt: readDateAttribute(message, ATTR.enqueuedAt),
    traceId,
  };
  const outcome = await settleMessage(job, message, deps, logger, base, () => deps.events?.jobStarted({ ...eventBase, ...base }));
  deps.events?.jobSettled({ ...eventBase, outcome });
  return outcome;
}

async function settleMessage(
  job: AnyJob,
  message: Message,
  deps: ProcessMessageDeps,
  logger: Logger,
  base: OutcomeBase,
  started: () => void,
): Promise<JobOutcome> {

  let payload: unknown;
  try {
    payload = parseMessageBody(job, message);
  } catch (error) {
    return deadLetterOrRetry(job, message, deps, logger, base, describeError(error));
  }

  const heartbeat = startHeartbeat({
    sqs: deps.sqs,
    queueUrl: deps.queues.queue.url,
    receiptHandle: message.ReceiptHandle ?? '',
    visibilityTimeoutSeconds: job.visibilityTimeoutSeconds,
    intervalMs: deps.heartbeatIntervalMs ?? defaultHeartbeatIntervalMs(job.visibilityTimeoutSeconds),
    logger,
  });
  started();
  const startedAt = performance.now();
  const context = (signal: () => AbortSignal): JobContext => ({
    jobName: job.name,
    jobId: base.jobId,
    attempt: base.attempt,
    maxAttempts: job.retry.maxAttempts,
    messageId: base.messageId,
    logger,
    get signal() {
      return signal();
    },
    heartbeat: heartbeat.beat,
    enqueue: deps.enqueue ?? enqueueUnavailable,
  });
  const run = await runHandler(job, payload, context, deps.stopSignal).finally(() => {
    heartbeat.stop();
  });
  const durationMs = Math.round(performance.now() - startedAt);

  switch (run.kind) {
    case 'completed':
      logger.info({ durationMs }, 'job succeeded');
      return { ...base, status: 'succeeded', durationMs, result: run.result };
    case 'stopped':
      await changeVisibility(deps.sqs, deps.queues.queue.url, message, 0).catch((error: unknown) => {
        logger.warn({ err: error }, 'could not release message; it reappears after its visibility timeout');
      });
      logger.info({ durationMs }, 'job released: worker stopping');
      return { ...base, status: 'released' };
    case 'failed': {
      const failure = describeError(run.error);
      const final = !isRetryable(run.error) || base.attempt >= job.retry.maxAttempts;
      const settled = final
        ? await deadLetterOrRetry(job, message, deps, logger, base, failure, run.error)
        : await scheduleRetry(deps, message, logger, base, failure, retryDelaySeconds(job, base.attempt, run.error, deps.random), run.error);
      return { ...settled, durationMs };
    }
  }
}

/**
 * How many times the message came back from the DLQ. A client-side redrive sets `redrive-count`
 * and clears the error attributes; SQS's native move keeps them, so a job-queue message that still
 * carries `error-code` has been moved back once more than its counter says.
 */
function redriveGeneration(message: Message): number {
  const counted = readNumberAttribute(message, ATTR.redriveCount) ?? 0;
  return readStringAttribute(message, ATTR.errorCode) === undefined ? counted : counted + 1;
}

function parseMessageBody(job: AnyJob, message: Message): unknown {
  const declaredJob = readStringAttribute(message, ATTR.jobName);
  if (declaredJob !== undefined && declaredJob !== job.name) {
    throw new InvalidPayloadError(job.name, [
      { path: `(attribute ${ATTR.jobName})`, message: `message is for job '${declaredJob}', not '${job.name}'` },
    ]);
  }
  let body: unknown;
  try {
    body = JSON.parse(message.Body ?? '');
  } catch {
    throw new InvalidPayloadError(job.name, [{ path: '(body)', message: 'body is not valid JSON' }]);
  }
  return parsePayload(job, body);
}

function isRetryable(error: unknown): boolean {
  return !(error instanceof JobError) || error.retryable;
}

function retryDelaySeconds(job: AnyJob, attempt: number, error: unknown, random?: () => number): number {
  const delay = error instanceof RetryLaterError ? error.delaySeconds : backoffDelaySeconds(job.retry.backoff, attempt, random);
  return Math.min(delay, MAX_VISIBILITY_SECONDS);
}

async function scheduleRetry(
  deps: ProcessMessageDeps,
  message: Message,
  logger: Logger,
  base: OutcomeBase,
  failure: FailureDetails,
  delaySeconds: number,
  error?: unknown,
): Promise<Extract<JobOutcome, { status: 'retrying' }>> {
  try {
    await changeVisibility(deps.sqs, deps.queues.queue.url, message, delaySeconds);
  } catch (visibilityError) {
    logger.warn({ err: visibilityError }, 'could not set retry delay; the job retries after its visibility timeout');
  }
  logger.warn({ err: error, errorCode: failure.code, delaySeconds }, 'job failed; retry scheduled');
  return { ...base, status: 'retrying', delaySeconds, error: failure };
}

/** A failed DLQ send must not lose the job: keep it in the queue and let it come back later. */
async function deadLetterOrRetry(
  job: AnyJob,
  message: Message,
  deps: ProcessMessageDeps,
  logger: Logger,
  base: OutcomeBase,
  failure: FailureDetails,
  error?: unknown,
): Promise<Extract<JobOutcome, { status: 'retrying' | 'dead-lettered' }>> {
  try {
    await sendToDeadLetterQueue(deps.sqs, deps.queues, message, { ...failure, jobId: base.jobId, attempt: base.attempt }, logger);
  } catch (sendError) {
    logger.error({ err: sendError, errorCode: failure.code }, 'could not send job to its DLQ; keeping it in the queue');
    const delaySeconds = backoffDelaySeconds(job.retry.backoff, base.attempt, deps.random);
    return scheduleRetry(deps, message, logger, base, { code: 'dead-letter-failed', message: failure.message }, delaySeconds);
  }
  logger.error({ err: error, errorCode: failure.code, errorMessage: failure.message }, 'job dead-lettered');
  return { ...base, status: 'dead-lettered', error: failure };
}
