import { randomUUID } from 'node:crypto';
import type { MessageAttributeValue } from '@aws-sdk/client-sqs';
import { MAX_MESSAGE_BYTES } from '../../src/jobs/message-attributes';
import { sendRaw } from '../helpers/sqs';
import { waitFor } from '../helpers/wait-for';
import { useFaultStack } from './helpers/fault-stack';
import { printSummary, tally } from './helpers/ledger';

interface PoisonCase {
  name: string;
  body: string;
  attributes?: Record<string, MessageAttributeValue>;
  /** The DLQ error-code it must end with, or 'completed' for input the worker must tolerate. */
  expected: string;
}

const text = (value: string): MessageAttributeValue => ({ DataType: 'String', StringValue: value });
const payload = (mode: string, extra: Record<string, unknown> = {}) => JSON.stringify({ id: mode, mode, ...extra });
const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

/** Messages nobody should ever send, as they arrive from buggy producers, old versions or hands. */
const POISON: readonly PoisonCase[] = [
  { name: 'non-JSON body', body: 'this is {not json', expected: 'invalid-payload' },
  { name: 'JSON that is not an object', body: '"just a string"', expected: 'invalid-payload' },
  { name: 'wrong schema', body: JSON.stringify({ id: 7, mode: 'ok' }), expected: 'invalid-payload' },
  { name: 'unknown mode', body: payload('explode'), expected: 'invalid-payload' },
  { name: 'oversize payload near the SQS limit', body: payload('ok', { filler: 'x'.repeat(MAX_MESSAGE_BYTES - 300) }), expected: 'invalid-payload' },
  { name: 'job attribute names another job', body: payload('ok'), attributes: { 'job-name': text('flow') }, expected: 'invalid-payload' },
  { name: 'job attribute names no job at all', body: payload('ok'), attributes: { 'job-name': text('no-such-job') }, expected: 'invalid-payload' },
  { name: 'handler throws a string', body: payload('throw-string'), expected: 'non-error-thrown' },
  { name: 'handler throws an object', body: payload('throw-object'), expected: 'non-error-thrown' },
  { name: 'handler throws null', body: payload('throw-null'), expected: 'non-error-thrown' },
  { name: 'handler throws a circular object', body: payload('throw-circular'), expected: 'non-error-thrown' },
  { name: 'handler never resolves', body: payload('hang'), expected: 'timeout' },
  { name: 'garbage bookkeeping attributes', body: payload('ok'), attributes: { 'enqueued-at': text('yesterday'), 'redrive-count': text('many') }, expected: 'completed' },
  { name: 'deeply nested unknown field', body: `{"id":"deep","mode":"ok","extra":${nested(100_000)}}`, expected: 'completed' },
];

const HEALTHY_JOBS = 20;

/**
 * Scenario 4: poison messages put straight on the queue. Each must end in the DLQ with the
 * error-code that says why (or complete, where the input is odd but valid), and the worker must
 * keep serving the healthy jobs sent after them.
 */
describe('fault: poison messages', () => {
  const stack = useFaultStack();

  it('each ends in the DLQ with its error code, and the worker keeps serving', async () => {
    const worker = await stack().startWorker(['fragile']);
    const url = (await stack().directory()).get('fragile').queue.url;
    const expected = new Map<string, PoisonCase>();
    for (const poison of POISON) {
      const jobId = randomUUID();
      expected.set(jobId, poison);
      await sendRaw(stack().sqs, url, poison.body, { 'job-id': text(jobId), ...poison.attributes });
    }
    for (let index = 0; index < HEALTHY_JOBS; index += 1) {
      const jobId = randomUUID();
      expected.set(jobId, { name: 'healthy', body: payload('ok'), expected: 'completed' });
      await sendRaw(stack().sqs, url, payload('ok'), { 'job-id': text(jobId), 'job-name': text('fragile') });
    }

    await stack().waitForEmptyQueue('fragile', 60_000);
    const deadLetters = await stack().drainDeadLetters('fragile');
    const result = tally([...expected.keys()], stack().runs(), deadLetters);
    printSummary('poison messages', result, { poison: POISON.length, healthy: HEALTHY_JOBS });

    const outcomes = [...expected].map(([jobId, poison]) => [
      poison.name,
      result.deadLetterCodes.get(jobId) ?? (stack().runs().some((run) => run.jobId === jobId && run.event === 'end') ? 'completed' : 'lost'),
    ]);
    expect(outcomes).toEqual([...expected.values()].map((poison) => [poison.name, poison.expected]));
    expect(result.lost).toBe(0);
    expect(result.duplicated).toBe(0);
    expect(worker.child.exitCode).toBeNull();
    // Still serving after all of it: one more job goes through.
    const lastId = randomUUID();
    await sendRaw(stack().sqs, url, payload('ok'), { 'job-id': text(lastId) });
    await waitFor('a job sent after the poison to complete', () => stack().runs().some((run) => run.jobId === lastId && run.event === 'end'));
  });
});
