/**
 * The accounting every stage reports, as metrics, log lines and CLI tables. The identities the tests
 * assert:
 * - transform / s3ingest: `received = documents + dropped + failed`
 * - indexer: `documents = indexed + dead_lettered + failed` (`failed` = documents of messages handed
 *   back to SQS for a retry, 0 when OpenSearch is healthy)
 */

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

/**
 * Adds `b` into `a` (per-object tallies summed into an invocation) and returns `a`.
 * @example addTally({ received: 2 }, { received: 1, failed: 1 }) // { received: 3, failed: 1 }
 */
export function addTally(a: Tally, b: Tally): Tally {
  for (const [k, v] of Object.entries(b) as [MetricName, number][]) a[k] = (a[k] ?? 0) + v;
  return a;
}
