import { SendEntryFailedError } from './send-batcher';

/** Network-level failures: the endpoint is down, restarting or unreachable. */
const NETWORK_ERROR_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EHOSTUNREACH', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN']);
const NETWORK_ERROR_TEXT = new RegExp(`\\b(${[...NETWORK_ERROR_CODES].join('|')})\\b`);
const UNAVAILABLE_ERROR_NAMES = new Set(['TimeoutError', 'AbortError', 'RequestTimeout', 'ServiceUnavailable', 'ThrottlingException']);
/** The queue is gone (e.g. an in-memory emulator restarted): callers should retry after provisioning. */
const MISSING_QUEUE_ERROR_NAMES = new Set(['QueueDoesNotExist', 'AWS.SimpleQueueService.NonExistentQueue']);

interface SdkErrorShape {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  cause?: unknown;
  $metadata?: { httpStatusCode?: number; attempts?: number };
  $retryable?: unknown;
}

/**
 * True when an SQS call failed because SQS could not take the request right now, as opposed to
 * the request being wrong. The API answers these with 503 and Retry-After, never 202 or 500.
 */
export function isSqsUnavailable(error: unknown): boolean {
  // One entry of a SendMessageBatch refused by SQS's own fault (InternalError and the like).
  if (error instanceof SendEntryFailedError) return !error.senderFault;
  for (let current: unknown = error, depth = 0; current && depth < 5; depth += 1) {
    const shape = current as SdkErrorShape;
    if (typeof shape.code === 'string' && NETWORK_ERROR_CODES.has(shape.code)) return true;
    if (typeof shape.name === 'string' && (UNAVAILABLE_ERROR_NAMES.has(shape.name) || MISSING_QUEUE_ERROR_NAMES.has(shape.name))) {
      return true;
    }
    if ((shape.$metadata?.httpStatusCode ?? 0) >= 500 || shape.$retryable !== undefined) return true;
    // The SDK got no HTTP response at all; it may wrap the socket error so that only its text survives.
    if (shape.$metadata && shape.$metadata.httpStatusCode === undefined) return true;
    if (typeof shape.message === 'string' && NETWORK_ERROR_TEXT.test(shape.message)) return true;
    current = shape.cause;
  }
  return false;
}

export function isMissingQueue(error: unknown): boolean {
  const name = (error as SdkErrorShape | undefined)?.name;
  return typeof name === 'string' && MISSING_QUEUE_ERROR_NAMES.has(name);
}
