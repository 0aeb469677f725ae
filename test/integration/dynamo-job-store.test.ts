import { DeleteTableCommand, DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { createDynamoClient } from '../../src/store/dynamo-client';
import { DynamoJobStore } from '../../src/store/dynamo-job-store';
import { type JobStatus, type JobTransition, transitionSequence } from '../../src/store/job-store';
import { provisionJobTable } from '../../src/store/provision-table';
import { provisionTestStore, type TestStore, testDynamoClient, uniqueTableName } from '../helpers/dynamo';

const T0 = new Date('2030-01-01T10:00:00.000Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);
const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000);

function transition(
  status: JobStatus,
  attempt: number,
  extra: Partial<JobTransition> & { redriveCount?: number } = {},
): JobTransition {
  const { redriveCount, ...rest } = extra;
  return {
    jobId: 'job-1',
    job: 'send-welcome-email',
    status,
    attempts: attempt,
    sequence: transitionSequence(status, attempt, redriveCount),
    at: T0,
    ...rest,
  };
}

const beat = (workerId: string, lastSeen: Date) => ({
  workerId,
  host: 'box-1',
  pid: 4242,
  jobs: ['send-welcome-email', 'generate-report'],
  startedAt: minutesAgo(60),
  at: lastSeen,
});

describe('DynamoJobStore', () => {
  let ctx: TestStore;
  beforeEach(async () => {
    ctx = await provisionTestStore();
  });
  afterEach(async () => {
    await ctx.cleanup();
  });

  describe('job status', () => {
    it('follows queued → running → failed → running → succeeded', async () => {
      const { store } = ctx;
      const enqueuedAt = at(-5);
      await store.recordTransition(transition('queued', 0, { enqueuedAt, traceId: 'trace-1' }));
      expect(await store.getJob('job-1')).toEqual({
        jobId: 'job-1',
        job: 'send-welcome-email',
        status: 'queued',
        attempts: 0,
        enqueuedAt: enqueuedAt.toISOString(),
        updatedAt: T0.toISOString(),
        traceId: 'trace-1',
      });

      await store.recordTransition(transition('running', 1, { at: at(1), enqueuedAt: at(-1), traceId: 'other' }));
      await store.recordTransition(
        transition('failed', 1, { at: at(2), error: { code: 'SMTP_DOWN', message: 'connection refused' }, nextAttemptAt: at(32), durationMs: 900 }),
      );
      expect(await store.getJob('job-1')).toMatchObject({
        status: 'failed',
        attempts: 1,
        startedAt: at(1).toISOString(),
        lastError: { code: 'SMTP_DOWN', message: 'connection refused' },
        nextAttemptAt: at(32).toISOString(),
        durationMs: 900,
        enqueuedAt: enqueuedAt.toISOString(),
        traceId: 'trace-1',
      });

      await store.recordTransition(transition('running', 2, { at: at(33) }));
      const running = await store.getJob('job-1');
      expect(running).toMatchObject({ status: 'running', attempts: 2, startedAt: at(33).toISOString() });
      expect(running?.nextAttemptAt).toBeUndefined();

      const result = { messageId: '<abc@example.com>', nested: { list: [1, 'two', null], empty: {} } };
      await store.recordTransition(transition('succeeded', 2, { at: at(34), result, durationMs: 120 }));
      expect(await store.getJob('job-1')).toEqual({
        jobId: 'job-1',
        job: 'send-welcome-email',
        status: 'succeeded',
        attempts: 2,
        enqueuedAt: enqueuedAt.toISOString(),
        startedAt: at(33).toISOString(),
        finishedAt: at(34).toISOString(),
        updatedAt: at(34).toISOString(),
        lastError: { code: 'SMTP_DOWN', message: 'connection refused' },
        result,
        durationMs: 120,
        traceId: 'trace-1',
      });
    });

    it('ignores a late queued after running, and an equal sequence from a second worker', async () => {
      const { store } = ctx;
      await store.recordTransition(transition('running', 1, { at: at(1) }));
      await store.recordTransition(transition('queued', 0, { at: at(2) }));
      expect(await store.getJob('job-1')).toMatchObject({ status: 'running', attempts: 1, updatedAt: at(1).toISOString() });

      await store.recordTransition(transition('running', 1, { at: at(3) }));
      expect(await store.getJob('job-1')).toMatchObject({ startedAt: at(1).toISOString(), updatedAt: at(1).toISOString() });

      await store.recordTransition(transition('succeeded', 1, { at: at(4), result: 'first' }));
      await store.recordTransition(transition('dead', 1, { at: at(5), error: { code: 'X', message: 'late' } }));
      const record = await store.getJob('job-1');
      expect(record).toMatchObject({ status: 'succeeded', result: 'first', finishedAt: at(4).toISOString() });
      expect(record?.lastError).toBeUndefined();
    });

    it('lets a redriven generation override a finished one', async () => {
      const { store } = ctx;
      await store.recordTransition(transition('dead', 5, { at: at(1), error: { code: 'BOOM', message: 'gave up' } }));
      await store.recordTransition(transition('running', 1, { at: at(60), redriveCount: 1 }));
      const running = await store.getJob('job-1');
      expect(running).toMatchObject({ status: 'running', attempts: 1, startedAt: at(60).toISOString() });
      expect(running?.finishedAt).toBeUndefined();

      await store.recordTransition(transition('succeeded', 1, { at: at(61), redriveCount: 1, result: 42 }));
      await store.recordTransition(transition('failed', 5, { at: at(62), error: { code: 'OLD', message: 'generation 0' } }));
      expect(await store.getJob('job-1')).toMatchObject({ status: 'succeeded', attempts: 1, result: 42, lastError: { code: 'BOOM' } });
    });

    it('returns undefined for unknown jobs and for jobs past their retention', async () => {
      expect(await ctx.store.getJob('nope')).toBeUndefined();
      // A negative retention writes an expiresAt in the past: emulators never delete, so reads must filter.
      const expired = new DynamoJobStore({ client: testDynamoClient(), tableName: ctx.tableName, jobTtlSeconds: -60 });
      try {
        await expired.recordTransition(transition('queued', 0, { jobId: 'old-job' }));
        expect(await ctx.store.getJob('old-job')).toBeUndefined();
      } finally {
        expired.close();
      }
    });
  });

  describe('idempotency keys', () => {
    const SCOPE = 'send-welcome-email';
    const claim = (jobId: string, pendingTtlSeconds = 60, key = 'k') => ctx.store.claimIdempotencyKey(SCOPE, key, jobId, pendingTtlSeconds);

    const realNow = Date.now.bind(Date);
    /** Sets the clock the store computes `now` from to `seconds` past the real one, without sleeping; undone in afterEach. */
    function advanceClock(seconds: number): void {
      jest.spyOn(Date, 'now').mockImplementation(() => realNow() + seconds * 1000);
    }
    afterEach(() => {
      jest.restoreAllMocks();
    });

    it('gives concurrent claimants the same single winner, pending until confirmed', async () => {
      const jobIds = Array.from({ length: 10 }, (_, index) => `job-${index}`);
      const owners = await Promise.all(jobIds.map((jobId) => claim(jobId, 3_600, 'user-7')));
      const winner = owners[0]?.jobId ?? '';
      expect(jobIds).toContain(winner);
      expect(owners).toEqual(jobIds.map(() => ({ jobId: winner, confirmed: false })));
      expect(await claim('job-late', 3_600, 'user-7')).toEqual({ jobId: winner, confirmed: false });
      // Scopes are independent.
      expect(await ctx.store.claimIdempotencyKey('generate-report', 'user-7', 'job-other', 3_600)).toEqual({ jobId: 'job-other', confirmed: false });
    });

    it('reports a new claim as pending, to its claimant and to a second claimant', async () => {
      expect(await claim('job-a')).toEqual({ jobId: 'job-a', confirmed: false });
      expect(await claim('job-b')).toEqual({ jobId: 'job-a', confirmed: false });
    });

    it('reports a confirmed claim to a second claimant as confirmed, with the first jobId', async () => {
      expect(await claim('job-a')).toEqual({ jobId: 'job-a', confirmed: false });
      await ctx.store.confirmIdempotencyKey(SCOPE, 'k', 'job-a', 3_600);
      expect(await claim('job-b')).toEqual({ jobId: 'job-a', confirmed: true });
      expect(await claim('job-c')).toEqual({ jobId: 'job-a', confirmed: true });
    });

    it('lets a pending claim whose TTL passed be claimed by someone else', async () => {
      // A negative pending TTL writes an expiresAt in the past: emulators never delete, so the claim must check it.
      expect(await claim('job-a', -1)).toEqual({ jobId: 'job-a', confirmed: false });
      expect(await claim('job-b')).toEqual({ jobId: 'job-b', confirmed: false });
      expect(await claim('job-c')).toEqual({ jobId: 'job-b', confirmed: false });

      // The same with the clock moved past a real pending TTL.
      expect(await claim('job-d', 60, 'k2')).toEqual({ jobId: 'job-d', confirmed: false });
      advanceClock(30);
      expect(await claim('job-e', 60, 'k2')).toEqual({ jobId: 'job-d', confirmed: false });
      advanceClock(61);
      expect(await claim('job-e', 60, 'k2')).toEqual({ jobId: 'job-e', confirmed: false });
    });

    it('keeps a confirmed claim past the pending TTL, until the confirmed TTL passes', async () => {
      expect(await claim('job-a', 60)).toEqual({ jobId: 'job-a', confirmed: false });
      await ctx.store.confirmIdempotencyKey(SCOPE, 'k', 'job-a', 3_600);
      advanceClock(120);
      expect(await claim('job-b', 60)).toEqual({ jobId: 'job-a', confirmed: true });
      advanceClock(3_599);
      expect(await claim('job-b', 60)).toEqual({ jobId: 'job-a', confirmed: true });
      advanceClock(3_601);
      expect(await claim('job-c', 60)).toEqual({ jobId: 'job-c', confirmed: false });
    });

    it('rejects a confirm by anyone but the owner, and leaves the claim as it was', async () => {
      expect(await claim('job-a')).toEqual({ jobId: 'job-a', confirmed: false });
      await expect(ctx.store.confirmIdempotencyKey(SCOPE, 'k', 'job-b', 3_600)).rejects.toMatchObject({ name: 'ConditionalCheckFailedException' });
      expect(await claim('job-c')).toEqual({ jobId: 'job-a', confirmed: false });
      // A key nobody claimed cannot be confirmed either.
      await expect(ctx.store.confirmIdempotencyKey(SCOPE, 'never-claimed', 'job-a', 3_600)).rejects.toMatchObject({
        name: 'ConditionalCheckFailedException',
      });
      expect(await claim('job-d', 60, 'never-claimed')).toEqual({ jobId: 'job-d', confirmed: false });
    });

    it('frees a key released by its owner, but not one released by anyone else', async () => {
      const { store } = ctx;
      expect(await claim('job-a', 3_600)).toEqual({ jobId: 'job-a', confirmed: false });
      await store.releaseIdempotencyKey(SCOPE, 'k', 'job-a');
      expect(await claim('job-b', 3_600)).toEqual({ jobId: 'job-b', confirmed: false });

      await store.releaseIdempotencyKey(SCOPE, 'k', 'job-a');
      expect(await claim('job-c', 3_600)).toEqual({ jobId: 'job-b', confirmed: false });
      await store.confirmIdempotencyKey(SCOPE, 'k', 'job-b', 3_600);
      await store.releaseIdempotencyKey(SCOPE, 'k', 'job-c');
      expect(await claim('job-c', 3_600)).toEqual({ jobId: 'job-b', confirmed: true });
      await store.releaseIdempotencyKey(SCOPE, 'missing', 'job-a');
    });
  });

  describe('workers', () => {
    it('lists recent beats, filters stale and expired ones, and forgets removed workers', async () => {
      const { store } = ctx;
      const fresh = minutesAgo(0.1);
      await store.recordWorkerBeat(beat('w-fresh', fresh), 60);
      await store.recordWorkerBeat(beat('w-stale', minutesAgo(5)), 600);
      await store.recordWorkerBeat(beat('w-expired', fresh), -1);

      expect(await store.listWorkers(minutesAgo(1))).toEqual([
        {
          workerId: 'w-fresh',
          host: 'box-1',
          pid: 4242,
          jobs: ['send-welcome-email', 'generate-report'],
          startedAt: expect.any(String) as unknown,
          lastSeenAt: fresh.toISOString(),
        },
      ]);
      const all = await store.listWorkers(minutesAgo(10));
      expect(all.map((worker) => worker.workerId).sort()).toEqual(['w-fresh', 'w-stale']);

      await store.recordWorkerBeat(beat('w-stale', new Date()), 600);
      expect((await store.listWorkers(minutesAgo(1))).map((worker) => worker.workerId).sort()).toEqual(['w-fresh', 'w-stale']);

      await store.removeWorker('w-fresh');
      await store.removeWorker('never-existed');
      expect((await store.listWorkers(minutesAgo(10))).map((worker) => worker.workerId)).toEqual(['w-stale']);
    });
  });

  describe('checkReady', () => {
    it('passes for a provisioned table', async () => {
      await expect(ctx.store.checkReady()).resolves.toBeUndefined();
    });

    it('names a missing table and its endpoint', async () => {
      const tableName = uniqueTableName();
      const store = new DynamoJobStore({ client: testDynamoClient(), tableName, jobTtlSeconds: 60 });
      try {
        await expect(store.checkReady()).rejects.toThrow(`job store table '${tableName}' not found at ${process.env.DYNAMODB_ENDPOINT ?? ''}`);
      } finally {
        store.close();
      }
    });

    it('fails fast when the endpoint is unreachable', async () => {
      // 2 s, not less: below 2 s the SDK arms a connection timer it never clears on ECONNREFUSED.
      const client = createDynamoClient({ endpoint: 'http://127.0.0.1:1', region: 'us-east-1', requestTimeoutMs: 2_000 });
      const store = new DynamoJobStore({ client, tableName: 'jobs', jobTtlSeconds: 60 });
      const started = Date.now();
      try {
        await expect(store.checkReady()).rejects.toThrow(/job store at http:\/\/127\.0\.0\.1:1 cannot be reached \(table 'jobs'\)/);
        expect(Date.now() - started).toBeLessThan(5_000);
      } finally {
        store.close();
      }
    });
  });
});

describe('provisionJobTable', () => {
  it('creates the table once and then finds it', async () => {
    const client = testDynamoClient();
    const tableName = uniqueTableName();
    try {
      expect(await provisionJobTable(client, tableName)).toBe('created');
      expect(await provisionJobTable(client, tableName)).toBe('exists');
      const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
      expect(Table?.TableStatus).toBe('ACTIVE');
      expect(Table?.KeySchema).toEqual([
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ]);
      expect(Table?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
    } finally {
      await client.send(new DeleteTableCommand({ TableName: tableName }));
      client.destroy();
    }
  });
});
