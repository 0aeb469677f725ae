import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RequestListener } from 'node:http';

export interface HttpServer {
  url: string;
  close(): Promise<void>;
}

/** How long close() waits for requests in flight before cutting their connections. */
const CLOSE_GRACE_MS = 10_000;

/**
 * Listens on host:port (0 = a free port). close() stops accepting, lets requests in flight finish
 * (so a 202 being written is never cut off), then drops idle keep-alive connections.
 */
export async function startHttpServer(listener: RequestListener, host: string, port: number): Promise<HttpServer> {
  const server = createServer(listener);
  // Longer than common load balancer idle timeouts, so they close first and never reuse a dead socket.
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(error.code === 'EADDRINUSE' ? new Error(`port ${port} on ${host} is in use; set PORT to another port`) : error);
    });
    server.listen({ host, port }, resolve);
  });
  const address = server.address() as AddressInfo;
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${urlHost}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        const force = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS).unref();
        server.close(() => {
          clearTimeout(force);
          resolve();
        });
        server.closeIdleConnections();
      }),
  };
}
