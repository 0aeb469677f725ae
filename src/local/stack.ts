import type { SQSClient } from '@aws-sdk/client-sqs';
import { type AppConfig, workerSettings } from '../config';
import type { JobRegistry } from '../jobs/registry';
import type { Logger } from '../observability/logger';
import { provisionQueues, type QueueDirectory } from '../queues/provisioning';
import { Worker } from '../runtime/worker';
import { createSqsClient } from '../sqs/client';
import { type EmbeddedSqs, startEmbeddedSqs } from './embedded-sqs';

/** Short long-polls locally: stopping waits for polls in flight, and Ctrl-C should feel instant. */
const LOCAL_WAIT_TIME_SECONDS = 2;

export interface LocalStackOptions {
  config: AppConfig;
  registry: JobRegistry;
  logger: Logger;
  concurrency?: number;
}

export interface LocalStack {
  endpoint: string;
  sqs: SQSClient;
  directory: QueueDirectory;
  worker: Worker;
  stop(): Promise<void>;
}

/**
 * Everything `npm start` runs in one process: the embedded SQS emulator (unless SQS_ENDPOINT
 * points elsewhere), queue provisioning, and workers for every job (or WORKER_JOBS).
 */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const { config, logger } = options;
  let emulator: EmbeddedSqs | undefined;
  if (!config.SQS_ENDPOINT) {
    emulator = await startEmbeddedSqs({ host: config.EMBEDDED_SQS_HOST, port: config.EMBEDDED_SQS_PORT });
    logger.info({ endpoint: emulator.endpoint }, 'embedded SQS emulator listening (in memory: queues vanish on exit)');
  }
  const endpoint = config.SQS_ENDPOINT ?? emulator?.endpoint ?? '';
  const sqs = createSqsClient({ endpoint, region: config.AWS_REGION });
  try {
    const jobs = options.registry.select(config.WORKER_JOBS);
    const { directory, changes } = await provisionQueues(sqs, options.registry.jobs, config.QUEUE_PREFIX);
    for (const change of changes.filter((entry) => entry.action !== 'unchanged')) {
      logger.info({ queue: change.queueName, attributes: change.changedAttributes }, `queue ${change.action}`);
    }
    const settings = workerSettings(config, { concurrency: options.concurrency, defaultWaitTimeSeconds: LOCAL_WAIT_TIME_SECONDS });
    const worker = new Worker({ sqs, jobs, directory, logger, ...settings });
    worker.start();
    logger.info({ endpoint, jobs: jobs.map((job) => job.name) }, 'sqs-jobs ready');
    return {
      endpoint,
      sqs,
      directory,
      worker,
      async stop() {
        await worker.stop();
        sqs.destroy();
        await emulator?.close();
      },
    };
  } catch (error) {
    sqs.destroy();
    await emulator?.close();
    throw error;
  }
}
