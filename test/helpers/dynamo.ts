import { randomBytes } from 'node:crypto';
import { DeleteTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createDynamoClient } from '../../src/store/dynamo-client';
import { DynamoJobStore } from '../../src/store/dynamo-job-store';
import { provisionJobTable } from '../../src/store/provision-table';

export function dynamoEndpoint(): string {
  const endpoint = process.env.DYNAMODB_ENDPOINT;
  if (!endpoint) throw new Error('DYNAMODB_ENDPOINT is not set; the jest globalSetup starts an embedded DynamoDB');
  return endpoint;
}

export function testDynamoClient(endpoint = dynamoEndpoint()): DynamoDBClient {
  return createDynamoClient({ endpoint, region: process.env.AWS_REGION ?? 'us-east-1' });
}

/** A table name no other test uses, so every test gets its own table. */
export function uniqueTableName(): string {
  return `t${randomBytes(5).toString('hex')}-jobs`;
}

export interface TestStore {
  store: DynamoJobStore;
  client: DynamoDBClient;
  tableName: string;
  /** Deletes the table and closes the store (and its client); call in afterEach/afterAll. */
  cleanup(): Promise<void>;
}

export async function provisionTestStore(options: { jobTtlSeconds?: number } = {}): Promise<TestStore> {
  const client = testDynamoClient();
  const tableName = uniqueTableName();
  await provisionJobTable(client, tableName);
  const store = new DynamoJobStore({ client, tableName, jobTtlSeconds: options.jobTtlSeconds ?? 3_600 });
  return {
    store,
    client,
    tableName,
    cleanup: async () => {
      try {
        await client.send(new DeleteTableCommand({ TableName: tableName }));
      } finally {
        store.close();
      }
    },
  };
}
