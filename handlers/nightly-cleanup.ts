import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { defineJob } from '../src/jobs/define-job';
import { jobStoreFromEnv } from '../src/jobs/examples/job-store-from-env';
import { reportsDirectory } from '../src/jobs/examples/reports-dir';

const JOB_NAME = 'nightly-cleanup';
const DAY_MS = 86_400_000;

/** Report files (and stale partial files) older than the retention; a missing directory is empty. */
async function deleteOldReports(directory: string, olderThan: Date, signal: AbortSignal): Promise<number> {
  let names: string[];
  try {
    names = await readdir(directory);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw error;
  }
  let deleted = 0;
  for (const name of names) {
    signal.throwIfAborted();
    const path = join(directory, name);
    const info = await stat(path).catch(() => undefined);
    if (info?.isFile() && info.mtime < olderThan) {
      await rm(path, { force: true });
      deleted += 1;
    }
  }
  return deleted;
}

/**
 * The example scheduled job (Celery beat's favourite): every night at 03:00 UTC it deletes job
 * statuses, idempotency keys, worker beats and schedule cursors past their TTL — DynamoDB would
 * in a day or two, DynamoDB Local and dynalite never do — and reports past their retention.
 * Safe to run twice: both sweeps only delete what is already expired.
 */
export const job = defineJob({
  name: JOB_NAME,
  description: 'Deletes expired job-status data and reports older than their retention',
  payload: z.object({
    maxItems: z.number().int().min(1).max(1_000_000).default(100_000),
    reportRetentionDays: z.number().int().min(1).max(3_650).default(30),
  }),
  schedule: { cron: '0 3 * * *', timezone: 'UTC' },
  retry: { maxAttempts: 3, backoff: { baseSeconds: 60, factor: 2, maxSeconds: 600 } },
  timeoutSeconds: 300,
  concurrency: 1,
  async handler(payload, ctx) {
    const expiredItems = await jobStoreFromEnv().deleteExpired(payload.maxItems);
    const olderThan = new Date(Date.now() - payload.reportRetentionDays * DAY_MS);
    const oldReports = await deleteOldReports(reportsDirectory(JOB_NAME), olderThan, ctx.signal);
    ctx.logger.info({ expiredItems, oldReports }, 'cleanup done');
    return { expiredItems, oldReports };
  },
});
