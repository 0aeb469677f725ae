import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import type { Message, SQSClient } from '@aws-sdk/client-sqs';
import { loadRegistry } from '../../../src/jobs/registry';
import { type QueueDirectory, resolveQueues } from '../../../src/queues/provisioning';
import { readQueueDepths } from '../../../src/sqs/queue-depths';
import { createSqsClient } from '../../../src/sqs/client';
import { killAllSpawned, readRunLog, type RunRecord, type RunningProcess, spawnCli } from '../../helpers/child-process';
import { testDynamoClient, uniqueTableName } from '../../helpers/dynamo';
import { type EmulatorProcess, startEmulatorProcess, stopEmulatorProcess } from '../../helpers/emulator-process';
import { drainQueue, uniquePrefix } from '../../helpers/sqs';
import { waitFor } from '../../helpers/wait-for';

export const FAULT_HANDLERS = join(__dirname, '..', 'handlers');
export const FAULT_API_KEY = 'fault-suite-key-0123456789';

export interface ApiProcess {
  process: RunningProcess;
  url: string;
}

/**
 * One scenario's process tree on loopback: its own SQS emulator (a child process, so it can be
 * stopped and restarted), `sqs-jobs api` and `sqs-jobs worker` child processes, a job table in the
 * run's embedded DynamoDB, and a RUN_LOG file the fixture handlers append every run to.
 */
export class FaultStack {
  readonly prefix = uniquePrefix();
  readonly tableName = uniqueTableName();
  readonly runLog: string;
  private readonly directoryPath: string;
  private sqsClient: SQSClient | undefined;

  private constructor(public emulator: EmulatorProcess) {
    this.directoryPath = mkdtempSync(join(tmpdir(), 'sqs-jobs-faults-'));
    this.runLog = join(this.directoryPath, 'runs.ndjson');
  }

  static async start(): Promise<FaultStack> {
    return new FaultStack(await startEmulatorProcess());
  }

  get sqs(): SQSClient {
    this.sqsClient ??= createSqsClient({ endpoint: this.emulator.endpoint, region: 'us-east-1', requestTimeoutMs: 5_000 });
    return this.sqsClient;
  }

  /** What every child process of the scenario shares. */
  env(extra: Record<string, string> = {}): Record<string, string> {
    return {
      SQS_ENDPOINT: this.emulator.endpoint,
      QUEUE_PREFIX: this.prefix,
      HANDLERS_DIR: FAULT_HANDLERS,
      JOB_TABLE: this.tableName,
      RUN_LOG: this.runLog,
      API_KEYS: FAULT_API_KEY,
      WORKER_WAIT_TIME_SECONDS: '1',
      LOG_LEVEL: 'warn',
      ...extra,
    };
  }

  /** Runs `sqs-jobs provision` (queues and job table) to completion. */
  async provision(): Promise<void> {
    const run = spawnCli(['provision'], this.env());
    const { code } = await run.closed;
    if (code !== 0) throw new Error(`sqs-jobs provision exited ${String(code)}: ${run.stderr}`);
  }

  async startApi(extraEnv: Record<string, string> = {}): Promise<ApiProcess> {
    const child = spawnCli(['api'], this.env({ PORT: '0', LOG_LEVEL: 'info', ...extraEnv }));
    const ready = await child.waitForLog('the API to listen', (line) => line.msg === 'API listening', 30_000);
    return { process: child, url: String(ready.url) };
  }

  async startWorker(jobs: readonly string[], extraArgs: readonly string[] = []): Promise<RunningProcess> {
    const child = spawnCli(['worker', '--jobs', jobs.join(','), ...extraArgs], this.env({ LOG_LEVEL: 'info' }));
    await child.waitForLog('the worker to be ready', (line) => line.msg === 'worker ready', 30_000);
    return child;
  }

  async stopEmulator(): Promise<void> {
    await stopEmulatorProcess(this.emulator);
  }

  /** Starts the emulator again on the same port: the endpoint every process knows comes back, empty. */
  async restartEmulator(): Promise<void> {
    this.emulator = await startEmulatorProcess(this.emulator.port);
  }

  async directory(): Promise<QueueDirectory> {
    return resolveQueues(this.sqs, loadRegistry(FAULT_HANDLERS).jobs, this.prefix);
  }

  runs(): RunRecord[] {
    return readRunLog(this.runLog);
  }

  /** Waits until the job's queue holds nothing visible, in flight or delayed. */
  async waitForEmptyQueue(jobName: string, timeoutMs: number): Promise<void> {
    const url = (await this.directory()).get(jobName).queue.url;
    await waitFor(
      `queue '${jobName}' to drain`,
      async () => {
        const depths = await readQueueDepths(this.sqs, url, 5_000);
        return depths.visible + depths.in_flight + depths.delayed === 0;
      },
      { timeoutMs, intervalMs: 250 },
    );
  }

  async drainDeadLetters(jobName: string): Promise<Message[]> {
    return drainQueue(this.sqs, (await this.directory()).get(jobName).dlq.url);
  }

  async cleanup(): Promise<void> {
    await killAllSpawned();
    this.sqsClient?.destroy();
    const dynamo = testDynamoClient();
    await dynamo.send(new DeleteTableCommand({ TableName: this.tableName })).catch(() => undefined);
    dynamo.destroy();
    rmSync(this.directoryPath, { recursive: true, force: true });
  }
}

/**
 * One FaultStack for the enclosing describe block: started and provisioned before its tests,
 * cleaned up after them. Call the returned function inside tests and hooks.
 */
export function useFaultStack(): () => FaultStack {
  let stack: FaultStack | undefined;
  beforeAll(async () => {
    stack = await FaultStack.start();
    await stack.provision();
  });
  afterAll(async () => {
    await stack?.cleanup();
  });
  return () => {
    if (!stack) throw new Error('the fault stack is not started yet (use it inside tests and hooks)');
    return stack;
  };
}
