import type { SQSClient } from '@aws-sdk/client-sqs';
import express, { type Express, type RequestHandler } from 'express';
import helmet from 'helmet';
import { MAX_MESSAGE_BYTES } from '../jobs/message-attributes';
import type { JobRegistry } from '../jobs/registry';
import type { JobMetrics } from '../observability/metrics';
import type { Logger } from '../observability/logger';
import type { QueueDirectory } from '../queues/provisioning';
import { DEFAULT_PRESENCE_INTERVAL_MS } from '../runtime/worker-presence';
import type { JobStore } from '../store/job-store';
import { StatusRecorder } from '../store/status-recorder';
import { requireApiKey } from './auth';
import { errorHandler, notFound } from './http-errors';
import { jsonBody } from './json-body';
import { JobSubmitter } from './job-submitter';
import { buildOpenApiDocument } from './openapi';
import { requestContext } from './request-context';
import { healthRoutes } from './routes/health-routes';
import { jobsRoutes } from './routes/jobs-routes';

export const API_BASE_PATH = '/api/v1';

export interface AppDeps {
  registry: JobRegistry;
  directory: QueueDirectory;
  sqs: SQSClient;
  store: JobStore;
  metrics: JobMetrics;
  logger: Logger;
  /** Bearer keys for enqueue and status routes; empty = no auth (loopback-only development). */
  apiKeys?: readonly string[];
  /** Health routes need no key when true (default), so load balancers can probe them. */
  publicHealth?: boolean;
  /** /metrics needs no key when true (default), so Prometheus can scrape it. */
  publicMetrics?: boolean;
  idempotencyTtlSeconds?: number;
  healthJobsTimeoutMs?: number;
  workerPresenceIntervalMs?: number;
  /** false: no "queued" records, and GET /jobs/:jobId answers 501 (default true). */
  statusTracking?: boolean;
  version?: string;
}

/**
 * The HTTP API as an Express app, with no side effects: nothing listens and nothing is created
 * until the caller does so, so `npm start`, tests, docker and Lambda all mount the same app.
 */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  const statusTracking = deps.statusTracking ?? true;
  const recorder = statusTracking ? new StatusRecorder({ store: deps.store, logger: deps.logger }) : undefined;
  const submitter = new JobSubmitter({
    sqs: deps.sqs,
    directory: deps.directory,
    store: deps.store,
    recorder,
    logger: deps.logger,
    idempotencyTtlSeconds: deps.idempotencyTtlSeconds ?? 86_400,
  });
  const auth = requireApiKey(deps.apiKeys ?? []);
  const open: RequestHandler = (_req, _res, next) => {
    next();
  };
  const openapi = buildOpenApiDocument(deps.registry, { basePath: API_BASE_PATH, version: deps.version ?? '0.0.0' });

  app.use(...requestContext(deps.logger));
  app.use(helmet());

  app.get(`${API_BASE_PATH}/openapi.json`, (_req, res) => {
    res.json(openapi);
  });
  app.use(
    API_BASE_PATH,
    deps.publicHealth === false ? auth : open,
    healthRoutes({
      sqs: deps.sqs,
      directory: deps.directory,
      store: deps.store,
      jobsTimeoutMs: deps.healthJobsTimeoutMs ?? 5_000,
      workerPresenceIntervalMs: deps.workerPresenceIntervalMs ?? DEFAULT_PRESENCE_INTERVAL_MS,
    }),
  );
  app.get('/metrics', deps.publicMetrics === false ? auth : open, async (_req, res) => {
    res.type(deps.metrics.contentType).send(await deps.metrics.metricsText());
  });
  // Parsed after auth, so an unauthenticated client cannot make the server read a 1 MiB body; a
  // bigger body could never be enqueued.
  app.use(API_BASE_PATH, auth, ...jsonBody(MAX_MESSAGE_BYTES), jobsRoutes({ registry: deps.registry, submitter, store: deps.store, statusTracking, metrics: deps.metrics, basePath: API_BASE_PATH }));
  app.use(notFound);
  app.use(errorHandler(deps.logger));
  return app;
}
