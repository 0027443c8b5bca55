/**
 * One CloudWatch Logs payload → normalized documents + its archive partition: the core of the
 * transformer, of S3 ingest's Firehose error records, of `replay --from raw` and of local files
 * holding CloudWatch payloads, so all four give the same documents, ids and partition.
 *
 * All events of one payload share log group and stream, so the payload is one partition
 * (`batchPartition` in `archive.ts`: the earliest `logEvents[].timestamp`, the first document's origin).
 */
import type { SourceMapping } from '../../parsers/detect';
import type { SourceOptions } from '../../parsers/types';
import type { VpcLayoutMemory } from '../../parsers/vpcflow-format';
import { batchPartition, type Partition } from './archive';
import type { Batch } from './envelopes';
import { normalizeInSlices, type SlicedResult } from './pipeline';
import type { TributaryDocument } from '../../schemas/generated/document';
import type { Enricher } from './enrich';
import type { Redactor } from './redact';

export interface CloudWatchNormalizeOptions {
  now?: Date;
  includeOriginal?: boolean;
  mappings?: readonly SourceMapping[];
  /** Accounts whose account claims are accepted (`lib/core/attribution.ts`). */
  aggregators?: readonly string[];
  /** Configured source options (a VPC custom format): they replace the payload's. */
  sourceOptions?: SourceOptions;
  /**
   * Layouts of headerless VPC flow log lines learned per log group, kept by the caller across
   * payloads (one per transformer container, per replay): a NODATA line that fits several
   * documented layouts takes the one its log group's other lines had.
   */
  vpcLayouts?: VpcLayoutMemory;
  /** GeoIP/ASN and user-agent enrichment (`lib/core/enrich/`). */
  enricher?: Enricher;
  /** Secret redaction (`lib/core/redact.ts`); default: the default rules. */
  redaction?: Redactor;
}

export interface NormalizedPayload {
  /** Source, counts, drops and failures; the documents are in `ndjson` only (they are not kept). */
  result: SlicedResult;
  partition: Partition;
  /** Documents then failures, one JSON document per line, each line ending with a newline. */
  ndjson: string;
}

/**
 * Normalizes one payload's batch (not modified). `fallbackTime` (Firehose arrival) partitions a
 * payload whose events carry no timestamp. Documents are serialized as they are made, a slice of
 * events at a time where the parser allows it (`normalizeInSlices`), so the transformer's hot loop
 * does not hold a payload's documents at once.
 * @example normalizeCloudWatchBatch(cloudWatchBatch(payload, 'eu-west-1')!, undefined, { now: new Date() }).partition.source // 'vpcflow'
 */
export function normalizeCloudWatchBatch(batch: Batch, fallbackTime: number | undefined, options: CloudWatchNormalizeOptions): NormalizedPayload {
  let context =
    options.sourceOptions && Object.keys(options.sourceOptions).length ? { ...batch.context, options: options.sourceOptions } : batch.context;
  if (options.vpcLayouts) context = { ...context, vpcLayouts: options.vpcLayouts };
  let ndjson = '';
  let first: TributaryDocument | undefined;
  const result = normalizeInSlices(
    { events: batch.events, context, source: 'auto' },
    { now: options.now, includeOriginal: options.includeOriginal, mappings: options.mappings, aggregators: options.aggregators, enricher: options.enricher, redaction: options.redaction },
    (documents) => {
      first ??= documents[0];
      for (const d of documents) ndjson += JSON.stringify(d) + '\n';
    },
  );
  first ??= result.failures[0];
  for (const d of result.failures) ndjson += JSON.stringify(d) + '\n';
  const partition = batchPartition({
    source: result.source,
    context: batch.context,
    events: batch.events,
    documents: first ? [first] : [],
    fallbackTime,
  });
  return { result, partition, ndjson };
}

/**
 * The documents of a normalized payload, in its NDJSON order (documents, then failures): what the
 * archive and the indexer receive (tests, fixtures).
 * @example payloadDocuments(normalizeCloudWatchBatch(batch, undefined, {}))[0].event.id
 */
export function payloadDocuments(p: NormalizedPayload): TributaryDocument[] {
  const text = p.ndjson;
  return text ? text.slice(0, -1).split('\n').map((l) => JSON.parse(l) as TributaryDocument) : [];
}
