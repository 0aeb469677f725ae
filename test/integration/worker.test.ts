import { z } from 'zod';
import { defineJob } from '../../src/jobs/define-job';
import { enqueueJob } from '../../src/jobs/enqueue';
import { backoffCeilingSeconds } from '../../src/runtime/backoff';
import { attributeValues, drainQueue, provisionTestQueues, receiveOnce, type TestQueues } from '../helpers/sqs';
import { startTestWorker, type TestWorker } from '../helpers/worker';
import { waitFor } from '../helpers/wait-for';

const payload = z.object({ id: z.string() });

describe('worker against a real SQS endpoint', () => {
  let queues: TestQueues | undefined;
  const workers: TestWorker[] = [];

  afterEach(async () => {
    await Promise.all(workers.splice(0).map((worker) => worker.stop()));
    await queues?.cleanup();
  });

  async function setUp(...jobs: Parameters<typeof provisionTestQueues>[0]) {
    const provisioned = await provisionTestQueues(jobs);
    queues = provisioned;
    return provisioned;
  }

  function start(...args: Parameters<typeof startTestWorker>): TestWorker {
    const worker = startTestWorker(...args);
    workers.push(worker);
    return worker;
  }

  it('runs an enqueued job once, deletes it, and logs received/succeeded with its jobId', async () => {
    const runs: string[] = [];
    const job = defineJob({
      name: 'once',
      payload,
      timeoutSeconds: 5,
      handler: (input) => {
        runs.push(input.id);
        return Promise.resolve();
      },
    });
    const q = await setUp(job);
    const worker = start(q, [job]);
    const { jobId } = await enqueueJob(q.sqs, q.directory.get('once').queue.url, job, { id: 'a' });
    await waitFor('the job to be deleted', () => worker.worker.stats().once?.succeeded === 1);
    expect(runs).toEqual(['a']);
    expect(await receiveOnce(q.sqs, q.directory.get('once').queue.url, { visibilityTimeout: 0 })).toEqual([]);
    const messages = worker.lines.filter((line) => line.jobId === jobId).map((line) => line.msg);
    expect(messages).toEqual(['job received', 'job succeeded']);
  });

  it('retries a failing job with growing backoff delays, then dead-letters it with the error attributes', async () => {
    const attemptsAt: number[] = [];
    const backoff = { baseSeconds: 1, factor: 2, maxSeconds: 60, jitter: 'equal' as const };
    const job = defineJob({
      name: 'always-fails',
      payload,
      retry: { maxAttempts: 4, backoff },
      timeoutSeconds: 5,
      handler: () => {
        attemptsAt.push(Date.now());
        return Promise.reject(new Error('downstream unavailable'));
      },
    });
    const q = await setUp(job);
    const worker = start(q, [job]);
    const { jobId } = await enqueueJob(q.sqs, q.directory.get('always-fails').queue.url, job, { id: 'x' });
    await waitFor('the dead letter', () => worker.worker.stats()['always-fails']?.deadLettered === 1, { timeoutMs: 20_000 });

    expect(attemptsAt).toHaveLength(4);
    const gapsSeconds = attemptsAt.slice(1).map((at, index) => (at - (attemptsAt[index] ?? at)) / 1000);
    gapsSeconds.forEach((gap, index) => {
      const ceiling = backoffCeilingSeconds(backoff, index + 1);
      // equal jitter: [ceiling/2, ceiling], rounded to whole seconds; plus polling latency.
      expect(gap).toBeGreaterThanOrEqual(Math.floor(ceiling / 2) - 0.1);
      expect(gap).toBeLessThanOrEqual(ceiling + 1.5);
    });
    const [dead] = await drainQueue(q.sqs, q.directory.get('always-fails').dlq.url);
    expect(attributeValues(dead ?? {})).toMatchObject({
      'job-id': jobId,
      'error-code': 'handler-error',
      'error-message': 'downstream unavailable',
      attempts: '4',
      'source-queue': `${q.prefix}always-fails`,
    });
    expect(attributeValues(dead ?? {})['failed-at']).toMatch(/^\d{4}-\d\d-\d\dT/);
  }, 30_000);

  it('runs more than 10 jobs of one queue at once with several pollers, never more than the concurrency', async () => {
    let running = 0;
    let peak = 0;
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const job = defineJob({
      name: 'wide',
      payload,
      timeoutSeconds: 20,
      concurrency: 25,
      handler: async () => {
        running += 1;
        peak = Math.max(peak, running);
        await gate;
        running -= 1;
      },
    });
    const q = await setUp(job);
    const url = q.directory.get('wide').queue.url;
    await Promise.all(Array.from({ length: 40 }, (_, index) => enqueueJob(q.sqs, url, job, { id: String(index) })));
    const worker = start(q, [job]);
    await waitFor('25 jobs running at once', () => running === 25, { timeoutMs: 10_000 });
    release();
    await waitFor('all 40 jobs', () => worker.worker.stats().wide?.succeeded === 40, { timeoutMs: 15_000 });
    expect(peak).toBe(25);
  });

  it('heartbeats a job that outlives its visibility timeout, so a second worker never starts it', async () => {
    const runs: number[] = [];
    const job = defineJob({
      name: 'long',
      payload,
      timeoutSeconds: 10,
      visibilityTimeoutSeconds: 1,
      handler: async (_input, ctx) => {
        runs.push(ctx.attempt);
        await new Promise((resolve) => setTimeout(resolve, 3000));
      },
    });
    const q = await setUp(job);
    const first = start(q, [job]);
    await enqueueJob(q.sqs, q.directory.get('long').queue.url, job, { id: 'slow' });
    await waitFor('the job to start', () => runs.length === 1);
    const second = start(q, [job]);
    await waitFor('the job to finish', () => first.worker.stats().long?.succeeded === 1, { timeoutMs: 10_000 });
    expect(runs).toEqual([1]);
    expect(second.worker.stats().long?.received).toBe(0);
  });

  it('aborts a job past its timeout and retries it', async () => {
    const attempts: number[] = [];
    const job = defineJob({
      name: 'stuck-once',
      payload,
      timeoutSeconds: 0.3,
      retry: { maxAttempts: 3, backoff: { baseSeconds: 0, maxSeconds: 0 } },
      handler: (_input, ctx) => {
        attempts.push(ctx.attempt);
        if (ctx.attempt > 1) return Promise.resolve();
        return new Promise<void>((_, reject) => ctx.signal.addEventListener('abort', () => reject(new Error('gave up'))));
      },
    });
    const q = await setUp(job);
    const worker = start(q, [job]);
    await enqueueJob(q.sqs, q.directory.get('stuck-once').queue.url, job, { id: 't' });
    await waitFor('the retry to succeed', () => worker.worker.stats()['stuck-once']?.succeeded === 1);
    expect(attempts).toEqual([1, 2]);
    expect(worker.lines.find((line) => line.msg === 'job failed; retry scheduled')).toMatchObject({ errorCode: 'timeout' });
  });

  it('stop() lets in-flight jobs finish and deletes them before resolving', async () => {
    let started = false;
    const job = defineJob({
      name: 'finishing',
      payload,
      timeoutSeconds: 10,
      handler: async () => {
        started = true;
        await new Promise((resolve) => setTimeout(resolve, 800));
      },
    });
    const q = await setUp(job);
    const worker = start(q, [job]);
    await enqueueJob(q.sqs, q.directory.get('finishing').queue.url, job, { id: 'f' });
    await waitFor('the job to start', () => started);
    await worker.stop();
    expect(worker.worker.stats().finishing).toMatchObject({ succeeded: 1, released: 0, running: 0 });
    expect(await receiveOnce(q.sqs, q.directory.get('finishing').queue.url, { visibilityTimeout: 0 })).toEqual([]);
  });

  it('stop() past its deadline interrupts the job and makes its message visible at once', async () => {
    let started = false;
    const job = defineJob({
      name: 'endless',
      payload,
      timeoutSeconds: 60,
      handler: (_input, ctx) =>
        new Promise<void>((_, reject) => {
          started = true;
          ctx.signal.addEventListener('abort', () => reject(new Error('interrupted')));
        }),
    });
    const q = await setUp(job);
    const worker = start(q, [job], { shutdownTimeoutSeconds: 0.3 });
    const { jobId } = await enqueueJob(q.sqs, q.directory.get('endless').queue.url, job, { id: 'e' });
    await waitFor('the job to start', () => started);
    await worker.stop();
    expect(worker.worker.stats().endless).toMatchObject({ released: 1, succeeded: 0, retrying: 0 });
    const [visible] = await receiveOnce(q.sqs, q.directory.get('endless').queue.url);
    expect(attributeValues(visible ?? {})['job-id']).toBe(jobId);
  });

  it('two workers on one queue process each job once', async () => {
    const runs = new Map<string, number>();
    const job = defineJob({
      name: 'shared',
      payload,
      timeoutSeconds: 5,
      handler: async (input) => {
        runs.set(input.id, (runs.get(input.id) ?? 0) + 1);
        await new Promise((resolve) => setTimeout(resolve, 5));
      },
    });
    const q = await setUp(job);
    const a = start(q, [job]);
    const b = start(q, [job]);
    const url = q.directory.get('shared').queue.url;
    await Promise.all(Array.from({ length: 200 }, (_, index) => enqueueJob(q.sqs, url, job, { id: String(index) })));
    await waitFor('all 200 jobs', () => (a.worker.stats().shared?.succeeded ?? 0) + (b.worker.stats().shared?.succeeded ?? 0) === 200, {
      timeoutMs: 20_000,
    });
    expect(runs.size).toBe(200);
    expect([...runs.values()].every((count) => count === 1)).toBe(true);
    expect(a.worker.stats().shared?.succeeded).toBeGreaterThan(0);
    expect(b.worker.stats().shared?.succeeded).toBeGreaterThan(0);
  });
});
