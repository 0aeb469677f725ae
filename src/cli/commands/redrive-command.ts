import type { SQSClient } from '@aws-sdk/client-sqs';
import { Presets, SingleBar } from 'cli-progress';
import { type Command, InvalidArgumentError } from 'commander';
import { ConfigError } from '../../errors';
import { FILTER_SYNTAX_HELP, type MessageFilter, parseFilter } from '../../ops/message-filter';
import { type RedriveProgress, type RedriveSummary, redriveJob } from '../../ops/redrive';
import { type JobQueues, resolveQueues } from '../../queues/provisioning';
import { readQueueDepths } from '../../sqs/queue-depths';
import { createCliContext, EXIT, type GlobalOptions } from '../cli-context';

interface RedriveCliOptions {
  all?: boolean;
  dryRun?: boolean;
  limit?: number;
  filter?: MessageFilter[];
  rate?: number;
  maxPerSecond?: number;
  clientSide?: boolean;
  visibilityTimeout?: number;
  json?: boolean;
}

const REDRIVE_HELP = `
Modes:
  native       SQS's own move task (StartMessageMoveTask), used when the endpoint supports it and
               no client-side option is given. Progress is polled with ListMessageMoveTasks and
               Ctrl-C cancels the task. SQS moves messages unchanged: the error attributes stay
               and no redrive-count / redriven-at is written.
  client-side  receive from the DLQ, send to the job's queue, then delete from the DLQ only what was
               sent. Used with --client-side, --dry-run, --limit, --filter or --rate, and when the
               endpoint has no native move (InvalidAction / UnsupportedOperation). The copies lose
               error-code, error-message, attempts, failed-at and source-queue, keep job-id and the
               other attributes, and get redriven-at and redrive-count (+1). An interruption at any
               point loses nothing; at worst the batch in flight (<= 10) is sent twice, with the
               same job ids. Messages not moved are made visible again when the run ends.

${FILTER_SYNTAX_HELP}

Progress: a bar on a terminal; otherwise a line on stderr every second ("redrive <job>: moved n/total").
Ctrl-C: stops receiving, finishes the batch in flight, releases held messages, prints the summary
and exits 130 (a second Ctrl-C exits at once; still nothing is lost).

Exit codes:
  0    done (also when there was nothing to move)
  1    runtime failure: endpoint unreachable, SQS error, or messages that could not be moved
  2    invalid input: unknown job, bad filter or option, missing queue or DLQ
  130  interrupted (SIGINT/SIGTERM)

Examples:
  sqs-jobs redrive send-welcome-email
  sqs-jobs redrive deliver-webhook --filter error-code=http-503 --filter newer-than=2h --rate 50
  sqs-jobs redrive --all --dry-run --json`;

function positiveInteger(label: string, max: number): (value: string) => number {
  return (value) => {
    const parsed = Number(value);
    if (!/^\d+$/.test(value) || parsed < 1 || parsed > max) throw new InvalidArgumentError(`${label} must be an integer from 1 to ${max}`);
    return parsed;
  };
}

const parseRate = (value: string): number => {
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0 || parsed > 100_000) throw new InvalidArgumentError('rate must be a number of messages per second above 0');
  return parsed;
};

const collectFilter = (value: string, previous: MessageFilter[] | undefined): MessageFilter[] => {
  try {
    return [...(previous ?? []), parseFilter(value)];
  } catch (error) {
    throw new InvalidArgumentError(error instanceof Error ? error.message : String(error));
  }
};

/** `redrive <job> | --all`: moves dead messages back to their job's queue. */
export function registerRedriveCommand(program: Command): void {
  program
    .command('redrive')
    .description('move dead messages from a job\'s DLQ back to its queue (native move task, or client-side)')
    .argument('[job]', 'job name (or --all)')
    .option('--all', 'every job in the registry, one after the other')
    .option('--dry-run', 'list what would move (jobId, error-code, error-message, failed-at); move nothing')
    .option('--limit <n>', 'move at most n messages per job', positiveInteger('limit', 1_000_000_000))
    .option('--filter <expr>', 'move only matching messages; repeatable (see Filters)', collectFilter)
    .option('--rate <n>', 'client-side: at most n messages per second', parseRate)
    .option('--max-per-second <n>', 'native: MaxNumberOfMessagesPerSecond (1-500); the rate after a fallback', positiveInteger('max-per-second', 500))
    .option('--client-side', 'never use the native move task')
    .option('--visibility-timeout <seconds>', 'client-side: how long received messages stay hidden if this process dies (default 60)', positiveInteger('visibility timeout', 43_200))
    .option('--json', 'print one summary object per job as a JSON line')
    .addHelpText('after', REDRIVE_HELP)
    .action(async (jobName: string | undefined, options: RedriveCliOptions, command: Command) => {
      if ((jobName === undefined) === (options.all !== true)) throw new ConfigError('redrive needs either a job name or --all (not both)');
      const { config, registry, createSqs } = createCliContext(command.optsWithGlobals<GlobalOptions>());
      const jobs = jobName === undefined ? registry.jobs : [registry.get(jobName)];
      const stop = new AbortController();
      const onSignal = () => {
        if (stop.signal.aborted) process.exit(EXIT.forced);
        process.stderr.write('redrive: stopping after the batch in flight (again to exit at once)\n');
        stop.abort();
      };
      process.on('SIGINT', onSignal).on('SIGTERM', onSignal);
      const sqs = createSqs();
      const progress = createProgressReporter(options.json !== true && process.stdout.isTTY);
      const summaries: RedriveSummary[] = [];
      try {
        const directory = await resolveQueues(sqs, jobs, config.QUEUE_PREFIX);
        for (const job of jobs) {
          if (stop.signal.aborted) break;
          try {
            const summary = await redriveJob(sqs, directory.get(job.name), {
              clientSide: options.clientSide,
              dryRun: options.dryRun,
              limit: options.limit,
              filters: options.filter,
              ratePerSecond: options.rate,
              maxPerSecond: options.maxPerSecond,
              visibilityTimeoutSeconds: options.visibilityTimeout,
              signal: stop.signal,
              onProgress: progress.update,
              onFallback: (reason) => {
                progress.note(`redrive ${job.name}: the endpoint has no native message move (${reason}); moving client-side`);
              },
            });
            summaries.push(summary);
            progress.done();
            process.stdout.write(options.json ? `${JSON.stringify(summary)}\n` : formatSummary(summary));
            if (summary.mode === 'client-side' && !summary.interrupted) await noteHeldElsewhere(sqs, directory.get(job.name), progress);
          } finally {
            progress.done();
          }
        }
      } finally {
        process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
        sqs.destroy();
      }
      // main() only turns thrown errors into exit codes; a finished run sets its own.
      if (stop.signal.aborted) process.exitCode = EXIT.forced;
      else if (summaries.some((summary) => summary.failed > 0)) process.exitCode = EXIT.failure;
    });
}

interface ProgressReporter {
  update: (progress: RedriveProgress) => void;
  note: (line: string) => void;
  done: () => void;
}

/** A cli-progress bar on a terminal; otherwise one stderr line per second that scripts and tests can follow. */
function createProgressReporter(tty: boolean): ProgressReporter {
  let latest: RedriveProgress | undefined;
  let bar: SingleBar | undefined;
  let timer: NodeJS.Timeout | undefined;
  const line = (progress: RedriveProgress) => {
    const extra = [progress.skipped > 0 ? `skipped ${progress.skipped}` : '', progress.failed > 0 ? `failed ${progress.failed}` : ''].filter(Boolean);
    return `redrive ${progress.job}: moved ${progress.moved}/${progress.total}${extra.length > 0 ? ` (${extra.join(', ')})` : ''}\n`;
  };
  return {
    update(progress) {
      latest = progress;
      if (tty) {
        // The bar counts messages looked at, so filtered runs still reach the end and the ETA holds.
        const payload = { job: progress.job, mode: progress.mode, moved: progress.moved, skipped: progress.skipped, failed: progress.failed };
        if (!bar) {
          bar = new SingleBar(
            { format: '{job} ({mode}) [{bar}] {value}/{total} | moved {moved}, skipped {skipped}, failed {failed} | ETA {eta_formatted}', stream: process.stdout },
            Presets.shades_classic,
          );
          bar.start(Math.max(progress.total, progress.processed), progress.processed, payload);
        } else {
          if (Math.max(progress.total, progress.processed) > bar.getTotal()) bar.setTotal(Math.max(progress.total, progress.processed));
          bar.update(progress.processed, payload);
        }
        return;
      }
      timer ??= setInterval(() => {
        if (latest) process.stderr.write(line(latest));
      }, 1000).unref();
    },
    note(text) {
      process.stderr.write(`${text}\n`);
    },
    done() {
      bar?.stop();
      bar = undefined;
      clearInterval(timer);
      timer = undefined;
      latest = undefined;
    },
  };
}

/** Messages hidden by another reader (or a killed run) cannot be received; say so instead of implying the DLQ is done. */
async function noteHeldElsewhere(sqs: SQSClient, queues: JobQueues, progress: ProgressReporter): Promise<void> {
  const depths = await readQueueDepths(sqs, queues.dlq.url, 5_000).catch(() => undefined);
  if (depths && depths.in_flight > 0) {
    progress.note(`redrive ${queues.jobName}: ${depths.in_flight} message(s) in ${queues.dlq.name} are held by another reader (or an interrupted run) and were not moved; run again once they are visible`);
  }
}

function formatSummary(summary: RedriveSummary): string {
  const lines: string[] = [];
  for (const entry of summary.messages ?? []) {
    lines.push(`  ${entry.jobId}  ${entry.errorCode ?? '(no error-code)'}  ${entry.failedAt ?? '?'}  ${entry.errorMessage ?? ''}`);
  }
  const counts = `${summary.skipped} skipped by filters, ${summary.failed} failed`;
  const head = summary.dryRun
    ? `${summary.job}: would move ${summary.matched} (dry run, nothing moved); ${counts}`
    : `${summary.job}: moved ${summary.moved} (${summary.mode}${summary.mode === 'native' ? ', error attributes kept' : ''}); ${counts}`;
  lines.push(`${head}${summary.interrupted ? '; interrupted' : ''}`);
  return `${lines.join('\n')}\n`;
}
