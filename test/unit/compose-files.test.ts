import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseHocon } from '@pushcorn/hocon-parser';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { buildProgram } from '../../src/cli/main';
import { CONFIG_KEYS, loadConfig } from '../../src/config';
import { defineJob } from '../../src/jobs/define-job';
import { loadRegistry } from '../../src/jobs/registry';
import { elasticMqConfUpToDate, renderElasticMqConf } from '../../src/local/elasticmq-conf';
import { maxReceiveCountFor } from '../../src/queues/naming';
import { PROJECT_ROOT } from '../helpers/child-process';

interface Service {
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  volumes?: string[];
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
}

const compose = parseYaml(readFileSync(join(PROJECT_ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as { services: Record<string, Service> };
const jobs = loadRegistry(join(PROJECT_ROOT, 'handlers')).jobs;
const APP_SERVICES = ['api', 'worker', 'scheduler'];
const AWS_CREDENTIALS = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'];

/** `${NAME:-default}` as compose resolves it with NAME unset. */
const resolved = (environment: Record<string, string> = {}) =>
  Object.fromEntries(Object.entries(environment).map(([key, value]) => [key, value.replace(/\$\{\w+:-([^}]*)\}/g, '$1')]));

/** Docker is not available here: the compose stack is checked against the project instead of run. */
describe('docker-compose.yml', () => {
  it('has elasticmq, dynamodb, api, worker and scheduler, each with a healthcheck', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['api', 'dynamodb', 'elasticmq', 'scheduler', 'worker']);
    for (const [name, service] of Object.entries(compose.services)) expect({ name, healthcheck: service.healthcheck?.test.length }).toEqual({ name, healthcheck: expect.any(Number) as number });
  });

  it('runs real CLI commands, after their dependencies are healthy', () => {
    const commands = buildProgram().commands.map((command) => command.name());
    for (const name of APP_SERVICES) {
      const service = compose.services[name] ?? {};
      expect(commands).toContain(service.command?.[0]);
      expect(Object.values(service.depends_on ?? {}).map((dependency) => dependency.condition)).toEqual(expect.arrayContaining(['service_healthy']));
    }
    expect(Object.keys(compose.services.api?.depends_on ?? {}).sort()).toEqual(['dynamodb', 'elasticmq']);
  });

  it('gives the app only settings the configuration knows, and valid ones', () => {
    for (const name of APP_SERVICES) {
      const environment = resolved(compose.services[name]?.environment);
      expect(Object.keys(environment).filter((key) => !CONFIG_KEYS.includes(key) && !AWS_CREDENTIALS.includes(key))).toEqual([]);
      expect(() => loadConfig(environment)).not.toThrow();
    }
  });

  it('wires ports and endpoints consistently', () => {
    const api = resolved(compose.services.api?.environment);
    const worker = resolved(compose.services.worker?.environment);
    expect(compose.services.api?.ports).toEqual([`${api.PORT}:${api.PORT}`]);
    expect(new URL(api.SQS_ENDPOINT ?? '').host).toBe(`elasticmq:${compose.services.elasticmq?.ports?.[0]?.split(':')[1]}`);
    expect(new URL(api.DYNAMODB_ENDPOINT ?? '').host).toBe(`dynamodb:${compose.services.dynamodb?.ports?.[0]?.split(':')[1]}`);
    expect(compose.services.worker?.healthcheck?.test.join(' ')).toContain(`:${worker.METRICS_PORT}/metrics`);
    expect(compose.services.elasticmq?.volumes).toEqual(['./elasticmq.conf:/opt/elasticmq.conf:ro']);
  });
});

describe('Dockerfile', () => {
  const dockerfile = readFileSync(join(PROJECT_ROOT, 'Dockerfile'), 'utf8');
  const finalStage = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));

  it('builds in one stage and runs production dependencies only, as a non-root user, in another', () => {
    expect(dockerfile.match(/^FROM /gm)).toHaveLength(2);
    expect(dockerfile).toMatch(/npm prune --omit=dev/);
    expect(finalStage).toMatch(/^USER node$/m);
    expect(finalStage).not.toMatch(/npm (ci|install)/);
    expect(finalStage).toMatch(/ENTRYPOINT \["node", "dist\/src\/cli\/main\.js"\]/);
  });
});

describe('elasticmq.conf', () => {
  const path = join(PROJECT_ROOT, 'elasticmq.conf');

  it('declares every job queue and DLQ with the redrive policy and visibility provisioning uses', async () => {
    // classpath includes resolve inside ElasticMQ only.
    const text = readFileSync(path, 'utf8').replace(/^include .*$/m, '');
    const conf = (await parseHocon({ text })) as { queues: Record<string, { defaultVisibilityTimeout?: string; deadLettersQueue?: { name: string; maxReceiveCount: number } }> };
    for (const job of jobs) {
      expect(conf.queues[job.name]).toEqual({
        defaultVisibilityTimeout: `${job.visibilityTimeoutSeconds} seconds`,
        deadLettersQueue: { name: `${job.name}-dlq`, maxReceiveCount: maxReceiveCountFor(job) },
      });
      expect(conf.queues[`${job.name}-dlq`]).toEqual({});
    }
    expect(Object.keys(conf.queues)).toHaveLength(jobs.length * 2);
  });

  it('is up to date with handlers/ (regenerate with npm run generate:elasticmq)', () => {
    expect(elasticMqConfUpToDate(path, jobs)).toBe(true);
  });

  it('goes out of date when a job is added, and is current again once regenerated', () => {
    const added = defineJob({ name: 'added-later', payload: z.object({}), timeoutSeconds: 5, handler: () => Promise.resolve() });
    expect(elasticMqConfUpToDate(path, [...jobs, added])).toBe(false);
    const directory = mkdtempSync(join(tmpdir(), 'elasticmq-conf-'));
    try {
      const regenerated = join(directory, 'elasticmq.conf');
      writeFileSync(regenerated, renderElasticMqConf([...jobs, added]));
      expect(elasticMqConfUpToDate(regenerated, [...jobs, added])).toBe(true);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
