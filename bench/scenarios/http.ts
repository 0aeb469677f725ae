import { join } from 'node:path';
import { DeleteQueueCommand, ListQueuesCommand } from '@aws-sdk/client-sqs';
import autocannon from 'autocannon';
import { type RunningProcess, DIST, spawnCli, spawnNode } from '../lib/child';
import { createBenchQueue } from '../lib/queues';
import type { BenchContext } from './throughput';

export interface HttpResult {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Answers other than 202, and connection errors; a valid run has none. */
  non202: number;
}

export type HttpTarget = 'sqs-jobs' | 'sqs-jobs-no-status' | 'naive' | 'express-202';

const PATH = '/api/v1/jobs/log-message';
const BODY = JSON.stringify({ text: 'benchmark', level: 'debug' });
const WARMUP_SECONDS = 2;

/** autocannon against POST /api/v1/jobs/log-message: the API under test in its own process. */
export async function httpOnce(ctx: BenchContext & { connections: number }, target: HttpTarget): Promise<HttpResult> {
  const started = await startTarget(ctx, target);
  try {
    await load(started.url, ctx.connections, WARMUP_SECONDS);
    const result = await load(started.url, ctx.connections, ctx.seconds);
    return {
      requestsPerSecond: result.requests.average,
      p50Ms: result.latency.p50,
      p99Ms: result.latency.p99,
      // The API answers 202 and nothing else in 2xx, so every other answer shows up here.
      non202: result.non2xx + result.errors + result.timeouts,
    };
  } finally {
    await started.child.kill();
    await started.cleanup();
  }
}

function load(url: string, connections: number, seconds: number): Promise<autocannon.Result> {
  return autocannon({
    url: `${url}${PATH}`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: BODY,
    connections,
    duration: seconds,
  });
}

async function startTarget(ctx: BenchContext, target: HttpTarget): Promise<{ url: string; child: RunningProcess; cleanup(): Promise<void> }> {
  if (target === 'naive' || target === 'express-202') {
    const queue = await createBenchQueue(ctx.sqs);
    const child = spawnNode(join(DIST, 'bench', 'subjects', 'naive-api.js'), [], {
      SQS_ENDPOINT: ctx.endpoints.sqs,
      QUEUE_URL: queue.queue.url,
      SKIP_SQS: String(target === 'express-202'),
    });
    const ready = await child.waitForLog('the naive API to listen', (line) => line.type === 'ready');
    return { url: String(ready.url), child, cleanup: () => queue.remove() };
  }
  const prefix = `h${Date.now().toString(36)}-`;
  const child = spawnCli(['api', '--provision'], {
    SQS_ENDPOINT: ctx.endpoints.sqs,
    DYNAMODB_ENDPOINT: ctx.endpoints.dynamodb,
    QUEUE_PREFIX: prefix,
    PORT: '0',
    LOG_LEVEL: 'info',
    JOB_STATUS_TRACKING: target === 'sqs-jobs' ? 'true' : 'false',
  });
  const ready = await child.waitForLog('the API to listen', (line) => line.msg === 'API listening');
  return {
    url: String(ready.url),
    child,
    async cleanup() {
      const { QueueUrls = [] } = await ctx.sqs.send(new ListQueuesCommand({ QueueNamePrefix: prefix }));
      for (const url of QueueUrls) await ctx.sqs.send(new DeleteQueueCommand({ QueueUrl: url })).catch(() => undefined);
    },
  };
}
