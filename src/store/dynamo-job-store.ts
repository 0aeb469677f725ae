import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoIdempotencyKeys } from './dynamo-idempotency';
import { DynamoMaintenance } from './dynamo-maintenance';
import { isNamed, nowSeconds } from './dynamo-util';
import { UpdateExpression } from './update-expression';
import type { IdempotencyClaim, JobError, JobRecord, JobStatus, JobStore, JobTransition, WorkerBeat, WorkerRecord } from './job-store';
import { TTL_ATTRIBUTE } from './provision-table';

export interface DynamoJobStoreOptions {
  /** Owned by the store from now on: close() destroys it. */
  client: DynamoDBClient;
  tableName: string;
  /** How long a job's status is kept after its last change. */
  jobTtlSeconds: number;
}

type Item = Record<string, unknown>;

const WORKERS_PK = 'workers';
const JOB_STATUSES: readonly JobStatus[] = ['queued', 'running', 'succeeded', 'failed', 'dead'];

/**
 * The JobStore on one DynamoDB table (pk + sk, TTL on `expiresAt` in epoch seconds):
 *   job#<jobId> / job            the job's latest status
 *   idem#<scope>#<key> / idem    an idempotency claim
 *   workers / <workerId>         a worker's last heartbeat
 *   sched#<schedule> / cursor    the last tick a scheduler enqueued
 * Reads treat items past `expiresAt` as gone: DynamoDB deletes them only within a day or two, and
 * local emulators never do.
 */
export class DynamoJobStore implements JobStore {
  private readonly doc: DynamoDBDocumentClient;
  private readonly idempotency: DynamoIdempotencyKeys;
  private readonly maintenance: DynamoMaintenance;

  constructor(private readonly options: DynamoJobStoreOptions) {
    this.doc = DynamoDBDocumentClient.from(options.client, { marshallOptions: { removeUndefinedValues: true } });
    this.idempotency = new DynamoIdempotencyKeys(this.doc, options.tableName);
    this.maintenance = new DynamoMaintenance(this.doc, options.tableName);
  }

  async recordTransition(transition: JobTransition): Promise<void> {
    const update = new UpdateExpression();
    update.set('job', transition.job);
    update.set('status', transition.status);
    update.set('attempts', transition.attempts);
    update.set('seq', transition.sequence);
    update.set('updatedAt', transition.at.toISOString());
    update.set(TTL_ATTRIBUTE, nowSeconds() + this.options.jobTtlSeconds);
    if (transition.enqueuedAt) update.setIfNotExists('enqueuedAt', transition.enqueuedAt.toISOString());
    if (transition.traceId) update.setIfNotExists('traceId', transition.traceId);
    if (transition.durationMs !== undefined) update.set('durationMs', transition.durationMs);
    if (transition.error) update.set('lastError', { code: transition.error.code, message: transition.error.message });
    switch (transition.status) {
      case 'queued':
        break;
      case 'running':
        // A new attempt, possibly of a redriven job: what described the previous one no longer applies.
        update.set('startedAt', transition.at.toISOString());
        update.remove('nextAttemptAt', 'finishedAt', 'resultJson');
        if (transition.durationMs === undefined) update.remove('durationMs');
        break;
      case 'failed':
        if (transition.nextAttemptAt) update.set('nextAttemptAt', transition.nextAttemptAt.toISOString());
        else update.remove('nextAttemptAt');
        break;
      case 'succeeded': {
        update.set('finishedAt', transition.at.toISOString());
        // JSON text, not a DynamoDB map: any JSON value round-trips (no 32-level nesting limit, no
        // unsafe-integer errors on read, empty keys allowed).
        const resultJson = toJson(transition.result);
        if (resultJson === undefined) update.remove('resultJson');
        else update.set('resultJson', resultJson);
        update.remove('nextAttemptAt');
        break;
      }
      case 'dead':
        update.set('finishedAt', transition.at.toISOString());
        update.remove('nextAttemptAt');
        break;
    }
    const expression = update.build();
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.options.tableName,
          Key: jobKey(transition.jobId),
          ...expression,
          ExpressionAttributeNames: { ...expression.ExpressionAttributeNames, '#pk': 'pk' },
          ConditionExpression: 'attribute_not_exists(#pk) OR #seq < :seq',
        }),
      );
    } catch (error) {
      // A later transition is already stored: this one arrived late and must not win.
      if (!isNamed(error, 'ConditionalCheckFailedException')) throw error;
    }
  }

  async getJob(jobId: string): Promise<JobRecord | undefined> {
    const item = await this.get(jobKey(jobId));
    if (!item) return undefined;
    const status = str(item, 'status');
    const job = str(item, 'job');
    const updatedAt = str(item, 'updatedAt');
    if (!status || !isJobStatus(status) || job === undefined || updatedAt === undefined) return undefined;
    return compact({
      jobId,
      job,
      status,
      attempts: num(item, 'attempts') ?? 0,
      enqueuedAt: str(item, 'enqueuedAt'),
      startedAt: str(item, 'startedAt'),
      finishedAt: str(item, 'finishedAt'),
      updatedAt,
      nextAttemptAt: str(item, 'nextAttemptAt'),
      lastError: readError(item.lastError),
      result: readResult(str(item, 'resultJson')),
      durationMs: num(item, 'durationMs'),
      traceId: str(item, 'traceId'),
    });
  }

  claimIdempotencyKey(scope: string, key: string, jobId: string, pendingTtlSeconds: number): Promise<IdempotencyClaim> {
    return this.idempotency.claim(scope, key, jobId, pendingTtlSeconds);
  }

  confirmIdempotencyKey(scope: string, key: string, jobId: string, ttlSeconds: number): Promise<void> {
    return this.idempotency.confirm(scope, key, jobId, ttlSeconds);
  }

  releaseIdempotencyKey(scope: string, key: string, jobId: string): Promise<void> {
    return this.idempotency.release(scope, key, jobId);
  }

  async recordWorkerBeat(beat: WorkerBeat, ttlSeconds: number): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.options.tableName,
        Item: {
          pk: WORKERS_PK,
          sk: beat.workerId,
          workerId: beat.workerId,
          host: beat.host,
          pid: beat.pid,
          jobs: beat.jobs,
          startedAt: beat.startedAt.toISOString(),
          lastSeenAt: beat.at.toISOString(),
          [TTL_ATTRIBUTE]: nowSeconds() + ttlSeconds,
        },
      }),
    );
  }

  async removeWorker(workerId: string): Promise<void> {
    await this.doc.send(new DeleteCommand({ TableName: this.options.tableName, Key: { pk: WORKERS_PK, sk: workerId } }));
  }

  async listWorkers(since: Date): Promise<WorkerRecord[]> {
    const workers: WorkerRecord[] = [];
    let startKey: Item | undefined;
    do {
      const page = await this.doc.send(
        new QueryCommand({
          TableName: this.options.tableName,
          KeyConditionExpression: '#pk = :pk',
          // ISO-8601 UTC strings of equal length sort as the instants they name.
          FilterExpression: '#lastSeenAt >= :since',
          ExpressionAttributeNames: { '#pk': 'pk', '#lastSeenAt': 'lastSeenAt' },
          ExpressionAttributeValues: { ':pk': WORKERS_PK, ':since': since.toISOString() },
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of (page.Items ?? []) as Item[]) {
        const worker = readWorker(item);
        if (worker) workers.push(worker);
      }
      startKey = page.LastEvaluatedKey as Item | undefined;
    } while (startKey);
    return workers;
  }

  getScheduleCursor(scheduleId: string): Promise<Date | undefined> {
    return this.maintenance.getScheduleCursor(scheduleId);
  }

  setScheduleCursor(scheduleId: string, tick: Date): Promise<void> {
    return this.maintenance.setScheduleCursor(scheduleId, tick);
  }

  deleteExpired(limit: number): Promise<number> {
    return this.maintenance.deleteExpired(limit);
  }

  async checkReady(): Promise<void> {
    const { client, tableName } = this.options;
    let status: string | undefined;
    try {
      const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
      status = Table?.TableStatus;
    } catch (error) {
      const where = await describeLocation(client);
      if (isNamed(error, 'ResourceNotFoundException')) throw new Error(`job store table '${tableName}' not found at ${where}`, { cause: error });
      const reason = error instanceof Error ? error.message || error.name : String(error);
      throw new Error(`job store at ${where} cannot be reached (table '${tableName}'): ${reason}`, { cause: error });
    }
    if (status !== 'ACTIVE' && status !== 'UPDATING') {
      throw new Error(`job store table '${tableName}' at ${await describeLocation(client)} is ${status ?? 'in an unknown state'}`);
    }
  }

  close(): void {
    this.options.client.destroy();
  }

  /** Strongly consistent: callers read right after a write (claims, status polls after enqueue). */
  private async get(key: Item): Promise<Item | undefined> {
    const { Item: item } = await this.doc.send(new GetCommand({ TableName: this.options.tableName, Key: key, ConsistentRead: true }));
    if (!item) return undefined;
    const expiresAt = num(item, TTL_ATTRIBUTE);
    return expiresAt !== undefined && expiresAt < nowSeconds() ? undefined : (item as Item);
  }
}


function jobKey(jobId: string): Item {
  return { pk: `job#${jobId}`, sk: 'job' };
}


function str(item: Item, attribute: string): string | undefined {
  const value = item[attribute];
  return typeof value === 'string' ? value : undefined;
}

function num(item: Item, attribute: string): number | undefined {
  const value = item[attribute];
  return typeof value === 'number' ? value : undefined;
}

function isJobStatus(value: string): value is JobStatus {
  return (JOB_STATUSES as readonly string[]).includes(value);
}

function readError(value: unknown): JobError | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const error = value as Item;
  return { code: str(error, 'code') ?? 'UNKNOWN', message: str(error, 'message') ?? '' };
}

/**
 * Callers pass results through boundResult; this only keeps an odd value from failing the write.
 * (JSON.stringify is typed as string but returns undefined for undefined, functions and symbols.)
 */
function toJson(value: unknown): string | undefined {
  try {
    return JSON.stringify(value);
  } catch {
    return JSON.stringify({ omitted: 'result is not JSON-serialisable' });
  }
}

function readResult(json: string | undefined): unknown {
  if (json === undefined) return undefined;
  try {
    return JSON.parse(json) as unknown;
  } catch {
    return { omitted: 'stored result is not valid JSON' };
  }
}

function readWorker(item: Item): WorkerRecord | undefined {
  const workerId = str(item, 'workerId');
  const lastSeenAt = str(item, 'lastSeenAt');
  if (workerId === undefined || lastSeenAt === undefined) return undefined;
  const expiresAt = num(item, TTL_ATTRIBUTE);
  if (expiresAt !== undefined && expiresAt < nowSeconds()) return undefined;
  const jobs = Array.isArray(item.jobs) ? item.jobs.filter((job): job is string => typeof job === 'string') : [];
  return { workerId, host: str(item, 'host') ?? '', pid: num(item, 'pid') ?? 0, jobs, startedAt: str(item, 'startedAt') ?? lastSeenAt, lastSeenAt };
}

/** Drops undefined properties so records compare and serialise without empty keys. */
function compact<T extends object>(record: T): T {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined)) as T;
}


async function describeLocation(client: DynamoDBClient): Promise<string> {
  try {
    const endpoint = await client.config.endpoint?.();
    if (endpoint) return `${endpoint.protocol.replace(/:?$/, ':')}//${endpoint.hostname}${endpoint.port ? `:${endpoint.port}` : ''}`;
    return `AWS DynamoDB in ${await client.config.region()}`;
  } catch {
    return 'the configured endpoint';
  }
}
