import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import express from 'express';
import { job as logMessage } from '../../handlers/log-message';
import { createSqsClient } from '../../src/sqs/client';

/**
 * The HTTP baselines. With SKIP_SQS=true: Express parsing, validating and answering 202 without
 * sending anything, the ceiling of any Express enqueue API on this machine. Otherwise the enqueue
 * endpoint most teams write by hand. express.json(), the same
 * payload schema, one SendMessage per request, 202 once SQS answered. No logging, no auth, no
 * idempotency, no status: what sqs-jobs's API costs on top of this is the price of those.
 */
const queueUrl = process.env.QUEUE_URL ?? '';
const skipSqs = process.env.SKIP_SQS === 'true';
const sqs = createSqsClient({ endpoint: process.env.SQS_ENDPOINT, region: 'us-east-1' });
const app = express();
app.use(express.json({ limit: '1mb' }));
app.post('/api/v1/jobs/log-message', async (req, res) => {
  const parsed = logMessage.payload.safeParse(req.body);
  if (!parsed.success) {
    res.status(400).json({ error: parsed.error.issues });
    return;
  }
  const jobId = randomUUID();
  if (skipSqs) {
    res.status(202).json({ jobId, status: 'queued' });
    return;
  }
  try {
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(req.body), MessageAttributes: { 'job-id': { DataType: 'String', StringValue: jobId } } }));
  } catch {
    res.status(503).json({ error: 'unavailable' });
    return;
  }
  res.status(202).json({ jobId, status: 'queued' });
});
const server = app.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`${JSON.stringify({ type: 'ready', url: `http://127.0.0.1:${port}` })}\n`);
});
