import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { HttpError } from './http-errors';

// RFC 9110: the scheme name is case-insensitive.
const BEARER = /^Bearer ([^\s]+)$/i;

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/**
 * Requires `Authorization: Bearer <key>` with one of `apiKeys`. Keys are compared as SHA-256
 * digests in constant time, so neither the key length nor its prefix leaks through timing.
 * With no keys configured every request passes (local development; see config for the guard).
 */
export function requireApiKey(apiKeys: readonly string[]): RequestHandler {
  const digests = apiKeys.map(digest);
  return (req, _res, next) => {
    if (digests.length === 0) {
      next();
      return;
    }
    const match = BEARER.exec(req.get('Authorization') ?? '');
    const headers = { 'WWW-Authenticate': 'Bearer realm="sqs-jobs"' };
    if (!match?.[1]) {
      next(new HttpError(401, 'unauthorized', 'missing API key: send Authorization: Bearer <key>', { headers }));
      return;
    }
    const offered = digest(match[1]);
    // Compare against every key, so the time taken does not reveal which (if any) matched.
    const valid = digests.reduce((found, key) => timingSafeEqual(key, offered) || found, false);
    next(valid ? undefined : new HttpError(401, 'unauthorized', 'invalid API key', { headers }));
  };
}
