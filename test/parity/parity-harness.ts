import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { enqueueJobBatch } from '../../src/jobs/enqueue-batch';
import { job as parityJob } from '../fixtures/parity-handlers/parity';
import { provisionTestQueues, type TestQueues } from '../helpers/sqs';
import type { ParityHarness, ParityPayload } from './parity-scenarios';

export { parityJob };

/** The parity job's own queues on the test run's emulator, a run log, and SDK batch enqueue. */
export async function emulatorParityHarness(): Promise<ParityHarness & { queues: TestQueues; cleanup(): Promise<void> }> {
  const queues = await provisionTestQueues([parityJob]);
  const directory = mkdtempSync(join(tmpdir(), 'sqs-jobs-parity-'));
  const { queue, dlq } = queues.directory.get('parity');
  return {
    sqs: queues.sqs,
    queues,
    queueUrl: queue.url,
    dlqUrl: dlq.url,
    runLog: join(directory, 'runs.ndjson'),
    async enqueueBatch(payloads: readonly ParityPayload[]) {
      const results = await enqueueJobBatch(queues.sqs, queue.url, parityJob, payloads.map((payload) => ({ payload })));
      return results.map((result) => (result.status === 'queued' ? result.jobId : `not queued: ${result.status}`));
    },
    async cleanup() {
      await queues.cleanup();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
