import { z } from 'zod';
import { JobError, PermanentJobError, RetryLaterError } from '../src/errors';
import { defineJob } from '../src/jobs/define-job';
import { readJobEnv } from '../src/jobs/examples/env';
import { signWebhook } from '../src/jobs/examples/webhook-signature';

const JOB_NAME = 'deliver-webhook';
/** SQS cannot delay a message by more than 15 minutes in one step; longer asks are capped. */
const MAX_RETRY_AFTER_SECONDS = 900;
/** Enough of an error body to tell "invalid signature" from "no such tenant" in the DLQ. */
const RESPONSE_SNIPPET_BYTES = 300;

const envSchema = z.object({ WEBHOOK_SIGNING_SECRET: z.string() });

/** POSTs a signed event to a subscriber's URL (secret: WEBHOOK_SIGNING_SECRET). */
export const job = defineJob({
  name: JOB_NAME,
  description: 'Delivers an event to a webhook endpoint as a signed JSON POST',
  payload: z.object({
    url: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }),
    event: z.string().min(1).max(100),
    data: z.unknown(),
  }),
  // Subscribers go down for minutes at a time; spread attempts over roughly an hour.
  retry: { maxAttempts: 8, backoff: { baseSeconds: 15, factor: 2, maxSeconds: 900 } },
  timeoutSeconds: 30,
  concurrency: 20,
  async handler(payload, ctx) {
    const { WEBHOOK_SIGNING_SECRET: secret } = readJobEnv(JOB_NAME, envSchema);
    const body = JSON.stringify({ id: ctx.jobId, event: payload.event, data: payload.data, attempt: ctx.attempt });
    const timestamp = Math.floor(Date.now() / 1000);
    // Only the origin goes into errors and logs: paths and queries of webhook URLs often embed tokens.
    const target = new URL(payload.url).origin;

    let response: Response;
    try {
      response = await fetch(payload.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'sqs-jobs-webhooks/1',
          'x-webhook-id': ctx.jobId,
          'x-webhook-timestamp': String(timestamp),
          'x-webhook-signature': signWebhook(secret, timestamp, body),
        },
        body,
        // Following a redirect would re-send the signed payload to a host nobody configured (and
        // a 301/302 turns the POST into a GET): make the subscriber fix the URL instead.
        redirect: 'manual',
        signal: ctx.signal,
      });
    } catch (error) {
      // On timeout or shutdown, report the runtime's reason rather than fetch's AbortError.
      ctx.signal.throwIfAborted();
      throw new JobError(`webhook ${target} unreachable: ${networkReason(error)}`, {
        code: 'webhook-unreachable',
        retryable: true,
        cause: error,
      });
    }
    // Read (a bounded part of) every body: it frees the connection for keep-alive reuse.
    const snippet = await responseSnippet(response);
    ctx.signal.throwIfAborted();

    if (response.status >= 200 && response.status < 300) {
      ctx.logger.info({ event: payload.event, status: response.status, target }, 'webhook delivered');
      return { status: response.status };
    }
    throw failureFor(response, target, snippet);
  },
});

/**
 * 4xx means the subscriber refuses this delivery (bad URL, auth, payload), so retrying is noise;
 * 408 and 429 are the 4xx codes that explicitly invite a retry. 5xx and 3xx are covered below.
 */
function failureFor(response: Response, target: string, snippet: string): JobError {
  const { status } = response;
  const what = `webhook ${target} answered ${status}${snippet ? `: ${snippet}` : ''}`;
  if (status >= 300 && status < 400) {
    return new PermanentJobError(`${what} (redirects are not followed; update the webhook URL)`, { code: 'webhook-redirected' });
  }
  if (status === 429 || status === 503) {
    const delaySeconds = retryAfterSeconds(response.headers.get('retry-after'));
    if (delaySeconds !== undefined) {
      return new RetryLaterError(what, Math.min(delaySeconds, MAX_RETRY_AFTER_SECONDS), { code: 'webhook-retry-after' });
    }
  }
  if (status === 408) return new JobError(what, { code: 'webhook-timeout', retryable: true });
  if (status === 429) return new JobError(what, { code: 'webhook-throttled', retryable: true });
  if (status >= 500) return new JobError(what, { code: 'webhook-server-error', retryable: true });
  return new PermanentJobError(what, { code: 'webhook-rejected' });
}

/** Retry-After is either delta-seconds or an HTTP date; anything else is ignored (normal backoff). */
function retryAfterSeconds(header: string | null): number | undefined {
  if (header === null) return undefined;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - Date.now()) / 1000));
}

async function responseSnippet(response: Response): Promise<string> {
  if (!response.body) return '';
  // Node's typings leave the chunk type as `any`; fetch bodies are always byte streams.
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < RESPONSE_SNIPPET_BYTES) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } catch {
    // A body cut short still leaves the status code, which is what decides the outcome.
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(chunks).subarray(0, RESPONSE_SNIPPET_BYTES).toString('utf8').replace(/\s+/g, ' ').trim();
}

/**
 * fetch only says "fetch failed"; the useful part (ECONNREFUSED, ENOTFOUND, a TLS error) is in the
 * cause. Duck-typed because undici builds its errors in Node's own realm, where `instanceof Error`
 * is false for code running in another one (jest's sandbox, for instance).
 */
function networkReason(error: unknown): string {
  const cause = isRecord(error) && isRecord(error.cause) ? error.cause : error;
  if (!isRecord(cause)) return String(cause);
  for (const key of ['message', 'code', 'name']) {
    const value = cause[key];
    if (typeof value === 'string' && value) return value;
  }
  return 'unknown network error';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
