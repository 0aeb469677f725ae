import { join } from 'node:path';
import { z } from 'zod';
import { JobDefinitionError, UnknownJobError } from '../../src/errors';
import { defineJob } from '../../src/jobs/define-job';
import { JobRegistry, loadRegistry } from '../../src/jobs/registry';

const jobNamed = (name: string) =>
  defineJob({ name, payload: z.object({}), timeoutSeconds: 1, handler: () => Promise.resolve() });

describe('job registry', () => {
  it('discovers every job in handlers/', () => {
    const registry = loadRegistry(join(__dirname, '..', '..', 'handlers'));
    expect(registry.names).toEqual(expect.arrayContaining(['log-message', 'send-welcome-email', 'deliver-webhook', 'generate-report']));
  });

  it('always includes the built-in ping job, which /health/jobs uses', () => {
    expect(loadRegistry(join(__dirname, '..', '..', 'handlers')).find('ping')).toBeDefined();
  });

  it('rejects duplicate job names', () => {
    expect(() => new JobRegistry([jobNamed('a'), jobNamed('a')])).toThrow("duplicate job name 'a'");
  });

  it('requires the file name to match the job name', () => {
    expect(() => loadRegistry(join(__dirname, '..', 'fixtures', 'bad-handlers', 'mismatch'))).toThrow(
      "defines job 'other-name'; rename the file or the job so they match",
    );
  });

  it('requires each handler module to export `job`', () => {
    expect(() => loadRegistry(join(__dirname, '..', 'fixtures', 'bad-handlers', 'no-export'))).toThrow(
      'must export `job` created with defineJob()',
    );
  });

  it('reports a missing directory clearly', () => {
    expect(() => loadRegistry('/nonexistent/handlers')).toThrow(JobDefinitionError);
  });

  it('selects jobs by a comma-separated list and names unknown ones', () => {
    const registry = new JobRegistry([jobNamed('a'), jobNamed('b'), jobNamed('c')]);
    expect(registry.select(' a, c ').map((job) => job.name)).toEqual(['a', 'c']);
    expect(registry.select(undefined).map((job) => job.name)).toEqual(['a', 'b', 'c']);
    expect(() => registry.select('a,zzz')).toThrow(UnknownJobError);
    expect(() => registry.select('a,zzz')).toThrow("unknown job 'zzz'; known jobs: a, b, c");
  });
});
