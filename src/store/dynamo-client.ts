import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { withoutSdkLogging } from '../sqs/client';

export interface DynamoClientOptions {
  /** e.g. http://127.0.0.1:8000 for the embedded dynalite or DynamoDB Local; omit for AWS. */
  endpoint?: string | undefined;
  region: string;
  /** Per attempt; defaults to 5 s. */
  requestTimeoutMs?: number | undefined;
}

const DEFAULT_REQUEST_TIMEOUT_MS = 5_000;
const MAX_CONNECTION_TIMEOUT_MS = 2_000;

/**
 * One factory for every DynamoDB client in the project, mirroring src/sqs/client.ts. Store writes
 * are best-effort and reads serve HTTP requests, so an unreachable store must fail within seconds:
 * the SDK defaults (no timeout, 3 attempts) would hang a request or a readiness probe for minutes.
 * The options-object form of `requestHandler` lets the SDK build its own NodeHttpHandler, so the
 * project need not depend on @smithy/node-http-handler directly.
 */
export function createDynamoClient(options: DynamoClientOptions): DynamoDBClient {
  const requestTimeout = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const common = {
    region: options.region,
    maxAttempts: 2,
    requestHandler: { connectionTimeout: Math.min(requestTimeout, MAX_CONNECTION_TIMEOUT_MS), requestTimeout },
  };
  if (!options.endpoint) return withoutSdkLogging(new DynamoDBClient(common));
  const hasCredentials = Boolean(process.env.AWS_ACCESS_KEY_ID ?? process.env.AWS_PROFILE);
  return withoutSdkLogging(
    new DynamoDBClient({
      ...common,
      endpoint: options.endpoint,
      ...(hasCredentials ? {} : { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
    }),
  );
}
