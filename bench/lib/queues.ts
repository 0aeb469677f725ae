import { randomBytes } from 'node:crypto';
import { DeleteQueueCommand, GetQueueAttributesCommand, SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { z } from 'zod';
import { mapWithLimit } from '../../src/concurrency';
import { type AnyJob, defineJob } from '../../src/jobs/define-job';
import { buildJobMessage } from '../../src/jobs/enqueue';
import { type JobQueues, provisionQueues } from '../../src/queues/provisioning';

/** The no-op job every throughput subject runs; the payload carries the send time for latency. */
export const noopJob = defineJob({
  name: 'bench-noop',
  payload: z.object({ sentAt: z.number() }),
  timeoutSeconds: 30,
  handler: () => Promise.resolve(),
});

/** Sends in flight while filling a queue: enough to keep the emulator busy on both cores. */
const FILL_BATCHES_IN_FLIGHT = 8;

export interface BenchQueue extends JobQueues {
  prefix: string;
  remove(): Promise<void>;
}

/** A fresh queue (with its DLQ) for one run, so no run sees another's messages. */
export async function createBenchQueue(sqs: SQSClient, job: AnyJob = noopJob): Promise<BenchQueue> {
  const prefix = `b${randomBytes(4).toString('hex')}-`;
  const { directory } = await provisionQueues(sqs, [job], prefix);
  const queues = directory.get(job.name);
  return {
    ...queues,
    prefix,
    async remove() {
      for (const url of [queues.queue.url, queues.dlq.url]) await sqs.send(new DeleteQueueCommand({ QueueUrl: url })).catch(() => undefined);
    },
  };
}

/** Ten sqs-jobs messages (body and attributes as `enqueue` writes them) for one SendMessageBatch. */
export function jobBatchEntries(job: AnyJob, payload: (index: number) => unknown, count = 10) {
  return Array.from({ length: count }, (_, index) => {
    const message = buildJobMessage(job, payload(index));
    return { Id: String(index), MessageBody: message.body, MessageAttributes: message.attributes };
  });
}

/** Puts `count` job messages on the queue, 10 per request, several requests at once. */
export async function fillQueue(sqs: SQSClient, queueUrl: string, count: number, job: AnyJob = noopJob, payload: unknown = { sentAt: 0 }): Promise<void> {
  const batches = Array.from({ length: Math.ceil(count / 10) }, (_, index) => Math.min(10, count - index * 10));
  await mapWithLimit(batches, FILL_BATCHES_IN_FLIGHT, async (size) => {
    const result = await sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: jobBatchEntries(job, () => payload, size) }));
    if ((result.Failed ?? []).length > 0) throw new Error(`filling ${queueUrl}: ${JSON.stringify(result.Failed)}`);
  });
}

/** Visible plus in-flight messages; 0 means drained (approximate, as SQS reports it). */
export async function queueDepth(sqs: SQSClient, queueUrl: string): Promise<{ visible: number; inFlight: number }> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
  );
  return { visible: Number(Attributes?.ApproximateNumberOfMessages ?? 0), inFlight: Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0) };
}
