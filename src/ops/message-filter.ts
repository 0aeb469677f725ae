import type { Message } from '@aws-sdk/client-sqs';
import { ConfigError } from '../errors';
import { ATTR, jobIdOf, readDateAttribute, readStringAttribute } from '../jobs/message-attributes';

/** One `--filter` expression of `sqs-jobs redrive`. */
export type MessageFilter =
  | { kind: 'error-code'; code: string }
  | { kind: 'message'; substring: string }
  | { kind: 'job-id'; jobId: string }
  | { kind: 'older-than'; ms: number }
  | { kind: 'newer-than'; ms: number };

export const FILTER_SYNTAX_HELP = `Filters (--filter, repeatable):
  error-code=<code>        the error-code attribute equals <code>
  message~<text>           the error-message attribute contains <text> (case-sensitive)
  job-id=<id>              the job's id (job-id attribute, else the SQS message id)
  older-than=<duration>    failed-at is more than <duration> ago
  newer-than=<duration>    failed-at is less than <duration> ago
  durations: <n>ms, <n>s, <n>m, <n>h, <n>d (e.g. 30s, 10m, 2h, 1d)
  Filters of the same kind are alternatives (OR); different kinds must all match (AND).
  Messages without failed-at never match an age filter.`;

const DURATION_UNITS_MS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** A filter the operator typed wrong; a ConfigError so the CLI exits 2. */
export class FilterSyntaxError extends ConfigError {
  constructor(message: string) {
    super(message);
    this.name = 'FilterSyntaxError';
  }
}

export function parseDuration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(text.trim());
  const unit = match?.[2];
  const factor = unit === undefined ? undefined : DURATION_UNITS_MS[unit];
  if (!match?.[1] || factor === undefined) {
    throw new FilterSyntaxError(`invalid duration '${text}': use a number and a unit, e.g. 30s, 10m, 2h, 1d`);
  }
  return Number(match[1]) * factor;
}

export function parseFilter(expression: string): MessageFilter {
  // `message~` is checked before `=` so that a substring may itself contain '='.
  const tilde = expression.indexOf('~');
  const equals = expression.indexOf('=');
  if (tilde > 0 && (equals < 0 || tilde < equals)) {
    const key = expression.slice(0, tilde).trim();
    const substring = expression.slice(tilde + 1);
    if (key !== 'message') throw new FilterSyntaxError(`invalid filter '${expression}': only message~<text> uses '~'`);
    if (substring === '') throw new FilterSyntaxError(`invalid filter '${expression}': message~ needs some text`);
    return { kind: 'message', substring };
  }
  if (equals <= 0) {
    throw new FilterSyntaxError(
      `invalid filter '${expression}': expected error-code=<code>, message~<text>, job-id=<id>, older-than=<duration> or newer-than=<duration>`,
    );
  }
  const key = expression.slice(0, equals).trim();
  const value = expression.slice(equals + 1).trim();
  if (value === '') throw new FilterSyntaxError(`invalid filter '${expression}': ${key}= needs a value`);
  switch (key) {
    case 'error-code':
      return { kind: 'error-code', code: value };
    case 'job-id':
      return { kind: 'job-id', jobId: value };
    case 'older-than':
      return { kind: 'older-than', ms: parseDuration(value) };
    case 'newer-than':
      return { kind: 'newer-than', ms: parseDuration(value) };
    default:
      throw new FilterSyntaxError(
        `invalid filter '${expression}': unknown key '${key}' (use error-code, message~, job-id, older-than or newer-than)`,
      );
  }
}

function matchesOne(message: Message, filter: MessageFilter, nowMs: number): boolean {
  switch (filter.kind) {
    case 'error-code':
      return readStringAttribute(message, ATTR.errorCode) === filter.code;
    case 'message':
      return (readStringAttribute(message, ATTR.errorMessage) ?? '').includes(filter.substring);
    case 'job-id':
      return jobIdOf(message) === filter.jobId;
    case 'older-than':
    case 'newer-than': {
      const failedAt = readDateAttribute(message, ATTR.failedAt);
      if (!failedAt) return false;
      const age = nowMs - failedAt.getTime();
      return filter.kind === 'older-than' ? age > filter.ms : age < filter.ms;
    }
  }
}

/**
 * True when the message passes every filter kind given. Repeating a kind widens it (two error
 * codes select either), which is what operators mean by `--filter error-code=a --filter error-code=b`.
 */
export function matchesFilters(message: Message, filters: readonly MessageFilter[], nowMs: number = Date.now()): boolean {
  const byKind = new Map<MessageFilter['kind'], MessageFilter[]>();
  for (const filter of filters) byKind.set(filter.kind, [...(byKind.get(filter.kind) ?? []), filter]);
  for (const group of byKind.values()) {
    if (!group.some((filter) => matchesOne(message, filter, nowMs))) return false;
  }
  return true;
}
