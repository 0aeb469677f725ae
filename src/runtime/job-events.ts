import type { AnyJob } from '../jobs/define-job';
import type { Logger } from '../observability/logger';
import type { JobOutcome } from './process-message';

export interface JobStartedEvent {
  job: AnyJob;
  jobId: string;
  attempt: number;
  messageId: string;
  /** Times the message was redriven from the DLQ (the `redrive-count` attribute), 0 if never. */
  redriveCount: number;
  enqueuedAt?: Date;
  traceId?: string;
}

export interface JobSettledEvent extends Omit<JobStartedEvent, 'attempt' | 'jobId' | 'messageId'> {
  outcome: JobOutcome;
}

/**
 * Observers of processMessage: metrics and the job-status store. They run on the hot path, so
 * they must return at once (queue any I/O) and must not throw; `combineJobEvents` guards both.
 */
export interface JobEvents {
  jobStarted(event: JobStartedEvent): void;
  jobSettled(event: JobSettledEvent): void;
}

export function combineJobEvents(logger: Logger, ...listeners: (JobEvents | undefined)[]): JobEvents {
  const active = listeners.filter((listener): listener is JobEvents => listener !== undefined);
  const each = (notify: (listener: JobEvents) => void): void => {
    for (const listener of active) {
      try {
        notify(listener);
      } catch (error) {
        logger.warn({ err: error }, 'job event listener failed; the job is not affected');
      }
    }
  };
  return {
    jobStarted: (event) => {
      each((listener) => listener.jobStarted(event));
    },
    jobSettled: (event) => {
      each((listener) => listener.jobSettled(event));
    },
  };
}
