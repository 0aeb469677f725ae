import type { SQSClient } from '@aws-sdk/client-sqs';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { JobQueues } from '../queues/provisioning';
import { DEPTH_ATTRIBUTES, readQueueDepths } from '../sqs/queue-depths';

export const DEFAULT_QUEUE_SCRAPE_TIMEOUT_MS = 2000;

export interface WatchQueuesOptions {
  /** Upper bound for one scrape's SQS calls; a dead endpoint must never hang a Prometheus scrape. */
  timeoutMs?: number;
}

type QueueKind = 'main' | 'dlq';

interface QueueTarget {
  sqs: SQSClient;
  job: string;
  queue: QueueKind;
  url: string;
}

/**
 * Reports queue depths by asking SQS on every scrape, so the numbers are as fresh as the scrape
 * and nothing polls SQS when nobody is looking.
 */
export class QueueDepthCollector {
  private readonly targets = new Map<string, QueueTarget>();
  private readonly depths: Gauge<'job' | 'queue' | 'state'>;
  private readonly errors: Counter<'job'>;
  private timeoutMs = DEFAULT_QUEUE_SCRAPE_TIMEOUT_MS;
  private inFlight: Promise<void> | undefined;

  constructor(registry: Registry, prefix: string) {
    // The registry reads its metrics concurrently, so the error counter also waits for the
    // refresh; otherwise it would report the errors of the previous scrape.
    const refresh = (): Promise<void> => this.refresh();
    this.depths = new Gauge({
      name: `${prefix}queue_messages`,
      help: 'Approximate messages per job queue and DLQ, read from SQS at scrape time.',
      labelNames: ['job', 'queue', 'state'] as const,
      registers: [registry],
      collect: refresh,
    });
    this.errors = new Counter({
      name: `${prefix}queue_scrape_errors_total`,
      help: 'GetQueueAttributes calls that failed or timed out during a scrape (main queue and DLQ count separately).',
      labelNames: ['job'] as const,
      registers: [registry],
      collect: refresh,
    });
  }

  /** Adds the queues to report; a later call for the same job replaces its queues. */
  watch(sqs: SQSClient, queues: readonly JobQueues[], options: WatchQueuesOptions = {}): void {
    if (options.timeoutMs !== undefined) this.timeoutMs = options.timeoutMs;
    for (const entry of queues) {
      this.targets.set(`main:${entry.jobName}`, { sqs, job: entry.jobName, queue: 'main', url: entry.queue.url });
      this.targets.set(`dlq:${entry.jobName}`, { sqs, job: entry.jobName, queue: 'dlq', url: entry.dlq.url });
      // A zero series from the start lets rate()/increase() see the first error.
      this.errors.inc({ job: entry.jobName }, 0);
    }
  }

  /** One round of SQS calls per scrape; overlapping scrapes share it. */
  private refresh(): Promise<void> {
    this.inFlight ??= this.readAll().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  private async readAll(): Promise<void> {
    const list = [...this.targets.values()];
    const timeoutMs = this.timeoutMs;
    const results = await Promise.all(list.map((target) => readQueueDepths(target.sqs, target.url, timeoutMs).catch(() => undefined)));
    // Reset and refill in one synchronous step: a failed queue loses its series instead of
    // reporting the last good (stale) value, and a concurrent read never sees half a refill.
    this.depths.reset();
    list.forEach((target, index) => {
      const depths = results[index];
      if (depths === undefined) {
        this.errors.inc({ job: target.job });
        return;
      }
      for (const [state] of DEPTH_ATTRIBUTES) {
        this.depths.set({ job: target.job, queue: target.queue, state }, depths[state]);
      }
    });
  }
}
