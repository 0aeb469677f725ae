import { z } from 'zod';
import { JobDefinitionError } from '../../src/errors';
import { defineJob } from '../../src/jobs/define-job';
import type { ScheduleDefinition } from '../../src/jobs/schedules';

const payload = z.object({ scope: z.enum(['all', 'recent']).default('recent') });
const make = (schedule: ScheduleDefinition<z.input<typeof payload>> | ScheduleDefinition<z.input<typeof payload>>[]) =>
  defineJob({ name: 'sweep', payload, schedule, timeoutSeconds: 30, handler: () => Promise.resolve() });

describe('job schedules', () => {
  it('normalizes one or several schedules: UTC, {} payload, no catch-up by default', () => {
    expect(make({ cron: '0 3 * * *' }).schedules).toEqual([{ cron: '0 3 * * *', timezone: 'UTC', payload: {}, catchUpTicks: 0 }]);
    expect(
      make([
        { cron: '0 3 * * *', timezone: 'Europe/Berlin', payload: { scope: 'all' }, catchUp: true },
        { cron: '*/5 * * * *', catchUp: 3 },
      ]).schedules.map((schedule) => [schedule.timezone, schedule.catchUpTicks]),
    ).toEqual([
      ['Europe/Berlin', 10],
      ['UTC', 3],
    ]);
  });

  it.each([
    [{ cron: 'every day' }, /job 'sweep' schedule \(every day\): /],
    [{ cron: '0 3 * * *', timezone: 'Mars/Olympus' }, /unknown time zone 'Mars\/Olympus'/],
    [{ cron: '0 3 * * *', payload: { scope: 'none' } as never }, /payload does not match the job's schema: scope: /],
    [{ cron: '0 3 * * *', catchUp: -1 }, /catchUp must be true, false or an integer from 0 to 1000/],
  ])('rejects %j at load with a clear message', (schedule, message) => {
    expect(() => make(schedule)).toThrow(JobDefinitionError);
    expect(() => make(schedule)).toThrow(message);
  });
});
