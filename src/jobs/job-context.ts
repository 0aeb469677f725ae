import type { z } from 'zod';
import type { Logger } from '../observability/logger';
import type { Job } from './define-job';

export interface EnqueueOptions {
  /** Stable id kept across retries and redrive; generated when absent. */
  jobId?: string;
  /** 0–900 seconds before the job becomes visible to workers. */
  delaySeconds?: number;
  /** Request id of whoever asked for the job; appears in the job's logs as traceId. */
  traceId?: string;
}

export interface EnqueueResult {
  jobId: string;
  messageId: string;
}

/** Sends a job to its queue after validating the payload against the job's schema. */
export type Enqueue = <Schema extends z.ZodType>(
  job: Job<Schema>,
  payload: z.input<Schema>,
  options?: EnqueueOptions,
) => Promise<EnqueueResult>;

/** What a handler receives besides its payload (after graphile-worker's helpers). */
export interface JobContext {
  readonly jobName: string;
  /** Stable across retries and redrive (the `job-id` message attribute). */
  readonly jobId: string;
  /** 1-based; SQS ApproximateReceiveCount. */
  readonly attempt: number;
  readonly maxAttempts: number;
  readonly messageId: string;
  /** pino child logger bound to job, jobId, attempt and messageId. */
  readonly logger: Logger;
  /** Fires at the job's timeout, or when a shutdown deadline forces the worker to stop. */
  readonly signal: AbortSignal;
  /**
   * Keeps the message hidden from other workers for another visibility period. The runtime already
   * does this on a timer while the handler runs; call it to extend at a known checkpoint.
   */
  heartbeat(): Promise<void>;
  /** Enqueue a follow-up job. */
  enqueue: Enqueue;
}
