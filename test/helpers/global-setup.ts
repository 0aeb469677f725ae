import { startEmbeddedDynamoDb } from '../../src/local/embedded-dynamodb';
import { startEmbeddedSqs } from '../../src/local/embedded-sqs';

declare global {
  var __SQS_EMULATOR__: { close(): Promise<void> } | undefined;
  var __DYNAMODB_EMULATOR__: { close(): Promise<void> } | undefined;
}

/**
 * One embedded SQS emulator and one embedded DynamoDB (dynalite) for the whole run, on free
 * loopback ports; tests reach them over HTTP and isolate themselves with unique queue prefixes and
 * table names. With SQS_ENDPOINT / DYNAMODB_ENDPOINT set (ElasticMQ, DynamoDB Local, AWS) the
 * suites use that endpoint instead and the matching emulator does not start.
 */
export default async function globalSetup(): Promise<void> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  if (!process.env.SQS_ENDPOINT) {
    const emulator = await startEmbeddedSqs({ host: '127.0.0.1', port: 0 });
    globalThis.__SQS_EMULATOR__ = emulator;
    process.env.SQS_ENDPOINT = emulator.endpoint;
    process.env.SQS_JOBS_TEST_EMULATOR = '1';
  }
  if (!process.env.DYNAMODB_ENDPOINT) {
    const dynamo = await startEmbeddedDynamoDb({ host: '127.0.0.1', port: 0 });
    globalThis.__DYNAMODB_EMULATOR__ = dynamo;
    process.env.DYNAMODB_ENDPOINT = dynamo.endpoint;
  }
}
