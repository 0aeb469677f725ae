/**
 * Retry delays as pure functions (after BullMQ's backoffs): attempt n waits
 * min(maxSeconds, baseSeconds * factor^(n-1)), then jitter spreads retries of many failing jobs
 * so they do not hit a recovering dependency at the same instant.
 */
export type JitterMode = 'full' | 'equal' | 'none';

export interface BackoffPolicy {
  /** Delay before the first retry, before jitter. */
  baseSeconds: number;
  /** Growth per attempt; 1 gives a constant delay. */
  factor: number;
  /** Cap; SQS allows at most 43200 s (12 h) of visibility. */
  maxSeconds: number;
  /** full: uniform in [0, d]; equal: uniform in [d/2, d]; none: exactly d. */
  jitter: JitterMode;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseSeconds: 10, factor: 2, maxSeconds: 900, jitter: 'full' };

/** The delay before jitter after failed attempt `attempt` (1-based). */
export function backoffCeilingSeconds(policy: BackoffPolicy, attempt: number): number {
  const exponent = Math.max(0, Math.floor(attempt) - 1);
  const raw = policy.baseSeconds * Math.pow(policy.factor, exponent);
  return Math.min(policy.maxSeconds, Number.isFinite(raw) ? raw : policy.maxSeconds);
}

/**
 * Whole seconds to keep the message invisible after failed attempt `attempt`.
 * `random` returns [0, 1) and is injectable so tests can pin the jitter.
 */
export function backoffDelaySeconds(policy: BackoffPolicy, attempt: number, random: () => number = Math.random): number {
  const ceiling = backoffCeilingSeconds(policy, attempt);
  switch (policy.jitter) {
    case 'none':
      return Math.round(ceiling);
    case 'equal':
      return Math.round(ceiling / 2 + random() * (ceiling / 2));
    case 'full':
      return Math.round(random() * ceiling);
  }
}
