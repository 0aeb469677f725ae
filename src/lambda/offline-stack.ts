import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AppConfig } from '../config';
import type { JobRegistry } from '../jobs/registry';
import type { Logger } from '../observability/logger';
import { provisionQueues } from '../queues/provisioning';
import { connectBackends } from '../services/backends';
import { planJobLambda } from './serverless-config';
import { invokeThroughServerlessOffline, SqsLambdaBridge } from './sqs-bridge';

export interface OfflineStackOptions {
  config: AppConfig;
  registry: JobRegistry;
  logger: Logger;
  projectDir: string;
  stage: string;
  httpPort: number;
  lambdaPort: number;
  /** How long serverless offline may take to bundle and listen. */
  startTimeoutMs?: number;
}

export interface OfflineStack {
  apiUrl: string;
  stop(): Promise<void>;
}

/** serverless-offline names functions `<service>-<stage>-<key>`; the service is serverless.yml's. */
export function serviceName(projectDir: string): string {
  const match = /^service:\s*([\w-]+)\s*$/m.exec(readFileSync(join(projectDir, 'serverless.yml'), 'utf8'));
  if (!match?.[1]) throw new Error('serverless.yml has no `service:` name');
  return match[1];
}

/**
 * `npm run offline`: the Lambda deployment on this machine. Embedded SQS and DynamoDB (unless
 * their endpoints are set), the stage's queues and table, `serverless offline` (API Gateway and
 * the functions, bundled as for AWS), and the SQS → Lambda bridge that plays the event source
 * mappings: batch size, partial batch responses, visibility backoff and redrive as on AWS.
 */
export async function startOfflineStack(options: OfflineStackOptions): Promise<OfflineStack> {
  const { logger, registry } = options;
  const prefix = `${options.stage}-`;
  const config: AppConfig = { ...options.config, QUEUE_PREFIX: prefix, JOB_TABLE: `${options.stage}-sqs-jobs` };
  const backends = await connectBackends({ config, logger, embedded: true, provisionTable: true });
  let offline: ChildProcess | undefined;
  let bridge: SqsLambdaBridge | undefined;
  const stop = async () => {
    await bridge?.stop();
    await stopChild(offline);
    await backends.close();
  };
  try {
    const { directory } = await provisionQueues(backends.sqs, registry.jobs, prefix);
    offline = spawn(process.execPath, [join(options.projectDir, 'node_modules/serverless/bin/serverless.js'), 'offline', 'start', '--stage', options.stage], {
      // In our process group: Ctrl-C reaches it too, and killing the group leaves no orphan.
      cwd: options.projectDir,
      stdio: ['ignore', 'inherit', 'inherit'],
      env: {
        ...process.env,
        SQS_ENDPOINT: backends.sqsEndpoint,
        DYNAMODB_ENDPOINT: backends.dynamoEndpoint,
        OFFLINE_HTTP_PORT: String(options.httpPort),
        OFFLINE_LAMBDA_PORT: String(options.lambdaPort),
        // Emulators accept any credentials; the SDK only needs some to sign with.
        AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID ?? 'offline',
        AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY ?? 'offline',
        AWS_REGION: config.AWS_REGION,
      },
    });
    const apiUrl = `http://127.0.0.1:${options.httpPort}`;
    await waitForHttp(`${apiUrl}/api/v1/health`, offline, options.startTimeoutMs ?? 180_000);
    const service = serviceName(options.projectDir);
    bridge = new SqsLambdaBridge({
      sqs: backends.sqs,
      region: config.AWS_REGION,
      logger,
      invoke: invokeThroughServerlessOffline(`http://127.0.0.1:${options.lambdaPort}`),
      functions: registry.jobs.map((job) => {
        const queues = directory.get(job.name);
        return {
          functionName: `${service}-${options.stage}-${job.name}`,
          queueUrl: queues.queue.url,
          queueArn: queues.queue.arn,
          batchSize: job.lambda.batchSize,
          maximumConcurrency: job.lambda.maximumConcurrency,
          visibilityTimeoutSeconds: planJobLambda(job).queueVisibilityTimeoutSeconds,
        };
      }),
    });
    bridge.start();
    logger.info({ api: apiUrl, sqs: backends.sqsEndpoint, stage: options.stage }, 'serverless offline ready');
    return { apiUrl, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function waitForHttp(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`serverless offline exited (${String(child.exitCode ?? child.signalCode)}) before it listened`);
    const answered = await fetch(url, { signal: AbortSignal.timeout(30_000) }).then(
      () => true,
      () => false,
    );
    if (answered) return;
    await sleep(250);
  }
  throw new Error(`serverless offline did not answer on ${url} within ${timeoutMs} ms`);
}

async function stopChild(child: ChildProcess | undefined): Promise<void> {
  if (!child?.pid || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const forced = setTimeout(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  }, 10_000);
  await exited;
  clearTimeout(forced);
}
