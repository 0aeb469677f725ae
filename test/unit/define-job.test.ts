import { z } from 'zod';
import { JobDefinitionError } from '../../src/errors';
import { defineJob, type JobDefinition } from '../../src/jobs/define-job';

const payload = z.object({ userId: z.string(), locale: z.string().default('en') });

function definition(overrides: Partial<JobDefinition<typeof payload, void>> = {}): JobDefinition<typeof payload, void> {
  return { name: 'send-email', payload, timeoutSeconds: 30, handler: () => Promise.resolve(), ...overrides };
}

describe('defineJob', () => {
  it('fills documented defaults: 3 attempts, exponential full-jitter backoff, visibility = timeout + 30', () => {
    const job = defineJob(definition());
    expect(job.retry).toEqual({ maxAttempts: 3, backoff: { baseSeconds: 10, factor: 2, maxSeconds: 900, jitter: 'full' } });
    expect(job.visibilityTimeoutSeconds).toBe(60);
    expect(job.concurrency).toBe(10);
    expect(Object.isFrozen(job)).toBe(true);
  });

  it('merges a partial backoff over the defaults', () => {
    const job = defineJob(definition({ retry: { maxAttempts: 5, backoff: { baseSeconds: 2 } } }));
    expect(job.retry.backoff).toEqual({ baseSeconds: 2, factor: 2, maxSeconds: 900, jitter: 'full' });
  });

  it('infers payload types: the handler gets the schema output (defaults applied)', async () => {
    let seen: { userId: string; locale: string } | undefined;
    const job = defineJob({
      ...definition(),
      handler: (input) => {
        seen = input;
        return Promise.resolve();
      },
    });
    await job.handler(job.payload.parse({ userId: 'u1' }), {} as never);
    expect(seen).toEqual({ userId: 'u1', locale: 'en' });
  });

  it.each([
    [{ name: 'Send_Email' }, "invalid definition for job 'Send_Email': name must be kebab-case"],
    [{ name: 'x'.repeat(61) }, 'name must be at most 60 characters'],
    [{ retry: { maxAttempts: 0 } }, 'retry.maxAttempts must be at least 1'],
    [{ retry: { maxAttempts: 1.5 } }, 'retry.maxAttempts must be an integer'],
    [{ timeoutSeconds: 0 }, 'timeoutSeconds must be greater than 0'],
    [{ timeoutSeconds: 43_200 }, 'timeoutSeconds must be at most 43170'],
    [{ visibilityTimeoutSeconds: 50_000 }, 'visibilityTimeoutSeconds must be at most 43200 (the SQS limit)'],
    [{ retry: { backoff: { maxSeconds: 1, baseSeconds: 5 } } }, 'retry.backoff.maxSeconds must be at least retry.backoff.baseSeconds'],
    [{ retry: { backoff: { factor: 0.5 } } }, 'retry.backoff.factor must be at least 1'],
    [{ concurrency: 0 }, 'concurrency must be at least 1'],
  ])('rejects %j with a clear message', (overrides, message) => {
    expect(() => defineJob(definition(overrides as Partial<JobDefinition<typeof payload, void>>))).toThrow(JobDefinitionError);
    expect(() => defineJob(definition(overrides as Partial<JobDefinition<typeof payload, void>>))).toThrow(message);
  });

  it('rejects a payload that is not a zod schema and a missing handler', () => {
    expect(() => defineJob(definition({ payload: {} as typeof payload }))).toThrow('payload must be a zod schema');
    expect(() => defineJob(definition({ handler: undefined as never }))).toThrow('handler must be a function');
  });
});
