import type { SQSClient } from '@aws-sdk/client-sqs';
import { loadConfig } from '../config';
import type { AnyJob } from '../jobs/define-job';
import { createEnqueue } from '../jobs/enqueue';
import type { Enqueue } from '../jobs/job-context';
import { createLogger, type Logger } from '../observability/logger';
import { type JobQueues, type QueueDirectory, resolveQueues } from '../queues/provisioning';
import type { JobEvents } from '../runtime/job-events';
import { createSqsClient } from '../sqs/client';
import { jobStoreFromConfig } from '../store/job-store-from-config';
import { StatusRecorder } from '../store/status-recorder';

/** What a job function needs across invocations: built once per Lambda container (cold start). */
export interface LambdaRuntime {
  sqs: SQSClient;
  queues: JobQueues;
  logger: Logger;
  enqueue: Enqueue;
  events?: JobEvents;
  /** Sends what `events` still has in flight; a frozen sandbox would lose it otherwise. */
  flush?(timeoutMs: number): Promise<void>;
}

/**
 * The runtime from the function's environment (set by serverless.yml): QUEUE_PREFIX names the
 * queues, SQS_ENDPOINT / DYNAMODB_ENDPOINT are set only offline, and job status goes to JOB_TABLE.
 */
export async function runtimeFromEnvironment(job: AnyJob, env: NodeJS.ProcessEnv = process.env): Promise<LambdaRuntime> {
  const config = loadConfig(env);
  // Lambda ships stdout to CloudWatch Logs: JSON lines, never the pretty format.
  const logger = createLogger({ level: config.LOG_LEVEL, format: 'json' });
  const sqs = createSqsClient({ endpoint: config.SQS_ENDPOINT, region: config.AWS_REGION });
  const directory = await resolveQueues(sqs, [job], config.QUEUE_PREFIX);
  const recorder = config.JOB_STATUS_TRACKING ? new StatusRecorder({ store: jobStoreFromConfig(config), logger }) : undefined;
  return {
    sqs,
    queues: directory.get(job.name),
    logger,
    enqueue: enqueueResolvingQueues(sqs, config.QUEUE_PREFIX),
    events: recorder,
    flush: async (timeoutMs) => {
      await recorder?.flush(timeoutMs);
    },
  };
}

/** ctx.enqueue for a function that knows only its own queue: other jobs' queues are looked up once. */
function enqueueResolvingQueues(sqs: SQSClient, prefix: string): Enqueue {
  const directories = new Map<string, Promise<QueueDirectory>>();
  return async (target, payload, options) => {
    let directory = directories.get(target.name);
    if (!directory) {
      directory = resolveQueues(sqs, [target], prefix);
      directories.set(target.name, directory);
      directory.catch(() => directories.delete(target.name));
    }
    return createEnqueue(sqs, await directory)(target, payload, options);
  };
}
