import type { Command } from 'commander';
import { exitOnShutdownSignals } from '../../runtime/shutdown';
import { createCliContext, type GlobalOptions } from '../cli-context';

/**
 * `sqs-jobs emulators`: the embedded SQS and DynamoDB on their own, for other processes to share
 * (several workers, `serverless offline`, a debugger) — the Docker-free stand-in for ElasticMQ and
 * DynamoDB Local. Both keep everything in memory.
 */
export function registerEmulatorsCommand(program: Command): void {
  program
    .command('emulators')
    .description('run the embedded SQS (EMBEDDED_SQS_PORT, 9324) and DynamoDB (EMBEDDED_DYNAMODB_PORT, 8000) until SIGINT/SIGTERM')
    .option('--no-dynamodb', 'start only the SQS emulator')
    .action(async (options: { dynamodb: boolean }, command: Command) => {
      const { config, logger } = createCliContext(command.optsWithGlobals<GlobalOptions>());
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on use, so processes that never need it (a worker: emulators, Express) stay small
      const { startEmbeddedSqs } = require('../../local/embedded-sqs') as typeof import('../../local/embedded-sqs');
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on use, so processes that never need it (a worker: emulators, Express) stay small
      const { startEmbeddedDynamoDb } = require('../../local/embedded-dynamodb') as typeof import('../../local/embedded-dynamodb');
      const sqs = await startEmbeddedSqs({ host: config.EMBEDDED_SQS_HOST, port: config.EMBEDDED_SQS_PORT });
      const dynamo = options.dynamodb
        ? await startEmbeddedDynamoDb({ host: config.EMBEDDED_SQS_HOST, port: config.EMBEDDED_DYNAMODB_PORT }).catch(async (error: unknown) => {
            await sqs.close();
            throw error;
          })
        : undefined;
      logger.info({ sqs: sqs.endpoint, dynamodb: dynamo?.endpoint }, 'emulators listening (in memory)');
      exitOnShutdownSignals(async () => {
        await sqs.close();
        await dynamo?.close();
      }, logger);
    });
}
