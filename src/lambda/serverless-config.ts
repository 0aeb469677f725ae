import { JobDefinitionError } from '../errors';
import { type AnyJob, MAX_VISIBILITY_SECONDS } from '../jobs/define-job';
import { DLQ_RETENTION_SECONDS, maxReceiveCountFor } from '../queues/naming';
import { toAwsCron } from '../scheduler/aws-cron';
import { jobTableKeySchema, TTL_ATTRIBUTE } from '../store/provision-table';

/** Lambda's hard limit on a function's timeout. */
export const MAX_LAMBDA_TIMEOUT_SECONDS = 900;
/** Beyond the job's own timeout: settling the record (DLQ copy, visibility) and flushing status. */
export const FUNCTION_TIMEOUT_MARGIN_SECONDS = 10;
/** AWS: a queue feeding a Lambda needs a visibility timeout of at least 6 × the function timeout. */
export const VISIBILITY_PER_FUNCTION_TIMEOUT = 6;
export const SCHEDULER_ROLE = 'JobSchedulerRole';
/** Where the generated per-job entry modules live (see lambda-entries.ts). */
export const LAMBDA_ENTRY_DIR = '.sqs-jobs/lambda';
/** Job names are kebab-case, so an underscore can never collide with a job's function or entry. */
export const HTTP_FUNCTION_KEY = 'http_api';
export const HTTP_ENTRY = '_http';

/**
 * SQS calls the deployed code makes on job queues: the core (visibility for backoff and
 * heartbeat), enqueue from the API and ctx.enqueue (SendMessage, SendMessageBatch), queue lookup
 * and depths. Receiving and deleting is the event source mapping's, which the framework grants.
 */
export const QUEUE_ACTIONS = ['sqs:ChangeMessageVisibility', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'] as const;
/** On DLQs only the dead-letter copy, lookup and depth (health, metrics): nothing reads them at run time. */
export const DLQ_ACTIONS = ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'] as const;
/** Job store calls: status transitions, idempotency claims, worker presence, the readiness check, the expired-item sweep. */
export const RUNTIME_DYNAMODB_ACTIONS = [
  'dynamodb:BatchWriteItem',
  'dynamodb:DeleteItem',
  'dynamodb:DescribeTable',
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:Query',
  'dynamodb:Scan',
  'dynamodb:UpdateItem',
] as const;

export interface JobLambdaPlan {
  job: AnyJob;
  functionKey: string;
  functionTimeoutSeconds: number;
  queueVisibilityTimeoutSeconds: number;
}

/** `log-message` → `LogMessage`, for CloudFormation logical ids. */
export function logicalName(jobName: string): string {
  return jobName
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

export function planJobLambda(job: AnyJob): JobLambdaPlan {
  const functionTimeoutSeconds = Math.ceil(job.timeoutSeconds) + FUNCTION_TIMEOUT_MARGIN_SECONDS;
  if (functionTimeoutSeconds > MAX_LAMBDA_TIMEOUT_SECONDS) {
    throw new JobDefinitionError(
      `job '${job.name}': timeoutSeconds ${job.timeoutSeconds} cannot run on Lambda (at most ${MAX_LAMBDA_TIMEOUT_SECONDS - FUNCTION_TIMEOUT_MARGIN_SECONDS} s); run it on workers`,
    );
  }
  return {
    job,
    functionKey: job.name,
    functionTimeoutSeconds,
    queueVisibilityTimeoutSeconds: Math.min(
      MAX_VISIBILITY_SECONDS,
      Math.max(job.visibilityTimeoutSeconds, VISIBILITY_PER_FUNCTION_TIMEOUT * functionTimeoutSeconds),
    ),
  };
}

type CfnValue = string | number | boolean | CfnValue[] | { [key: string]: CfnValue };
type Cfn = Record<string, CfnValue>;

const arnOf = (logicalId: string): Cfn => ({ 'Fn::GetAtt': [logicalId, 'Arn'] });

export interface ServerlessNames {
  /** Queue name prefix on AWS, e.g. `sqs-jobs-prod-`. */
  queuePrefix: string;
  tableName: string;
}

/** CloudFormation resources: per job a queue and its DLQ with the redrive policy; one job table. */
export function serverlessResources(jobs: readonly AnyJob[], names: ServerlessNames): Cfn {
  const resources: Cfn = {};
  for (const job of jobs) {
    const plan = planJobLambda(job);
    const id = logicalName(job.name);
    resources[`${id}Dlq`] = {
      Type: 'AWS::SQS::Queue',
      Properties: { QueueName: `${names.queuePrefix}${job.name}-dlq`, MessageRetentionPeriod: DLQ_RETENTION_SECONDS },
    };
    resources[`${id}Queue`] = {
      Type: 'AWS::SQS::Queue',
      Properties: {
        QueueName: `${names.queuePrefix}${job.name}`,
        VisibilityTimeout: plan.queueVisibilityTimeoutSeconds,
        RedrivePolicy: { deadLetterTargetArn: arnOf(`${id}Dlq`), maxReceiveCount: maxReceiveCountFor(job) },
      },
    };
  }
  Object.assign(resources, scheduleResources(jobs, names));
  resources.JobTable = {
    Type: 'AWS::DynamoDB::Table',
    Properties: {
      TableName: names.tableName,
      BillingMode: 'PAY_PER_REQUEST',
      ...jobTableKeySchema(),
      TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
    },
  };
  return resources;
}

/**
 * Each job schedule as an EventBridge Scheduler schedule that sends the payload straight to the
 * job's queue, so scheduled runs get the same retries, backoff and DLQ as any other. Scheduler
 * (not an EventBridge rule) because it honours the schedule's time zone; its role may send to
 * exactly the scheduled queues.
 */
function scheduleResources(jobs: readonly AnyJob[], names: ServerlessNames): Cfn {
  const scheduled = jobs.filter((job) => job.schedules.length > 0);
  if (scheduled.length === 0) return {};
  const resources: Cfn = {};
  for (const job of scheduled) {
    const id = logicalName(job.name);
    job.schedules.forEach((schedule, index) => {
      let expression: string;
      try {
        expression = toAwsCron(schedule.cron);
      } catch (error) {
        throw new JobDefinitionError(`job '${job.name}': schedule ${(error as Error).message}`);
      }
      resources[`${id}Schedule${index + 1}`] = {
        Type: 'AWS::Scheduler::Schedule',
        Properties: {
          Name: `${names.queuePrefix}${job.name}-${index + 1}`,
          Description: `${job.name}: ${schedule.cron} (${schedule.timezone})`,
          ScheduleExpression: expression,
          ScheduleExpressionTimezone: schedule.timezone,
          FlexibleTimeWindow: { Mode: 'OFF' },
          Target: { Arn: arnOf(`${id}Queue`), RoleArn: arnOf(SCHEDULER_ROLE), Input: JSON.stringify(schedule.payload) },
        },
      };
    });
  }
  resources[SCHEDULER_ROLE] = {
    Type: 'AWS::IAM::Role',
    Properties: {
      AssumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Service: 'scheduler.amazonaws.com' },
            Action: 'sts:AssumeRole',
            Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
          },
        ],
      },
      Policies: [
        {
          PolicyName: 'send-scheduled-jobs',
          PolicyDocument: {
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: scheduled.map((job) => arnOf(`${logicalName(job.name)}Queue`)) }],
          },
        },
      ],
    },
  };
  return resources;
}

/** One function per job, triggered by its queue with partial batch responses; plus the HTTP API. */
export function serverlessFunctions(jobs: readonly AnyJob[]): Cfn {
  const functions: Cfn = {};
  for (const job of jobs) {
    const plan = planJobLambda(job);
    functions[plan.functionKey] = {
      handler: `${LAMBDA_ENTRY_DIR}/${job.name}.handler`,
      description: job.description ?? `sqs-jobs job '${job.name}'`,
      timeout: plan.functionTimeoutSeconds,
      memorySize: job.lambda.memorySizeMb,
      events: [
        {
          sqs: {
            arn: arnOf(`${logicalName(job.name)}Queue`),
            batchSize: job.lambda.batchSize,
            maximumBatchingWindow: 0,
            functionResponseType: 'ReportBatchItemFailures',
            maximumConcurrency: job.lambda.maximumConcurrency,
          },
        },
      ],
    };
  }
  functions[HTTP_FUNCTION_KEY] = {
    handler: `${LAMBDA_ENTRY_DIR}/${HTTP_ENTRY}.handler`,
    description: 'sqs-jobs HTTP API (enqueue, status, health, metrics)',
    timeout: 29,
    memorySize: 512,
    events: [{ httpApi: '*' }],
  };
  return functions;
}

/** Exactly the calls the runtime makes, on exactly the service's queues and table. */
export function serverlessIamStatements(jobs: readonly AnyJob[]): Cfn[] {
  const arns = (suffix: string) => jobs.map((job) => arnOf(`${logicalName(job.name)}${suffix}`));
  return [
    { Effect: 'Allow', Action: [...QUEUE_ACTIONS], Resource: arns('Queue') },
    { Effect: 'Allow', Action: [...DLQ_ACTIONS], Resource: arns('Dlq') },
    { Effect: 'Allow', Action: [...RUNTIME_DYNAMODB_ACTIONS], Resource: [arnOf('JobTable')] },
  ];
}
