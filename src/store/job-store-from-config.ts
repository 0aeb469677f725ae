import { type AppConfig, jobTableName } from '../config';
import { createDynamoClient } from './dynamo-client';
import { DynamoJobStore } from './dynamo-job-store';

/** The job store the configuration names: JOB_TABLE (or its default) at DYNAMODB_ENDPOINT or AWS. */
export function jobStoreFromConfig(config: AppConfig): DynamoJobStore {
  return new DynamoJobStore({
    client: createDynamoClient({ endpoint: config.DYNAMODB_ENDPOINT, region: config.AWS_REGION }),
    tableName: jobTableName(config),
    jobTtlSeconds: config.JOB_STATUS_TTL_SECONDS,
  });
}
