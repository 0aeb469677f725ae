import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Token bucket holding at most one second of tokens. `take(n)` may overdraw the bucket and then
 * waits the debt off, so a batch larger than the rate (10 messages at --rate 2) still goes out,
 * and the average rate holds over the run.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly perSecond: number,
    private readonly now: () => number = Date.now,
  ) {
    if (!(perSecond > 0)) throw new RangeError('rate must be positive');
    this.tokens = perSecond;
    this.last = now();
  }

  /** Resolves when `count` tokens were taken; rejects with the signal's reason if it aborts first. */
  async take(count: number, signal?: AbortSignal): Promise<void> {
    const current = this.now();
    this.tokens = Math.min(this.perSecond, this.tokens + ((current - this.last) / 1000) * this.perSecond);
    this.last = current;
    this.tokens -= count;
    if (this.tokens >= 0) return;
    const waitMs = Math.ceil((-this.tokens / this.perSecond) * 1000);
    try {
      await sleep(waitMs, undefined, signal ? { signal } : undefined);
    } catch (error) {
      // The tokens were not used: give them back so a caller that goes on is not penalised.
      this.tokens += count;
      throw error;
    }
  }
}
