import type { RunRecord, RunningProcess } from '../helpers/child-process';
import { waitFor } from '../helpers/wait-for';
import { useFaultStack } from './helpers/fault-stack';
import { printSummary, tally } from './helpers/ledger';
import { acceptedJobIds, startLoad } from './helpers/load';

const TOTAL_JOBS = Number(process.env.FAULTS_CRASH_JOBS ?? 5_000);
/** Every 50th job runs 2 s instead of 20 ms, so a worker can be caught with a run surely in progress. */
const isLong = (index: number) => index % 50 === 0;
const isLongRun = (run: RunRecord) => isLong(Number(run.id.replace('flow-', '')));

/** Runs of `pid` that started and never ended: what a crash at this moment interrupts. */
function unfinishedRuns(runs: readonly RunRecord[], pid: number): RunRecord[] {
  const ended = new Set(runs.filter((run) => run.event === 'end' && run.pid === pid).map((run) => `${run.jobId}#${run.attempt}`));
  return runs.filter((run) => run.event === 'start' && run.pid === pid && !ended.has(`${run.jobId}#${run.attempt}`));
}

/**
 * Scenario 1: workers die with kill -9 in the middle of their batches while jobs keep arriving
 * through the API. SQS brings back whatever they held once its visibility timeout passes, so every
 * accepted job must complete; runs repeated because a crash came between a handler's end and its
 * batch delete are counted as duplicates, not failures.
 */
describe('fault: kill -9 workers while jobs flow', () => {
  const stack = useFaultStack();

  it(`every one of ${TOTAL_JOBS} accepted jobs completes`, async () => {
    const api = await stack().startApi();
    const workers = [await stack().startWorker(['flow']), await stack().startWorker(['flow'])];
    const load = startLoad({
      apiUrl: api.url,
      job: 'flow',
      count: TOTAL_JOBS,
      concurrency: 16,
      payload: (index) => ({ id: `flow-${index}`, sleepMs: isLong(index) ? 2_000 : 20 }),
    });
    const endedCount = () => stack().runs().filter((run) => run.event === 'end').length;
    let interrupted = 0;
    const killMidBatch = async (victim: RunningProcess) => {
      const pid = victim.child.pid ?? 0;
      await waitFor('the worker to be mid-batch', () => unfinishedRuns(stack().runs(), pid).some(isLongRun), { timeoutMs: 60_000, intervalMs: 5 });
      victim.child.kill('SIGKILL');
      await victim.exited;
      interrupted += unfinishedRuns(stack().runs(), pid).length;
    };

    await waitFor('a third of the jobs to complete', () => endedCount() >= TOTAL_JOBS / 3, { timeoutMs: 120_000, intervalMs: 100 });
    await killMidBatch(workers[0] as RunningProcess);
    workers.push(await stack().startWorker(['flow']));
    await waitFor('two thirds of the jobs to complete', () => endedCount() >= (2 * TOTAL_JOBS) / 3, { timeoutMs: 120_000, intervalMs: 100 });
    await killMidBatch(workers[1] as RunningProcess);

    const results = await load.done;
    await stack().waitForEmptyQueue('flow', 90_000);
    const result = tally(acceptedJobIds(results), stack().runs(), await stack().drainDeadLetters('flow'));
    printSummary('kill -9 worker mid-batch', result, { 'workers-killed': 2, 'runs-interrupted': interrupted });

    expect(results.filter((entry) => entry.status !== 202)).toEqual([]);
    expect(result.accepted).toBe(TOTAL_JOBS);
    expect(result.lostJobIds).toEqual([]);
    expect(result.completed).toBe(TOTAL_JOBS);
    expect(interrupted).toBeGreaterThanOrEqual(2);
  });
});
