import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { type AppConfig, loadConfig, loadDotEnv } from '../config';
import { ConfigError, InvalidPayloadError, JobDefinitionError, MissingQueueError, UnknownJobError } from '../errors';
import { type JobRegistry, loadRegistry } from '../jobs/registry';
import { createLogger, type Logger } from '../observability/logger';
import { createSqsClient } from '../sqs/client';

/** From the nearest package.json: two levels up in the repo, three in dist/. */
function readPackageVersion(): string {
  for (const levels of [2, 3]) {
    try {
      const manifest = JSON.parse(readFileSync(join(__dirname, ...Array<string>(levels).fill('..'), 'package.json'), 'utf8')) as { version?: unknown };
      if (typeof manifest.version === 'string') return manifest.version;
    } catch {
      // not at this level
    }
  }
  return '0.0.0';
}

export const PACKAGE_VERSION = readPackageVersion();

/** Exit codes scripts can rely on; listed in `sqs-jobs --help`. */
export const EXIT = { ok: 0, failure: 1, usage: 2, forced: 130 } as const;

export interface GlobalOptions {
  endpoint?: string;
  prefix?: string;
  verbose?: boolean;
}

export interface CliContext {
  config: AppConfig;
  registry: JobRegistry;
  logger: Logger;
  createSqs: () => SQSClient;
}

/** handlers/ next to src/ — the same relative place in the repo and in dist/. */
const DEFAULT_HANDLERS_DIR = join(__dirname, '..', '..', 'handlers');

export function createCliContext(options: GlobalOptions): CliContext {
  loadDotEnv();
  const config = loadConfig({
    ...process.env,
    ...(options.endpoint ? { SQS_ENDPOINT: options.endpoint } : {}),
    ...(options.prefix !== undefined ? { QUEUE_PREFIX: options.prefix } : {}),
  });
  const logger = createLogger({ level: config.LOG_LEVEL, format: config.LOG_FORMAT });
  const registry = loadRegistry(config.HANDLERS_DIR ?? DEFAULT_HANDLERS_DIR);
  return {
    config,
    registry,
    logger,
    createSqs: () => createSqsClient({ endpoint: config.SQS_ENDPOINT, region: config.AWS_REGION }),
  };
}

/** One line at startup of workers on Node < 22, replacing the AWS SDK's multi-line warning. */
export function warnIfOldNode(logger: Logger): void {
  const major = Number(process.versions.node.split('.')[0]);
  if (major < 22) logger.warn({ node: process.versions.node }, 'Node 20 works, but AWS SDK releases after January 2027 need Node >= 22');
}

/** Input errors exit 2, everything else 1; a stack trace only with --verbose. */
export function reportCliError(error: unknown, verbose: boolean): number {
  const usage =
    error instanceof ConfigError ||
    error instanceof InvalidPayloadError ||
    error instanceof UnknownJobError ||
    error instanceof JobDefinitionError ||
    error instanceof MissingQueueError;
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`sqs-jobs: ${describeCause(error, message)}\n`);
  if (verbose && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
  return usage ? EXIT.usage : EXIT.failure;
}

function describeCause(error: unknown, message: string): string {
  const code = (error as { code?: unknown; cause?: { code?: unknown } } | null)?.code;
  const causeCode = (error as { cause?: { code?: unknown } } | null)?.cause?.code;
  if (code === 'ECONNREFUSED' || causeCode === 'ECONNREFUSED') {
    return `cannot reach the SQS endpoint (connection refused): ${message || 'is it running?'}`;
  }
  return message;
}
