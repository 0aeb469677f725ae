import type { AddressInfo } from 'node:net';

export interface EmbeddedSqs {
  /** e.g. http://127.0.0.1:9324 */
  endpoint: string;
  port: number;
  close(): Promise<void>;
}

interface FauxqsServer {
  listen(options: { host: string; port: number }): Promise<string>;
  close(): Promise<void>;
  server: { address(): AddressInfo | string | null };
}

/**
 * Starts the in-process SQS emulator (fauxqs) on loopback only. fauxqs is ESM-only, hence the
 * native dynamic import; its own startFauxqs() would bind 0.0.0.0, so buildApp + listen is used.
 */
export async function startEmbeddedSqs(options: { host?: string; port?: number } = {}): Promise<EmbeddedSqs> {
  const host = options.host ?? '127.0.0.1';
  const { buildApp } = (await import('fauxqs')) as unknown as { buildApp: (options: { logger: boolean }) => FauxqsServer };
  const app = buildApp({ logger: false });
  try {
    await app.listen({ host, port: options.port ?? 9324 });
  } catch (error) {
    await app.close().catch(() => undefined);
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new Error(
        `port ${options.port} on ${host} is in use (another \`npm start\`, or ElasticMQ?). ` +
          'Set EMBEDDED_SQS_PORT to another port, or SQS_ENDPOINT to use the server already running.',
      );
    }
    throw error;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : (options.port ?? 9324);
  return { endpoint: `http://${host}:${port}`, port, close: () => app.close() };
}
