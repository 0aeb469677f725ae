import { killAllSpawned, spawnCli, spawnProcess } from '../helpers/child-process';

/** Unset SQS_ENDPOINT (the test run's emulator) so the stack starts its own embedded one. */
const EMBEDDED = { SQS_ENDPOINT: '', EMBEDDED_SQS_PORT: '0' };

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

    stack.signalGroup('SIGINT');
    await stack.exited;
    expect(stack.lines.map((line) => line.msg)).toContain('worker stopped');
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
});
