import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import type { AnyJob } from '../../src/jobs/define-job';
import { killAllSpawned } from './child-process';
import { testDynamoClient, uniqueTableName } from './dynamo';
import { provisionTestQueues, type TestQueues } from './sqs';

export interface ProcessBackends {
  /** This test's queues for the given jobs. */
  queues(): TestQueues;
  /** A job table name for the processes under test to create (`--provision`). */
  tableName: string;
}

/**
 * For tests of CLI processes: fresh queues per test and a table name; after each test every
 * spawned process is killed, then the queues and the table are deleted.
 */
export function useProcessBackends(jobs: readonly AnyJob[]): ProcessBackends {
  const tableName = uniqueTableName();
  const dynamo = testDynamoClient();
  let queues: TestQueues | undefined;
  beforeEach(async () => {
    queues = await provisionTestQueues(jobs);
  });
  afterEach(async () => {
    await killAllSpawned();
    await queues?.cleanup();
    await dynamo.send(new DeleteTableCommand({ TableName: tableName })).catch(() => undefined);
  });
  afterAll(() => {
    dynamo.destroy();
  });
  return {
    tableName,
    queues() {
      if (!queues) throw new Error('queues exist only inside tests');
      return queues;
    },
  };
}
