import { jobIdOf } from '../../src/jobs/message-attributes';
import { job as recordRun } from '../fixtures/handlers/record-run';
import { FIXTURE_HANDLERS, spawnCli } from '../helpers/child-process';
import { useProcessBackends } from '../helpers/process-backends';
import { drainQueue, sqsEndpoint } from '../helpers/sqs';

/** `sqs-jobs api` as its own process (as in docker compose): real HTTP, real SQS, real store. */
describe('API process', () => {
  const backends = useProcessBackends([recordRun]);

  it('serves 202s with API keys, and exits 0 on SIGTERM', async () => {
    const api = spawnCli(['api', '--provision'], {
      SQS_ENDPOINT: sqsEndpoint(),
      QUEUE_PREFIX: backends.queues().prefix,
      HANDLERS_DIR: FIXTURE_HANDLERS,
      JOB_TABLE: backends.tableName,
      PORT: '0',
      API_KEYS: 'e2e-key-0123456789',
    });
    const ready = await api.waitForLog('the API to listen', (line) => line.msg === 'API listening');
    const url = String(ready.url);
    const post = (authorization?: string) =>
      fetch(`${url}/api/v1/jobs/record-run`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
        body: JSON.stringify({ id: 'from-http' }),
      });
    expect((await post()).status).toBe(401);
    const accepted = await post('Bearer e2e-key-0123456789');
    expect(accepted.status).toBe(202);
    const { jobId } = (await accepted.json()) as { jobId: string };
    const messages = await drainQueue(backends.queues().sqs, backends.queues().directory.get('record-run').queue.url);
    expect(messages.map(jobIdOf)).toEqual([jobId]);

    api.child.kill('SIGTERM');
    expect((await api.exited).code).toBe(0);
  });

  it('refuses to listen beyond loopback without API keys (exit 2, one line)', async () => {
    const api = spawnCli(['api'], { SQS_ENDPOINT: sqsEndpoint(), HANDLERS_DIR: FIXTURE_HANDLERS, HOST: '0.0.0.0', API_KEYS: '' });
    expect((await api.exited).code).toBe(2);
    expect(api.stderr.trim().split('\n')).toEqual([expect.stringContaining('set API_KEYS') as unknown]);
  });
});
