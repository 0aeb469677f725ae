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
 * One 'abort' listener per stop signal, fanning out to the jobs running under it: a worker runs
 * thousands of jobs a second under one signal, and EventTarget listeners cost more than a Set.
 */
const stopWatchers = new WeakMap<AbortSignal, Set<() => void>>();

function onStop(signal: AbortSignal, callback: () => void): () => void {
  let watchers = stopWatchers.get(signal);
  if (!watchers) {
    const created = new Set<() => void>();
    watchers = created;
    stopWatchers.set(signal, created);
    signal.addEventListener('abort', () => {
      for (const watcher of [...created]) watcher();
    }, { once: true });
  }
  watchers.add(callback);
  return () => watchers.delete(callback);
}

/**
 * Runs the handler against its timeout and the worker's stop signal. The verdict does not wait for
 * a handler that ignores its AbortSignal: a job past its timeout is failed at the deadline, and its
 * late result or rejection is swallowed. The handler's AbortController is made only when the
 * handler reads `ctx.signal` (most no-op-fast jobs never do); one read after the abort still gets
 * an aborted signal with the reason.
 */
export async function runHandler(
  job: AnyJob,
  payload: unknown,
  buildContext: (signal: () => AbortSignal) => JobContext,
  stopSignal: AbortSignal | undefined,
): Promise<HandlerRun> {
  if (stopSignal?.aborted) return { kind: 'stopped' };
  let controller: AbortController | undefined;
  let abortReason: Error | undefined;
  let rejectRun: (reason: Error) => void = () => undefined;
  const aborted = new Promise<never>((_, reject) => (rejectRun = reject));
  aborted.catch(() => undefined);
  const abort = (reason: Error) => {
    if (abortReason) return;
    abortReason = reason;
    controller?.abort(reason);
    rejectRun(reason);
  };
  const signal = () => {
    controller ??= new AbortController();
    if (abortReason && !controller.signal.aborted) controller.abort(abortReason);
    return controller.signal;
  };
  const timer = setTimeout(() => {
    abort(new JobTimeoutError(job.timeoutSeconds));
  }, job.timeoutSeconds * 1000);
  const stopWatching = stopSignal ? onStop(stopSignal, () => abort(new WorkerStoppingError())) : undefined;
  const handled = Promise.resolve().then(() => job.handler(payload, buildContext(signal)));
  handled.catch(() => undefined);
  try {
    return { kind: 'completed', result: await Promise.race([handled, aborted]) };
  } catch (error) {
    // A handler that rejects because its signal fired reports the signal's reason, not an AbortError.
    const reason: unknown = abortReason ?? error;
    if (reason instanceof WorkerStoppingError) return { kind: 'stopped' };
    return { kind: 'failed', error: reason };
  } finally {
    clearTimeout(timer);
    stopWatching?.();
  }
}
