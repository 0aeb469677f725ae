import { performance } from 'node:perf_hooks';
import { createSqsClient } from '../src/sqs/client';
import { SUBJECTS, type SubjectSettings } from './subjects/consumers';

/**
 * One consumer under test, in its own process so none shares a heap or a core with the
 * orchestrator. Reads its settings as JSON from argv, prints JSON lines: `ready`, a `tick` every
 * 250 ms (count so far, latencies since the last tick), and `done` once `n` messages were handled.
 */
interface Settings extends SubjectSettings {
  subject: string;
  /** Drain mode: stop counting at n. Without it, run until killed (steady state, latency). */
  n?: number;
}

const TICK_MS = 250;

async function main(): Promise<void> {
  const settings = JSON.parse(process.argv[2] ?? '{}') as Settings;
  const start = SUBJECTS[settings.subject];
  if (!start) throw new Error(`unknown subject '${settings.subject}'; known: ${Object.keys(SUBJECTS).join(', ')}`);
  const sqs = createSqsClient({ endpoint: settings.endpoint, region: 'us-east-1' });
  const print = (line: object) => process.stdout.write(`${JSON.stringify(line)}\n`);
  let processed = 0;
  let latencies: number[] = [];
  let finished = false;
  const startedAt = performance.now();
  const stop = await start(sqs, settings, (payload) => {
    processed += 1;
    if (payload.sentAt > 0) latencies.push(Date.now() - payload.sentAt);
    if (!finished && settings.n !== undefined && processed >= settings.n) {
      finished = true;
      print({ type: 'done', processed, elapsedMs: performance.now() - startedAt, rssMiB: process.memoryUsage().rss / 2 ** 20 });
    }
  });
  print({ type: 'ready' });
  setInterval(() => {
    print({ type: 'tick', processed, atMs: performance.now() - startedAt, latencies });
    latencies = [];
  }, TICK_MS);
  process.once('SIGTERM', () => void stop().finally(() => process.exit(0)));
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
