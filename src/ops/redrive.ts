import type { SQSClient } from '@aws-sdk/client-sqs';
import type { JobQueues } from '../queues/provisioning';
import { readQueueDepths } from '../sqs/queue-depths';
import type { MessageFilter } from './message-filter';
import { type DryRunEntry, redriveClientSide } from './redrive-client-side';
import { isNativeMoveUnsupported, redriveNative } from './redrive-native';

export type RedriveMode = 'native' | 'client-side';

export interface RedriveOptions {
  /** Skip StartMessageMoveTask even where the endpoint has it. */
  clientSide?: boolean;
  dryRun?: boolean;
  limit?: number;
  filters?: readonly MessageFilter[];
  /** Client-side messages per second (token bucket). */
  ratePerSecond?: number;
  /** Native MaxNumberOfMessagesPerSecond; also the client-side rate after a fallback, unless ratePerSecond is set. */
  maxPerSecond?: number;
  signal?: AbortSignal;
  onProgress?: (progress: RedriveProgress) => void;
  /** Called once when the endpoint turned the native move down and the client-side move takes over. */
  onFallback?: (reason: string) => void;
  visibilityTimeoutSeconds?: number;
  waitTimeSeconds?: number;
  pollIntervalMs?: number;
}

export interface RedriveProgress {
  job: string;
  mode: RedriveMode;
  moved: number;
  /** Messages looked at so far: moved, failed, listed by a dry run, or skipped by the filters. */
  processed: number;
  /** Messages in the DLQ when the run started (visible ones; capped by --limit without filters), or the native task's estimate. */
  total: number;
  skipped: number;
  failed: number;
}

export interface RedriveSummary {
  job: string;
  mode: RedriveMode;
  moved: number;
  matched: number;
  skipped: number;
  failed: number;
  dryRun: boolean;
  interrupted: boolean;
  /** Dry run only. */
  messages?: DryRunEntry[];
}

/** Options only the client-side move can honour; any of them rules the native move out. */
export function requiresClientSide(options: RedriveOptions): boolean {
  return (
    options.clientSide === true ||
    options.dryRun === true ||
    options.limit !== undefined ||
    (options.filters?.length ?? 0) > 0 ||
    options.ratePerSecond !== undefined
  );
}

/**
 * Moves one job's dead messages back to its queue: SQS's native move task where the endpoint
 * has one and no client-side option was asked for, otherwise (or when the endpoint refuses the
 * call) receive → send → delete from here.
 */
export async function redriveJob(sqs: SQSClient, queues: JobQueues, options: RedriveOptions = {}): Promise<RedriveSummary> {
  const visible = (await readQueueDepths(sqs, queues.dlq.url, 5_000)).visible;
  const total = options.limit !== undefined && (options.filters?.length ?? 0) === 0 ? Math.min(visible, options.limit) : visible;
  const job = queues.jobName;
  if (!requiresClientSide(options)) {
    try {
      const result = await redriveNative(sqs, queues, {
        maxPerSecond: options.maxPerSecond,
        signal: options.signal,
        pollIntervalMs: options.pollIntervalMs,
        onProgress: (progress) =>
          options.onProgress?.({ job, mode: 'native', moved: progress.moved, processed: progress.moved, total: progress.total ?? total, skipped: 0, failed: 0 }),
      });
      return { job, mode: 'native', moved: result.moved, matched: result.total ?? result.moved, skipped: 0, failed: 0, dryRun: false, interrupted: result.interrupted };
    } catch (error) {
      if (!isNativeMoveUnsupported(error)) throw error;
      options.onFallback?.(error instanceof Error ? error.name : String(error));
    }
  }
  const dryRun = options.dryRun === true;
  const result = await redriveClientSide(sqs, queues, {
    dryRun,
    limit: options.limit,
    filters: options.filters,
    ratePerSecond: options.ratePerSecond ?? options.maxPerSecond,
    signal: options.signal,
    visibilityTimeoutSeconds: options.visibilityTimeoutSeconds,
    waitTimeSeconds: options.waitTimeSeconds,
    onProgress: (counts) =>
      options.onProgress?.({
        job,
        mode: 'client-side',
        moved: counts.moved,
        processed: counts.matched + counts.skipped,
        total,
        skipped: counts.skipped,
        failed: counts.failed,
      }),
  });
  return {
    job,
    mode: 'client-side',
    moved: result.moved,
    matched: result.matched,
    skipped: result.skipped,
    failed: result.failed,
    dryRun,
    interrupted: result.interrupted,
    ...(dryRun ? { messages: result.wouldMove } : {}),
  };
}
