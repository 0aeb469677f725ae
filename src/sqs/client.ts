import { SQSClient } from '@aws-sdk/client-sqs';

export interface SqsClientOptions {
  /** e.g. http://127.0.0.1:9324 for the embedded emulator or ElasticMQ; omit for AWS. */
  endpoint?: string | undefined;
  region: string;
}

/**
 * One factory for every SQS client in the project. With an explicit endpoint, requests always go
 * there: emulators hand out queue URLs on hosts that may not resolve (`*.localhost`), so the SDK
 * must not route by queue URL. Local endpoints get placeholder credentials when none are set.
 */
export function createSqsClient(options: SqsClientOptions): SQSClient {
  if (!options.endpoint) return new SQSClient({ region: options.region });
  const hasCredentials = Boolean(process.env.AWS_ACCESS_KEY_ID ?? process.env.AWS_PROFILE);
  return new SQSClient({
    region: options.region,
    endpoint: options.endpoint,
    useQueueUrlAsEndpoint: false,
    ...(hasCredentials ? {} : { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
  });
}
