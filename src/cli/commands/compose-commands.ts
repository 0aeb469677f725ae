import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { elasticMqConfUpToDate, ELASTICMQ_CONF_FILE, renderElasticMqConf } from '../../local/elasticmq-conf';
import { createCliContext, type GlobalOptions } from '../cli-context';

interface ElasticMqOptions {
  write?: string | true;
  check?: string | true;
}

/** `sqs-jobs elasticmq-conf`: the docker compose stack's ElasticMQ configuration, from the job definitions. */
export function registerComposeCommands(program: Command): void {
  program
    .command('elasticmq-conf')
    .description('print the ElasticMQ configuration (every job queue and DLQ with its redrive policy); --write saves it, --check compares')
    .option('--write [path]', `write it (default: ${ELASTICMQ_CONF_FILE})`)
    .option('--check [path]', `exit 1 when the file (default: ${ELASTICMQ_CONF_FILE}) is out of date`)
    .action((options: ElasticMqOptions, command: Command) => {
      const { registry } = createCliContext(command.optsWithGlobals<GlobalOptions>());
      const text = renderElasticMqConf(registry.jobs);
      if (options.check !== undefined) {
        const path = options.check === true ? ELASTICMQ_CONF_FILE : options.check;
        if (!elasticMqConfUpToDate(path, registry.jobs)) {
          // Exit 1 through the CLI's error path: one line on stderr.
          throw new Error(`${path} is out of date with the job definitions; run \`npm run generate:elasticmq\``);
        }
        process.stdout.write(`${path} is up to date\n`);
        return;
      }
      if (options.write !== undefined) {
        const path = options.write === true ? ELASTICMQ_CONF_FILE : options.write;
        writeFileSync(path, text);
        process.stdout.write(`wrote ${path} (${registry.jobs.length} jobs)\n`);
        return;
      }
      process.stdout.write(text);
    });
}
