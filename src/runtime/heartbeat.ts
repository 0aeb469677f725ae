import { ChangeMessageVisibilityCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { Logger } from '../observability/logger';

export interface HeartbeatOptions {
  sqs: SQSClient;
  queueUrl: string;
  receiptHandle: string;
  visibilityTimeoutSeconds: number;
  intervalMs: number;
  logger: Logger;
}

export interface Heartbeat {
  /** Extends visibility now; never throws (a failed beat is logged, the job keeps running). */
  beat: () => Promise<void>;
  stop: () => void;
}

/** Default beat interval: a third of the visibility timeout, so two beats can fail before expiry. */
export function defaultHeartbeatIntervalMs(visibilityTimeoutSeconds: number): number {
  return Math.max(250, Math.floor((visibilityTimeoutSeconds * 1000) / 3));
}

/**
 * Keeps a running job's message invisible. sqs-consumer's own heartbeat is not used because in
 * batch mode it re-extends every message of the batch, overwriting the backoff delay of messages
 * that already failed and were scheduled for retry.
 */
export function startHeartbeat(options: HeartbeatOptions): Heartbeat {
  let inFlight: Promise<void> | undefined;
  let stopped = false;
  let lastBeatAt = Date.now();
  // A handler may call ctx.heartbeat() per chunk of work; one SQS call per third of an interval is plenty.
  const minSpacingMs = options.intervalMs / 3;
  const beat = (): Promise<void> => {
    if (stopped) return Promise.resolve();
    if (!inFlight && Date.now() - lastBeatAt < minSpacingMs) return Promise.resolve();
    lastBeatAt = Date.now();
    inFlight ??= options.sqs
      .send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: options.queueUrl,
          ReceiptHandle: options.receiptHandle,
          VisibilityTimeout: options.visibilityTimeoutSeconds,
        }),
      )
      .then(
        () => options.logger.debug({ visibilityTimeoutSeconds: options.visibilityTimeoutSeconds }, 'heartbeat'),
        (error: unknown) => options.logger.warn({ err: error }, 'heartbeat failed; another worker may start this job'),
      )
      .finally(() => {
        inFlight = undefined;
      });
    return inFlight;
  };
  const timer = setInterval(() => void beat(), options.intervalMs);
  return {
    beat,
    stop() {
      stopped = true;
      clearInterval(timer);
    },
  };
}
