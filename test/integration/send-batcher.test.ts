import { z } from 'zod';
import { defineJob } from '../../src/jobs/define-job';
import { isSqsUnavailable } from '../../src/sqs/errors';
import { createSqsClient } from '../../src/sqs/client';
import { type OutgoingMessage, SendBatcher } from '../../src/sqs/send-batcher';
import { countBatchSends, drainQueue, provisionTestQueues, type TestQueues } from '../helpers/sqs';

const first = defineJob({ name: 'batched-a', payload: z.object({ n: z.number() }), timeoutSeconds: 5, handler: () => Promise.resolve() });
const second = defineJob({ name: 'batched-b', payload: z.object({ n: z.number() }), timeoutSeconds: 5, handler: () => Promise.resolve() });

function message(body: string): OutgoingMessage {
  return { body, delaySeconds: 0, attributes: {} };
}

describe('SendBatcher against a real SQS endpoint', () => {
  let queues: TestQueues;
  let urlA: string;
  let urlB: string;

  beforeEach(async () => {
    queues = await provisionTestQueues([first, second]);
    urlA = queues.directory.get('batched-a').queue.url;
    urlB = queues.directory.get('batched-b').queue.url;
  });
  afterEach(() => queues.cleanup());

  it('sends concurrent messages as batches of at most 10, and each caller gets its own message id', async () => {
    const sizes = countBatchSends(queues.sqs);
    const batcher = new SendBatcher(queues.sqs);
    const ids = await Promise.all(Array.from({ length: 25 }, (_, n) => batcher.send(urlA, message(JSON.stringify({ n })))));
    expect(sizes).toEqual([10, 10, 5]);
    expect(new Set(ids).size).toBe(25);
    const stored = await drainQueue(queues.sqs, urlA);
    expect(stored.map((entry) => entry.MessageId).sort()).toEqual([...ids].sort());
    expect(stored.map((entry) => JSON.parse(entry.Body ?? '') as { n: number }).map((body) => body.n).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 25 }, (_, n) => n),
    );
  });

  it('keeps queues apart and sends a lone message at once', async () => {
    const sizes = countBatchSends(queues.sqs);
    const batcher = new SendBatcher(queues.sqs);
    await Promise.all([batcher.send(urlA, message('{"n":1}')), batcher.send(urlB, message('{"n":2}')), batcher.send(urlA, message('{"n":3}'))]);
    expect(sizes.sort()).toEqual([1, 2]);
    await batcher.send(urlB, message('{"n":4}'));
    expect(sizes).toHaveLength(3);
    expect((await drainQueue(queues.sqs, urlA)).map((entry) => entry.Body).sort()).toEqual(['{"n":1}', '{"n":3}']);
    expect((await drainQueue(queues.sqs, urlB)).map((entry) => entry.Body).sort()).toEqual(['{"n":2}', '{"n":4}']);
  });

  it('starts a new batch before one would pass the size limit', async () => {
    const sizes = countBatchSends(queues.sqs);
    const batcher = new SendBatcher(queues.sqs, { maxBatchBytes: 1_000 });
    const body = JSON.stringify({ n: 'x'.repeat(390) });
    await Promise.all([1, 2, 3].map(() => batcher.send(urlA, message(body))));
    expect(sizes).toEqual([2, 1]);
    expect(await drainQueue(queues.sqs, urlA)).toHaveLength(3);
  });

  it('rejects every caller of a batch that could not be sent, as unavailable', async () => {
    const dead = createSqsClient({ endpoint: 'http://127.0.0.1:9', region: 'us-east-1', requestTimeoutMs: 2_000 });
    const batcher = new SendBatcher(dead);
    const results = await Promise.allSettled([batcher.send(urlA, message('{}')), batcher.send(urlA, message('{}'))]);
    dead.destroy();
    for (const result of results) {
      expect(result.status).toBe('rejected');
      expect(isSqsUnavailable((result as PromiseRejectedResult).reason)).toBe(true);
    }
  });
});
