/**
 * Index naming, shared by the indexer, replay and setup. Indices are per source and per day of the
 * EVENT time (not the ingest time), so a replayed event lands in the same index as the first time
 * and its `_id` makes the write idempotent.
 */

/** Default prefix of every Tributary index. */
export const DEFAULT_INDEX_PREFIX = 'logs';

/**
 * Index of a document: `<prefix>-<dataset>-YYYY.MM.DD` from `@timestamp`.
 * @example indexName({ '@timestamp': '2026-03-01T10:00:00.000Z', event: { dataset: 'aws.vpcflow' } }) // 'logs-aws.vpcflow-2026.03.01'
 */
export function indexName(doc: { '@timestamp'?: string; event?: { dataset?: string } }, prefix = DEFAULT_INDEX_PREFIX): string {
  const dataset = doc.event?.dataset ?? 'app';
  const ts = doc['@timestamp'];
  const day = typeof ts === 'string' && /^\d{4}-\d{2}-\d{2}/.test(ts) ? ts.slice(0, 10).replace(/-/g, '.') : '1970.01.01';
  return `${prefix}-${dataset}-${day}`;
}

/** Pattern matching every daily index of one dataset: `logs-aws.vpcflow-*`. */
export const indexPattern = (dataset: string, prefix = DEFAULT_INDEX_PREFIX): string => `${prefix}-${dataset}-*`;

/** Pattern matching every Tributary index. */
export const allIndicesPattern = (prefix = DEFAULT_INDEX_PREFIX): string => `${prefix}-*`;
