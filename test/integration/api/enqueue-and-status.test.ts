import { z } from 'zod';
import { PermanentJobError } from '../../../src/errors';
import { defineJob } from '../../../src/jobs/define-job';
import { type TestApi, startTestApi } from '../../helpers/api';
import { drainQueue } from '../../helpers/sqs';
import { waitFor } from '../../helpers/wait-for';

interface StatusBody {
  status: string;
  attempts: number;
  enqueuedAt?: string;
  startedAt?: string;
  finishedAt?: string;
  lastError?: { code: string; message: string };
  result?: unknown;
  traceId?: string;
}

/** Gate the handler so the test sees each status while it holds. */
let releaseGate: () => void = () => undefined;
const gated = defineJob({
  name: 'gated',
  payload: z.object({ n: z.number() }),
  timeoutSeconds: 30,
  handler: async (input) => {
    await new Promise<void>((resolve) => (releaseGate = resolve));
    return { doubled: input.n * 2 };
  },
});
const broken = defineJob({
  name: 'broken',
  payload: z.object({}),
  timeoutSeconds: 5,
  handler: () => Promise.reject(new PermanentJobError('the partner rejected the order', { code: 'partner-rejected' })),
});
const counted = defineJob({ name: 'counted', payload: z.object({ i: z.number() }), timeoutSeconds: 5, handler: () => Promise.resolve() });

describe('HTTP API: enqueue and job status', () => {
  let api: TestApi;
  beforeEach(async () => {
    api = await startTestApi([gated, broken, counted]);
  });
  afterEach(async () => {
    releaseGate();
    await api.close();
  });

  const status = async (jobId: string) => (await (await api.get(`/api/v1/jobs/${jobId}`)).json()) as StatusBody;

  it('answers 202 without waiting for the job, and the status moves queued → running → succeeded', async () => {
    const response = await api.post('/api/v1/jobs/gated', { n: 21 }, { 'X-Request-Id': 'trace-abc.1' });
    expect(response.status).toBe(202);
    const body = (await response.json()) as { jobId: string; status: string; statusUrl: string };
    expect(body).toEqual({ jobId: expect.any(String) as unknown, status: 'queued', statusUrl: `/api/v1/jobs/${body.jobId}` });
    expect(response.headers.get('location')).toBe(body.statusUrl);
    expect(response.headers.get('x-request-id')).toBe('trace-abc.1');
    await waitFor('the queued status', async () => (await status(body.jobId)).status === 'queued');

    await api.startWorker();
    await waitFor('the job to run', async () => (await status(body.jobId)).status === 'running');
    releaseGate();
    const done = await waitFor('the job to succeed', async () => {
      const current = await status(body.jobId);
      return current.status === 'succeeded' && current;
    });
    expect(done).toMatchObject({ attempts: 1, result: { doubled: 42 }, traceId: 'trace-abc.1' });
    expect(Date.parse(done.finishedAt ?? '')).toBeGreaterThanOrEqual(Date.parse(done.startedAt ?? ''));
    expect(api.lines.find((line) => line.msg === 'job succeeded' && line.jobId === body.jobId)).toMatchObject({ traceId: 'trace-abc.1' });
  });

  it('a failing job ends `dead` with its error', async () => {
    await api.startWorker();
    const { jobId } = (await (await api.post('/api/v1/jobs/broken', {})).json()) as { jobId: string };
    const dead = await waitFor('the job to be dead', async () => {
      const current = await status(jobId);
      return current.status === 'dead' && current;
    });
    expect(dead.lastError).toEqual({ code: 'partner-rejected', message: 'the partner rejected the order' });
  });

  it('the same Idempotency-Key twice enqueues one job and returns its jobId both times', async () => {
    const headers = { 'Idempotency-Key': 'order-1234' };
    const first = await api.post('/api/v1/jobs/counted', { i: 1 }, headers);
    const second = await api.post('/api/v1/jobs/counted', { i: 1 }, headers);
    expect([first.status, second.status]).toEqual([202, 202]);
    const [a, b] = (await Promise.all([first.json(), second.json()])) as { jobId: string }[];
    expect(b?.jobId).toBe(a?.jobId);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    const messages = await drainQueue(api.queues.sqs, api.queues.directory.get('counted').queue.url);
    expect(messages).toHaveLength(1);
  });

  it('a batch of 500 returns 500 jobIds and enqueues 500 messages', async () => {
    const items = Array.from({ length: 500 }, (_, i) => ({ payload: { i } }));
    const response = await api.post('/api/v1/jobs/counted/batch', { items });
    expect(response.status).toBe(202);
    const body = (await response.json()) as { accepted: number; failed: number; results: { jobId?: string; status: string }[] };
    expect(body).toMatchObject({ accepted: 500, failed: 0 });
    expect(new Set(body.results.map((result) => result.jobId)).size).toBe(500);
    const messages = await drainQueue(api.queues.sqs, api.queues.directory.get('counted').queue.url);
    expect(messages).toHaveLength(500);
  });

  it('a batch reports per-item failures and enqueues only the valid items', async () => {
    const response = await api.post('/api/v1/jobs/counted/batch', { items: [{ payload: { i: 1 } }, { payload: { i: 'x' } }, { payload: { i: 3 }, delaySeconds: 0 }] });
    expect(response.status).toBe(202);
    const body = (await response.json()) as { accepted: number; failed: number; results: { index: number; status: string; error?: { issues?: unknown[] } }[] };
    expect(body).toMatchObject({ accepted: 2, failed: 1 });
    expect(body.results[1]).toMatchObject({ index: 1, status: 'rejected', error: { code: 'invalid-payload', issues: [{ path: 'i' }] } });
  });
});
