import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type SendMessageBatchRequestEntry,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import {
  ATTR,
  copyableAttributes,
  jobIdOf,
  MAX_MESSAGE_ATTRIBUTES,
  type MessageAttributes,
  numberAttribute,
  readNumberAttribute,
  readStringAttribute,
  stringAttribute,
} from '../jobs/message-attributes';
import type { JobQueues } from '../queues/provisioning';
import { matchesFilters, type MessageFilter } from './message-filter';
import { TokenBucket } from './rate-limiter';

/** Set on every message a client-side redrive sends back (ISO time of the move). */
export const REDRIVEN_AT = 'redriven-at';

/** Written by the runtime when it dead-letters; meaningless once the job runs again. */
const ERROR_ATTRIBUTES: ReadonlySet<string> = new Set([ATTR.errorCode, ATTR.errorMessage, ATTR.attempts, ATTR.failedAt, ATTR.sourceQueue]);

/** Kept under SQS's 256 KiB batch limit (a single larger message still goes out alone). */
const MAX_BATCH_BYTES = 250 * 1024;

export interface RedriveCounts {
  /** Sent to the job's queue and deleted from the DLQ. */
  moved: number;
  /** Passed the filters and were selected (moved, failed, or listed by a dry run). */
  matched: number;
  /** Did not pass the filters; left in the DLQ. */
  skipped: number;
  /** Send or delete refused; left in the DLQ (after a failed delete, the job's queue has a copy too). */
  failed: number;
}

export interface DryRunEntry {
  jobId: string;
  messageId: string;
  errorCode?: string;
  errorMessage?: string;
  failedAt?: string;
}

export interface ClientSideOptions {
  dryRun?: boolean;
  limit?: number;
  filters?: readonly MessageFilter[];
  ratePerSecond?: number;
  /** Stops receiving; the batch in hand is finished, held messages are released. */
  signal?: AbortSignal;
  onProgress?: (counts: RedriveCounts) => void;
  /** How long a received message stays hidden if this process dies (default 60 s). */
  visibilityTimeoutSeconds?: number;
  /** Long poll per receive; > 0 so real SQS queries all its hosts before answering empty. */
  waitTimeSeconds?: number;
  now?: () => number;
}

export interface ClientSideResult extends RedriveCounts {
  interrupted: boolean;
  /** Dry run only: what would have moved. */
  wouldMove: DryRunEntry[];
}

interface Held {
  message: Message;
  heldAt: number;
}

/**
 * Receive → send to the job's queue → delete from the DLQ, one batch at a time. A message is
 * deleted only after its send succeeded, so a crash at any point loses nothing; what it can cause
 * is a duplicate of the batch in flight, with the same job id. Messages not moved (filtered out,
 * over the limit, dry run, failed) are kept hidden for the rest of the run so the scan ends, and
 * made visible again when it ends, however it ends.
 */
export async function redriveClientSide(sqs: SQSClient, queues: JobQueues, options: ClientSideOptions = {}): Promise<ClientSideResult> {
  const now = options.now ?? Date.now;
  const visibility = options.visibilityTimeoutSeconds ?? 60;
  const filters = options.filters ?? [];
  const bucket = options.ratePerSecond === undefined ? undefined : new TokenBucket(options.ratePerSecond, now);
  const counts: RedriveCounts = { moved: 0, matched: 0, skipped: 0, failed: 0 };
  const wouldMove: DryRunEntry[] = [];
  const held = new Map<string, Held>();
  const seen = new Set<string>();
  const hold = (message: Message) => held.set(message.MessageId ?? '', { message, heldAt: now() });
  const remaining = () => (options.limit === undefined ? Infinity : options.limit - counts.matched);
  const aborted = () => options.signal?.aborted === true;

  try {
    while (!aborted() && remaining() > 0) {
      await keepHidden(sqs, queues.dlq.url, held, visibility, now);
      const batch = await receive(sqs, queues.dlq.url, filters.length === 0 ? Math.min(10, remaining()) : 10, visibility, options.waitTimeSeconds ?? 1);
      const fresh: Message[] = [];
      for (const message of batch) {
        const id = message.MessageId ?? '';
        if (seen.has(id)) hold(message);
        else {
          seen.add(id);
          fresh.push(message);
        }
      }
      // Everything we could see is already decided: the scan is complete.
      if (fresh.length === 0) break;
      const selected: Message[] = [];
      for (const message of fresh) {
        if (!matchesFilters(message, filters, now())) {
          counts.skipped += 1;
          hold(message);
        } else if (selected.length >= remaining()) {
          hold(message);
        } else {
          selected.push(message);
        }
      }
      if (options.dryRun) {
        counts.matched += selected.length;
        for (const message of selected) {
          wouldMove.push(describe(message));
          hold(message);
        }
      } else if (selected.length > 0) {
        try {
          await bucket?.take(selected.length, options.signal);
        } catch {
          // Interrupted while waiting for the rate: nothing was sent, so these simply go back.
          selected.forEach(hold);
          break;
        }
        counts.matched += selected.length;
        await moveBatch(sqs, queues, selected, counts, hold, new Date(now()).toISOString());
      }
      options.onProgress?.({ ...counts });
    }
  } finally {
    await release(sqs, queues.dlq.url, [...held.values()].map((entry) => entry.message));
  }
  return { ...counts, interrupted: aborted(), wouldMove };
}

async function receive(sqs: SQSClient, url: string, max: number, visibility: number, waitSeconds: number): Promise<Message[]> {
  // Not aborted on Ctrl-C: a receive the client abandons may still hide messages for `visibility`.
  const result = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: url,
      MaxNumberOfMessages: max,
      VisibilityTimeout: visibility,
      WaitTimeSeconds: waitSeconds,
      MessageAttributeNames: ['All'],
      MessageSystemAttributeNames: ['All'],
    }),
  );
  return result.Messages ?? [];
}

async function moveBatch(
  sqs: SQSClient,
  queues: JobQueues,
  messages: readonly Message[],
  counts: RedriveCounts,
  hold: (message: Message) => void,
  redrivenAt: string,
): Promise<void> {
  const byId = new Map(messages.map((message, index) => [String(index), message]));
  const entries: SendMessageBatchRequestEntry[] = [...byId].map(([id, message]) => ({
    Id: id,
    MessageBody: message.Body ?? '',
    MessageAttributes: redrivenAttributes(message, redrivenAt),
  }));
  const sentIds: string[] = [];
  try {
    for (const chunk of chunkBySize(entries)) {
      const result = await sqs.send(new SendMessageBatchCommand({ QueueUrl: queues.queue.url, Entries: chunk }));
      for (const ok of result.Successful ?? []) if (ok.Id !== undefined) sentIds.push(ok.Id);
    }
  } catch (error) {
    // Unknown which entries SQS stored; releasing the DLQ copies risks a duplicate, never a loss.
    messages.forEach(hold);
    throw error;
  }
  const sent = new Set(sentIds);
  for (const [id, message] of byId) {
    if (!sent.has(id)) {
      counts.failed += 1;
      hold(message);
    }
  }
  if (sentIds.length === 0) return;
  const deleted = await sqs.send(
    new DeleteMessageBatchCommand({
      QueueUrl: queues.dlq.url,
      Entries: sentIds.map((id) => ({ Id: id, ReceiptHandle: byId.get(id)?.ReceiptHandle })),
    }),
  );
  const deletedIds = new Set((deleted.Successful ?? []).map((entry) => entry.Id));
  for (const id of sentIds) {
    if (deletedIds.has(id)) counts.moved += 1;
    else {
      counts.failed += 1;
      const message = byId.get(id);
      if (message) hold(message);
    }
  }
}

/**
 * The attributes of the redriven copy: the job's own (job-id first, always present so the job
 * keeps its id), no error attributes, `redrive-count` + 1 and `redriven-at`. SQS allows 10; when
 * the original had that many, `redriven-at` and then the last originals give way.
 */
export function redrivenAttributes(message: Message, redrivenAt: string): MessageAttributes {
  const previous = readNumberAttribute(message, ATTR.redriveCount) ?? 0;
  const required: MessageAttributes = {
    [ATTR.jobId]: stringAttribute(jobIdOf(message)),
    [ATTR.redriveCount]: numberAttribute(previous + 1),
  };
  const result: MessageAttributes = { ...required };
  for (const [name, value] of Object.entries(copyableAttributes(message))) {
    if (ERROR_ATTRIBUTES.has(name) || name in required || name === REDRIVEN_AT) continue;
    if (Object.keys(result).length < MAX_MESSAGE_ATTRIBUTES) result[name] = value;
  }
  if (Object.keys(result).length < MAX_MESSAGE_ATTRIBUTES) result[REDRIVEN_AT] = stringAttribute(redrivenAt);
  return result;
}

function describe(message: Message): DryRunEntry {
  return {
    jobId: jobIdOf(message),
    messageId: message.MessageId ?? '',
    errorCode: readStringAttribute(message, ATTR.errorCode),
    errorMessage: readStringAttribute(message, ATTR.errorMessage),
    failedAt: readStringAttribute(message, ATTR.failedAt),
  };
}

function entryBytes(entry: SendMessageBatchRequestEntry): number {
  let bytes = Buffer.byteLength(entry.MessageBody ?? '');
  for (const [name, value] of Object.entries(entry.MessageAttributes ?? {})) {
    bytes += Buffer.byteLength(name) + Buffer.byteLength(value.DataType ?? '');
    bytes += value.StringValue === undefined ? (value.BinaryValue?.byteLength ?? 0) : Buffer.byteLength(value.StringValue);
  }
  return bytes;
}

function chunkBySize(entries: readonly SendMessageBatchRequestEntry[]): SendMessageBatchRequestEntry[][] {
  const chunks: SendMessageBatchRequestEntry[][] = [];
  let current: SendMessageBatchRequestEntry[] = [];
  let size = 0;
  for (const entry of entries) {
    const bytes = entryBytes(entry);
    if (current.length > 0 && size + bytes > MAX_BATCH_BYTES) {
      chunks.push(current);
      current = [];
      size = 0;
    }
    current.push(entry);
    size += bytes;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/** Re-hides held messages before their visibility runs out, so they are not received twice. */
async function keepHidden(sqs: SQSClient, url: string, held: Map<string, Held>, visibility: number, now: () => number): Promise<void> {
  const due = [...held.values()].filter((entry) => now() - entry.heldAt >= (visibility * 1000) / 2);
  for (let start = 0; start < due.length; start += 10) {
    const chunk = due.slice(start, start + 10);
    await sqs.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: url,
        Entries: chunk.map((entry, index) => ({ Id: String(index), ReceiptHandle: entry.message.ReceiptHandle, VisibilityTimeout: visibility })),
      }),
    );
    for (const entry of chunk) entry.heldAt = now();
  }
}

/** Best effort: a message whose release fails becomes visible when its visibility timeout ends. */
async function release(sqs: SQSClient, url: string, messages: readonly Message[]): Promise<void> {
  for (let start = 0; start < messages.length; start += 10) {
    const entries = messages.slice(start, start + 10).map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle, VisibilityTimeout: 0 }));
    await sqs.send(new ChangeMessageVisibilityBatchCommand({ QueueUrl: url, Entries: entries })).catch(() => undefined);
  }
}
