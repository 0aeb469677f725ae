import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from './logger';
import type { JobMetrics } from './metrics';

export interface MetricsServerOptions {
  metrics: JobMetrics;
  host: string;
  /** 0 picks a free port; read the result's `url`. */
  port: number;
  logger: Logger;
}

export interface MetricsServer {
  /** e.g. http://127.0.0.1:9464 (no trailing slash). */
  url: string;
  close(): Promise<void>;
}

/**
 * A bare node:http server for workers, which have no HTTP API of their own: Prometheus scrapes
 * `/metrics`, orchestrators probe `/healthz`.
 */
export async function startMetricsServer(options: MetricsServerOptions): Promise<MetricsServer> {
  const { metrics, logger } = options;
  const server = createServer((request, response) => {
    void handle(request, response, metrics, logger);
  });
  await listen(server, options.host, options.port);
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  logger.info({ url: `${url}/metrics` }, 'metrics server listening');
  return {
    url,
    close: () => closeServer(server),
  };
}

async function handle(request: IncomingMessage, response: ServerResponse, metrics: JobMetrics, logger: Logger): Promise<void> {
  const method = request.method ?? '';
  // Not new URL(): a request line such as `GET //x` makes it throw, and this handler must not.
  const path = (request.url ?? '/').split('?', 1)[0];
  if (method !== 'GET' && method !== 'HEAD') {
    reply(response, 404, 'text/plain; charset=utf-8', 'not found\n');
    return;
  }
  if (path === '/healthz') {
    reply(response, 200, 'text/plain; charset=utf-8', 'ok\n');
    return;
  }
  if (path !== '/metrics') {
    reply(response, 404, 'text/plain; charset=utf-8', 'not found\n');
    return;
  }
  try {
    const text = await metrics.metricsText();
    reply(response, 200, metrics.contentType, text);
  } catch (error) {
    logger.error({ err: error }, 'metrics scrape failed');
    reply(response, 500, 'text/plain; charset=utf-8', `metrics collection failed: ${oneLine(error)}\n`);
  }
}

function reply(response: ServerResponse, status: number, contentType: string, body: string): void {
  response.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
  response.end(body);
}

/** A multi-line error (stack, JSON) would break clients that read the body as one status line. */
function oneLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/\s+/g, ' ').trim().slice(0, 500);
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      server.off('listening', onListening);
      if (error.code === 'EADDRINUSE') {
        reject(new Error(`port ${port} is in use (metrics server on ${host}); choose another port or 0 for a free one`, { cause: error }));
      } else {
        reject(new Error(`metrics server could not listen on ${host}:${port}: ${error.message}`, { cause: error }));
      }
    };
    const onListening = (): void => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => {
      if (error && (error as NodeJS.ErrnoException).code !== 'ERR_SERVER_NOT_RUNNING') reject(error);
      else resolve();
    });
    // Scrapers keep connections alive between scrapes; without this, close() waits for them to time out.
    server.closeIdleConnections();
  });
}
