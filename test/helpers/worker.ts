import type { AnyJob } from '../../src/jobs/define-job';
import { Worker, type WorkerOptions } from '../../src/runtime/worker';
import { captureLogger } from './capture-logger';
import type { TestQueues } from './sqs';

export interface TestWorker {
  worker: Worker;
  lines: Record<string, unknown>[];
  stop(): Promise<void>;
}

/** A started in-process Worker on the test's queues with short long-polls and captured logs. */
export function startTestWorker(queues: TestQueues, jobs: readonly AnyJob[], options: Partial<WorkerOptions> = {}): TestWorker {
  const { logger, lines } = captureLogger('info');
  const worker = new Worker({
    sqs: queues.sqs,
    jobs,
    directory: queues.directory,
    logger,
    waitTimeSeconds: 1,
    shutdownTimeoutSeconds: 10,
    ...options,
  });
  worker.start();
  return { worker, lines, stop: () => worker.stop() };
}
