import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { createSqsClient } from '../src/sqs/client';
import { compare, machine, markdown, type Rounds } from './report';
import { killAllSpawned, PROJECT_ROOT } from './lib/child';
import { ensureRedis, type Redis, startEndpoints } from './lib/services';
import { httpOnce, type HttpTarget } from './scenarios/http';
import { memoryOnce } from './scenarios/memory';
import { type BenchContext, calibrate, drainOnce, latencyOnce, steadyOnce } from './scenarios/throughput';

const GROUPS = ['drain', 'steady', 'http', 'latency', 'memory'] as const;
type Group = (typeof GROUPS)[number];
const DRAIN_SUBJECTS = ['raw-sdk', 'sqs-jobs', 'sqs-consumer-message', 'sqs-consumer-batch', 'bullmq'];
const HTTP_TARGETS: HttpTarget[] = ['express-202', 'naive', 'sqs-jobs-no-status', 'sqs-jobs'];

interface Options {
  rounds: number;
  seconds: number;
  concurrency: number;
  connections: number;
  only: Group[];
  out: string;
  quick: boolean;
}

const positiveInt = (value: string) => {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new InvalidArgumentError('must be a whole number ≥ 1');
  return parsed;
};
const groupList = (value: string) => {
  const groups = value.split(',').map((entry) => entry.trim());
  const unknown = groups.filter((group) => !(GROUPS as readonly string[]).includes(group));
  if (unknown.length > 0) throw new InvalidArgumentError(`unknown group(s) ${unknown.join(', ')}; choose from ${GROUPS.join(', ')}`);
  return groups as Group[];
};

const log = (text: string) => process.stderr.write(`[bench] ${text}\n`);

function record(rounds: Rounds, key: string, value: number): void {
  (rounds[key] ??= []).push(value);
}

async function run(options: Options): Promise<void> {
  const endpoints = await startEndpoints();
  const sqs = createSqsClient({ endpoint: endpoints.sqs, region: 'us-east-1' });
  const want = (group: Group) => options.only.includes(group);
  let redis: Redis = { skipped: 'not needed' };
  if (want('drain')) redis = await ensureRedis(log);
  const ctx: BenchContext & { connections: number } = {
    endpoints,
    sqs,
    seconds: options.seconds,
    concurrency: options.concurrency,
    connections: options.connections,
    redisPort: 'port' in redis ? redis.port : undefined,
    log,
  };
  const drainSubjects = DRAIN_SUBJECTS.filter((subject) => subject !== 'bullmq' || 'port' in redis);
  if ('skipped' in redis && want('drain')) log(`BullMQ skipped: ${redis.skipped}`);
  const rounds: Rounds = {};
  try {
    const sizes: Record<string, number> = {};
    if (want('drain') || want('latency')) {
      for (const subject of drainSubjects) {
        sizes[subject] = await calibrate(ctx, subject, options.quick ? 200 : 2_000);
        log(`calibrated ${subject}: N = ${sizes[subject]} for ≥ ${options.seconds} s`);
      }
    }
    for (let round = 1; round <= options.rounds; round += 1) {
      log(`round ${round} of ${options.rounds}`);
      if (want('drain')) {
        for (const subject of drainSubjects) {
          const result = await drainOnce(ctx, subject, sizes[subject] ?? 1_000);
          if (result.leftover > 0) throw new Error(`${subject} left ${result.leftover} messages behind after reporting done`);
          record(rounds, `drain/${subject}`, result.perSecond);
          record(rounds, `drain/${subject}/rssMiB`, result.rssMiB);
          log(`  drain ${subject}: ${Math.round(result.perSecond)}/s over ${(result.elapsedMs / 1000).toFixed(1)} s (N ${result.n})`);
        }
      }
      if (want('steady')) {
        const steady = await steadyOnce(ctx, 'sqs-jobs');
        record(rounds, 'steady/consumed', steady.consumedPerSecond);
        record(rounds, 'steady/produced', steady.producedPerSecond);
        log(`  steady: produced ${Math.round(steady.producedPerSecond)}/s, consumed ${Math.round(steady.consumedPerSecond)}/s`);
      }
      if (want('http')) {
        for (const target of HTTP_TARGETS) {
          const result = await httpOnce(ctx, target);
          if (result.non202 > 0) throw new Error(`HTTP ${target}: ${result.non202} answers were not 202`);
          record(rounds, `http/${target}/rps`, result.requestsPerSecond);
          record(rounds, `http/${target}/p50Ms`, result.p50Ms);
          record(rounds, `http/${target}/p99Ms`, result.p99Ms);
          log(`  http ${target}: ${Math.round(result.requestsPerSecond)} req/s, p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms`);
        }
      }
      if (want('latency')) {
        // Half of the most the system carries end to end: what the worker consumed while a producer
        // ran (steady state) this round; without that, its drain rate, which has no producer to share with.
        const max = rounds['steady/consumed']?.at(-1) ?? rounds['drain/sqs-jobs']?.at(-1) ?? (sizes['sqs-jobs'] ?? 1_000) / options.seconds;
        const rate = Math.max(10, Math.round(max * 0.5));
        for (const subject of ['raw-sdk', 'sqs-jobs']) {
          const result = await latencyOnce(ctx, subject, rate);
          record(rounds, `latency/${subject}/p50Ms`, result.p50Ms);
          record(rounds, `latency/${subject}/p99Ms`, result.p99Ms);
          log(`  latency ${subject} at ${rate}/s: p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms (${result.samples} samples)`);
        }
      }
      if (want('memory')) {
        const memory = await memoryOnce(ctx);
        record(rounds, 'memory/idleMiB', memory.idleMiB);
        record(rounds, 'memory/loadedMiB', memory.loadedMiB);
        log(`  memory: idle ${memory.idleMiB.toFixed(0)} MiB, ${memory.inFlight} in flight ${memory.loadedMiB.toFixed(0)} MiB`);
      }
    }
  } finally {
    sqs.destroy();
    if ('stop' in redis) await redis.stop();
    for (const child of endpoints.children) await child.kill();
  }
  const comparisons = compare(rounds);
  const info = { rounds: options.rounds, seconds: options.seconds, concurrency: options.concurrency, connections: options.connections, sqs: endpoints.children.length > 0 ? 'embedded emulators (fauxqs, dynalite), each in its own process' : endpoints.sqs };
  const table = markdown(comparisons, rounds, info);
  process.stdout.write(table);
  mkdirSync(options.out, { recursive: true });
  writeFileSync(join(options.out, 'latest.json'), `${JSON.stringify({ date: new Date().toISOString(), machine: machine(), settings: info, comparisons, rounds }, null, 2)}\n`);
  writeFileSync(join(options.out, 'latest.md'), table);
  log(`wrote ${join(options.out, 'latest.json')} and latest.md`);
}

const program = new Command('npm run bench --')
  .description('Benchmarks sqs-jobs side by side with the raw SDK ceiling, sqs-consumer, BullMQ and a hand-written enqueue API')
  .option('--rounds <n>', 'rounds; each figure is the median over them', positiveInt, 3)
  .option('--seconds <n>', 'how long each measured run lasts (drains are sized from a calibration run)', positiveInt, 10)
  .option('--concurrency <n>', 'jobs at once, the same for every consumer', positiveInt, 50)
  .option('--connections <n>', 'HTTP connections autocannon keeps open', positiveInt, 32)
  .option('--only <groups>', `comma-separated subset of ${GROUPS.join(', ')}`, groupList, [...GROUPS])
  .option('--out <dir>', 'where latest.json and latest.md go', join(PROJECT_ROOT, 'bench', 'results'))
  .option('--quick', 'a smoke run: 1 round of 1 s, small calibration (numbers are not meaningful)')
  .addHelpText('after', '\nSQS_ENDPOINT and DYNAMODB_ENDPOINT (both) point it at running services; otherwise it starts `sqs-jobs emulators`.\nExit codes: 0 done, 1 a run failed, 2 invalid options (as the sqs-jobs CLI).')
  .exitOverride()
  .action(async (options: Options) => {
    const settings = options.quick ? { ...options, rounds: 1, seconds: 1 } : options;
    await run(settings);
  });

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void killAllSpawned().finally(() => process.exit(130)));
}
program.parseAsync().catch(async (error: unknown) => {
  // commander has already printed its message (bad option, or --help with exit code 0).
  if (error instanceof CommanderError) process.exit(error.exitCode === 0 ? 0 : 2);
  log(`failed: ${error instanceof Error ? error.message : String(error)}`);
  await killAllSpawned();
  process.exit(1);
});
