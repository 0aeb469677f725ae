import { BatchWriteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { isNamed, nowSeconds } from './dynamo-util';
import { TTL_ATTRIBUTE } from './provision-table';

/** How long a schedule's cursor outlives its last tick: a scheduler down longer starts fresh. */
const CURSOR_TTL_SECONDS = 90 * 86_400;
/** BatchWriteItem takes at most 25 requests. */
const DELETE_BATCH = 25;

type Key = { pk: string; sk: string };

/**
 * Scheduler cursors (`sched#<schedule id> / cursor`: the last tick enqueued, for catch-up) and the
 * sweep of expired items. DynamoDB's TTL deletes within a day or two, but DynamoDB Local and
 * dynalite never do, so nightly-cleanup deletes what has expired.
 */
export class DynamoMaintenance {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async getScheduleCursor(scheduleId: string): Promise<Date | undefined> {
    const { Item } = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: cursorKey(scheduleId), ConsistentRead: true }));
    const tick: unknown = Item?.lastTick;
    return typeof tick === 'string' ? new Date(tick) : undefined;
  }

  /** Moves the cursor forward only: a late writer with an older tick changes nothing. */
  async setScheduleCursor(scheduleId: string, tick: Date): Promise<void> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...cursorKey(scheduleId), lastTick: tick.toISOString(), [TTL_ATTRIBUTE]: nowSeconds() + CURSOR_TTL_SECONDS },
          // ISO-8601 UTC strings of equal length sort as the instants they name.
          ConditionExpression: 'attribute_not_exists(#lastTick) OR #lastTick < :tick',
          ExpressionAttributeNames: { '#lastTick': 'lastTick' },
          ExpressionAttributeValues: { ':tick': tick.toISOString() },
        }),
      );
    } catch (error) {
      if (!isNamed(error, 'ConditionalCheckFailedException')) throw error;
    }
  }

  /** Deletes up to `limit` items whose `expiresAt` has passed; returns how many. */
  async deleteExpired(limit: number): Promise<number> {
    let deleted = 0;
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.doc.send(
        new ScanCommand({
          TableName: this.tableName,
          ProjectionExpression: '#pk, #sk',
          FilterExpression: '#expiresAt < :now',
          ExpressionAttributeNames: { '#pk': 'pk', '#sk': 'sk', '#expiresAt': TTL_ATTRIBUTE },
          ExpressionAttributeValues: { ':now': nowSeconds() },
          ExclusiveStartKey: startKey,
        }),
      );
      const keys = ((page.Items ?? []) as Key[]).slice(0, limit - deleted);
      for (let start = 0; start < keys.length; start += DELETE_BATCH) {
        deleted += await this.deleteBatch(keys.slice(start, start + DELETE_BATCH));
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey && deleted < limit);
    return deleted;
  }

  private async deleteBatch(keys: Key[]): Promise<number> {
    let pending = keys.map((key) => ({ DeleteRequest: { Key: key } }));
    for (let round = 0; pending.length > 0 && round < 5; round += 1) {
      const result = await this.doc.send(new BatchWriteCommand({ RequestItems: { [this.tableName]: pending } }));
      pending = (result.UnprocessedItems?.[this.tableName] ?? []) as typeof pending;
    }
    return keys.length - pending.length;
  }
}

function cursorKey(scheduleId: string): Key {
  return { pk: `sched#${scheduleId}`, sk: 'cursor' };
}
