import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import type { JobRegistry } from '../jobs/registry';
import {
  batchAccepted,
  batchRequest,
  enqueueAccepted,
  enqueueQuery,
  errorBody,
  healthJobsQuery,
  idempotencyKeyHeader,
  jobIdParam,
  jobsHealthBody,
  jobStatusBody,
  readinessBody,
  workersHealthBody,
} from './api-schemas';

const json = (schema: z.ZodType, description: string) => ({ description, content: { 'application/json': { schema } } });
const errors = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((status) => [String(status), json(errorBody, ERROR_DESCRIPTIONS[status] ?? 'error')]));

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'The payload, query or headers are invalid; `error.issues` lists the failing paths',
  401: 'Missing or invalid API key',
  404: 'Unknown job or job id',
  409: 'A request with the same Idempotency-Key is still in progress',
  413: 'Body larger than the SQS message limit (1 MiB)',
  415: 'Body is not JSON',
  503: 'SQS or the job store is unavailable; nothing was enqueued. Retry after `Retry-After` seconds',
};

/**
 * The OpenAPI 3.1 document, generated from the same zod schemas the routes validate with,
 * including one enqueue operation per job with that job's payload schema.
 */
export function buildOpenApiDocument(registry: JobRegistry, options: { basePath: string; version: string }): object {
  const api = new OpenAPIRegistry();
  const bearer = api.registerComponent('securitySchemes', 'apiKey', { type: 'http', scheme: 'bearer' });
  const security = [{ [bearer.name]: [] }];
  const base = options.basePath;

  for (const job of registry.jobs) {
    const params = { query: enqueueQuery, headers: z.object({ 'idempotency-key': idempotencyKeyHeader.optional() }) };
    api.registerPath({
      method: 'post',
      path: `${base}/jobs/${job.name}`,
      summary: `Enqueue ${job.name}`,
      tags: ['jobs'],
      security,
      request: { ...params, body: { required: true, content: { 'application/json': { schema: job.payload } } } },
      responses: { 202: json(enqueueAccepted, 'Durably enqueued; poll statusUrl'), ...errors(400, 401, 404, 409, 413, 415, 503) },
    });
    api.registerPath({
      method: 'post',
      path: `${base}/jobs/${job.name}/batch`,
      summary: `Enqueue up to 500 ${job.name} jobs`,
      tags: ['jobs'],
      security,
      request: {
        body: {
          required: true,
          content: { 'application/json': { schema: batchRequest.extend({ items: z.array(z.object({ payload: job.payload, delaySeconds: z.number().int().optional() })) }) } },
        },
      },
      responses: {
        202: json(batchAccepted, 'At least one item enqueued; per-item results'),
        ...errors(401, 404, 413, 415),
        400: json(batchAccepted, 'No item was valid (or the batch itself is malformed)'),
        503: json(batchAccepted, 'SQS unavailable; nothing was enqueued'),
      },
    });
  }
  api.registerPath({
    method: 'get',
    path: `${base}/jobs/{jobId}`,
    summary: 'Status of a job',
    tags: ['jobs'],
    security,
    request: { params: z.object({ jobId: jobIdParam }) },
    responses: { 200: json(jobStatusBody, 'The job'), ...errors(401, 404, 503) },
  });
  api.registerPath({ method: 'get', path: `${base}/health`, summary: 'Liveness', tags: ['health'], responses: { 200: { description: 'The process serves requests' } } });
  api.registerPath({
    method: 'get',
    path: `${base}/health/ready`,
    summary: 'Readiness: SQS, every queue and DLQ, and the job store reachable',
    tags: ['health'],
    responses: { 200: json(readinessBody, 'Ready'), 503: json(readinessBody, 'Not ready; see the failing checks') },
  });
  api.registerPath({
    method: 'get',
    path: `${base}/health/jobs`,
    summary: 'Enqueues the built-in ping job and waits for a worker to finish it',
    tags: ['health'],
    request: { query: healthJobsQuery },
    responses: { 200: json(jobsHealthBody, 'A worker completed the ping'), 503: json(jobsHealthBody, 'Not completed in time; see reason') },
  });
  api.registerPath({
    method: 'get',
    path: `${base}/health/workers`,
    summary: 'Workers alive, from their heartbeats in the job store',
    tags: ['health'],
    responses: { 200: json(workersHealthBody, 'At least one worker alive'), 503: json(workersHealthBody, 'No worker alive') },
  });
  api.registerPath({
    method: 'get',
    path: '/metrics',
    summary: 'Prometheus metrics',
    tags: ['metrics'],
    responses: { 200: { description: 'Prometheus text format', content: { 'text/plain': { schema: z.string() } } } },
  });

  return new OpenApiGeneratorV31(api.definitions).generateDocument({
    openapi: '3.1.0',
    info: { title: 'sqs-jobs API', version: options.version, description: 'Enqueue background jobs on Amazon SQS and follow their status.' },
  });
}
