import { JobTimeoutError } from '../errors';
import type { AnyJob } from '../jobs/define-job';
import type { JobContext } from '../jobs/job-context';

/** The abort reason when a worker's shutdown deadline interrupts a job. */
export class WorkerStoppingError extends Error {
  constructor() {
    super('worker is stopping; job released for another worker');
    this.name = 'WorkerStoppingError';
  }
}

export type HandlerRun =
  | { kind: 'completed'; result: unknown }
  | { kind: 'failed'; error: unknown }
  | { kind: 'stopped' };

/**
 * Runs the handler against its timeout and the worker's stop signal. The verdict does not wait for
 * a handler that ignores its AbortSignal: a job past its timeout is failed at the deadline, and its
 * late result or rejection is swallowed.
 */
export async function runHandler(
  job: AnyJob,
  payload: unknown,
  buildContext: (signal: AbortSignal) => JobContext,
  stopSignal: AbortSignal | undefined,
): Promise<HandlerRun> {
  if (stopSignal?.aborted) return { kind: 'stopped' };
  const controller = new AbortController();
  const timer = setTimeout(() => {
    controller.abort(new JobTimeoutError(job.timeoutSeconds));
  }, job.timeoutSeconds * 1000);
  const onStop = () => {
    controller.abort(new WorkerStoppingError());
  };
  stopSignal?.addEventListener('abort', onStop, { once: true });
  const aborted = new Promise<never>((_, reject) => {
    controller.signal.addEventListener('abort', () => {
      reject(controller.signal.reason as Error);
    }, { once: true });
  });
  aborted.catch(() => undefined);
  const handled = Promise.resolve().then(() => job.handler(payload, buildContext(controller.signal)));
  handled.catch(() => undefined);
  try {
    return { kind: 'completed', result: await Promise.race([handled, aborted]) };
  } catch (error) {
    // A handler that rejects because its signal fired reports the signal's reason, not an AbortError.
    const reason: unknown = controller.signal.aborted ? controller.signal.reason : error;
    if (reason instanceof WorkerStoppingError) return { kind: 'stopped' };
    return { kind: 'failed', error: reason };
  } finally {
    clearTimeout(timer);
    stopSignal?.removeEventListener('abort', onStop);
  }
}
