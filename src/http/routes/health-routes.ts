import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { Router } from 'express';
import { PING_JOB_NAME, pingJob } from '../../jobs/builtin/ping';
import { enqueueJob } from '../../jobs/enqueue';
import type { QueueDirectory } from '../../queues/provisioning';
import { aliveSince } from '../../runtime/worker-presence';
import type { JobStore } from '../../store/job-store';
import { healthJobsQuery } from '../api-schemas';
import { storeUnavailable, validated } from '../http-errors';

export interface HealthRoutesDeps {
  sqs: SQSClient;
  directory: QueueDirectory;
  store: JobStore;
  /** Default wait of /health/jobs for a worker to finish the ping job. */
  jobsTimeoutMs: number;
  /** Workers' presence interval; a worker is alive while its last beat is recent enough. */
  workerPresenceIntervalMs: number;
}

const CHECK_TIMEOUT_MS = 3_000;
const PING_POLL_MS = 50;

function errorText(error: unknown): string {
  return error instanceof Error ? error.message || error.name : String(error);
}

async function check(run: (signal: AbortSignal) => Promise<unknown>): Promise<{ ok: boolean; error?: string }> {
  try {
    await run(AbortSignal.timeout(CHECK_TIMEOUT_MS));
    return { ok: true };
  } catch (error) {
    return { ok: false, error: errorText(error) };
  }
}

/** Liveness, readiness, an end-to-end job probe, and worker presence. */
export function healthRoutes(deps: HealthRoutesDeps): Router {
  const router = Router();
  const startedAt = Date.now();

  router.get('/health', (_req, res) => {
    res.json({ status: 'ok', uptimeSeconds: Math.round((Date.now() - startedAt) / 1000) });
  });

  router.get('/health/ready', async (_req, res) => {
    const queueChecks = deps.directory.all().flatMap((entry) =>
      [entry.queue, entry.dlq].map(async (queue) => {
        const result = await check((signal) =>
          deps.sqs.send(new GetQueueAttributesCommand({ QueueUrl: queue.url, AttributeNames: ['QueueArn'] }), { abortSignal: signal }),
        );
        return [`queue:${queue.name}`, result] as const;
      }),
    );
    const storeCheck = check(() => deps.store.checkReady()).then((result) => ['store', result] as const);
    const checks = Object.fromEntries(await Promise.all([...queueChecks, storeCheck]));
    const ready = Object.values(checks).every((entry) => entry.ok);
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not-ready', checks });
  });

  router.get('/health/jobs', async (req, res) => {
    const { timeoutMs = deps.jobsTimeoutMs } = validated(healthJobsQuery, req.query, 'invalid-query', 'query');
    const started = Date.now();
    const unavailable = (reason: string, jobId?: string) => res.status(503).json({ status: 'unavailable', jobId, reason });
    const queues = deps.directory.find(PING_JOB_NAME);
    if (!queues) return unavailable(`the '${PING_JOB_NAME}' job's queue is not provisioned`);
    let jobId: string;
    try {
      ({ jobId } = await enqueueJob(deps.sqs, queues.queue.url, pingJob, { requestedAt: new Date().toISOString() }));
    } catch (error) {
      return unavailable(`could not enqueue the ping job: ${errorText(error)}`);
    }
    let lastStatus = 'unknown';
    while (Date.now() - started < timeoutMs) {
      const record = await deps.store.getJob(jobId).catch(() => undefined);
      lastStatus = record?.status ?? lastStatus;
      if (record?.status === 'succeeded') return res.json({ status: 'ok', jobId, latencyMs: Date.now() - started });
      if (record?.status === 'dead') return unavailable(`the ping job failed: ${record.lastError?.message ?? 'unknown error'}`, jobId);
      await new Promise((resolve) => setTimeout(resolve, PING_POLL_MS));
    }
    return unavailable(`no worker completed the ping job within ${timeoutMs} ms (last status: ${lastStatus})`, jobId);
  });

  router.get('/health/workers', async (_req, res) => {
    const workers = await deps.store.listWorkers(aliveSince(deps.workerPresenceIntervalMs)).catch(() => {
      throw storeUnavailable();
    });
    const byJob: Record<string, number> = Object.fromEntries(deps.directory.all().map((entry) => [entry.jobName, 0]));
    for (const worker of workers) for (const job of worker.jobs) byJob[job] = (byJob[job] ?? 0) + 1;
    res.status(workers.length > 0 ? 200 : 503).json({ status: workers.length > 0 ? 'ok' : 'unavailable', alive: workers.length, byJob, workers });
  });

  return router;
}
