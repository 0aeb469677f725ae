import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { z } from 'zod';
import { MissingQueueError } from '../../src/errors';
import { defineJob } from '../../src/jobs/define-job';
import { provisionQueues, resolveQueues } from '../../src/queues/provisioning';
import { testSqsClient, uniquePrefix } from '../helpers/sqs';

const definition = (maxAttempts: number, timeoutSeconds: number) =>
  defineJob({ name: 'thumbnail', payload: z.object({}), retry: { maxAttempts }, timeoutSeconds, handler: () => Promise.resolve() });

describe('provisioning', () => {
  const sqs = testSqsClient();
  afterAll(() => {
    sqs.destroy();
  });

  it('creates queue + DLQ with derived attributes, is idempotent, and updates what changed', async () => {
    const prefix = uniquePrefix();
    const first = await provisionQueues(sqs, [definition(4, 20)], prefix);
    expect(first.changes.map((change) => [change.queueName, change.action])).toEqual([
      [`${prefix}thumbnail-dlq`, 'created'],
      [`${prefix}thumbnail`, 'created'],
    ]);
    const entry = first.directory.get('thumbnail');
    const attributes = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: entry.queue.url, AttributeNames: ['All'] }));
    expect(attributes.Attributes?.VisibilityTimeout).toBe('50');
    expect(JSON.parse(attributes.Attributes?.RedrivePolicy ?? '{}')).toEqual({ deadLetterTargetArn: entry.dlq.arn, maxReceiveCount: 7 });

    const second = await provisionQueues(sqs, [definition(4, 20)], prefix);
    expect(second.changes.map((change) => change.action)).toEqual(['unchanged', 'unchanged']);
    expect(second.directory.get('thumbnail').queue.url).toBe(entry.queue.url);

    const third = await provisionQueues(sqs, [definition(6, 90)], prefix);
    expect(third.changes[1]).toEqual({ queueName: `${prefix}thumbnail`, action: 'updated', changedAttributes: ['VisibilityTimeout', 'RedrivePolicy'] });
    const updated = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: entry.queue.url, AttributeNames: ['All'] }));
    expect(updated.Attributes?.VisibilityTimeout).toBe('120');
    expect(JSON.parse(updated.Attributes?.RedrivePolicy ?? '{}')).toMatchObject({ maxReceiveCount: 9 });
  });

  it('resolveQueues finds provisioned queues and names a missing one', async () => {
    const prefix = uniquePrefix();
    await expect(resolveQueues(sqs, [definition(1, 1)], prefix)).rejects.toThrow(MissingQueueError);
    await expect(resolveQueues(sqs, [definition(1, 1)], prefix)).rejects.toThrow(`queue '${prefix}thumbnail' does not exist`);
    await provisionQueues(sqs, [definition(1, 1)], prefix);
    const directory = await resolveQueues(sqs, [definition(1, 1)], prefix);
    expect(directory.get('thumbnail').dlq.name).toBe(`${prefix}thumbnail-dlq`);
  });
});
