/**
 * Logging and metrics of the Lambda functions: Powertools structured JSON logs and CloudWatch
 * embedded-metric-format (EMF) metrics in the `Tributary` namespace (override with
 * `POWERTOOLS_METRICS_NAMESPACE`), one `service` dimension per function.
 *
 * Every invocation publishes its accounting (`lib/core/tally.ts`) as metrics AND as one
 * `invocation summary` log line, so "where did my events go" is answerable from either.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { METRIC_NAMES, type Tally } from '../core/tally';

export type ServiceName = 'transform' | 's3ingest' | 'indexer' | 'replay';

export interface Observability {
  logger: Logger;
  metrics: Metrics;
}

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
