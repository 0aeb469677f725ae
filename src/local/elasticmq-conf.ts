import { readFileSync } from 'node:fs';
import type { AnyJob } from '../jobs/define-job';
import { maxReceiveCountFor, queueNamesFor } from '../queues/naming';

export const ELASTICMQ_CONF_FILE = 'elasticmq.conf';
/** The compose service name: queue URLs ElasticMQ hands out must resolve inside the compose network. */
const ELASTICMQ_HOST = 'elasticmq';
const ELASTICMQ_PORT = 9324;

/**
 * ElasticMQ's configuration (HOCON) declaring every job's queue and DLQ with the same redrive
 * policy and visibility timeout as `sqs-jobs provision` creates, so `docker compose up` starts
 * with all queues in place. Generated, never edited: `npm run generate:elasticmq`.
 */
export function renderElasticMqConf(jobs: readonly AnyJob[], prefix = ''): string {
  const queues = [...jobs]
    .sort((left, right) => left.name.localeCompare(right.name))
    .flatMap((job) => {
      const { queueName, dlqName } = queueNamesFor(job.name, prefix);
      return [
        `  "${dlqName}" {}`,
        `  "${queueName}" {`,
        `    defaultVisibilityTimeout = ${job.visibilityTimeoutSeconds} seconds`,
        `    deadLettersQueue {`,
        `      name = "${dlqName}"`,
        `      maxReceiveCount = ${maxReceiveCountFor(job)}`,
        `    }`,
        `  }`,
      ];
    });
  return [
    '# Generated from the job definitions by `npm run generate:elasticmq`; do not edit.',
    '# A test fails when this file and handlers/ disagree.',
    'include classpath("application.conf")',
    '',
    'node-address {',
    '  protocol = http',
    `  host = ${ELASTICMQ_HOST}`,
    `  port = ${ELASTICMQ_PORT}`,
    '  context-path = ""',
    '}',
    '',
    'rest-sqs {',
    '  enabled = true',
    `  bind-port = ${ELASTICMQ_PORT}`,
    '  bind-hostname = "0.0.0.0"',
    '  sqs-limits = strict',
    '}',
    '',
    'queues {',
    ...queues,
    '}',
    '',
  ].join('\n');
}

/** Whether the committed file says what the definitions say. */
export function elasticMqConfUpToDate(path: string, jobs: readonly AnyJob[]): boolean {
  let committed: string;
  try {
    committed = readFileSync(path, 'utf8');
  } catch {
    return false;
  }
  return committed === renderElasticMqConf(jobs);
}
