import { z } from 'zod';
import { defineJob } from '../../../src/jobs/define-job';
import { recordRunEvent } from '../../helpers/run-log-writer';

const circular: Record<string, unknown> = { reason: 'circular' };
circular.self = circular;

/** What each misbehaving mode throws; `ok` completes. */
const THROWN: Record<string, unknown> = {
  'throw-string': 'plain string',
  'throw-object': { reason: 'object literal', code: 42 },
  'throw-null': null,
  'throw-circular': circular,
};

/** Poison-message scenario: handlers that throw non-Error values or never settle at all. */
export const job = defineJob({
  name: 'fragile',
  payload: z.object({
    id: z.string(),
    mode: z.enum(['ok', 'throw-string', 'throw-object', 'throw-null', 'throw-circular', 'hang']),
    filler: z.string().max(1_000).optional(),
  }),
  retry: { maxAttempts: 2, backoff: { baseSeconds: 0, maxSeconds: 0 } },
  timeoutSeconds: 1,
  concurrency: 10,
  async handler(payload, ctx) {
    recordRunEvent('start', payload.id, ctx);
    // Ignores its AbortSignal on purpose: the runtime must settle it at the timeout anyway.
    if (payload.mode === 'hang') await new Promise<never>(() => undefined);
    if (payload.mode in THROWN) throw THROWN[payload.mode];
    recordRunEvent('end', payload.id, ctx);
  },
});
