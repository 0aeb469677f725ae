import type { Message, MessageAttributeValue } from '@aws-sdk/client-sqs';

/** Message attribute names the runtime reads and writes. SQS allows at most 10 per message. */
export const ATTR = {
  jobId: 'job-id',
  jobName: 'job-name',
  enqueuedAt: 'enqueued-at',
  /** The HTTP request id that enqueued the job, carried into the job's logs. */
  traceId: 'trace-id',
  /** Set by DLQ redrive: how many times the message came back from the DLQ. */
  redriveCount: 'redrive-count',
  errorCode: 'error-code',
  errorMessage: 'error-message',
  attempts: 'attempts',
  failedAt: 'failed-at',
  sourceQueue: 'source-queue',
} as const;

export const MAX_MESSAGE_ATTRIBUTES = 10;
/** SQS's message size limit; the body and every attribute's name, type and value count towards it. */
export const MAX_MESSAGE_BYTES = 1_048_576;

export type MessageAttributes = Record<string, MessageAttributeValue>;

export function stringAttribute(value: string): MessageAttributeValue {
  return { DataType: 'String', StringValue: value };
}

export function numberAttribute(value: number): MessageAttributeValue {
  return { DataType: 'Number', StringValue: String(value) };
}

export function readStringAttribute(message: Message, name: string): string | undefined {
  const value = message.MessageAttributes?.[name]?.StringValue;
  return value === undefined || value === '' ? undefined : value;
}

/** The attribute set SQS will accept on a re-send (received values carry extra list fields). */
export function copyableAttributes(message: Message): MessageAttributes {
  const copied: MessageAttributes = {};
  for (const [name, value] of Object.entries(message.MessageAttributes ?? {})) {
    if (!value.DataType) continue;
    if (value.StringValue !== undefined) copied[name] = { DataType: value.DataType, StringValue: value.StringValue };
    else if (value.BinaryValue !== undefined) copied[name] = { DataType: value.DataType, BinaryValue: value.BinaryValue };
  }
  return copied;
}

/** The job id of a message: its `job-id` attribute, or the SQS message id for foreign messages. */
export function jobIdOf(message: Message): string {
  return readStringAttribute(message, ATTR.jobId) ?? message.MessageId ?? 'unknown';
}

/** ApproximateReceiveCount as a 1-based attempt number. */
export function attemptOf(message: Message): number {
  const count = Number(message.Attributes?.ApproximateReceiveCount);
  return Number.isInteger(count) && count > 0 ? count : 1;
}

export function readNumberAttribute(message: Message, name: string): number | undefined {
  const value = Number(readStringAttribute(message, name));
  return Number.isFinite(value) ? value : undefined;
}

export function readDateAttribute(message: Message, name: string): Date | undefined {
  const text = readStringAttribute(message, name);
  const date = text === undefined ? undefined : new Date(text);
  return date && !Number.isNaN(date.getTime()) ? date : undefined;
}

/** The size SQS charges a message against MAX_MESSAGE_BYTES. */
export function messageSizeBytes(body: string, attributes: MessageAttributes): number {
  let size = Buffer.byteLength(body);
  for (const [name, value] of Object.entries(attributes)) {
    size += Buffer.byteLength(name) + Buffer.byteLength(value.DataType ?? '');
    size += value.StringValue === undefined ? (value.BinaryValue?.byteLength ?? 0) : Buffer.byteLength(value.StringValue);
  }
  return size;
}
