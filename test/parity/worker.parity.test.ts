import { Worker } from '../../src/runtime/worker';
import { captureLogger } from '../helpers/capture-logger';
import { emulatorParityHarness, parityJob } from './parity-harness';
import { describeParityScenarios } from './parity-scenarios';

/** Parity leg (a): the long-running worker (sqs-consumer pollers) on the emulator. */
let harness: Awaited<ReturnType<typeof emulatorParityHarness>>;
let worker: Worker;

beforeAll(async () => {
  harness = await emulatorParityHarness();
  process.env.RUN_LOG = harness.runLog;
  worker = new Worker({ sqs: harness.sqs, jobs: [parityJob], directory: harness.queues.directory, logger: captureLogger().logger, waitTimeSeconds: 1 });
  worker.start();
});
afterAll(async () => {
  await worker.stop();
  await harness.cleanup();
});

describeParityScenarios('worker runtime', () => harness);
