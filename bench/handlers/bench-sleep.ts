import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { defineJob } from '../../src/jobs/define-job';

/** The memory benchmark's job: holds its slot for `ms`, so a worker keeps many jobs in flight at once. */
export const job = defineJob({
  name: 'bench-sleep',
  description: 'Benchmark job: waits, then succeeds',
  payload: z.object({ ms: z.number().int().min(0).max(600_000) }),
  timeoutSeconds: 660,
  concurrency: 1000,
  handler: async (payload, ctx) => {
    await sleep(payload.ms, undefined, { signal: ctx.signal });
  },
});
