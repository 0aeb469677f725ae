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
}

/**
 * One factory for every SQS client in the project. With an explicit endpoint, requests always go
 * there: emulators hand out queue URLs on hosts that may not resolve (`*.localhost`), so the SDK
 * must not route by queue URL. Local endpoints get placeholder credentials when none are set.
 */
export function createSqsClient(options: SqsClientOptions): SQSClient {
  const timeouts =
    options.requestTimeoutMs === undefined
      ? {}
      : { requestHandler: { connectionTimeout: Math.min(options.requestTimeoutMs, 2_000), requestTimeout: options.requestTimeoutMs } };
  if (!options.endpoint) return new SQSClient({ region: options.region, ...timeouts });
  const hasCredentials = Boolean(process.env.AWS_ACCESS_KEY_ID ?? process.env.AWS_PROFILE);
  return new SQSClient({
    ...timeouts,
    region: options.region,
    endpoint: options.endpoint,
    useQueueUrlAsEndpoint: false,
    ...(hasCredentials ? {} : { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
  });
}
