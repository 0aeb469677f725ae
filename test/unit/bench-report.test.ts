import { compare, markdown } from '../../bench/report';
import { percentile } from '../../bench/lib/stats';

describe('bench report', () => {
  it('takes the median of per-round ratios and judges each target', () => {
    const comparisons = compare({
      'drain/sqs-jobs': [900, 1000, 2000],
      'drain/raw-sdk': [1000, 1000, 1000],
      'drain/sqs-consumer-message': [500, 500, 500],
      'memory/loadedMiB': [120, 160, 140],
      'memory/idleMiB': [100, 100, 100],
    });
    const byName = (start: string) => comparisons.find((entry) => entry.what.startsWith(start));
    const ceiling = byName('Worker drain, no-op jobs');
    // Per-round ratios 0.9, 1.0, 2.0 → median 1.0; the medians of the sides would give the same here.
    expect(ceiling).toMatchObject({ ratio: 1, met: true, target: '≥ 0.9×' });
    expect(byName('Worker drain vs sqs-consumer `handleMessage`')).toMatchObject({ ratio: 2, met: false });
    expect(byName('Worker RSS')).toMatchObject({ ours: '140 MiB', met: true });
    // Nothing measured for BullMQ or HTTP: no row, rather than a row that claims a result.
    expect(byName('Worker drain vs BullMQ')).toBeUndefined();
    expect(comparisons.some((entry) => entry.what.startsWith('HTTP'))).toBe(false);
  });

  it('marks a missed absolute target as not met in the table', () => {
    const rounds = { 'http/sqs-jobs/rps': [1200], 'http/naive/rps': [800] };
    const [row] = compare(rounds);
    expect(row).toMatchObject({ ratio: 1.5, met: false });
    expect(markdown(compare(rounds), rounds, { rounds: 1, sqs: 'test' })).toContain('**not met**');
  });

  it('percentiles use the nearest rank', () => {
    const values = Array.from({ length: 100 }, (_, index) => index + 1);
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
  });
});
