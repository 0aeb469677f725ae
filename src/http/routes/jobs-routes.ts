import { Router } from 'express';
import type { BatchItemResult } from '../../jobs/enqueue-batch';
import type { JobRegistry } from '../../jobs/registry';
import type { JobMetrics } from '../../observability/metrics';
import type { JobStore } from '../../store/job-store';
import { batchRequest, enqueueQuery, idempotencyKeyHeader, JOB_ID_PATTERN } from '../api-schemas';
import { HttpError, storeUnavailable, toHttpError, UNAVAILABLE_RETRY_AFTER_SECONDS, validated } from '../http-errors';
import type { JobSubmitter } from '../job-submitter';
import { requestIdOf } from '../request-context';

export interface JobsRoutesDeps {
  registry: JobRegistry;
  submitter: JobSubmitter;
  store: JobStore;
  /** false: the 202 carries no statusUrl and GET /jobs/:jobId answers 501. */
  statusTracking: boolean;
  metrics: JobMetrics;
  /** Path prefix the status URLs are built on, e.g. /api/v1. */
  basePath: string;
}

function requireJsonBody(contentType: string | undefined): void {
  if (!contentType || !/^application\/(.+\+)?json\b/i.test(contentType)) {
    throw new HttpError(415, 'unsupported-media-type', 'send the payload as JSON with Content-Type: application/json');
  }
}

/** POST /jobs/:name, POST /jobs/:name/batch, GET /jobs/:jobId. */
export function jobsRoutes(deps: JobsRoutesDeps): Router {
  const router = Router();
  const statusUrl = (jobId: string) => `${deps.basePath}/jobs/${encodeURIComponent(jobId)}`;
  const findJob = (name: string) => {
    const job = deps.registry.find(name);
    if (!job) throw new HttpError(404, 'unknown-job', `unknown job '${name}'; known jobs: ${deps.registry.names.join(', ')}`);
    return job;
  };

  router.post('/jobs/:name', async (req, res) => {
    const name = req.params.name;
    try {
      const job = findJob(name);
      requireJsonBody(req.get('Content-Type'));
      const query = validated(enqueueQuery, req.query, 'invalid-query', 'query');
      const rawKey = req.get('Idempotency-Key');
      const idempotencyKey = rawKey === undefined ? undefined : validated(idempotencyKeyHeader, rawKey, 'invalid-idempotency-key', 'Idempotency-Key header');
      const submitted = await deps.submitter.submit(job, req.body, {
        delaySeconds: query.delaySeconds,
        idempotencyKey,
        traceId: requestIdOf(res),
      });
      deps.metrics.recordEnqueue(name, 202);
      if (submitted.replayed) res.setHeader('Idempotent-Replayed', 'true');
      if (!deps.statusTracking) {
        res.status(202).json({ jobId: submitted.jobId, status: 'queued' });
        return;
      }
      res.status(202).location(statusUrl(submitted.jobId)).json({ jobId: submitted.jobId, status: 'queued', statusUrl: statusUrl(submitted.jobId) });
    } catch (error) {
      deps.metrics.recordEnqueue(deps.registry.find(name) ? name : '(unknown)', toHttpError(error).status);
      throw error;
    }
  });

  router.post('/jobs/:name/batch', async (req, res) => {
    const name = req.params.name;
    const job = findJob(name);
    let results: BatchItemResult[];
    try {
      requireJsonBody(req.get('Content-Type'));
      if (req.get('Idempotency-Key') !== undefined) {
        throw new HttpError(400, 'idempotency-key-unsupported', 'Idempotency-Key applies to single enqueues; the batch form does not support it');
      }
      const body = validated(batchRequest, req.body, 'invalid-batch', 'batch');
      results = await deps.submitter.submitBatch(job, body.items, requestIdOf(res));
    } catch (error) {
      deps.metrics.recordEnqueue(name, toHttpError(error).status);
      throw error;
    }
    // Counted per item, under the status each item would have had on its own.
    const count = (status: BatchItemResult['status']) => results.filter((result) => result.status === status).length;
    const [accepted, rejected, failed] = [count('queued'), count('rejected'), count('failed')];
    deps.metrics.recordEnqueue(name, 202, accepted);
    deps.metrics.recordEnqueue(name, 400, rejected);
    deps.metrics.recordEnqueue(name, 503, failed);
    if (accepted > 0) res.status(202);
    else if (failed > 0) res.status(503).setHeader('Retry-After', String(UNAVAILABLE_RETRY_AFTER_SECONDS));
    else res.status(400);
    res.json({
      accepted,
      failed: rejected + failed,
      results: results.map((result) => (result.status === 'queued' && deps.statusTracking ? { ...result, statusUrl: statusUrl(result.jobId) } : result)),
    });
  });

  router.get('/jobs/:jobId', async (req, res) => {
    if (!deps.statusTracking) {
      throw new HttpError(501, 'job-status-disabled', 'job status tracking is off on this server (JOB_STATUS_TRACKING=false)');
    }
    if (!JOB_ID_PATTERN.test(req.params.jobId)) {
      throw new HttpError(404, 'job-not-found', 'no such job: a jobId is 1–255 visible ASCII characters');
    }
    const record = await deps.store.getJob(req.params.jobId).catch(() => {
      throw storeUnavailable();
    });
    if (!record) {
      throw new HttpError(404, 'job-not-found', `no job with id '${req.params.jobId}' (unknown, or past its retention)`);
    }
    res.json(record);
  });

  return router;
}
