import type { Logger } from '../observability/logger';
import type { JobEvents, JobSettledEvent, JobStartedEvent } from '../runtime/job-events';
import { boundResult, type JobStore, type JobTransition, transitionSequence } from './job-store';

export interface StatusRecorderOptions {
  store: JobStore;
  logger: Logger;
  /** Writes waiting or in flight beyond this are dropped (and counted) rather than queued without bound. */
  maxPendingWrites?: number;
  /** Writes sent to the store at once; the rest wait here as plain objects (default 32). */
  maxConcurrentWrites?: number;
}

const DEFAULT_MAX_PENDING_WRITES = 1_000;
/**
 * Below the SDK's 50 sockets, so idempotency claims and status reads still get through, and far
 * below 1,000: a thousand requests parked inside the SDK cost ~30 MiB (bench/, memory scenario).
 */
const DEFAULT_MAX_CONCURRENT_WRITES = 32;

interface WaitingWrite {
  transition: JobTransition;
  /** Callers of record() for this job, told once its newest waiting state is stored. */
  settled: (() => void)[];
}
const WARNING_INTERVAL_MS = 10_000;

/**
 * Turns job events into status transitions in the store. Writes are fired and forgotten so a slow
 * or unreachable store costs the job nothing; the sequence number in each transition keeps the
 * stored status right even when writes land out of order. At most `maxConcurrentWrites` are sent
 * at once; while a job's state waits its turn, a newer state of the same job replaces it (a fast
 * job's `running` is never written once its `succeeded` is known).
 */
export class StatusRecorder implements JobEvents {
  private readonly waiting = new Map<string, WaitingWrite>();
  private readonly inFlight = new Set<Promise<void>>();
  private lastWarning = 0;
  dropped = 0;
  failed = 0;

  constructor(private readonly options: StatusRecorderOptions) {}

  jobStarted(event: JobStartedEvent): void {
    void this.write({
      ...identity(event),
      status: 'running',
      attempts: event.attempt,
      sequence: transitionSequence('running', event.attempt, event.redriveCount),
    });
  }

  jobSettled(event: JobSettledEvent): void {
    const { outcome } = event;
    const common = { ...identity({ ...event, jobId: outcome.jobId }), attempts: outcome.attempt };
    const sequence = (status: 'failed' | 'succeeded' | 'dead') => transitionSequence(status, outcome.attempt, event.redriveCount);
    switch (outcome.status) {
      case 'succeeded':
        void this.write({
          ...common,
          status: 'succeeded',
          sequence: sequence('succeeded'),
          result: boundResult(outcome.result),
          durationMs: outcome.durationMs,
        });
        return;
      case 'retrying':
        void this.write({
          ...common,
          status: 'failed',
          sequence: sequence('failed'),
          error: outcome.error,
          nextAttemptAt: new Date(Date.now() + outcome.delaySeconds * 1000),
          durationMs: outcome.durationMs,
        });
        return;
      case 'dead-lettered':
        void this.write({ ...common, status: 'dead', sequence: sequence('dead'), error: outcome.error, durationMs: outcome.durationMs });
        return;
      case 'released':
        // Interrupted by a shutdown: waiting for its next attempt, ordered after this attempt's start.
        void this.write({ ...common, status: 'queued', sequence: sequence('failed') });
        return;
    }
  }

  /** Resolves once the transition is stored, or quietly fails; used where the caller may wait briefly. */
  record(transition: JobTransition): Promise<void> {
    return this.write(transition);
  }

  /** Waits for waiting and in-flight writes (at shutdown, so the last statuses are not lost). */
  async flush(timeoutMs = 5_000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
    const drained = (async () => {
      while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
    })();
    await Promise.race([drained, timeout]);
    clearTimeout(timer);
  }

  private write(transition: JobTransition): Promise<void> {
    const queued = this.waiting.get(transition.jobId);
    if (queued) {
      if (transition.sequence > queued.transition.sequence) queued.transition = transition;
      return new Promise((resolve) => queued.settled.push(resolve));
    }
    const maxPending = this.options.maxPendingWrites ?? DEFAULT_MAX_PENDING_WRITES;
    if (this.inFlight.size + this.waiting.size >= maxPending) {
      this.dropped += 1;
      this.warnRateLimited({ dropped: this.dropped, maxPending }, 'job store is falling behind; status updates dropped');
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this.waiting.set(transition.jobId, { transition, settled: [resolve] });
      this.sendWaiting();
    });
  }

  private sendWaiting(): void {
    const maxConcurrent = this.options.maxConcurrentWrites ?? DEFAULT_MAX_CONCURRENT_WRITES;
    for (const [jobId, entry] of this.waiting) {
      if (this.inFlight.size >= maxConcurrent) return;
      this.waiting.delete(jobId);
      const write = this.options.store
        .recordTransition(entry.transition)
        .catch((error: unknown) => {
          this.failed += 1;
          this.warnRateLimited({ err: error, failed: this.failed, jobId }, 'could not record job status');
        })
        .finally(() => {
          this.inFlight.delete(write);
          for (const settle of entry.settled) settle();
          this.sendWaiting();
        });
      this.inFlight.add(write);
    }
  }

  /** One line per interval: a store outage must not flood the job logs with a line per job. */
  private warnRateLimited(details: object, message: string): void {
    const now = Date.now();
    if (now - this.lastWarning < WARNING_INTERVAL_MS) return;
    this.lastWarning = now;
    this.options.logger.warn(details, message);
  }
}

function identity(event: Omit<JobStartedEvent, 'attempt' | 'messageId'>): Pick<JobTransition, 'jobId' | 'job' | 'at' | 'enqueuedAt' | 'traceId'> {
  return { jobId: event.jobId, job: event.job.name, at: new Date(), enqueuedAt: event.enqueuedAt, traceId: event.traceId };
}
