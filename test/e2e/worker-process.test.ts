import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { enqueueJob } from '../../src/jobs/enqueue';
import { DynamoJobStore } from '../../src/store/dynamo-job-store';
import { job as recordRun } from '../fixtures/handlers/record-run';
import { FIXTURE_HANDLERS, killAllSpawned, readRunLog, spawnCli, type RunRecord } from '../helpers/child-process';
import { testDynamoClient, uniqueTableName } from '../helpers/dynamo';
import { sampleValue } from '../helpers/prometheus';
import { drainQueue, provisionTestQueues, sqsEndpoint, type TestQueues } from '../helpers/sqs';
import { waitFor } from '../helpers/wait-for';

/** Worker processes (`sqs-jobs worker`) against the test run's SQS endpoint, each test on its own queues. */
describe('worker processes', () => {
  let queues: TestQueues;
  let runLog: string;
  let directory: string;

  beforeEach(async () => {
    queues = await provisionTestQueues([recordRun]);
    directory = mkdtempSync(join(tmpdir(), 'sqs-jobs-e2e-'));
    runLog = join(directory, 'runs.ndjson');
  });

  afterEach(async () => {
    await killAllSpawned();
    await queues.cleanup();
    rmSync(directory, { recursive: true, force: true });
  });

  function startWorker(extraArgs: string[] = []) {
    return spawnCli(['worker', '--jobs', 'record-run', ...extraArgs], {
      SQS_ENDPOINT: sqsEndpoint(),
      QUEUE_PREFIX: queues.prefix,
      HANDLERS_DIR: FIXTURE_HANDLERS,
      RUN_LOG: runLog,
      WORKER_WAIT_TIME_SECONDS: '1',
    });
  }

  async function enqueueMany(count: number, sleepMs: number): Promise<string[]> {
    const url = queues.directory.get('record-run').queue.url;
    const sent = await Promise.all(
      Array.from({ length: count }, (_, index) => enqueueJob(queues.sqs, url, recordRun, { id: `job-${index}`, sleepMs })),
    );
    return sent.map((result) => result.jobId);
  }

  const ended = (records: RunRecord[]) => records.filter((record) => record.event === 'end');

  it('SIGTERM: in-flight jobs finish, the rest stay queued and visible, exit code 0', async () => {
    const worker = startWorker(['--concurrency', '3']);
    await worker.waitForLog('the worker to be ready', (line) => line.msg === 'worker ready');
    const jobIds = await enqueueMany(10, 1500);
    await waitFor('3 jobs to start', () => readRunLog(runLog).length === 3);
    worker.child.kill('SIGTERM');
    expect((await worker.exited).code).toBe(0);

    const finished = ended(readRunLog(runLog));
    expect(finished).toHaveLength(3);
    expect(readRunLog(runLog).filter((record) => record.event === 'start')).toHaveLength(3);
    // Everything not finished is immediately receivable: nothing lost, nothing stuck in flight.
    const remaining = await drainQueue(queues.sqs, queues.directory.get('record-run').queue.url);
    const remainingIds = remaining.map((message) => message.MessageAttributes?.['job-id']?.StringValue);
    expect(new Set([...finished.map((record) => record.jobId), ...remainingIds])).toEqual(new Set(jobIds));
    expect(remaining).toHaveLength(7);
  }, 30_000);

  it('kill -9 mid-job loses nothing: the message reappears and another worker completes it', async () => {
    const doomed = startWorker();
    await doomed.waitForLog('the worker to be ready', (line) => line.msg === 'worker ready');
    const [jobId] = await enqueueMany(1, 60_000);
    await waitFor('the job to start', () => readRunLog(runLog).length === 1);
    doomed.child.kill('SIGKILL');
    await doomed.exited;

    const rescuer = startWorker();
    await waitFor('the job to be redelivered', () => readRunLog(runLog).find((record) => record.attempt === 2), { timeoutMs: 10_000 });
    const records = readRunLog(runLog);
    expect(records.map((record) => [record.jobId, record.attempt, record.event])).toEqual([
      [jobId, 1, 'start'],
      [jobId, 2, 'start'],
    ]);
    rescuer.child.kill('SIGTERM');
    await rescuer.exited;
  }, 30_000);

  it('two worker processes on one endpoint run each job exactly once', async () => {
    const workers = [startWorker(), startWorker()];
    await Promise.all(workers.map((worker) => worker.waitForLog('the worker to be ready', (line) => line.msg === 'worker ready')));
    const jobIds = await enqueueMany(100, 10);
    await waitFor('100 jobs to finish', () => ended(readRunLog(runLog)).length >= 100, { timeoutMs: 20_000 });
    for (const worker of workers) worker.child.kill('SIGTERM');
    await Promise.all(workers.map((worker) => worker.exited));

    const finished = ended(readRunLog(runLog));
    expect(finished).toHaveLength(100);
    expect(new Set(finished.map((record) => record.jobId))).toEqual(new Set(jobIds));
    expect(new Set(finished.map((record) => record.pid)).size).toBe(2);
  }, 40_000);

  it('a worker whose queues were never provisioned exits 2 and says how to fix it', async () => {
    const worker = spawnCli(['worker', '--jobs', 'record-run'], {
      SQS_ENDPOINT: sqsEndpoint(),
      QUEUE_PREFIX: 'never-made-',
      HANDLERS_DIR: FIXTURE_HANDLERS,
    });
    expect((await worker.exited).code).toBe(2);
    expect(worker.stderr).toContain("queue 'never-made-record-run' does not exist on this endpoint; run `npm run provision` first");
  });

  it('records job status in the store and serves /metrics on METRICS_PORT', async () => {
    const tableName = uniqueTableName();
    const worker = spawnCli(['worker', '--jobs', 'record-run', '--provision'], {
      SQS_ENDPOINT: sqsEndpoint(),
      QUEUE_PREFIX: queues.prefix,
      HANDLERS_DIR: FIXTURE_HANDLERS,
      RUN_LOG: runLog,
      WORKER_WAIT_TIME_SECONDS: '1',
      JOB_TABLE: tableName,
      METRICS_PORT: '0',
    });
    const ready = await worker.waitForLog('the worker to be ready', (line) => line.msg === 'worker ready');
    const [jobId] = await enqueueMany(1, 0);
    const client = testDynamoClient();
    const store = new DynamoJobStore({ client, tableName, jobTtlSeconds: 600 });
    try {
      await waitFor('the job status to be succeeded', async () => (await store.getJob(jobId ?? ''))?.status === 'succeeded');
      const metrics = await (await fetch(`${String(ready.metrics)}/metrics`)).text();
      expect(sampleValue(metrics, 'sqs_jobs_jobs_succeeded_total', { job: 'record-run' })).toBe(1);
      worker.child.kill('SIGTERM');
      expect((await worker.exited).code).toBe(0);
    } finally {
      await client.send(new DeleteTableCommand({ TableName: tableName })).catch(() => undefined);
      store.close();
    }
  });
});
