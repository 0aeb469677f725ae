import { createHash } from 'node:crypto';
import { z } from 'zod';
import { PermanentJobError } from '../src/errors';
import { defineJob } from '../src/jobs/define-job';
import { readJobEnv } from '../src/jobs/examples/env';
import { mailTransport } from '../src/jobs/examples/mail-transport';

const JOB_NAME = 'send-welcome-email';
const LOCALES = ['en', 'de', 'fr', 'es'] as const;
type Locale = (typeof LOCALES)[number];

const envSchema = z.object({
  SMTP_URL: z.url({ protocol: /^smtps?$/, error: 'must be an smtp:// or smtps:// URL' }),
  MAIL_FROM: z.string().regex(/@/, 'must contain an email address').default('sqs-jobs <no-reply@localhost>'),
});

interface WelcomeCopy {
  subject: (name: string) => string;
  paragraphs: (name: string) => string[];
}

// Small enough to live here; a real product would load these from its translation files.
const COPY: Record<Locale, WelcomeCopy> = {
  en: {
    subject: (name) => `Welcome, ${name}!`,
    paragraphs: (name) => [`Hi ${name},`, 'thanks for signing up. We are glad to have you on board.', 'The team'],
  },
  de: {
    subject: (name) => `Willkommen, ${name}!`,
    paragraphs: (name) => [`Hallo ${name},`, 'danke für deine Anmeldung. Schön, dass du dabei bist.', 'Dein Team'],
  },
  fr: {
    subject: (name) => `Bienvenue, ${name} !`,
    paragraphs: (name) => [`Bonjour ${name},`, 'merci pour votre inscription. Nous sommes ravis de vous compter parmi nous.', "L'équipe"],
  },
  es: {
    subject: (name) => `¡Te damos la bienvenida, ${name}!`,
    paragraphs: (name) => [`Hola ${name}:`, 'gracias por registrarte. Nos alegra tenerte con nosotros.', 'El equipo'],
  },
};

/** Sends the localized welcome email over SMTP (SMTP_URL, MAIL_FROM). */
export const job = defineJob({
  name: JOB_NAME,
  description: 'Sends a localized welcome email to a new user over SMTP',
  payload: z.object({
    email: z.email(),
    // Control characters would let a name smuggle extra header lines into the subject.
    name: z.string().trim().min(1).max(200).regex(/^\P{Cc}*$/u, 'must not contain control characters'),
    locale: z.enum(LOCALES).default('en'),
  }),
  retry: { maxAttempts: 5, backoff: { baseSeconds: 30, factor: 2, maxSeconds: 900 } },
  timeoutSeconds: 60,
  concurrency: 10,
  async handler(payload, ctx) {
    const env = readJobEnv(JOB_NAME, envSchema);
    const copy = COPY[payload.locale];
    const paragraphs = copy.paragraphs(payload.name);
    let info;
    try {
      info = await mailTransport(env.SMTP_URL).sendMail({
        from: env.MAIL_FROM,
        to: payload.email,
        subject: copy.subject(payload.name),
        text: paragraphs.join('\n\n'),
        html: `<!doctype html><html lang="${payload.locale}"><body>${paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`).join('')}</body></html>`,
        // Same Message-ID and X-Job-Id on every attempt: if an attempt times out after the relay
        // already accepted the mail, the retry is a duplicate that receivers can recognize.
        messageId: messageIdFor(ctx.jobId, env.MAIL_FROM),
        headers: { 'X-Job-Id': ctx.jobId.replace(/[\r\n]/g, ''), 'Content-Language': payload.locale },
        signal: ctx.signal,
      });
    } catch (error) {
      // A timeout or shutdown surfaces as the runtime's reason, not nodemailer's EABORT.
      ctx.signal.throwIfAborted();
      throw classifySmtpError(error);
    }
    ctx.logger.info({ messageId: info.messageId, locale: payload.locale }, 'welcome email sent');
    return { messageId: info.messageId };
  },
});

/**
 * 5xx replies are final (unknown mailbox, policy rejection): retrying only repeats the bounce.
 * 503 is the exception: "bad sequence of commands" is a session problem, not a verdict on the
 * message. 4xx replies, timeouts and dropped connections are left as they are, to be retried.
 */
function classifySmtpError(error: unknown): Error {
  const reply = smtpReply(error);
  if (reply && reply.code >= 500 && reply.code !== 503) {
    return new PermanentJobError(`SMTP server rejected the welcome email: ${reply.text}`, { code: 'smtp-rejected', cause: error });
  }
  return error instanceof Error ? error : new Error(`sending the welcome email failed: ${String(error)}`, { cause: error });
}

/** Duck-typed: socket errors come from Node's realm, where `instanceof` checks can fail (e.g. under jest). */
function smtpReply(error: unknown): { code: number; text: string } | undefined {
  if (typeof error !== 'object' || error === null || !('responseCode' in error) || typeof error.responseCode !== 'number') {
    return undefined;
  }
  const text = 'response' in error && typeof error.response === 'string' ? error.response : String(error.responseCode);
  return { code: error.responseCode, text };
}

function messageIdFor(jobId: string, from: string): string {
  const local = /^[A-Za-z0-9_-]{1,128}$/.test(jobId) ? jobId : createHash('sha256').update(jobId).digest('hex').slice(0, 32);
  const domain = /@([A-Za-z0-9.-]+)>?\s*$/.exec(from)?.[1] ?? 'sqs-jobs.invalid';
  return `<welcome.${local}@${domain}>`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
