import { DeleteQueueCommand, type MessageAttributeValue, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { jobIdOf } from '../../src/jobs/message-attributes';
import { readQueueDepths } from '../../src/sqs/queue-depths';
import { job as recordRun } from '../fixtures/handlers/record-run';
import { FIXTURE_HANDLERS, killAllSpawned, type RunningProcess, spawnCli } from '../helpers/child-process';
import { drainQueue, provisionTestQueues, sqsEndpoint, type TestQueues } from '../helpers/sqs';
import { waitFor } from '../helpers/wait-for';

const text = (value: string): MessageAttributeValue => ({ DataType: 'String', StringValue: value });

/** `sqs-jobs redrive` as operators run it: real child processes against the emulator, real signals. */
describe('operator CLI: redrive', () => {
  let test: TestQueues;
  const cli = (args: string[]) => spawnCli(args, { SQS_ENDPOINT: sqsEndpoint(), QUEUE_PREFIX: test.prefix, HANDLERS_DIR: FIXTURE_HANDLERS });
  const queues = () => test.directory.get('record-run');
  const depths = (url: string) => readQueueDepths(test.sqs, url, 5_000);

  beforeEach(async () => {
    test = await provisionTestQueues([recordRun]);
  });
  afterEach(async () => {
    await killAllSpawned();
    await test.cleanup();
  });

  async function putDeadLetters(count: number): Promise<string[]> {
    const jobIds = Array.from({ length: count }, (_unused, index) => `job-${index}`);
    const batches: string[][] = [];
    for (let start = 0; start < count; start += 10) batches.push(jobIds.slice(start, start + 10));
    for (let start = 0; start < batches.length; start += 10) {
      await Promise.all(
        batches.slice(start, start + 10).map((batch) =>
          test.sqs.send(
            new SendMessageBatchCommand({
              QueueUrl: queues().dlq.url,
              Entries: batch.map((jobId, index) => ({
                Id: String(index),
                MessageBody: JSON.stringify({ id: jobId }),
                MessageAttributes: {
                  'job-id': text(jobId),
                  'error-code': text(index % 2 === 0 ? 'timeout' : 'partner-rejected'),
                  'error-message': text(`failed ${jobId}`),
                  attempts: { DataType: 'Number', StringValue: '3' },
                  'failed-at': text(new Date().toISOString()),
                  'source-queue': text(queues().queue.name),
                },
              })),
            }),
          ),
        ),
      );
    }
    return jobIds;
  }

  /** The highest "moved n" the process has reported on stderr so far. */
  const reportedMoved = (run: RunningProcess) => Math.max(0, ...[...run.stderr.matchAll(/redrive record-run: moved (\d+)\//g)].map((match) => Number(match[1])));

  it('killed with SIGKILL halfway and run again: every message ends in the job queue, none lost', async () => {
    const jobIds = await putDeadLetters(1000);

    const first = cli(['redrive', 'record-run', '--rate', '200', '--visibility-timeout', '2']);
    await Promise.race([
      waitFor('the first run to report 400 moved', () => reportedMoved(first) >= 400, { timeoutMs: 30_000 }),
      first.exited.then(() => {
        throw new Error(`redrive ended before it was killed; stderr: ${first.stderr}`);
      }),
    ]);
    const movedBeforeKill = reportedMoved(first);
    first.signalGroup('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');
    expect(reportedMoved(first)).toBeLessThan(1000);

    // The batch the killed run held is hidden for its 2 s visibility timeout; a run meanwhile moves
    // everything else and says so on stderr. Operators run it again, and so does the test.
    const reruns: Record<string, unknown>[] = [];
    await waitFor(
      'reruns to empty the DLQ',
      async () => {
        const rerun = cli(['redrive', 'record-run', '--json']);
        expect((await rerun.closed).code).toBe(0);
        reruns.push(JSON.parse(rerun.stdout) as Record<string, unknown>);
        const left = await depths(queues().dlq.url);
        return left.visible + left.in_flight === 0;
      },
      { timeoutMs: 20_000 },
    );
    for (const summary of reruns) {
      expect(summary).toMatchObject({ job: 'record-run', mode: 'client-side', failed: 0, dryRun: false, interrupted: false });
    }

    const arrived = (await drainQueue(test.sqs, queues().queue.url)).map(jobIdOf);
    const duplicates = arrived.length - new Set(arrived).size;
    process.stdout.write(`redrive killed after ~${movedBeforeKill} moved, then ${reruns.length} rerun(s): ${arrived.length} messages, ${new Set(arrived).size} distinct job ids, ${duplicates} duplicate(s)\n`);
    expect(new Set(arrived)).toEqual(new Set(jobIds));
    expect(duplicates).toBeLessThanOrEqual(10);
    expect(await depths(queues().dlq.url)).toEqual({ visible: 0, in_flight: 0, delayed: 0 });
  });

  it('Ctrl-C finishes the batch in flight, releases the rest, prints the summary and exits 130', async () => {
    await putDeadLetters(300);

    const run = cli(['redrive', 'record-run', '--rate', '100', '--json']);
    await waitFor('progress on stderr', () => reportedMoved(run) >= 50, { timeoutMs: 30_000 });
    run.signalGroup('SIGINT');
    expect((await run.closed).code).toBe(130);

    const summary = JSON.parse(run.stdout) as { moved: number; interrupted: boolean };
    expect(summary.interrupted).toBe(true);
    expect(summary.moved).toBeLessThan(300);
    expect(await drainQueue(test.sqs, queues().queue.url)).toHaveLength(summary.moved);
    expect(await depths(queues().dlq.url)).toEqual({ visible: 300 - summary.moved, in_flight: 0, delayed: 0 });
  });

  it('--filter and --dry-run from the command line: human output, nothing moved by the dry run', async () => {
    await putDeadLetters(20);

    const dry = cli(['redrive', 'record-run', '--dry-run', '--filter', 'error-code=timeout']);
    expect((await dry.closed).code).toBe(0);
    expect(dry.stdout).toContain('record-run: would move 10 (dry run, nothing moved); 10 skipped by filters, 0 failed');
    expect(await depths(queues().dlq.url)).toEqual({ visible: 20, in_flight: 0, delayed: 0 });

    const moved = cli(['redrive', 'record-run', '--filter', 'error-code=timeout']);
    expect((await moved.closed).code).toBe(0);
    expect(moved.stdout).toBe('record-run: moved 10 (client-side); 10 skipped by filters, 0 failed\n');
    expect(await depths(queues().dlq.url)).toEqual({ visible: 10, in_flight: 0, delayed: 0 });
  });

  it.each([
    [['redrive', 'no-such-job'], "unknown job 'no-such-job'"],
    [['redrive'], 'either a job name or --all'],
    [['redrive', '--all'], "queue 't"],
  ])('invalid input %j is one line on stderr and exit code 2', async (args, message) => {
    // --all includes the built-in ping job, whose queues this test did not provision.
    const run = cli(args);
    expect((await run.closed).code).toBe(2);
    expect(run.stderr.trim().split('\n')).toEqual([expect.stringContaining(message) as unknown]);
  });

  it('a bad filter is a usage error with exit code 2', async () => {
    const run = cli(['redrive', 'record-run', '--filter', 'colour=red']);
    expect((await run.closed).code).toBe(2);
    expect(run.stderr).toContain("invalid filter 'colour=red': unknown key 'colour'");
    const duration = cli(['redrive', 'record-run', '--filter', 'older-than=soon']);
    expect((await duration.closed).code).toBe(2);
    expect(duration.stderr).toContain("invalid duration 'soon'");
  });

  it('redrive into a deleted source queue is one line on stderr and exit code 2, and the DLQ keeps its messages', async () => {
    await test.sqs.send(new SendMessageBatchCommand({ QueueUrl: queues().dlq.url, Entries: [{ Id: '0', MessageBody: '{"id":"x"}' }] }));
    await test.sqs.send(new DeleteQueueCommand({ QueueUrl: queues().queue.url }));
    const run = cli(['redrive', 'record-run']);
    expect((await run.closed).code).toBe(2);
    expect(run.stderr.trim().split('\n')).toEqual([expect.stringContaining(`queue '${queues().queue.name}' does not exist`) as unknown]);
    expect(await drainQueue(test.sqs, queues().dlq.url)).toHaveLength(1);
  });
});
