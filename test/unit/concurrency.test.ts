import { mapWithLimit, memoizeUnlessFailed } from '../../src/concurrency';

describe('mapWithLimit', () => {
  it('keeps the order of the items and never runs more than the limit at once', async () => {
    let running = 0;
    let peak = 0;
    const results = await mapWithLimit([5, 1, 4, 2, 3], 2, async (item) => {
      running += 1;
      peak = Math.max(peak, running);
      await new Promise((resolve) => setTimeout(resolve, item));
      running -= 1;
      return item * 10;
    });
    expect(results).toEqual([50, 10, 40, 20, 30]);
    expect(peak).toBe(2);
  });
});

describe('memoizeUnlessFailed', () => {
  it('builds once and keeps the value, but builds again after a failure', async () => {
    const outcomes = [Promise.reject(new Error('cold start failed')), Promise.resolve('ready')];
    const build = jest.fn(() => outcomes.shift() ?? Promise.resolve('unexpected'));
    const get = memoizeUnlessFailed(build);
    await expect(get()).rejects.toThrow('cold start failed');
    expect(await get()).toBe('ready');
    expect(await get()).toBe('ready');
    expect(build).toHaveBeenCalledTimes(2);
  });
});
