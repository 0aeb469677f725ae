import { z } from 'zod';
import { defineJob } from '../../../src/jobs/define-job';
import { type TestApi, startTestApi } from '../../helpers/api';
import { createSqsClient } from '../../../src/sqs/client';
import { countBatchSends, drainQueue, sqsEndpoint } from '../../helpers/sqs';

const counted = defineJob({ name: 'counted', payload: z.object({ i: z.number() }), timeoutSeconds: 5, handler: () => Promise.resolve() });

interface Accepted {
  jobId: string;
  statusUrl?: string;
}

describe('HTTP API: concurrent enqueues', () => {
  let api: TestApi | undefined;
  afterEach(() => api?.close());

  it('sends concurrent requests through SendMessageBatch, and every 202 job is in the queue exactly once', async () => {
    const sqs = createSqsClient({ endpoint: sqsEndpoint(), region: 'us-east-1' });
    const batchSizes = countBatchSends(sqs);
    api = await startTestApi([counted], { sqs });
    const started = api;
    const responses = await Promise.all(Array.from({ length: 40 }, (_, i) => started.post('/api/v1/jobs/counted', { i })));
    const accepted: Accepted[] = [];
    for (const response of responses) {
      expect(response.status).toBe(202);
      accepted.push((await response.json()) as Accepted);
    }
    const stored = await drainQueue(api.queues.sqs, api.queues.directory.get('counted').queue.url);
    const storedIds = stored.map((message) => message.MessageAttributes?.['job-id']?.StringValue).sort();
    expect(storedIds).toEqual(accepted.map((body) => body.jobId).sort());
    // How many share a request depends on arrival timing; that each sent exactly once does not.
    expect(batchSizes.reduce((sum, size) => sum + size, 0)).toBe(40);
    sqs.destroy();
  });

  it('with status tracking off: no queued record, no statusUrl, and GET /jobs/:jobId says why it cannot answer', async () => {
    api = await startTestApi([counted], { statusTracking: false });
    const response = await api.post('/api/v1/jobs/counted', { i: 1 });
    expect(response.status).toBe(202);
    expect(response.headers.get('location')).toBeNull();
    const body = (await response.json()) as Accepted;
    expect(body.statusUrl).toBeUndefined();
    expect(await api.store.store.getJob(body.jobId)).toBeUndefined();
    const lookup = await api.get(`/api/v1/jobs/${body.jobId}`);
    expect(lookup.status).toBe(501);
    expect(await lookup.json()).toMatchObject({ error: { code: 'job-status-disabled' } });
    expect(await drainQueue(api.queues.sqs, api.queues.directory.get('counted').queue.url)).toHaveLength(1);
  });
});
