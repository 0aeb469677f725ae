import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { InvalidPayloadError } from '../../errors';
import { enqueueJob } from '../../jobs/enqueue';
import { provisionQueues, resolveQueues } from '../../queues/provisioning';
import { createCliContext, type GlobalOptions } from '../cli-context';
import { parseDelaySeconds } from './option-parsers';

interface JsonOption {
  json?: boolean;
}

/** `provision`, `enqueue` and `jobs`: one-shot commands with human or --json output. */
export function registerQueueCommands(program: Command): void {
  program
    .command('provision')
    .description('create or update every job\'s queue and DLQ (idempotent)')
    .option('--json', 'print the changes as JSON')
    .action(async (options: JsonOption, command: Command) => {
      const { config, registry, createSqs } = createCliContext(command.optsWithGlobals<GlobalOptions>());
      const sqs = createSqs();
      try {
        const { changes } = await provisionQueues(sqs, registry.jobs, config.QUEUE_PREFIX);
        if (options.json) {
          process.stdout.write(`${JSON.stringify(changes, null, 2)}\n`);
          return;
        }
        for (const change of changes) {
          const detail = change.changedAttributes.length > 0 ? ` (${change.changedAttributes.join(', ')})` : '';
          process.stdout.write(`${change.action.padEnd(9)} ${change.queueName}${detail}\n`);
        }
      } finally {
        sqs.destroy();
      }
    });

  program
    .command('enqueue')
    .description('validate a payload against the job\'s schema and send it to the job\'s queue')
    .argument('<job>', 'job name')
    .argument('<payload>', 'JSON text, @path/to/file.json, or - for standard input')
    .option('--delay <seconds>', 'seconds before the job becomes visible (0-900)', parseDelaySeconds)
    .option('--job-id <id>', 'use this job id instead of a generated one')
    .option('--json', 'print { jobId, messageId } as JSON')
    .action(async (jobName: string, payloadArgument: string, options: JsonOption & { delay?: number; jobId?: string }, command: Command) => {
      const { config, registry, createSqs } = createCliContext(command.optsWithGlobals<GlobalOptions>());
      const job = registry.get(jobName);
      const payload = parsePayloadArgument(job.name, payloadArgument);
      const sqs = createSqs();
      try {
        const directory = await resolveQueues(sqs, [job], config.QUEUE_PREFIX);
        const result = await enqueueJob(sqs, directory.get(job.name).queue.url, job, payload, {
          delaySeconds: options.delay,
          jobId: options.jobId,
        });
        process.stdout.write(options.json ? `${JSON.stringify(result)}\n` : `enqueued ${job.name} jobId=${result.jobId}\n`);
      } finally {
        sqs.destroy();
      }
    });

  program
    .command('jobs')
    .description('list the job definitions found in the handlers directory')
    .option('--json', 'print the definitions as JSON')
    .action((options: JsonOption, command: Command) => {
      const { registry } = createCliContext(command.optsWithGlobals<GlobalOptions>());
      const rows = registry.jobs.map((job) => ({
        name: job.name,
        maxAttempts: job.retry.maxAttempts,
        timeoutSeconds: job.timeoutSeconds,
        visibilityTimeoutSeconds: job.visibilityTimeoutSeconds,
        concurrency: job.concurrency,
        backoff: job.retry.backoff,
      }));
      if (options.json) {
        process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
        return;
      }
      for (const row of rows) {
        process.stdout.write(
          `${row.name.padEnd(24)} attempts=${row.maxAttempts} timeout=${row.timeoutSeconds}s visibility=${row.visibilityTimeoutSeconds}s concurrency=${row.concurrency}\n`,
        );
      }
    });
}

function parsePayloadArgument(jobName: string, argument: string): unknown {
  const text = argument === '-' ? readFileSync(0, 'utf8') : argument.startsWith('@') ? readFileSync(argument.slice(1), 'utf8') : argument;
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new InvalidPayloadError(jobName, [{ path: '(payload argument)', message: `not valid JSON: ${(error as Error).message}` }]);
  }
}
