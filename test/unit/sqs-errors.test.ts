import { isMissingQueue, isSqsUnavailable } from '../../src/sqs/errors';
import { SendEntryFailedError } from '../../src/sqs/send-batcher';

/** Builds an error shaped like the AWS SDK's ServiceException: a name plus `$metadata`. */
function sdkError(name: string, fields: Record<string, unknown> = {}): Error {
  const error = new Error(`${name}: something went wrong`);
  error.name = name;
  return Object.assign(error, fields);
}

describe('isSqsUnavailable', () => {
  it('recognises a socket error code on the error itself', () => {
    expect(isSqsUnavailable(Object.assign(new Error('connect failed'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isSqsUnavailable(Object.assign(new Error('reset'), { code: 'ECONNRESET' }))).toBe(true);
  });

  it('recognises a socket error nested in cause', () => {
    const socket = Object.assign(new Error('connect ECONN'), { code: 'ECONNREFUSED' });
    const wrapped = new Error('request failed', { cause: new Error('inner', { cause: socket }) });
    expect(isSqsUnavailable(wrapped)).toBe(true);
  });

  it('recognises a socket error that survives only in the message text', () => {
    expect(isSqsUnavailable(new Error('connect ECONNREFUSED 127.0.0.1:9324'))).toBe(true);
    expect(isSqsUnavailable(new Error('getaddrinfo ENOTFOUND sqs.example'))).toBe(true);
  });

  it('treats an SDK error with $metadata but no HTTP status as unavailable (no response)', () => {
    expect(isSqsUnavailable(sdkError('UnknownError', { $metadata: { attempts: 3 } }))).toBe(true);
  });

  it('treats 5xx responses as unavailable', () => {
    expect(isSqsUnavailable(sdkError('InternalFailure', { $metadata: { httpStatusCode: 500 } }))).toBe(true);
    expect(isSqsUnavailable(sdkError('SomethingElse', { $metadata: { httpStatusCode: 503 } }))).toBe(true);
  });

  it('treats errors the SDK marks $retryable (throttling) as unavailable', () => {
    const throttled = sdkError('RequestThrottled', { $metadata: { httpStatusCode: 400 }, $retryable: { throttling: true } });
    expect(isSqsUnavailable(throttled)).toBe(true);
  });

  it('treats timeouts and aborts as unavailable', () => {
    expect(isSqsUnavailable(sdkError('TimeoutError'))).toBe(true);
    expect(isSqsUnavailable(sdkError('AbortError'))).toBe(true);
  });

  it('treats a batch entry SQS refused by its own fault as unavailable, and one refused as the sender\'s fault as not', () => {
    expect(isSqsUnavailable(new SendEntryFailedError('InternalError', 'try again', false))).toBe(true);
    expect(isSqsUnavailable(new SendEntryFailedError('InvalidParameterValue', 'bad attribute', true))).toBe(false);
  });

  it('treats a missing queue as unavailable (retry after provisioning)', () => {
    expect(isSqsUnavailable(sdkError('QueueDoesNotExist', { $metadata: { httpStatusCode: 400 } }))).toBe(true);
  });

  it('does not treat client errors or non-errors as unavailable', () => {
    const validation = sdkError('InvalidParameterValue', { $metadata: { httpStatusCode: 400, attempts: 1 } });
    expect(isSqsUnavailable(validation)).toBe(false);
    expect(isSqsUnavailable(new Error('bad input'))).toBe(false);
    expect(isSqsUnavailable(undefined)).toBe(false);
    expect(isSqsUnavailable(null)).toBe(false);
    expect(isSqsUnavailable('ECONNREFUSED')).toBe(false);
  });

  it('does not match a network code that is only part of a longer word', () => {
    expect(isSqsUnavailable(new Error('field XECONNREFUSED is invalid'))).toBe(false);
    expect(isSqsUnavailable(new Error('field ECONNREFUSEDX is invalid'))).toBe(false);
  });
});

describe('isMissingQueue', () => {
  it('recognises both spellings of the missing-queue error', () => {
    expect(isMissingQueue(sdkError('QueueDoesNotExist', { $metadata: { httpStatusCode: 400 } }))).toBe(true);
    expect(isMissingQueue(sdkError('AWS.SimpleQueueService.NonExistentQueue'))).toBe(true);
  });

  it('is false for other errors and non-errors', () => {
    expect(isMissingQueue(sdkError('InvalidParameterValue', { $metadata: { httpStatusCode: 400 } }))).toBe(false);
    expect(isMissingQueue(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }))).toBe(false);
    expect(isMissingQueue(new Error('bad input'))).toBe(false);
    expect(isMissingQueue(undefined)).toBe(false);
    expect(isMissingQueue('QueueDoesNotExist')).toBe(false);
  });
});
