import { setTimeout as sleep } from 'node:timers/promises';
import { ChangeMessageVisibilityBatchCommand, DeleteMessageBatchCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import { Consumer } from 'sqs-consumer';
import type { AnyJob } from '../jobs/define-job';
import { createEnqueue } from '../jobs/enqueue';
import { jobIdOf } from '../jobs/message-attributes';
import type { Logger } from '../observability/logger';
import type { JobQueues, QueueDirectory } from '../queues/provisioning';
import { type JobOutcome, processMessage, shouldDelete } from './process-message';

export interface WorkerOptions {
  sqs: SQSClient;
  jobs: readonly AnyJob[];
  directory: QueueDirectory;
  logger: Logger;
  /** Jobs run at once per queue in this process; default: each job's `concurrency` (10). */
  concurrency?: number;
  /** Long-poll duration of each ReceiveMessage, 0–20 s. Default 20. */
  waitTimeSeconds?: number;
  /** How long stop() lets in-flight jobs finish before interrupting and releasing them. Default 30. */
  shutdownTimeoutSeconds?: number;
  heartbeatIntervalMs?: number;
  random?: () => number;
}

export interface JobCounters {
  received: number;
  succeeded: number;
  retrying: number;
  deadLettered: number;
  released: number;
  inFlight: number;
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
 * pollers; a poller runs its batch concurrently through processMessage, deletes finished messages
 * with one DeleteMessageBatch, then polls again.
 */
export class Worker {
  private readonly consumers: Consumer[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private readonly forceStop = new AbortController();
  private readonly counters = new Map<string, JobCounters>();
  private stopping = false;
  private stopped: Promise<void> | undefined;

  constructor(private readonly options: WorkerOptions) {}

  start(): void {
    if (this.consumers.length > 0) throw new Error('worker already started');
    for (const job of this.options.jobs) {
      const queues = this.options.directory.get(job.name);
      const concurrency = this.options.concurrency ?? job.concurrency;
      this.counters.set(job.name, { received: 0, succeeded: 0, retrying: 0, deadLettered: 0, released: 0, inFlight: 0 });
      for (const batchSize of pollerBatchSizes(concurrency)) {
        this.consumers.push(this.createPoller(job, queues, batchSize));
      }
      this.options.logger.info({ job: job.name, queue: queues.queue.name, concurrency }, 'polling queue');
    }
    for (const consumer of this.consumers) consumer.start();
  }

  /** Counters per job name since start. */
  stats(): Record<string, JobCounters> {
    return Object.fromEntries([...this.counters].map(([name, counters]) => [name, { ...counters }]));
  }

  /**
   * Stops polling, lets in-flight jobs finish until the shutdown deadline, then interrupts the
   * rest and makes their messages visible again. Safe to call more than once.
   */
  stop(): Promise<void> {
    this.stopped ??= this.drain();
    return this.stopped;
  }

  private async drain(): Promise<void> {
    const logger = this.options.logger;
    this.stopping = true;
    for (const consumer of this.consumers) consumer.stop({ abort: true });
    const deadlineMs = (this.options.shutdownTimeoutSeconds ?? 30) * 1000;
    logger.info({ inFlightBatches: this.inFlight.size, deadlineMs }, 'worker stopping: polling stopped, finishing in-flight jobs');
    if (!(await this.settleInFlight(deadlineMs))) {
      logger.warn('shutdown deadline reached: interrupting in-flight jobs and releasing their messages');
      this.forceStop.abort();
      if (!(await this.settleInFlight(FORCED_STOP_GRACE_MS))) {
        logger.error('some jobs did not settle; their messages reappear after the visibility timeout');
      }
    }
    logger.info({ stats: this.stats() }, 'worker stopped');
  }

  private async settleInFlight(timeoutMs: number): Promise<boolean> {
    const all = Promise.allSettled([...this.inFlight]).then(() => true);
    const timeout = sleep(timeoutMs, false, { ref: false });
    return Promise.race([all, timeout]);
  }

  private createPoller(job: AnyJob, queues: JobQueues, batchSize: number): Consumer {
    let consecutiveErrors = 0;
    const consumer = Consumer.create({
      queueUrl: queues.queue.url,
      sqs: this.options.sqs,
      batchSize,
      waitTimeSeconds: this.options.waitTimeSeconds ?? 20,
      pollingWaitTimeMs: 0,
      attributeNames: ['All'],
      messageAttributeNames: ['All'],
      handleMessageBatch: (messages) => this.track(this.handleBatch(job, queues, messages)),
      // sqs-consumer re-polls at once after most errors; back off so an unreachable endpoint is not hammered.
      preReceiveMessageCallback: async () => {
        if (consecutiveErrors === 0) return;
        const delayMs = Math.min(MAX_POLL_ERROR_BACKOFF_MS, 250 * 2 ** consecutiveErrors);
        await sleep(delayMs, undefined, { signal: this.forceStop.signal }).catch(() => undefined);
      },
    });
    const reset = () => {
      consecutiveErrors = 0;
    };
    consumer.on('empty', reset);
    consumer.on('response_processed', reset);
    consumer.on('error', (error) => {
      // stop() aborts the long poll on purpose.
      if (this.stopping) return;
      consecutiveErrors += 1;
      this.options.logger.warn({ err: error, queue: queues.queue.name, consecutiveErrors }, 'polling failed; backing off');
    });
    return consumer;
  }

  private track<T>(work: Promise<T>): Promise<T> {
    const settled = work.then(() => undefined, () => undefined);
    this.inFlight.add(settled);
    void settled.finally(() => this.inFlight.delete(settled));
    return work;
  }

  /** Returns no messages: deletes are done here so stop() can wait for them. */
  private async handleBatch(job: AnyJob, queues: JobQueues, messages: Message[]): Promise<Message[]> {
    const counters = this.counters.get(job.name);
    if (this.stopping) {
      // A receive that completed after stop() was called: these jobs never started.
      await this.release(queues, messages);
      if (counters) counters.released += messages.length;
      return [];
    }
    if (counters) {
      counters.received += messages.length;
      counters.inFlight += messages.length;
    }
    const deps = {
      sqs: this.options.sqs,
      queues,
      logger: this.options.logger,
      enqueue: createEnqueue(this.options.sqs, this.options.directory),
      stopSignal: this.forceStop.signal,
      random: this.options.random,
      heartbeatIntervalMs: this.options.heartbeatIntervalMs,
    };
    const outcomes = await Promise.all(
      messages.map((message) =>
        processMessage(job, message, deps).catch((error: unknown) => {
          this.options.logger.error({ err: error, job: job.name, jobId: jobIdOf(message) }, 'unexpected runtime error; message left for redelivery');
          return undefined;
        }),
      ),
    );
    if (counters) counters.inFlight -= messages.length;
    await this.deleteSettled(queues, messages, outcomes);
    if (counters) countOutcomes(counters, outcomes);
    return [];
  }

  private async deleteSettled(queues: JobQueues, messages: Message[], outcomes: (JobOutcome | undefined)[]): Promise<void> {
    const entries = messages
      .filter((_, index) => {
        const outcome = outcomes[index];
        return outcome !== undefined && shouldDelete(outcome);
      })
      .map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle }));
    if (entries.length === 0) return;
    try {
      const result = await this.options.sqs.send(new DeleteMessageBatchCommand({ QueueUrl: queues.queue.url, Entries: entries }));
      for (const failure of result.Failed ?? []) {
        this.options.logger.error({ queue: queues.queue.name, failure }, 'delete failed; the job will run again');
      }
    } catch (error) {
      this.options.logger.error({ err: error, queue: queues.queue.name }, 'delete failed; these jobs will run again');
    }
  }

  private async release(queues: JobQueues, messages: Message[]): Promise<void> {
    const entries = messages.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle, VisibilityTimeout: 0 }));
    try {
      await this.options.sqs.send(new ChangeMessageVisibilityBatchCommand({ QueueUrl: queues.queue.url, Entries: entries }));
      this.options.logger.info({ queue: queues.queue.name, count: messages.length }, 'released unstarted messages');
    } catch (error) {
      this.options.logger.warn({ err: error }, 'could not release unstarted messages; they reappear after the visibility timeout');
    }
  }
}

function countOutcomes(counters: JobCounters, outcomes: (JobOutcome | undefined)[]): void {
  for (const outcome of outcomes) {
    if (outcome?.status === 'succeeded') counters.succeeded += 1;
    else if (outcome?.status === 'retrying') counters.retrying += 1;
    else if (outcome?.status === 'dead-lettered') counters.deadLettered += 1;
    else if (outcome?.status === 'released') counters.released += 1;
  }
}
