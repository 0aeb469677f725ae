import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { job as recordRun } from '../fixtures/handlers/record-run';
import { FIXTURE_HANDLERS, killAllSpawned, spawnCli } from '../helpers/child-process';
import { provisionTestQueues, receiveOnce, sendRaw, sqsEndpoint, type TestQueues } from '../helpers/sqs';

const text = (value: string) => ({ DataType: 'String', StringValue: value });

/** `sqs-jobs queues` and `sqs-jobs dlq` as operators run them: child processes against the emulator. */
describe('operator CLI: queues and dlq', () => {
  let queues: TestQueues;
  const cli = (args: string[]) =>
    spawnCli(args, { SQS_ENDPOINT: sqsEndpoint(), QUEUE_PREFIX: queues.prefix, HANDLERS_DIR: FIXTURE_HANDLERS });

  beforeEach(async () => {
    queues = await provisionTestQueues([recordRun]);
  });
  afterEach(async () => {
    await killAllSpawned();
    await queues.cleanup();
  });

  async function putDeadLetters(count: number): Promise<void> {
    const url = queues.directory.get('record-run').dlq.url;
    for (let index = 0; index < count; index += 1) {
      await sendRaw(queues.sqs, url, JSON.stringify({ id: `dead-${index}` }), {
        'job-id': text(`job-${index}`),
        'error-code': text('partner-rejected'),
        'error-message': text(`order ${index} rejected`),
        attempts: { DataType: 'Number', StringValue: '3' },
        'failed-at': text('2026-11-23T09:00:00.000Z'),
        'source-queue': text(queues.directory.get('record-run').queue.name),
      });
    }
  }

  it('queues --json reports what the test put in, and names queues that do not exist', async () => {
    const { queue } = queues.directory.get('record-run');
    for (let index = 0; index < 3; index += 1) await sendRaw(queues.sqs, queue.url, '{"id":"v"}');
    for (let index = 0; index < 2; index += 1) {
      await queues.sqs.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: '{"id":"d"}', DelaySeconds: 600 }));
    }
    expect(await receiveOnce(queues.sqs, queue.url, { max: 1, visibilityTimeout: 600 })).toHaveLength(1);
    await putDeadLetters(4);

    const run = cli(['queues', '--json']);
    expect((await run.closed).code).toBe(0);
    const rows = JSON.parse(run.stdout) as Record<string, unknown>[];
    expect(rows.find((row) => row.job === 'record-run')).toMatchObject({ visible: 2, inFlight: 1, delayed: 2, dlqVisible: 4, dlqInFlight: 0 });
    expect(rows.find((row) => row.job === 'ping')).toMatchObject({ visible: null, error: expect.stringContaining('does not exist') as unknown });
  });

  it('dlq peek shows dead messages with their errors and leaves them in place', async () => {
    await putDeadLetters(4);
    const run = cli(['dlq', 'peek', 'record-run', '--limit', '3', '--json']);
    expect((await run.closed).code).toBe(0);
    const peeked = JSON.parse(run.stdout) as Record<string, unknown>[];
    expect(peeked).toHaveLength(3);
    expect(peeked[0]).toMatchObject({ errorCode: 'partner-rejected', attempts: '3', failedAt: '2026-11-23T09:00:00.000Z' });
    // Visibility was restored: all four can be received at once.
    expect(await receiveOnce(queues.sqs, queues.directory.get('record-run').dlq.url, { visibilityTimeout: 30 })).toHaveLength(4);
  });

  it('dlq purge refuses without --yes when nobody can confirm, and empties the DLQ with --yes', async () => {
    await putDeadLetters(2);
    const refused = cli(['dlq', 'purge', 'record-run']);
    expect((await refused.exited).code).toBe(2);
    expect(refused.stderr).toContain('refusing to purge without --yes');
    const purged = cli(['dlq', 'purge', 'record-run', '--yes', '--json']);
    expect((await purged.closed).code).toBe(0);
    expect(JSON.parse(purged.stdout)).toEqual({ dlq: queues.directory.get('record-run').dlq.name, approximateCount: 2 });
    expect(await receiveOnce(queues.sqs, queues.directory.get('record-run').dlq.url)).toEqual([]);
  });

  it('an unreachable endpoint is one line on stderr and exit code 1', async () => {
    const run = spawnCli(['--endpoint', 'http://127.0.0.1:1', 'queues'], { HANDLERS_DIR: FIXTURE_HANDLERS });
    expect((await run.exited).code).toBe(1);
    expect(run.stderr.trim().split('\n')).toEqual([expect.stringContaining('cannot reach the SQS endpoint') as unknown]);
  });

  it('an unknown job is one line on stderr and exit code 2', async () => {
    const run = cli(['dlq', 'peek', 'no-such-job']);
    expect((await run.exited).code).toBe(2);
    expect(run.stderr.trim().split('\n')).toEqual([expect.stringContaining("unknown job 'no-such-job'") as unknown]);
  });
});
