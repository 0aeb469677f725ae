import { z } from 'zod';
import { defineJob } from '../../../src/jobs/define-job';
import { recordedSleep } from '../../helpers/run-log-writer';

/**
 * For the graceful-shutdown scenario: a visibility timeout far longer than the test, so a message
 * another worker picks up quickly can only have been released by the stopping worker, not expired.
 */
export const job = defineJob({
  name: 'linger',
  payload: z.object({ id: z.string(), sleepMs: z.number().int().min(0).max(10_000) }),
  retry: { maxAttempts: 3, backoff: { baseSeconds: 0, maxSeconds: 0 } },
  timeoutSeconds: 30,
  visibilityTimeoutSeconds: 300,
  concurrency: 4,
  handler: recordedSleep,
});
