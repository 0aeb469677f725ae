import { type FileHandle, mkdir, open, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { z } from 'zod';
import { defineJob } from '../src/jobs/define-job';
import { reportsDirectory } from '../src/jobs/examples/reports-dir';

const JOB_NAME = 'generate-report';
const FIRST_DAY_MS = Date.UTC(2024, 0, 1);
const DAY_MS = 86_400_000;

type Format = 'csv' | 'ndjson';

/**
 * Writes a large synthetic report to REPORTS_DIR, chunk by chunk. The message's visibility (60 s)
 * is far shorter than the job's timeout (10 min) on purpose: a crashed worker's report is picked
 * up again within a minute, while a live one keeps it hidden by heartbeating after every chunk.
 */
export const job = defineJob({
  name: JOB_NAME,
  description: 'Generates a deterministic synthetic report (CSV or NDJSON) into REPORTS_DIR',
  payload: z.object({
    // Becomes a file name: no dots or slashes, so it cannot climb out of REPORTS_DIR.
    reportId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 letters, digits, "_" or "-"'),
    rows: z.number().int().min(1).max(1_000_000),
    chunkSize: z.number().int().min(10).max(100_000).default(1000),
    format: z.enum(['csv', 'ndjson']).default('csv'),
  }),
  retry: { maxAttempts: 3, backoff: { baseSeconds: 30, factor: 2, maxSeconds: 300 } },
  timeoutSeconds: 600,
  visibilityTimeoutSeconds: 60,
  // Each run holds a file handle and builds chunks in memory; a few at a time per worker is plenty.
  concurrency: 2,
  async handler(payload, ctx) {
    const directory = reportsDirectory(JOB_NAME);
    await mkdir(directory, { recursive: true });
    const finalPath = join(directory, `${payload.reportId}.${payload.format}`);
    // Readers only ever see a complete report: it appears under its final name in one rename. A
    // retry after a crash truncates the leftover partial file instead of appending to it.
    const partialPath = `${finalPath}.partial`;

    const file = await open(partialPath, 'w');
    let bytes = 0;
    let published = false;
    try {
      if (payload.format === 'csv') bytes += await writeAll(file, 'id,date,amount\n');
      for (let start = 0; start < payload.rows; start += payload.chunkSize) {
        const end = Math.min(payload.rows, start + payload.chunkSize);
        bytes += await writeAll(file, renderRows(start, end, payload.format));
        // Throws the signal's reason (timeout, shutdown); the finally block removes the partial file.
        ctx.signal.throwIfAborted();
        await ctx.heartbeat();
        ctx.logger.debug({ reportId: payload.reportId, rowsWritten: end, rows: payload.rows }, 'report progress');
        // Building a large chunk is synchronous work: let timers, heartbeats and aborts run between chunks.
        await yieldToEventLoop();
      }
      ctx.signal.throwIfAborted();
      // Flush to disk before the rename, or a crash could leave a complete name over an empty file.
      await file.sync();
      await file.close();
      await rename(partialPath, finalPath);
      published = true;
    } finally {
      if (!published) {
        await file.close().catch(() => undefined);
        await rm(partialPath, { force: true }).catch((error: unknown) => {
          ctx.logger.warn({ err: error, partialPath }, 'could not remove partial report');
        });
      }
    }
    ctx.logger.info({ reportId: payload.reportId, path: finalPath, rows: payload.rows, bytes }, 'report generated');
    return { path: finalPath, rows: payload.rows, bytes };
  },
});

/**
 * Row i is a pure function of i, so a retried or re-run report is byte-for-byte identical.
 * Amounts are whole cents, formatted without floating point, so they never print as 0.30000000000000004.
 */
function renderRows(start: number, end: number, format: Format): string {
  const lines: string[] = [];
  for (let index = start; index < end; index += 1) {
    const id = index + 1;
    const date = new Date(FIRST_DAY_MS + (index % 366) * DAY_MS).toISOString().slice(0, 10);
    const cents = (index * 7919 + 1234) % 1_000_000;
    const amount = `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
    lines.push(format === 'csv' ? `${id},${date},${amount}` : JSON.stringify({ id, date, amount }));
  }
  return `${lines.join('\n')}\n`;
}

/** A single write() may write only part of a large buffer; loop until all of it is on disk. */
async function writeAll(file: FileHandle, text: string): Promise<number> {
  const buffer = Buffer.from(text, 'utf8');
  let offset = 0;
  while (offset < buffer.length) offset += (await file.write(buffer, offset)).bytesWritten;
  return buffer.length;
}
