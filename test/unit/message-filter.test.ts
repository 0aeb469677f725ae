import type { Message } from '@aws-sdk/client-sqs';
import { FilterSyntaxError, matchesFilters, parseDuration, parseFilter } from '../../src/ops/message-filter';

const text = (value: string) => ({ DataType: 'String', StringValue: value });
const NOW = Date.parse('2026-11-23T12:00:00.000Z');

function dead(attributes: Record<string, string>, messageId = 'm-1'): Message {
  return { MessageId: messageId, MessageAttributes: Object.fromEntries(Object.entries(attributes).map(([name, value]) => [name, text(value)])) };
}

describe('parseDuration', () => {
  it.each([
    ['250ms', 250],
    ['30s', 30_000],
    ['10m', 600_000],
    ['2h', 7_200_000],
    ['1d', 86_400_000],
    ['1.5h', 5_400_000],
  ])('%s is %d ms', (input, expected) => {
    expect(parseDuration(input)).toBe(expected);
  });

  it.each(['', '10', 'h', '-1h', '2 weeks', '1w', 'abc'])('rejects %p', (input) => {
    expect(() => parseDuration(input)).toThrow(FilterSyntaxError);
  });
});

describe('parseFilter', () => {
  it('parses every kind', () => {
    expect(parseFilter('error-code=timeout')).toEqual({ kind: 'error-code', code: 'timeout' });
    expect(parseFilter('message~connection refused')).toEqual({ kind: 'message', substring: 'connection refused' });
    expect(parseFilter('message~a=b')).toEqual({ kind: 'message', substring: 'a=b' });
    expect(parseFilter('job-id=abc-123')).toEqual({ kind: 'job-id', jobId: 'abc-123' });
    expect(parseFilter('older-than=2h')).toEqual({ kind: 'older-than', ms: 7_200_000 });
    expect(parseFilter('newer-than=30s')).toEqual({ kind: 'newer-than', ms: 30_000 });
  });

  it.each([
    ['colour=red', /unknown key 'colour'/],
    ['error-code', /expected error-code=<code>/],
    ['error-code=', /needs a value/],
    ['message~', /needs some text/],
    ['job-id~x', /only message~<text> uses '~'/],
    ['older-than=soon', /invalid duration 'soon'/],
    ['=x', /expected/],
  ])('rejects %p with a clear message', (input, message) => {
    expect(() => parseFilter(input)).toThrow(message);
  });
});

describe('matchesFilters', () => {
  const timeout = dead({ 'job-id': 'j-1', 'error-code': 'timeout', 'error-message': 'job exceeded its timeout of 30s', 'failed-at': '2026-11-23T11:00:00.000Z' });
  const rejected = dead({ 'job-id': 'j-2', 'error-code': 'partner-rejected', 'error-message': 'HTTP 422 from partner', 'failed-at': '2026-11-20T12:00:00.000Z' });
  const foreign = dead({}, 'sqs-message-id');
  const match = (message: Message, ...expressions: string[]) => matchesFilters(message, expressions.map(parseFilter), NOW);

  it('no filters match everything', () => {
    expect(match(foreign)).toBe(true);
  });

  it('matches error code, message substring and job id', () => {
    expect(match(timeout, 'error-code=timeout')).toBe(true);
    expect(match(rejected, 'error-code=timeout')).toBe(false);
    expect(match(rejected, 'message~HTTP 422')).toBe(true);
    expect(match(timeout, 'message~HTTP 422')).toBe(false);
    expect(match(timeout, 'job-id=j-1')).toBe(true);
    expect(match(foreign, 'job-id=sqs-message-id')).toBe(true);
    expect(match(foreign, 'error-code=timeout')).toBe(false);
  });

  it('matches age on failed-at; messages without it never match an age filter', () => {
    expect(match(timeout, 'newer-than=2h')).toBe(true);
    expect(match(timeout, 'older-than=2h')).toBe(false);
    expect(match(rejected, 'older-than=1d')).toBe(true);
    expect(match(rejected, 'newer-than=1d')).toBe(false);
    expect(match(foreign, 'older-than=1s')).toBe(false);
    expect(match(foreign, 'newer-than=100d')).toBe(false);
  });

  it('ORs filters of one kind and ANDs different kinds', () => {
    expect(match(timeout, 'error-code=timeout', 'error-code=partner-rejected')).toBe(true);
    expect(match(rejected, 'error-code=timeout', 'error-code=partner-rejected')).toBe(true);
    expect(match(rejected, 'error-code=partner-rejected', 'newer-than=1d')).toBe(false);
    expect(match(rejected, 'older-than=1d', 'newer-than=7d')).toBe(true);
  });
});
