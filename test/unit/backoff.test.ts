import { backoffCeilingSeconds, backoffDelaySeconds, type BackoffPolicy } from '../../src/runtime/backoff';

const policy: BackoffPolicy = { baseSeconds: 10, factor: 2, maxSeconds: 900, jitter: 'none' };

describe('backoff', () => {
  it('grows exponentially from baseSeconds and stops at maxSeconds', () => {
    const delays = [1, 2, 3, 4, 5, 6, 7, 8].map((attempt) => backoffDelaySeconds(policy, attempt));
    expect(delays).toEqual([10, 20, 40, 80, 160, 320, 640, 900]);
  });

  it('stays at the cap for absurd attempt numbers instead of overflowing', () => {
    expect(backoffCeilingSeconds(policy, 5000)).toBe(900);
    expect(backoffDelaySeconds({ ...policy, factor: 10 }, 400)).toBe(900);
  });

  it('full jitter spans [0, ceiling]', () => {
    const full = { ...policy, jitter: 'full' as const };
    expect(backoffDelaySeconds(full, 3, () => 0)).toBe(0);
    expect(backoffDelaySeconds(full, 3, () => 0.5)).toBe(20);
    expect(backoffDelaySeconds(full, 3, () => 0.999999)).toBe(40);
  });

  it('equal jitter keeps at least half the ceiling', () => {
    const equal = { ...policy, jitter: 'equal' as const };
    expect(backoffDelaySeconds(equal, 3, () => 0)).toBe(20);
    expect(backoffDelaySeconds(equal, 3, () => 0.999999)).toBe(40);
  });

  it('a factor of 1 gives a constant delay', () => {
    expect([1, 2, 9].map((attempt) => backoffDelaySeconds({ ...policy, factor: 1 }, attempt))).toEqual([10, 10, 10]);
  });

  it('jittered delays always fall within bounds (property check over many draws)', () => {
    for (let i = 0; i < 2000; i += 1) {
      const attempt = 1 + (i % 12);
      const ceiling = backoffCeilingSeconds(policy, attempt);
      const delay = backoffDelaySeconds({ ...policy, jitter: 'full' }, attempt);
      expect(Number.isInteger(delay)).toBe(true);
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThanOrEqual(ceiling);
    }
  });
});
