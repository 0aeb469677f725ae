import nodemailer, { type SMTPPoolOptions, type SMTPPoolSentMessageInfo, type Transporter } from 'nodemailer';

export type MailTransport = Transporter<SMTPPoolSentMessageInfo, SMTPPoolOptions>;

/** A worker normally talks to one relay; a few slots cover a config change without leaking pools. */
const MAX_TRANSPORTS = 4;

// Keyed by the full SMTP URL (credentials included) so changing SMTP_URL gets a fresh pool. Map
// order doubles as LRU order: a hit moves the entry to the end.
const transports = new Map<string, MailTransport>();

/**
 * A pooled SMTP transport shared by every job that uses the same URL: opening a TCP + SMTP session
 * per email is slow and relays rate-limit new connections. Cancelling one send (via its
 * AbortSignal) closes only the connection carrying it, so sharing is safe under timeouts.
 */
export function mailTransport(smtpUrl: string): MailTransport {
  const cached = transports.get(smtpUrl);
  if (cached) {
    transports.delete(smtpUrl);
    transports.set(smtpUrl, cached);
    return cached;
  }
  const transport = nodemailer.createTransport({
    url: smtpUrl,
    pool: true,
    maxConnections: 5,
    // Fail well inside a job's timeout so a dead relay shows up as an SMTP error, not a timeout.
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  });
  transports.set(smtpUrl, transport);
  for (const [url, stale] of transports) {
    if (transports.size <= MAX_TRANSPORTS) break;
    transports.delete(url);
    // Not forced: deliveries already in flight on the evicted pool still finish.
    stale.close();
  }
  return transport;
}

/** Closes every cached pool; for worker shutdown and test teardown (idle pools keep sockets open). */
export function closeMailTransports(options: { force?: boolean } = {}): void {
  for (const transport of transports.values()) transport.close(options);
  transports.clear();
}
