import { z } from 'zod';
import { apiSettings, jobTableName, loadConfig } from '../../src/config';
import { ConfigError } from '../../src/errors';
import { defineJob } from '../../src/jobs/define-job';
import { mainQueueAttributes, maxReceiveCountFor, queueNamesFor, RECEIVE_COUNT_MARGIN } from '../../src/queues/naming';
import { pollerBatchSizes } from '../../src/runtime/worker';

describe('queue naming', () => {
  const job = defineJob({ name: 'resize-image', payload: z.object({}), retry: { maxAttempts: 5 }, timeoutSeconds: 20, handler: () => Promise.resolve() });

  it('derives queue and DLQ names from the job name and prefix', () => {
    expect(queueNamesFor('resize-image', 'prod-')).toEqual({ queueName: 'prod-resize-image', dlqName: 'prod-resize-image-dlq' });
  });

  it('derives maxReceiveCount (maxAttempts + margin) and visibility from the definition', () => {
    expect(maxReceiveCountFor(job)).toBe(5 + RECEIVE_COUNT_MARGIN);
    expect(mainQueueAttributes(job, 'arn:dlq')).toEqual({
      VisibilityTimeout: '50',
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: 'arn:dlq', maxReceiveCount: 8 }),
    });
  });

  it('splits concurrency into pollers of at most 10', () => {
    expect(pollerBatchSizes(1)).toEqual([1]);
    expect(pollerBatchSizes(10)).toEqual([10]);
    expect(pollerBatchSizes(25)).toEqual([10, 10, 5]);
  });
});

describe('config', () => {
  it('applies defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ AWS_REGION: 'us-east-1', QUEUE_PREFIX: '', EMBEDDED_SQS_PORT: 9324, SHUTDOWN_TIMEOUT_SECONDS: 30 });
    expect(config.SQS_ENDPOINT).toBeUndefined();
  });

  it('treats blank values as unset', () => {
    expect(loadConfig({ SQS_ENDPOINT: '' }).SQS_ENDPOINT).toBeUndefined();
  });

  it('lists every invalid variable in one error', () => {
    const load = () => loadConfig({ SQS_ENDPOINT: 'not a url', EMBEDDED_SQS_PORT: '99999', QUEUE_PREFIX: 'bad prefix!' });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(/SQS_ENDPOINT: Invalid URL/);
    expect(load).toThrow(/EMBEDDED_SQS_PORT: Too big/);
    expect(load).toThrow(/QUEUE_PREFIX: up to 15 letters/);
  });

  const key = (char: string) => char.repeat(16);

  it('parses API_KEYS as a trimmed comma list, ignoring empty entries', () => {
    expect(loadConfig({}).API_KEYS).toEqual([]);
    expect(loadConfig({ API_KEYS: ` ${key('a')} ,${key('b')},, ${key('c')}x ` }).API_KEYS).toEqual([key('a'), key('b'), `${key('c')}x`]);
  });

  it('rejects an API key shorter than 16 characters, naming API_KEYS', () => {
    const load = () => loadConfig({ API_KEYS: `${key('a')},short-key` });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(/API_KEYS[^:]*: each API key needs at least 16 characters/);
    expect(() => loadConfig({ API_KEYS: 'a'.repeat(15) })).toThrow(/API_KEYS/);
  });

  it('refuses a non-loopback HOST without API_KEYS', () => {
    const load = () => loadConfig({ HOST: '0.0.0.0' });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(/HOST=0\.0\.0\.0.*set API_KEYS/);
    expect(() => loadConfig({ HOST: '0.0.0.0', API_KEYS: '' })).toThrow(/API_KEYS/);
  });

  it('allows loopback hosts without keys and any host with keys', () => {
    for (const HOST of ['127.0.0.1', 'localhost', '::1']) expect(loadConfig({ HOST }).HOST).toBe(HOST);
    expect(loadConfig({}).HOST).toBe('127.0.0.1');
    expect(loadConfig({ HOST: '0.0.0.0', API_KEYS: key('k') })).toMatchObject({ HOST: '0.0.0.0', API_KEYS: [key('k')] });
  });

  it('names the job table after the queue prefix unless JOB_TABLE is set', () => {
    expect(jobTableName(loadConfig({}))).toBe('sqs-jobs');
    expect(jobTableName(loadConfig({ QUEUE_PREFIX: 'prod-' }))).toBe('prod-sqs-jobs');
    expect(jobTableName(loadConfig({ QUEUE_PREFIX: 'prod-', JOB_TABLE: 'jobs.main' }))).toBe('jobs.main');
    expect(() => loadConfig({ JOB_TABLE: 'no spaces' })).toThrow(/JOB_TABLE/);
  });

  it('maps the API settings from the environment', () => {
    expect(apiSettings(loadConfig({}))).toEqual({
      apiKeys: [],
      publicHealth: true,
      publicMetrics: true,
      idempotencyTtlSeconds: 86_400,
      healthJobsTimeoutMs: 5_000,
      workerPresenceIntervalMs: 10_000,
      statusTracking: true,
    });
    const config = loadConfig({
      API_KEYS: `${key('a')},${key('b')}`,
      HEALTH_PUBLIC: '0',
      METRICS_PUBLIC: 'true',
      IDEMPOTENCY_TTL_SECONDS: '3600',
      HEALTH_JOBS_TIMEOUT_MS: '2500',
      WORKER_PRESENCE_INTERVAL_MS: '1500',
      JOB_STATUS_TRACKING: 'false',
    });
    expect(apiSettings(config)).toEqual({
      apiKeys: [key('a'), key('b')],
      publicHealth: false,
      publicMetrics: true,
      idempotencyTtlSeconds: 3600,
      healthJobsTimeoutMs: 2500,
      workerPresenceIntervalMs: 1500,
      statusTracking: false,
    });
  });
});
