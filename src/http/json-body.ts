import type { IncomingMessage } from 'node:http';
import express, { type RequestHandler } from 'express';
import secureJson from 'secure-json-parse';
import { HttpError } from './http-errors';

/** Deeper JSON than any job payload needs; far deeper input is a parser or serializer attack. */
export const MAX_JSON_DEPTH = 64;

const JSON_TYPES = ['application/json', 'application/*+json'];
const OPEN_BRACKET = 0x5b;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACKET = 0x5d;
const CLOSE_BRACE = 0x7d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** Counts nesting on the raw bytes, before anything recursive (JSON.stringify, schemas) sees it. */
export function jsonNestingExceeds(bytes: Uint8Array, maxDepth: number): boolean {
  let depth = 0;
  let inString = false;
  for (let index = 0; index < bytes.length; index += 1) {
    const byte = bytes[index];
    if (inString) {
      if (byte === BACKSLASH) index += 1;
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) inString = true;
    else if (byte === OPEN_BRACKET || byte === OPEN_BRACE) {
      depth += 1;
      if (depth > maxDepth) return true;
    } else if (byte === CLOSE_BRACKET || byte === CLOSE_BRACE) depth -= 1;
  }
  return false;
}

/** body-parser keeps an error's `type`, which toHttpError maps to a status and code. */
function typedError(type: string, message: string): Error {
  return Object.assign(new Error(message), { type });
}

/**
 * Refuses what should not be read at all: a Content-Length beyond the limit is answered at once
 * (body-parser would first read and discard the whole announced body), and JSON in a charset other
 * than UTF-8 (RFC 8259 requires UTF-8 between systems; the depth scan reads bytes as UTF-8).
 */
function refuseUnreadable(limitBytes: number): RequestHandler {
  return (req, res, next) => {
    const length = Number(req.headers['content-length']);
    if (Number.isFinite(length) && length > limitBytes) {
      res.setHeader('Connection', 'close');
      next(new HttpError(413, 'payload-too-large', `request body exceeds the ${limitBytes}-byte SQS message limit`));
      return;
    }
    const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(req.headers['content-type'] ?? '')?.[1];
    if (charset !== undefined && req.is(JSON_TYPES) && !/^utf-?8$/i.test(charset)) {
      next(new HttpError(415, 'unsupported-charset', `unsupported charset '${charset}'; send JSON as UTF-8`));
      return;
    }
    next();
  };
}

const refuseTooDeep = (_req: IncomingMessage, _res: unknown, bytes: Buffer): void => {
  if (jsonNestingExceeds(bytes, MAX_JSON_DEPTH)) {
    throw typedError('entity.too.deep', `JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
  }
};

/** `__proto__` and `constructor.prototype` keys are how prototype pollution travels in JSON. */
const refuseForbiddenKeys: RequestHandler = (req, _res, next) => {
  const body: unknown = req.body;
  if (body !== null && typeof body === 'object') {
    try {
      secureJson.scan(body, { protoAction: 'error', constructorAction: 'error' });
    } catch {
      next(new HttpError(400, 'forbidden-json-key', 'JSON keys __proto__ and constructor.prototype are not accepted'));
      return;
    }
  }
  next();
};

/** JSON request bodies: bounded in size and depth, UTF-8, free of prototype-pollution keys. */
export function jsonBody(limitBytes: number): RequestHandler[] {
  return [
    refuseUnreadable(limitBytes),
    express.json({ limit: limitBytes, strict: false, type: JSON_TYPES, verify: refuseTooDeep }),
    refuseForbiddenKeys,
  ];
}
