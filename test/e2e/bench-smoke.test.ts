import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT, spawnProcess } from '../helpers/child-process';

interface BenchJson {
  rounds: Record<string, number[]>;
  comparisons: { what: string; met?: boolean }[];
}

/**
 * The harness itself, compiled as `npm run bench` compiles it, in a quick run against the test
 * run's endpoints: steady state, latency and memory (drains need Redis for BullMQ, HTTP needs
 * both cores to itself). The numbers mean nothing here; that every part runs and reports does.
 */
describe('npm run bench (smoke)', () => {
  let out: string;
  beforeAll(() => {
    execFileSync(process.execPath, [join(PROJECT_ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.bench.json'], { cwd: PROJECT_ROOT });
    out = mkdtempSync(join(tmpdir(), 'bench-smoke-'));
  }, 120_000);
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('runs steady, latency and memory end to end and writes the table and JSON', async () => {
    const bench = spawnProcess(process.execPath, [join(PROJECT_ROOT, 'dist', 'bench', 'main.js'), '--quick', '--only', 'steady,latency,memory', '--out', out]);
    const { code } = await bench.closed;
    expect({ code, stderr: bench.stderr.slice(-2_000) }).toMatchObject({ code: 0 });
    const result = JSON.parse(readFileSync(join(out, 'latest.json'), 'utf8')) as BenchJson;
    expect(result.rounds['steady/consumed']?.[0]).toBeGreaterThan(0);
    expect(result.rounds['latency/sqs-jobs/p99Ms']?.[0]).toEqual(expect.any(Number));
    expect(result.rounds['memory/loadedMiB']?.[0]).toBeGreaterThan(result.rounds['memory/idleMiB']?.[0] ?? Infinity);
    expect(result.comparisons.map((row) => row.what)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^Enqueue → handler start p99/), expect.stringMatching(/^Worker RSS/)]),
    );
    expect(readFileSync(join(out, 'latest.md'), 'utf8')).toContain('| Measurement | sqs-jobs | Baseline | Ratio | Target | Result |');
  }, 180_000);
});
