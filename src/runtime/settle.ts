import { ChangeMessageVisibilityCommand, type Message, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import {
  ATTR,
  copyableAttributes,
  MAX_MESSAGE_ATTRIBUTES,
  type MessageAttributes,
  numberAttribute,
  stringAttribute,
} from '../jobs/message-attributes';
import type { Logger } from '../observability/logger';
import type { JobQueues } from '../queues/provisioning';

/** Error messages are truncated so a huge stack or response body cannot break the DLQ send. */
export const MAX_ERROR_MESSAGE_LENGTH = 1024;

export interface DeadLetterDetails {
  jobId: string;
  attempt: number;
  code: string;
  message: string;
}

/**
 * Copies the message to the job's DLQ with the five error attributes; the original body and
 * attributes are kept. The caller deletes the original only after this resolved.
 */
export async function sendToDeadLetterQueue(
  sqs: SQSClient,
  queues: JobQueues,
  message: Message,
  details: DeadLetterDetails,
  logger: Logger,
): Promise<void> {
  const errorAttributes: MessageAttributes = {
    [ATTR.errorCode]: stringAttribute(details.code),
    [ATTR.errorMessage]: stringAttribute(truncate(details.message || '(no message)', MAX_ERROR_MESSAGE_LENGTH)),
    [ATTR.attempts]: numberAttribute(details.attempt),
    [ATTR.failedAt]: stringAttribute(new Date().toISOString()),
    [ATTR.sourceQueue]: stringAttribute(queues.queue.name),
  };
  const original = { [ATTR.jobId]: stringAttribute(details.jobId), ...copyableAttributes(message) };
  const kept: MessageAttributes = { ...errorAttributes };
  const dropped: string[] = [];
  for (const [name, value] of Object.entries(original)) {
    if (name in kept) continue;
    if (Object.keys(kept).length < MAX_MESSAGE_ATTRIBUTES) kept[name] = value;
    else dropped.push(name);
  }
  if (dropped.length > 0) logger.warn({ dropped }, 'SQS allows 10 attributes; original attributes dropped from the DLQ copy');
  const fifo = queues.dlq.url.endsWith('.fifo');
  await sqs.send(
    new SendMessageCommand({
      QueueUrl: queues.dlq.url,
      MessageBody: message.Body ?? '',
      MessageAttributes: kept,
      ...(fifo
        ? { MessageGroupId: message.Attributes?.MessageGroupId ?? details.jobId, MessageDeduplicationId: message.MessageId }
        : {}),
    }),
  );
}

/** Hides the message for `seconds`; 0 makes it visible to every worker at once. */
export async function changeVisibility(sqs: SQSClient, queueUrl: string, message: Message, seconds: number): Promise<void> {
  await sqs.send(
    new ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle, VisibilityTimeout: seconds }),
  );
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
