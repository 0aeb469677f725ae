import dynalite from 'dynalite';

export interface EmbeddedDynamoDb {
  /** e.g. http://127.0.0.1:8000 */
  endpoint: string;
  port: number;
  close(): Promise<void>;
}

const DEFAULT_PORT = 8000;

/**
 * Starts dynalite in-process, in memory, on `host` only (loopback by default: it has no auth).
 * Table state changes are instant so provisioning and tests never wait on CREATING/DELETING.
 */
export async function startEmbeddedDynamoDb(options: { host?: string; port?: number } = {}): Promise<EmbeddedDynamoDb> {
  const host = options.host ?? '127.0.0.1';
  const requestedPort = options.port ?? DEFAULT_PORT;
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host, port: requestedPort }, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new Error(
        `port ${requestedPort} on ${host} is in use (another \`npm start\`, or DynamoDB Local?). ` +
          'Set EMBEDDED_DYNAMODB_PORT to another port, or DYNAMODB_ENDPOINT to use the server already running.',
      );
    }
    throw error;
  }
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : requestedPort;
  return {
    endpoint: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // SDK clients keep connections alive; without this, close waits for each one to time out.
        server.closeAllConnections();
      }),
  };
}
