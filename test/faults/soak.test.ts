import { setTimeout as sleep } from 'node:timers/promises';
import type { RunningProcess } from '../helpers/child-process';
import { waitFor } from '../helpers/wait-for';
import { useFaultStack } from './helpers/fault-stack';
import { printSummary, tally } from './helpers/ledger';
import { acceptedJobIds, startLoad } from './helpers/load';
import { median, residentMiB } from './helpers/rss';

/** CI runs a short soak; set FAULTS_SOAK_SECONDS=600 (or more) for a real one. */
const SOAK_SECONDS = Number(process.env.FAULTS_SOAK_SECONDS ?? 30);
const RATE_PER_SECOND = Number(process.env.FAULTS_SOAK_RATE ?? 100);
/** RSS may grow this much from the end of warm-up to the end of the soak (heap sizing, JIT). */
const RSS_GROWTH_BOUND_MIB = Number(process.env.FAULTS_SOAK_RSS_GROWTH_MIB ?? 48);

/**
 * Scenario 5: a steady load through the API for SOAK_SECONDS. Every accepted job completes, and
 * the memory of the API and of each worker stays flat: the median RSS of the last quarter of the
 * run may exceed that of the second quarter (after warm-up) by at most RSS_GROWTH_BOUND_MIB.
 */
describe('fault: soak', () => {
  const stack = useFaultStack();

  it(`${SOAK_SECONDS} s at ${RATE_PER_SECOND} jobs/s: nothing lost, memory flat`, async () => {
    const api = await stack().startApi();
    const processes: Record<string, RunningProcess> = {
      api: api.process,
      'worker-1': await stack().startWorker(['flow']),
      'worker-2': await stack().startWorker(['flow']),
    };
    const samples = new Map<string, number[]>(Object.keys(processes).map((name) => [name, []]));
    const stopLoad = new AbortController();
    const load = startLoad({
      apiUrl: api.url,
      job: 'flow',
      count: Math.ceil(SOAK_SECONDS * RATE_PER_SECOND),
      concurrency: 8,
      ratePerSecond: RATE_PER_SECOND,
      payload: (index) => ({ id: `soak-${index}`, sleepMs: 5 }),
      signal: stopLoad.signal,
    });
    const sampling = (async () => {
      while (!stopLoad.signal.aborted) {
        for (const [name, child] of Object.entries(processes)) samples.get(name)?.push(residentMiB(child.child.pid ?? 0));
        await sleep(500);
      }
    })();
    const results = await load.done;
    stopLoad.abort();
    await sampling;

    const accepted = acceptedJobIds(results);
    await waitFor('every accepted job to run', () => {
      const ended = new Set(stack().runs().filter((run) => run.event === 'end').map((run) => run.jobId));
      return accepted.every((jobId) => ended.has(jobId));
    }, { timeoutMs: 60_000, intervalMs: 250 });
    await stack().waitForEmptyQueue('flow', 30_000);
    const result = tally(accepted, stack().runs(), await stack().drainDeadLetters('flow'));
    const growth = Object.fromEntries(
      [...samples].map(([name, values]) => {
        const quarter = Math.floor(values.length / 4);
        const warm = median(values.slice(quarter, 2 * quarter));
        const end = median(values.slice(3 * quarter));
        return [name, { warm: Math.round(warm), end: Math.round(end), growth: Math.round(end - warm) }];
      }),
    );
    printSummary(`soak ${SOAK_SECONDS}s`, result, {
      rss: Object.entries(growth)
        .map(([name, rss]) => `${name}:${rss.warm}->${rss.end}MiB`)
        .join(','),
    });

    expect(results.filter((entry) => entry.status !== 202)).toEqual([]);
    expect(result.lostJobIds).toEqual([]);
    expect(result.completed).toBe(result.accepted);
    expect(Object.entries(growth).filter(([, rss]) => rss.growth > RSS_GROWTH_BOUND_MIB)).toEqual([]);
  }, (SOAK_SECONDS + 150) * 1000);
});
