import { setTimeout as sleep } from 'node:timers/promises';
import type { Message } from '@aws-sdk/client-sqs';
import { z } from 'zod';
import { type AnyJob, defineJob } from '../../src/jobs/define-job';
import { jobIdOf } from '../../src/jobs/message-attributes';
import { Scheduler } from '../../src/scheduler/scheduler';
import { captureLogger } from '../helpers/capture-logger';
import { provisionTestStore, type TestStore } from '../helpers/dynamo';
import { drainQueue, provisionTestQueues, type TestQueues } from '../helpers/sqs';
import { waitFor } from '../helpers/wait-for';

const everySecond = (name: string, catchUp: boolean | number = false) =>
  defineJob({
    name,
    payload: z.object({ source: z.string() }),
    schedule: { cron: '* * * * * *', payload: { source: 'cron' }, catchUp },
    timeoutSeconds: 5,
    handler: () => Promise.resolve(),
  });

const tickOf = (message: Message) => Date.parse(jobIdOf(message).split('@')[1] ?? '');

/** Real SQS and DynamoDB; a test-only schedule with seconds, so several ticks pass in a few seconds. */
describe('Scheduler', () => {
  let queues: TestQueues;
  let store: TestStore;
  const received: Message[] = [];
  const ticks = () => received.map(tickOf).sort((left, right) => left - right);
  const job = everySecond('every-second');
  const catchingUp = everySecond('catching-up', 2);

  beforeEach(async () => {
    received.length = 0;
    queues = await provisionTestQueues([job, catchingUp]);
    store = await provisionTestStore();
  });
  afterEach(async () => {
    await queues.cleanup();
    await store.cleanup();
  });

  const scheduler = (target: AnyJob) => new Scheduler({ sqs: queues.sqs, directory: queues.directory, store: store.store, jobs: [target], logger: captureLogger().logger });
  const collect = async (target: AnyJob) => {
    received.push(...(await drainQueue(queues.sqs, queues.directory.get(target.name).queue.url)));
    return received.length;
  };

  it('enqueues once per tick with the tick in the jobId, the schedule payload as body', async () => {
    const running = scheduler(job);
    running.start();
    await waitFor('4 ticks', async () => (await collect(job)) >= 4, { timeoutMs: 10_000, intervalMs: 200 });
    await running.stop();
    await collect(job);
    const all = ticks();
    expect(new Set(all).size).toBe(all.length);
    expect(all.every((tick, index) => index === 0 || tick - (all[index - 1] ?? 0) === 1_000)).toBe(true);
    expect(received.map((message) => message.Body)).toEqual(received.map(() => '{"source":"cron"}'));
    expect(jobIdOf(received[0] ?? {})).toMatch(/^every-second@\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/);
  });

  it('two schedulers at once: still one job per tick', async () => {
    const pair = [scheduler(job), scheduler(job)];
    for (const running of pair) running.start();
    await waitFor('5 ticks', async () => (await collect(job)) >= 5, { timeoutMs: 12_000, intervalMs: 200 });
    await Promise.all(pair.map((running) => running.stop()));
    await collect(job);
    const all = ticks();
    expect(all.length).toBeGreaterThanOrEqual(5);
    expect(new Set(all).size).toBe(all.length);
    expect(all.every((tick, index) => index === 0 || tick - (all[index - 1] ?? 0) === 1_000)).toBe(true);
  });

  it.each([
    ['without catchUp, missed ticks are not replayed', job, 0],
    ['with catchUp: 2, the last 2 missed ticks are replayed', catchingUp, 2],
  ])('stopped for 3+ ticks: %s', async (_label, target, replayed) => {
    const first = scheduler(target);
    first.start();
    await waitFor('2 ticks', async () => (await collect(target)) >= 2, { timeoutMs: 10_000, intervalMs: 200 });
    await first.stop();
    await collect(target);
    const lastBefore = Math.max(...ticks());
    // The outage: at least three ticks pass with no scheduler running.
    await sleep(lastBefore + 3_500 - Date.now());
    const second = scheduler(target);
    second.start();
    const restartedAt = Date.now();
    await waitFor('a tick after the restart', async () => (await collect(target)) > 0 && Math.max(...ticks()) > restartedAt, { timeoutMs: 10_000, intervalMs: 200 });
    await second.stop();
    await collect(target);
    const missed = ticks().filter((tick) => tick > lastBefore && tick <= restartedAt);
    expect(missed).toHaveLength(replayed);
    // Replayed ticks are the newest missed ones, never more than asked for.
    if (replayed > 0) expect(Math.max(...missed)).toBe(Math.floor(restartedAt / 1000) * 1000);
    expect(new Set(ticks()).size).toBe(ticks().length);
  }, 30_000);
});
