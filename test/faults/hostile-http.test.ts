import { readQueueDepths } from '../../src/sqs/queue-depths';
import { type ApiProcess, useFaultStack } from './helpers/fault-stack';
import { HOSTILE_CASES } from './helpers/hostile-requests';
import { printSummary, tally } from './helpers/ledger';
import { acceptedJobIds, startLoad } from './helpers/load';
import { type RawAnswer, rawHttp } from './helpers/raw-http';

/** The API's error code from a JSON error body; Node's own parser errors have none. */
function errorCodeOf(answer: RawAnswer): string | undefined {
  try {
    return (JSON.parse(answer.body) as { error?: { code?: string } }).error?.code;
  } catch {
    return undefined;
  }
}

/**
 * Scenario 6: a table of hostile and broken requests against `sqs-jobs api` as its own process.
 * Each gets its own 4xx (with the API's error code where the API answers, not Node's parser),
 * none gets a 5xx, none enqueues anything, and the server keeps serving, also with all of them at once.
 */
describe('fault: hostile HTTP input', () => {
  /** The status of every bad request sent, for the summary line. */
  const sent: number[] = [];
  const stack = useFaultStack();
  let api: ApiProcess;
  beforeAll(async () => {
    api = await stack().startApi();
  });

  it(`answers each of ${HOSTILE_CASES.length} bad requests with its own 4xx`, async () => {
    expect(HOSTILE_CASES.length).toBeGreaterThanOrEqual(30);
    const answered: { name: string; status: number; code?: string }[] = [];
    for (const hostile of HOSTILE_CASES) {
      // No answer at all shows up as status 0 in the table diff instead of aborting the loop.
      const answer = await rawHttp(api.url, hostile.request).catch((): RawAnswer => ({ status: 0, head: '', body: '' }));
      sent.push(answer.status);
      answered.push({ name: hostile.name, status: answer.status, ...(hostile.code ? { code: errorCodeOf(answer) } : {}) });
    }
    expect(answered).toEqual(HOSTILE_CASES.map((hostile) => ({ name: hostile.name, status: hostile.status, ...(hostile.code ? { code: hostile.code } : {}) })));
  });

  it('stays up and enqueues nothing when they all arrive at once, then serves good requests', async () => {
    const storm = await Promise.all([...HOSTILE_CASES, ...HOSTILE_CASES].map((hostile) => rawHttp(api.url, hostile.request)));
    sent.push(...storm.map((answer) => answer.status));
    expect(storm.filter((answer) => answer.status >= 500)).toEqual([]);
    expect(api.process.child.exitCode).toBeNull();
    const queueUrl = (await stack().directory()).get('flow').queue.url;
    expect(await readQueueDepths(stack().sqs, queueUrl, 5_000)).toEqual({ visible: 0, in_flight: 0, delayed: 0 });

    const worker = await stack().startWorker(['flow']);
    const load = startLoad({ apiUrl: api.url, job: 'flow', count: 50, concurrency: 5, payload: (index) => ({ id: `after-${index}` }) });
    const results = await load.done;
    await stack().waitForEmptyQueue('flow', 30_000);
    const result = tally(acceptedJobIds(results), stack().runs(), await stack().drainDeadLetters('flow'));
    printSummary('hostile HTTP input', result, {
      'bad-requests': sent.length,
      '4xx': sent.filter((status) => status >= 400 && status < 500).length,
      '5xx': sent.filter((status) => status >= 500).length,
    });
    expect(result.accepted).toBe(50);
    expect(result.completed).toBe(50);
    expect(worker.child.exitCode).toBeNull();
  });
});
