import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import JSZip from 'jszip';
import type { AnyJob } from '../../src/jobs/define-job';
import { loadRegistry } from '../../src/jobs/registry';
import { logicalName, planJobLambda } from '../../src/lambda/serverless-config';
import { maxReceiveCountFor } from '../../src/queues/naming';
import { toAwsCron } from '../../src/scheduler/aws-cron';
import { PROJECT_ROOT, spawnProcess } from '../helpers/child-process';

type Resource = { Type: string; Properties: Record<string, unknown> };
type Statement = { Action: string[]; Resource: unknown[] };
const getAtt = (id: string) => ({ 'Fn::GetAtt': [id, 'Arn'] });

/** The AWS API calls the SDK command classes in a bundle stand for, as IAM actions. */
const IAM_ACTION_OF_COMMAND: Record<string, string> = {
  ChangeMessageVisibilityCommand: 'sqs:ChangeMessageVisibility',
  ChangeMessageVisibilityBatchCommand: 'sqs:ChangeMessageVisibility',
  DeleteMessageCommand: 'sqs:DeleteMessage',
  DeleteMessageBatchCommand: 'sqs:DeleteMessage',
  GetQueueAttributesCommand: 'sqs:GetQueueAttributes',
  GetQueueUrlCommand: 'sqs:GetQueueUrl',
  ReceiveMessageCommand: 'sqs:ReceiveMessage',
  SendMessageCommand: 'sqs:SendMessage',
  SendMessageBatchCommand: 'sqs:SendMessage',
  CreateQueueCommand: 'sqs:CreateQueue',
  SetQueueAttributesCommand: 'sqs:SetQueueAttributes',
  PurgeQueueCommand: 'sqs:PurgeQueue',
  StartMessageMoveTaskCommand: 'sqs:StartMessageMoveTask',
  GetCommand: 'dynamodb:GetItem',
  PutCommand: 'dynamodb:PutItem',
  UpdateCommand: 'dynamodb:UpdateItem',
  DeleteCommand: 'dynamodb:DeleteItem',
  QueryCommand: 'dynamodb:Query',
  ScanCommand: 'dynamodb:Scan',
  BatchWriteCommand: 'dynamodb:BatchWriteItem',
  DescribeTableCommand: 'dynamodb:DescribeTable',
  CreateTableCommand: 'dynamodb:CreateTable',
  UpdateTimeToLiveCommand: 'dynamodb:UpdateTimeToLive',
  DescribeTimeToLiveCommand: 'dynamodb:DescribeTimeToLive',
};
/** What Lambda's event source mapping itself calls on the job queues. */
const EVENT_SOURCE_MAPPING_ACTIONS = ['sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ReceiveMessage'];

/**
 * `npm run package` (serverless package) with no AWS credentials and no network, then the
 * generated CloudFormation template and bundles checked against the job definitions.
 */
describe('serverless package', () => {
  const output = mkdtempSync(join(tmpdir(), 'sqs-jobs-package-'));
  const jobs: AnyJob[] = loadRegistry(join(PROJECT_ROOT, 'handlers')).jobs;
  let resources: Record<string, Resource>;
  let bundles: Map<string, string>;

  beforeAll(async () => {
    const run = spawnProcess(process.execPath, [join(PROJECT_ROOT, 'node_modules/serverless/bin/serverless.js'), 'package', '--stage', 'ci', '--package', output], {
      AWS_ACCESS_KEY_ID: '',
      AWS_SECRET_ACCESS_KEY: '',
      AWS_PROFILE: 'sqs-jobs-no-such-profile',
      AWS_CONFIG_FILE: '/dev/null',
      AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    });
    const { code } = await run.closed;
    if (code !== 0) throw new Error(`serverless package exited ${String(code)}:\n${run.stdout}\n${run.stderr}`);
    const template = JSON.parse(readFileSync(join(output, 'cloudformation-template-update-stack.json'), 'utf8')) as { Resources: Record<string, Resource> };
    resources = template.Resources;
    bundles = new Map();
    for (const name of [...jobs.map((job) => job.name), 'http_api']) {
      const zip = await JSZip.loadAsync(readFileSync(join(output, `${name}.zip`)));
      const script = Object.values(zip.files).find((file) => file.name.endsWith('.js'));
      bundles.set(name, (await script?.async('string')) ?? '');
    }
  }, 120_000);
  afterAll(() => {
    rmSync(output, { recursive: true, force: true });
  });

  it('has, for every job, a queue and DLQ with the definition\'s redrive policy and a Lambda-sized visibility', () => {
    for (const job of jobs) {
      const id = logicalName(job.name);
      const plan = planJobLambda(job);
      const fn = Object.values(resources).find((resource) => resource.Type === 'AWS::Lambda::Function' && resource.Properties.FunctionName === `sqs-jobs-ci-${job.name}`);
      expect(resources[`${id}Dlq`]).toMatchObject({ Type: 'AWS::SQS::Queue', Properties: { QueueName: `ci-${job.name}-dlq` } });
      expect(resources[`${id}Queue`]).toMatchObject({
        Type: 'AWS::SQS::Queue',
        Properties: {
          QueueName: `ci-${job.name}`,
          RedrivePolicy: { deadLetterTargetArn: getAtt(`${id}Dlq`), maxReceiveCount: maxReceiveCountFor(job) },
        },
      });
      expect(fn?.Properties.Timeout).toBe(plan.functionTimeoutSeconds);
      expect(resources[`${id}Queue`]?.Properties.VisibilityTimeout).toBeGreaterThanOrEqual(6 * plan.functionTimeoutSeconds);
    }
  });

  it('maps every job queue to its function with partial batch responses', () => {
    const mappings = Object.values(resources).filter((resource) => resource.Type === 'AWS::Lambda::EventSourceMapping');
    expect(mappings).toHaveLength(jobs.length);
    for (const job of jobs) {
      const mapping = mappings.find((candidate) => JSON.stringify(candidate.Properties.EventSourceArn) === JSON.stringify(getAtt(`${logicalName(job.name)}Queue`)));
      expect(mapping?.Properties).toMatchObject({
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        BatchSize: job.lambda.batchSize,
        ScalingConfig: { MaximumConcurrency: job.lambda.maximumConcurrency },
      });
    }
  });

  it('grants exactly the SQS and DynamoDB actions the bundled code and the event source mapping use', () => {
    const role = resources.IamRoleLambdaExecution as unknown as { Properties: { Policies: { PolicyDocument: { Statement: Statement[] } }[] } };
    const statements = role.Properties.Policies.flatMap((policy) => policy.PolicyDocument.Statement);
    const granted = new Set(statements.flatMap((statement) => statement.Action).filter((action) => /^(sqs|dynamodb):/.test(action)));
    const used = new Set(EVENT_SOURCE_MAPPING_ACTIONS);
    for (const code of bundles.values()) {
      for (const [command] of code.matchAll(/\b[A-Z][A-Za-z]+Command\b/g)) {
        const action = IAM_ACTION_OF_COMMAND[command];
        if (action) used.add(action);
      }
    }
    expect([...granted].sort()).toEqual([...used].sort());
    const onDlqs = statements.filter((statement) => statement.Resource.some((resource) => JSON.stringify(resource).includes('Dlq"')));
    expect(new Set(onDlqs.flatMap((statement) => statement.Action))).toEqual(new Set(['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage']));
  });

  it('turns every job schedule into an EventBridge Scheduler schedule that sends to the job\'s queue', () => {
    const scheduled = jobs.filter((job) => job.schedules.length > 0);
    expect(scheduled.map((job) => job.name)).toContain('nightly-cleanup');
    const schedules = Object.values(resources).filter((resource) => resource.Type === 'AWS::Scheduler::Schedule');
    expect(schedules).toHaveLength(scheduled.reduce((count, job) => count + job.schedules.length, 0));
    for (const job of scheduled) {
      job.schedules.forEach((schedule, index) => {
        expect(resources[`${logicalName(job.name)}Schedule${index + 1}`]?.Properties).toMatchObject({
          ScheduleExpression: toAwsCron(schedule.cron),
          ScheduleExpressionTimezone: schedule.timezone,
          Target: { Arn: getAtt(`${logicalName(job.name)}Queue`), RoleArn: getAtt('JobSchedulerRole'), Input: JSON.stringify(schedule.payload) },
        });
      });
    }
    expect(resources.NightlyCleanupSchedule1?.Properties.ScheduleExpression).toBe('cron(0 3 * * ? *)');
    const role = resources.JobSchedulerRole as unknown as { Properties: { Policies: { PolicyDocument: { Statement: { Action: string; Resource: unknown[] }[] } }[] } };
    const statements = role.Properties.Policies.flatMap((policy) => policy.PolicyDocument.Statement);
    expect(statements).toEqual([{ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: scheduled.map((job) => getAtt(`${logicalName(job.name)}Queue`)) }]);
  });

  it('builds one bundle per function, each job handler under 1 MiB', () => {
    const sizes = jobs.map((job) => ({ job: job.name, bytes: Buffer.byteLength(bundles.get(job.name) ?? '') }));
    expect(sizes.filter((size) => size.bytes === 0 || size.bytes >= 1_048_576)).toEqual([]);
    // Each job's bundle holds its own handler only; the API's holds them all.
    expect(bundles.get('log-message')).not.toContain('send-welcome-email');
    expect(bundles.get('http_api')).toContain('send-welcome-email');
    expect(statSync(join(output, 'http_api.zip')).size).toBeGreaterThan(0);
  });
});
