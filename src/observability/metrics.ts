import type { SQSClient } from '@aws-sdk/client-sqs';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { JobQueues } from '../queues/provisioning';
import type { JobEvents, JobSettledEvent, JobStartedEvent } from '../runtime/job-events';
import { QueueDepthCollector, type WatchQueuesOptions } from './queue-depth-collector';

export type { WatchQueuesOptions } from './queue-depth-collector';

export const METRIC_PREFIX = 'sqs_jobs_';

/** Full metric names, for dashboards, alerts and tests that should not repeat the strings. */
export const METRIC_NAMES = {
  started: `${METRIC_PREFIX}jobs_started_total`,
  succeeded: `${METRIC_PREFIX}jobs_succeeded_total`,
  failed: `${METRIC_PREFIX}jobs_failed_total`,
  retried: `${METRIC_PREFIX}jobs_retried_total`,
  deadLettered: `${METRIC_PREFIX}jobs_dead_lettered_total`,
  released: `${METRIC_PREFIX}jobs_released_total`,
  running: `${METRIC_PREFIX}jobs_running`,
  handlerDuration: `${METRIC_PREFIX}handler_duration_seconds`,
  enqueueRequests: `${METRIC_PREFIX}enqueue_requests_total`,
  queueMessages: `${METRIC_PREFIX}queue_messages`,
  queueScrapeErrors: `${METRIC_PREFIX}queue_scrape_errors_total`,
} as const;

/** From webhook calls of a few ms to report builds of minutes (handlers may run up to 12 h; those land in +Inf). */
export const HANDLER_DURATION_BUCKETS: readonly number[] = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300,
];

export interface JobMetricsOptions {
  /** Jobs whose counters start at 0, so rate() and increase() see their first event. */
  jobNames?: readonly string[];
}

/**
 * Prometheus metrics for workers and the HTTP API. Each instance owns its registry, so tests and
 * several apps in one process never collide on prom-client's global one.
 */
export class JobMetrics implements JobEvents {
  readonly registry = new Registry();
  private readonly started: Counter<'job'>;
  private readonly succeeded: Counter<'job'>;
  private readonly failed: Counter<'job'>;
  private readonly retried: Counter<'job'>;
  private readonly deadLettered: Counter<'job'>;
  private readonly released: Counter<'job'>;
  private readonly running: Gauge<'job'>;
  private readonly duration: Histogram<'job' | 'outcome'>;
  private readonly enqueueRequests: Counter<'job' | 'status'>;
  private queueDepths: QueueDepthCollector | undefined;
  /**
   * Starts not yet settled, per job + message + attempt. An invalid payload settles without a
   * start, so the running gauge may only go down for a start it saw. A count, not a flag,
   * because SQS may deliver the same message twice at once.
   */
  private readonly openStarts = new Map<string, number>();

  constructor(options: JobMetricsOptions = {}) {
    collectDefaultMetrics({ register: this.registry });
    const counter = (name: string, help: string): Counter<'job'> =>
      new Counter({ name, help, labelNames: ['job'] as const, registers: [this.registry] });
    this.started = counter(METRIC_NAMES.started, 'Handler runs started (after the payload validated).');
    this.succeeded = counter(METRIC_NAMES.succeeded, 'Handler runs that succeeded.');
    this.failed = counter(METRIC_NAMES.failed, 'Failed attempts: scheduled for a retry or dead-lettered.');
    this.retried = counter(METRIC_NAMES.retried, 'Failed attempts scheduled for a retry.');
    this.deadLettered = counter(METRIC_NAMES.deadLettered, 'Messages copied to the DLQ (final failure or invalid payload).');
    this.released = counter(METRIC_NAMES.released, 'Messages released unfinished because the worker was stopping.');
    this.running = new Gauge({
      name: METRIC_NAMES.running,
      help: 'Handlers running now.',
      labelNames: ['job'] as const,
      registers: [this.registry],
    });
    this.duration = new Histogram({
      name: METRIC_NAMES.handlerDuration,
      help: 'Handler run time in seconds, by outcome.',
      labelNames: ['job', 'outcome'] as const,
      buckets: [...HANDLER_DURATION_BUCKETS],
      registers: [this.registry],
    });
    this.enqueueRequests = new Counter({
      name: METRIC_NAMES.enqueueRequests,
      help: 'Enqueue requests by job and HTTP status code.',
      labelNames: ['job', 'status'] as const,
      registers: [this.registry],
    });
    for (const job of options.jobNames ?? []) this.initialiseJob(job);
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  metricsText(): Promise<string> {
    return this.registry.metrics();
  }

  jobStarted(event: JobStartedEvent): void {
    const job = event.job.name;
    const key = startKey(job, event.messageId, event.attempt);
    this.openStarts.set(key, (this.openStarts.get(key) ?? 0) + 1);
    this.started.inc({ job });
    this.running.inc({ job });
  }

  jobSettled(event: JobSettledEvent): void {
    const job = event.job.name;
    const { outcome } = event;
    const key = startKey(job, outcome.messageId, outcome.attempt);
    const open = this.openStarts.get(key) ?? 0;
    if (open > 0) {
      if (open === 1) this.openStarts.delete(key);
      else this.openStarts.set(key, open - 1);
      this.running.dec({ job });
    }
    switch (outcome.status) {
      case 'succeeded':
        this.succeeded.inc({ job });
        break;
      case 'retrying':
        this.failed.inc({ job });
        this.retried.inc({ job });
        break;
      case 'dead-lettered':
        this.failed.inc({ job });
        this.deadLettered.inc({ job });
        break;
      case 'released':
        this.released.inc({ job });
        return;
    }
    // prom-client throws on a non-finite observation, and an event handler must not throw.
    if (outcome.durationMs !== undefined && Number.isFinite(outcome.durationMs) && outcome.durationMs >= 0) {
      this.duration.observe({ job, outcome: outcome.status }, outcome.durationMs / 1000);
    }
  }

  /** Called by the enqueue route once per request; `count` is the number of jobs it carried. */
  recordEnqueue(job: string, httpStatus: number, count = 1): void {
    // prom-client throws on a negative or non-finite increment; a metric must never fail the request.
    if (!Number.isFinite(count) || count < 0) return;
    this.enqueueRequests.inc({ job, status: String(httpStatus) }, count);
  }

  /**
   * Reports each queue's and DLQ's depth on every scrape (GetQueueAttributes, all in parallel,
   * bounded by `timeoutMs`, default 2000). A queue that cannot be read loses its series and
   * increments `queue_scrape_errors_total`. Later calls add jobs (or replace a job's queues).
   */
  watchQueues(sqs: SQSClient, queues: readonly JobQueues[], options: WatchQueuesOptions = {}): void {
    this.queueDepths ??= new QueueDepthCollector(this.registry, METRIC_PREFIX);
    this.queueDepths.watch(sqs, queues, options);
  }

  private initialiseJob(job: string): void {
    for (const counter of [this.started, this.succeeded, this.failed, this.retried, this.deadLettered, this.released]) {
      counter.inc({ job }, 0);
    }
    this.running.set({ job }, 0);
  }
}

function startKey(job: string, messageId: string, attempt: number): string {
  return `${job}\n${messageId}\n${attempt}`;
}
