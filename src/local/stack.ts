import type { SQSClient } from '@aws-sdk/client-sqs';
import type { AppConfig } from '../config';
import type { JobRegistry } from '../jobs/registry';
import type { Logger } from '../observability/logger';
import { JobMetrics } from '../observability/metrics';
import { provisionQueues, type QueueDirectory, resolveQueues } from '../queues/provisioning';
import type { Worker } from '../runtime/worker';
import { type Backends, connectBackends } from '../services/backends';
import { startApiService } from '../services/api-service';
import { startConfiguredWorkerService } from '../services/worker-service';
import { Scheduler } from '../scheduler/scheduler';
import type { JobStore } from '../store/job-store';

/** Short long-polls locally: stopping waits for polls in flight, and Ctrl-C should feel instant. */
const LOCAL_WAIT_TIME_SECONDS = 2;

export interface LocalStackOptions {
  config: AppConfig;
  registry: JobRegistry;
  logger: Logger;
  concurrency?: number;
  version?: string;
}

export interface LocalStack {
  endpoint: string;
  apiUrl: string;
  sqs: SQSClient;
  store: JobStore;
  directory: QueueDirectory;
  worker: Worker;
  stop(): Promise<void>;
}

/**
 * Everything `npm start` runs in one process: the embedded SQS emulator and DynamoDB (unless
 * SQS_ENDPOINT / DYNAMODB_ENDPOINT point elsewhere), queue and table provisioning, workers for
 * every job (or WORKER_JOBS), the HTTP API on HOST:PORT, and the scheduler for scheduled jobs.
 */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const { config, logger, registry } = options;
  const backends: Backends = await connectBackends({ config, logger, embedded: true, provisionTable: config.PROVISION_ON_START });
  try {
    const directory = config.PROVISION_ON_START
      ? await provisionAndLog(backends.sqs, registry, config, logger)
      : await resolveQueues(backends.sqs, registry.jobs, config.QUEUE_PREFIX);
    const metrics = new JobMetrics({ jobNames: registry.names });
    metrics.watchQueues(backends.apiSqs, directory.all());
    const jobs = registry.select(config.WORKER_JOBS);
    const service = await startConfiguredWorkerService({
      config,
      backends,
      jobs,
      directory,
      logger,
      metrics,
      concurrency: options.concurrency,
      defaultWaitTimeSeconds: LOCAL_WAIT_TIME_SECONDS,
    });
    const server = await startApiService({ config, registry, directory, backends, metrics, logger, version: options.version ?? '0.0.0' }).catch(async (error: unknown) => {
      await service.stop();
      throw error;
    });
    const scheduler = new Scheduler({ sqs: backends.sqs, directory, store: backends.store, jobs: registry.jobs, logger });
    scheduler.start();
    logger.info(
      { api: server.url, endpoint: backends.sqsEndpoint, store: backends.dynamoEndpoint, jobs: jobs.map((job) => job.name) },
      'sqs-jobs ready',
    );
    return {
      endpoint: backends.sqsEndpoint ?? '',
      apiUrl: server.url,
      sqs: backends.sqs,
      store: backends.store,
      directory,
      worker: service.worker,
      async stop() {
        // Scheduler and API first: nothing new is enqueued while workers drain; then the emulators.
        await scheduler.stop();
        await server.close();
        await service.stop();
        await backends.close();
      },
    };
  } catch (error) {
    await backends.close();
    throw error;
  }
}

async function provisionAndLog(sqs: SQSClient, registry: JobRegistry, config: AppConfig, logger: Logger): Promise<QueueDirectory> {
  const { directory, changes } = await provisionQueues(sqs, registry.jobs, config.QUEUE_PREFIX);
  for (const change of changes.filter((entry) => entry.action !== 'unchanged')) {
    logger.info({ queue: change.queueName, attributes: change.changedAttributes }, `queue ${change.action}`);
  }
  return directory;
}
