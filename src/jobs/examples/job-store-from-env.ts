import { jobTableName, loadConfig } from '../../config';
import { createDynamoClient } from '../../store/dynamo-client';
import { DynamoJobStore } from '../../store/dynamo-job-store';
import type { JobStore } from '../../store/job-store';

let store: JobStore | undefined;

/** The job table the runtime writes to (JOB_TABLE, DYNAMODB_ENDPOINT), for handlers that maintain it. One per process. */
export function jobStoreFromEnv(): JobStore {
  if (!store) {
    const config = loadConfig(process.env);
    store = new DynamoJobStore({
      client: createDynamoClient({ endpoint: config.DYNAMODB_ENDPOINT, region: config.AWS_REGION }),
      tableName: jobTableName(config),
      jobTtlSeconds: config.JOB_STATUS_TTL_SECONDS,
    });
  }
  return store;
}
