import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { z } from 'zod';
import { defineJob } from '../../src/jobs/define-job';
import { QueueRunner } from '../../src/runtime/queue-runner';
import { captureLogger } from '../helpers/capture-logger';
import { waitFor } from '../helpers/wait-for';

/** Unit test with a fake SQS client: the runner's scheduling, not SQS, is under test here. */
function fakeSqs() {
  const sent: unknown[] = [];
  const client = {
    send: (command: unknown) => {
      sent.push(command);
      return Promise.resolve({ Successful: [], Failed: [] });
    },
  } as unknown as SQSClient;
  return { client, sent };
}

const queues = {
  jobName: 'gated',
  queue: { name: 'gated', url: 'http://sqs.local/gated', arn: 'arn:gated' },
  dlq: { name: 'gated-dlq', url: 'http://sqs.local/gated-dlq', arn: 'arn:gated-dlq' },
};

const message = (id: number): Message => ({
  MessageId: `m${id}`,
  ReceiptHandle: `r${id}`,
  Body: JSON.stringify({ id }),
  Attributes: { ApproximateReceiveCount: '1' },
});

describe('QueueRunner', () => {
  let finish: (() => void)[] = [];
  const started: number[] = [];
  const job = defineJob({
    name: 'gated',
    payload: z.object({ id: z.number() }),
    timeoutSeconds: 30,
    handler: (input) => {
      started.push(input.id);
      return new Promise<void>((resolve) => finish.push(resolve));
    },
  });

  function runner(sqs: SQSClient, stop = new AbortController()) {
    return new QueueRunner({
      sqs,
      job,
      queues,
      logger: captureLogger('silent').logger,
      concurrency: 2,
      enqueue: () => Promise.reject(new Error('unused')),
      stopSignal: stop.signal,
    });
  }

  beforeEach(() => {
    finish = [];
    started.length = 0;
  });

  it('runs at most `concurrency` handlers; the rest wait and start as slots free up', async () => {
    const { client, sent } = fakeSqs();
    const subject = runner(client);
    subject.accept([message(1), message(2), message(3)]);
    await waitFor('two handlers to start', () => started.length === 2, { intervalMs: 1 });
    expect(started).toEqual([1, 2]);
    expect(subject.counters).toMatchObject({ running: 2, waiting: 1 });

    let polled = false;
    void subject.waitForCapacity().then(() => (polled = true));
    await Promise.resolve();
    expect(polled).toBe(false);

    finish.shift()?.();
    await waitFor('the waiting message to start', () => started.length === 3, { intervalMs: 1 });
    expect(started).toEqual([1, 2, 3]);
    finish.splice(0).forEach((resolve) => {
      resolve();
    });
    expect(await subject.drained(1000)).toBe(true);
    expect(polled).toBe(true);
    const deletes = sent.filter((command) => command instanceof DeleteMessageBatchCommand);
    expect(deletes.flatMap((command) => command.input.Entries?.map((entry) => entry.ReceiptHandle))).toEqual(['r1', 'r2', 'r3']);
    expect(subject.counters).toMatchObject({ succeeded: 3, running: 0, waiting: 0 });
  });

  it('on stop, releases waiting messages at once (visibility 0) and lets running ones finish', async () => {
    const { client, sent } = fakeSqs();
    const subject = runner(client);
    subject.accept([message(1), message(2), message(3), message(4)]);
    await waitFor('two handlers to start', () => started.length === 2, { intervalMs: 1 });
    await subject.stopAccepting();

    const releases = sent.filter((command) => command instanceof ChangeMessageVisibilityBatchCommand);
    expect(releases.flatMap((command) => command.input.Entries)).toEqual([
      { Id: '0', ReceiptHandle: 'r3', VisibilityTimeout: 0 },
      { Id: '1', ReceiptHandle: 'r4', VisibilityTimeout: 0 },
    ]);
    expect(subject.counters).toMatchObject({ running: 2, waiting: 0, released: 2 });
    await expect(subject.waitForCapacity()).resolves.toBeUndefined();

    finish.splice(0).forEach((resolve) => {
      resolve();
    });
    expect(await subject.drained(1000)).toBe(true);
    expect(started).toEqual([1, 2]);
    expect(subject.counters).toMatchObject({ succeeded: 2, released: 2 });
  });

  it('releases a batch that arrives after stop without starting it', async () => {
    const { client, sent } = fakeSqs();
    const subject = runner(client);
    await subject.stopAccepting();
    subject.accept([message(7)]);
    expect(await subject.drained(1000)).toBe(true);
    expect(started).toEqual([]);
    expect(sent.filter((command) => command instanceof ChangeMessageVisibilityBatchCommand)).toHaveLength(1);
  });

  it('drained() reports false while a job is still running past the timeout', async () => {
    const subject = runner(fakeSqs().client);
    subject.accept([message(1)]);
    await waitFor('the handler to start', () => started.length === 1, { intervalMs: 1 });
    expect(await subject.drained(20)).toBe(false);
    finish.splice(0).forEach((resolve) => {
      resolve();
    });
    expect(await subject.drained(1000)).toBe(true);
  });
});
