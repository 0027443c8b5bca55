/**
 * Logging and metrics of the Lambda functions: Powertools structured JSON logs and CloudWatch
 * embedded-metric-format (EMF) metrics in the `Tributary` namespace (override with
 * `POWERTOOLS_METRICS_NAMESPACE`).
 *
 * Every invocation publishes its accounting (`lib/core/tally.ts`) as metrics AND as one
 * `invocation summary` log line, so "where did my events go" is answerable from either.
 *
 * Dimensions (`METRIC_DIMENSIONS`; deploy/alarms.yml and deploy/ops-dashboard.js use exactly these):
 * - `{service, stage}`: every metric of the invocation, summed over sources. `service` is the
 *   function (`tributary-transform`, ...), `stage` the deployment stage (`TRIBUTARY_STAGE`, set by
 *   serverless.yml), so two stages in one account and Region never mix. The alarms use this set.
 * - `{service, stage, source}`: the `SOURCE_METRIC_NAMES` per source, for the dashboard. `source` is
 *   a closed set (the schema's source ids, plus `unknown` for what no source can be given to, e.g.
 *   a record that could not be decoded), so cardinality stays bounded: at most
 *   |SOURCE_METRIC_NAMES| x (sources + 1) metrics per function and stage.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { SOURCE_IDS } from '../../schemas/source-list';
import { addTally, METRIC_NAMES, type MetricName, type Tally } from '../core/tally';

export type ServiceName = 'transform' | 's3ingest' | 'indexer' | 'replay';

/** The metric dimension names the functions emit. */
export const METRIC_DIMENSIONS = { service: 'service', stage: 'stage', source: 'source' } as const;

/** Namespace when `POWERTOOLS_METRICS_NAMESPACE` is not set. */
export const DEFAULT_METRICS_NAMESPACE = 'Tributary';

/**
 * Metrics also published per source: the accounting identity (received = documents + dropped +
 * failed), the transform's events left to S3 ingest (`deferred`: response budget or an undecodable
 * record), what the indexer did with the documents, and what S3 ingest recovered from Firehose errors.
 */
export const SOURCE_METRIC_NAMES: readonly MetricName[] = ['received', 'documents', 'dropped', 'failed', 'deferred', 'indexed', 'dead_lettered', 'recovered'];

/** The `source` dimension value for counts no source can be given to. */
export const UNKNOWN_SOURCE = 'unknown';

/** Every value the `source` dimension can take. */
export const METRIC_SOURCES: readonly string[] = [...SOURCE_IDS, UNKNOWN_SOURCE];

/** Value of the `service` dimension of a function. */
export const serviceDimension = (service: ServiceName): string => `tributary-${service}`;

/** Tallies of one invocation by source (any string; `sourceMetricSets` maps it into the closed set). */
export type SourceTallies = Readonly<Record<string, Tally>>;

export interface Observability {
  logger: Logger;
  metrics: Metrics;
  /** Values of the dimensions every metric carries. */
  dimensions: { service: string; stage: string };
  namespace: string;
}

/**
 * Logger and metrics of one function. `env` gives `TRIBUTARY_STAGE` (the `stage` dimension; `local`
 * when unset, e.g. in tests and `serverless invoke local`) and `POWERTOOLS_METRICS_NAMESPACE`.
 * @example createObservability('transform', { TRIBUTARY_STAGE: 'prod' }).dimensions // { service: 'tributary-transform', stage: 'prod' }
 */
export function createObservability(service: ServiceName, env: NodeJS.ProcessEnv = process.env): Observability {
  const serviceName = serviceDimension(service);
  const stage = env.TRIBUTARY_STAGE || 'local';
  const namespace = env.POWERTOOLS_METRICS_NAMESPACE || DEFAULT_METRICS_NAMESPACE;
  return {
    logger: new Logger({ serviceName }),
    metrics: new Metrics({ namespace, serviceName, defaultDimensions: { [METRIC_DIMENSIONS.stage]: stage } }),
    dimensions: { service: serviceName, stage },
    namespace,
  };
}

/**
 * The per-source metric values of an invocation (pure): `bySource` mapped into `METRIC_SOURCES`
 * (anything else counts as `unknown`), plus, as `unknown`, whatever of `tally` the sources do not
 * account for, so the per-source metrics always add up to the invocation's. Only
 * `SOURCE_METRIC_NAMES`, only values present (zeros kept: a source that produced nothing still says so).
 * @example sourceMetricSets({ received: 3 }, { vpcflow: { received: 2 } }) // [{ source: 'vpcflow', values: { received: 2 } }, { source: 'unknown', values: { received: 1 } }]
 */
export function sourceMetricSets(tally: Tally, bySource: SourceTallies = {}): Array<{ source: string; values: Tally }> {
  const sets = new Map<string, Tally>();
  const known = new Set(METRIC_SOURCES);
  for (const [source, t] of Object.entries(bySource)) {
    const key = known.has(source) ? source : UNKNOWN_SOURCE;
    addTally(sets.get(key) ?? sets.set(key, {}).get(key)!, pick(t));
  }
  const rest: Tally = {};
  for (const name of SOURCE_METRIC_NAMES) {
    let covered = 0;
    for (const t of sets.values()) covered += t[name] ?? 0;
    const left = (tally[name] ?? 0) - covered;
    if (left > 0) rest[name] = left;
  }
  if (Object.keys(rest).length) addTally(sets.get(UNKNOWN_SOURCE) ?? sets.set(UNKNOWN_SOURCE, {}).get(UNKNOWN_SOURCE)!, rest);
  return [...sets].filter(([, values]) => Object.keys(values).length).map(([source, values]) => ({ source, values }));
}

function pick(t: Tally): Tally {
  const out: Tally = {};
  for (const name of SOURCE_METRIC_NAMES) if (t[name] !== undefined) out[name] = t[name];
  return out;
}

/**
 * Adds a tally to the invocation's metrics (`{service, stage}`, published by the `logMetrics`
 * middleware), publishes its per-source metrics (`{service, stage, source}`) at once, and logs it.
 */
export function record(obs: Observability, tally: Tally, extra: Record<string, unknown> = {}, bySource?: SourceTallies): void {
  for (const name of METRIC_NAMES) {
    const v = tally[name];
    if (v !== undefined) obs.metrics.addMetric(name, MetricUnit.Count, v);
  }
  const sources = sourceMetricSets(tally, bySource);
  for (const { source, values } of sources) {
    // One EMF document per source: EMF values are shared by all dimension sets of a document.
    const m = new Metrics({
      namespace: obs.namespace,
      serviceName: obs.dimensions.service,
      defaultDimensions: { [METRIC_DIMENSIONS.stage]: obs.dimensions.stage, [METRIC_DIMENSIONS.source]: source },
    });
    for (const [name, v] of Object.entries(values)) m.addMetric(name, MetricUnit.Count, v);
    m.publishStoredMetrics();
  }
  obs.logger.info('invocation summary', { counts: tally, ...(bySource ? { bySource: Object.fromEntries(sources.map((s) => [s.source, s.values])) } : {}), ...extra });
}
