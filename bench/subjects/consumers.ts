import { DeleteMessageBatchCommand, ReceiveMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import { Worker as BullWorker } from 'bullmq';
import { Consumer } from 'sqs-consumer';
import { defineJob } from '../../src/jobs/define-job';
import { createLogger } from '../../src/observability/logger';
import { resolveQueues } from '../../src/queues/provisioning';
import { Worker } from '../../src/runtime/worker';
import { noopJob } from '../lib/queues';

/** What a subject calls for every message it handled; it returns at once, like a no-op job. */
export type OnHandled = (payload: { sentAt: number }) => void;

export interface SubjectSettings {
  endpoint: string;
  queueUrl: string;
  prefix: string;
  concurrency: number;
  redisPort?: number;
  bullQueue?: string;
}

/** Starts consuming; the returned function stops (best effort: the process is killed afterwards). */
export type StartSubject = (sqs: SQSClient, settings: SubjectSettings, onHandled: OnHandled) => Promise<() => Promise<void>>;

const LONG_POLL_SECONDS = 20;
const pollerCount = (concurrency: number) => Math.max(1, Math.ceil(concurrency / 10));
const payloadOf = (body: string | undefined) => JSON.parse(body ?? '{}') as { sentAt: number };

/** sqs-jobs: the Worker as `sqs-jobs worker` runs it (no status store: the baselines have none either). */
const sqsJobs: StartSubject = async (sqs, settings, onHandled) => {
  const job = defineJob({
    name: noopJob.name,
    payload: noopJob.payload,
    timeoutSeconds: noopJob.timeoutSeconds,
    handler: (payload) => {
      onHandled(payload);
      return Promise.resolve();
    },
  });
  const directory = await resolveQueues(sqs, [job], settings.prefix);
  const worker = new Worker({ sqs, jobs: [job], directory, logger: createLogger({ level: 'warn', format: 'json' }), concurrency: settings.concurrency });
  worker.start();
  return () => worker.stop();
};

/** The physical limit: ReceiveMessage(10) + DeleteMessageBatch in a loop per poller, nothing else. */
const rawSdk: StartSubject = (sqs, settings, onHandled) => {
  let running = true;
  const poll = async () => {
    while (running) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: settings.queueUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: LONG_POLL_SECONDS,
          MessageSystemAttributeNames: ['All'],
          MessageAttributeNames: ['All'],
        }),
      );
      if (Messages.length === 0) continue;
      for (const message of Messages) onHandled(payloadOf(message.Body));
      await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: settings.queueUrl,
          Entries: Messages.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle })),
        }),
      );
    }
  };
  const pollers = Array.from({ length: pollerCount(settings.concurrency) }, poll);
  return Promise.resolve(async () => {
    running = false;
    await Promise.allSettled(pollers);
  });
};

/** sqs-consumer as its README shows it, with batchSize 10 and enough consumers for the concurrency. */
function sqsConsumer(style: 'handleMessage' | 'handleMessageBatch'): StartSubject {
  return (sqs, settings, onHandled) => {
    const handleMessage = (message: Message) => {
      onHandled(payloadOf(message.Body));
      return Promise.resolve(message);
    };
    const handleMessageBatch = (messages: Message[]) => {
      for (const message of messages) onHandled(payloadOf(message.Body));
      return Promise.resolve(messages);
    };
    const consumers = Array.from({ length: pollerCount(settings.concurrency) }, () =>
      Consumer.create({
        queueUrl: settings.queueUrl,
        sqs,
        batchSize: 10,
        waitTimeSeconds: LONG_POLL_SECONDS,
        messageAttributeNames: ['All'],
        ...(style === 'handleMessage' ? { handleMessage } : { handleMessageBatch }),
      }),
    );
    for (const consumer of consumers) consumer.start();
    return Promise.resolve(() => {
      for (const consumer of consumers) consumer.stop();
      return Promise.resolve();
    });
  };
}

/** BullMQ on Redis, same concurrency, completed jobs removed (as SQS deletes them). */
const bullmq: StartSubject = (_sqs, settings, onHandled) => {
  const worker = new BullWorker(
    settings.bullQueue ?? 'bench',
    (job) => {
      onHandled(job.data as { sentAt: number });
      return Promise.resolve();
    },
    { connection: { host: '127.0.0.1', port: settings.redisPort ?? 6379 }, concurrency: settings.concurrency, removeOnComplete: { count: 0 } },
  );
  return Promise.resolve(() => worker.close());
};

export const SUBJECTS: Record<string, StartSubject> = {
  'sqs-jobs': sqsJobs,
  'raw-sdk': rawSdk,
  'sqs-consumer-message': sqsConsumer('handleMessage'),
  'sqs-consumer-batch': sqsConsumer('handleMessageBatch'),
  bullmq,
};
