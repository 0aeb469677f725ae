import { jsonNestingExceeds } from '../../src/http/json-body';

const exceeds = (text: string, max: number) => jsonNestingExceeds(Buffer.from(text, 'utf8'), max);

describe('jsonNestingExceeds', () => {
  it.each([
    ['flat object', '{"a":1,"b":"x"}', 1, false],
    ['exactly at the limit', '{"a":[{"b":[]}]}', 4, false],
    ['one level over', '{"a":[{"b":[[]]}]}', 4, true],
    ['siblings do not add up', '[[],[],[],[],[]]', 2, false],
    ['brackets inside strings do not count', '{"a":"[[[[[{{{{{"}', 1, false],
    ['escaped quotes keep the string open', '{"a":"\\"[[[[[[["}', 1, false],
    ['an escaped backslash closes before the quote', '{"a":"\\\\","b":[[[]]]}', 3, true],
    ['unicode text is skipped byte by byte', '{"ключ":"значение [[[["}', 1, false],
  ])('%s', (_name, text, max, expected) => {
    expect(exceeds(text, max)).toBe(expected);
  });

  it('handles 100,000 levels without recursion', () => {
    expect(exceeds(`${'['.repeat(100_000)}${']'.repeat(100_000)}`, 64)).toBe(true);
  });
});
