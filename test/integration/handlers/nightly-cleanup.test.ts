import { existsSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { job } from '../../../handlers/nightly-cleanup';
import { DynamoJobStore } from '../../../src/store/dynamo-job-store';
import { transitionSequence } from '../../../src/store/job-store';
import { provisionTestStore, type TestStore } from '../../helpers/dynamo';
import { testJobContext } from '../../helpers/job-context';

/** nightly-cleanup against the real embedded DynamoDB and a real reports directory. */
describe('nightly-cleanup', () => {
  let store: TestStore;
  let reportsDir: string;

  beforeAll(async () => {
    store = await provisionTestStore();
    process.env.JOB_TABLE = store.tableName;
    reportsDir = mkdtempSync(join(tmpdir(), 'nightly-cleanup-'));
    process.env.REPORTS_DIR = reportsDir;
  });
  afterAll(async () => {
    await store.cleanup();
    rmSync(reportsDir, { recursive: true, force: true });
  });

  const transition = (jobId: string) => ({ jobId, job: 'log-message', status: 'succeeded' as const, sequence: transitionSequence('succeeded', 1), attempts: 1, at: new Date() });

  it('is scheduled nightly, deletes expired store items and old reports, keeps the rest', async () => {
    expect(job.schedules).toEqual([{ cron: '0 3 * * *', timezone: 'UTC', payload: {}, catchUpTicks: 0 }]);
    // A store whose writes expire at once stands in for records past their retention.
    const expired = new DynamoJobStore({ client: store.client, tableName: store.tableName, jobTtlSeconds: -60 });
    await expired.recordTransition(transition('old-1'));
    await expired.recordTransition(transition('old-2'));
    await store.store.recordTransition(transition('fresh'));
    const oldReport = join(reportsDir, 'old.csv');
    const newReport = join(reportsDir, 'new.csv');
    writeFileSync(oldReport, 'a,b\n');
    writeFileSync(newReport, 'a,b\n');
    const fortyDaysAgo = new Date(Date.now() - 40 * 86_400_000);
    utimesSync(oldReport, fortyDaysAgo, fortyDaysAgo);

    const result = await job.handler(job.payload.parse({}), testJobContext());

    expect(result).toEqual({ expiredItems: 2, oldReports: 1 });
    expect(await store.store.getJob('fresh')).toMatchObject({ status: 'succeeded' });
    expect([existsSync(oldReport), existsSync(newReport)]).toEqual([false, true]);
    // A second run finds nothing left to do.
    expect(await job.handler(job.payload.parse({}), testJobContext())).toEqual({ expiredItems: 0, oldReports: 0 });
  });
});
