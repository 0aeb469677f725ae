import type { RunRecord } from '../helpers/child-process';
import { waitFor } from '../helpers/wait-for';
import { useFaultStack } from './helpers/fault-stack';
import { printSummary, tally } from './helpers/ledger';
import { acceptedJobIds, startLoad } from './helpers/load';

const JOBS = 40;

/**
 * Scenario 2: SIGTERM to a worker with a full batch. Its running jobs finish, the messages it held
 * but had not started are released (visibility 0) at once, and the other worker runs them. The
 * `linger` job's visibility timeout (300 s) is far beyond this test's timeout, so a message the
 * stopping worker failed to release could not come back in time and would show up as lost.
 */
describe('fault: SIGTERM a worker mid-batch', () => {
  const stack = useFaultStack();

  it('finishes in-flight jobs, hands the rest to another worker, runs nothing twice', async () => {
    const api = await stack().startApi();
    const stopping = await stack().startWorker(['linger']);
    const stoppingPid = stopping.child.pid ?? 0;
    const startsBy = (pid: number) => stack().runs().filter((run) => run.event === 'start' && run.pid === pid).length;
    // Three long jobs and a short one fill the worker's four slots; the rest run 800 ms each in the
    // one slot left. Each receive for that slot brings up to four messages, so by its sixth start
    // the worker holds at least two it has not started, until the long jobs end.
    const opening = startLoad({
      apiUrl: api.url,
      job: 'linger',
      count: 4,
      concurrency: 4,
      payload: (index) => ({ id: `opening-${index}`, sleepMs: index === 0 ? 200 : 4_000 }),
    });
    await waitFor('the worker to fill its slots', () => startsBy(stoppingPid) === 4);
    const rest = startLoad({
      apiUrl: api.url,
      job: 'linger',
      count: JOBS - 4,
      concurrency: 8,
      payload: (index) => ({ id: `linger-${index}`, sleepMs: 800 }),
    });
    const results = [...(await opening.done), ...(await rest.done)];
    const key = (run: RunRecord) => `${run.jobId}#${run.attempt}`;
    const unfinished = (runs: readonly RunRecord[]) => {
      const ended = new Set(runs.filter((run) => run.event === 'end').map(key));
      return runs.filter((run) => run.event === 'start' && !ended.has(key(run)));
    };
    await waitFor('the worker to hold unstarted messages', () => startsBy(stoppingPid) >= 6);

    stopping.child.kill('SIGTERM');
    const survivor = await stack().startWorker(['linger']);
    expect((await stopping.closed).code).toBe(0);
    expect(unfinished(stack().runs()).filter((run) => run.pid === stoppingPid)).toEqual([]);
    const stoppedLine = stopping.lines.find((line) => line.msg === 'worker stopped') as { stats: Record<string, { released: number }> };
    const released = stoppedLine.stats.linger?.released ?? 0;

    await waitFor('every job to end', () => stack().runs().filter((run) => run.event === 'end').length >= JOBS, { timeoutMs: 60_000 });
    await stack().waitForEmptyQueue('linger', 10_000);
    const runs = stack().runs();
    const result = tally(acceptedJobIds(results), runs, await stack().drainDeadLetters('linger'));
    const endedBy = (pid: number | undefined) => runs.filter((run) => run.event === 'end' && run.pid === pid).length;
    printSummary('SIGTERM worker mid-batch', result, {
      'finished-by-stopping-worker': endedBy(stoppingPid),
      'released-unstarted': released,
      'finished-by-survivor': endedBy(survivor.child.pid),
    });

    expect(result.accepted).toBe(JOBS);
    expect(result.completed).toBe(JOBS);
    expect(result.lost).toBe(0);
    expect(result.duplicated).toBe(0);
    expect(runs.filter((run) => run.event === 'start')).toHaveLength(JOBS);
    expect(released).toBeGreaterThan(0);
    expect(endedBy(survivor.child.pid)).toBeGreaterThanOrEqual(released);
  });
});
