import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { Queue } from 'bullmq';
import { type RunningProcess, DIST, spawnNode } from '../lib/child';
import { createBenchQueue, fillQueue, jobBatchEntries, noopJob, queueDepth } from '../lib/queues';
import type { Endpoints } from '../lib/services';
import { percentile } from '../lib/stats';

export interface BenchContext {
  endpoints: Endpoints;
  sqs: SQSClient;
  seconds: number;
  concurrency: number;
  redisPort?: number;
  log(text: string): void;
}

export interface DrainResult {
  n: number;
  perSecond: number;
  elapsedMs: number;
  rssMiB: number;
  /** Messages still in the queue after the subject reported done (should be 0). */
  leftover: number;
}

const SUBJECT_SCRIPT = join(DIST, 'bench', 'subject.js');
/** Wait this long after the last send for the last messages of a latency run to arrive. */
const LATENCY_TAIL_MS = 1_000;

function spawnSubject(ctx: BenchContext, subject: string, extra: Record<string, unknown>): RunningProcess {
  const settings = { subject, endpoint: ctx.endpoints.sqs, concurrency: ctx.concurrency, redisPort: ctx.redisPort, ...extra };
  return spawnNode(SUBJECT_SCRIPT, [JSON.stringify(settings)], {});
}

/** N messages pre-enqueued, then the time the subject takes to handle all of them. */
export async function drainOnce(ctx: BenchContext, subject: string, n: number): Promise<DrainResult> {
  if (subject === 'bullmq') return drainBullOnce(ctx, n);
  const queue = await createBenchQueue(ctx.sqs);
  try {
    await fillQueue(ctx.sqs, queue.queue.url, n);
    const child = spawnSubject(ctx, subject, { queueUrl: queue.queue.url, prefix: queue.prefix, n });
    try {
      const done = await child.waitForLog(`${subject} to handle ${n} messages`, (line) => line.type === 'done', Math.max(120_000, n * 20));
      // Correctness, not timed: every handled message must also have been deleted.
      let depth = await queueDepth(ctx.sqs, queue.queue.url);
      for (let tries = 0; tries < 50 && depth.visible + depth.inFlight > 0; tries += 1) {
        await sleep(100);
        depth = await queueDepth(ctx.sqs, queue.queue.url);
      }
      const elapsedMs = Number(done.elapsedMs);
      return { n, perSecond: n / (elapsedMs / 1000), elapsedMs, rssMiB: Number(done.rssMiB), leftover: depth.visible + depth.inFlight };
    } finally {
      await child.kill();
    }
  } finally {
    await queue.remove();
  }
}

async function drainBullOnce(ctx: BenchContext, n: number): Promise<DrainResult> {
  const name = `bench-${randomBytes(4).toString('hex')}`;
  const connection = { host: '127.0.0.1', port: ctx.redisPort ?? 6379 };
  const queue = new Queue(name, { connection });
  try {
    for (let start = 0; start < n; start += 1_000) {
      const size = Math.min(1_000, n - start);
      await queue.addBulk(Array.from({ length: size }, () => ({ name: noopJob.name, data: { sentAt: 0 } })));
    }
    const child = spawnSubject(ctx, 'bullmq', { queueUrl: '', prefix: '', bullQueue: name, n });
    try {
      const done = await child.waitForLog(`BullMQ to handle ${n} jobs`, (line) => line.type === 'done', Math.max(120_000, n * 20));
      await sleep(200);
      const leftover = await queue.getJobCountByTypes('waiting', 'active', 'delayed', 'prioritized');
      const elapsedMs = Number(done.elapsedMs);
      return { n, perSecond: n / (elapsedMs / 1000), elapsedMs, rssMiB: Number(done.rssMiB), leftover };
    } finally {
      await child.kill();
    }
  } finally {
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
  }
}

/** A probe shorter than this ran mostly cold (JIT, connections) and underestimates the warm rate. */
const MIN_PROBE_SECONDS = 3;
/** Headroom over the warm probe's rate, so measured drains last at least the configured seconds. */
const RATE_HEADROOM = 1.6;

/** N so that a drain at the subject's warm rate lasts at least the configured seconds. */
export async function calibrate(ctx: BenchContext, subject: string, probeN: number): Promise<number> {
  let n = probeN;
  let probe = await drainOnce(ctx, subject, n);
  const minProbeSeconds = Math.min(MIN_PROBE_SECONDS, ctx.seconds);
  while (probe.elapsedMs < minProbeSeconds * 1000) {
    n = Math.ceil((n * 2 * minProbeSeconds * 1000) / probe.elapsedMs);
    probe = await drainOnce(ctx, subject, n);
  }
  return Math.max(probeN, Math.ceil((probe.perSecond * RATE_HEADROOM * ctx.seconds) / 100) * 100);
}

export interface SteadyResult {
  consumedPerSecond: number;
  producedPerSecond: number;
}

/** A producer sends as fast as the endpoint takes it while the subject consumes; both rates. */
export async function steadyOnce(ctx: BenchContext, subject: string): Promise<SteadyResult> {
  const queue = await createBenchQueue(ctx.sqs);
  const child = spawnSubject(ctx, subject, { queueUrl: queue.queue.url, prefix: queue.prefix });
  try {
    await child.waitForLog(`${subject} to start`, (line) => line.type === 'ready');
    const warmupMs = 1_000;
    let produced = 0;
    let measuring = false;
    const endAt = Date.now() + warmupMs + ctx.seconds * 1000;
    setTimeout(() => (measuring = true), warmupMs);
    const producer = async () => {
      while (Date.now() < endAt) {
        await ctx.sqs.send(new SendMessageBatchCommand({ QueueUrl: queue.queue.url, Entries: jobBatchEntries(noopJob, () => ({ sentAt: 0 })) }));
        if (measuring) produced += 10;
      }
    };
    const ticks = () => child.lines.filter((line) => line.type === 'tick');
    await sleep(warmupMs);
    const first = Number(ticks().at(-1)?.processed ?? 0);
    await Promise.all(Array.from({ length: 4 }, producer));
    const last = Number(ticks().at(-1)?.processed ?? 0);
    return { consumedPerSecond: (last - first) / ctx.seconds, producedPerSecond: produced / ctx.seconds };
  } finally {
    await child.kill();
    await queue.remove();
  }
}

export interface LatencyResult {
  ratePerSecond: number;
  samples: number;
  p50Ms: number;
  p99Ms: number;
}

/**
 * Messages at a fixed rate, each stamped when sent; send → handler start. What falls due in each
 * 10 ms step goes out as SendMessageBatch, as the API's micro-batching sends them: single sends
 * would hit the emulator's SendMessage ceiling before the worker's half load.
 */
export async function latencyOnce(ctx: BenchContext, subject: string, ratePerSecond: number): Promise<LatencyResult> {
  const queue = await createBenchQueue(ctx.sqs);
  const child = spawnSubject(ctx, subject, { queueUrl: queue.queue.url, prefix: queue.prefix });
  try {
    await child.waitForLog(`${subject} to start`, (line) => line.type === 'ready');
    const stepMs = 10;
    const perStep = ratePerSecond / (1000 / stepMs);
    const sends: Promise<unknown>[] = [];
    const startedAt = Date.now();
    let sent = 0;
    const warmupEnd = Date.now() + 1_000;
    while (Date.now() < warmupEnd + ctx.seconds * 1000) {
      const due = Math.floor(((Date.now() - startedAt) / stepMs + 1) * perStep);
      while (sent < due) {
        const count = Math.min(10, due - sent);
        // Warm-up messages carry sentAt 0, which the subject does not count as a latency sample.
        const entries = jobBatchEntries(noopJob, () => ({ sentAt: Date.now() < warmupEnd ? 0 : Date.now() }), count);
        sends.push(ctx.sqs.send(new SendMessageBatchCommand({ QueueUrl: queue.queue.url, Entries: entries })));
        sent += count;
      }
      await sleep(stepMs);
    }
    await Promise.all(sends);
    await sleep(LATENCY_TAIL_MS);
    const latencies = child.lines.filter((line) => line.type === 'tick').flatMap((line) => line.latencies as number[]);
    return { ratePerSecond, samples: latencies.length, p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99) };
  } finally {
    await child.kill();
    await queue.remove();
  }
}
