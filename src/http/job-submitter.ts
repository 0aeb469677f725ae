import type { SQSClient } from '@aws-sdk/client-sqs';
import type { AnyJob } from '../jobs/define-job';
import { buildJobMessage } from '../jobs/enqueue';
import { type BatchItem, type BatchItemResult, enqueueJobBatch } from '../jobs/enqueue-batch';
import type { Logger } from '../observability/logger';
import type { QueueDirectory } from '../queues/provisioning';
import { SendBatcher } from '../sqs/send-batcher';
import type { JobStore } from '../store/job-store';
import type { StatusRecorder } from '../store/status-recorder';
import { queuedTransition } from '../store/job-store';
import { HttpError, serviceUnavailable } from './http-errors';

export interface JobSubmitterOptions {
  sqs: SQSClient;
  directory: QueueDirectory;
  store: JobStore;
  /** Absent when job status tracking is off. */
  recorder: StatusRecorder | undefined;
  logger: Logger;
  /** How long an Idempotency-Key keeps returning the first jobId. */
  idempotencyTtlSeconds: number;
}

export interface Submitted {
  jobId: string;
  /** true when an earlier request with the same Idempotency-Key already enqueued this job. */
  replayed: boolean;
}

/**
 * A claim whose request died between claiming and sending must not block its key for the whole
 * dedupe window: unconfirmed claims expire after this long.
 */
const PENDING_CLAIM_TTL_SECONDS = 60;
/** The "queued" status write runs beside SendMessage; the response waits for it at most this long. */
const QUEUED_WRITE_WAIT_MS = 250;

/**
 * Enqueues on behalf of HTTP requests: idempotency keys, the initial "queued" status, and the rule
 * that a job is reported accepted only after SQS confirmed it durably stored the message.
 */
export class JobSubmitter {
  /** Concurrent requests share SendMessageBatch calls; each still waits for its own entry's result. */
  private readonly sender: SendBatcher;

  constructor(private readonly options: JobSubmitterOptions) {
    this.sender = new SendBatcher(options.sqs);
  }

  async submit(job: AnyJob, payload: unknown, request: { delaySeconds?: number; idempotencyKey?: string; traceId?: string }): Promise<Submitted> {
    const jobId = crypto.randomUUID();
    // Bad input fails here, before it can claim a key or write a "queued" record for a job never sent.
    const message = buildJobMessage(job, payload, { jobId, delaySeconds: request.delaySeconds, traceId: request.traceId });
    const key = request.idempotencyKey;
    if (key !== undefined) {
      const claim = await this.options.store.claimIdempotencyKey(job.name, key, jobId, PENDING_CLAIM_TTL_SECONDS);
      if (claim.jobId !== jobId) {
        if (claim.confirmed) return { jobId: claim.jobId, replayed: true };
        throw new HttpError(409, 'idempotency-conflict', 'a request with this Idempotency-Key is still being processed; retry shortly', {
          headers: { 'Retry-After': '1' },
        });
      }
    }
    const queued = this.recordQueued(job, jobId, request.traceId);
    try {
      await this.sender.send(this.queueUrl(job), message);
    } catch (error) {
      if (key !== undefined) await this.releaseClaim(job, key, jobId);
      throw error;
    }
    if (key !== undefined) await this.confirmClaim(job, key, jobId);
    await queued;
    return { jobId, replayed: false };
  }

  async submitBatch(job: AnyJob, items: readonly BatchItem[], traceId?: string): Promise<BatchItemResult[]> {
    const results = await enqueueJobBatch(this.options.sqs, this.queueUrl(job), job, items, { traceId, sender: this.sender });
    await Promise.all(
      results.flatMap((result) => (result.status === 'queued' ? [this.recordQueued(job, result.jobId, traceId)] : [])),
    );
    return results;
  }

  private queueUrl(job: AnyJob): string {
    const queues = this.options.directory.find(job.name);
    if (!queues) throw serviceUnavailable(`the queue for job '${job.name}' is not provisioned`);
    return queues.queue.url;
  }

  /** Best effort and bounded: the job is in SQS either way, and the worker writes later states. */
  private recordQueued(job: AnyJob, jobId: string, traceId: string | undefined): Promise<void> {
    const { recorder } = this.options;
    if (!recorder) return Promise.resolve();
    const write = recorder.record(queuedTransition(job.name, jobId, traceId));
    return Promise.race([write, new Promise<void>((resolve) => setTimeout(resolve, QUEUED_WRITE_WAIT_MS).unref())]);
  }

  private async confirmClaim(job: AnyJob, key: string, jobId: string): Promise<void> {
    try {
      await this.options.store.confirmIdempotencyKey(job.name, key, jobId, this.options.idempotencyTtlSeconds);
    } catch (error) {
      // The job is enqueued; only the dedupe of a later retry is weakened, until the pending claim expires.
      this.options.logger.warn({ err: error, jobId }, 'could not confirm Idempotency-Key claim');
    }
  }

  private async releaseClaim(job: AnyJob, key: string, jobId: string): Promise<void> {
    await this.options.store.releaseIdempotencyKey(job.name, key, jobId).catch((error: unknown) => {
      this.options.logger.warn({ err: error, jobId }, 'could not release Idempotency-Key claim; it expires on its own');
    });
  }
}
