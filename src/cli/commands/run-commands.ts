import type { Command } from 'commander';
import { workerSettings } from '../../config';
import { startLocalStack } from '../../local/stack';
import { resolveQueues, provisionQueues } from '../../queues/provisioning';
import { exitOnShutdownSignals } from '../../runtime/shutdown';
import { Worker } from '../../runtime/worker';
import { createCliContext, type GlobalOptions, warnIfOldNode } from '../cli-context';
import { parseConcurrency } from './option-parsers';

interface RunOptions {
  jobs?: string;
  concurrency?: number;
  provision?: boolean;
}

/** `start` and `worker`: long-running commands that exit 0 after a graceful SIGINT/SIGTERM. */
export function registerRunCommands(program: Command): void {
  program
    .command('start')
    .description('run the whole local stack: embedded SQS emulator (unless SQS_ENDPOINT is set), queues, workers')
    .option('--jobs <names>', 'comma-separated jobs to run workers for (default: all, or WORKER_JOBS)')
    .option('--concurrency <n>', 'jobs at once per queue (default: each job\'s concurrency)', parseConcurrency)
    .action(async (options: RunOptions, command: Command) => {
      const context = createCliContext(command.optsWithGlobals<GlobalOptions>());
      warnIfOldNode(context.logger);
      const config = options.jobs ? { ...context.config, WORKER_JOBS: options.jobs } : context.config;
      const stack = await startLocalStack({ ...context, config, concurrency: options.concurrency });
      exitOnShutdownSignals(() => stack.stop(), context.logger);
    });

  program
    .command('worker')
    .description('run workers against SQS_ENDPOINT (or AWS) until SIGINT/SIGTERM')
    .option('--jobs <names>', 'comma-separated jobs to run (default: all, or WORKER_JOBS)')
    .option('--concurrency <n>', 'jobs at once per queue (default: each job\'s concurrency)', parseConcurrency)
    .option('--provision', 'create or update the queues first instead of requiring them to exist')
    .action(async (options: RunOptions, command: Command) => {
      const { config, registry, logger, createSqs } = createCliContext(command.optsWithGlobals<GlobalOptions>());
      warnIfOldNode(logger);
      const sqs = createSqs();
      const jobs = registry.select(options.jobs ?? config.WORKER_JOBS);
      const directory = options.provision
        ? (await provisionQueues(sqs, jobs, config.QUEUE_PREFIX)).directory
        : await resolveQueues(sqs, jobs, config.QUEUE_PREFIX);
      const settings = workerSettings(config, { concurrency: options.concurrency, defaultWaitTimeSeconds: 20 });
      const worker = new Worker({ sqs, jobs, directory, logger, ...settings });
      worker.start();
      logger.info({ endpoint: config.SQS_ENDPOINT ?? 'AWS', jobs: jobs.map((job) => job.name) }, 'worker ready');
      exitOnShutdownSignals(async () => {
        await worker.stop();
        sqs.destroy();
      }, logger);
    });
}
