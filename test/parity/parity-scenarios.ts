import { randomBytes } from 'node:crypto';
import type { Message, SQSClient } from '@aws-sdk/client-sqs';
import { jobIdOf } from '../../src/jobs/message-attributes';
import { readRunLog, type RunRecord } from '../helpers/child-process';
import { attributeValues, receiveOnce } from '../helpers/sqs';
import { waitFor } from '../helpers/wait-for';

export type ParityMode = 'ok' | 'fail-once' | 'permanent' | 'hang';
export interface ParityPayload {
  id: string;
  mode: ParityMode;
}

/** One runtime under test: how jobs get in, where they are, where runs are recorded. */
export interface ParityHarness {
  sqs: SQSClient;
  queueUrl: string;
  dlqUrl: string;
  runLog: string;
  /** Enqueues all payloads in one batch request, so a consumer can receive them as one batch. */
  enqueueBatch(payloads: readonly ParityPayload[]): Promise<string[]>;
}

const BACKOFF_MS = 1_000;

/**
 * The parity scenarios, written once and run against every runtime (worker, Lambda adapter,
 * serverless offline): each runtime must give a job the same fate. Scenarios share one harness,
 * so each tells its jobs apart by their ids.
 */
export function describeParityScenarios(runtime: string, harness: () => ParityHarness): void {
  const unique = (label: string) => `${label}-${randomBytes(3).toString('hex')}`;
  const runsOf = (id: string): RunRecord[] => readRunLog(harness().runLog).filter((run) => run.id === id);
  const ended = (id: string) => runsOf(id).some((run) => run.event === 'end');

  async function deadLetterOf(jobId: string, timeoutMs: number): Promise<Message> {
    return waitFor(
      `job ${jobId} in the DLQ`,
      async () => (await receiveOnce(harness().sqs, harness().dlqUrl, { visibilityTimeout: 0 })).find((message) => jobIdOf(message) === jobId),
      { timeoutMs, intervalMs: 200 },
    );
  }

  describe(`parity: ${runtime}`, () => {
    it('success: runs once and leaves nothing behind', async () => {
      const id = unique('ok');
      await harness().enqueueBatch([{ id, mode: 'ok' }]);
      await waitFor('the job to succeed', () => ended(id), { timeoutMs: 30_000 });
      expect(runsOf(id).map((run) => [run.event, run.attempt])).toEqual([
        ['start', 1],
        ['end', 1],
      ]);
    });

    it('retry: a failed attempt comes back after the backoff and then succeeds', async () => {
      const id = unique('retry');
      await harness().enqueueBatch([{ id, mode: 'fail-once' }]);
      await waitFor('the retry to succeed', () => ended(id), { timeoutMs: 30_000 });
      const starts = runsOf(id).filter((run) => run.event === 'start');
      expect(starts.map((run) => run.attempt)).toEqual([1, 2]);
      const [first, second] = starts.map((run) => run.at ?? 0);
      // The visibility backoff (1 s, no jitter), not an immediate redelivery.
      expect((second ?? 0) - (first ?? 0)).toBeGreaterThanOrEqual(BACKOFF_MS - 50);
    });

    it('permanent failure: straight to the DLQ with its reason, never retried', async () => {
      const id = unique('permanent');
      const [jobId] = await harness().enqueueBatch([{ id, mode: 'permanent' }]);
      const dead = await deadLetterOf(jobId ?? '', 30_000);
      expect(attributeValues(dead)).toMatchObject({ 'error-code': 'parity-permanent', 'error-message': 'parity says no', attempts: '1' });
      expect(JSON.parse(dead.Body ?? '{}')).toEqual({ id, mode: 'permanent' });
      expect(runsOf(id).map((run) => run.attempt)).toEqual([1]);
    });

    it('timeout: every attempt times out, then the DLQ says timeout', async () => {
      const id = unique('hang');
      const [jobId] = await harness().enqueueBatch([{ id, mode: 'hang' }]);
      const dead = await deadLetterOf(jobId ?? '', 45_000);
      expect(attributeValues(dead)).toMatchObject({ 'error-code': 'timeout', attempts: '3' });
      expect(runsOf(id).map((run) => run.attempt)).toEqual([1, 2, 3]);
    });

    it('partial batch: of 10 jobs, only the 2 that failed run again', async () => {
      const ids = Array.from({ length: 10 }, (_, index) => unique(`batch${index}`));
      await harness().enqueueBatch(ids.map((id, index) => ({ id, mode: index === 3 || index === 7 ? 'fail-once' : 'ok' })));
      await waitFor('all 10 to succeed', () => ids.every(ended), { timeoutMs: 30_000 });
      const attempts = ids.map((id) => runsOf(id).filter((run) => run.event === 'start').length);
      expect(attempts).toEqual([1, 1, 1, 2, 1, 1, 1, 2, 1, 1]);
    });
  });
}
