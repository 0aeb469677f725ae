import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { text } from 'node:stream/consumers';
import { job } from '../../../handlers/deliver-webhook';
import { JobError, PermanentJobError, RetryLaterError } from '../../../src/errors';
import { signWebhook, verifyWebhookSignature } from '../../../src/jobs/examples/webhook-signature';
import { testJobContext } from '../../helpers/job-context';

const SECRET = 'whsec_test';
const ENV_KEYS = ['WEBHOOK_SIGNING_SECRET'] as const;
const savedEnv = Object.fromEntries(ENV_KEYS.map((key) => [key, process.env[key]]));

interface TestHttpServer {
  /** Base URL without a trailing slash. */
  url: string;
  received: { method?: string; path?: string; headers: IncomingHttpHeaders; body: string }[];
  /** Resolves when the first request's body has been read. */
  firstRequest: Promise<void>;
  close(): Promise<void>;
}

const servers: TestHttpServer[] = [];

/** A real HTTP server on a free loopback port; `respond` may leave the response open to simulate a hang. */
async function startServer(respond: (res: ServerResponse, req: IncomingMessage) => void): Promise<TestHttpServer> {
  const received: TestHttpServer['received'] = [];
  let arrived!: () => void;
  const firstRequest = new Promise<void>((resolve) => (arrived = resolve));
  const server = createServer((req, res) => {
    void text(req).then((body) => {
      received.push({ method: req.method, path: req.url, headers: req.headers, body });
      arrived();
      respond(res, req);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const handle: TestHttpServer = {
    url: `http://127.0.0.1:${port}`,
    received,
    firstRequest,
    // Also called on an already closed server; the "not running" error is irrelevant here.
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
  servers.push(handle);
  return handle;
}

function reply(status: number, headers: Record<string, string> = {}, body = ''): (res: ServerResponse) => void {
  return (res) => {
    res.writeHead(status, headers).end(body);
  };
}

/** The rejection reason, for asserting on several of its properties. */
function failure(run: Promise<unknown>): Promise<unknown> {
  return run.then(() => Promise.reject(new Error('expected the handler to reject')), (error: unknown) => error);
}

function deliver(url: string, ctx = testJobContext()): Promise<{ status: number }> {
  return job.handler(job.payload.parse({ url, event: 'order.created', data: { orderId: 7 } }), ctx);
}

beforeEach(() => {
  process.env.WEBHOOK_SIGNING_SECRET = SECRET;
});

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
  for (const key of ENV_KEYS) {
    const value = savedEnv[key];
    if (value === undefined) Reflect.deleteProperty(process.env, key);
    else process.env[key] = value;
  }
});

describe('deliver-webhook', () => {
  it('POSTs the signed JSON event and returns the status', async () => {
    const server = await startServer(reply(204));
    const ctx = testJobContext({ jobId: 'job-42', attempt: 2 });
    const before = Math.floor(Date.now() / 1000);

    const result = await deliver(`${server.url}/hooks/orders?token=abc`, ctx);

    expect(result).toEqual({ status: 204 });
    expect(server.received).toHaveLength(1);
    const request = server.received[0];
    expect(request?.method).toBe('POST');
    expect(request?.path).toBe('/hooks/orders?token=abc');
    expect(request?.headers['content-type']).toBe('application/json');
    expect(request?.headers['x-webhook-id']).toBe('job-42');
    expect(JSON.parse(request?.body ?? '')).toEqual({ id: 'job-42', event: 'order.created', data: { orderId: 7 }, attempt: 2 });
    const timestamp = Number(request?.headers['x-webhook-timestamp']);
    expect(timestamp).toBeGreaterThanOrEqual(before);
    expect(timestamp).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
    const signature = request?.headers['x-webhook-signature'];
    expect(typeof signature === 'string' && verifyWebhookSignature(SECRET, signature, timestamp, request?.body ?? '', 300)).toBe(true);
    // Tokens in the URL must not end up in logs.
    expect(JSON.stringify(ctx.logs)).not.toContain('token=abc');
  });

  it('retries a 5xx with a retryable error naming the status', async () => {
    const server = await startServer(reply(500, {}, 'database down'));
    const error = await failure(deliver(`${server.url}/hook?token=abc`));
    expect(error).toBeInstanceOf(JobError);
    expect(error).not.toBeInstanceOf(PermanentJobError);
    expect(error).toMatchObject({ retryable: true, code: 'webhook-server-error' });
    expect((error as Error).message).toContain('500: database down');
    expect((error as Error).message).not.toContain('token=abc');
  });

  it('retries a 408 and a 429 without Retry-After', async () => {
    for (const status of [408, 429]) {
      const server = await startServer(reply(status));
      const error = await failure(deliver(server.url));
      expect(error).not.toBeInstanceOf(PermanentJobError);
      expect(error).not.toBeInstanceOf(RetryLaterError);
      expect(error).toMatchObject({ retryable: true, message: expect.stringContaining(String(status)) as unknown });
    }
  });

  it('dead-letters other 4xx responses as webhook-rejected', async () => {
    const server = await startServer(reply(404, {}, 'no such subscription'));
    const error = await failure(deliver(server.url));
    expect(error).toBeInstanceOf(PermanentJobError);
    expect(error).toMatchObject({ code: 'webhook-rejected', message: expect.stringContaining('404') as unknown });
  });

  it('honours Retry-After on 429 and 503, capped at 900 seconds', async () => {
    const throttled = await startServer(reply(429, { 'retry-after': '7' }));
    const unavailable = await startServer(reply(503, { 'retry-after': '86400' }));

    const first = await failure(deliver(throttled.url));
    const second = await failure(deliver(unavailable.url));

    expect(first).toBeInstanceOf(RetryLaterError);
    expect(first).toMatchObject({ delaySeconds: 7 });
    expect(second).toBeInstanceOf(RetryLaterError);
    expect(second).toMatchObject({ delaySeconds: 900 });
  });

  it('understands an HTTP-date Retry-After', async () => {
    const server = await startServer(reply(503, { 'retry-after': new Date(Date.now() + 60_000).toUTCString() }));
    const error = await failure(deliver(server.url));
    expect(error).toBeInstanceOf(RetryLaterError);
    // toUTCString drops the milliseconds, so the delay is 59 or 60 seconds.
    expect((error as RetryLaterError).delaySeconds).toBeGreaterThanOrEqual(58);
    expect((error as RetryLaterError).delaySeconds).toBeLessThanOrEqual(60);
  });

  it('does not follow redirects', async () => {
    const server = await startServer((res, req) => {
      if (req.url === '/moved') reply(302, { location: '/elsewhere' })(res);
      else reply(204)(res);
    });
    const error = await failure(deliver(`${server.url}/moved`));
    expect(error).toBeInstanceOf(PermanentJobError);
    expect(error).toMatchObject({ code: 'webhook-redirected', message: expect.stringContaining('302') as unknown });
    expect(server.received.map((request) => request.path)).toEqual(['/moved']);
  });

  // The short test timeout is the assertion: without the signal, fetch would wait for the server forever.
  it('stops waiting for a hung endpoint as soon as ctx.signal aborts', async () => {
    const server = await startServer(() => undefined);
    const ctx = testJobContext();
    const run = deliver(server.url, ctx);
    await server.firstRequest;

    ctx.abort(new Error('job exceeded its timeout'));

    await expect(run).rejects.toThrow('job exceeded its timeout');
  }, 5000);

  it('retries when the endpoint refuses connections', async () => {
    const server = await startServer(reply(204));
    const closedUrl = server.url;
    await server.close();
    const error = await failure(deliver(closedUrl));
    expect(error).toBeInstanceOf(JobError);
    expect(error).toMatchObject({ retryable: true, code: 'webhook-unreachable', message: expect.stringContaining('ECONNREFUSED') as unknown });
  });

  it('validates the payload', () => {
    const valid = { url: 'https://example.com/hook', event: 'order.created', data: { a: 1 } };
    expect(job.payload.safeParse(valid).success).toBe(true);
    expect(job.payload.safeParse({ ...valid, url: 'ftp://example.com/hook' }).success).toBe(false);
    expect(job.payload.safeParse({ ...valid, url: 'file:///etc/passwd' }).success).toBe(false);
    expect(job.payload.safeParse({ ...valid, url: 'not a url' }).success).toBe(false);
    expect(job.payload.safeParse({ ...valid, event: '' }).success).toBe(false);
    expect(job.payload.safeParse({ ...valid, event: 'x'.repeat(101) }).success).toBe(false);
  });

  it('fails as misconfigured without WEBHOOK_SIGNING_SECRET, before sending anything', async () => {
    const server = await startServer(reply(204));
    Reflect.deleteProperty(process.env, 'WEBHOOK_SIGNING_SECRET');
    const error = await failure(deliver(server.url));
    expect(error).toBeInstanceOf(PermanentJobError);
    expect(error).toMatchObject({ code: 'misconfigured', message: expect.stringContaining('WEBHOOK_SIGNING_SECRET') as unknown });
    expect(server.received).toHaveLength(0);
  });
});

describe('webhook signatures', () => {
  const now = 1_700_000_000;
  const body = '{"hello":"world"}';

  it('signs HMAC-SHA256 over "<timestamp>.<body>" as sha256=<hex>', () => {
    // Computed independently: printf '%s' '1700000000.{"hello":"world"}' | openssl dgst -sha256 -hmac whsec_test
    expect(signWebhook(SECRET, now, body)).toBe('sha256=f592bbf3951cfc94e560eecfb5d9dd4da6b0fff2e626235f8ab4b54860925d0b');
    expect(signWebhook(SECRET, String(now), body)).toBe(signWebhook(SECRET, now, body));
  });

  it('accepts a genuine signature within the tolerance, either side of now', () => {
    const signature = signWebhook(SECRET, now, body);
    expect(verifyWebhookSignature(SECRET, signature, now, body, 300, now)).toBe(true);
    expect(verifyWebhookSignature(SECRET, signature, String(now), body, 300, now + 300)).toBe(true);
    expect(verifyWebhookSignature(SECRET, signature.toUpperCase().replace('SHA256=', 'sha256='), now, body, 300, now - 300)).toBe(true);
  });

  it('rejects a tampered body, a wrong secret or a moved timestamp', () => {
    const signature = signWebhook(SECRET, now, body);
    expect(verifyWebhookSignature(SECRET, signature, now, '{"hello":"World"}', 300, now)).toBe(false);
    expect(verifyWebhookSignature('other-secret', signature, now, body, 300, now)).toBe(false);
    expect(verifyWebhookSignature(SECRET, signature, now + 1, body, 300, now)).toBe(false);
  });

  it('rejects timestamps outside the tolerance even with a valid signature', () => {
    const old = now - 301;
    expect(verifyWebhookSignature(SECRET, signWebhook(SECRET, old, body), old, body, 300, now)).toBe(false);
    const future = now + 301;
    expect(verifyWebhookSignature(SECRET, signWebhook(SECRET, future, body), future, body, 300, now)).toBe(false);
    // With the default clock: a request signed an hour ago is refused.
    const hourAgo = Math.floor(Date.now() / 1000) - 3600;
    expect(verifyWebhookSignature(SECRET, signWebhook(SECRET, hourAgo, body), hourAgo, body, 300)).toBe(false);
  });

  it('returns false (never throws) for malformed input', () => {
    const signature = signWebhook(SECRET, now, body);
    expect(verifyWebhookSignature(SECRET, undefined, now, body, 300, now)).toBe(false);
    expect(verifyWebhookSignature(SECRET, signature, undefined, body, 300, now)).toBe(false);
    expect(verifyWebhookSignature(SECRET, signature.slice('sha256='.length), now, body, 300, now)).toBe(false);
    expect(verifyWebhookSignature(SECRET, signature.slice(0, -2), now, body, 300, now)).toBe(false);
    expect(verifyWebhookSignature(SECRET, 'sha256=zz', now, body, 300, now)).toBe(false);
    expect(verifyWebhookSignature(SECRET, signature, '1700000000.5', body, 300, now)).toBe(false);
    expect(verifyWebhookSignature(SECRET, signature, 'abc', body, 300, now)).toBe(false);
  });
});
