/**
 * The accounting every stage reports, as metrics, log lines and CLI tables. The identities the tests
 * assert:
 * - transform / s3ingest: `received = documents + dropped + failed`
 * - transform: records it returns `ProcessingFailed` (over the response budget, or undecodable) are
 *   `deferred`, not received: Firehose writes them to `errors/firehose/processing-failed/`, and
 *   s3ingest receives and counts their events there. So `deferred` of the transform equals what
 *   s3ingest receives from `processing-failed/` objects, no event is counted by both, and the events
 *   Firehose brought = transform `received + deferred` = transform `received` + those s3ingest `received`.
 * - s3ingest stopped by its deadline: each delivery counts only the segments it wrote (and recorded
 *   in its checkpoint), so the deliveries of one object add up to one uninterrupted run's counts.
 * - indexer: `documents = indexed + dead_lettered + failed` (`failed` = documents of messages handed
 *   back to SQS for a retry, 0 when OpenSearch is healthy)
 * - s3ingest, Firehose error objects written AFTER the transform returned their records `Ok`
 *   (`activePartitionExceeded` and the other types but `processing-failed`): the transform already
 *   counted those events, so their documents are `recovered`, not received again. Across stages,
 *   documents archived = transform `documents + failed` + s3ingest `documents + failed`, with the
 *   recovered ones among the transform's (Firehose diverted them; s3ingest put them in place).
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
  'recovered',
  'deferred',
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
