import { z } from 'zod';
import { defineJob } from '../../src/jobs/define-job';
import type { JobSettledEvent, JobStartedEvent } from '../../src/runtime/job-events';
import type { JobOutcome } from '../../src/runtime/process-message';
import { type JobStore, type JobTransition, MAX_STORED_RESULT_BYTES, transitionSequence } from '../../src/store/job-store';
import { StatusRecorder } from '../../src/store/status-recorder';
import { captureLogger } from '../helpers/capture-logger';

const job = defineJob({ name: 'build-report', payload: z.object({}), timeoutSeconds: 60, handler: () => Promise.resolve() });

interface Deferred {
  transition: JobTransition;
  resolve: () => void;
  reject: (error: Error) => void;
}

/**
 * A JobStore whose recordTransition calls are recorded; `mode` decides whether each write resolves
 * at once, rejects at once, or waits in `held` until the test settles it.
 */
function fakeStore() {
  const calls: JobTransition[] = [];
  const held: Deferred[] = [];
  const state = { mode: 'resolve' as 'resolve' | 'reject' | 'hold' };
  const unused = () => Promise.reject(new Error('not used by StatusRecorder'));
  const store: JobStore = {
    recordTransition: (transition) => {
      calls.push(transition);
      if (state.mode === 'resolve') return Promise.resolve();
      if (state.mode === 'reject') return Promise.reject(new Error('store unreachable'));
      return new Promise<void>((resolve, reject) => held.push({ transition, resolve, reject }));
    },
    getJob: unused,
    claimIdempotencyKey: unused,
    confirmIdempotencyKey: unused,
    releaseIdempotencyKey: unused,
    recordWorkerBeat: unused,
    removeWorker: unused,
    listWorkers: unused,
    getScheduleCursor: unused,
    setScheduleCursor: unused,
    deleteExpired: unused,
    checkReady: unused,
    close: () => undefined,
  };
  return { store, calls, held, state };
}

const NOW = new Date('2025-03-04T05:06:07.000Z');
const enqueuedAt = new Date('2025-03-04T05:00:00.000Z');

function started(attempt: number, redriveCount = 0): JobStartedEvent {
  return { job, jobId: 'job-1', attempt, messageId: 'msg-1', redriveCount, enqueuedAt, traceId: 'trace-1' };
}

function settled(outcome: JobOutcome, redriveCount = 0): JobSettledEvent {
  return { job, redriveCount, enqueuedAt, traceId: 'trace-1', outcome };
}

const base = (attempt: number) => ({ jobId: 'job-1', attempt, messageId: 'msg-1' });

/** Lets pending promise callbacks run (setImmediate is left real below). */
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

function warnings(lines: Record<string, unknown>[]): unknown[] {
  return lines.filter((line) => line.level === 40).map((line) => line.msg);
}

function setup(maxPendingWrites?: number, maxConcurrentWrites?: number) {
  const fake = fakeStore();
  const { logger, lines } = captureLogger();
  const recorder = new StatusRecorder({ store: fake.store, logger, maxPendingWrites, maxConcurrentWrites });
  return { ...fake, recorder, lines };
}

beforeEach(() => {
  jest.useFakeTimers({ now: NOW, doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask'] });
});

afterEach(() => {
  jest.useRealTimers();
});

describe('StatusRecorder transitions', () => {
  it('records a start as running, with the attempt and its sequence', async () => {
    const { recorder, calls } = setup();
    recorder.jobStarted(started(2));
    recorder.jobStarted({ ...started(1, 1), jobId: 'job-2' });
    await recorder.flush();
    expect(calls).toEqual([
      { jobId: 'job-1', job: 'build-report', status: 'running', attempts: 2, sequence: transitionSequence('running', 2), at: NOW, enqueuedAt, traceId: 'trace-1' },
      { jobId: 'job-2', job: 'build-report', status: 'running', attempts: 1, sequence: transitionSequence('running', 1, 1), at: NOW, enqueuedAt, traceId: 'trace-1' },
    ]);
  });

  it('records success with a bounded result and the duration', async () => {
    const { recorder, calls } = setup();
    const small = { rows: [1, 2, 3] };
    recorder.jobSettled(settled({ ...base(1), status: 'succeeded', durationMs: 42, result: small }));
    recorder.jobSettled(settled({ ...base(2), status: 'succeeded', durationMs: 7, result: 'z'.repeat(MAX_STORED_RESULT_BYTES) }));
    await recorder.flush();

    expect(calls[0]).toMatchObject({ jobId: 'job-1', status: 'succeeded', attempts: 1, sequence: transitionSequence('succeeded', 1), durationMs: 42, at: NOW });
    expect(calls[0]?.result).toEqual(small);
    expect(calls[0]?.result).not.toBe(small);
    expect(calls[1]).toMatchObject({ status: 'succeeded', sequence: transitionSequence('succeeded', 2) });
    expect(calls[1]?.result).toEqual({ omitted: expect.stringMatching(/^result is \d+ bytes/) as unknown });
  });

  it('records a retry as failed, with the error and when the next attempt is due', async () => {
    const { recorder, calls } = setup();
    const error = { code: 'handler-error', message: 'flaky' };
    recorder.jobSettled(settled({ ...base(3), status: 'retrying', delaySeconds: 30, error, durationMs: 12 }, 1));
    await recorder.flush();
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ status: 'failed', attempts: 3, sequence: transitionSequence('failed', 3, 1), error, durationMs: 12 });
    expect(calls[0]?.nextAttemptAt?.getTime()).toBe(NOW.getTime() + 30_000);
    expect(calls[0]?.result).toBeUndefined();
  });

  it('records a dead letter as dead, with the error', async () => {
    const { recorder, calls } = setup();
    const error = { code: 'invalid-payload', message: 'id: Required' };
    recorder.jobSettled(settled({ ...base(5), status: 'dead-lettered', error }));
    await recorder.flush();
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ jobId: 'job-1', status: 'dead', attempts: 5, sequence: transitionSequence('dead', 5), error });
    expect(calls[0]?.nextAttemptAt).toBeUndefined();
  });

  it('records a released job as queued again, after its attempt started and before the next one', async () => {
    const { recorder, calls } = setup();
    recorder.jobStarted(started(2));
    recorder.jobSettled(settled({ ...base(2), status: 'released' }));
    await recorder.flush();
    const [running, released] = calls;
    expect(released).toMatchObject({ jobId: 'job-1', status: 'queued', attempts: 2 });
    expect(released?.error).toBeUndefined();
    expect(released?.sequence).toBeGreaterThan(running?.sequence ?? Infinity);
    expect(released?.sequence).toBeLessThan(transitionSequence('running', 3));
  });
});

describe('StatusRecorder failures', () => {
  it('swallows store rejections, counts them and warns at most once per 10 s', async () => {
    const { recorder, calls, state, lines } = setup();
    state.mode = 'reject';
    recorder.jobStarted(started(1));
    recorder.jobStarted(started(2));
    await expect(recorder.record({ ...calls[0], jobId: 'job-x' } as JobTransition)).resolves.toBeUndefined();
    await recorder.flush();
    expect(recorder.failed).toBe(3);
    expect(warnings(lines)).toEqual(['could not record job status']);
    expect(lines.find((line) => line.level === 40)).toMatchObject({ failed: 1, jobId: 'job-1', err: { message: 'store unreachable' } });

    jest.advanceTimersByTime(9_999);
    recorder.jobStarted(started(3));
    await recorder.flush();
    expect(recorder.failed).toBe(4);
    expect(warnings(lines)).toHaveLength(1);

    jest.advanceTimersByTime(1);
    recorder.jobStarted(started(4));
    await recorder.flush();
    expect(recorder.failed).toBe(5);
    expect(warnings(lines)).toHaveLength(2);
    expect(lines.filter((line) => line.level === 40)[1]).toMatchObject({ failed: 5 });
  });

  it('drops and counts writes beyond maxPendingWrites, and accepts writes again once some settle', async () => {
    const { recorder, calls, held, state, lines } = setup(2);
    state.mode = 'hold';
    recorder.jobStarted(started(1));
    recorder.jobStarted(started(2));
    recorder.jobStarted(started(3));
    recorder.jobStarted(started(4));
    expect(calls.map((call) => call.attempts)).toEqual([1, 2]);
    expect(recorder.dropped).toBe(2);
    expect(warnings(lines)).toEqual(['job store is falling behind; status updates dropped']);

    held[0]?.resolve();
    await turn();
    recorder.jobStarted(started(5));
    expect(calls.map((call) => call.attempts)).toEqual([1, 2, 5]);
    expect(recorder.dropped).toBe(2);
    expect(recorder.failed).toBe(0);
  });

  it('sends at most maxConcurrentWrites at once; a waiting state is replaced by its job\'s newer one', async () => {
    const { recorder, calls, held, state } = setup(undefined, 1);
    state.mode = 'hold';
    const other = { ...started(1), jobId: 'job-2' };
    recorder.jobStarted(other);
    recorder.jobStarted(started(1));
    const stored = recorder.record({ jobId: 'job-1', job: 'recorded', status: 'running', attempts: 1, sequence: 5, at: NOW });
    recorder.jobSettled(settled({ ...base(1), status: 'succeeded', durationMs: 3, result: 'ok' }));
    expect(calls.map((call) => call.jobId)).toEqual(['job-2']);
    let storedYet = false;
    void stored.then(() => (storedYet = true));
    held[0]?.resolve();
    await turn();
    // job-1 waited while job-2 was written, so only its newest state goes out.
    expect(calls.map((call) => [call.jobId, call.status])).toEqual([
      ['job-2', 'running'],
      ['job-1', 'succeeded'],
    ]);
    expect(storedYet).toBe(false);
    held[1]?.resolve();
    await turn();
    expect(storedYet).toBe(true);
  });

  it('flush waits for every write in flight', async () => {
    const { recorder, held, state } = setup();
    state.mode = 'hold';
    recorder.jobStarted(started(1));
    recorder.jobStarted(started(2));
    let flushed = false;
    const flushing = recorder.flush().then(() => {
      flushed = true;
    });
    held[0]?.resolve();
    await turn();
    expect(flushed).toBe(false);
    held[1]?.reject(new Error('late failure'));
    await flushing;
    expect(flushed).toBe(true);
    expect(recorder.failed).toBe(1);
    expect(jest.getTimerCount()).toBe(0); // its timeout timer does not outlive it
  });

  it('flush gives up after its timeout when a write never settles', async () => {
    const { recorder, held, state } = setup();
    state.mode = 'hold';
    recorder.jobStarted(started(1));
    let flushed = false;
    const flushing = recorder.flush(1_000).then(() => {
      flushed = true;
    });
    await jest.advanceTimersByTimeAsync(999);
    await turn();
    expect(flushed).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    await flushing;
    expect(flushed).toBe(true);
    expect(held).toHaveLength(1);
    expect(jest.getTimerCount()).toBe(0);
  });
});
