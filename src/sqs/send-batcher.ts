import { type MessageAttributeValue, SendMessageBatchCommand, type SendMessageBatchRequestEntry, type SQSClient } from '@aws-sdk/client-sqs';
import { MAX_MESSAGE_BYTES } from '../jobs/message-attributes';

/** SendMessageBatch takes at most 10 entries, and at most the message size limit in all. */
const MAX_ENTRIES = 10;

export interface OutgoingMessage {
  body: string;
  delaySeconds: number;
  attributes: Record<string, MessageAttributeValue>;
}

/** SQS refused one entry of a batch whose other entries may have been stored. */
export class SendEntryFailedError extends Error {
  constructor(
    readonly code: string,
    message: string,
    /** false: SQS's own fault (e.g. InternalError), safe to retry. */
    readonly senderFault: boolean,
  ) {
    super(`SQS did not store the message (${code}): ${message}`);
    this.name = 'SendEntryFailedError';
  }
}

interface PendingSend {
  message: OutgoingMessage;
  resolve: (messageId: string) => void;
  reject: (error: unknown) => void;
}

interface QueueLane {
  /** Entries gathered for the next request. */
  open: PendingSend[];
  openBytes: number;
  /** Requests of this queue that have not returned yet. */
  inFlight: number;
}

export interface SendBatcherOptions {
  /** Upper bound of one request's total message bytes (SQS's limit by default). */
  maxBatchBytes?: number;
  /**
   * Requests per queue in flight before a partly filled batch waits for one of them to return.
   * Full batches never wait. Below this, a lone message leaves at once; above it, a busy or
   * slow endpoint makes batches fill up instead of requests pile up.
   */
  maxPartialInFlight?: number;
}

const DEFAULT_MAX_PARTIAL_IN_FLIGHT = 4;

/**
 * Gathers the single sends of concurrent callers into SendMessageBatch requests, per queue. A
 * batch leaves when it holds 10 entries, when the next message would take it past the size limit,
 * or at the end of the current event-loop turn while few requests are in flight: a lone request
 * waits for nothing, while requests that arrive together, or while the endpoint is busy, share
 * one round trip. Each caller's promise settles with its own entry's result, so a caller that
 * resolved knows SQS stored its message.
 */
export class SendBatcher {
  private readonly lanes = new Map<string, QueueLane>();
  private readonly requests = new Set<Promise<void>>();
  private flushScheduled = false;
  private readonly maxBatchBytes: number;
  private readonly maxPartialInFlight: number;

  constructor(
    private readonly sqs: SQSClient,
    options: SendBatcherOptions = {},
  ) {
    this.maxBatchBytes = options.maxBatchBytes ?? MAX_MESSAGE_BYTES;
    this.maxPartialInFlight = options.maxPartialInFlight ?? DEFAULT_MAX_PARTIAL_IN_FLIGHT;
  }

  /** Resolves with the SQS message id once SQS confirmed it stored this message. */
  send(queueUrl: string, message: OutgoingMessage): Promise<string> {
    return new Promise((resolve, reject) => {
      const bytes = messageBytes(message);
      const lane = this.laneOf(queueUrl);
      if (lane.open.length > 0 && lane.openBytes + bytes > this.maxBatchBytes) this.dispatch(queueUrl, lane);
      lane.open.push({ message, resolve, reject });
      lane.openBytes += bytes;
      if (lane.open.length >= MAX_ENTRIES) this.dispatch(queueUrl, lane);
      else this.scheduleFlush();
    });
  }

  /** Sends whatever is gathered and waits until every request has returned. */
  async close(): Promise<void> {
    while (this.requests.size > 0 || [...this.lanes.values()].some((lane) => lane.open.length > 0)) {
      for (const [queueUrl, lane] of this.lanes) if (lane.open.length > 0) this.dispatch(queueUrl, lane);
      await Promise.allSettled([...this.requests]);
    }
  }

  private laneOf(queueUrl: string): QueueLane {
    let lane = this.lanes.get(queueUrl);
    if (!lane) {
      lane = { open: [], openBytes: 0, inFlight: 0 };
      this.lanes.set(queueUrl, lane);
    }
    return lane;
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    // setImmediate runs after the I/O callbacks of this turn: every request parsed in it joins.
    setImmediate(() => {
      this.flushScheduled = false;
      for (const [queueUrl, lane] of this.lanes) this.flushPartial(queueUrl, lane);
    });
  }

  private flushPartial(queueUrl: string, lane: QueueLane): void {
    if (lane.open.length > 0 && lane.inFlight < this.maxPartialInFlight) this.dispatch(queueUrl, lane);
  }

  private dispatch(queueUrl: string, lane: QueueLane): void {
    const sends = lane.open;
    lane.open = [];
    lane.openBytes = 0;
    lane.inFlight += 1;
    const request = this.sendBatch(queueUrl, sends).finally(() => {
      lane.inFlight -= 1;
      this.requests.delete(request);
      if (lane.inFlight === 0 && lane.open.length === 0 && this.lanes.get(queueUrl) === lane) this.lanes.delete(queueUrl);
      else this.flushPartial(queueUrl, lane);
    });
    this.requests.add(request);
  }

  private async sendBatch(queueUrl: string, sends: PendingSend[]): Promise<void> {
    const entries = sends.map(({ message }, index): SendMessageBatchRequestEntry => ({
      Id: String(index),
      MessageBody: message.body,
      DelaySeconds: message.delaySeconds,
      MessageAttributes: message.attributes,
    }));
    let response;
    try {
      response = await this.sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }));
    } catch (error) {
      for (const send of sends) send.reject(error);
      return;
    }
    const stored = new Map((response.Successful ?? []).map((entry) => [entry.Id, entry.MessageId]));
    const failed = new Map((response.Failed ?? []).map((entry) => [entry.Id, entry]));
    sends.forEach((send, index) => {
      const messageId = stored.get(String(index));
      if (messageId) {
        send.resolve(messageId);
        return;
      }
      const failure = failed.get(String(index));
      send.reject(
        new SendEntryFailedError(failure?.Code ?? 'unconfirmed', failure?.Message ?? 'SendMessageBatch did not report this entry', failure?.SenderFault ?? false),
      );
    });
  }
}

/** What SQS counts against the size limit: the body plus each attribute's name, type and value. */
function messageBytes(message: OutgoingMessage): number {
  let bytes = Buffer.byteLength(message.body);
  for (const [name, value] of Object.entries(message.attributes)) {
    bytes += Buffer.byteLength(name) + Buffer.byteLength(value.DataType ?? '') + Buffer.byteLength(value.StringValue ?? '');
    bytes += value.BinaryValue?.byteLength ?? 0;
  }
  return bytes;
}
