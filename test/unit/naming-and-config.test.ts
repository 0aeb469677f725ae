import { z } from 'zod';
import { loadConfig } from '../../src/config';
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
});
