import { randomUUID } from 'node:crypto';
import { createEnqueue } from '../../src/jobs/enqueue';
import { SqsLambdaBridge } from '../../src/lambda/sqs-bridge';
import { planJobLambda } from '../../src/lambda/serverless-config';
import { toLambda } from '../../src/lambda/to-lambda';
import { captureLogger } from '../helpers/capture-logger';
import { emulatorParityHarness, parityJob } from './parity-harness';
import { describeParityScenarios } from './parity-scenarios';

/**
 * Parity leg (b): the handler from toLambda, invoked with real SQS events — batches the bridge
 * receives from the emulator, deleted or left exactly as the response says, as Lambda's event
 * source mapping does — with a context whose remaining time is the function's timeout.
 */
let harness: Awaited<ReturnType<typeof emulatorParityHarness>>;
let bridge: SqsLambdaBridge;

beforeAll(async () => {
  harness = await emulatorParityHarness();
  process.env.RUN_LOG = harness.runLog;
  const { logger } = captureLogger();
  const queues = harness.queues.directory.get('parity');
  const plan = planJobLambda(parityJob);
  const handler = toLambda(parityJob, {
    runtime: () => Promise.resolve({ sqs: harness.sqs, queues, logger, enqueue: createEnqueue(harness.sqs, harness.queues.directory) }),
  });
  bridge = new SqsLambdaBridge({
    sqs: harness.sqs,
    logger,
    region: 'us-east-1',
    waitTimeSeconds: 1,
    invoke: (_name, event) => {
      const deadline = Date.now() + plan.functionTimeoutSeconds * 1000;
      return handler(event, { awsRequestId: randomUUID(), getRemainingTimeInMillis: () => deadline - Date.now() });
    },
    functions: [
      {
        functionName: 'parity',
        queueUrl: queues.queue.url,
        queueArn: queues.queue.arn,
        batchSize: parityJob.lambda.batchSize,
        maximumConcurrency: parityJob.lambda.maximumConcurrency,
        visibilityTimeoutSeconds: plan.queueVisibilityTimeoutSeconds,
      },
    ],
  });
  bridge.start();
});
afterAll(async () => {
  await bridge.stop();
  await harness.cleanup();
});

describeParityScenarios('Lambda adapter', () => harness);
