import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { job } from '../../../handlers/send-welcome-email';
import { PermanentJobError } from '../../../src/errors';
import { closeMailTransports, mailTransport } from '../../../src/jobs/examples/mail-transport';
import { testJobContext } from '../../helpers/job-context';

interface ReceivedMail {
  mailFrom: string | false;
  rcptTo: string[];
  raw: string;
}

interface TestSmtpServer {
  url: string;
  received: ReceivedMail[];
  close(): Promise<void>;
}

const ENV_KEYS = ['SMTP_URL', 'MAIL_FROM'] as const;
const savedEnv = Object.fromEntries(ENV_KEYS.map((key) => [key, process.env[key]]));
const servers: TestSmtpServer[] = [];

/** A real SMTP server on a free loopback port that requires the URL's credentials and keeps every message. */
async function startSmtpServer(options: Partial<SMTPServerOptions> = {}): Promise<TestSmtpServer> {
  const received: ReceivedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    closeTimeout: 1000,
    onAuth(auth, _session, callback) {
      if (auth.username === 'user' && auth.password === 'pass') callback(null, { user: auth.username });
      else callback(new Error('invalid credentials'));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        received.push({
          mailFrom: session.envelope.mailFrom && session.envelope.mailFrom.address,
          rcptTo: session.envelope.rcptTo.map((rcpt) => rcpt.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
    ...options,
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  const handle: TestSmtpServer = {
    url: `smtp://user:pass@127.0.0.1:${port}`,
    received,
    close: () => new Promise<void>((resolve) => { server.close(resolve); }),
  };
  servers.push(handle);
  return handle;
}

function smtpError(message: string, responseCode: number): Error {
  return Object.assign(new Error(message), { responseCode });
}

/** Unfolded header value, with RFC 2047 encoded words (non-ASCII subjects) decoded. */
function header(raw: string, name: string): string | undefined {
  const head = (raw.split(/\r?\n\r?\n/)[0] ?? '').replace(/\r?\n[ \t]+/g, ' ');
  const line = head.split(/\r?\n/).find((candidate) => candidate.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  if (line === undefined) return undefined;
  return line
    .slice(name.length + 1)
    .trim()
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g, (_word, _charset, encoding: string, text: string) =>
      encoding.toUpperCase() === 'B'
        ? Buffer.from(text, 'base64').toString('utf8')
        : Buffer.from(text.replace(/_/g, ' ').replace(/=([0-9A-Fa-f]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16))), 'latin1').toString('utf8'),
    );
}

afterEach(async () => {
  // Pools first: the server's close waits for client connections to end.
  closeMailTransports({ force: true });
  await Promise.all(servers.splice(0).map((server) => server.close()));
  for (const key of ENV_KEYS) {
    const value = savedEnv[key];
    if (value === undefined) Reflect.deleteProperty(process.env, key);
    else process.env[key] = value;
  }
});

describe('send-welcome-email', () => {
  it('delivers a localized email with a stable Message-ID and X-Job-Id header', async () => {
    const smtp = await startSmtpServer();
    process.env.SMTP_URL = smtp.url;
    const ctx = testJobContext({ jobId: 'job-123' });

    const result = await job.handler(job.payload.parse({ email: 'ana@example.com', name: 'Ana', locale: 'de' }), ctx);

    expect(smtp.received).toHaveLength(1);
    const mail = smtp.received[0];
    expect(mail?.rcptTo).toEqual(['ana@example.com']);
    expect(mail?.mailFrom).toBe('no-reply@localhost');
    const raw = mail?.raw ?? '';
    expect(header(raw, 'Subject')).toBe('Willkommen, Ana!');
    expect(header(raw, 'X-Job-Id')).toBe('job-123');
    expect(header(raw, 'Message-ID')).toBe('<welcome.job-123@localhost>');
    expect(header(raw, 'Content-Language')).toBe('de');
    expect(result).toEqual({ messageId: '<welcome.job-123@localhost>' });
    expect(ctx.logs.some((line) => line.msg === 'welcome email sent')).toBe(true);
  });

  it('defaults to English, honours MAIL_FROM and encodes non-ASCII subjects', async () => {
    const smtp = await startSmtpServer();
    process.env.SMTP_URL = smtp.url;
    process.env.MAIL_FROM = 'Acme <hello@acme.test>';

    await job.handler(job.payload.parse({ email: 'jo@example.com', name: 'Jo' }), testJobContext());
    await job.handler(job.payload.parse({ email: 'jose@example.com', name: 'José <b>', locale: 'es' }), testJobContext());

    const [english, spanish] = smtp.received;
    expect(header(english?.raw ?? '', 'Subject')).toBe('Welcome, Jo!');
    expect(english?.mailFrom).toBe('hello@acme.test');
    expect(header(english?.raw ?? '', 'Message-ID')).toBe('<welcome.test-job-id@acme.test>');
    expect(header(spanish?.raw ?? '', 'Subject')).toBe('¡Te damos la bienvenida, José <b>!');
    // The name is user input: it must not become markup in the HTML part.
    expect(spanish?.raw).toContain('&#60;b&#62;');
  });

  it('reuses one pooled transport per SMTP_URL', () => {
    const url = 'smtp://127.0.0.1:1';
    expect(mailTransport(url)).toBe(mailTransport(url));
    expect(mailTransport('smtp://127.0.0.1:2')).not.toBe(mailTransport(url));
  });

  it('dead-letters a 5xx rejection as smtp-rejected', async () => {
    const smtp = await startSmtpServer({
      onRcptTo(_address, _session, callback) {
        callback(smtpError('mailbox unavailable', 550));
      },
    });
    process.env.SMTP_URL = smtp.url;

    const run = job.handler(job.payload.parse({ email: 'gone@example.com', name: 'Gone' }), testJobContext());

    await expect(run).rejects.toBeInstanceOf(PermanentJobError);
    await expect(run).rejects.toMatchObject({ code: 'smtp-rejected', message: expect.stringContaining('550') as unknown });
    expect(smtp.received).toHaveLength(0);
  });

  it('leaves a 4xx reply retryable', async () => {
    const smtp = await startSmtpServer({
      onRcptTo(_address, _session, callback) {
        callback(smtpError('greylisted, try again later', 451));
      },
    });
    process.env.SMTP_URL = smtp.url;

    const error = await job.handler(job.payload.parse({ email: 'new@example.com', name: 'New' }), testJobContext()).then(
      () => undefined,
      (reason: unknown) => reason,
    );

    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(PermanentJobError);
    expect(error).toMatchObject({ responseCode: 451 });
  });

  it('stops a stalled send when ctx.signal aborts and reports the abort reason', async () => {
    let stalled!: () => void;
    const reachedRcpt = new Promise<void>((resolve) => (stalled = resolve));
    const smtp = await startSmtpServer({
      onRcptTo() {
        stalled(); // and never answer, like an overloaded relay
      },
    });
    process.env.SMTP_URL = smtp.url;
    const ctx = testJobContext();

    const run = job.handler(job.payload.parse({ email: 'slow@example.com', name: 'Slow' }), ctx);
    await reachedRcpt;
    ctx.abort(new Error('job exceeded its timeout'));

    await expect(run).rejects.toThrow('job exceeded its timeout');
    expect(smtp.received).toHaveLength(0);
  });

  it('rejects invalid payloads', () => {
    expect(job.payload.safeParse({ email: 'not-an-email', name: 'Ana' }).success).toBe(false);
    expect(job.payload.safeParse({ email: 'ana@example.com', name: '' }).success).toBe(false);
    expect(job.payload.safeParse({ email: 'ana@example.com', name: 'Ana\r\nBcc: x@evil.test' }).success).toBe(false);
    expect(job.payload.safeParse({ email: 'ana@example.com', name: 'Ana', locale: 'it' }).success).toBe(false);
  });

  it('fails as misconfigured without SMTP_URL, or with a non-SMTP one, without leaking it', async () => {
    Reflect.deleteProperty(process.env, 'SMTP_URL');
    const payload = job.payload.parse({ email: 'ana@example.com', name: 'Ana' });

    const missing = job.handler(payload, testJobContext());
    await expect(missing).rejects.toBeInstanceOf(PermanentJobError);
    await expect(missing).rejects.toMatchObject({ code: 'misconfigured', message: expect.stringContaining('SMTP_URL') as unknown });

    process.env.SMTP_URL = 'https://user:s3cret@mail.example.com';
    const wrong = job.handler(payload, testJobContext());
    await expect(wrong).rejects.toMatchObject({ code: 'misconfigured' });
    await expect(wrong).rejects.not.toThrow('s3cret');
  });
});
