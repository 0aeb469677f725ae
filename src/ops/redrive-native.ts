import { setTimeout as sleep } from 'node:timers/promises';
import {
  CancelMessageMoveTaskCommand,
  ListMessageMoveTasksCommand,
  type ListMessageMoveTasksResultEntry,
  type SQSClient,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import type { JobQueues } from '../queues/provisioning';

/** Error names (and text) with which endpoints say they have no message move tasks. */
const UNSUPPORTED_NAMES = new Set([
  'InvalidAction',
  'UnsupportedOperation',
  'AWS.SimpleQueueService.UnsupportedOperation',
  'UnknownOperation',
  'UnknownOperationException',
  'NotImplemented',
  'NotImplementedException',
]);
const UNSUPPORTED_TEXT = /unknown (action|operation)|not (implemented|supported)|unsupported operation|invalid action/i;

export interface NativeProgress {
  moved: number;
  total?: number;
}

export interface NativeOptions {
  maxPerSecond?: number;
  /** Cancels the move task; the summary then reports what SQS moved until then. */
  signal?: AbortSignal;
  onProgress?: (progress: NativeProgress) => void;
  pollIntervalMs?: number;
}

export interface NativeResult {
  moved: number;
  total?: number;
  interrupted: boolean;
}

/** The endpoint refused the call itself, rather than this move: the client-side move can stand in. */
export function isNativeMoveUnsupported(error: unknown): boolean {
  const shape = error as { name?: unknown; Code?: unknown; message?: unknown; $metadata?: { httpStatusCode?: number } } | null;
  if (!shape) return false;
  if (typeof shape.name === 'string' && UNSUPPORTED_NAMES.has(shape.name)) return true;
  if (typeof shape.Code === 'string' && UNSUPPORTED_NAMES.has(shape.Code)) return true;
  if (shape.$metadata?.httpStatusCode === 501) return true;
  return typeof shape.message === 'string' && UNSUPPORTED_TEXT.test(shape.message);
}

export class NativeMoveFailedError extends Error {
  constructor(dlqName: string, reason: string) {
    super(`message move task from ${dlqName} failed: ${reason}`);
    this.name = 'NativeMoveFailedError';
  }
}

/**
 * SQS's own DLQ redrive (StartMessageMoveTask), polled with ListMessageMoveTasks until it ends.
 * SQS moves messages unchanged: the error attributes stay and no redrive-count is written (the
 * runtime counts a returning message that still has `error-code` as one more generation).
 * Throws whatever StartMessageMoveTask throws; callers use isNativeMoveUnsupported to fall back.
 */
export async function redriveNative(sqs: SQSClient, queues: JobQueues, options: NativeOptions = {}): Promise<NativeResult> {
  const started = await sqs.send(
    new StartMessageMoveTaskCommand({
      SourceArn: queues.dlq.arn,
      DestinationArn: queues.queue.arn,
      ...(options.maxPerSecond === undefined ? {} : { MaxNumberOfMessagesPerSecond: options.maxPerSecond }),
    }),
  );
  const handle = started.TaskHandle;
  let cancelRequested = false;
  const cancel = () => {
    if (cancelRequested || handle === undefined) return;
    cancelRequested = true;
    sqs.send(new CancelMessageMoveTaskCommand({ TaskHandle: handle })).catch(() => {
      // The task may have completed in the meantime; the next poll shows its final state.
    });
  };
  options.signal?.addEventListener('abort', cancel, { once: true });
  if (options.signal?.aborted) cancel();
  try {
    for (;;) {
      const task = await currentTask(sqs, queues.dlq.arn, handle);
      const moved = task?.ApproximateNumberOfMessagesMoved ?? 0;
      const total = task?.ApproximateNumberOfMessagesToMove;
      options.onProgress?.({ moved, ...(total === undefined ? {} : { total }) });
      const status = task?.Status;
      if (status === 'FAILED') throw new NativeMoveFailedError(queues.dlq.name, task?.FailureReason ?? 'no reason given');
      if (status === 'COMPLETED' || status === 'CANCELLED' || task === undefined) {
        return { moved, ...(total === undefined ? {} : { total }), interrupted: status === 'CANCELLED' || cancelRequested };
      }
      await sleep(options.pollIntervalMs ?? 1000);
    }
  } finally {
    options.signal?.removeEventListener('abort', cancel);
  }
}

/** ListMessageMoveTasks returns the newest tasks first; ours is the one with our handle, or the newest. */
async function currentTask(sqs: SQSClient, sourceArn: string, handle: string | undefined): Promise<ListMessageMoveTasksResultEntry | undefined> {
  const listed = await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: sourceArn, MaxResults: 10 }));
  const results = listed.Results ?? [];
  return results.find((entry) => handle !== undefined && entry.TaskHandle === handle) ?? results[0];
}
