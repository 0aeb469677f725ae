import { hostname } from 'node:os';
import type { Logger } from '../observability/logger';
import type { JobStore } from '../store/job-store';

export interface WorkerPresenceOptions {
  store: JobStore;
  logger: Logger;
  workerId: string;
  jobs: readonly string[];
  /** How often the worker says it is alive. Default 10 s. */
  intervalMs?: number;
}

export const DEFAULT_PRESENCE_INTERVAL_MS = 10_000;
/** A worker that missed this many beats is reported dead by /health/workers. */
export const MISSED_BEATS_BEFORE_DEAD = 3;

/**
 * Records "this worker is alive and serves these jobs" in the job store on a timer, so the API can
 * answer which workers run without talking to them. Failures are logged, never fatal: liveness
 * reporting must not take a healthy worker down.
 */
export class WorkerPresence {
  private timer: NodeJS.Timeout | undefined;
  private readonly startedAt = new Date();

  constructor(private readonly options: WorkerPresenceOptions) {}

  get intervalMs(): number {
    return this.options.intervalMs ?? DEFAULT_PRESENCE_INTERVAL_MS;
  }

  async start(): Promise<void> {
    await this.beat();
    this.timer = setInterval(() => void this.beat(), this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.options.store.removeWorker(this.options.workerId).catch((error: unknown) => {
      this.options.logger.warn({ err: error }, 'could not remove worker record; it expires on its own');
    });
  }

  private async beat(): Promise<void> {
    const ttlSeconds = Math.ceil((this.intervalMs * MISSED_BEATS_BEFORE_DEAD) / 1000) + 60;
    try {
      await this.options.store.recordWorkerBeat(
        {
          workerId: this.options.workerId,
          host: hostname(),
          pid: process.pid,
          jobs: [...this.options.jobs],
          startedAt: this.startedAt,
          at: new Date(),
        },
        ttlSeconds,
      );
    } catch (error) {
      this.options.logger.warn({ err: error }, 'could not record worker heartbeat');
    }
  }
}

/** Beats newer than this mean the worker is alive. */
export function aliveSince(intervalMs: number, now = Date.now()): Date {
  return new Date(now - intervalMs * MISSED_BEATS_BEFORE_DEAD);
}
