import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { residentMiB } from '../../test/faults/helpers/rss';
import { job as sleepJob } from '../handlers/bench-sleep';
import { DIST, spawnCli } from '../lib/child';
import { createBenchQueue, fillQueue, queueDepth } from '../lib/queues';
import type { BenchContext } from './throughput';

export interface MemoryResult {
  idleMiB: number;
  inFlight: number;
  loadedMiB: number;
}

const IN_FLIGHT = 1_000;
const SAMPLES = 10;


/** `sqs-jobs worker` from dist/ with 1,000 slow jobs running at once: its resident set size. */
export async function memoryOnce(ctx: BenchContext): Promise<MemoryResult> {
  const queue = await createBenchQueue(ctx.sqs, sleepJob);
  const child = spawnCli(['worker', '--provision'], {
    SQS_ENDPOINT: ctx.endpoints.sqs,
    DYNAMODB_ENDPOINT: ctx.endpoints.dynamodb,
    QUEUE_PREFIX: queue.prefix,
    HANDLERS_DIR: join(DIST, 'bench', 'handlers'),
    WORKER_JOBS: sleepJob.name,
    WORKER_CONCURRENCY: String(IN_FLIGHT),
    LOG_LEVEL: 'info',
  });
  try {
    await child.waitForLog('the worker to poll', (line) => line.msg === 'polling queue');
    const pid = child.child.pid;
    if (pid === undefined) throw new Error('the worker process has no pid');
    await sleep(1_000);
    const idleMiB = residentMiB(pid);
    await fillQueue(ctx.sqs, queue.queue.url, IN_FLIGHT, sleepJob, { ms: 120_000 });
    let depth = await queueDepth(ctx.sqs, queue.queue.url);
    for (let tries = 0; depth.inFlight < IN_FLIGHT && tries < 300; tries += 1) {
      await sleep(100);
      depth = await queueDepth(ctx.sqs, queue.queue.url);
    }
    if (depth.inFlight < IN_FLIGHT) {
      const last = child.lines.slice(-5).map((line) => JSON.stringify(line)).join('\n');
      throw new Error(`the worker took ${depth.inFlight} of ${IN_FLIGHT} jobs (${depth.visible} still visible); its last log lines:\n${last}`);
    }
    let loadedMiB = 0;
    for (let sample = 0; sample < SAMPLES; sample += 1) {
      loadedMiB = Math.max(loadedMiB, residentMiB(pid));
      await sleep(200);
    }
    return { idleMiB, inFlight: depth.inFlight, loadedMiB };
  } finally {
    await child.kill();
    await queue.remove();
  }
}
