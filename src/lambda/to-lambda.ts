import { setMaxListeners } from 'node:events';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { mapWithLimit, memoizeUnlessFailed } from '../concurrency';
import type { AnyJob } from '../jobs/define-job';
import { createLogger, type Logger } from '../observability/logger';
import { processMessage, shouldDelete } from '../runtime/process-message';
import { type LambdaRuntime, runtimeFromEnvironment } from './lambda-runtime';
import { recordToMessage } from './sqs-event';

export type LambdaContext = Pick<Context, 'getRemainingTimeInMillis' | 'awsRequestId'>;
export type SqsJobHandler = (event: SQSEvent, context: LambdaContext) => Promise<SQSBatchResponse>;

export interface ToLambdaOptions {
  /** Builds the runtime on the first invocation; default: from the function's environment. */
  runtime?: (job: AnyJob) => Promise<LambdaRuntime>;
  /** Kept back before the function's deadline to release unfinished records (default: 10 % of the budget, 1–5 s). */
  safetyMarginMs?: number;
  /** [0, 1) source for backoff jitter; injectable for tests. */
  random?: () => number;
}

const MAX_FLUSH_MS = 2_000;

let fallbackLogger: Logger | undefined;
/** For errors before the runtime (and its configured logger) exists. */
function coldStartLogger(): Logger {
  fallbackLogger ??= createLogger({ format: 'json' });
  return fallbackLogger;
}

function defaultSafetyMarginMs(budgetMs: number): number {
  return Math.min(5_000, Math.max(1_000, budgetMs * 0.1));
}

/**
 * A job as an SQS-triggered Lambda handler with ReportBatchItemFailures, on the same core as the
 * worker: retries set the record's visibility to the backoff delay and are reported as failures
 * (so Lambda does not delete them); final failures are copied to the DLQ with their error
 * attributes and left out of the failures (so Lambda deletes them). One bad record never fails
 * the batch. Records still running or not started when the function nears its timeout are
 * released (visibility 0) and reported, so a timeout loses nothing. FIFO batches run each
 * message group in order and stop a group at its first failure.
 */
export function toLambda(job: AnyJob, options: ToLambdaOptions = {}): SqsJobHandler {
  const getRuntime = memoizeUnlessFailed(() => (options.runtime ?? runtimeFromEnvironment)(job));

  return async (event, context) => {
    const records = event.Records;
    let deps: LambdaRuntime;
    try {
      deps = await getRuntime();
    } catch (error) {
      coldStartLogger().error({ err: error, job: job.name }, 'job runtime could not start; the batch is reported failed and retried');
      return failures(records.map((record) => record.messageId));
    }
    const budgetMs = context.getRemainingTimeInMillis();
    const stop = new AbortController();
    // One listener per running record: a batch of 10 with more concurrency is not a leak.
    setMaxListeners(0, stop.signal);
    const timer = setTimeout(() => {
      stop.abort();
    }, Math.max(0, budgetMs - (options.safetyMarginMs ?? defaultSafetyMarginMs(budgetMs))));
    const logger = deps.logger.child({ awsRequestId: context.awsRequestId });
    const succeeded = async (record: SQSRecord): Promise<boolean> => {
      const outcome = await processMessage(job, recordToMessage(record), {
        sqs: deps.sqs,
        queues: deps.queues,
        logger,
        enqueue: deps.enqueue,
        stopSignal: stop.signal,
        events: deps.events,
        random: options.random,
      }).catch((error: unknown) => {
        logger.error({ err: error, messageId: record.messageId }, 'record could not be processed; it returns after its visibility timeout');
        return undefined;
      });
      return outcome !== undefined && shouldDelete(outcome);
    };
    try {
      const failed = isFifo(records) ? await runFifo(records, job.concurrency, succeeded) : await runParallel(records, job.concurrency, succeeded);
      if (stop.signal.aborted) logger.warn({ released: failed.length }, 'function near its timeout: unfinished records released');
      return failures(failed);
    } finally {
      clearTimeout(timer);
      await deps.flush?.(Math.min(MAX_FLUSH_MS, Math.max(0, context.getRemainingTimeInMillis() - 200)));
    }
  };
}

function failures(messageIds: readonly string[]): SQSBatchResponse {
  return { batchItemFailures: messageIds.map((itemIdentifier) => ({ itemIdentifier })) };
}

function isFifo(records: readonly SQSRecord[]): boolean {
  return records.some((record) => record.eventSourceARN.endsWith('.fifo') || record.attributes.MessageGroupId !== undefined);
}

async function runParallel(records: readonly SQSRecord[], limit: number, succeeded: (record: SQSRecord) => Promise<boolean>): Promise<string[]> {
  const results = await mapWithLimit(records, limit, succeeded);
  return records.filter((_, index) => !results[index]).map((record) => record.messageId);
}

/**
 * FIFO: SQS delivers a group's next message only after the previous one is deleted, so a failed
 * record must hold back the rest of its group, which are reported unprocessed (AWS's contract for
 * partial batch responses on FIFO queues). Other groups carry on.
 */
async function runFifo(records: readonly SQSRecord[], limit: number, succeeded: (record: SQSRecord) => Promise<boolean>): Promise<string[]> {
  const groups = new Map<string, SQSRecord[]>();
  for (const record of records) {
    const group = record.attributes.MessageGroupId ?? '';
    groups.set(group, [...(groups.get(group) ?? []), record]);
  }
  const failedPerGroup = await mapWithLimit([...groups.values()], limit, async (group) => {
    for (const [index, record] of group.entries()) {
      if (!(await succeeded(record))) return group.slice(index).map((held) => held.messageId);
    }
    return [];
  });
  const failed = new Set(failedPerGroup.flat());
  return records.filter((record) => failed.has(record.messageId)).map((record) => record.messageId);
}
