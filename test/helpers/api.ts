import { type AppDeps, createApp } from '../../src/http/app';
import type { AnyJob } from '../../src/jobs/define-job';
import { pingJob } from '../../src/jobs/builtin/ping';
import { JobRegistry } from '../../src/jobs/registry';
import { JobMetrics } from '../../src/observability/metrics';
import { provisionQueues } from '../../src/queues/provisioning';
import { type HttpServer, startHttpServer } from '../../src/services/http-server';
import { startWorkerService, type WorkerService } from '../../src/services/worker-service';
import { createSqsClient } from '../../src/sqs/client';
import { captureLogger } from './capture-logger';
import { provisionTestStore, type TestStore } from './dynamo';
import { provisionTestQueues, sqsEndpoint, type TestQueues } from './sqs';

export interface TestApi {
  url: string;
  queues: TestQueues;
  store: TestStore;
  metrics: JobMetrics;
  lines: Record<string, unknown>[];
  /** Starts an in-process worker (with status recording and presence) for the given jobs. */
  startWorker(jobs?: readonly AnyJob[]): Promise<WorkerService>;
  /** Creates the queues again (after an in-memory emulator restarted). */
  reprovision(): Promise<void>;
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<Response>;
  get(path: string, headers?: Record<string, string>): Promise<Response>;
  close(): Promise<void>;
}

export interface TestApiOptions extends Partial<Omit<AppDeps, 'registry' | 'directory' | 'store' | 'metrics' | 'logger'>> {
  /** The SQS endpoint for queues, API and workers; default: the test run's emulator. */
  sqsEndpoint?: string;
}

/**
 * The real API on a real HTTP server (port 0), with its own queues, its own job table and the
 * built-in ping job, against the test run's SQS emulator and embedded DynamoDB.
 */
export async function startTestApi(jobs: readonly AnyJob[], options: TestApiOptions = {}): Promise<TestApi> {
  const allJobs = [pingJob, ...jobs];
  const endpoint = options.sqsEndpoint ?? sqsEndpoint();
  const queues = await provisionTestQueues(allJobs, endpoint);
  const store = await provisionTestStore();
  const { logger, lines } = captureLogger('info');
  const metrics = new JobMetrics({ jobNames: allJobs.map((job) => job.name) });
  const apiSqs = createSqsClient({ endpoint, region: 'us-east-1', requestTimeoutMs: 2_000 });
  metrics.watchQueues(apiSqs, queues.directory.all());
  const app = createApp({
    registry: new JobRegistry(allJobs),
    directory: queues.directory,
    sqs: apiSqs,
    store: store.store,
    metrics,
    logger,
    workerPresenceIntervalMs: 1_000,
    ...options,
  });
  const provision = () => provisionQueues(queues.sqs, allJobs, queues.prefix);
  const server: HttpServer = await startHttpServer(app, '127.0.0.1', 0);
  const workers: WorkerService[] = [];
  const send = (method: string, path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${server.url}${path}`, {
      method,
      headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
  return {
    url: server.url,
    queues,
    store,
    metrics,
    lines,
    async startWorker(workerJobs = allJobs) {
      const service = await startWorkerService({
        sqs: queues.sqs,
        jobs: workerJobs,
        directory: queues.directory,
        logger,
        store: store.store,
        metrics,
        settings: { waitTimeSeconds: 1, shutdownTimeoutSeconds: 10 },
        presenceIntervalMs: 1_000,
      });
      workers.push(service);
      return service;
    },
    async reprovision() {
      await provision();
    },
    post: (path, body, headers) => send('POST', path, body, headers),
    get: (path, headers) => send('GET', path, undefined, headers),
    async close() {
      await server.close();
      await Promise.all(workers.map((worker) => worker.stop()));
      apiSqs.destroy();
      await queues.cleanup();
      await store.cleanup();
    },
  };
}
