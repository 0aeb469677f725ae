import serverless from 'serverless-http';
import { memoizeUnlessFailed } from '../concurrency';
import { apiSettings, loadConfig } from '../config';
import { createApp } from '../http/app';
import type { AnyJob } from '../jobs/define-job';
import { JobRegistry } from '../jobs/registry';
import { createLogger } from '../observability/logger';
import { JobMetrics } from '../observability/metrics';
import { resolveQueues } from '../queues/provisioning';
import { createSqsClient } from '../sqs/client';
import { jobStoreFromConfig } from '../store/job-store-from-config';

/** As in `sqs-jobs api`: a dead SQS endpoint must turn into a 503 quickly, not a gateway timeout. */
const SQS_REQUEST_TIMEOUT_MS = 5_000;

export type ApiLambdaHandler = (event: unknown, context: unknown) => Promise<unknown>;

/**
 * The same Express app as `sqs-jobs api`, behind API Gateway (httpApi) through serverless-http.
 * Built on the first request and kept for the container's life. Deployed, it refuses to serve
 * without API_KEYS: a public endpoint must not enqueue for anyone.
 */
export function createApiLambda(jobs: readonly AnyJob[], env: NodeJS.ProcessEnv = process.env): ApiLambdaHandler {
  const getHandler = memoizeUnlessFailed(() => buildHandler(jobs, env));
  return async (event, context) => (await getHandler())(event as object, context as object);
}

async function buildHandler(jobs: readonly AnyJob[], env: NodeJS.ProcessEnv): Promise<serverless.Handler> {
  const config = loadConfig(env);
  const logger = createLogger({ level: config.LOG_LEVEL, format: 'json' });
  if (config.API_KEYS.length === 0 && env.IS_OFFLINE !== 'true') {
    logger.fatal('API_KEYS is not set: refusing to serve a public API without keys');
    throw new Error('API_KEYS is not set');
  }
  const sqs = createSqsClient({ endpoint: config.SQS_ENDPOINT, region: config.AWS_REGION, requestTimeoutMs: SQS_REQUEST_TIMEOUT_MS });
  const directory = await resolveQueues(sqs, jobs, config.QUEUE_PREFIX);
  const store = jobStoreFromConfig(config);
  const metrics = new JobMetrics({ jobNames: jobs.map((job) => job.name) });
  metrics.watchQueues(sqs, directory.all());
  const app = createApp({ registry: new JobRegistry(jobs), directory, sqs, store, metrics, logger, ...apiSettings(config) });
  return serverless(app);
}
