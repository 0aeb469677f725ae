import { setTimeout as sleep } from 'node:timers/promises';
import { FAULT_API_KEY } from './fault-stack';

export interface Submission {
  index: number;
  /** HTTP status, or 0 when no answer came (connection refused, reset, timeout). */
  status: number;
  jobId?: string;
  errorCode?: string;
  sentAt: number;
  answeredAt: number;
}

export interface LoadOptions {
  apiUrl: string;
  job: string;
  count: number;
  concurrency: number;
  payload: (index: number) => unknown;
  /** Paces submissions to this many per second; unpaced when absent. */
  ratePerSecond?: number;
  /** Stops submitting new jobs (those in flight still finish). */
  signal?: AbortSignal;
}

export interface RunningLoad {
  /** Filled in as answers arrive, so a scenario can act while the load flows. */
  readonly results: Submission[];
  readonly done: Promise<Submission[]>;
}

/** Posts jobs to the API as clients would, keeping `concurrency` requests in flight. */
export function startLoad(options: LoadOptions): RunningLoad {
  const results: Submission[] = [];
  let next = 0;
  const startedAt = performance.now();
  const submitOne = async (index: number): Promise<void> => {
    if (options.ratePerSecond) {
      const due = startedAt + (index * 1000) / options.ratePerSecond;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
    }
    const sentAt = Date.now();
    try {
      const response = await fetch(`${options.apiUrl}/api/v1/jobs/${options.job}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${FAULT_API_KEY}` },
        body: JSON.stringify(options.payload(index)),
        signal: AbortSignal.timeout(15_000),
      });
      const body = (await response.json()) as { jobId?: string; error?: { code?: string } };
      results.push({ index, status: response.status, jobId: body.jobId, errorCode: body.error?.code, sentAt, answeredAt: Date.now() });
    } catch (error) {
      results.push({ index, status: 0, errorCode: (error as Error).name, sentAt, answeredAt: Date.now() });
    }
  };
  const lane = async (): Promise<void> => {
    while (next < options.count && !options.signal?.aborted) await submitOne(next++);
  };
  const done = Promise.all(Array.from({ length: options.concurrency }, lane)).then(() => results);
  return { results, done };
}

export function acceptedJobIds(results: readonly Submission[]): string[] {
  return results.filter((result) => result.status === 202 && result.jobId !== undefined).map((result) => result.jobId ?? '');
}
