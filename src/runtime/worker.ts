import { setMaxListeners } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { Consumer } from 'sqs-consumer';
import type { AnyJob } from '../jobs/define-job';
import { createEnqueue } from '../jobs/enqueue';
import type { Logger } from '../observability/logger';
import type { QueueDirectory } from '../queues/provisioning';
import type { JobEvents } from './job-events';
import { type JobCounters, QueueRunner } from './queue-runner';

export type { JobCounters } from './queue-runner';

export interface WorkerOptions {
  sqs: SQSClient;
  jobs: readonly AnyJob[];
  directory: QueueDirectory;
  logger: Logger;
  /** Jobs run at once per queue in this process; default: each job's `concurrency` (10). */
  concurrency?: number;
  /** Long-poll duration of each ReceiveMessage, 0–20 s. Default 20. */
  waitTimeSeconds?: number;
  /** How long stop() lets running jobs finish before interrupting and releasing them. Default 30. */
  shutdownTimeoutSeconds?: number;
  heartbeatIntervalMs?: number;
  random?: () => number;
  /** Observers of every job (metrics, job-status store). */
  events?: JobEvents;
}

/** SQS returns at most 10 messages per receive; more concurrency means more pollers. */
export const MAX_BATCH_SIZE = 10;
/** After the deadline, interrupted handlers get this long to notice their AbortSignal. */
const FORCED_STOP_GRACE_MS = 5_000;
const MAX_POLL_ERROR_BACKOFF_MS = 30_000;

/** Splits a queue's concurrency into poller batch sizes: 25 → [10, 10, 5]. */
export function pollerBatchSizes(concurrency: number): number[] {
  const sizes: number[] = [];
  for (let remaining = concurrency; remaining > 0; remaining -= MAX_BATCH_SIZE) {
    sizes.push(Math.min(MAX_BATCH_SIZE, remaining));
  }
  return sizes;
}

/**
 * Runs every given job from its own queue. Each queue gets ceil(concurrency / 10) sqs-consumer
 * pollers feeding one QueueRunner, which caps running handlers at the concurrency; a poller only
 * receives again when the runner has a free slot.
 */
export class Worker {
  private readonly consumers: Consumer[] = [];
  private readonly runners = new Map<string, QueueRunner>();
  private readonly forceStop = new AbortController();
  private readonly polls = new PollTracker();
  private stopping = false;
  private stopped: Promise<void> | undefined;

  constructor(private readonly options: WorkerOptions) {
    // Every running job listens on this signal: concurrency above 10 is not a listener leak.
    setMaxListeners(0, this.forceStop.signal);
  }

  start(): void {
    if (this.runners.size > 0) throw new Error('worker already started');
    const enqueue = createEnqueue(this.options.sqs, this.options.directory);
    for (const job of this.options.jobs) {
      const queues = this.options.directory.get(job.name);
      const concurrency = this.options.concurrency ?? job.concurrency;
      const runner = new QueueRunner({
        sqs: this.options.sqs,
        job,
        queues,
        logger: this.options.logger,
        concurrency,
        enqueue,
        stopSignal: this.forceStop.signal,
        heartbeatIntervalMs: this.options.heartbeatIntervalMs,
        random: this.options.random,
        events: this.options.events,
      });
      this.runners.set(job.name, runner);
      for (const batchSize of pollerBatchSizes(concurrency)) {
        this.consumers.push(this.createPoller(runner, queues.queue.url, queues.queue.name, batchSize));
      }
      this.options.logger.info({ job: job.name, queue: queues.queue.name, concurrency }, 'polling queue');
    }
    for (const consumer of this.consumers) consumer.start();
  }

  /** Counters per job name since start. */
  stats(): Record<string, JobCounters> {
    return Object.fromEntries([...this.runners].map(([name, runner]) => [name, { ...runner.counters }]));
  }

  /**
   * Stops polling, releases received-but-unstarted messages at once, lets running jobs finish until
   * the shutdown deadline, then interrupts the rest and releases their messages. Idempotent.
   */
  stop(): Promise<void> {
    this.stopped ??= this.drain();
    return this.stopped;
  }

  private async drain(): Promise<void> {
    const logger = this.options.logger;
    this.stopping = true;
    // No abort: SQS (and emulators) may still hand messages to an abandoned long poll, leaving them
    // invisible for a whole visibility timeout. A poll in flight ends within waitTimeSeconds and
    // whatever it brings is released by the runner.
    for (const consumer of this.consumers) consumer.stop();
    const runners = [...this.runners.values()];
    await Promise.all(runners.map((runner) => runner.stopAccepting()));
    const deadlineMs = (this.options.shutdownTimeoutSeconds ?? 30) * 1000;
    const running = runners.reduce((sum, runner) => sum + runner.counters.running, 0);
    logger.info({ running, deadlineMs }, 'worker stopping: polling stopped, finishing running jobs');
    const pollsEnded = this.polls.settled(((this.options.waitTimeSeconds ?? 20) + 5) * 1000);
    const [drained] = await Promise.all([allDrained(runners, deadlineMs), pollsEnded]);
    if (!drained || !(await allDrained(runners, FORCED_STOP_GRACE_MS))) {
      logger.warn('shutdown deadline reached: interrupting running jobs and releasing their messages');
      this.forceStop.abort();
      if (!(await allDrained(runners, FORCED_STOP_GRACE_MS))) {
        logger.error('some jobs did not settle; their messages reappear after the visibility timeout');
      }
    }
    logger.info({ stats: this.stats() }, 'worker stopped');
  }

  private createPoller(runner: QueueRunner, queueUrl: string, queueName: string, batchSize: number): Consumer {
    let consecutiveErrors = 0;
    const consumer = Consumer.create({
      queueUrl,
      sqs: this.options.sqs,
      batchSize,
      waitTimeSeconds: this.options.waitTimeSeconds ?? 20,
      pollingWaitTimeMs: 0,
      attributeNames: ['All'],
      messageAttributeNames: ['All'],
      // Hands the batch over and returns at once; the runner deletes what finished.
      handleMessageBatch: (messages) => {
        runner.accept(messages);
        return Promise.resolve([]);
      },
      preReceiveMessageCallback: async () => {
        // sqs-consumer re-polls at once after most errors; back off so a down endpoint is not hammered.
        if (consecutiveErrors > 0) {
          const delayMs = Math.min(MAX_POLL_ERROR_BACKOFF_MS, 250 * 2 ** consecutiveErrors);
          await sleep(delayMs, undefined, { signal: this.forceStop.signal }).catch(() => undefined);
        }
        await runner.waitForCapacity();
        // sqs-consumer does not re-check `stopped` between this callback and the receive.
        if (this.stopping) throw new PollCancelled();
        this.polls.begin(consumer);
      },
    });
    const pollEnded = () => {
      this.polls.end(consumer);
    };
    consumer.on('empty', () => {
      consecutiveErrors = 0;
      pollEnded();
    });
    consumer.on('response_processed', () => {
      consecutiveErrors = 0;
      pollEnded();
    });
    consumer.on('error', (error) => {
      pollEnded();
      if (this.stopping) return;
      consecutiveErrors += 1;
      this.options.logger.warn({ err: error, queue: queueName, consecutiveErrors }, 'polling failed; backing off');
    });
    return consumer;
  }
}

class PollCancelled extends Error {
  constructor() {
    super('worker stopping; poll cancelled');
    this.name = 'PollCancelled';
  }
}

/** Which pollers have a ReceiveMessage in flight, so stop() can wait for those to come back. */
class PollTracker {
  private readonly active = new Map<Consumer, () => void>();
  private readonly ended = new Map<Consumer, Promise<void>>();

  begin(consumer: Consumer): void {
    this.ended.set(consumer, new Promise((resolve) => this.active.set(consumer, resolve)));
  }

  end(consumer: Consumer): void {
    this.active.get(consumer)?.();
    this.active.delete(consumer);
    this.ended.delete(consumer);
  }

  async settled(timeoutMs: number): Promise<void> {
    await Promise.race([Promise.all([...this.ended.values()]), sleep(timeoutMs, undefined, { ref: false })]);
  }
}

async function allDrained(runners: QueueRunner[], timeoutMs: number): Promise<boolean> {
  const results = await Promise.all(runners.map((runner) => runner.drained(timeoutMs)));
  return results.every(Boolean);
}
