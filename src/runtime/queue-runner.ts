import { ChangeMessageVisibilityBatchCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import type { AnyJob } from '../jobs/define-job';
import type { Enqueue } from '../jobs/job-context';
import { jobIdOf } from '../jobs/message-attributes';
import type { Logger } from '../observability/logger';
import type { JobQueues } from '../queues/provisioning';
import { DeleteBatcher } from './delete-batcher';
import { defaultHeartbeatIntervalMs, type Heartbeat, startHeartbeat } from './heartbeat';
import type { JobEvents } from './job-events';
import { type JobOutcome, processMessage, shouldDelete } from './process-message';

export interface JobCounters {
  received: number;
  succeeded: number;
  retrying: number;
  deadLettered: number;
  released: number;
  running: number;
  waiting: number;
}

export interface QueueRunnerOptions {
  sqs: SQSClient;
  job: AnyJob;
  queues: JobQueues;
  logger: Logger;
  concurrency: number;
  enqueue: Enqueue;
  /** Fires at the shutdown deadline: running handlers are interrupted and their messages released. */
  stopSignal: AbortSignal;
  heartbeatIntervalMs?: number;
  random?: () => number;
  events?: JobEvents;
}

interface WaitingMessage {
  message: Message;
  heartbeat: Heartbeat;
}

/**
 * Runs one job's messages with at most `concurrency` handlers at once. Pollers hand over whole
 * receive batches and go straight back to polling once there is a free slot, so one slow job never
 * holds up the rest of its batch. Messages beyond the free slots wait here with their visibility
 * kept alive by a heartbeat; on shutdown they are released at once for other workers.
 */
export class QueueRunner {
  private readonly waiting: WaitingMessage[] = [];
  private readonly running = new Set<Promise<void>>();
  private readonly capacityWaiters: (() => void)[] = [];
  private readonly deletes: DeleteBatcher;
  private accepting = true;
  readonly counters: JobCounters = { received: 0, succeeded: 0, retrying: 0, deadLettered: 0, released: 0, running: 0, waiting: 0 };

  constructor(private readonly options: QueueRunnerOptions) {
    this.deletes = new DeleteBatcher(options.sqs, options.queues.queue, options.logger);
  }

  /** Resolves when a poll may bring more work: a slot is free, or the runner is stopping. */
  waitForCapacity(): Promise<void> {
    if (!this.accepting || this.held() < this.options.concurrency) return Promise.resolve();
    return new Promise((resolve) => this.capacityWaiters.push(resolve));
  }

  /** Takes a received batch; messages that arrive after stop() began are released unstarted. */
  accept(messages: Message[]): void {
    if (!this.accepting) {
      // Tracked with the running jobs so drained() waits for the release too.
      const release = this.release(messages).finally(() => this.running.delete(release));
      this.running.add(release);
      return;
    }
    this.counters.received += messages.length;
    for (const message of messages) {
      this.waiting.push({ message, heartbeat: this.keepHidden(message) });
    }
    this.dispatch();
  }

  /** Stops taking work and releases waiting messages; running jobs continue. */
  stopAccepting(): Promise<void> {
    this.accepting = false;
    this.notifyCapacity();
    const unstarted = this.waiting.splice(0);
    for (const entry of unstarted) entry.heartbeat.stop();
    return this.release(unstarted.map((entry) => entry.message));
  }

  /** Resolves when running jobs have settled and their deletes were sent, or after `timeoutMs`. */
  async drained(timeoutMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
    const settled = Promise.allSettled([...this.running]).then(async () => {
      await this.deletes.close();
      return true;
    });
    const result = await Promise.race([settled, timeout]);
    clearTimeout(timer);
    return result;
  }

  private held(): number {
    return this.running.size + this.waiting.length;
  }

  private dispatch(): void {
    while (this.accepting && this.running.size < this.options.concurrency && this.waiting.length > 0) {
      const next = this.waiting.shift();
      if (!next) break;
      next.heartbeat.stop();
      const run = this.run(next.message).finally(() => {
        this.running.delete(run);
        this.dispatch();
        this.notifyCapacity();
      });
      this.running.add(run);
    }
    this.counters.running = this.running.size;
    this.counters.waiting = this.waiting.length;
  }

  private async run(message: Message): Promise<void> {
    const { job, logger } = this.options;
    let outcome: JobOutcome;
    try {
      outcome = await processMessage(job, message, {
        sqs: this.options.sqs,
        queues: this.options.queues,
        logger,
        enqueue: this.options.enqueue,
        stopSignal: this.options.stopSignal,
        random: this.options.random,
        heartbeatIntervalMs: this.options.heartbeatIntervalMs,
        events: this.options.events,
      });
    } catch (error) {
      logger.error({ err: error, job: job.name, jobId: jobIdOf(message) }, 'unexpected runtime error; message left for redelivery');
      return;
    }
    if (shouldDelete(outcome)) await this.deletes.delete(message);
    countOutcome(this.counters, outcome);
  }

  private keepHidden(message: Message): Heartbeat {
    const visibility = this.options.job.visibilityTimeoutSeconds;
    return startHeartbeat({
      sqs: this.options.sqs,
      queueUrl: this.options.queues.queue.url,
      receiptHandle: message.ReceiptHandle ?? '',
      visibilityTimeoutSeconds: visibility,
      intervalMs: this.options.heartbeatIntervalMs ?? defaultHeartbeatIntervalMs(visibility),
      logger: this.options.logger,
    });
  }

  private notifyCapacity(): void {
    if (this.accepting && this.held() >= this.options.concurrency) return;
    for (const resolve of this.capacityWaiters.splice(0)) resolve();
  }

  private async release(messages: Message[]): Promise<void> {
    if (messages.length === 0) return;
    const { sqs, queues, logger } = this.options;
    for (let start = 0; start < messages.length; start += 10) {
      const entries = messages
        .slice(start, start + 10)
        .map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle, VisibilityTimeout: 0 }));
      try {
        await sqs.send(new ChangeMessageVisibilityBatchCommand({ QueueUrl: queues.queue.url, Entries: entries }));
      } catch (error) {
        logger.warn({ err: error }, 'could not release unstarted messages; they reappear after the visibility timeout');
      }
    }
    this.counters.released += messages.length;
    this.counters.waiting = this.waiting.length;
    logger.info({ queue: queues.queue.name, count: messages.length }, 'released unstarted messages');
  }
}

function countOutcome(counters: JobCounters, outcome: JobOutcome): void {
  if (outcome.status === 'succeeded') counters.succeeded += 1;
  else if (outcome.status === 'retrying') counters.retrying += 1;
  else if (outcome.status === 'dead-lettered') counters.deadLettered += 1;
  else counters.released += 1;
}
