import { z } from 'zod';
import { defineJob } from '../src/jobs/define-job';

/** The smallest real job: writes its text to the job's log. Handy for smoke tests and benchmarks. */
export const job = defineJob({
  name: 'log-message',
  description: 'Writes a message to the log at the chosen level',
  payload: z.object({
    text: z.string().min(1).max(10_000),
    level: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  }),
  retry: { maxAttempts: 3, backoff: { baseSeconds: 1, factor: 2, maxSeconds: 30 } },
  timeoutSeconds: 5,
  concurrency: 20,
  handler(payload, ctx) {
    ctx.logger[payload.level]({ text: payload.text }, 'log-message');
    return Promise.resolve({ logged: true });
  },
});
