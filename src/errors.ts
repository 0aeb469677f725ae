/**
 * Errors a handler (or the runtime) raises to choose an outcome. Every error carries a string
 * `code` that ends up in the DLQ's `error-code` attribute, so operators can filter on it.
 */
export class JobError extends Error {
  readonly code: string;
  /** false: the job goes to the DLQ on this attempt instead of being retried. */
  readonly retryable: boolean;

  constructor(message: string, options: { code: string; retryable: boolean; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = options.code;
    this.retryable = options.retryable;
  }
}

/** Retrying cannot help (bad data, 4xx from a partner): dead-letter now. */
export class PermanentJobError extends JobError {
  constructor(message: string, options: { code?: string; cause?: unknown } = {}) {
    super(message, { code: options.code ?? 'permanent-failure', retryable: false, cause: options.cause });
  }
}

/** Retry, but not sooner than `delaySeconds` (e.g. a partner's Retry-After). */
export class RetryLaterError extends JobError {
  readonly delaySeconds: number;

  constructor(message: string, delaySeconds: number, options: { code?: string; cause?: unknown } = {}) {
    super(message, { code: options.code ?? 'retry-later', retryable: true, cause: options.cause });
    this.delaySeconds = Math.max(0, Math.ceil(delaySeconds));
  }
}

/** The handler ran past the job's `timeoutSeconds`; counts as a failed attempt. */
export class JobTimeoutError extends JobError {
  constructor(timeoutSeconds: number) {
    super(`job exceeded its timeout of ${timeoutSeconds}s`, { code: 'timeout', retryable: true });
  }
}

export interface PayloadIssue {
  path: string;
  message: string;
}

/** The message body is not JSON or does not match the job's schema; never retried. */
export class InvalidPayloadError extends JobError {
  readonly issues: readonly PayloadIssue[];

  constructor(jobName: string, issues: readonly PayloadIssue[]) {
    const summary = issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ');
    super(`invalid payload for job '${jobName}': ${summary}`, { code: 'invalid-payload', retryable: false });
    this.issues = issues;
  }
}

/** A job definition or the set of definitions is wrong; raised at load time, never at run time. */
export class JobDefinitionError extends Error {
  readonly code = 'invalid-job-definition';

  constructor(message: string) {
    super(message);
    this.name = 'JobDefinitionError';
  }
}

export class UnknownJobError extends Error {
  readonly code = 'unknown-job';

  constructor(jobName: string, knownJobs: readonly string[]) {
    super(`unknown job '${jobName}'; known jobs: ${knownJobs.join(', ') || '(none)'}`);
    this.name = 'UnknownJobError';
  }
}

export class MissingQueueError extends Error {
  readonly code = 'missing-queue';

  constructor(queueName: string) {
    super(`queue '${queueName}' does not exist on this endpoint; run \`npm run provision\` first`);
    this.name = 'MissingQueueError';
  }
}

export class ConfigError extends Error {
  readonly code = 'invalid-config';

  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** A code and a message for anything a handler may throw, Error or not. */
export function describeError(error: unknown): { code: string; message: string } {
  if (error instanceof JobError) return { code: error.code, message: error.message };
  if (error instanceof Error) return { code: 'handler-error', message: error.message || error.name };
  return { code: 'non-error-thrown', message: `handler threw a non-Error value: ${safeStringify(error)}` };
}

function safeStringify(value: unknown): string {
  try {
    // JSON.stringify returns undefined for undefined, functions and symbols despite its type.
    const json = JSON.stringify(value) as string | undefined;
    return json ?? String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}
