import { DeleteMessageBatchCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import type { Logger } from '../observability/logger';
import type { QueueRef } from '../queues/provisioning';

const MAX_ENTRIES = 10;
/** Long enough to gather the completions of one busy moment, short enough not to delay redelivery math. */
const FLUSH_DELAY_MS = 10;

/**
 * Deletes finished messages with DeleteMessageBatch: a flush happens at 10 entries or 10 ms after
 * the first pending one. A failed delete is logged; SQS then redelivers (at-least-once).
 */
export class DeleteBatcher {
  private pending: { message: Message; done: () => void }[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly flushes = new Set<Promise<void>>();

  constructor(
    private readonly sqs: SQSClient,
    private readonly queue: QueueRef,
    private readonly logger: Logger,
  ) {}

  /** Resolves once the delete request for this message has completed (or failed and been logged). */
  delete(message: Message): Promise<void> {
    return new Promise((resolve) => {
      this.pending.push({ message, done: resolve });
      if (this.pending.length >= MAX_ENTRIES) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), FLUSH_DELAY_MS);
    });
  }

  /** Sends everything pending and waits for all requests in flight. */
  async close(): Promise<void> {
    this.flush();
    await Promise.all([...this.flushes]);
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending.splice(0, MAX_ENTRIES);
    if (this.pending.length > 0) this.timer = setTimeout(() => this.flush(), 0);
    if (batch.length === 0) return;
    const request = this.send(batch.map((entry) => entry.message)).finally(() => {
      for (const entry of batch) entry.done();
      this.flushes.delete(request);
    });
    this.flushes.add(request);
  }

  private async send(messages: Message[]): Promise<void> {
    const entries = messages.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle }));
    try {
      const result = await this.sqs.send(new DeleteMessageBatchCommand({ QueueUrl: this.queue.url, Entries: entries }));
      for (const failure of result.Failed ?? []) {
        this.logger.error({ queue: this.queue.name, failure }, 'delete failed; the job will run again');
      }
    } catch (error) {
      this.logger.error({ err: error, queue: this.queue.name, count: messages.length }, 'delete failed; these jobs will run again');
    }
  }
}
