import { enqueueJob } from '../../src/jobs/enqueue';
import { resolveQueues } from '../../src/queues/provisioning';
import { createSqsClient } from '../../src/sqs/client';
import { job as logMessage } from '../../handlers/log-message';
import { killAllSpawned, spawnCli, spawnProcess } from '../helpers/child-process';
import { waitFor } from '../helpers/wait-for';

/** Unset the test run's endpoints so the stack starts its own embedded emulators, on free ports. */
const EMBEDDED = { SQS_ENDPOINT: '', EMBEDDED_SQS_PORT: '0', DYNAMODB_ENDPOINT: '', EMBEDDED_DYNAMODB_PORT: '0', PORT: '0' };

/** `npm start` as a user runs it: embedded emulator, provisioning, workers; Ctrl-C stops it. */
describe('npm start (embedded stack)', () => {
  afterEach(killAllSpawned);

  it('starts the emulator and workers, runs an enqueued job, and shuts down cleanly on Ctrl-C', async () => {
    const stack = spawnProcess('npm', ['start', '--silent'], EMBEDDED);
    const ready = await stack.waitForLog('the stack to be ready', (line) => line.msg === 'sqs-jobs ready', 40_000);
    const endpoint = String(ready.endpoint);
    expect(endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(ready.jobs).toEqual(expect.arrayContaining(['log-message', 'send-welcome-email', 'deliver-webhook', 'generate-report']));

    const enqueue = spawnCli(['--endpoint', endpoint, 'enqueue', 'log-message', '{"text":"hello from e2e"}', '--json']);
    expect((await enqueue.exited).code).toBe(0);
    const { jobId } = enqueue.lines[0] as { jobId: string };
    await stack.waitForLog('the job to succeed', (line) => line.msg === 'job succeeded' && line.jobId === jobId);
    expect(stack.lines.find((line) => line.msg === 'log-message' && line.jobId === jobId)).toMatchObject({ text: 'hello from e2e' });

    // The same stack serves the HTTP API: 202, then the status the worker recorded.
    const api = String(ready.api);
    const accepted = await fetch(`${api}/api/v1/jobs/log-message`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'hello over HTTP' }),
    });
    expect(accepted.status).toBe(202);
    const { statusUrl } = (await accepted.json()) as { statusUrl: string };
    await waitFor('the HTTP job to succeed', async () => {
      const status = (await (await fetch(`${api}${statusUrl}`)).json()) as { status: string };
      return status.status === 'succeeded';
    });

    stack.signalGroup('SIGINT');
    const exit = await stack.exited;
    // The whole ending, when it is not the expected one: these runs are hard to reproduce.
    const ending = { exit, lastLines: stack.lines.slice(-8), stderr: stack.stderr.slice(-2_000) };
    expect({ ...ending, stopped: stack.lines.some((line) => line.msg === 'worker stopped') }).toMatchObject({ stopped: true });
    expect(stack.lines.map((line) => line.msg)).not.toContain('second signal: exiting without waiting');
  }, 60_000);

  it('a second stack on the same port fails with a clear message and exit code 1', async () => {
    const stack = spawnCli(['start'], EMBEDDED);
    const ready = await stack.waitForLog('the stack to be ready', (line) => line.msg === 'sqs-jobs ready', 40_000);
    const port = new URL(String(ready.endpoint)).port;
    const second = spawnCli(['start'], { ...EMBEDDED, EMBEDDED_SQS_PORT: port });
    expect((await second.exited).code).toBe(1);
    expect(second.stderr).toContain(`port ${port} on 127.0.0.1 is in use`);
    expect(second.stderr).not.toMatch(/\n\s+at /);
    stack.signalGroup('SIGTERM');
    expect((await stack.exited).code).toBe(0);
  }, 60_000);

  it('a second `start` pointed at the first one\'s endpoint shares the work without running any job twice', async () => {
    const first = spawnCli(['start'], EMBEDDED);
    const ready = await first.waitForLog('the first stack', (line) => line.msg === 'sqs-jobs ready', 40_000);
    const endpoint = String(ready.endpoint);
    const second = spawnCli(['start'], { SQS_ENDPOINT: endpoint, DYNAMODB_ENDPOINT: String(ready.store), PORT: '0' });
    await second.waitForLog('the second stack', (line) => line.msg === 'sqs-jobs ready', 40_000);
    expect(second.lines.some((line) => typeof line.msg === 'string' && line.msg.startsWith('embedded'))).toBe(false);

    const sqs = createSqsClient({ endpoint, region: 'us-east-1' });
    const url = (await resolveQueues(sqs, [logMessage], '')).get('log-message').queue.url;
    const sent = await Promise.all(Array.from({ length: 60 }, (_, index) => enqueueJob(sqs, url, logMessage, { text: `m${index}` })));
    sqs.destroy();
    const succeeded = () => [...first.lines, ...second.lines].filter((line) => line.msg === 'job succeeded').map((line) => line.jobId);
    await waitFor('60 jobs to succeed', () => succeeded().length >= 60, { timeoutMs: 20_000 });

    expect(new Set(succeeded())).toEqual(new Set(sent.map((result) => result.jobId)));
    expect(succeeded()).toHaveLength(60);
    second.child.kill('SIGTERM');
    first.child.kill('SIGTERM');
    expect((await second.exited).code).toBe(0);
    expect((await first.exited).code).toBe(0);
  }, 60_000);
});
