import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  type DynamoDBClient,
  ResourceInUseException,
  ResourceNotFoundException,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';

/** The item attribute DynamoDB's TTL deletes by; see DynamoJobStore. */
export const TTL_ATTRIBUTE = 'expiresAt';

/** The job table's keys (string pk + sk), for provisioning here and the CloudFormation template alike. */
export function jobTableKeySchema(): {
  AttributeDefinitions: { AttributeName: string; AttributeType: 'S' }[];
  KeySchema: { AttributeName: string; KeyType: 'HASH' | 'RANGE' }[];
} {
  return {
    AttributeDefinitions: [
      { AttributeName: 'pk', AttributeType: 'S' },
      { AttributeName: 'sk', AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ],
  };
}

const POLL_INTERVAL_MS = 250;
const ACTIVE_TIMEOUT_MS = 120_000;

/**
 * Creates the job store's table unless it exists, waits until it is usable and turns on TTL.
 * Safe to run on every start and from several processes at once.
 */
export async function provisionJobTable(client: DynamoDBClient, tableName: string): Promise<'created' | 'exists'> {
  let outcome: 'created' | 'exists' = 'created';
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        ...jobTableKeySchema(),
      }),
    );
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
    outcome = 'exists';
  }
  await waitUntilActive(client, tableName);
  await enableTtl(client, tableName);
  return outcome;
}

/**
 * A short poll rather than the SDK's waitUntilTableExists, whose 20 s minimum delay would make
 * every local start and test wait 20 s for a table that emulators create in milliseconds.
 */
async function waitUntilActive(client: DynamoDBClient, tableName: string): Promise<void> {
  const deadline = Date.now() + ACTIVE_TIMEOUT_MS;
  for (;;) {
    try {
      const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
      if (Table?.TableStatus === 'ACTIVE' || Table?.TableStatus === 'UPDATING') return;
    } catch (error) {
      // Right after CreateTable, DescribeTable may not see the table yet (eventual consistency).
      if (!(error instanceof ResourceNotFoundException)) throw error;
    }
    if (Date.now() > deadline) throw new Error(`table '${tableName}' did not become ACTIVE within ${ACTIVE_TIMEOUT_MS / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
  }
}

async function enableTtl(client: DynamoDBClient, tableName: string): Promise<void> {
  const { TimeToLiveDescription: ttl } = await client.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
  if (ttl?.AttributeName === TTL_ATTRIBUTE && (ttl.TimeToLiveStatus === 'ENABLED' || ttl.TimeToLiveStatus === 'ENABLING')) return;
  try {
    await client.send(
      new UpdateTimeToLiveCommand({ TableName: tableName, TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true } }),
    );
  } catch (error) {
    if (!(error instanceof Error)) throw error;
    // Another process enabled it since the describe above.
    if (error.name === 'ValidationException' && /already enabled/i.test(error.message)) return;
    // dynalite 4 has no UpdateTimeToLive at all (it answers UnknownOperationException, and its
    // DescribeTimeToLive always says DISABLED) and never expires items. Nothing is lost: the store
    // treats expired items as absent on read, so TTL there only reclaims space.
    if (error.name === 'UnknownOperationException') return;
    throw error;
  }
}
