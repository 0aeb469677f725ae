import { ChangeMessageVisibilityBatchCommand, type Message, PurgeQueueCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { ATTR, jobIdOf, readStringAttribute } from '../jobs/message-attributes';
import type { JobQueues } from '../queues/provisioning';
import { readQueueDepths } from '../sqs/queue-depths';

export interface DeadMessage {
  jobId: string;
  messageId: string;
  errorCode?: string;
  errorMessage?: string;
  attempts?: string;
  failedAt?: string;
  sourceQueue?: string;
  body: string;
}

/** Held while peeking, so one peek never sees the same message twice; released right after. */
const PEEK_HOLD_SECONDS = 30;

/**
 * Up to `limit` dead messages with their error attributes, without consuming them: they are held
 * invisible only while the peek runs and are made visible again at once, even if reading fails.
 */
export async function peekDeadLetters(sqs: SQSClient, queues: JobQueues, limit: number): Promise<DeadMessage[]> {
  const held = new Map<string, Message>();
  try {
    while (held.size < limit) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queues.dlq.url,
          MaxNumberOfMessages: Math.min(10, limit - held.size),
          VisibilityTimeout: PEEK_HOLD_SECONDS,
          WaitTimeSeconds: 0,
          MessageAttributeNames: ['All'],
          MessageSystemAttributeNames: ['All'],
        }),
      );
      const fresh = Messages.filter((message) => message.MessageId !== undefined && !held.has(message.MessageId));
      if (fresh.length === 0) break;
      for (const message of fresh) held.set(message.MessageId ?? '', message);
    }
  } finally {
    await release(sqs, queues.dlq.url, [...held.values()]);
  }
  return [...held.values()].map(describeDeadMessage);
}

export function describeDeadMessage(message: Message): DeadMessage {
  const optional = (name: string) => readStringAttribute(message, name);
  return {
    jobId: jobIdOf(message),
    messageId: message.MessageId ?? '',
    errorCode: optional(ATTR.errorCode),
    errorMessage: optional(ATTR.errorMessage),
    attempts: optional(ATTR.attempts),
    failedAt: optional(ATTR.failedAt),
    sourceQueue: optional(ATTR.sourceQueue),
    body: message.Body ?? '',
  };
}

/** Approximate DLQ size, for the confirmation prompt and the summary. */
export async function deadLetterCount(sqs: SQSClient, queues: JobQueues): Promise<number> {
  const depths = await readQueueDepths(sqs, queues.dlq.url, 5_000);
  return depths.visible + depths.in_flight + depths.delayed;
}

/** Deletes every message in the DLQ (SQS PurgeQueue: takes up to 60 s, once per 60 s per queue). */
export async function purgeDeadLetters(sqs: SQSClient, queues: JobQueues): Promise<void> {
  await sqs.send(new PurgeQueueCommand({ QueueUrl: queues.dlq.url }));
}

async function release(sqs: SQSClient, queueUrl: string, messages: Message[]): Promise<void> {
  for (let start = 0; start < messages.length; start += 10) {
    const entries = messages.slice(start, start + 10).map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle, VisibilityTimeout: 0 }));
    await sqs.send(new ChangeMessageVisibilityBatchCommand({ QueueUrl: queueUrl, Entries: entries }));
  }
}
