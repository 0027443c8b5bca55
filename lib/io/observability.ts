/**
 * Logging and metrics of the Lambda functions: Powertools structured JSON logs and CloudWatch
 * embedded-metric-format (EMF) metrics in the `Tributary` namespace (override with
 * `POWERTOOLS_METRICS_NAMESPACE`), one `service` dimension per function.
 *
 * Every invocation publishes its accounting as metrics AND as one `invocation summary` log line, so
 * "where did my events go" is answerable from either. The identities the tests assert:
 * - transform / s3ingest: `received = documents + dropped + failed`
 * - indexer: `documents = indexed + dead_lettered + failed` (`failed` = documents of messages handed
 *   back to SQS for a retry, 0 when OpenSearch is healthy)
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

export type ServiceName = 'transform' | 's3ingest' | 'indexer';

export interface Observability {
  logger: Logger;
  metrics: Metrics;
}

/** Metric names, shared by dashboards and alarms. */
export const METRIC_NAMES = [
  'received',
  'documents',
  'dropped',
  'failed',
  'indexed',
  'retried',
  'dead_lettered',
  'processing_failed_records',
  'objects',
  'ignored_objects',
] as const;
export type MetricName = (typeof METRIC_NAMES)[number];

export type Tally = Partial<Record<MetricName, number>>;

export function createObservability(service: ServiceName): Observability {
  const serviceName = `tributary-${service}`;
  return {
    logger: new Logger({ serviceName }),
    metrics: new Metrics({ namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'Tributary', serviceName }),
  };
}

/** Adds a tally to the invocation's metrics (published by the `logMetrics` middleware) and logs it. */
export function record(obs: Observability, tally: Tally, extra: Record<string, unknown> = {}): void {
  for (const name of METRIC_NAMES) {
    const v = tally[name];
    if (v !== undefined) obs.metrics.addMetric(name, MetricUnit.Count, v);
  }
  obs.logger.info('invocation summary', { counts: tally, ...extra });
}

/** Adds `b` into `a` (for per-object tallies summed into an invocation). */
export function addTally(a: Tally, b: Tally): Tally {
  for (const [k, v] of Object.entries(b) as [MetricName, number][]) a[k] = (a[k] ?? 0) + v;
  return a;
}
