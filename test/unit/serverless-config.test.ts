import { z } from 'zod';
import { JobDefinitionError } from '../../src/errors';
import { defineJob } from '../../src/jobs/define-job';
import { logicalName, planJobLambda, serverlessFunctions } from '../../src/lambda/serverless-config';

const make = (overrides: Partial<Parameters<typeof defineJob>[0]> = {}) =>
  defineJob({ name: 'resize-image', payload: z.object({}), timeoutSeconds: 30, handler: () => Promise.resolve(), ...overrides });

describe('Lambda settings of a job', () => {
  it('default: batch of min(10, concurrency), 10 concurrent invocations, 512 MB', () => {
    expect(make().lambda).toEqual({ batchSize: 10, maximumConcurrency: 10, memorySizeMb: 512 });
    expect(make({ concurrency: 3 }).lambda.batchSize).toBe(3);
    expect(make({ lambda: { batchSize: 1, maximumConcurrency: 50, memorySizeMb: 1024 } }).lambda).toEqual({ batchSize: 1, maximumConcurrency: 50, memorySizeMb: 1024 });
  });

  it.each([
    [{ batchSize: 11 }, 'lambda.batchSize must be at most 10'],
    [{ maximumConcurrency: 1 }, 'lambda.maximumConcurrency must be at least 2 (the AWS minimum)'],
    [{ memorySizeMb: 64 }, 'lambda.memorySizeMb must be at least 128'],
  ])('rejects %j at load', (lambda, message) => {
    expect(() => make({ lambda })).toThrow(new JobDefinitionError(`invalid definition for job 'resize-image': ${message}`));
  });
});

describe('planJobLambda', () => {
  it('gives the function the job timeout plus a settling margin, and the queue 6 × that', () => {
    expect(planJobLambda(make({ timeoutSeconds: 30 }))).toMatchObject({ functionTimeoutSeconds: 40, queueVisibilityTimeoutSeconds: 240 });
    expect(planJobLambda(make({ timeoutSeconds: 0.5 }))).toMatchObject({ functionTimeoutSeconds: 11, queueVisibilityTimeoutSeconds: 66 });
  });

  it('keeps a longer visibility the job asked for', () => {
    expect(planJobLambda(make({ timeoutSeconds: 5, visibilityTimeoutSeconds: 600 })).queueVisibilityTimeoutSeconds).toBe(600);
  });

  it('refuses a job that cannot finish within Lambda\'s 900 s', () => {
    expect(() => planJobLambda(make({ timeoutSeconds: 1_200 }))).toThrow(/cannot run on Lambda \(at most 890 s\); run it on workers/);
  });

  it('names resources and functions after the job', () => {
    expect(logicalName('send-welcome-email')).toBe('SendWelcomeEmail');
    expect(Object.keys(serverlessFunctions([make()]))).toEqual(['resize-image', 'http_api']);
  });
});
