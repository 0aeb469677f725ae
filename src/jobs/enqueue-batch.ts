import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { mapWithLimit } from '../concurrency';
import { describeError, InvalidPayloadError, type PayloadIssue } from '../errors';
import type { AnyJob } from './define-job';
import { isSqsUnavailable } from '../sqs/errors';
import { buildJobMessage, type JobMessage } from './enqueue';
import type { EnqueueOptions } from './job-context';

/** SendMessageBatch takes at most 10 entries. */
const SQS_BATCH_SIZE = 10;
/** Batches in flight at once; enough to fill a connection pool without flooding the endpoint. */
const BATCHES_IN_FLIGHT = 8;

export interface BatchItem {
  payload: unknown;
  delaySeconds?: number;
}

export type BatchItemResult =
  | { index: number; status: 'queued'; jobId: string }
  | { index: number; status: 'rejected'; error: { code: string; message: string; issues?: readonly PayloadIssue[] } }
  | { index: number; status: 'failed'; error: { code: string; message: string }; retryable: boolean };

/**
 * Validates every item, then sends the valid ones with SendMessageBatch, 10 at a time. Each item
 * gets its own result: `queued` (durably in SQS), `rejected` (bad input; do not retry as is) or
 * `failed` (SQS refused or was unreachable; safe to retry, it was not enqueued).
 */
export async function enqueueJobBatch(
  sqs: SQSClient,
  queueUrl: string,
  job: AnyJob,
  items: readonly BatchItem[],
  options: Pick<EnqueueOptions, 'traceId'> = {},
): Promise<BatchItemResult[]> {
  const results: BatchItemResult[] = [];
  const valid: { index: number; message: JobMessage }[] = [];
  items.forEach((item, index) => {
    try {
      valid.push({ index, message: buildJobMessage(job, item.payload, { delaySeconds: item.delaySeconds, traceId: options.traceId }) });
    } catch (error) {
      const issues = error instanceof InvalidPayloadError ? error.issues : undefined;
      results.push({ index, status: 'rejected', error: { ...describeError(error), ...(issues ? { issues } : {}) } });
    }
  });
  const chunks: (typeof valid)[] = [];
  for (let start = 0; start < valid.length; start += SQS_BATCH_SIZE) chunks.push(valid.slice(start, start + SQS_BATCH_SIZE));
  const sent = await mapWithLimit(chunks, BATCHES_IN_FLIGHT, (chunk) => sendChunk(sqs, queueUrl, chunk));
  results.push(...sent.flat());
  return results.sort((a, b) => a.index - b.index);
}

async function sendChunk(sqs: SQSClient, queueUrl: string, chunk: { index: number; message: JobMessage }[]): Promise<BatchItemResult[]> {
  try {
    const response = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: chunk.map(({ index, message }) => ({
          Id: String(index),
          MessageBody: message.body,
          DelaySeconds: message.delaySeconds,
          MessageAttributes: message.attributes,
        })),
      }),
    );
    const succeeded = new Set((response.Successful ?? []).map((entry) => entry.Id));
    const failures = new Map((response.Failed ?? []).map((entry) => [entry.Id, entry]));
    return chunk.map(({ index, message }): BatchItemResult => {
      if (succeeded.has(String(index))) return { index, status: 'queued', jobId: message.jobId };
      const failure = failures.get(String(index));
      return {
        index,
        status: 'failed',
        error: { code: failure?.Code ?? 'send-failed', message: failure?.Message ?? 'SQS did not confirm this entry' },
        retryable: !(failure?.SenderFault ?? false),
      };
    });
  } catch (error) {
    const failure = isSqsUnavailable(error)
      ? { code: 'sqs-unavailable', message: 'the queue service is unavailable; this item was not enqueued' }
      : { code: 'send-failed', message: 'SendMessageBatch failed; this item was not enqueued' };
    return chunk.map(({ index }) => ({ index, status: 'failed', error: failure, retryable: true }));
  }
}
