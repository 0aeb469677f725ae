import type { JobContext } from '../../src/jobs/job-context';
import { captureLogger } from './capture-logger';

export interface TestJobContext extends JobContext {
  /** Lines the handler logged, parsed from pino's JSON output. */
  readonly logs: Record<string, unknown>[];
  /** How many times the handler called ctx.heartbeat(). */
  readonly heartbeats: number;
  /** Aborts ctx.signal, as a timeout or a forced shutdown would. */
  abort(reason?: unknown): void;
}

/**
 * A JobContext for calling a handler directly in a test, without SQS. ctx.enqueue rejects unless
 * overridden; pass `overrides` to change any field.
 */
export function testJobContext(overrides: Partial<JobContext> = {}): TestJobContext {
  const controller = new AbortController();
  const { logger, lines } = captureLogger();
  let heartbeats = 0;
  const base: JobContext = {
    jobName: 'test-job',
    jobId: 'test-job-id',
    attempt: 1,
    maxAttempts: 3,
    messageId: 'test-message-id',
    logger,
    signal: controller.signal,
    heartbeat: () => {
      heartbeats += 1;
      return Promise.resolve();
    },
    enqueue: () => Promise.reject(new Error('ctx.enqueue not configured in this test')),
  };
  return {
    ...base,
    ...overrides,
    logs: lines,
    get heartbeats() {
      return heartbeats;
    },
    abort(reason?: unknown) {
      controller.abort(reason);
    },
  };
}
