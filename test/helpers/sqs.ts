import { randomBytes } from 'node:crypto';
import {
  DeleteQueueCommand,
  type Message,
  type MessageAttributeValue,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { AnyJob } from '../../src/jobs/define-job';
import { provisionQueues, type QueueDirectory } from '../../src/queues/provisioning';
import { createSqsClient } from '../../src/sqs/client';

export function sqsEndpoint(): string {
  const endpoint = process.env.SQS_ENDPOINT;
  if (!endpoint) throw new Error('SQS_ENDPOINT is not set; the jest globalSetup starts an emulator');
  return endpoint;
}

export function testSqsClient(): SQSClient {
  return createSqsClient({ endpoint: sqsEndpoint(), region: process.env.AWS_REGION ?? 'us-east-1' });
}

/** A queue prefix no other test uses, so every test gets its own queues. */
export function uniquePrefix(): string {
  return `t${randomBytes(5).toString('hex')}-`;
}

export interface TestQueues {
  sqs: SQSClient;
  prefix: string;
  directory: QueueDirectory;
  /** Deletes the queues and the client; call in afterEach/afterAll. */
  cleanup(): Promise<void>;
}

export async function provisionTestQueues(jobs: readonly AnyJob[], endpoint = sqsEndpoint()): Promise<TestQueues> {
  const sqs = createSqsClient({ endpoint, region: process.env.AWS_REGION ?? 'us-east-1' });
  const prefix = uniquePrefix();
  const { directory } = await provisionQueues(sqs, jobs, prefix);
  return {
    sqs,
    prefix,
    directory,
    async cleanup() {
      for (const entry of directory.all()) {
        for (const url of [entry.queue.url, entry.dlq.url]) {
          await sqs.send(new DeleteQueueCommand({ QueueUrl: url })).catch(() => undefined);
        }
      }
      sqs.destroy();
    },
  };
}

/** One receive with all attributes; `visibilityTimeout` 0 leaves the messages visible. */
export async function receiveOnce(
  sqs: SQSClient,
  queueUrl: string,
  options: { max?: number; waitSeconds?: number; visibilityTimeout?: number } = {},
): Promise<Message[]> {
  const result = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: options.max ?? 10,
      WaitTimeSeconds: options.waitSeconds ?? 0,
      VisibilityTimeout: options.visibilityTimeout,
      MessageSystemAttributeNames: ['All'],
      MessageAttributeNames: ['All'],
    }),
  );
  return result.Messages ?? [];
}

/** Receives until the queue answers empty, keeping each message hidden for `holdSeconds`. */
export async function drainQueue(sqs: SQSClient, queueUrl: string, holdSeconds = 30): Promise<Message[]> {
  const all: Message[] = [];
  for (;;) {
    const batch = await receiveOnce(sqs, queueUrl, { visibilityTimeout: holdSeconds });
    if (batch.length === 0) return all;
    all.push(...batch);
  }
}

export async function sendRaw(
  sqs: SQSClient,
  queueUrl: string,
  body: string,
  attributes: Record<string, MessageAttributeValue> = {},
): Promise<string> {
  const sent = await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body, MessageAttributes: attributes }));
  return sent.MessageId ?? '';
}

export function attributeValues(message: Message): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [name, value.StringValue]));
}

/** Counts SendMessageBatch requests and their entries, as they leave the client. */
export function countBatchSends(sqs: SQSClient): number[] {
  const sizes: number[] = [];
  sqs.middlewareStack.add(
    (next, context) => (args) => {
      const input = args.input as { Entries?: unknown[] };
      if (context.commandName === 'SendMessageBatchCommand') sizes.push(input.Entries?.length ?? 0);
      return next(args);
    },
    { step: 'initialize' },
  );
  return sizes;
}
