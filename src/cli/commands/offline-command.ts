import { InvalidArgumentError, type Command } from 'commander';
import { exitOnShutdownSignals } from '../../runtime/shutdown';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../../errors';
import { createCliContext, type GlobalOptions } from '../cli-context';

interface OfflineOptions {
  stage: string;
  httpPort?: number;
  lambdaPort?: number;
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port < 1 || port > 65_535) throw new InvalidArgumentError('must be a port from 1 to 65535');
  return port;
}

/** Queue names are `<stage>-<job>`, and QUEUE_PREFIX allows 15 characters. */
function parseStage(value: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9_-]{0,13}$/.test(value)) throw new InvalidArgumentError('must be 1–14 letters, digits, "-" or "_"');
  return value;
}

/** `sqs-jobs offline` (npm run offline): the serverless deployment on this machine. */
export function registerOfflineCommand(program: Command): void {
  program
    .command('offline')
    .description('run the Lambda deployment locally: embedded SQS/DynamoDB (unless set), serverless offline and the SQS → Lambda bridge')
    .option('--stage <name>', 'serverless stage; queues are <stage>-<job>', parseStage, 'offline')
    .option('--http-port <port>', 'API Gateway emulation port (default: OFFLINE_HTTP_PORT, 3000)', parsePort)
    .option('--lambda-port <port>', 'Lambda Invoke API port (default: OFFLINE_LAMBDA_PORT, 3002)', parsePort)
    .action(async (options: OfflineOptions, command: Command) => {
      const { config, registry, logger } = createCliContext(command.optsWithGlobals<GlobalOptions>());
      // serverless resolves serverless.yml and node_modules from the working directory.
      const projectDir = process.cwd();
      if (!existsSync(join(projectDir, 'serverless.yml'))) throw new ConfigError(`no serverless.yml in ${projectDir}; run from the project root`);
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on use, so processes that never need it (a worker: emulators, Express) stay small
      const { startOfflineStack } = require('../../lambda/offline-stack') as typeof import('../../lambda/offline-stack');
      const stack = await startOfflineStack({
        config,
        registry,
        logger,
        projectDir,
        stage: options.stage,
        httpPort: options.httpPort ?? config.OFFLINE_HTTP_PORT,
        lambdaPort: options.lambdaPort ?? config.OFFLINE_LAMBDA_PORT,
      });
      exitOnShutdownSignals(() => stack.stop(), logger);
    });
}
