import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { readJobEnv } from './env';

const envSchema = z.object({ REPORTS_DIR: z.string().optional() });

/** Where generate-report writes and nightly-cleanup prunes: REPORTS_DIR, or a temp directory. */
export function reportsDirectory(jobName: string): string {
  return resolve(readJobEnv(jobName, envSchema).REPORTS_DIR ?? join(tmpdir(), 'sqs-jobs-reports'));
}
