import { appendFileSync } from 'node:fs';
import type { JobContext } from '../../src/jobs/job-context';

/**
 * Appends one JSON line per handler start/end to RUN_LOG, so a test can count runs across worker
 * processes. Lines are far below PIPE_BUF and written with O_APPEND, so concurrent writers from
 * several processes never interleave inside a line.
 */
export function recordRunEvent(event: 'start' | 'end', id: string, ctx: JobContext): void {
  const line = JSON.stringify({ event, id, jobId: ctx.jobId, attempt: ctx.attempt, pid: process.pid, at: Date.now() });
  appendFileSync(process.env.RUN_LOG ?? '/dev/null', `${line}\n`);
}

/** Resolves after `ms`, or rejects with the signal's reason when the job is aborted first. */
export function sleepUnlessAborted(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(signal.reason as Error);
    });
  });
}

/** The body of the recording fixture jobs: a start line, `sleepMs` (abortable), an end line. */
export async function recordedSleep(payload: { id: string; sleepMs: number }, ctx: JobContext): Promise<void> {
  recordRunEvent('start', payload.id, ctx);
  await sleepUnlessAborted(payload.sleepMs, ctx.signal);
  recordRunEvent('end', payload.id, ctx);
}
