import { z } from 'zod';
import { defineJob } from '../../../src/jobs/define-job';
import { type TestApi, startTestApi } from '../../helpers/api';
import { killAllSpawned } from '../../helpers/child-process';
import { type EmulatorProcess, startEmulatorProcess, stopEmulatorProcess } from '../../helpers/emulator-process';
import { drainQueue } from '../../helpers/sqs';

const note = defineJob({ name: 'note', payload: z.object({ text: z.string() }), timeoutSeconds: 5, handler: () => Promise.resolve() });

/**
 * The API's own emulator, stopped and started again on the same port. It keeps queues in memory,
 * so after the restart the test provisions them again (as the stack would on start) and only
 * counts jobs accepted after recovery.
 */
describe('HTTP API: SQS outage', () => {
  let emulator: EmulatorProcess;
  let api: TestApi;
  beforeEach(async () => {
    emulator = await startEmulatorProcess();
    api = await startTestApi([note], { sqsEndpoint: emulator.endpoint });
  });
  afterEach(async () => {
    await api.close();
    await killAllSpawned();
  });

  it('answers 503 with Retry-After while SQS is down, and recovers without restarting the API', async () => {
    expect((await api.post('/api/v1/jobs/note', { text: 'before' })).status).toBe(202);
    await stopEmulatorProcess(emulator);

    const started = Date.now();
    const down = await api.post('/api/v1/jobs/note', { text: 'during' });
    expect(down.status).toBe(503);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(down.headers.get('retry-after')).toBe('5');
    expect(((await down.json()) as { error: { code: string } }).error.code).toBe('sqs-unavailable');
    const batchDown = await api.post('/api/v1/jobs/note/batch', { items: [{ payload: { text: 'a' } }] });
    expect(batchDown.status).toBe(503);
    expect((await api.get('/api/v1/health/ready')).status).toBe(503);

    emulator = await startEmulatorProcess(emulator.port);
    await api.reprovision();
    const after = await api.post('/api/v1/jobs/note', { text: 'after' });
    expect(after.status).toBe(202);
    const { jobId } = (await after.json()) as { jobId: string };
    const messages = await drainQueue(api.queues.sqs, api.queues.directory.get('note').queue.url);
    expect(messages.map((message) => message.MessageAttributes?.['job-id']?.StringValue)).toEqual([jobId]);
    expect((await api.get('/api/v1/health/ready')).status).toBe(200);
  });
});
