import type { SQSClient } from '@aws-sdk/client-sqs';
import type { AppConfig } from '../config';
import { jobTableName } from '../config';
import type { EmbeddedDynamoDb } from '../local/embedded-dynamodb';
import type { EmbeddedSqs } from '../local/embedded-sqs';
import type { Logger } from '../observability/logger';
import { createSqsClient } from '../sqs/client';
import { createDynamoClient } from '../store/dynamo-client';
import { DynamoJobStore } from '../store/dynamo-job-store';
import { provisionJobTable } from '../store/provision-table';

/** API requests must fail fast when SQS is down; worker clients long-poll and need no bound. */
const API_SQS_REQUEST_TIMEOUT_MS = 5_000;
/** Enough for the pollers of WORKER_CONCURRENCY's maximum (1,000 → 100 per queue) over several queues. */
const WORKER_MAX_SOCKETS = 1_000;

export interface Backends {
  /** For workers: no request timeout, so 20 s long polls are fine. */
  sqs: SQSClient;
  /** For the API and probes: bounded requests, so a dead endpoint answers 503 quickly. */
  apiSqs: SQSClient;
  sqsEndpoint: string | undefined;
  dynamoEndpoint: string | undefined;
  store: DynamoJobStore;
  tableName: string;
  close(): Promise<void>;
}

export interface BackendOptions {
  config: AppConfig;
  logger: Logger;
  /** Start in-process emulators for whatever has no endpoint configured (`npm start`). */
  embedded: boolean;
  /** Create the job table when missing (embedded stack, `--provision`). */
  provisionTable: boolean;
}

/**
 * SQS and the job store, from configuration: SQS_ENDPOINT / DYNAMODB_ENDPOINT when set, the
 * embedded emulators when `embedded`, AWS (default credential chain) otherwise.
 */
export async function connectBackends(options: BackendOptions): Promise<Backends> {
  const { config, logger } = options;
  const closers: (() => Promise<void> | void)[] = [];
  const closeAll = async () => {
    for (const close of closers.reverse()) await close();
  };
  try {
    let sqsEndpoint = config.SQS_ENDPOINT;
    if (!sqsEndpoint && options.embedded) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on use, so processes that never need it (a worker: emulators, Express) stay small
      const { startEmbeddedSqs } = require('../local/embedded-sqs') as typeof import('../local/embedded-sqs');
      const emulator: EmbeddedSqs = await startEmbeddedSqs({ host: config.EMBEDDED_SQS_HOST, port: config.EMBEDDED_SQS_PORT });
      closers.push(() => emulator.close());
      sqsEndpoint = emulator.endpoint;
      logger.info({ endpoint: sqsEndpoint }, 'embedded SQS emulator listening (in memory: queues vanish on exit)');
    }
    let dynamoEndpoint = config.DYNAMODB_ENDPOINT;
    if (!dynamoEndpoint && options.embedded) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on use, so processes that never need it (a worker: emulators, Express) stay small
      const { startEmbeddedDynamoDb } = require('../local/embedded-dynamodb') as typeof import('../local/embedded-dynamodb');
      const dynamo: EmbeddedDynamoDb = await startEmbeddedDynamoDb({ host: config.EMBEDDED_SQS_HOST, port: config.EMBEDDED_DYNAMODB_PORT });
      closers.push(() => dynamo.close());
      dynamoEndpoint = dynamo.endpoint;
      logger.info({ endpoint: dynamoEndpoint }, 'embedded DynamoDB (dynalite) listening (in memory: job status vanishes on exit)');
    }
    const sqs = createSqsClient({ endpoint: sqsEndpoint, region: config.AWS_REGION, maxSockets: WORKER_MAX_SOCKETS });
    const apiSqs = createSqsClient({ endpoint: sqsEndpoint, region: config.AWS_REGION, requestTimeoutMs: API_SQS_REQUEST_TIMEOUT_MS });
    closers.push(() => {
      sqs.destroy();
      apiSqs.destroy();
    });
    const tableName = jobTableName(config);
    const dynamoClient = createDynamoClient({ endpoint: dynamoEndpoint, region: config.AWS_REGION });
    const store = new DynamoJobStore({ client: dynamoClient, tableName, jobTtlSeconds: config.JOB_STATUS_TTL_SECONDS });
    closers.push(() => {
      store.close();
    });
    if (options.provisionTable) {
      const result = await provisionJobTable(dynamoClient, tableName);
      if (result === 'created') logger.info({ table: tableName }, 'job table created');
    }
    return { sqs, apiSqs, sqsEndpoint, dynamoEndpoint, store, tableName, close: closeAll };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
