import { z } from 'zod';
import { defineJob } from '../../../src/jobs/define-job';
import { type TestApi, startTestApi } from '../../helpers/api';
import { receiveOnce } from '../../helpers/sqs';

const API_KEY = 'test-key-0123456789abcdef';
const AUTH = { Authorization: `Bearer ${API_KEY}` };

const signup = defineJob({
  name: 'signup',
  payload: z.object({ email: z.email(), profile: z.object({ age: z.number().int().min(13) }) }),
  timeoutSeconds: 5,
  handler: () => Promise.resolve(),
});

interface Case {
  name: string;
  method: 'GET' | 'POST';
  path: string;
  body?: string;
  headers?: Record<string, string>;
  status: number;
  code: string;
  check?: (body: { error: { message: string; issues?: { path: string }[] } }) => void;
}

const valid = JSON.stringify({ email: 'a@example.com', profile: { age: 30 } });
const json = { 'content-type': 'application/json', ...AUTH };

const cases: Case[] = [
  { name: 'no API key', method: 'POST', path: '/api/v1/jobs/signup', body: valid, headers: { 'content-type': 'application/json' }, status: 401, code: 'unauthorized' },
  { name: 'wrong API key', method: 'POST', path: '/api/v1/jobs/signup', body: valid, headers: { 'content-type': 'application/json', Authorization: 'Bearer nope-nope-nope-nope' }, status: 401, code: 'unauthorized' },
  { name: 'not a bearer token', method: 'POST', path: '/api/v1/jobs/signup', body: valid, headers: { 'content-type': 'application/json', Authorization: `Basic ${API_KEY}` }, status: 401, code: 'unauthorized' },
  { name: 'unknown job', method: 'POST', path: '/api/v1/jobs/nope', body: valid, headers: json, status: 404, code: 'unknown-job', check: (body) => expect(body.error.message).toContain('signup') },
  {
    name: 'schema errors name the failing paths',
    method: 'POST',
    path: '/api/v1/jobs/signup',
    body: JSON.stringify({ email: 'not-an-email', profile: { age: 3 } }),
    headers: json,
    status: 400,
    code: 'invalid-payload',
    check: (body) => expect(body.error.issues?.map((issue) => issue.path)).toEqual(['email', 'profile.age']),
  },
  { name: 'malformed JSON', method: 'POST', path: '/api/v1/jobs/signup', body: '{"email": ', headers: json, status: 400, code: 'malformed-json' },
  { name: 'not JSON at all', method: 'POST', path: '/api/v1/jobs/signup', body: 'email=a', headers: { ...AUTH, 'content-type': 'application/x-www-form-urlencoded' }, status: 415, code: 'unsupported-media-type' },
  { name: 'body over 1 MiB', method: 'POST', path: '/api/v1/jobs/signup', body: JSON.stringify({ pad: 'x'.repeat(1_100_000) }), headers: json, status: 413, code: 'payload-too-large' },
  { name: 'delay above 900 s', method: 'POST', path: '/api/v1/jobs/signup?delaySeconds=901', body: valid, headers: json, status: 400, code: 'invalid-query', check: (body) => expect(body.error.message).toContain('delaySeconds') },
  { name: 'delay not a number', method: 'POST', path: '/api/v1/jobs/signup?delaySeconds=soon', body: valid, headers: json, status: 400, code: 'invalid-query' },
  { name: 'unknown query parameter', method: 'POST', path: '/api/v1/jobs/signup?delay=5', body: valid, headers: json, status: 400, code: 'invalid-query' },
  { name: 'Idempotency-Key too long', method: 'POST', path: '/api/v1/jobs/signup', body: valid, headers: { ...json, 'Idempotency-Key': 'k'.repeat(300) }, status: 400, code: 'invalid-idempotency-key' },
  { name: 'batch with no items', method: 'POST', path: '/api/v1/jobs/signup/batch', body: JSON.stringify({ items: [] }), headers: json, status: 400, code: 'invalid-batch' },
  { name: 'batch over 500 items', method: 'POST', path: '/api/v1/jobs/signup/batch', body: JSON.stringify({ items: Array.from({ length: 501 }, () => ({ payload: {} })) }), headers: json, status: 400, code: 'invalid-batch' },
  { name: 'batch with an Idempotency-Key', method: 'POST', path: '/api/v1/jobs/signup/batch', body: JSON.stringify({ items: [{ payload: {} }] }), headers: { ...json, 'Idempotency-Key': 'k1' }, status: 400, code: 'idempotency-key-unsupported' },
  { name: 'unknown job id', method: 'GET', path: '/api/v1/jobs/does-not-exist', headers: AUTH, status: 404, code: 'job-not-found' },
  { name: 'unknown route', method: 'GET', path: '/api/v1/nothing-here', headers: AUTH, status: 404, code: 'not-found' },
];

describe('HTTP API: every error class has its status and a JSON body that says what was wrong', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi([signup], { apiKeys: [API_KEY] });
  });
  afterAll(async () => {
    await api.close();
  });

  it.each(cases)('$name → $status $code', async ({ method, path, body, headers, status, code, check }) => {
    const response = await fetch(`${api.url}${path}`, { method, headers, body });
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const text = await response.text();
    expect(text).not.toMatch(/\bat .+\.(ts|js):\d+/);
    const parsed = JSON.parse(text) as { error: { code: string; message: string; issues?: { path: string }[] }; requestId: string };
    expect(parsed.error.code).toBe(code);
    expect(parsed.error.message.length).toBeGreaterThan(5);
    expect(parsed.requestId).toBe(response.headers.get('x-request-id'));
    check?.(parsed);
  });

  it('none of the rejected requests enqueued anything', async () => {
    expect(await receiveOnce(api.queues.sqs, api.queues.directory.get('signup').queue.url, { visibilityTimeout: 0 })).toEqual([]);
  });

  it('answers 401 with a WWW-Authenticate challenge, and accepts a valid key', async () => {
    const denied = await api.post('/api/v1/jobs/signup', JSON.parse(valid));
    expect(denied.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect((await api.post('/api/v1/jobs/signup', JSON.parse(valid), AUTH)).status).toBe(202);
  });

  it('serves health and metrics without a key by default, with helmet headers', async () => {
    const health = await api.get('/api/v1/health');
    expect(health.status).toBe(200);
    expect(health.headers.get('x-content-type-options')).toBe('nosniff');
    expect((await api.get('/metrics')).status).toBe(200);
  });

  it('replaces a request id that is not a plain id', async () => {
    const response = await api.get('/api/v1/health', { 'X-Request-Id': 'evil\tline' });
    expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});
