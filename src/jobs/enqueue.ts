import { randomUUID } from 'node:crypto';
import { type MessageAttributeValue, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { z } from 'zod';
import { InvalidPayloadError, type PayloadIssue } from '../errors';
import type { QueueDirectory } from '../queues/provisioning';
import type { OutgoingMessage } from '../sqs/send-batcher';
import type { Job } from './define-job';
import type { Enqueue, EnqueueOptions, EnqueueResult } from './job-context';
import { ATTR, MAX_MESSAGE_BYTES, stringAttribute } from './message-attributes';

export const MAX_DELAY_SECONDS = 900;

/** Validates a payload against the job's schema; the returned value is the handler's input. */
export function parsePayload<Schema extends z.ZodType>(job: Job<Schema>, payload: unknown): z.output<Schema> {
  const result = job.payload.safeParse(payload);
  if (!result.success) throw new InvalidPayloadError(job.name, toPayloadIssues(result.error));
  return result.data;
}

export function toPayloadIssues(error: z.ZodError): PayloadIssue[] {
  return error.issues.map((issue) => ({
    path: issue.path.length > 0 ? issue.path.map(String).join('.') : '(root)',
    message: issue.message,
  }));
}

/** What a job's message carries to SQS, and the jobId it was given. */
export interface JobMessage extends OutgoingMessage {
  jobId: string;
}

/**
 * Validates and builds the message for one job. The body is the payload as given (schema input),
 * not the parsed output: the worker parses it again, so defaults and transforms apply exactly
 * once, in the handler's process.
 */
export function buildJobMessage<Schema extends z.ZodType>(job: Job<Schema>, payload: z.input<Schema>, options: EnqueueOptions = {}): JobMessage {
  parsePayload(job, payload);
  const delaySeconds = options.delaySeconds ?? 0;
  if (!Number.isInteger(delaySeconds) || delaySeconds < 0 || delaySeconds > MAX_DELAY_SECONDS) {
    throw new InvalidPayloadError(job.name, [
      { path: 'delaySeconds', message: `must be an integer from 0 to ${MAX_DELAY_SECONDS}` },
    ]);
  }
  const body = JSON.stringify(payload);
  if (Buffer.byteLength(body) > MAX_MESSAGE_BYTES - 1024) {
    throw new InvalidPayloadError(job.name, [
      { path: '(root)', message: `payload is ${Buffer.byteLength(body)} bytes; the SQS limit is ${MAX_MESSAGE_BYTES}` },
    ]);
  }
  const jobId = options.jobId ?? randomUUID();
  const attributes: Record<string, MessageAttributeValue> = {
    [ATTR.jobId]: stringAttribute(jobId),
    [ATTR.jobName]: stringAttribute(job.name),
    [ATTR.enqueuedAt]: stringAttribute(new Date().toISOString()),
  };
  if (options.traceId) attributes[ATTR.traceId] = stringAttribute(options.traceId);
  return { jobId, body, delaySeconds, attributes };
}

export async function enqueueJob<Schema extends z.ZodType>(
  sqs: SQSClient,
  queueUrl: string,
  job: Job<Schema>,
  payload: z.input<Schema>,
  options: EnqueueOptions = {},
): Promise<EnqueueResult> {
  const message = buildJobMessage(job, payload, options);
  const sent = await sqs.send(
    new SendMessageCommand({
      QueueUrl: queueUrl,
      MessageBody: message.body,
      DelaySeconds: message.delaySeconds,
      MessageAttributes: message.attributes,
    }),
  );
  if (!sent.MessageId) throw new Error(`SendMessage to ${queueUrl} returned no MessageId`);
  return { jobId: message.jobId, messageId: sent.MessageId };
}

/** An `enqueue` bound to a client and the queue directory, as handlers receive it in ctx. */
export function createEnqueue(sqs: SQSClient, directory: QueueDirectory): Enqueue {
  return (job, payload, options) => enqueueJob(sqs, directory.get(job.name).queue.url, job, payload, options);
}

