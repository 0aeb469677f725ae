import { join } from 'node:path';
import type { Message } from '@aws-sdk/client-sqs';
import { jobIdOf } from '../../src/jobs/message-attributes';
import { job as heartbeat } from '../fixtures/scheduled-handlers/heartbeat';
import { PROJECT_ROOT, spawnCli } from '../helpers/child-process';
import { useProcessBackends } from '../helpers/process-backends';
import { drainQueue, sqsEndpoint } from '../helpers/sqs';
import { waitFor } from '../helpers/wait-for';

/** `sqs-jobs scheduler` (npm run scheduler) as two processes against one endpoint and one job table. */
describe('scheduler processes', () => {
  const backends = useProcessBackends([heartbeat]);

  it('two schedulers enqueue each tick once, and stop with exit code 0', async () => {
    const env = { SQS_ENDPOINT: sqsEndpoint(), QUEUE_PREFIX: backends.queues().prefix, HANDLERS_DIR: join(PROJECT_ROOT, 'test', 'fixtures', 'scheduled-handlers'), JOB_TABLE: backends.tableName };
    const first = spawnCli(['scheduler', '--provision'], env);
    await first.waitForLog('the first scheduler', (line) => line.msg === 'scheduler ready', 30_000);
    const second = spawnCli(['scheduler'], env);
    await second.waitForLog('the second scheduler', (line) => line.msg === 'scheduler ready', 30_000);
    const received: Message[] = [];
    const url = backends.queues().directory.get('heartbeat').queue.url;
    const startedBoth = Date.now();
    await waitFor('5 ticks with both running', async () => {
      received.push(...(await drainQueue(backends.queues().sqs, url)));
      return received.filter((message) => Date.parse(jobIdOf(message).split('@')[1] ?? '') > startedBoth).length >= 5;
    }, { timeoutMs: 20_000, intervalMs: 250 });
    for (const scheduler of [first, second]) scheduler.child.kill('SIGTERM');
    expect((await first.exited).code).toBe(0);
    expect((await second.exited).code).toBe(0);
    received.push(...(await drainQueue(backends.queues().sqs, url)));

    const ticks = received.map((message) => Date.parse(jobIdOf(message).split('@')[1] ?? '')).sort((left, right) => left - right);
    expect(new Set(ticks).size).toBe(ticks.length);
    expect(ticks.every((tick, index) => index === 0 || tick - (ticks[index - 1] ?? 0) === 1_000)).toBe(true);
    // Every tick was enqueued by exactly one of the two (whichever claimed it first).
    const enqueuedBy = (lines: Record<string, unknown>[]) => lines.filter((line) => line.msg === 'scheduled job enqueued').length;
    expect(enqueuedBy(first.lines) + enqueuedBy(second.lines)).toBe(ticks.length);
  }, 60_000);
});
