import { Cron } from 'croner';
import type { z } from 'zod';
import { JobDefinitionError } from '../errors';

/** `catchUp: true` replays at most this many missed ticks. */
export const DEFAULT_CATCH_UP_TICKS = 10;
export const MAX_CATCH_UP_TICKS = 1_000;

export interface ScheduleDefinition<Input> {
  /** 5 fields (minute precision) or 6 with leading seconds, as croner reads them. */
  cron: string;
  /** IANA time zone the expression is read in; default UTC. */
  timezone?: string;
  /** The payload each tick enqueues; default `{}`. Checked against the job's schema at load. */
  payload?: Input;
  /** Replay ticks missed while no scheduler ran: `true` = the last 10, a number = the last N. Default: none. */
  catchUp?: boolean | number;
}

export interface JobSchedule {
  cron: string;
  timezone: string;
  payload: unknown;
  catchUpTicks: number;
}

function isList<T>(value: T | readonly T[]): value is readonly T[] {
  return Array.isArray(value);
}

/** Validates a job's schedules at load: cron and time zone parse, payloads match the schema. */
export function normalizeSchedules<Schema extends z.ZodType>(
  jobName: string,
  schema: Schema,
  schedule: ScheduleDefinition<z.input<Schema>> | readonly ScheduleDefinition<z.input<Schema>>[] | undefined,
): JobSchedule[] {
  const list: readonly ScheduleDefinition<z.input<Schema>>[] = schedule === undefined ? [] : isList(schedule) ? schedule : [schedule];
  return list.map((entry, index) => {
    const where = `job '${jobName}' schedule ${list.length > 1 ? `#${index + 1} ` : ''}(${entry.cron})`;
    const timezone = entry.timezone ?? 'UTC';
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: timezone });
    } catch {
      throw new JobDefinitionError(`${where}: unknown time zone '${timezone}'`);
    }
    try {
      new Cron(entry.cron, { timezone, paused: true }).stop();
    } catch (error) {
      throw new JobDefinitionError(`${where}: ${(error as Error).message}`);
    }
    const payload: unknown = entry.payload ?? {};
    const checked = schema.safeParse(payload);
    if (!checked.success) {
      const issues = checked.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ');
      throw new JobDefinitionError(`${where}: payload does not match the job's schema: ${issues}`);
    }
    const catchUp = entry.catchUp ?? false;
    const catchUpTicks = catchUp === true ? DEFAULT_CATCH_UP_TICKS : catchUp === false ? 0 : catchUp;
    if (!Number.isInteger(catchUpTicks) || catchUpTicks < 0 || catchUpTicks > MAX_CATCH_UP_TICKS) {
      throw new JobDefinitionError(`${where}: catchUp must be true, false or an integer from 0 to ${MAX_CATCH_UP_TICKS}`);
    }
    return Object.freeze({ cron: entry.cron, timezone, payload, catchUpTicks });
  });
}
