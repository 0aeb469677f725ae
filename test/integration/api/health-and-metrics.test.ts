import { DeleteQueueCommand } from '@aws-sdk/client-sqs';
import { z } from 'zod';
import { defineJob } from '../../../src/jobs/define-job';
import { type TestApi, startTestApi } from '../../helpers/api';
import { parsePrometheus, sampleValue } from '../../helpers/prometheus';
import { waitFor } from '../../helpers/wait-for';

const quick = defineJob({ name: 'quick', payload: z.object({ ok: z.boolean() }), retry: { maxAttempts: 1 }, timeoutSeconds: 5, handler: (input) => (input.ok ? Promise.resolve() : Promise.reject(new Error('asked to fail'))) });

describe('HTTP API: health and metrics', () => {
  let api: TestApi;
  beforeEach(async () => {
    api = await startTestApi([quick], { healthJobsTimeoutMs: 5_000 });
  });
  afterEach(async () => {
    await api.close();
  });

  it('/health/jobs succeeds with a worker running, proving broker + worker + store end to end', async () => {
    await api.startWorker();
    const response = await api.get('/api/v1/health/jobs');
    const body = (await response.json()) as { status: string; latencyMs: number };
    expect(response.status).toBe(200);
    expect(body).toMatchObject({ status: 'ok', latencyMs: expect.any(Number) as unknown });
  });

  it('/health/jobs answers 503 within its timeout when no worker runs', async () => {
    const started = Date.now();
    const response = await api.get('/api/v1/health/jobs?timeoutMs=600');
    expect(response.status).toBe(503);
    expect(Date.now() - started).toBeLessThan(5_000);
    const body = (await response.json()) as { reason: string };
    expect(body.reason).toContain('no worker completed the ping job within 600 ms');
  });

  it('/health/workers lists live workers per job and is 503 when there are none', async () => {
    expect((await api.get('/api/v1/health/workers')).status).toBe(503);
    const service = await api.startWorker();
    const response = await api.get('/api/v1/health/workers');
    const body = (await response.json()) as { alive: number; byJob: Record<string, number>; workers: { workerId: string }[] };
    expect(response.status).toBe(200);
    expect(body).toMatchObject({ alive: 1, byJob: { quick: 1, ping: 1 } });
    expect(body.workers[0]?.workerId).toBe(service.workerId);
    await service.stop();
    expect((await api.get('/api/v1/health/workers')).status).toBe(503);
  });

  it('/health/ready checks every queue, DLQ and the store, and names what is missing', async () => {
    const ready = await api.get('/api/v1/health/ready');
    expect(ready.status).toBe(200);
    const dlq = api.queues.directory.get('quick').dlq;
    await api.queues.sqs.send(new DeleteQueueCommand({ QueueUrl: dlq.url }));
    const notReady = await api.get('/api/v1/health/ready');
    const body = (await notReady.json()) as { status: string; checks: Record<string, { ok: boolean }> };
    expect(notReady.status).toBe(503);
    expect(body.checks[`queue:${dlq.name}`]).toMatchObject({ ok: false });
    expect(body.checks.store).toEqual({ ok: true });
  });

  it('/metrics parses as Prometheus text and its counters move as jobs run', async () => {
    const scrape = async () => (await api.get('/metrics')).text();
    const before = await scrape();
    parsePrometheus(before);
    expect(sampleValue(before, 'sqs_jobs_jobs_succeeded_total', { job: 'quick' })).toBe(0);

    await api.startWorker();
    for (const ok of [true, true, false]) expect((await api.post('/api/v1/jobs/quick', { ok })).status).toBe(202);
    expect((await api.post('/api/v1/jobs/quick', { ok: 'yes' })).status).toBe(400);

    const after = await waitFor('the counters to move', async () => {
      const text = await scrape();
      return sampleValue(text, 'sqs_jobs_jobs_dead_lettered_total', { job: 'quick' }) === 1 && text;
    });
    parsePrometheus(after);
    expect(sampleValue(after, 'sqs_jobs_jobs_succeeded_total', { job: 'quick' })).toBe(2);
    expect(sampleValue(after, 'sqs_jobs_jobs_failed_total', { job: 'quick' })).toBe(1);
    expect(sampleValue(after, 'sqs_jobs_enqueue_requests_total', { job: 'quick', status: '202' })).toBe(3);
    expect(sampleValue(after, 'sqs_jobs_enqueue_requests_total', { job: 'quick', status: '400' })).toBe(1);
    expect(sampleValue(after, 'sqs_jobs_handler_duration_seconds_count', { job: 'quick', outcome: 'succeeded' })).toBe(2);
    expect(sampleValue(after, 'sqs_jobs_queue_messages', { job: 'quick', queue: 'dlq', state: 'visible' })).toBeGreaterThanOrEqual(0);
  });
});
