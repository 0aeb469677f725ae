import { register as globalRegistry } from 'prom-client';
import { z } from 'zod';
import { type AnyJob, defineJob } from '../../src/jobs/define-job';
import { JobMetrics, METRIC_NAMES } from '../../src/observability/metrics';
import type { JobSettledEvent, JobStartedEvent } from '../../src/runtime/job-events';
import type { JobOutcome } from '../../src/runtime/process-message';
import { findSamples, parsePrometheus, sampleValue } from '../helpers/prometheus';

const job = defineJob({
  name: 'build-report',
  payload: z.object({ id: z.string() }),
  timeoutSeconds: 60,
  handler: () => Promise.resolve('done'),
});
const other = defineJob({ name: 'send-mail', payload: z.object({}), timeoutSeconds: 5, handler: () => Promise.resolve() });

let nextMessage = 0;
function base(attempt = 1): { jobId: string; attempt: number; messageId: string } {
  nextMessage += 1;
  return { jobId: `job-${String(nextMessage)}`, attempt, messageId: `msg-${String(nextMessage)}` };
}

function startedEvent(target: AnyJob, outcome: JobOutcome): JobStartedEvent {
  return { job: target, jobId: outcome.jobId, attempt: outcome.attempt, messageId: outcome.messageId, redriveCount: 0 };
}

function settledEvent(target: AnyJob, outcome: JobOutcome): JobSettledEvent {
  return { job: target, redriveCount: 0, outcome };
}

/** What processMessage emits for a message whose payload validated: a start, then the verdict. */
function run(metrics: JobMetrics, outcome: JobOutcome, target: AnyJob = job): void {
  metrics.jobStarted(startedEvent(target, outcome));
  metrics.jobSettled(settledEvent(target, outcome));
}

const labels = { job: 'build-report' };

describe('JobMetrics', () => {
  it('counts each outcome kind and observes handler durations', async () => {
    const metrics = new JobMetrics();
    run(metrics, { ...base(), status: 'succeeded', durationMs: 120, result: 'done' });
    run(metrics, { ...base(), status: 'succeeded', durationMs: 30, result: 'done' });
    run(metrics, { ...base(), status: 'retrying', delaySeconds: 4, error: { code: 'handler-error', message: 'flaky' }, durationMs: 40 });
    run(metrics, { ...base(3), status: 'dead-lettered', error: { code: 'handler-error', message: 'broken' }, durationMs: 2000 });
    run(metrics, { ...base(), status: 'released' });

    const text = await metrics.metricsText();
    expect(sampleValue(text, METRIC_NAMES.started, labels)).toBe(5);
    expect(sampleValue(text, METRIC_NAMES.succeeded, labels)).toBe(2);
    expect(sampleValue(text, METRIC_NAMES.failed, labels)).toBe(2);
    expect(sampleValue(text, METRIC_NAMES.retried, labels)).toBe(1);
    expect(sampleValue(text, METRIC_NAMES.deadLettered, labels)).toBe(1);
    expect(sampleValue(text, METRIC_NAMES.released, labels)).toBe(1);
    expect(sampleValue(text, METRIC_NAMES.running, labels)).toBe(0);

    const histogram = METRIC_NAMES.handlerDuration;
    const succeeded = { ...labels, outcome: 'succeeded' };
    expect(sampleValue(text, `${histogram}_count`, succeeded)).toBe(2);
    expect(sampleValue(text, `${histogram}_sum`, succeeded)).toBeCloseTo(0.15, 9);
    expect(sampleValue(text, `${histogram}_bucket`, { ...succeeded, le: '0.05' })).toBe(1);
    expect(sampleValue(text, `${histogram}_bucket`, { ...succeeded, le: '0.25' })).toBe(2);
    expect(sampleValue(text, `${histogram}_bucket`, { ...succeeded, le: '+Inf' })).toBe(2);
    expect(sampleValue(text, `${histogram}_count`, { ...labels, outcome: 'retrying' })).toBe(1);
    expect(sampleValue(text, `${histogram}_sum`, { ...labels, outcome: 'dead-lettered' })).toBe(2);
    // A released handler did not finish, so its time says nothing about the job's duration.
    expect(sampleValue(text, `${histogram}_count`, { ...labels, outcome: 'released' })).toBeUndefined();
  });

  it('the running gauge follows starts and settles, including overlapping runs', async () => {
    const metrics = new JobMetrics();
    const first: JobOutcome = { ...base(), status: 'succeeded', durationMs: 5, result: null };
    const second: JobOutcome = { ...base(), status: 'released' };
    metrics.jobStarted(startedEvent(job, first));
    metrics.jobStarted(startedEvent(job, second));
    expect(sampleValue(await metrics.metricsText(), METRIC_NAMES.running, labels)).toBe(2);
    metrics.jobSettled(settledEvent(job, first));
    expect(sampleValue(await metrics.metricsText(), METRIC_NAMES.running, labels)).toBe(1);
    metrics.jobSettled(settledEvent(job, second));
    metrics.jobSettled(settledEvent(job, second)); // a repeated settle must not push it below zero
    expect(sampleValue(await metrics.metricsText(), METRIC_NAMES.running, labels)).toBe(0);
  });

  it('an invalid payload settles without a start: counted as dead-lettered, running stays 0', async () => {
    const metrics = new JobMetrics();
    const running: JobOutcome = { ...base(), status: 'succeeded', durationMs: 1, result: null };
    metrics.jobStarted(startedEvent(job, running));
    metrics.jobSettled(
      settledEvent(job, { ...base(), status: 'dead-lettered', error: { code: 'invalid-payload', message: 'id: Required' } }),
    );
    let text = await metrics.metricsText();
    expect(sampleValue(text, METRIC_NAMES.running, labels)).toBe(1);
    expect(sampleValue(text, METRIC_NAMES.deadLettered, labels)).toBe(1);
    expect(sampleValue(text, METRIC_NAMES.failed, labels)).toBe(1);
    expect(sampleValue(text, METRIC_NAMES.started, labels)).toBe(1);
    expect(sampleValue(text, `${METRIC_NAMES.handlerDuration}_count`, { ...labels, outcome: 'dead-lettered' })).toBeUndefined();

    metrics.jobSettled(settledEvent(job, running));
    text = await metrics.metricsText();
    expect(sampleValue(text, METRIC_NAMES.running, labels)).toBe(0);
  });

  it('keeps jobs apart by the job label', async () => {
    const metrics = new JobMetrics();
    run(metrics, { ...base(), status: 'succeeded', durationMs: 1, result: null });
    run(metrics, { ...base(), status: 'succeeded', durationMs: 1, result: null }, other);
    run(metrics, { ...base(), status: 'succeeded', durationMs: 1, result: null }, other);
    const text = await metrics.metricsText();
    expect(sampleValue(text, METRIC_NAMES.succeeded, labels)).toBe(1);
    expect(sampleValue(text, METRIC_NAMES.succeeded, { job: 'send-mail' })).toBe(2);
  });

  it('recordEnqueue counts requests by job and status code', async () => {
    const metrics = new JobMetrics();
    metrics.recordEnqueue('build-report', 202);
    metrics.recordEnqueue('build-report', 202, 3);
    metrics.recordEnqueue('build-report', 400);
    metrics.recordEnqueue('send-mail', 503);
    metrics.recordEnqueue('send-mail', 503, -1); // ignored: a metric must not throw into the request
    metrics.recordEnqueue('send-mail', 503, Number.NaN);
    const text = await metrics.metricsText();
    expect(sampleValue(text, METRIC_NAMES.enqueueRequests, { job: 'build-report', status: '202' })).toBe(4);
    expect(sampleValue(text, METRIC_NAMES.enqueueRequests, { job: 'build-report', status: '400' })).toBe(1);
    expect(sampleValue(text, METRIC_NAMES.enqueueRequests, { job: 'send-mail', status: '503' })).toBe(1);
    expect(findSamples(text, METRIC_NAMES.enqueueRequests)).toHaveLength(3);
  });

  it('starts the counters of known jobs at 0', async () => {
    const text = await new JobMetrics({ jobNames: ['build-report'] }).metricsText();
    for (const name of [METRIC_NAMES.started, METRIC_NAMES.succeeded, METRIC_NAMES.failed, METRIC_NAMES.running]) {
      expect(sampleValue(text, name, labels)).toBe(0);
    }
  });

  it('the whole output parses as Prometheus text, with default metrics, on its own registry', async () => {
    const metrics = new JobMetrics();
    run(metrics, { ...base(), status: 'succeeded', durationMs: 10, result: null });
    metrics.recordEnqueue('build-report', 202);
    const text = await metrics.metricsText();
    const parsed = parsePrometheus(text);
    expect(parsed.has('process_cpu_user_seconds_total')).toBe(true);
    expect(parsed.has('nodejs_heap_size_used_bytes')).toBe(true);
    expect(text).toContain(`# TYPE ${METRIC_NAMES.handlerDuration} histogram`);
    expect(metrics.contentType).toMatch(/^text\/plain; version=0\.0\.4/);

    // Separate instances and prom-client's global registry never share series.
    const fresh = await new JobMetrics().metricsText();
    expect(sampleValue(fresh, METRIC_NAMES.succeeded, labels)).toBeUndefined();
    expect(await globalRegistry.metrics()).not.toContain('sqs_jobs_');
  });
});

describe('parsePrometheus (test helper)', () => {
  it('reads comments, escaped label values, timestamps, +Inf and NaN', () => {
    const text = [
      '# a free comment',
      '# HELP demo_total Demo with a \\\\ and a \\n.',
      '# TYPE demo_total counter',
      'demo_total{path="C:\\\\tmp",quote="say \\"hi\\"",nl="a\\nb",} 3 1700000000000',
      'demo_total 1.5e3',
      '# TYPE h histogram',
      'h_bucket{le="+Inf"} +Inf',
      'h_sum NaN',
      'lag_seconds Nan',
      'low -Inf',
      '',
    ].join('\n');
    const parsed = parsePrometheus(text);
    expect(parsed.get('demo_total')).toEqual([
      { labels: { path: 'C:\\tmp', quote: 'say "hi"', nl: 'a\nb' }, value: 3, timestamp: 1_700_000_000_000 },
      { labels: {}, value: 1500 },
    ]);
    expect(sampleValue(text, 'h_bucket', { le: '+Inf' })).toBe(Number.POSITIVE_INFINITY);
    expect(sampleValue(text, 'h_sum')).toBeNaN();
    expect(sampleValue(text, 'lag_seconds')).toBeNaN(); // prom-client's spelling; Prometheus accepts it
    expect(sampleValue(text, 'low')).toBe(Number.NEGATIVE_INFINITY);
  });

  it.each([
    ['a bad name', '9lives 1'],
    ['a missing value', 'up'],
    ['a bad value', 'up one'],
    ['an unterminated label value', 'up{job="x} 1'],
    ['a bad escape', 'up{job="\\t"} 1'],
    ['an unquoted label value', 'up{job=x} 1'],
    ['a duplicate series', 'up 1\nup 2'],
    ['a duplicate label', 'up{a="1",a="2"} 1'],
    ['an unknown type', '# TYPE up gauges'],
    ['a TYPE after its samples', 'up 1\n# TYPE up gauge'],
    ['a bucket without le', '# TYPE h histogram\nh_bucket{x="1"} 1'],
    ['trailing garbage', 'up 1 2 3'],
  ])('throws on %s', (_case, text) => {
    expect(() => parsePrometheus(text)).toThrow(/line \d+/);
  });

  it('sampleValue refuses to pick one of several matching series', () => {
    expect(() => sampleValue('up{a="1"} 1\nup{a="2"} 1', 'up')).toThrow(/2 samples/);
  });
});
