import { randomUUID } from 'node:crypto';
import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { z } from 'zod';
import { defineJob } from '../../src/jobs/define-job';
import { enqueueJob } from '../../src/jobs/enqueue';
import type { JobQueues } from '../../src/queues/provisioning';
import { messageToRecord } from '../../src/lambda/sqs-event';
import { toLambda } from '../../src/lambda/to-lambda';
import { captureLogger } from '../helpers/capture-logger';
import { attributeValues, provisionTestQueues, receiveOnce, type TestQueues } from '../helpers/sqs';

const started: string[] = [];
const job = defineJob({
  name: 'lambda-core',
  payload: z.object({ id: z.string(), fail: z.boolean().default(false), sleepMs: z.number().default(0) }),
  retry: { maxAttempts: 3, backoff: { baseSeconds: 30, maxSeconds: 30, jitter: 'none' } },
  timeoutSeconds: 5,
  concurrency: 4,
  async handler(payload, ctx) {
    started.push(payload.id);
    if (payload.fail) throw new Error(`${payload.id} failed`);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(resolve, payload.sleepMs);
      ctx.signal.addEventListener('abort', () => {
        clearTimeout(timer);
        reject(ctx.signal.reason as Error);
      });
    });
  },
});

const context = (remainingMs: number) => {
  const deadline = Date.now() + remainingMs;
  return { awsRequestId: randomUUID(), getRemainingTimeInMillis: () => deadline - Date.now() };
};

/** toLambda against real SQS: events are built from messages received from the emulator. */
describe('toLambda', () => {
  let queues: TestQueues;
  let jobQueues: JobQueues;
  const { logger } = captureLogger();

  beforeEach(async () => {
    started.length = 0;
    queues = await provisionTestQueues([job]);
    jobQueues = queues.directory.get('lambda-core');
  });
  afterEach(() => queues.cleanup());

  const handlerFor = (target: JobQueues, options: { safetyMarginMs?: number } = {}) =>
    toLambda(job, { ...options, runtime: () => Promise.resolve({ sqs: queues.sqs, queues: target, logger, enqueue: () => Promise.reject(new Error('unused')) }) });

  async function receiveEvent(queueUrl: string, arn: string, count: number): Promise<SQSEvent> {
    const messages = await receiveOnce(queues.sqs, queueUrl, { max: count, visibilityTimeout: 60 });
    expect(messages).toHaveLength(count);
    return { Records: messages.map((message) => messageToRecord(message, { queueArn: arn, region: 'us-east-1' })) };
  }

  it('reports only the failed records; the invalid one goes to the DLQ instead', async () => {
    for (const payload of [{ id: 'a' }, { id: 'b', fail: true }, { id: 'c' }]) await enqueueJob(queues.sqs, jobQueues.queue.url, job, payload);
    await queues.sqs.send(new SendMessageBatchCommand({ QueueUrl: jobQueues.queue.url, Entries: [{ Id: '1', MessageBody: '{"id": 42}' }] }));
    const event = await receiveEvent(jobQueues.queue.url, jobQueues.queue.arn, 4);
    const failedId = event.Records.find((record) => record.body.includes('"b"'))?.messageId;
    const response = await handlerFor(jobQueues)(event, context(30_000));
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: failedId }]);
    const [dead] = await receiveOnce(queues.sqs, jobQueues.dlq.url);
    expect(attributeValues(dead ?? {})['error-code']).toBe('invalid-payload');
  });

  it('near the function timeout, releases what is still running or waiting, visible at once', async () => {
    for (let index = 0; index < 6; index += 1) await enqueueJob(queues.sqs, jobQueues.queue.url, job, { id: `slow-${index}`, sleepMs: 4_000 });
    const event = await receiveEvent(jobQueues.queue.url, jobQueues.queue.arn, 6);
    const response = await handlerFor(jobQueues, { safetyMarginMs: 1_000 })(event, context(1_500));
    expect(response.batchItemFailures.map((failure) => failure.itemIdentifier).sort()).toEqual(event.Records.map((record) => record.messageId).sort());
    expect(started).toHaveLength(4);
    expect(await receiveOnce(queues.sqs, jobQueues.queue.url, { max: 10, visibilityTimeout: 0 })).toHaveLength(6);
  });

  it('never throws: a runtime that cannot start reports the whole batch as failed', async () => {
    await enqueueJob(queues.sqs, jobQueues.queue.url, job, { id: 'x' });
    const event = await receiveEvent(jobQueues.queue.url, jobQueues.queue.arn, 1);
    const handler = toLambda(job, { runtime: () => Promise.reject(new Error('SQS unreachable')) });
    expect(await handler(event, context(30_000))).toEqual({ batchItemFailures: [{ itemIdentifier: event.Records[0]?.messageId }] });
  });

  it('FIFO: a failure holds back the rest of its message group; other groups go on', async () => {
    // The emulator hands out one message per group at a time; AWS delivers a group's messages in
    // order within one batch. Real messages, with the group ids a FIFO queue would attach.
    const entries = [
      { group: 'A', id: 'a1' },
      { group: 'A', id: 'a2', fail: true },
      { group: 'A', id: 'a3' },
      { group: 'B', id: 'b1' },
      { group: 'B', id: 'b2' },
    ];
    for (const entry of entries) await enqueueJob(queues.sqs, jobQueues.queue.url, job, { id: entry.id, fail: entry.fail ?? false });
    const received = await receiveEvent(jobQueues.queue.url, `${jobQueues.queue.arn}.fifo`, 5);
    const idOf = (body: string) => (JSON.parse(body) as { id: string }).id;
    const records = received.Records.map((record) => ({
      ...record,
      attributes: { ...record.attributes, MessageGroupId: idOf(record.body).startsWith('a') ? 'A' : 'B' },
    })).sort((left, right) => idOf(left.body).localeCompare(idOf(right.body)));
    const response = await handlerFor(jobQueues)({ Records: records }, context(30_000));
    const failedIds = response.batchItemFailures.map((failure) => idOf(records.find((record) => record.messageId === failure.itemIdentifier)?.body ?? '{}'));
    expect(failedIds).toEqual(['a2', 'a3']);
    expect(started.filter((id) => id.startsWith('a'))).toEqual(['a1', 'a2']);
    expect(started.filter((id) => id.startsWith('b'))).toEqual(['b1', 'b2']);
  });
});
