import { cpus, totalmem, type } from 'node:os';
import { median, round } from './lib/stats';

/** Every round's value of every measurement, keyed like `drain/sqs-jobs` or `http/naive/p99Ms`. */
export type Rounds = Record<string, number[]>;

export interface Comparison {
  what: string;
  ours: string;
  baseline: string;
  ratio: number | undefined;
  target: string;
  met: boolean | undefined;
}

interface Rule {
  what: string;
  ours: string;
  unit: string;
  baseline?: string;
  /** Met when ratio (ours / baseline, median over rounds) ≥ this. */
  minRatio?: number;
  /** Met when the median of `ours` satisfies it. */
  absolute?: { max?: number; min?: number };
  lowerIsBetter?: boolean;
}

const RULES: Rule[] = [
  { what: 'Worker drain, no-op jobs (msg/s) vs raw SDK receive+delete', ours: 'drain/sqs-jobs', baseline: 'drain/raw-sdk', unit: 'msg/s', minRatio: 0.9 },
  { what: 'Worker drain vs sqs-consumer `handleMessage`', ours: 'drain/sqs-jobs', baseline: 'drain/sqs-consumer-message', unit: 'msg/s', minRatio: 2.5 },
  { what: 'Worker drain vs sqs-consumer `handleMessageBatch`', ours: 'drain/sqs-jobs', baseline: 'drain/sqs-consumer-batch', unit: 'msg/s' },
  { what: 'Worker drain vs BullMQ on local Redis', ours: 'drain/sqs-jobs', baseline: 'drain/bullmq', unit: 'jobs/s', minRatio: 1.0 },
  { what: 'Raw SDK receive+delete vs BullMQ (the emulator ceiling)', ours: 'drain/raw-sdk', baseline: 'drain/bullmq', unit: 'msg/s' },
  { what: 'Worker, steady state with a producer (consumed msg/s) vs producer msg/s', ours: 'steady/consumed', baseline: 'steady/produced', unit: 'msg/s' },
  { what: 'HTTP enqueue, status tracking on (req/s) vs hand-written Express + SendMessage', ours: 'http/sqs-jobs/rps', baseline: 'http/naive/rps', unit: 'req/s', absolute: { min: 5_000 } },
  { what: 'HTTP enqueue p99, status tracking on (ms)', ours: 'http/sqs-jobs/p99Ms', baseline: 'http/naive/p99Ms', unit: 'ms', absolute: { max: 25 }, lowerIsBetter: true },
  { what: 'HTTP enqueue, status tracking off (req/s) vs hand-written', ours: 'http/sqs-jobs-no-status/rps', baseline: 'http/naive/rps', unit: 'req/s', absolute: { min: 5_000 } },
  { what: 'HTTP enqueue, status tracking off (req/s) vs bare Express answering 202 without SQS (this box\'s HTTP ceiling)', ours: 'http/sqs-jobs-no-status/rps', baseline: 'http/express-202/rps', unit: 'req/s' },
  { what: 'HTTP enqueue p99, status tracking off (ms)', ours: 'http/sqs-jobs-no-status/p99Ms', baseline: 'http/naive/p99Ms', unit: 'ms', absolute: { max: 25 }, lowerIsBetter: true },
  { what: 'Enqueue → handler start p99 at half load (ms) vs raw SDK poller', ours: 'latency/sqs-jobs/p99Ms', baseline: 'latency/raw-sdk/p99Ms', unit: 'ms', absolute: { max: 50 }, lowerIsBetter: true },
  { what: 'Enqueue → handler start p50 at half load (ms) vs raw SDK poller', ours: 'latency/sqs-jobs/p50Ms', baseline: 'latency/raw-sdk/p50Ms', unit: 'ms', lowerIsBetter: true },
  { what: 'Worker RSS with 1,000 jobs in flight (MiB) vs the same worker idle', ours: 'memory/loadedMiB', baseline: 'memory/idleMiB', unit: 'MiB', absolute: { max: 150 }, lowerIsBetter: true },
];

function ratioOver(rounds: Rounds, ours: string, baseline: string): number | undefined {
  const a = rounds[ours] ?? [];
  const b = rounds[baseline] ?? [];
  const perRound = a.slice(0, b.length).map((value, index) => value / (b[index] ?? Number.NaN)).filter(Number.isFinite);
  return perRound.length > 0 ? median(perRound) : undefined;
}

const describe = (values: number[] | undefined, unit: string) => (values?.length ? `${round(median(values))} ${unit}` : '—');

/** Each rule that has data: medians over rounds, the per-round ratio's median, and the verdict. */
export function compare(rounds: Rounds): Comparison[] {
  // A comparison needs both sides: a skipped baseline (no Redis, --only) drops the row.
  const measured = (key: string | undefined) => key === undefined || (rounds[key]?.length ?? 0) > 0;
  return RULES.filter((rule) => measured(rule.ours) && measured(rule.baseline)).map((rule) => {
    const ours = median(rounds[rule.ours] ?? []);
    const ratio = rule.baseline ? ratioOver(rounds, rule.ours, rule.baseline) : undefined;
    const checks: boolean[] = [];
    const targets: string[] = [];
    if (rule.minRatio !== undefined && ratio !== undefined) {
      checks.push(ratio >= rule.minRatio);
      targets.push(`≥ ${rule.minRatio}×`);
    }
    if (rule.absolute?.min !== undefined) {
      checks.push(ours >= rule.absolute.min);
      targets.push(`≥ ${rule.absolute.min} ${rule.unit}`);
    }
    if (rule.absolute?.max !== undefined) {
      checks.push(ours < rule.absolute.max);
      targets.push(`< ${rule.absolute.max} ${rule.unit}`);
    }
    return {
      what: rule.what,
      ours: describe(rounds[rule.ours], rule.unit),
      baseline: rule.baseline ? describe(rounds[rule.baseline], rule.unit) : '—',
      ratio,
      target: targets.join(', ') || '(for information)',
      met: checks.length > 0 ? checks.every(Boolean) : undefined,
    };
  });
}

export function machine(): Record<string, string | number> {
  return {
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    os: type(),
    node: process.version,
  };
}

export function markdown(comparisons: Comparison[], rounds: Rounds, info: Record<string, unknown>): string {
  const verdict = (met: boolean | undefined) => (met === undefined ? '' : met ? 'met' : '**not met**');
  const lines = [
    '| Measurement | sqs-jobs | Baseline | Ratio | Target | Result |',
    '| --- | ---: | ---: | ---: | --- | --- |',
    ...comparisons.map((c) => `| ${c.what} | ${c.ours} | ${c.baseline} | ${c.ratio === undefined ? '—' : `${round(c.ratio)}×`} | ${c.target} | ${verdict(c.met)} |`),
    '',
    `Medians of ${String(info.rounds)} rounds; ratios are the median of each round's ratio (both sides measured in the same round).`,
    `Machine: ${Object.entries(machine()).map(([key, value]) => `${key} ${value}`).join(', ')}. SQS: ${String(info.sqs)}.`,
    '',
    '<details><summary>Every round</summary>',
    '',
    '| Measurement | Rounds |',
    '| --- | --- |',
    ...Object.entries(rounds).map(([key, values]) => `| ${key} | ${values.map(round).join(', ')} |`),
    '',
    '</details>',
  ];
  return `${lines.join('\n')}\n`;
}
