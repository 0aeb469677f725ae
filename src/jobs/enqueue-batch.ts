import type { SQSClient } from '@aws-sdk/client-sqs';
import { describeError, InvalidPayloadError, type PayloadIssue } from '../errors';
import type { AnyJob } from './define-job';
import { isSqsUnavailable } from '../sqs/errors';
import { SendBatcher, SendEntryFailedError } from '../sqs/send-batcher';
import { buildJobMessage, type JobMessage } from './enqueue';
import type { EnqueueOptions } from './job-context';

export interface BatchItem {
  payload: unknown;
  delaySeconds?: number;
}

export type BatchItemResult =
  | { index: number; status: 'queued'; jobId: string }
  | { index: number; status: 'rejected'; error: { code: string; message: string; issues?: readonly PayloadIssue[] } }
  | { index: number; status: 'failed'; error: { code: string; message: string }; retryable: boolean };

/**
 * Validates every item and sends the valid ones through a SendBatcher (SendMessageBatch, at most
 * 10 entries and the size limit per request). Each item
 * gets its own result: `queued` (durably in SQS), `rejected` (bad input; do not retry as is) or
 * `failed` (SQS refused or was unreachable; safe to retry, it was not enqueued).
 */
export async function enqueueJobBatch(
  sqs: SQSClient,
  queueUrl: string,
  job: AnyJob,
  items: readonly BatchItem[],
  options: Pick<EnqueueOptions, 'traceId'> & { sender?: SendBatcher } = {},
): Promise<BatchItemResult[]> {
  const sender = options.sender ?? new SendBatcher(sqs);
  const pending = items.map((item, index): Promise<BatchItemResult> => {
    let message: JobMessage;
    try {
      message = buildJobMessage(job, item.payload, { delaySeconds: item.delaySeconds, traceId: options.traceId });
    } catch (error) {
      const issues = error instanceof InvalidPayloadError ? error.issues : undefined;
      return Promise.resolve({ index, status: 'rejected', error: { ...describeError(error), ...(issues ? { issues } : {}) } });
    }
    return sender.send(queueUrl, message).then(
      (): BatchItemResult => ({ index, status: 'queued', jobId: message.jobId }),
      (error: unknown): BatchItemResult => ({ index, status: 'failed', ...sendFailure(error) }),
    );
  });
  return Promise.all(pending);
}

function sendFailure(error: unknown): { error: { code: string; message: string }; retryable: boolean } {
  if (error instanceof SendEntryFailedError) {
    return { error: { code: error.code, message: error.message }, retryable: !error.senderFault };
  }
  if (isSqsUnavailable(error)) {
    return { error: { code: 'sqs-unavailable', message: 'the queue service is unavailable; this item was not enqueued' }, retryable: true };
  }
  return { error: { code: 'send-failed', message: 'SendMessageBatch failed; this item was not enqueued' }, retryable: true };
}
