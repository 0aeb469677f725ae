import { createServer, type Server, type Socket } from 'node:net';
import { DeleteQueueCommand } from '@aws-sdk/client-sqs';
import { Gauge } from 'prom-client';
import { z } from 'zod';
import { defineJob } from '../../src/jobs/define-job';
import { JobMetrics, METRIC_NAMES } from '../../src/observability/metrics';
import { type MetricsServer, startMetricsServer } from '../../src/observability/metrics-server';
import type { JobQueues } from '../../src/queues/provisioning';
import { createSqsClient } from '../../src/sqs/client';
import { captureLogger } from '../helpers/capture-logger';
import { findSamples, parsePrometheus, sampleValue } from '../helpers/prometheus';
import { provisionTestQueues, receiveOnce, sendRaw, type TestQueues } from '../helpers/sqs';
import { waitFor } from '../helpers/wait-for';

const job = defineJob({ name: 'metrics-demo', payload: z.object({ n: z.number() }), timeoutSeconds: 5, handler: () => Promise.resolve() });
const jobLabel = { job: 'metrics-demo' };

describe('metrics server and queue depths against a real SQS endpoint', () => {
  let queues: TestQueues;
  let entry: JobQueues;
  const servers: MetricsServer[] = [];

  beforeEach(async () => {
    queues = await provisionTestQueues([job]);
    entry = queues.directory.get('metrics-demo');
  });
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.close()));
    await queues.cleanup();
  });

  async function serve(metrics: JobMetrics, logger = captureLogger().logger): Promise<MetricsServer> {
    const server = await startMetricsServer({ metrics, host: '127.0.0.1', port: 0, logger });
    servers.push(server);
    return server;
  }

  async function scrape(server: MetricsServer): Promise<string> {
    const response = await fetch(`${server.url}/metrics`);
    expect(response.status).toBe(200);
    return response.text();
  }

  const depth = (text: string, queue: 'main' | 'dlq', state: string): number | undefined =>
    sampleValue(text, METRIC_NAMES.queueMessages, { ...jobLabel, queue, state });

  it('reports visible, in-flight and delayed counts for the queue and its DLQ', async () => {
    const metrics = new JobMetrics();
    metrics.watchQueues(queues.sqs, [entry]);
    const server = await serve(metrics);
    for (let n = 0; n < 3; n += 1) await sendRaw(queues.sqs, entry.queue.url, JSON.stringify({ n }));
    for (let n = 0; n < 2; n += 1) await sendRaw(queues.sqs, entry.dlq.url, JSON.stringify({ n }));

    // SQS counts are approximate and may lag a send. (A receive with visibility 0 would not help:
    // the emulator then counts those messages as in flight until the next receive.)
    const text = await waitFor('depths 3 and 2', async () => {
      const scraped = await scrape(server);
      return depth(scraped, 'main', 'visible') === 3 && depth(scraped, 'dlq', 'visible') === 2 && scraped;
    });
    expect(depth(text, 'main', 'in_flight')).toBe(0);
    expect(depth(text, 'main', 'delayed')).toBe(0);
    expect(depth(text, 'dlq', 'in_flight')).toBe(0);
    expect(findSamples(text, METRIC_NAMES.queueMessages)).toHaveLength(6);
    expect(sampleValue(text, METRIC_NAMES.queueScrapeErrors, jobLabel)).toBe(0);
    expect(() => parsePrometheus(text)).not.toThrow();

    await receiveOnce(queues.sqs, entry.queue.url, { max: 1, visibilityTimeout: 60 });
    await waitFor('one message in flight', async () => {
      const scraped = await scrape(server);
      return depth(scraped, 'main', 'visible') === 2 && depth(scraped, 'main', 'in_flight') === 1;
    });
  });

  it('a queue that stops answering loses its series instead of keeping stale values', async () => {
    const metrics = new JobMetrics();
    metrics.watchQueues(queues.sqs, [entry]);
    const server = await serve(metrics);
    expect(depth(await scrape(server), 'dlq', 'visible')).toBe(0);

    await queues.sqs.send(new DeleteQueueCommand({ QueueUrl: entry.dlq.url }));
    const text = await waitFor('the DLQ series to go', async () => {
      const scraped = await scrape(server);
      return depth(scraped, 'dlq', 'visible') === undefined && scraped;
    });
    expect(depth(text, 'main', 'visible')).toBe(0);
    expect(findSamples(text, METRIC_NAMES.queueMessages, { queue: 'dlq' })).toEqual([]);
    expect(sampleValue(text, METRIC_NAMES.queueScrapeErrors, jobLabel)).toBeGreaterThanOrEqual(1);
  });

  it('an unreachable SQS endpoint still gives a quick 200 scrape, counting errors, with no depth series', async () => {
    const deadSqs = createSqsClient({ endpoint: 'http://127.0.0.1:1', region: 'us-east-1' });
    try {
      const metrics = new JobMetrics();
      metrics.watchQueues(deadSqs, [entry], { timeoutMs: 500 });
      const server = await serve(metrics);
      const startedAt = Date.now();
      const text = await scrape(server);
      expect(Date.now() - startedAt).toBeLessThan(1500);
      expect(findSamples(text, METRIC_NAMES.queueMessages)).toEqual([]);
      expect(sampleValue(text, METRIC_NAMES.queueScrapeErrors, jobLabel)).toBe(2); // main queue and DLQ
      expect(() => parsePrometheus(text)).not.toThrow();
    } finally {
      deadSqs.destroy();
    }
  });

  it('an endpoint that accepts connections but never answers is cut off at the timeout', async () => {
    const sockets = new Set<Socket>();
    const blackHole: Server = createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => blackHole.listen(0, '127.0.0.1', resolve));
    const { port } = blackHole.address() as { port: number };
    const hangingSqs = createSqsClient({ endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1' });
    try {
      const metrics = new JobMetrics();
      metrics.watchQueues(hangingSqs, [entry], { timeoutMs: 400 });
      const server = await serve(metrics);
      const startedAt = Date.now();
      const text = await scrape(server);
      const elapsed = Date.now() - startedAt;
      expect(elapsed).toBeGreaterThanOrEqual(350);
      expect(elapsed).toBeLessThan(1400);
      expect(findSamples(text, METRIC_NAMES.queueMessages)).toEqual([]);
      expect(sampleValue(text, METRIC_NAMES.queueScrapeErrors, jobLabel)).toBe(2);
    } finally {
      hangingSqs.destroy();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => blackHole.close(() => resolve()));
    }
  });
});

describe('startMetricsServer', () => {
  const servers: MetricsServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.close()));
  });

  async function serve(metrics: JobMetrics, port = 0, logger = captureLogger().logger): Promise<MetricsServer> {
    const server = await startMetricsServer({ metrics, host: '127.0.0.1', port, logger });
    servers.push(server);
    return server;
  }

  it('serves /metrics with the registry content type, /healthz, and 404 for anything else', async () => {
    const metrics = new JobMetrics();
    metrics.recordEnqueue('metrics-demo', 202);
    const server = await serve(metrics);
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    const scraped = await fetch(`${server.url}/metrics`);
    expect(scraped.status).toBe(200);
    expect(scraped.headers.get('content-type')).toBe(metrics.contentType);
    const text = await scraped.text();
    expect(sampleValue(text, METRIC_NAMES.enqueueRequests, { ...jobLabel, status: '202' })).toBe(1);

    const health = await fetch(`${server.url}/healthz?probe=kubelet`);
    expect(health.status).toBe(200);
    expect(await health.text()).toBe('ok\n');

    for (const [method, path] of [['GET', '/'], ['GET', '//metrics'], ['GET', '/metrics/extra'], ['POST', '/metrics'], ['DELETE', '/healthz']] as const) {
      const response = await fetch(`${server.url}${path}`, { method });
      expect({ method, path, status: response.status }).toEqual({ method, path, status: 404 });
      await response.arrayBuffer();
    }
  });

  it('a failing collector gives a 500 with a one-line body, and is logged', async () => {
    const metrics = new JobMetrics();
    new Gauge({
      name: 'broken_gauge',
      help: 'throws on collect',
      registers: [metrics.registry],
      collect() {
        throw new Error('collector exploded\nwith a second line');
      },
    });
    const { logger, lines } = captureLogger();
    const server = await serve(metrics, 0, logger);
    const response = await fetch(`${server.url}/metrics`);
    expect(response.status).toBe(500);
    const body = await response.text();
    expect(body).toBe('metrics collection failed: collector exploded with a second line\n');
    expect(lines).toContainEqual(expect.objectContaining({ msg: 'metrics scrape failed' }));
  });

  it('rejects clearly when the port is in use, and port 0 picks a free one', async () => {
    const metrics = new JobMetrics();
    const first = await serve(metrics);
    const second = await serve(metrics);
    expect(second.url).not.toBe(first.url);
    const port = Number(new URL(first.url).port);
    await expect(serve(metrics, port)).rejects.toThrow(`port ${String(port)} is in use`);
  });

  it('close() resolves while a scraper holds a keep-alive connection', async () => {
    const server = await startMetricsServer({ metrics: new JobMetrics(), host: '127.0.0.1', port: 0, logger: captureLogger().logger });
    await (await fetch(`${server.url}/metrics`)).text();
    const startedAt = Date.now();
    await server.close();
    expect(Date.now() - startedAt).toBeLessThan(1000);
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
  });
});
