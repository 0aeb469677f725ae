import type { Message } from '@aws-sdk/client-sqs';
import { jobIdOf, readStringAttribute, ATTR } from '../../../src/jobs/message-attributes';
import type { RunRecord } from '../../helpers/child-process';

export interface Tally {
  accepted: number;
  completed: number;
  deadLettered: number;
  /** Accepted but neither completed nor in the DLQ. */
  lost: number;
  /** Extra completed runs of jobs that had already completed (at-least-once delivery at work). */
  duplicated: number;
  lostJobIds: string[];
  /** error-code per dead-lettered jobId. */
  deadLetterCodes: Map<string, string>;
}

/** What became of every accepted job, from the handlers' run log and the DLQ's contents. */
export function tally(acceptedJobIds: readonly string[], runs: readonly RunRecord[], deadLetters: readonly Message[] = []): Tally {
  const endsPerJob = new Map<string, number>();
  for (const run of runs) if (run.event === 'end') endsPerJob.set(run.jobId, (endsPerJob.get(run.jobId) ?? 0) + 1);
  const deadLetterCodes = new Map(deadLetters.map((message) => [jobIdOf(message), readStringAttribute(message, ATTR.errorCode) ?? '']));
  const accepted = new Set(acceptedJobIds);
  let completed = 0;
  let duplicated = 0;
  let deadLettered = 0;
  const lostJobIds: string[] = [];
  for (const jobId of accepted) {
    const ends = endsPerJob.get(jobId) ?? 0;
    if (ends > 0) {
      completed += 1;
      duplicated += ends - 1;
    } else if (deadLetterCodes.has(jobId)) deadLettered += 1;
    else lostJobIds.push(jobId);
  }
  return { accepted: accepted.size, completed, deadLettered, lost: lostJobIds.length, duplicated, lostJobIds, deadLetterCodes };
}

/** The one line each scenario prints, whatever its assertions say next. */
export function printSummary(scenario: string, result: Tally, extra: Record<string, string | number> = {}): void {
  const fields = {
    accepted: result.accepted,
    completed: result.completed,
    'dead-lettered': result.deadLettered,
    lost: result.lost,
    duplicated: result.duplicated,
    ...extra,
  };
  const text = Object.entries(fields)
    .map(([name, value]) => `${name}=${String(value)}`)
    .join(' ');
  process.stdout.write(`[faults] ${scenario}: ${text}\n`);
}
