import { setMaxListeners } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { DeleteMessageBatchCommand, type Message, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import type { Logger } from '../observability/logger';
import { messageToRecord } from './sqs-event';

export interface BridgedFunction {
  functionName: string;
  queueUrl: string;
  queueArn: string;
  /** Records per invocation, 1–10 (one ReceiveMessage). */
  batchSize: number;
  /** Invocations at once, as the event source mapping's maximum concurrency. */
  maximumConcurrency: number;
  /** The visibility timeout the queue has on AWS (6 × the function timeout). */
  visibilityTimeoutSeconds: number;
}

/** Resolves with the function's result; rejects when the invocation failed as a whole. */
export type InvokeFunction = (functionName: string, event: SQSEvent) => Promise<unknown>;

export interface BridgeOptions {
  sqs: SQSClient;
  functions: readonly BridgedFunction[];
  invoke: InvokeFunction;
  logger: Logger;
  region: string;
  waitTimeSeconds?: number;
}

const ERROR_PAUSE_MS = 1_000;

/**
 * Which received messages to delete after an invocation, by the rules of Lambda's event source
 * mapping with ReportBatchItemFailures: no response, an empty or null `batchItemFailures` means
 * all succeeded; a list names the failures, which stay; any entry that is malformed or names a
 * message not in the batch makes the whole batch a failure; so does a response that is not an
 * object with a list there.
 */
export function messagesToDelete(messages: readonly Message[], response: unknown): Message[] {
  if (response === undefined || response === null || response === '') return [...messages];
  if (typeof response !== 'object' || Array.isArray(response)) return [];
  const reported = (response as { batchItemFailures?: unknown }).batchItemFailures;
  if (reported === undefined || reported === null) return [...messages];
  if (!Array.isArray(reported)) return [];
  const ids = new Set(messages.map((message) => message.MessageId));
  const failed = new Set<string>();
  for (const entry of reported as unknown[]) {
    const id = (entry as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    if (typeof id !== 'string' || id === '' || !ids.has(id)) return [];
    failed.add(id);
  }
  return messages.filter((message) => !failed.has(message.MessageId ?? ''));
}

/**
 * Plays the part of Lambda's SQS event source mapping where there is no AWS (serverless offline,
 * tests): long-polls each function's queue, invokes the function with the batch, deletes what
 * succeeded and leaves the rest to their visibility timeout — which the job runtime has already
 * set to the retry backoff, or 0 for released records. Redrive to the DLQ is the queue's own.
 */
export class SqsLambdaBridge {
  private readonly abort = new AbortController();
  private loops: Promise<void>[] = [];

  constructor(private readonly options: BridgeOptions) {
    // Every poller's receive and pause listens on this one signal.
    setMaxListeners(0, this.abort.signal);
  }

  start(): void {
    for (const fn of this.options.functions) {
      for (let lane = 0; lane < fn.maximumConcurrency; lane += 1) this.loops.push(this.poll(fn));
      this.options.logger.info({ function: fn.functionName, batchSize: fn.batchSize, concurrency: fn.maximumConcurrency }, 'bridging queue to function');
    }
  }

  /** Stops polling and waits for invocations in flight; a long poll in flight is abandoned. */
  async stop(): Promise<void> {
    this.abort.abort();
    await Promise.all(this.loops);
    this.loops = [];
  }

  private stopping(): boolean {
    return this.abort.signal.aborted;
  }

  private async poll(fn: BridgedFunction): Promise<void> {
    const { logger } = this.options;
    while (!this.stopping()) {
      let messages: Message[];
      try {
        messages = await this.receive(fn);
      } catch (error) {
        if (this.stopping()) return;
        logger.warn({ err: error, function: fn.functionName }, 'receive failed; retrying');
        await sleep(ERROR_PAUSE_MS, undefined, { signal: this.abort.signal }).catch(() => undefined);
        continue;
      }
      if (messages.length > 0) await this.deliver(fn, messages);
    }
  }

  private async receive(fn: BridgedFunction): Promise<Message[]> {
    const result = await this.options.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: fn.queueUrl,
        MaxNumberOfMessages: fn.batchSize,
        WaitTimeSeconds: this.options.waitTimeSeconds ?? 20,
        VisibilityTimeout: fn.visibilityTimeoutSeconds,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
      { abortSignal: this.abort.signal },
    );
    return result.Messages ?? [];
  }

  private async deliver(fn: BridgedFunction, messages: Message[]): Promise<void> {
    const { logger } = this.options;
    const event: SQSEvent = { Records: messages.map((message) => messageToRecord(message, { queueArn: fn.queueArn, region: this.options.region })) };
    let response: unknown;
    try {
      response = await this.options.invoke(fn.functionName, event);
    } catch (error) {
      logger.warn({ err: error, function: fn.functionName, records: messages.length }, 'invocation failed; the batch returns after its visibility timeout');
      return;
    }
    const done = messagesToDelete(messages, response);
    if (done.length < messages.length) {
      logger.info({ function: fn.functionName, failed: messages.length - done.length, records: messages.length }, 'partial batch: failed records stay in the queue');
    }
    if (done.length === 0) return;
    try {
      const result = await this.options.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: fn.queueUrl,
          Entries: done.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle })),
        }),
      );
      if (result.Failed?.length) logger.warn({ failed: result.Failed }, 'some deletes failed; those records will run again');
    } catch (error) {
      logger.warn({ err: error, function: fn.functionName }, 'delete failed; those records will run again');
    }
  }
}

/** Invokes functions through serverless-offline's Lambda Invoke endpoint (its `lambdaPort`). */
export function invokeThroughServerlessOffline(lambdaEndpoint: string): InvokeFunction {
  return async (functionName, event) => {
    const response = await fetch(`${lambdaEndpoint}/2015-03-31/functions/${encodeURIComponent(functionName)}/invocations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(event),
    });
    const text = await response.text();
    if (!response.ok || response.headers.get('x-amz-function-error')) {
      throw new Error(`invocation of ${functionName} failed (${response.status}): ${text.slice(0, 500)}`);
    }
    return text === '' ? undefined : (JSON.parse(text) as unknown);
  };
}
