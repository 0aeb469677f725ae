import type { SQSClient } from '@aws-sdk/client-sqs';
import { MissingQueueError } from '../errors';
import type { AnyJob } from '../jobs/define-job';
import { queueNamesFor } from '../queues/naming';
import { resolveQueues } from '../queues/provisioning';
import { readQueueDepths } from '../sqs/queue-depths';

export interface QueueStatusRow {
  job: string;
  queue: string;
  visible: number | null;
  inFlight: number | null;
  delayed: number | null;
  dlq: string;
  dlqVisible: number | null;
  dlqInFlight: number | null;
  /** Why the counts are null: the queue is missing, or SQS did not answer. */
  error?: string;
}

const READ_TIMEOUT_MS = 5_000;

/**
 * One row per job with its queue's and DLQ's approximate counts. A missing queue or a failed read
 * becomes that row's `error`, so one broken job does not hide the others. SQS exposes no age of
 * the oldest message through its API (only CloudWatch has ApproximateAgeOfOldestMessage).
 */
export async function queueStatus(sqs: SQSClient, jobs: readonly AnyJob[], prefix: string): Promise<QueueStatusRow[]> {
  return Promise.all(
    jobs.map(async (job): Promise<QueueStatusRow> => {
      const names = queueNamesFor(job.name, prefix);
      const empty = { job: job.name, queue: names.queueName, dlq: names.dlqName, visible: null, inFlight: null, delayed: null, dlqVisible: null, dlqInFlight: null };
      try {
        const entry = (await resolveQueues(sqs, [job], prefix)).get(job.name);
        const [main, dlq] = await Promise.all([
          readQueueDepths(sqs, entry.queue.url, READ_TIMEOUT_MS),
          readQueueDepths(sqs, entry.dlq.url, READ_TIMEOUT_MS),
        ]);
        return {
          job: job.name,
          queue: entry.queue.name,
          visible: main.visible,
          inFlight: main.in_flight,
          delayed: main.delayed,
          dlq: entry.dlq.name,
          dlqVisible: dlq.visible,
          dlqInFlight: dlq.in_flight,
        };
      } catch (error) {
        if (error instanceof MissingQueueError) return { ...empty, error: error.message };
        throw error;
      }
    }),
  );
}

/** A fixed-width table for terminals; numbers right-aligned, unknown counts as "-". */
export function formatQueueTable(rows: readonly QueueStatusRow[]): string {
  const header = ['JOB', 'VISIBLE', 'IN FLIGHT', 'DELAYED', 'DLQ', 'DLQ IN FLIGHT', 'QUEUE'];
  const cell = (value: number | null) => (value === null ? '-' : String(value));
  const body = rows.map((row) => [row.job, cell(row.visible), cell(row.inFlight), cell(row.delayed), cell(row.dlqVisible), cell(row.dlqInFlight), row.error ?? row.queue]);
  const widths = header.map((title, column) => Math.max(title.length, ...body.map((line) => line[column]?.length ?? 0)));
  const render = (line: string[]) =>
    line
      .map((text, column) => (column === 0 || column === line.length - 1 ? text.padEnd(widths[column] ?? 0) : text.padStart(widths[column] ?? 0)))
      .join('  ')
      .trimEnd();
  return [render(header), ...body.map(render)].join('\n');
}
