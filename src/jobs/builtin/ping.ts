import { z } from 'zod';
import { defineJob } from '../define-job';

export const PING_JOB_NAME = 'ping';

/**
 * Built into every registry: `GET /api/v1/health/jobs` enqueues it and waits for a worker to
 * finish it, which proves broker, worker and job store work end to end. It does nothing else, so
 * a ping left behind while no worker ran costs one no-op when workers come back.
 */
export const pingJob = defineJob({
  name: PING_JOB_NAME,
  payload: z.object({ requestedAt: z.iso.datetime() }),
  retry: { maxAttempts: 1 },
  timeoutSeconds: 10,
  handler: (payload, ctx) => {
    const ageMs = Date.now() - Date.parse(payload.requestedAt);
    ctx.logger.debug({ ageMs }, 'ping');
    return Promise.resolve({ ageMs });
  },
});

export const BUILTIN_JOBS = [pingJob] as const;
