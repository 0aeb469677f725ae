import { loadConfig } from '../../config';
import type { JobStore } from '../../store/job-store';
import { jobStoreFromConfig } from '../../store/job-store-from-config';

let store: JobStore | undefined;

/** The job table the runtime writes to (JOB_TABLE, DYNAMODB_ENDPOINT), for handlers that maintain it. One per process. */
export function jobStoreFromEnv(): JobStore {
  store ??= jobStoreFromConfig(loadConfig(process.env));
  return store;
}
