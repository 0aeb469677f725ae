import { SQSClient } from '@aws-sdk/client-sqs';

export interface SqsClientOptions {
  /** e.g. http://127.0.0.1:9324 for the embedded emulator or ElasticMQ; omit for AWS. */
  endpoint?: string | undefined;
  region: string;
  /**
   * Bounds each HTTP request, so callers that answer people (the API) fail fast when SQS is down.
   * Must exceed the long-poll wait for clients that receive; unset for workers.
   */
  requestTimeoutMs?: number;
  /**
   * Sockets to the endpoint at once. The SDK's default, 50, is too few for workers: each poller
   * holds a socket for a whole long poll, so above ~40 pollers (concurrency 400 over all queues)
   * the rest wait for a socket while messages sit in the queue.
   */
  maxSockets?: number;
}

/**
 * One factory for every SQS client in the project. With an explicit endpoint, requests always go
 * there: emulators hand out queue URLs on hosts that may not resolve (`*.localhost`), so the SDK
 * must not route by queue URL. Local endpoints get placeholder credentials when none are set.
 */
export function createSqsClient(options: SqsClientOptions): SQSClient {
  const bounds = options.requestTimeoutMs === undefined ? {} : { connectionTimeout: Math.min(options.requestTimeoutMs, 2_000), requestTimeout: options.requestTimeoutMs };
  const sockets =
    options.maxSockets === undefined
      ? {}
      : { httpAgent: { keepAlive: true, maxSockets: options.maxSockets }, httpsAgent: { keepAlive: true, maxSockets: options.maxSockets } };
  const handler = options.requestTimeoutMs === undefined && options.maxSockets === undefined ? {} : { requestHandler: { ...bounds, ...sockets } };
  const hasCredentials = Boolean(process.env.AWS_ACCESS_KEY_ID ?? process.env.AWS_PROFILE);
  const client = options.endpoint
    ? new SQSClient({
        ...handler,
        region: options.region,
        endpoint: options.endpoint,
        useQueueUrlAsEndpoint: false,
        ...(hasCredentials ? {} : { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
      })
    : new SQSClient({ region: options.region, ...handler });
  return withoutSdkLogging(client);
}

/**
 * The project configures no SDK logger, yet the SDK's logger middleware still runs its
 * sensitive-data filters over every request and response: about 4 % of a busy worker's CPU
 * (bench/, CPU profile). Every client the project makes goes without it.
 */
export function withoutSdkLogging<Client extends { middlewareStack: { remove(name: string): boolean } }>(client: Client): Client {
  client.middlewareStack.remove('loggerMiddleware');
  return client;
}
