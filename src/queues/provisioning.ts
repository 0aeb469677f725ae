import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  type SQSClient,
  SetQueueAttributesCommand,
} from '@aws-sdk/client-sqs';
import type { AnyJob } from '../jobs/define-job';
import { MissingQueueError, UnknownJobError } from '../errors';
import { deadLetterQueueAttributes, mainQueueAttributes, queueNamesFor } from './naming';

export interface QueueRef {
  name: string;
  url: string;
  arn: string;
}

export interface JobQueues {
  jobName: string;
  queue: QueueRef;
  dlq: QueueRef;
}

export type ProvisionAction = 'created' | 'updated' | 'unchanged';

export interface ProvisionChange {
  queueName: string;
  action: ProvisionAction;
  changedAttributes: string[];
}

/** Queue URLs and ARNs per job, as the endpoint reported them (never built by hand). */
export class QueueDirectory {
  private readonly byJob: ReadonlyMap<string, JobQueues>;

  constructor(entries: readonly JobQueues[]) {
    this.byJob = new Map(entries.map((entry) => [entry.jobName, entry]));
  }

  get(jobName: string): JobQueues {
    const entry = this.byJob.get(jobName);
    if (!entry) throw new UnknownJobError(jobName, [...this.byJob.keys()]);
    return entry;
  }

  find(jobName: string): JobQueues | undefined {
    return this.byJob.get(jobName);
  }

  all(): JobQueues[] {
    return [...this.byJob.values()];
  }
}

/**
 * Creates or updates every job's queue and DLQ so their attributes match the definitions.
 * Idempotent: a second run reports `unchanged`; a changed definition reports `updated`.
 */
export async function provisionQueues(
  sqs: SQSClient,
  jobs: readonly AnyJob[],
  prefix: string,
): Promise<{ directory: QueueDirectory; changes: ProvisionChange[] }> {
  const changes: ProvisionChange[] = [];
  const entries: JobQueues[] = [];
  for (const job of jobs) {
    const names = queueNamesFor(job.name, prefix);
    const dlq = await ensureQueue(sqs, names.dlqName, deadLetterQueueAttributes(), changes);
    const queue = await ensureQueue(sqs, names.queueName, mainQueueAttributes(job, dlq.arn), changes);
    entries.push({ jobName: job.name, queue, dlq });
  }
  return { directory: new QueueDirectory(entries), changes };
}

/** Looks up existing queues without creating anything; fails clearly when one is missing. */
export async function resolveQueues(sqs: SQSClient, jobs: readonly AnyJob[], prefix: string): Promise<QueueDirectory> {
  const entries = await Promise.all(
    jobs.map(async (job) => {
      const names = queueNamesFor(job.name, prefix);
      const [queue, dlq] = await Promise.all([lookupQueue(sqs, names.queueName), lookupQueue(sqs, names.dlqName)]);
      if (!queue) throw new MissingQueueError(names.queueName);
      if (!dlq) throw new MissingQueueError(names.dlqName);
      return { jobName: job.name, queue, dlq };
    }),
  );
  return new QueueDirectory(entries);
}

async function ensureQueue(
  sqs: SQSClient,
  name: string,
  desired: Record<string, string>,
  changes: ProvisionChange[],
): Promise<QueueRef> {
  const existing = await lookupQueue(sqs, name);
  if (!existing) {
    const created = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: desired }));
    if (!created.QueueUrl) throw new Error(`CreateQueue for '${name}' returned no QueueUrl`);
    changes.push({ queueName: name, action: 'created', changedAttributes: Object.keys(desired) });
    return { name, url: created.QueueUrl, arn: await queueArn(sqs, created.QueueUrl) };
  }
  const current = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: existing.url, AttributeNames: ['All'] }),
  );
  const currentAttributes: Record<string, string | undefined> = current.Attributes ?? {};
  const changed = Object.keys(desired).filter((key) => !sameAttribute(key, currentAttributes[key], desired[key]));
  if (changed.length > 0) {
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl: existing.url, Attributes: desired }));
  }
  changes.push({ queueName: name, action: changed.length > 0 ? 'updated' : 'unchanged', changedAttributes: changed });
  return existing;
}

async function lookupQueue(sqs: SQSClient, name: string): Promise<QueueRef | undefined> {
  try {
    const found = await sqs.send(new GetQueueUrlCommand({ QueueName: name }));
    if (!found.QueueUrl) return undefined;
    return { name, url: found.QueueUrl, arn: await queueArn(sqs, found.QueueUrl) };
  } catch (error) {
    if (isQueueMissing(error)) return undefined;
    throw error;
  }
}

async function queueArn(sqs: SQSClient, url: string): Promise<string> {
  const result = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }));
  const arn = result.Attributes?.QueueArn;
  if (!arn) throw new Error(`queue ${url} reported no QueueArn`);
  return arn;
}

function isQueueMissing(error: unknown): boolean {
  const name = (error as { name?: unknown } | null)?.name;
  return name === 'QueueDoesNotExist' || name === 'AWS.SimpleQueueService.NonExistentQueue';
}

/** RedrivePolicy comes back as JSON with arbitrary key order and number/string types. */
function sameAttribute(key: string, current: string | undefined, desired: string | undefined): boolean {
  if (current === desired) return true;
  if (key !== 'RedrivePolicy' || current === undefined || desired === undefined) return false;
  try {
    const a = JSON.parse(current) as Record<string, unknown>;
    const b = JSON.parse(desired) as Record<string, unknown>;
    return a.deadLetterTargetArn === b.deadLetterTargetArn && Number(a.maxReceiveCount) === Number(b.maxReceiveCount);
  } catch {
    return false;
  }
}
