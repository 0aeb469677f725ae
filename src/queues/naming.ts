import type { AnyJob } from '../jobs/define-job';

export const DLQ_SUFFIX = '-dlq';
/** DLQ retention: the SQS maximum, so operators have two weeks to inspect and redrive. */
export const DLQ_RETENTION_SECONDS = 1_209_600;

/**
 * Receives allowed beyond maxAttempts before SQS's own RedrivePolicy moves a message.
 * The runtime dead-letters explicitly on the last attempt, so the policy is only a safety net for
 * receives that never reached a verdict: a worker killed mid-job, a graceful shutdown releasing an
 * unstarted message, a DLQ send that failed. Without the margin such receives would steal attempts
 * and the message would reach the DLQ with no error attributes.
 */
export const RECEIVE_COUNT_MARGIN = 3;

export interface JobQueueNames {
  queueName: string;
  dlqName: string;
}

export function queueNamesFor(jobName: string, prefix: string): JobQueueNames {
  return { queueName: `${prefix}${jobName}`, dlqName: `${prefix}${jobName}${DLQ_SUFFIX}` };
}

export function maxReceiveCountFor(job: AnyJob): number {
  return job.retry.maxAttempts + RECEIVE_COUNT_MARGIN;
}

/** The attributes provisioning sets on a job's main queue, derived from its definition only. */
export function mainQueueAttributes(job: AnyJob, dlqArn: string): Record<string, string> {
  return {
    VisibilityTimeout: String(job.visibilityTimeoutSeconds),
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: maxReceiveCountFor(job) }),
  };
}

export function deadLetterQueueAttributes(): Record<string, string> {
  return { MessageRetentionPeriod: String(DLQ_RETENTION_SECONDS) };
}
