import { Writable } from 'node:stream';
import pino from 'pino';
import type { Logger } from '../../src/observability/logger';

/** A real pino logger whose JSON lines land in `lines`, for asserting what was logged. */
export function captureLogger(level = 'debug'): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
      }
      callback();
    },
  });
  return { logger: pino({ level }, destination), lines };
}
