import type { NextFunction, Request, Response } from 'express';
import { requireApiKey } from '../../src/http/auth';
import { HttpError } from '../../src/http/http-errors';

const KEY_A = 'a'.repeat(20) + '-key-one';
const KEY_B = 'b'.repeat(24) + '-key-two';

/**
 * Runs the middleware once with a request whose only header is `authorization` (if given) and
 * returns what it passed to next: undefined means the request goes on.
 */
function run(apiKeys: readonly string[], authorization?: string): unknown {
  const headers: Record<string, string | undefined> = { authorization };
  const req = { get: (name: string) => headers[name.toLowerCase()] } as unknown as Request;
  const calls: unknown[][] = [];
  const next = ((...args: unknown[]) => {
    calls.push(args);
  }) as NextFunction;
  requireApiKey(apiKeys)(req, {} as unknown as Response, next);
  expect(calls).toHaveLength(1);
  expect(calls[0]?.length).toBeLessThanOrEqual(1);
  return calls[0]?.[0];
}

function expectUnauthorized(error: unknown, message: RegExp): void {
  expect(error).toBeInstanceOf(HttpError);
  const httpError = error as HttpError;
  expect(httpError.status).toBe(401);
  expect(httpError.code).toBe('unauthorized');
  expect(httpError.message).toMatch(message);
  expect(httpError.extra.headers).toEqual({ 'WWW-Authenticate': expect.stringMatching(/^Bearer /) as unknown });
}

describe('requireApiKey', () => {
  it('lets every request through when no keys are configured', () => {
    expect(run([])).toBeUndefined();
    expect(run([], 'Bearer anything-at-all')).toBeUndefined();
  });

  it('rejects a request without an Authorization header', () => {
    expectUnauthorized(run([KEY_A]), /missing API key/);
  });

  it('rejects a scheme other than Bearer', () => {
    expectUnauthorized(run([KEY_A], `Basic ${KEY_A}`), /missing API key/);
    expectUnauthorized(run([KEY_A], KEY_A), /missing API key/);
  });

  it('rejects a wrong key of the same length', () => {
    const wrong = 'c'.repeat(KEY_A.length);
    expectUnauthorized(run([KEY_A], `Bearer ${wrong}`), /invalid API key/);
  });

  it('rejects a key of a different length, including a prefix of a valid one', () => {
    expectUnauthorized(run([KEY_A], `Bearer ${KEY_A}x`), /invalid API key/);
    expectUnauthorized(run([KEY_A], `Bearer ${KEY_A.slice(0, -1)}`), /invalid API key/);
  });

  it('accepts any of the configured keys', () => {
    expect(run([KEY_A, KEY_B], `Bearer ${KEY_A}`)).toBeUndefined();
    expect(run([KEY_A, KEY_B], `Bearer ${KEY_B}`)).toBeUndefined();
    expectUnauthorized(run([KEY_A], `Bearer ${KEY_B}`), /invalid API key/);
  });
});
