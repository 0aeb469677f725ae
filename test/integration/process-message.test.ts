import { DeleteQueueCommand } from '@aws-sdk/client-sqs';
import { z } from 'zod';
import { PermanentJobError, RetryLaterError } from '../../src/errors';
import { type AnyJob, defineJob } from '../../src/jobs/define-job';
import { enqueueJob } from '../../src/jobs/enqueue';
import { MAX_MESSAGE_BYTES } from '../../src/jobs/message-attributes';
import type { JobEvents } from '../../src/runtime/job-events';
import { processMessage, type ProcessMessageDeps, shouldDelete } from '../../src/runtime/process-message';
import { captureLogger } from '../helpers/capture-logger';
import { attributeValues, provisionTestQueues, receiveOnce, sendRaw, type TestQueues } from '../helpers/sqs';
import { waitFor } from '../helpers/wait-for';

type Behaviour = (input: { n: number }, signal: AbortSignal) => Promise<unknown>;
let behaviour: Behaviour = () => Promise.resolve('ok');

const job = defineJob({
  name: 'core',
  payload: z.object({ n: z.number().int() }),
  retry: { maxAttempts: 3, backoff: { baseSeconds: 4, factor: 2, maxSeconds: 60, jitter: 'none' } },
  timeoutSeconds: 0.3,
  visibilityTimeoutSeconds: 30,
  handler: (input, ctx) => behaviour(input, ctx.signal),
});

describe('processMessage against a real SQS endpoint', () => {
  let queues: TestQueues;
  let url: string;
  let dlqUrl: string;

  beforeEach(async () => {
    queues = await provisionTestQueues([job]);
    url = queues.directory.get('core').queue.url;
    dlqUrl = queues.directory.get('core').dlq.url;
    behaviour = () => Promise.resolve('ok');
  });
  afterEach(() => queues.cleanup());

  function deps(extra: Partial<ProcessMessageDeps> = {}): ProcessMessageDeps & { lines: Record<string, unknown>[] } {
    const { logger, lines } = captureLogger();
    return { sqs: queues.sqs, queues: queues.directory.get('core'), logger, lines, ...extra };
  }

  async function receiveJob(): Promise<NonNullable<Awaited<ReturnType<typeof receiveOnce>>[number]>> {
    return waitFor('a message', async () => (await receiveOnce(queues.sqs, url, { max: 1 }))[0]);
  }

  async function runOnce(target: AnyJob = job, extra: Partial<ProcessMessageDeps> = {}) {
    return processMessage(target, await receiveJob(), deps(extra));
  }

  it('tells its observers when a job starts and settles, with trace id and redrive generation', async () => {
    const events: { kind: string; redriveCount: number; traceId?: string; status?: string }[] = [];
    const observer: JobEvents = {
      jobStarted: (event) => events.push({ kind: 'started', redriveCount: event.redriveCount, traceId: event.traceId }),
      jobSettled: (event) => events.push({ kind: 'settled', redriveCount: event.redriveCount, status: event.outcome.status }),
    };
    await enqueueJob(queues.sqs, url, job, { n: 1 }, { traceId: 'req-42' });
    await runOnce(job, { events: observer });
    // Moved back by SQS's native redrive: the error attributes are still there, the counter is not.
    await sendRaw(queues.sqs, url, '{"n":2}', {
      'error-code': { DataType: 'String', StringValue: 'timeout' },
      'redrive-count': { DataType: 'Number', StringValue: '1' },
    });
    await runOnce(job, { events: observer });
    await sendRaw(queues.sqs, url, 'not json');
    await runOnce(job, { events: observer });
    expect(events).toEqual([
      { kind: 'started', redriveCount: 0, traceId: 'req-42' },
      { kind: 'settled', redriveCount: 0, status: 'succeeded' },
      { kind: 'started', redriveCount: 2, traceId: undefined },
      { kind: 'settled', redriveCount: 2, status: 'succeeded' },
      { kind: 'settled', redriveCount: 0, status: 'dead-lettered' },
    ]);
  });

  it('succeeds: returns the result and asks the caller to delete', async () => {
    const { jobId } = await enqueueJob(queues.sqs, url, job, { n: 1 });
    const outcome = await runOnce();
    expect(outcome).toMatchObject({ status: 'succeeded', jobId, attempt: 1, result: 'ok' });
    expect(shouldDelete(outcome)).toBe(true);
  });

  it('a failure before the last attempt hides the message for the backoff delay (no re-publish)', async () => {
    behaviour = () => Promise.reject(new Error('flaky'));
    const { jobId } = await enqueueJob(queues.sqs, url, job, { n: 1 });
    const outcome = await runOnce();
    expect(outcome).toMatchObject({ status: 'retrying', delaySeconds: 4, error: { code: 'handler-error', message: 'flaky' } });
    expect(shouldDelete(outcome)).toBe(false);
    const hiddenAt = Date.now();
    expect(await receiveOnce(queues.sqs, url)).toEqual([]);
    const again = await waitFor('the retry', async () => (await receiveOnce(queues.sqs, url, { waitSeconds: 1 }))[0], { timeoutMs: 8000 });
    expect(Date.now() - hiddenAt).toBeGreaterThanOrEqual(3500);
    expect(again.Attributes?.ApproximateReceiveCount).toBe('2');
    expect(attributeValues(again)['job-id']).toBe(jobId);
  });

  it('the last failed attempt goes to the DLQ with the five error attributes, body and attributes kept', async () => {
    behaviour = () => Promise.reject(new Error('still broken'));
    const { jobId } = await enqueueJob(queues.sqs, url, job, { n: 7 });
    const message = await receiveJob();
    const outcome = await processMessage(job, { ...message, Attributes: { ...message.Attributes, ApproximateReceiveCount: '3' } }, deps());
    expect(outcome).toMatchObject({ status: 'dead-lettered', attempt: 3, error: { code: 'handler-error' } });
    expect(shouldDelete(outcome)).toBe(true);
    const [dead] = await receiveOnce(queues.sqs, dlqUrl);
    expect(dead?.Body).toBe('{"n":7}');
    const attributes = attributeValues(dead ?? {});
    expect(attributes).toMatchObject({
      'job-id': jobId,
      'job-name': 'core',
      'error-code': 'handler-error',
      'error-message': 'still broken',
      attempts: '3',
      'source-queue': `${queues.prefix}core`,
    });
    expect(Date.parse(attributes['failed-at'] ?? '')).toBeGreaterThan(Date.now() - 60_000);
    expect(attributes['enqueued-at']).toBeDefined();
  });

  it('a PermanentJobError dead-letters on the first attempt with its code', async () => {
    behaviour = () => Promise.reject(new PermanentJobError('customer deleted', { code: 'customer-gone' }));
    await enqueueJob(queues.sqs, url, job, { n: 1 });
    expect(await runOnce()).toMatchObject({ status: 'dead-lettered', attempt: 1, error: { code: 'customer-gone' } });
    expect(attributeValues((await receiveOnce(queues.sqs, dlqUrl))[0] ?? {})['error-code']).toBe('customer-gone');
  });

  it.each([
    ['not JSON', 'this is not json', /body is not valid JSON/],
    ['wrong schema', '{"n":"seven"}', /n: Invalid input: expected number/],
  ])('an invalid payload (%s) dead-letters with invalid-payload and never runs the handler', async (_label, body, reason) => {
    const handler = jest.fn(() => Promise.resolve());
    behaviour = handler;
    await sendRaw(queues.sqs, url, body);
    const outcome = await runOnce();
    expect(outcome).toMatchObject({ status: 'dead-lettered', error: { code: 'invalid-payload' } });
    expect(outcome.status === 'dead-lettered' && outcome.error.message).toMatch(reason);
    expect(handler).not.toHaveBeenCalled();
    const [dead] = await receiveOnce(queues.sqs, dlqUrl);
    expect(dead?.Body).toBe(body);
    expect(attributeValues(dead ?? {})['job-id']).toBe(outcome.messageId);
  });

  it.each([
    ['copied attributes go first', MAX_MESSAGE_BYTES - 2_000, 1_900, ['error-code', 'error-message', 'attempts', 'failed-at', 'source-queue', 'job-id']],
    ['then the error attributes but error-code', MAX_MESSAGE_BYTES - 100, 0, ['error-code', 'job-id']],
  ])('a body near the size limit still reaches the DLQ whole, with its error code (%s)', async (_label, bodyBytes, extraBytes, kept) => {
    const body = `{"n":"${'x'.repeat(bodyBytes - 8)}"}`;
    const extra = extraBytes > 0 ? { extra: { DataType: 'String', StringValue: 'e'.repeat(extraBytes) } } : undefined;
    await sendRaw(queues.sqs, url, body, extra);
    expect(await runOnce()).toMatchObject({ status: 'dead-lettered', error: { code: 'invalid-payload' } });
    const [dead] = await receiveOnce(queues.sqs, dlqUrl);
    expect(dead?.Body).toBe(body);
    expect(Object.keys(attributeValues(dead ?? {})).sort()).toEqual([...kept].sort());
    expect(attributeValues(dead ?? {})['error-code']).toBe('invalid-payload');
  });

  it('a message addressed to another job is dead-lettered, not run', async () => {
    await sendRaw(queues.sqs, url, '{"n":1}', { 'job-name': { DataType: 'String', StringValue: 'someone-else' } });
    const outcome = await runOnce();
    expect(outcome).toMatchObject({ status: 'dead-lettered', error: { code: 'invalid-payload' } });
  });

  it('aborts a handler past its timeout and counts it as a failed attempt, even if it ignores the signal', async () => {
    let aborted = false;
    behaviour = (_input, signal) =>
      new Promise(() => {
        signal.addEventListener('abort', () => (aborted = true));
      });
    await enqueueJob(queues.sqs, url, job, { n: 1 });
    const outcome = await runOnce();
    expect(outcome).toMatchObject({ status: 'retrying', error: { code: 'timeout', message: 'job exceeded its timeout of 0.3s' } });
    expect(aborted).toBe(true);
  });

  it('RetryLaterError chooses its own delay; non-Error throws are reported readably', async () => {
    behaviour = () => Promise.reject(new RetryLaterError('rate limited', 11));
    await enqueueJob(queues.sqs, url, job, { n: 1 });
    expect(await runOnce()).toMatchObject({ status: 'retrying', delaySeconds: 11, error: { code: 'retry-later' } });

    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the point: handlers can throw non-Errors
    behaviour = () => Promise.reject({ weird: true });
    await enqueueJob(queues.sqs, url, job, { n: 2 });
    expect(await runOnce()).toMatchObject({ status: 'retrying', error: { code: 'non-error-thrown', message: expect.stringContaining('{"weird":true}') as unknown } });
  });

  it('the stop signal releases the message for another worker instead of failing it', async () => {
    const stop = new AbortController();
    behaviour = (_input, signal) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted'))));
    await enqueueJob(queues.sqs, url, job, { n: 1 });
    const running = runOnce(defineJob({ ...job, timeoutSeconds: 30 }), { stopSignal: stop.signal });
    await new Promise((resolve) => setTimeout(resolve, 50));
    stop.abort();
    expect(await running).toMatchObject({ status: 'released' });
    const [visibleAgain] = await receiveOnce(queues.sqs, url);
    expect(visibleAgain?.Attributes?.ApproximateReceiveCount).toBe('2');
  });

  it('keeps the message when the DLQ cannot be reached, so nothing is lost', async () => {
    behaviour = () => Promise.reject(new PermanentJobError('bad'));
    await enqueueJob(queues.sqs, url, job, { n: 1 });
    await queues.sqs.send(new DeleteQueueCommand({ QueueUrl: dlqUrl }));
    const outcome = await runOnce();
    expect(outcome).toMatchObject({ status: 'retrying', error: { code: 'dead-letter-failed' } });
    expect(shouldDelete(outcome)).toBe(false);
  });

  it('logs received and completed with the job id', async () => {
    const { jobId } = await enqueueJob(queues.sqs, url, job, { n: 1 });
    const context = deps();
    await processMessage(job, await receiveJob(), context);
    expect(context.lines.map((line) => [line.msg, line.jobId, line.job, line.attempt])).toEqual([
      ['job received', jobId, 'core', 1],
      ['job succeeded', jobId, 'core', 1],
    ]);
  });
});
