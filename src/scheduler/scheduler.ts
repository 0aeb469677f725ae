import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { Cron } from 'croner';
import type { AnyJob } from '../jobs/define-job';
import { enqueueJob } from '../jobs/enqueue';
import type { JobSchedule } from '../jobs/schedules';
import type { Logger } from '../observability/logger';
import type { QueueDirectory } from '../queues/provisioning';
import { type JobStore, queuedTransition } from '../store/job-store';
import { missedTicks } from './ticks';

export interface SchedulerOptions {
  sqs: SQSClient;
  directory: QueueDirectory;
  store: JobStore;
  jobs: readonly AnyJob[];
  logger: Logger;
  /** How long another scheduler's unconfirmed claim on a tick is waited for before taking it over. */
  claimPendingSeconds?: number;
}

/** A tick's claim outlives any catch-up window, so a replay never enqueues a tick twice. */
const CLAIM_CONFIRMED_TTL_SECONDS = 7 * 86_400;
const SEND_ATTEMPTS = 3;
/** setTimeout cannot wait longer than ~24.8 days; long waits are taken in steps. */
const MAX_SLEEP_MS = 3_600_000;

/** The deterministic id of a tick: two schedulers, or a restart, name the same tick the same way. */
export function tickJobId(jobName: string, tick: Date): string {
  return `${jobName}@${tick.toISOString()}`;
}

export function scheduleId(job: AnyJob, schedule: JobSchedule): string {
  return `${job.name}#${schedule.cron}#${schedule.timezone}`;
}

/**
 * Enqueues scheduled jobs at each tick, like Celery beat. Several schedulers may run at once:
 * each tick's jobId is `<job>@<tick ISO>`, and a tick is enqueued by whichever scheduler claims it
 * first in the job store (an idempotency claim, pending until the send succeeded, then confirmed);
 * the others see the claim and skip, or wait for a pending one and take over if its scheduler died.
 * Missed ticks are not replayed unless the schedule has `catchUp`.
 */
export class Scheduler {
  private readonly abort = new AbortController();
  private readonly instanceId = randomUUID();
  private loops: Promise<void>[] = [];

  constructor(private readonly options: SchedulerOptions) {}

  /** How many schedules there are; 0 means start() has nothing to run. */
  get scheduleCount(): number {
    return this.options.jobs.reduce((count, job) => count + job.schedules.length, 0);
  }

  start(): void {
    for (const job of this.options.jobs) {
      for (const schedule of job.schedules) this.loops.push(this.run(job, schedule));
      if (job.schedules.length > 0) {
        this.options.logger.info({ job: job.name, schedules: job.schedules.map((entry) => `${entry.cron} (${entry.timezone})`) }, 'scheduling');
      }
    }
  }

  /** Stops waiting for ticks; a tick being enqueued right now finishes first. */
  async stop(): Promise<void> {
    this.abort.abort();
    await Promise.all(this.loops);
    this.loops = [];
  }

  private get stopped(): boolean {
    return this.abort.signal.aborted;
  }

  private async run(job: AnyJob, schedule: JobSchedule): Promise<void> {
    const cron = new Cron(schedule.cron, { timezone: schedule.timezone, paused: true });
    const id = scheduleId(job, schedule);
    let from = new Date();
    if (schedule.catchUpTicks > 0) {
      const last = await this.options.store.getScheduleCursor(id).catch((error: unknown) => {
        this.options.logger.warn({ err: error, job: job.name }, 'cannot read the schedule cursor; no catch-up this time');
        return undefined;
      });
      const missed = last ? missedTicks(cron, last, from, schedule.catchUpTicks) : [];
      if (missed.length > 0) this.options.logger.info({ job: job.name, ticks: missed.length }, 'catching up missed ticks');
      for (const tick of missed) await this.enqueueTick(job, schedule, tick);
    }
    for (;;) {
      const tick = cron.nextRun(from);
      if (!tick || this.stopped) return;
      if (!(await this.sleepUntil(tick))) return;
      await this.enqueueTick(job, schedule, tick);
      from = tick;
    }
  }

  private async sleepUntil(tick: Date): Promise<boolean> {
    for (let wait = tick.getTime() - Date.now(); wait > 0; wait = tick.getTime() - Date.now()) {
      try {
        await sleep(Math.min(wait, MAX_SLEEP_MS), undefined, { signal: this.abort.signal });
      } catch {
        return false;
      }
    }
    return !this.stopped;
  }

  private async enqueueTick(job: AnyJob, schedule: JobSchedule, tick: Date): Promise<void> {
    const { store, logger } = this.options;
    const jobId = tickJobId(job.name, tick);
    const scope = `schedule:${job.name}`;
    const token = `${jobId}#${this.instanceId}`;
    const pendingSeconds = this.options.claimPendingSeconds ?? 30;
    const log = logger.child({ job: job.name, jobId, tick: tick.toISOString() });
    const waitUntil = Date.now() + (pendingSeconds + 5) * 1000;
    for (let attempt = 1; ; attempt += 1) {
      let claim;
      try {
        claim = await store.claimIdempotencyKey(scope, jobId, token, pendingSeconds);
      } catch (error) {
        // Without the store there is no dedupe; a tick enqueued twice keeps its jobId, a lost one is gone.
        log.warn({ err: error }, 'job store unreachable: enqueuing without dedupe');
        await this.send(job, schedule, jobId, log);
        return;
      }
      if (claim.jobId === token) {
        if (await this.send(job, schedule, jobId, log)) {
          await store.confirmIdempotencyKey(scope, jobId, token, CLAIM_CONFIRMED_TTL_SECONDS).catch((error: unknown) => log.warn({ err: error }, 'could not confirm the tick claim'));
          await store.setScheduleCursor(scheduleId(job, schedule), tick).catch((error: unknown) => log.warn({ err: error }, 'could not move the schedule cursor'));
        } else {
          await store.releaseIdempotencyKey(scope, jobId, token).catch(() => undefined);
        }
        return;
      }
      if (claim.confirmed) {
        log.debug('tick already enqueued by another scheduler');
        return;
      }
      if (Date.now() > waitUntil || this.stopped) {
        log.warn({ attempt }, 'another scheduler holds this tick without confirming it; giving up on it');
        return;
      }
      await sleep(1_000);
    }
  }

  /** Sends with a few retries; true once the job is in SQS. */
  private async send(job: AnyJob, schedule: JobSchedule, jobId: string, log: Logger): Promise<boolean> {
    const url = this.options.directory.get(job.name).queue.url;
    for (let attempt = 1; attempt <= SEND_ATTEMPTS; attempt += 1) {
      try {
        await enqueueJob(this.options.sqs, url, job, schedule.payload, { jobId });
        log.info('scheduled job enqueued');
        void this.options.store.recordTransition(queuedTransition(job.name, jobId)).catch(() => undefined);
        return true;
      } catch (error) {
        log.warn({ err: error, attempt }, 'could not enqueue the scheduled job');
        if (attempt < SEND_ATTEMPTS) await sleep(500 * attempt);
      }
    }
    log.error('scheduled job not enqueued; this tick is skipped');
    return false;
  }
}
