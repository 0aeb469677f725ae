import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import type { z } from 'zod';
import { InvalidPayloadError, type PayloadIssue, UnknownJobError } from '../errors';
import { toPayloadIssues } from '../jobs/enqueue';
import type { Logger } from '../observability/logger';
import { isSqsUnavailable } from '../sqs/errors';
import { requestIdOf } from './request-context';

/** Seconds a client should wait before retrying when SQS is unavailable. */
export const UNAVAILABLE_RETRY_AFTER_SECONDS = 5;

export interface ErrorBody {
  error: { code: string; message: string; issues?: readonly PayloadIssue[] };
  requestId?: string;
}

/** An error that already knows its HTTP answer. Anything else becomes a 500 without details. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: { issues?: readonly PayloadIssue[]; headers?: Record<string, string> } = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export function serviceUnavailable(message: string): HttpError {
  return new HttpError(503, 'sqs-unavailable', message, { headers: { 'Retry-After': String(UNAVAILABLE_RETRY_AFTER_SECONDS) } });
}

/** body-parser marks its errors with `type`; these are the client's fault. */
const BODY_PARSER_ERRORS: Record<string, { status: number; code: string; message: string }> = {
  'entity.parse.failed': { status: 400, code: 'malformed-json', message: 'request body is not valid JSON' },
  'entity.too.large': { status: 413, code: 'payload-too-large', message: 'request body exceeds the 1 MiB SQS message limit' },
  'encoding.unsupported': { status: 415, code: 'unsupported-encoding', message: 'unsupported content encoding' },
  'charset.unsupported': { status: 415, code: 'unsupported-charset', message: 'unsupported charset; use utf-8' },
  'request.aborted': { status: 400, code: 'request-aborted', message: 'the request was aborted' },
  'request.size.invalid': { status: 400, code: 'bad-content-length', message: 'the body does not match Content-Length' },
  'stream.encoding.set': { status: 500, code: 'internal-error', message: 'internal error' },
  'entity.too.deep': { status: 400, code: 'json-too-deep', message: 'request body is nested too deeply' },
};

/**
 * Errors from Express's own layers (http-errors) that blame the client, such as a path that is not
 * valid percent-encoding (the router's URIError) or a compressed body that does not inflate
 * (http-errors, whose `expose` marks the message as safe to show).
 */
function clientErrorOf(error: unknown): HttpError | undefined {
  const { status, expose, message } = (error ?? {}) as { status?: unknown; expose?: unknown; message?: unknown };
  if (typeof status !== 'number' || status < 400 || status > 499) return undefined;
  if (error instanceof URIError) return new HttpError(status, 'malformed-url', 'the URL is not valid percent-encoding');
  if (expose !== true) return undefined;
  return new HttpError(status, 'bad-request', typeof message === 'string' && message ? message : 'bad request');
}

export function toHttpError(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  if (error instanceof InvalidPayloadError) {
    return new HttpError(400, error.code, error.message, { issues: error.issues });
  }
  if (error instanceof UnknownJobError) return new HttpError(404, error.code, error.message);
  const parserType = (error as { type?: unknown } | undefined)?.type;
  const parserError = typeof parserType === 'string' ? BODY_PARSER_ERRORS[parserType] : undefined;
  if (parserError) return new HttpError(parserError.status, parserError.code, parserError.message);
  const clientError = clientErrorOf(error);
  if (clientError) return clientError;
  if (isSqsUnavailable(error)) return serviceUnavailable('the queue service is unavailable; the job was not enqueued');
  return new HttpError(500, 'internal-error', 'internal error; see the server log for this request id');
}

export function sendError(res: Response, error: HttpError, requestId?: string): void {
  for (const [name, value] of Object.entries(error.extra.headers ?? {})) res.setHeader(name, value);
  const body: ErrorBody = {
    error: { code: error.code, message: error.message, ...(error.extra.issues ? { issues: error.extra.issues } : {}) },
    ...(requestId ? { requestId } : {}),
  };
  res.status(error.status).json(body);
}

/** Last middleware: every error leaves as JSON with a code; 5xx are logged with their stack, never sent. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    const httpError = toHttpError(error);
    const requestId = requestIdOf(res);
    if (httpError.status >= 500) logger.error({ err: error, requestId, path: req.path }, 'request failed');
    sendError(res, httpError, requestId);
  };
}

export const notFound: RequestHandler = (req, _res, next) => {
  next(new HttpError(404, 'not-found', `no route for ${req.method} ${req.path}`));
};

/** Parses `value` with `schema` or fails the request with 400 and the failing paths. */
export function validated<Schema extends z.ZodType>(schema: Schema, value: unknown, code: string, what: string): z.output<Schema> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = toPayloadIssues(result.error);
  const summary = issues.map((entry) => `${entry.path}: ${entry.message}`).join('; ');
  throw new HttpError(400, code, `invalid ${what}: ${summary}`, { issues });
}

/** For job-store reads that failed: the store, not the request, is at fault. */
export function storeUnavailable(): HttpError {
  return new HttpError(503, 'store-unavailable', 'the job store is unavailable; retry shortly', {
    headers: { 'Retry-After': String(UNAVAILABLE_RETRY_AFTER_SECONDS) },
  });
}
