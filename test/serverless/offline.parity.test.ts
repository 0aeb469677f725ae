import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveQueues } from '../../src/queues/provisioning';
import { job as parityJob } from '../fixtures/parity-handlers/parity';
import { killAllSpawned, PROJECT_ROOT, type RunningProcess, spawnCli } from '../helpers/child-process';
import { dynamoEndpoint } from '../helpers/dynamo';
import { sqsEndpoint, testSqsClient } from '../helpers/sqs';
import { describeParityScenarios, type ParityHarness } from '../parity/parity-scenarios';

const API_KEY = 'offline-parity-key-0123456789';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        resolve(typeof address === 'object' && address ? address.port : 0);
      });
    });
  });
}

/**
 * Parity leg (c): `sqs-jobs offline` (npm run offline) as a child process — serverless offline
 * with the bundled functions, and the SQS → Lambda bridge — on the test run's emulators. Jobs go
 * in as clients send them: an HTTP POST through API Gateway emulation to the API function.
 */
let harness: ParityHarness;
let offline: RunningProcess;
const directory = mkdtempSync(join(tmpdir(), 'sqs-jobs-offline-'));

beforeAll(async () => {
  const stage = `p${randomBytes(3).toString('hex')}`;
  const [httpPort, lambdaPort] = [await freePort(), await freePort()];
  const runLog = join(directory, 'runs.ndjson');
  offline = spawnCli(['offline', '--stage', stage, '--http-port', String(httpPort), '--lambda-port', String(lambdaPort)], {
    SQS_ENDPOINT: sqsEndpoint(),
    DYNAMODB_ENDPOINT: dynamoEndpoint(),
    HANDLERS_DIR: join(PROJECT_ROOT, 'test', 'fixtures', 'parity-handlers'),
    RUN_LOG: runLog,
    API_KEYS: API_KEY,
  });
  const ready = await offline.waitForLog('serverless offline to be ready', (line) => line.msg === 'serverless offline ready', 170_000);
  const apiUrl = String(ready.api);
  const sqs = testSqsClient();
  const { queue, dlq } = (await resolveQueues(sqs, [parityJob], `${stage}-`)).get('parity');
  harness = {
    sqs,
    queueUrl: queue.url,
    dlqUrl: dlq.url,
    runLog,
    async enqueueBatch(payloads) {
      const response = await fetch(`${apiUrl}/api/v1/jobs/parity/batch`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${API_KEY}` },
        body: JSON.stringify({ items: payloads.map((payload) => ({ payload })) }),
      });
      if (response.status !== 202) throw new Error(`enqueue answered ${response.status}: ${await response.text()}`);
      const body = (await response.json()) as { results: { jobId?: string }[] };
      return body.results.map((result) => result.jobId ?? '');
    },
  };
}, 180_000);
afterAll(async () => {
  harness.sqs.destroy();
  await killAllSpawned();
  rmSync(directory, { recursive: true, force: true });
});

describeParityScenarios('serverless offline', () => harness);

it('stops cleanly on Ctrl-C: bridge, serverless offline and emulators, exit code 0', async () => {
  offline.signalGroup('SIGINT');
  expect((await offline.exited).code).toBe(0);
});
