import { ChangeMessageVisibilityCommand, type Message, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import {
  ATTR,
  copyableAttributes,
  MAX_MESSAGE_ATTRIBUTES,
  MAX_MESSAGE_BYTES,
  type MessageAttributes,
  messageSizeBytes,
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
  const body = message.Body ?? '';
  const fitted = fitWithinSizeLimit(body, kept);
  if (fitted.shed.length > 0) {
    logger.warn({ shed: fitted.shed, bodyBytes: Buffer.byteLength(body) }, 'DLQ copy shortened to fit the SQS message size limit');
  }
  const fifo = queues.dlq.url.endsWith('.fifo');
  await sqs.send(
    new SendMessageCommand({
      QueueUrl: queues.dlq.url,
      MessageBody: body,
      MessageAttributes: fitted.attributes,
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

/** Error attributes given up, in this order, when a near-limit body leaves no room for them. */
const SHED_LAST: readonly string[] = [ATTR.failedAt, ATTR.sourceQueue, ATTR.attempts, ATTR.errorMessage];
const MIN_SHORTENED_MESSAGE_LENGTH = 32;

/**
 * A body near the size limit plus the error attributes can exceed it, and a DLQ send that fails
 * for size would fail on every attempt. The body is never cut: copied original attributes go
 * first, then the error message is shortened, then the error attributes except `error-code`.
 */
function fitWithinSizeLimit(body: string, kept: MessageAttributes): { attributes: MessageAttributes; shed: string[] } {
  const attributes = { ...kept };
  const shed: string[] = [];
  const overflow = () => messageSizeBytes(body, attributes) - MAX_MESSAGE_BYTES;
  const shedIfOver = (name: string) => {
    if (overflow() <= 0 || !(name in attributes)) return;
    Reflect.deleteProperty(attributes, name);
    shed.push(name);
  };
  const errorNames = new Set<string>([ATTR.errorCode, ...SHED_LAST, ATTR.jobId]);
  for (const name of Object.keys(attributes).filter((candidate) => !errorNames.has(candidate))) shedIfOver(name);
  const errorMessage = attributes[ATTR.errorMessage]?.StringValue;
  // Each character is at least one byte; the ellipsis costs three.
  const shortenedLength = errorMessage === undefined ? 0 : errorMessage.length - overflow() - 2;
  if (overflow() > 0 && errorMessage !== undefined && shortenedLength >= MIN_SHORTENED_MESSAGE_LENGTH) {
    attributes[ATTR.errorMessage] = stringAttribute(truncate(errorMessage, shortenedLength));
    shed.push(`${ATTR.errorMessage} (shortened)`);
  }
  for (const name of SHED_LAST) shedIfOver(name);
  return { attributes, shed };
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
