import type { Command } from 'commander';
import { startMetricsServer } from '../../observability/metrics-server';
import { JobMetrics } from '../../observability/metrics';
import { provisionQueues, resolveQueues } from '../../queues/provisioning';
import { exitOnShutdownSignals } from '../../runtime/shutdown';
import { Scheduler } from '../../scheduler/scheduler';
import { connectBackends } from '../../services/backends';
import { startConfiguredWorkerService } from '../../services/worker-service';
import { createCliContext, type GlobalOptions, PACKAGE_VERSION, warnIfOldNode } from '../cli-context';
import { parseConcurrency } from './option-parsers';

interface RunOptions {
  jobs?: string;
  concurrency?: number;
  provision?: boolean;
}

/** `start`, `worker` and `api`: long-running commands that exit 0 after a graceful SIGINT/SIGTERM. */
export function registerRunCommands(program: Command): void {
  program
    .command('start')
    .description('run the whole local stack: embedded SQS + DynamoDB (unless their endpoints are set), queues, workers, HTTP API')
    .option('--jobs <names>', 'comma-separated jobs to run workers for (default: all, or WORKER_JOBS)')
    .option('--concurrency <n>', 'jobs at once per queue (default: each job\'s concurrency)', parseConcurrency)
    .action(async (options: RunOptions, command: Command) => {
      const context = createCliContext(command.optsWithGlobals<GlobalOptions>());
      warnIfOldNode(context.logger);
      const config = options.jobs ? { ...context.config, WORKER_JOBS: options.jobs } : context.config;
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on use, so processes that never need it (a worker: emulators, Express) stay small
      const { startLocalStack } = require('../../local/stack') as typeof import('../../local/stack');
      const stack = await startLocalStack({ ...context, config, concurrency: options.concurrency, version: PACKAGE_VERSION });
      exitOnShutdownSignals(() => stack.stop(), context.logger);
    });

  program
    .command('worker')
    .description('run workers against SQS_ENDPOINT (or AWS) until SIGINT/SIGTERM; METRICS_PORT exposes /metrics')
    .option('--jobs <names>', 'comma-separated jobs to run (default: all, or WORKER_JOBS)')
    .option('--concurrency <n>', 'jobs at once per queue (default: each job\'s concurrency)', parseConcurrency)
    .option('--provision', 'create or update the queues and the job table first instead of requiring them to exist')
    .action(async (options: RunOptions, command: Command) => {
      const { config, registry, logger } = createCliContext(command.optsWithGlobals<GlobalOptions>());
      warnIfOldNode(logger);
      const backends = await connectBackends({ config, logger, embedded: false, provisionTable: options.provision === true });
      const jobs = registry.select(options.jobs ?? config.WORKER_JOBS);
      const directory = options.provision
        ? (await provisionQueues(backends.sqs, jobs, config.QUEUE_PREFIX)).directory
        : await resolveQueues(backends.sqs, jobs, config.QUEUE_PREFIX);
      const metrics = new JobMetrics({ jobNames: jobs.map((job) => job.name) });
      metrics.watchQueues(backends.apiSqs, directory.all());
      const service = await startConfiguredWorkerService({
        config,
        backends,
        jobs,
        directory,
        logger,
        metrics,
        concurrency: options.concurrency,
        defaultWaitTimeSeconds: 20,
      });
      const metricsServer =
        config.METRICS_PORT === undefined ? undefined : await startMetricsServer({ metrics, host: config.HOST, port: config.METRICS_PORT, logger });
      logger.info({ endpoint: config.SQS_ENDPOINT ?? 'AWS', jobs: jobs.map((job) => job.name), metrics: metricsServer?.url }, 'worker ready');
      exitOnShutdownSignals(async () => {
        await service.stop();
        await metricsServer?.close();
        await backends.close();
      }, logger);
    });

  program
    .command('scheduler')
    .description('enqueue scheduled jobs at their cron ticks (several schedulers may run: each tick is enqueued once) until SIGINT/SIGTERM')
    .option('--jobs <names>', 'comma-separated jobs to schedule (default: all with a schedule)')
    .option('--provision', 'create or update the queues and the job table first instead of requiring them to exist')
    .action(async (options: RunOptions, command: Command) => {
      const { config, registry, logger } = createCliContext(command.optsWithGlobals<GlobalOptions>());
      const backends = await connectBackends({ config, logger, embedded: false, provisionTable: options.provision === true });
      const jobs = registry.select(options.jobs).filter((job) => job.schedules.length > 0);
      const directory = options.provision
        ? (await provisionQueues(backends.sqs, jobs, config.QUEUE_PREFIX)).directory
        : await resolveQueues(backends.sqs, jobs, config.QUEUE_PREFIX);
      const scheduler = new Scheduler({ sqs: backends.apiSqs, directory, store: backends.store, jobs, logger });
      scheduler.start();
      logger.info({ endpoint: config.SQS_ENDPOINT ?? 'AWS', schedules: scheduler.scheduleCount }, 'scheduler ready');
      exitOnShutdownSignals(async () => {
        await scheduler.stop();
        await backends.close();
      }, logger);
    });

  program
    .command('api')
    .description('serve the HTTP API on HOST:PORT against SQS_ENDPOINT / DYNAMODB_ENDPOINT (or AWS) until SIGINT/SIGTERM')
    .option('--provision', 'create or update the queues and the job table first instead of requiring them to exist')
    .action(async (options: RunOptions, command: Command) => {
      const { config, registry, logger } = createCliContext(command.optsWithGlobals<GlobalOptions>());
      warnIfOldNode(logger);
      const backends = await connectBackends({ config, logger, embedded: false, provisionTable: options.provision === true });
      const directory = options.provision
        ? (await provisionQueues(backends.sqs, registry.jobs, config.QUEUE_PREFIX)).directory
        : await resolveQueues(backends.sqs, registry.jobs, config.QUEUE_PREFIX);
      const metrics = new JobMetrics({ jobNames: registry.names });
      metrics.watchQueues(backends.apiSqs, directory.all());
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on use, so processes that never need it (a worker: emulators, Express) stay small
      const { startApiService } = require('../../services/api-service') as typeof import('../../services/api-service');
      const server = await startApiService({ config, registry, directory, backends, metrics, logger, version: PACKAGE_VERSION });
      logger.info({ url: server.url, endpoint: config.SQS_ENDPOINT ?? 'AWS' }, 'API listening');
      exitOnShutdownSignals(async () => {
        await server.close();
        await backends.close();
      }, logger);
    });
}
