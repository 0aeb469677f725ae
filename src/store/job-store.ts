/**
 * Where the runtime records job status, idempotency keys and worker liveness. Writes are
 * best-effort from the runtime's point of view (a failed write never fails a job); reads serve the
 * HTTP API. The DynamoDB implementation is the one shipped; the interface keeps the API testable
 * against any store and lets a deployment swap it.
 */

export type JobStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'dead';

export interface JobError {
  code: string;
  message: string;
}

/**
 * One status change. `sequence` orders changes of the same job: a write whose sequence is not
 * greater than the stored one is ignored, so a late "queued" never overwrites "running" and two
 * workers racing on a redelivered message cannot move a finished job backwards.
 */
export interface JobTransition {
  jobId: string;
  job: string;
  status: JobStatus;
  sequence: number;
  /** Attempts started so far (0 while queued). */
  attempts: number;
  at: Date;
  enqueuedAt?: Date;
  traceId?: string;
  error?: JobError;
  /** When status is `failed`: when the next attempt becomes visible. */
  nextAttemptAt?: Date;
  /** When status is `succeeded`: the handler's return value, already made small (see boundResult). */
  result?: unknown;
  durationMs?: number;
}

export interface JobRecord {
  jobId: string;
  job: string;
  status: JobStatus;
  attempts: number;
  enqueuedAt?: string;
  startedAt?: string;
  finishedAt?: string;
  updatedAt: string;
  nextAttemptAt?: string;
  lastError?: JobError;
  result?: unknown;
  durationMs?: number;
  traceId?: string;
}

export interface WorkerBeat {
  workerId: string;
  host: string;
  pid: number;
  jobs: string[];
  startedAt: Date;
  at: Date;
}

export interface WorkerRecord {
  workerId: string;
  host: string;
  pid: number;
  jobs: string[];
  startedAt: string;
  lastSeenAt: string;
}

export interface IdempotencyClaim {
  jobId: string;
  confirmed: boolean;
}

export interface JobStore {
  /** Applies the transition unless a later one (higher sequence) is already stored. */
  recordTransition(transition: JobTransition): Promise<void>;
  /** undefined when unknown or past its retention. */
  getJob(jobId: string): Promise<JobRecord | undefined>;
  /**
   * Claims `key` for `jobId`, pending for `pendingTtlSeconds`. Returns the owner: `jobId` itself
   * when the claim is new (or the old one expired), otherwise the first claimant and whether its
   * job was confirmed as enqueued.
   */
  claimIdempotencyKey(scope: string, key: string, jobId: string, pendingTtlSeconds: number): Promise<IdempotencyClaim>;
  /** Marks the claim's job as enqueued and keeps the key for the full dedupe window. */
  confirmIdempotencyKey(scope: string, key: string, jobId: string, ttlSeconds: number): Promise<void>;
  /** Gives a claim back, e.g. when the enqueue it guarded failed, so a retry can use the key. */
  releaseIdempotencyKey(scope: string, key: string, jobId: string): Promise<void>;
  recordWorkerBeat(beat: WorkerBeat, ttlSeconds: number): Promise<void>;
  removeWorker(workerId: string): Promise<void>;
  /** Workers whose last beat is newer than `since`. */
  listWorkers(since: Date): Promise<WorkerRecord[]>;
  /** The last tick a scheduler enqueued for this schedule (for catch-up), if known. */
  getScheduleCursor(scheduleId: string): Promise<Date | undefined>;
  /** Records a tick as enqueued; never moves the cursor backwards. */
  setScheduleCursor(scheduleId: string, tick: Date): Promise<void>;
  /** Deletes up to `limit` expired items (statuses, keys, beats, cursors); returns how many. */
  deleteExpired(limit: number): Promise<number>;
  /** Throws when the store cannot be reached or its table is missing. */
  checkReady(): Promise<void>;
  close(): void;
}

/** Phase within one attempt; see JobTransition.sequence. */
const PHASE: Record<JobStatus, number> = { queued: 0, running: 1, failed: 2, succeeded: 3, dead: 3 };
const PHASES_PER_ATTEMPT = 4;
/** A redrive restarts SQS's receive count; this keeps later generations ordered after earlier ones. */
const ATTEMPTS_PER_GENERATION = 100_000;

export function transitionSequence(status: JobStatus, attempt: number, redriveCount = 0): number {
  return (redriveCount * ATTEMPTS_PER_GENERATION + attempt) * PHASES_PER_ATTEMPT + PHASE[status];
}

/** The first status of a job that SQS has just accepted. */
export function queuedTransition(jobName: string, jobId: string, traceId?: string): JobTransition {
  const now = new Date();
  return { jobId, job: jobName, status: 'queued', sequence: transitionSequence('queued', 0), attempts: 0, at: now, enqueuedAt: now, traceId };
}

/** Results are stored for callers to read, not as a data channel: big ones are summarised. */
export const MAX_STORED_RESULT_BYTES = 16_384;

export function boundResult(result: unknown): unknown {
  if (result === undefined) return undefined;
  let json: string | undefined;
  try {
    // undefined for functions and symbols, despite the declared type.
    const text = JSON.stringify(result) as string | undefined;
    json = text;
  } catch {
    return { omitted: 'result is not JSON-serialisable' };
  }
  if (json === undefined) return undefined;
  const bytes = Buffer.byteLength(json);
  if (bytes > MAX_STORED_RESULT_BYTES) return { omitted: `result is ${bytes} bytes; the store keeps up to ${MAX_STORED_RESULT_BYTES}` };
  return JSON.parse(json) as unknown;
}
