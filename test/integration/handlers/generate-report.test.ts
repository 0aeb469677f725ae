import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { job } from '../../../handlers/generate-report';
import { testJobContext, type TestJobContext } from '../../helpers/job-context';

const ENV_KEYS = ['REPORTS_DIR'] as const;
const savedEnv = Object.fromEntries(ENV_KEYS.map((key) => [key, process.env[key]]));
let reportsDir: string;

beforeEach(() => {
  reportsDir = mkdtempSync(join(tmpdir(), 'generate-report-test-'));
  process.env.REPORTS_DIR = reportsDir;
});

afterEach(() => {
  rmSync(reportsDir, { recursive: true, force: true });
  for (const key of ENV_KEYS) {
    const value = savedEnv[key];
    if (value === undefined) Reflect.deleteProperty(process.env, key);
    else process.env[key] = value;
  }
});

function lines(path: string): string[] {
  const content = readFileSync(path, 'utf8');
  expect(content.endsWith('\n')).toBe(true);
  return content.slice(0, -1).split('\n');
}

describe('generate-report', () => {
  it('writes a CSV report chunk by chunk, heartbeating after each chunk', async () => {
    const ctx = testJobContext();

    const result = await job.handler(job.payload.parse({ reportId: 'daily-1', rows: 25, chunkSize: 10 }), ctx);

    const path = join(reportsDir, 'daily-1.csv');
    expect(result).toEqual({ path, rows: 25, bytes: statSync(path).size });
    const content = lines(path);
    expect(content).toHaveLength(26);
    expect(content[0]).toBe('id,date,amount');
    expect(content[1]).toBe('1,2024-01-01,12.34');
    expect(content[25]).toBe('25,2024-01-25,1912.90');
    expect(readdirSync(reportsDir)).toEqual(['daily-1.csv']);
    expect(ctx.heartbeats).toBe(3); // ceil(25 / 10)
    const progress = ctx.logs.filter((line) => line.msg === 'report progress');
    expect(progress.map((line) => line.rowsWritten)).toEqual([10, 20, 25]);
    expect(progress.every((line) => line.level === 20)).toBe(true); // debug
  });

  it('writes NDJSON with the same deterministic rows', async () => {
    const ctx = testJobContext();

    const result = await job.handler(job.payload.parse({ reportId: 'big', rows: 1000, chunkSize: 100, format: 'ndjson' }), ctx);

    const content = lines(result.path);
    expect(result.path).toBe(join(reportsDir, 'big.ndjson'));
    expect(content).toHaveLength(1000);
    expect(JSON.parse(content[0] ?? '')).toEqual({ id: 1, date: '2024-01-01', amount: '12.34' });
    // Row 999: day 999 % 366 = 267 of 2024 (Sep 24); cents (999 * 7919 + 1234) % 1e6 = 912315.
    expect(JSON.parse(content[999] ?? '')).toEqual({ id: 1000, date: '2024-09-24', amount: '9123.15' });
    expect(ctx.heartbeats).toBe(10);
    expect(readdirSync(reportsDir)).toEqual(['big.ndjson']);
  });

  it('overwrites a previous report and a partial file left by a crashed attempt', async () => {
    writeFileSync(join(reportsDir, 'again.csv'), 'stale report\n');
    writeFileSync(join(reportsDir, 'again.csv.partial'), 'half-written garbage from a crashed worker');

    await job.handler(job.payload.parse({ reportId: 'again', rows: 10, chunkSize: 10 }), testJobContext());

    const content = lines(join(reportsDir, 'again.csv'));
    expect(content).toHaveLength(11);
    expect(content[10]).toBe('10,2024-01-10,725.05');
    expect(readdirSync(reportsDir)).toEqual(['again.csv']);
  });

  it('stops at the next chunk when aborted, leaving neither a partial nor a final file', async () => {
    let heartbeats = 0;
    const ctx: TestJobContext = testJobContext({
      heartbeat: () => {
        heartbeats += 1;
        ctx.abort(new Error('timeout'));
        return Promise.resolve();
      },
    });

    const run = job.handler(job.payload.parse({ reportId: 'aborted', rows: 100, chunkSize: 10 }), ctx);

    await expect(run).rejects.toThrow('timeout');
    expect(heartbeats).toBe(1);
    expect(readdirSync(reportsDir)).toEqual([]);
  });

  it('writes to os.tmpdir()/sqs-jobs-reports when REPORTS_DIR is not set', async () => {
    Reflect.deleteProperty(process.env, 'REPORTS_DIR');
    const reportId = `default-dir-${process.pid}-${Date.now()}`;
    const expected = join(tmpdir(), 'sqs-jobs-reports', `${reportId}.csv`);
    try {
      const result = await job.handler(job.payload.parse({ reportId, rows: 10 }), testJobContext());
      expect(result.path).toBe(expected);
      expect(existsSync(expected)).toBe(true);
    } finally {
      rmSync(expected, { force: true });
    }
  });

  it('accepts only safe report ids and sane sizes', () => {
    const parse = (input: Record<string, unknown>) => job.payload.safeParse({ reportId: 'r', rows: 10, ...input });
    expect(parse({}).data).toEqual({ reportId: 'r', rows: 10, chunkSize: 1000, format: 'csv' });
    for (const reportId of ['../etc', '..', 'a/b', 'a.csv', '', 'x'.repeat(65), 'rapport é']) {
      expect(parse({ reportId }).success).toBe(false);
    }
    expect(parse({ reportId: `A-z_0${'x'.repeat(59)}` }).success).toBe(true);
    expect(parse({ rows: 0 }).success).toBe(false);
    expect(parse({ rows: 1_000_001 }).success).toBe(false);
    expect(parse({ rows: 1.5 }).success).toBe(false);
    expect(parse({ chunkSize: 9 }).success).toBe(false);
    expect(parse({ chunkSize: 100_001 }).success).toBe(false);
    expect(parse({ format: 'xlsx' }).success).toBe(false);
  });

  it('is declared as a long-running job kept alive by heartbeats', () => {
    expect(job.timeoutSeconds).toBe(600);
    expect(job.visibilityTimeoutSeconds).toBe(60);
    expect(job.retry.maxAttempts).toBe(3);
  });
});
