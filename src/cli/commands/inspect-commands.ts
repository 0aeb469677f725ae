import { createInterface } from 'node:readline/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Command, InvalidArgumentError } from 'commander';
import { ConfigError } from '../../errors';
import { deadLetterCount, type DeadMessage, peekDeadLetters, purgeDeadLetters } from '../../ops/dlq';
import { formatQueueTable, queueStatus } from '../../ops/queue-status';
import { resolveQueues } from '../../queues/provisioning';
import { createCliContext, type GlobalOptions } from '../cli-context';

const parsePeekLimit = (value: string): number => {
  const parsed = Number(value);
  if (!/^\d+$/.test(value) || parsed < 1 || parsed > 1000) throw new InvalidArgumentError('limit must be an integer from 1 to 1000');
  return parsed;
};

const parseWatchSeconds = (value: string): number => {
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < 0.5 || parsed > 3600) throw new InvalidArgumentError('watch interval must be 0.5 to 3600 seconds');
  return parsed;
};

/** `queues` and `dlq peek|purge`: what operators look at before they act. */
export function registerInspectCommands(program: Command): void {
  program
    .command('queues')
    .description('every job\'s queue and DLQ: visible, in flight, delayed, DLQ depth')
    .option('--json', 'print the rows as JSON')
    .option('--watch [seconds]', 'refresh every few seconds (default 2) until Ctrl-C', parseWatchSeconds)
    .action(async (options: { json?: boolean; watch?: number | true }, command: Command) => {
      const { config, registry, createSqs } = createCliContext(command.optsWithGlobals<GlobalOptions>());
      const sqs = createSqs();
      const stop = new AbortController();
      const onSignal = () => {
        stop.abort();
      };
      const stopped = () => stop.signal.aborted;
      process.once('SIGINT', onSignal).once('SIGTERM', onSignal);
      try {
        for (;;) {
          const rows = await queueStatus(sqs, registry.jobs, config.QUEUE_PREFIX);
          const text = options.json ? JSON.stringify(rows, null, options.watch ? undefined : 2) : formatQueueTable(rows);
          const clear = options.watch && !options.json && process.stdout.isTTY ? '\x1b[2J\x1b[H' : '';
          process.stdout.write(`${clear}${text}\n`);
          if (!options.watch || stopped()) return;
          const seconds = options.watch === true ? 2 : options.watch;
          await sleep(seconds * 1000, undefined, { signal: stop.signal }).catch(() => undefined);
          if (stopped()) return;
        }
      } finally {
        process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
        sqs.destroy();
      }
    });

  const dlq = program.command('dlq').description('inspect or empty a job\'s dead-letter queue');

  dlq
    .command('peek')
    .description('show dead messages with their error attributes, without consuming them (visibility is restored at once)')
    .argument('<job>', 'job name')
    .option('--limit <n>', 'messages to show (1-1000)', parsePeekLimit, 10)
    .option('--json', 'print the messages as JSON')
    .action(async (jobName: string, options: { limit: number; json?: boolean }, command: Command) => {
      const { config, registry, createSqs } = createCliContext(command.optsWithGlobals<GlobalOptions>());
      const job = registry.get(jobName);
      const sqs = createSqs();
      try {
        const queues = (await resolveQueues(sqs, [job], config.QUEUE_PREFIX)).get(job.name);
        const messages = await peekDeadLetters(sqs, queues, options.limit);
        process.stdout.write(options.json ? `${JSON.stringify(messages, null, 2)}\n` : formatDeadMessages(queues.dlq.name, messages));
      } finally {
        sqs.destroy();
      }
    });

  dlq
    .command('purge')
    .description('delete every message in a job\'s DLQ; asks first unless --yes')
    .argument('<job>', 'job name')
    .option('--yes', 'do not ask for confirmation (required when standard input is not a terminal)')
    .option('--json', 'print { dlq, approximateCount } as JSON')
    .action(async (jobName: string, options: { yes?: boolean; json?: boolean }, command: Command) => {
      const { config, registry, createSqs } = createCliContext(command.optsWithGlobals<GlobalOptions>());
      const job = registry.get(jobName);
      const sqs = createSqs();
      try {
        const queues = (await resolveQueues(sqs, [job], config.QUEUE_PREFIX)).get(job.name);
        const count = await deadLetterCount(sqs, queues);
        if (!options.yes && !(await confirm(`Delete all ${count} messages in ${queues.dlq.name}? This cannot be undone. [y/N] `))) {
          process.stderr.write('purge cancelled\n');
          return;
        }
        await purgeDeadLetters(sqs, queues);
        process.stdout.write(
          options.json ? `${JSON.stringify({ dlq: queues.dlq.name, approximateCount: count })}\n` : `purged ${queues.dlq.name} (about ${count} messages)\n`,
        );
      } finally {
        sqs.destroy();
      }
    });
}

async function confirm(question: string): Promise<boolean> {
  if (!process.stdin.isTTY) throw new ConfigError('refusing to purge without --yes: standard input is not a terminal');
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await prompt.question(question)).trim());
  } finally {
    prompt.close();
  }
}

function formatDeadMessages(dlqName: string, messages: readonly DeadMessage[]): string {
  if (messages.length === 0) return `${dlqName} is empty\n`;
  const blocks = messages.map((message) => {
    const body = message.body.length > 200 ? `${message.body.slice(0, 199)}…` : message.body;
    return [
      `jobId ${message.jobId}  (message ${message.messageId})`,
      `  error     ${message.errorCode ?? '(none: dead-lettered by the redrive policy)'}: ${message.errorMessage ?? ''}`,
      `  attempts  ${message.attempts ?? '?'}   failed at ${message.failedAt ?? '?'}   from ${message.sourceQueue ?? '?'}`,
      `  body      ${body}`,
    ].join('\n');
  });
  return `${messages.length} message(s) in ${dlqName}, left in place:\n\n${blocks.join('\n\n')}\n`;
}
