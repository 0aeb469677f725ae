import { waitFor } from '../helpers/wait-for';
import { useFaultStack } from './helpers/fault-stack';
import { printSummary, tally } from './helpers/ledger';
import { acceptedJobIds, startLoad, type Submission } from './helpers/load';

/**
 * Scenario 3: the SQS endpoint goes away under load and comes back. While it is down the API must
 * answer 503 (never 202: nothing could have been stored); workers must keep retrying and resume
 * on their own. The emulator keeps queues in memory, so its restart loses the queues and whatever
 * they held: the test provisions again (as a deployment's start-up would) and counts only jobs
 * accepted after the emulator came back. Real SQS keeps its messages through an outage; this
 * scenario is about the processes around it.
 */
describe('fault: SQS endpoint restart under load', () => {
  const stack = useFaultStack();

  it('503 while down, never a 202 it could not keep; everything accepted after recovery completes', async () => {
    const api = await stack().startApi();
    const workers = [await stack().startWorker(['flow']), await stack().startWorker(['flow'])];
    const stopLoad = new AbortController();
    const load = startLoad({
      apiUrl: api.url,
      job: 'flow',
      count: 1_000_000,
      concurrency: 8,
      ratePerSecond: 100,
      payload: (index) => ({ id: `restart-${index}`, sleepMs: 5 }),
      signal: stopLoad.signal,
    });
    const answeredAfter = (since: number) => load.results.filter((result) => result.sentAt > since);
    await waitFor('jobs to flow', () => stack().runs().filter((run) => run.event === 'end').length >= 100, { timeoutMs: 30_000 });

    await stack().stopEmulator();
    const downSince = Date.now();
    await waitFor('the API to refuse 20 jobs while SQS is down', () => answeredAfter(downSince).length >= 20, { timeoutMs: 30_000 });
    const upSince = Date.now();
    const whileDown = load.results.filter((result) => result.sentAt > downSince && result.sentAt < upSince);
    await stack().restartEmulator();
    await stack().provision();
    await waitFor('200 jobs accepted after recovery', () => acceptedJobIds(answeredAfter(upSince)).length >= 200, { timeoutMs: 60_000 });
    stopLoad.abort();
    const results = await load.done;

    const recovered = results.filter((result) => result.sentAt > upSince);
    await waitFor('every job accepted after recovery to run', () => {
      const ended = new Set(stack().runs().filter((run) => run.event === 'end').map((run) => run.jobId));
      return acceptedJobIds(recovered).every((jobId) => ended.has(jobId));
    }, { timeoutMs: 60_000, intervalMs: 250 });
    await stack().waitForEmptyQueue('flow', 30_000);
    const result = tally(acceptedJobIds(recovered), stack().runs(), await stack().drainDeadLetters('flow'));
    const statuses = (entries: readonly Submission[]) => [...new Set(entries.map((entry) => entry.status))].sort();
    printSummary('SQS endpoint restart', result, {
      'refused-while-down': whileDown.filter((entry) => entry.status === 503).length,
      'accepted-before-outage (not counted)': acceptedJobIds(results.filter((entry) => entry.sentAt < downSince)).length,
    });

    expect(statuses(whileDown)).toEqual([503]);
    expect(whileDown.every((entry) => entry.errorCode === 'sqs-unavailable')).toBe(true);
    expect(statuses(recovered).filter((status) => status !== 202 && status !== 503)).toEqual([]);
    expect(result.lostJobIds).toEqual([]);
    expect(result.completed).toBe(result.accepted);
    for (const worker of workers) expect(worker.child.exitCode).toBeNull();
  });
});
