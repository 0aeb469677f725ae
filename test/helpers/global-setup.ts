import { startEmbeddedSqs } from '../../src/local/embedded-sqs';

declare global {
  var __SQS_EMULATOR__: { close(): Promise<void> } | undefined;
}

/**
 * One embedded emulator for the whole run, on a free loopback port; tests reach it over HTTP and
 * isolate themselves with unique queue prefixes. With SQS_ENDPOINT set (ElasticMQ, AWS) the
 * suites run against that endpoint instead and no emulator starts.
 */
export default async function globalSetup(): Promise<void> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  if (process.env.SQS_ENDPOINT) return;
  const emulator = await startEmbeddedSqs({ host: '127.0.0.1', port: 0 });
  globalThis.__SQS_EMULATOR__ = emulator;
  process.env.SQS_ENDPOINT = emulator.endpoint;
  process.env.SQS_JOBS_TEST_EMULATOR = '1';
}
