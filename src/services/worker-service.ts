import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { type AppConfig, workerSettings } from '../config';
import type { AnyJob } from '../jobs/define-job';
import type { Logger } from '../observability/logger';
import type { JobMetrics } from '../observability/metrics';
import type { QueueDirectory } from '../queues/provisioning';
import { combineJobEvents } from '../runtime/job-events';
import { Worker, type WorkerOptions } from '../runtime/worker';
import { WorkerPresence } from '../runtime/worker-presence';
import type { JobStore } from '../store/job-store';
import { StatusRecorder } from '../store/status-recorder';
import type { Backends } from './backends';

export interface WorkerServiceOptions {
  sqs: SQSClient;
  jobs: readonly AnyJob[];
  directory: QueueDirectory;
  logger: Logger;
  store: JobStore;
  metrics: JobMetrics;
  settings: Pick<WorkerOptions, 'concurrency' | 'waitTimeSeconds' | 'shutdownTimeoutSeconds'>;
  presenceIntervalMs?: number;
  /** false: job status transitions are not written to the store (default true). */
  statusTracking?: boolean;
}

export interface WorkerService {
  worker: Worker;
  workerId: string;
  stop(): Promise<void>;
}

/**
 * A Worker wired to its observers: metrics, job-status transitions in the store, and a presence
 * record so the API can tell which workers are alive.
 */
export async function startWorkerService(options: WorkerServiceOptions): Promise<WorkerService> {
  const workerId = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const recorder = options.statusTracking === false ? undefined : new StatusRecorder({ store: options.store, logger: options.logger });
  const worker = new Worker({
    sqs: options.sqs,
    jobs: options.jobs,
    directory: options.directory,
    logger: options.logger,
    events: combineJobEvents(options.logger, options.metrics, recorder),
    ...options.settings,
  });
  const presence = new WorkerPresence({
    store: options.store,
    logger: options.logger,
    workerId,
    jobs: options.jobs.map((job) => job.name),
    intervalMs: options.presenceIntervalMs,
  });
  await options.store.checkReady().catch((error: unknown) => {
    options.logger.warn({ err: error }, 'job store not ready: job status and worker presence will not be recorded until it is');
  });
  worker.start();
  await presence.start();
  return {
    worker,
    workerId,
    async stop() {
      await worker.stop();
      await recorder?.flush();
      await presence.stop();
    },
  };
}

/** startWorkerService with its settings taken from the configuration (CLI flags win). */
export function startConfiguredWorkerService(options: {
  config: AppConfig;
  backends: Pick<Backends, 'sqs' | 'store'>;
  jobs: readonly AnyJob[];
  directory: QueueDirectory;
  logger: Logger;
  metrics: JobMetrics;
  concurrency: number | undefined;
  defaultWaitTimeSeconds: number;
}): Promise<WorkerService> {
  const { config } = options;
  return startWorkerService({
    sqs: options.backends.sqs,
    store: options.backends.store,
    jobs: options.jobs,
    directory: options.directory,
    logger: options.logger,
    metrics: options.metrics,
    settings: workerSettings(config, { concurrency: options.concurrency, defaultWaitTimeSeconds: options.defaultWaitTimeSeconds }),
    presenceIntervalMs: config.WORKER_PRESENCE_INTERVAL_MS,
    statusTracking: config.JOB_STATUS_TRACKING,
  });
}
