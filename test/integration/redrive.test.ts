import { type MessageAttributeValue, SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { jobIdOf } from '../../src/jobs/message-attributes';
import { parseFilter } from '../../src/ops/message-filter';
import { redriveJob } from '../../src/ops/redrive';
import type { JobQueues } from '../../src/queues/provisioning';
import { readQueueDepths } from '../../src/sqs/queue-depths';
import { job as recordRun } from '../fixtures/handlers/record-run';
import { attributeValues, drainQueue, provisionTestQueues, type TestQueues } from '../helpers/sqs';

const text = (value: string): MessageAttributeValue => ({ DataType: 'String', StringValue: value });

interface DeadSpec {
  jobId: string;
  code?: string;
  message?: string;
  failedAt?: string;
}

/** Puts messages into the DLQ the way settle.ts writes them: original attributes plus the five error attributes. */
async function putDeadLetters(sqs: SQSClient, queues: JobQueues, specs: readonly DeadSpec[]): Promise<void> {
  const batches: DeadSpec[][] = [];
  for (let start = 0; start < specs.length; start += 10) batches.push(specs.slice(start, start + 10));
  for (let start = 0; start < batches.length; start += 10) {
    await Promise.all(
      batches.slice(start, start + 10).map(async (batch) => {
        const result = await sqs.send(
          new SendMessageBatchCommand({
            QueueUrl: queues.dlq.url,
            Entries: batch.map((spec, index) => ({
              Id: String(index),
              MessageBody: JSON.stringify({ id: spec.jobId }),
              MessageAttributes: {
                'job-id': text(spec.jobId),
                'job-name': text(queues.jobName),
                'trace-id': text(`trace-${spec.jobId}`),
                'error-code': text(spec.code ?? 'handler-error'),
                'error-message': text(spec.message ?? `boom for ${spec.jobId}`),
                attempts: { DataType: 'Number', StringValue: '3' },
                'failed-at': text(spec.failedAt ?? new Date().toISOString()),
                'source-queue': text(queues.queue.name),
              },
            })),
          }),
        );
        if ((result.Failed ?? []).length > 0) throw new Error(`could not put dead letters: ${JSON.stringify(result.Failed)}`);
      }),
    );
  }
}

const specs = (count: number, prefix = 'job', extra: Partial<DeadSpec> = {}): DeadSpec[] =>
  Array.from({ length: count }, (_unused, index) => ({ jobId: `${prefix}-${index}`, ...extra }));

describe('redrive (client-side) against the real SQS endpoint', () => {
  let test: TestQueues;
  let queues: JobQueues;
  const depths = (url: string) => readQueueDepths(test.sqs, url, 5_000);

  beforeEach(async () => {
    test = await provisionTestQueues([recordRun]);
    queues = test.directory.get('record-run');
  });
  afterEach(async () => {
    await test.cleanup();
  });

  it('moves 1,000 dead messages back with their job ids, error attributes cleared and the redrive counted', async () => {
    await putDeadLetters(test.sqs, queues, specs(1000));

    const summary = await redriveJob(test.sqs, queues, { clientSide: true, waitTimeSeconds: 0 });

    expect(summary).toEqual({ job: 'record-run', mode: 'client-side', moved: 1000, matched: 1000, skipped: 0, failed: 0, dryRun: false, interrupted: false });
    const arrived = await drainQueue(test.sqs, queues.queue.url);
    const jobIds = arrived.map(jobIdOf);
    expect(jobIds).toHaveLength(1000);
    expect(new Set(jobIds).size).toBe(1000);
    expect(new Set(jobIds)).toEqual(new Set(specs(1000).map((spec) => spec.jobId)));
    for (const message of arrived) {
      const attributes = attributeValues(message);
      expect(Object.keys(attributes).sort()).toEqual(['job-id', 'job-name', 'redrive-count', 'redriven-at', 'trace-id']);
      expect(attributes['redrive-count']).toBe('1');
      expect(Number.isNaN(Date.parse(attributes['redriven-at'] ?? ''))).toBe(false);
      expect(message.Body).toBe(JSON.stringify({ id: attributes['job-id'] }));
    }
    expect(await depths(queues.dlq.url)).toEqual({ visible: 0, in_flight: 0, delayed: 0 });
  });

  it('falls back from the native move when the endpoint does not have it', async () => {
    if (process.env.SQS_JOBS_TEST_EMULATOR !== '1') return; // other endpoints may support StartMessageMoveTask
    await putDeadLetters(test.sqs, queues, specs(12));
    const fallbacks: string[] = [];

    const summary = await redriveJob(test.sqs, queues, { waitTimeSeconds: 0, onFallback: (reason) => fallbacks.push(reason) });

    expect(fallbacks).toEqual(['InvalidAction']);
    expect(summary).toMatchObject({ mode: 'client-side', moved: 12 });
    expect(await drainQueue(test.sqs, queues.queue.url)).toHaveLength(12);
  });

  it('--filter moves only matching messages; the others stay in the DLQ, visible', async () => {
    const hourAgo = new Date(Date.now() - 3_600_000).toISOString();
    const weekAgo = new Date(Date.now() - 7 * 86_400_000).toISOString();
    await putDeadLetters(test.sqs, queues, [
      ...specs(10, 'timeout-recent', { code: 'timeout', failedAt: hourAgo }),
      ...specs(5, 'timeout-old', { code: 'timeout', failedAt: weekAgo }),
      ...specs(20, 'rejected', { code: 'partner-rejected', message: 'HTTP 422 from partner' }),
    ]);

    const summary = await redriveJob(test.sqs, queues, { filters: ['error-code=timeout', 'newer-than=1d'].map(parseFilter), waitTimeSeconds: 0 });

    expect(summary).toMatchObject({ mode: 'client-side', moved: 10, matched: 10, skipped: 25, failed: 0 });
    const arrived = (await drainQueue(test.sqs, queues.queue.url)).map(jobIdOf).sort();
    expect(arrived).toEqual(specs(10, 'timeout-recent').map((spec) => spec.jobId).sort());
    expect(await depths(queues.dlq.url)).toEqual({ visible: 25, in_flight: 0, delayed: 0 });

    const byMessage = await redriveJob(test.sqs, queues, { filters: [parseFilter('message~HTTP 422')], waitTimeSeconds: 0 });
    expect(byMessage).toMatchObject({ moved: 20, skipped: 5 });
    expect(await depths(queues.dlq.url)).toEqual({ visible: 5, in_flight: 0, delayed: 0 });
  });

  it('--dry-run lists what would move, moves nothing and leaves every message visible', async () => {
    await putDeadLetters(test.sqs, queues, specs(15, 'dry', { code: 'timeout', message: 'too slow', failedAt: '2026-11-23T09:00:00.000Z' }));

    const summary = await redriveJob(test.sqs, queues, { dryRun: true, waitTimeSeconds: 0 });

    expect(summary).toMatchObject({ mode: 'client-side', dryRun: true, moved: 0, matched: 15, skipped: 0 });
    expect(summary.messages).toHaveLength(15);
    expect(summary.messages?.[0]).toMatchObject({ errorCode: 'timeout', errorMessage: 'too slow', failedAt: '2026-11-23T09:00:00.000Z' });
    expect(new Set(summary.messages?.map((entry) => entry.jobId))).toEqual(new Set(specs(15, 'dry').map((spec) => spec.jobId)));
    expect(await depths(queues.dlq.url)).toEqual({ visible: 15, in_flight: 0, delayed: 0 });
    expect(await depths(queues.queue.url)).toEqual({ visible: 0, in_flight: 0, delayed: 0 });
  });

  it('--limit caps the messages moved; the rest stay visible', async () => {
    await putDeadLetters(test.sqs, queues, specs(25));

    const summary = await redriveJob(test.sqs, queues, { limit: 12, waitTimeSeconds: 0 });

    expect(summary).toMatchObject({ mode: 'client-side', moved: 12, matched: 12 });
    expect(await drainQueue(test.sqs, queues.queue.url)).toHaveLength(12);
    expect(await depths(queues.dlq.url)).toEqual({ visible: 13, in_flight: 0, delayed: 0 });
  });

  it('an abort finishes the batch in flight, releases the rest and loses nothing', async () => {
    await putDeadLetters(test.sqs, queues, specs(100));
    const stop = new AbortController();

    const summary = await redriveJob(test.sqs, queues, {
      clientSide: true,
      waitTimeSeconds: 0,
      signal: stop.signal,
      onProgress: (progress) => {
        if (progress.moved >= 30) stop.abort();
      },
    });

    expect(summary.interrupted).toBe(true);
    // Stops after the batch that crossed 30: at most one batch (10) more.
    expect(summary.moved).toBeGreaterThanOrEqual(30);
    expect(summary.moved).toBeLessThanOrEqual(40);
    expect(await drainQueue(test.sqs, queues.queue.url)).toHaveLength(summary.moved);
    expect(await depths(queues.dlq.url)).toEqual({ visible: 100 - summary.moved, in_flight: 0, delayed: 0 });
  });

  it('--rate paces the client-side move', async () => {
    await putDeadLetters(test.sqs, queues, specs(40));
    const started = Date.now();

    const summary = await redriveJob(test.sqs, queues, { ratePerSecond: 20, waitTimeSeconds: 0 });

    // 20 tokens at the start, then 20 more at 20/s: at least one second for 40 messages.
    expect(summary.moved).toBe(40);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });
});
