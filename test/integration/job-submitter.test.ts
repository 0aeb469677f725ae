import { z } from 'zod';
import { HttpError } from '../../src/http/http-errors';
import { JobSubmitter } from '../../src/http/job-submitter';
import { defineJob } from '../../src/jobs/define-job';
import type { BatchItem } from '../../src/jobs/enqueue-batch';
import { createSqsClient } from '../../src/sqs/client';
import { StatusRecorder } from '../../src/store/status-recorder';
import { captureLogger } from '../helpers/capture-logger';
import { provisionTestStore, type TestStore } from '../helpers/dynamo';
import { attributeValues, drainQueue, provisionTestQueues, receiveOnce, type TestQueues } from '../helpers/sqs';
import { waitFor } from '../helpers/wait-for';

const job = defineJob({
  name: 'welcome',
  payload: z.object({ userId: z.string().min(1) }),
  timeoutSeconds: 30,
  handler: () => Promise.resolve('ok'),
});

describe('JobSubmitter against a real SQS endpoint and DynamoDB', () => {
  let queues: TestQueues;
  let store: TestStore;
  let queueUrl: string;
  let lines: Record<string, unknown>[];
  let recorder: StatusRecorder;
  let submitter: JobSubmitter;

  function createSubmitter(sqs = queues.sqs): JobSubmitter {
    const captured = captureLogger();
    lines = captured.lines;
    recorder = new StatusRecorder({ store: store.store, logger: captured.logger });
    return new JobSubmitter({ sqs, directory: queues.directory, store: store.store, recorder, logger: captured.logger, idempotencyTtlSeconds: 3_600 });
  }

  beforeEach(async () => {
    [queues, store] = await Promise.all([provisionTestQueues([job]), provisionTestStore()]);
    queueUrl = queues.directory.get(job.name).queue.url;
    submitter = createSubmitter();
  });
  afterEach(async () => {
    jest.restoreAllMocks();
    await Promise.all([queues.cleanup(), store.cleanup()]);
  });

  it('enqueues without a key: a message with job-id and trace-id, and a queued record', async () => {
    const submitted = await submitter.submit(job, { userId: 'u-1' }, { traceId: 'trace-1' });
    expect(submitted).toEqual({ jobId: expect.any(String) as unknown, replayed: false });

    const messages = await drainQueue(queues.sqs, queueUrl);
    expect(messages).toHaveLength(1);
    expect(JSON.parse(messages[0]?.Body ?? '')).toEqual({ userId: 'u-1' });
    expect(attributeValues(messages[0] ?? {})).toMatchObject({ 'job-id': submitted.jobId, 'job-name': 'welcome', 'trace-id': 'trace-1' });

    const record = await waitFor('the queued record', () => store.store.getJob(submitted.jobId));
    expect(record).toMatchObject({ jobId: submitted.jobId, job: 'welcome', status: 'queued', attempts: 0, traceId: 'trace-1' });
    expect(lines.filter((line) => line.level === 40)).toEqual([]);
  });

  it('replays a sequential retry with the same Idempotency-Key: same jobId, one message', async () => {
    const first = await submitter.submit(job, { userId: 'u-1' }, { idempotencyKey: 'key-1' });
    expect(first.replayed).toBe(false);
    const second = await submitter.submit(job, { userId: 'u-1' }, { idempotencyKey: 'key-1' });
    expect(second).toEqual({ jobId: first.jobId, replayed: true });

    const messages = await drainQueue(queues.sqs, queueUrl);
    expect(messages.map((message) => attributeValues(message)['job-id'])).toEqual([first.jobId]);
    // A different key is a different request.
    const other = await submitter.submit(job, { userId: 'u-1' }, { idempotencyKey: 'key-2' });
    expect(other.replayed).toBe(false);
    expect(other.jobId).not.toBe(first.jobId);
    expect(await receiveOnce(queues.sqs, queueUrl, { waitSeconds: 1 })).toHaveLength(1);
  });

  it('lets only one of two concurrent submits with the same key enqueue', async () => {
    const outcomes = await Promise.allSettled([
      submitter.submit(job, { userId: 'u-1' }, { idempotencyKey: 'race' }),
      submitter.submit(job, { userId: 'u-1' }, { idempotencyKey: 'race' }),
    ]);
    const fresh = outcomes.flatMap((outcome) => (outcome.status === 'fulfilled' && !outcome.value.replayed ? [outcome.value] : []));
    expect(fresh).toHaveLength(1);
    const winner = fresh[0]?.jobId;
    const loser = outcomes.find((outcome) => !(outcome.status === 'fulfilled' && outcome.value.jobId === winner && !outcome.value.replayed));
    if (loser?.status === 'fulfilled') {
      expect(loser.value).toEqual({ jobId: winner, replayed: true });
    } else {
      expect(loser?.reason).toBeInstanceOf(HttpError);
      expect(loser?.reason).toMatchObject({ status: 409, code: 'idempotency-conflict', extra: { headers: { 'Retry-After': '1' } } });
    }

    const messages = await drainQueue(queues.sqs, queueUrl);
    expect(messages.map((message) => attributeValues(message)['job-id'])).toEqual([winner]);
    // Once the winner is confirmed, a retry is a replay.
    expect(await submitter.submit(job, { userId: 'u-1' }, { idempotencyKey: 'race' })).toEqual({ jobId: winner, replayed: true });
  });

  it('releases the claim when SendMessage fails, so a retry with the same key enqueues a new job', async () => {
    // 2 s, not less: below 2 s the SDK arms a connection timer it never clears on ECONNREFUSED, which
    // keeps the jest worker alive for that long after the suite ends.
    const deadSqs = createSqsClient({ endpoint: 'http://127.0.0.1:1', region: 'us-east-1', requestTimeoutMs: 2_000 });
    try {
      const failing = createSubmitter(deadSqs);
      const started = Date.now();
      await expect(failing.submit(job, { userId: 'u-1' }, { idempotencyKey: 'flaky' })).rejects.toThrow();
      expect(Date.now() - started).toBeLessThan(10_000);
      // The release went through (no "could not release" warning).
      expect(lines.filter((line) => line.level === 40)).toEqual([]);
    } finally {
      deadSqs.destroy();
    }
    expect(await receiveOnce(queues.sqs, queueUrl)).toEqual([]);

    const retried = await submitter.submit(job, { userId: 'u-1' }, { idempotencyKey: 'flaky' });
    expect(retried.replayed).toBe(false);
    const messages = await drainQueue(queues.sqs, queueUrl);
    expect(messages.map((message) => attributeValues(message)['job-id'])).toEqual([retried.jobId]);
    expect(await submitter.submit(job, { userId: 'u-1' }, { idempotencyKey: 'flaky' })).toEqual({ jobId: retried.jobId, replayed: true });
  });

  it('rejects an invalid payload before claiming its key or recording a status', async () => {
    const claim = jest.spyOn(store.store, 'claimIdempotencyKey');
    const record = jest.spyOn(recorder, 'record');
    await expect(submitter.submit(job, { userId: 42 }, { idempotencyKey: 'bad' })).rejects.toMatchObject({
      name: 'InvalidPayloadError',
      issues: [{ path: 'userId' }],
    });
    await expect(submitter.submit(job, { userId: 'u-1' }, { delaySeconds: 901 })).rejects.toMatchObject({
      name: 'InvalidPayloadError',
      issues: [{ path: 'delaySeconds' }],
    });
    expect(claim).not.toHaveBeenCalled();
    expect(record).not.toHaveBeenCalled();
    expect(await receiveOnce(queues.sqs, queueUrl)).toEqual([]);
    // The key is still free for a valid request.
    expect(await submitter.submit(job, { userId: 'u-1' }, { idempotencyKey: 'bad' })).toMatchObject({ replayed: false });
  });

  it('submits a batch: valid items queued with distinct jobIds, invalid ones rejected with issues', async () => {
    const invalid = new Set([3, 11, 24]);
    const items: BatchItem[] = Array.from({ length: 25 }, (_, index) => ({
      payload: invalid.has(index) ? { userId: 42 } : { userId: `u-${index}` },
    }));
    const results = await submitter.submitBatch(job, items, 'trace-batch');

    expect(results.map((result) => result.index)).toEqual(items.map((_, index) => index));
    const queued = results.flatMap((result) => (result.status === 'queued' ? [result] : []));
    const rejected = results.flatMap((result) => (result.status === 'rejected' ? [result] : []));
    expect(queued).toHaveLength(22);
    expect(new Set(queued.map((result) => result.jobId)).size).toBe(22);
    expect(rejected.map((result) => result.index)).toEqual([3, 11, 24]);
    for (const result of rejected) {
      expect(result.error).toMatchObject({ code: 'invalid-payload', issues: [{ path: 'userId', message: expect.any(String) as unknown }] });
    }

    const messages: Awaited<ReturnType<typeof drainQueue>> = [];
    await waitFor('22 messages', async () => {
      messages.push(...(await drainQueue(queues.sqs, queueUrl)));
      return messages.length >= 22;
    });
    expect(messages).toHaveLength(22);
    expect(new Set(messages.map((message) => attributeValues(message)['job-id']))).toEqual(new Set(queued.map((result) => result.jobId)));
    expect(messages.every((message) => attributeValues(message)['trace-id'] === 'trace-batch')).toBe(true);
    expect(await receiveOnce(queues.sqs, queueUrl)).toEqual([]);
    const record = await waitFor('a queued record', () => store.store.getJob(queued[0]?.jobId ?? ''));
    expect(record).toMatchObject({ status: 'queued', traceId: 'trace-batch' });
  });
});
