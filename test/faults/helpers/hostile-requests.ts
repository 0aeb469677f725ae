import { FAULT_API_KEY } from './fault-stack';
import { httpRequest } from './raw-http';

export interface HostileCase {
  name: string;
  /** The request exactly as it goes on the wire. */
  request: string;
  status: number;
  /** The error code of the JSON body, where the API (not Node's HTTP parser) answers. */
  code?: string;
}

const JOB = '/api/v1/jobs/flow';
const AUTH = `Bearer ${FAULT_API_KEY}`;
const json = { 'Content-Type': 'application/json', Authorization: AUTH };
const valid = JSON.stringify({ id: 'hostile', sleepMs: 0 });
const post = (body: string, headers: Record<string, string> = json, path = JOB) => httpRequest('POST', path, headers, body);
const nestedArrays = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

/** At least 30 requests a hostile or broken client sends; every one must get its 4xx, never a 5xx. */
export const HOSTILE_CASES: readonly HostileCase[] = [
  // Bodies that are not the JSON object a job needs.
  { name: 'malformed JSON', request: post('{"id": '), status: 400, code: 'malformed-json' },
  { name: 'JSON with trailing garbage', request: post(`${valid} trailing`), status: 400, code: 'malformed-json' },
  { name: 'empty body', request: post(''), status: 400, code: 'invalid-payload' },
  { name: 'JSON null', request: post('null'), status: 400, code: 'invalid-payload' },
  { name: 'JSON array', request: post('[1,2,3]'), status: 400, code: 'invalid-payload' },
  { name: 'JSON number', request: post('42'), status: 400, code: 'invalid-payload' },
  { name: 'payload failing the schema', request: post(JSON.stringify({ id: 7, sleepMs: -1 })), status: 400, code: 'invalid-payload' },
  { name: 'deep nesting (100,000 levels)', request: post(`{"id":"deep","extra":${nestedArrays(100_000)}}`), status: 400, code: 'json-too-deep' },
  { name: 'top-level __proto__ key', request: post('{"id":"p","__proto__":{"polluted":true}}'), status: 400, code: 'forbidden-json-key' },
  { name: 'nested __proto__ key', request: post('{"id":"p","extra":{"a":[{"__proto__":{"polluted":true}}]}}'), status: 400, code: 'forbidden-json-key' },
  { name: '__proto__ spelled with unicode escapes', request: post('{"id":"p","\\u005f\\u005fproto\\u005f\\u005f":{"polluted":true}}'), status: 400, code: 'forbidden-json-key' },
  { name: 'constructor.prototype key', request: post('{"id":"p","constructor":{"prototype":{"polluted":true}}}'), status: 400, code: 'forbidden-json-key' },
  // Content types and encodings.
  { name: 'text/plain content type', request: post(valid, { ...json, 'Content-Type': 'text/plain' }), status: 415, code: 'unsupported-media-type' },
  { name: 'no content type', request: post(valid, { Authorization: AUTH }), status: 415, code: 'unsupported-media-type' },
  { name: 'multipart form', request: post('--x\r\n\r\nid=1\r\n--x--', { ...json, 'Content-Type': 'multipart/form-data; boundary=x' }), status: 415, code: 'unsupported-media-type' },
  { name: 'utf-16 charset', request: post(valid, { ...json, 'Content-Type': 'application/json; charset=utf-16' }), status: 415, code: 'unsupported-charset' },
  { name: 'gzip encoding with garbage', request: post('definitely not gzip', { ...json, 'Content-Encoding': 'gzip' }), status: 400, code: 'bad-request' },
  { name: 'unknown content encoding', request: post(valid, { ...json, 'Content-Encoding': 'zstd-but-not-really' }), status: 415, code: 'unsupported-encoding' },
  // Size.
  { name: 'body over 1 MiB', request: post(JSON.stringify({ id: 'big', pad: 'x'.repeat(1_100_000) })), status: 413, code: 'payload-too-large' },
  { name: 'Content-Length of 2 GiB announced', request: post('{}', { ...json, 'Content-Length': String(2 ** 31) }), status: 413, code: 'payload-too-large' },
  { name: 'payload too big for SQS once wrapped', request: post(JSON.stringify({ id: 'x'.repeat(1_048_000) })), status: 400, code: 'invalid-payload' },
  // Authentication.
  { name: 'no Authorization header', request: post(valid, { 'Content-Type': 'application/json' }), status: 401, code: 'unauthorized' },
  { name: 'Basic instead of Bearer', request: post(valid, { ...json, Authorization: `Basic ${FAULT_API_KEY}` }), status: 401, code: 'unauthorized' },
  { name: 'wrong key', request: post(valid, { ...json, Authorization: 'Bearer not-the-key-0123456789' }), status: 401, code: 'unauthorized' },
  { name: 'empty bearer', request: post(valid, { ...json, Authorization: 'Bearer ' }), status: 401, code: 'unauthorized' },
  { name: 'Authorization header of 64 KiB', request: post(valid, { ...json, Authorization: `Bearer ${'k'.repeat(65_536)}` }), status: 431 },
  // Query parameters.
  { name: 'delay above 900 s', request: post(valid, json, `${JOB}?delaySeconds=901`), status: 400, code: 'invalid-query' },
  { name: 'negative delay', request: post(valid, json, `${JOB}?delaySeconds=-1`), status: 400, code: 'invalid-query' },
  { name: 'fractional delay', request: post(valid, json, `${JOB}?delaySeconds=1.5`), status: 400, code: 'invalid-query' },
  { name: 'delay given twice', request: post(valid, json, `${JOB}?delaySeconds=1&delaySeconds=2`), status: 400, code: 'invalid-query' },
  { name: 'unknown query parameter', request: post(valid, json, `${JOB}?priority=high`), status: 400, code: 'invalid-query' },
  // Job names and routes.
  { name: 'unknown job', request: post(valid, json, '/api/v1/jobs/no-such-job'), status: 404, code: 'unknown-job' },
  { name: 'path traversal in the job name', request: post(valid, json, '/api/v1/jobs/..%2F..%2Fetc%2Fpasswd'), status: 404, code: 'unknown-job' },
  { name: 'NUL byte in the job name', request: post(valid, json, '/api/v1/jobs/flow%00'), status: 404, code: 'unknown-job' },
  { name: 'job name of 4,000 characters', request: post(valid, json, `/api/v1/jobs/${'a'.repeat(4_000)}`), status: 404, code: 'unknown-job' },
  { name: 'broken percent-encoding', request: post(valid, json, '/api/v1/jobs/%E0%A4%A'), status: 400, code: 'malformed-url' },
  { name: 'DELETE on a job route', request: httpRequest('DELETE', JOB, { Authorization: AUTH }), status: 404, code: 'not-found' },
  { name: 'status of a job id of 4,000 characters', request: httpRequest('GET', `/api/v1/jobs/${'j'.repeat(4_000)}`, { Authorization: AUTH }), status: 404, code: 'job-not-found' },
  // Idempotency-Key.
  { name: 'Idempotency-Key of 300 characters', request: post(valid, { ...json, 'Idempotency-Key': 'k'.repeat(300) }), status: 400, code: 'invalid-idempotency-key' },
  { name: 'Idempotency-Key with a space', request: post(valid, { ...json, 'Idempotency-Key': 'two words' }), status: 400, code: 'invalid-idempotency-key' },
  { name: 'Idempotency-Key with non-ASCII bytes', request: post(valid, { ...json, 'Idempotency-Key': 'clé-\u00e9' }), status: 400, code: 'invalid-idempotency-key' },
  { name: 'empty Idempotency-Key', request: post(valid, { ...json, 'Idempotency-Key': '' }), status: 400, code: 'invalid-idempotency-key' },
  { name: 'CRLF injection in Idempotency-Key', request: post(valid, { ...json, 'Idempotency-Key': 'a\r\nX-Injected: yes\r\n\r\nGET / HTTP/1.1' }), status: 400 },
  { name: 'bare LF in a header value', request: post(valid, { ...json, 'Idempotency-Key': 'a\nX-Injected: yes' }), status: 400 },
  // Batches.
  { name: 'batch of 501 items', request: post(JSON.stringify({ items: Array.from({ length: 501 }, () => ({ payload: {} })) }), json, `${JOB}/batch`), status: 400, code: 'invalid-batch' },
  { name: 'batch items not an array', request: post(JSON.stringify({ items: { payload: {} } }), json, `${JOB}/batch`), status: 400, code: 'invalid-batch' },
  { name: 'batch with an unknown field', request: post(JSON.stringify({ items: [{ payload: {} }], force: true }), json, `${JOB}/batch`), status: 400, code: 'invalid-batch' },
  // Framing: smuggling attempts and broken chunking are refused before any route runs.
  { name: 'Content-Length and Transfer-Encoding together', request: post(valid, { ...json, 'Content-Length': '5', 'Transfer-Encoding': 'chunked' }), status: 400 },
  { name: 'invalid chunk size', request: post('zz\r\n{}\r\n0\r\n\r\n', { ...json, 'Transfer-Encoding': 'chunked' }), status: 400 },
  { name: 'two different Content-Length headers', request: `POST ${JOB} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nAuthorization: ${AUTH}\r\nContent-Length: 2\r\nContent-Length: 40\r\n\r\n{}`, status: 400 },
];
