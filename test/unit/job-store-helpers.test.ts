import { boundResult, MAX_STORED_RESULT_BYTES, transitionSequence } from '../../src/store/job-store';

describe('transitionSequence', () => {
  it('orders one job through retries: queued < running < failed < next running < succeeded', () => {
    const ordered = [
      transitionSequence('queued', 0),
      transitionSequence('running', 1),
      transitionSequence('failed', 1),
      transitionSequence('running', 2),
      transitionSequence('failed', 2),
      transitionSequence('running', 3),
      transitionSequence('succeeded', 3),
    ];
    for (let index = 1; index < ordered.length; index += 1) {
      expect(ordered[index]).toBeGreaterThan(ordered[index - 1] ?? Infinity);
    }
  });

  it('ranks succeeded and dead equally within an attempt, after its failed phase', () => {
    expect(transitionSequence('succeeded', 4)).toBe(transitionSequence('dead', 4));
    expect(transitionSequence('dead', 4)).toBeGreaterThan(transitionSequence('failed', 4));
    expect(transitionSequence('dead', 4)).toBeLessThan(transitionSequence('running', 5));
  });

  it('follows the documented formula ((redriveCount × 100000 + attempt) × 4 + phase), since stored sequences outlive a deploy', () => {
    expect(transitionSequence('queued', 0)).toBe(0);
    expect(transitionSequence('running', 1)).toBe(5);
    expect(transitionSequence('failed', 3, 2)).toBe((2 * 100_000 + 3) * 4 + 2);
    expect(transitionSequence('dead', 7, 1)).toBe((100_000 + 7) * 4 + 3);
  });

  it('defaults to generation 0', () => {
    expect(transitionSequence('running', 2)).toBe(transitionSequence('running', 2, 0));
  });

  it('orders a redriven generation after every attempt of the previous one', () => {
    expect(transitionSequence('running', 1, 1)).toBeGreaterThan(transitionSequence('succeeded', 990, 0));
    expect(transitionSequence('queued', 0, 1)).toBeGreaterThan(transitionSequence('dead', 990, 0));
    expect(transitionSequence('running', 1, 2)).toBeGreaterThan(transitionSequence('dead', 990, 1));
  });
});

describe('boundResult', () => {
  it('keeps undefined and drops values JSON cannot represent', () => {
    expect(boundResult(undefined)).toBeUndefined();
    expect(boundResult(() => 'x')).toBeUndefined();
  });

  it('summarises a circular value instead of throwing', () => {
    const circular: Record<string, unknown> = { name: 'loop' };
    circular.self = circular;
    expect(boundResult(circular)).toEqual({ omitted: 'result is not JSON-serialisable' });
  });

  it('summarises results above the limit with their byte count', () => {
    const big = { text: 'x'.repeat(MAX_STORED_RESULT_BYTES) };
    const bytes = Buffer.byteLength(JSON.stringify(big));
    expect(MAX_STORED_RESULT_BYTES).toBe(16 * 1024);
    expect(boundResult(big)).toEqual({ omitted: `result is ${String(bytes)} bytes; the store keeps up to ${String(MAX_STORED_RESULT_BYTES)}` });
  });

  it('counts bytes, not characters', () => {
    // 6,000 three-byte characters: 6,002 characters of JSON but 18,002 bytes.
    const multiByte = '€'.repeat(6_000);
    expect(boundResult(multiByte)).toEqual({ omitted: expect.stringContaining('18002 bytes') as unknown });
  });

  it('keeps a result exactly at the limit', () => {
    const atLimit = 'y'.repeat(MAX_STORED_RESULT_BYTES - 2); // plus two quotes
    expect(boundResult(atLimit)).toBe(atLimit);
  });

  it('returns a small object as a deep copy', () => {
    const original = { id: 7, tags: ['a', 'b'], nested: { ok: true, at: null } };
    const bounded = boundResult(original) as typeof original;
    expect(bounded).toEqual(original);
    expect(bounded).not.toBe(original);
    expect(bounded.nested).not.toBe(original.nested);
    expect(bounded.tags).not.toBe(original.tags);
    original.nested.ok = false;
    original.tags.push('c');
    expect(bounded).toEqual({ id: 7, tags: ['a', 'b'], nested: { ok: true, at: null } });
  });

  it('stores what JSON would: dates become strings, undefined fields vanish', () => {
    const at = new Date('2024-01-02T03:04:05.000Z');
    expect(boundResult({ at, gone: undefined })).toStrictEqual({ at: '2024-01-02T03:04:05.000Z' });
  });
});
