import { type DynamoDBDocumentClient, DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { isNamed, nowSeconds } from './dynamo-util';
import type { IdempotencyClaim } from './job-store';
import { TTL_ATTRIBUTE } from './provision-table';

/** A claim can be released or expire between our failed Put and the Get; then we try again. */
const CLAIM_ROUNDS = 3;

/**
 * Idempotency keys as items `idem#<scope>#<key> / idem` with the owning jobId. A claim is first
 * pending (short TTL) and becomes confirmed (full dedupe window) once its job is in SQS, so a
 * request that died half-way never blocks its key for long, and a duplicate is never told
 * "accepted" for a job that might not have been sent.
 */
export class DynamoIdempotencyKeys {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async claim(scope: string, key: string, jobId: string, pendingTtlSeconds: number): Promise<IdempotencyClaim> {
    const Key = itemKey(scope, key);
    for (let round = 0; round < CLAIM_ROUNDS; round += 1) {
      const now = nowSeconds();
      try {
        await this.doc.send(
          new PutCommand({
            TableName: this.tableName,
            Item: { ...Key, jobId, confirmed: false, [TTL_ATTRIBUTE]: now + pendingTtlSeconds },
            ConditionExpression: 'attribute_not_exists(#pk) OR #expiresAt < :now',
            ExpressionAttributeNames: { '#pk': 'pk', '#expiresAt': TTL_ATTRIBUTE },
            ExpressionAttributeValues: { ':now': now },
          }),
        );
        return { jobId, confirmed: false };
      } catch (error) {
        if (!isNamed(error, 'ConditionalCheckFailedException')) throw error;
      }
      const { Item: owner } = await this.doc.send(new GetCommand({ TableName: this.tableName, Key, ConsistentRead: true }));
      const ownerJobId: unknown = owner?.jobId;
      const expiresAt: unknown = owner?.[TTL_ATTRIBUTE];
      if (typeof ownerJobId === 'string' && typeof expiresAt === 'number' && expiresAt >= nowSeconds()) {
        return { jobId: ownerJobId, confirmed: owner?.confirmed === true };
      }
    }
    throw new Error(`idempotency key '${key}' (scope '${scope}') kept changing hands; try again`);
  }

  async confirm(scope: string, key: string, jobId: string, ttlSeconds: number): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: itemKey(scope, key),
        UpdateExpression: 'SET #confirmed = :true, #expiresAt = :expiresAt',
        ConditionExpression: '#jobId = :jobId',
        ExpressionAttributeNames: { '#confirmed': 'confirmed', '#expiresAt': TTL_ATTRIBUTE, '#jobId': 'jobId' },
        ExpressionAttributeValues: { ':true': true, ':expiresAt': nowSeconds() + ttlSeconds, ':jobId': jobId },
      }),
    );
  }

  async release(scope: string, key: string, jobId: string): Promise<void> {
    try {
      await this.doc.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: itemKey(scope, key),
          ConditionExpression: '#jobId = :jobId',
          ExpressionAttributeNames: { '#jobId': 'jobId' },
          ExpressionAttributeValues: { ':jobId': jobId },
        }),
      );
    } catch (error) {
      // Someone else owns the key (ours expired and was re-claimed), or it is gone already.
      if (!isNamed(error, 'ConditionalCheckFailedException')) throw error;
    }
  }
}

function itemKey(scope: string, key: string): { pk: string; sk: string } {
  return { pk: `idem#${scope}#${key}`, sk: 'idem' };
}
