import { z } from 'zod';
import { defineJob } from '../../../src/jobs/define-job';
import { recordedSleep } from '../../helpers/run-log-writer';

/**
 * The load of the fault suite: records each run in RUN_LOG and sleeps `sleepMs`. A short
 * visibility timeout (kept alive by the heartbeat while a run lasts) brings back the messages of a
 * killed worker within seconds, so crash scenarios finish quickly.
 */
export const job = defineJob({
  name: 'flow',
  payload: z.object({ id: z.string(), sleepMs: z.number().int().min(0).max(10_000).default(0) }),
  retry: { maxAttempts: 5, backoff: { baseSeconds: 0, maxSeconds: 0 } },
  timeoutSeconds: 20,
  visibilityTimeoutSeconds: 3,
  concurrency: 20,
  handler: recordedSleep,
});
