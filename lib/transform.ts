/**
 * Core of the Firehose transformation Lambda (the handler only adds logging and metrics): one
 * output record per input record, same `recordId`, in the same order.
 *
 * - A CloudWatch Logs DATA_MESSAGE (gzip, or already decompressed by Firehose's Decompression
 *   processor) becomes `Ok` with base64 gzipped NDJSON (see `encodeOutputData`): one line per normalized document, parse failures
 *   included as `pipeline_error` documents. Nothing of a usable record is dropped silently.
 * - A direct-PUT record (an EventBridge rule's event, other JSON, UTF-8 text; `lib/core/direct-put.ts`)
 *   becomes `Ok` the same way: the EventBridge event's source decides the parser (a Security Hub or
 *   GuardDuty finding), AWS-set `account`/`region` are its delivery, anything else is `unverified`.
 * - CONTROL_MESSAGE (and data messages or direct-PUT records without events) → `Dropped`.
 * - A record that is neither (corrupt gzip, binary bytes), or that inflates past `maxDecompressedBytes` (a gzip
 *   bomb stops there: memory stays bounded) → `ProcessingFailed`: Firehose writes its raw
 *   bytes to `errors/firehose/processing-failed/…`, where S3 ingest picks it up again.
 * - `metadata.partitionKeys` = the archive partition of the payload (`lib/core/cloudwatch.ts`, by the
 *   one partition rule of `lib/core/archive.ts`): source = detected source, account and region of its
 *   first document, time = the EARLIEST `logEvents[].timestamp`, else the record's arrival time.
 *
 * Response budget (Lambda responses are capped at 6 MB; gzipped output is 1.2–2.2× the gzip input,
 * so a 1 MB processor buffer fits with room): records are transformed in order while the response stays under
 * `responseMaxBytes`; a record whose output does not fit is returned as `ProcessingFailed` WITHOUT
 * data. Firehose then writes that record's original bytes (`rawData`) to the error prefix, S3
 * notifications send the error object to S3 ingest, and S3 ingest (no response limit) normalizes
 * it with the same CloudWatch ids as the live path: delayed, never lost, never duplicated.
 * Re-putting records with PutRecordBatch (the AWS blueprint's way) was rejected: it needs another
 * SDK client and write permission on the stream, and a failed re-put loses the data.
 *
 * Accounting: every event is counted by ONE stage. A record returned `ProcessingFailed` (over the
 * budget, or undecodable) is not the transformer's to count: S3 ingest receives it from
 * `errors/firehose/processing-failed/` and counts its events (documents, or one failure document
 * for an undecodable record). The transformer counts it as `processing_failed_records` (records)
 * and `deferred` (its events; 1 for an undecodable record, which is what S3 ingest will count), so
 * `received = documents + dropped + failed` holds for what it returned, and across the stages every
 * deferred event is received once, by S3 ingest.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { firehosePartitionKeys } from './core/archive';
import { type CloudWatchNormalizeOptions, normalizeCloudWatchBatch } from './core/cloudwatch';
import { VpcLayoutMemory } from '../parsers/vpcflow-format';
import { decodeFirehoseRecord } from './core/direct-put';
import { EnvelopeError, type FirehoseTransformEvent, isFirehoseEvent } from './core/envelopes';
import type { TransformConfig } from './io/config';
import { loadEnricher } from './io/enrich';
import { addTally, type Tally } from './core/tally';

export type FirehoseResult = 'Ok' | 'Dropped' | 'ProcessingFailed';

export interface FirehoseOutputRecord {
  recordId: string;
  result: FirehoseResult;
  data?: string;
  metadata?: { partitionKeys: Record<string, string> };
}

export interface FirehoseTransformResponse {
  records: FirehoseOutputRecord[];
}

export interface TransformOptions extends CloudWatchNormalizeOptions {
  /** Budget of the serialized response in bytes (Lambda's hard limit is 6 MB). */
  responseMaxBytes: number;
  /**
   * Bound of one record's decompressed payload (`MAX_DECOMPRESSED_BYTES`, default 8 MiB, see
   * `lib/core/limits.ts`): a record that inflates past it is `ProcessingFailed` with the reason.
   */
  maxDecompressedBytes?: number;
}

export interface TransformOutcome {
  response: FirehoseTransformResponse;
  tally: Tally;
  /**
   * The part of `tally` each source accounts for (the per-source metrics); what no source can be
   * given to (records that are not CloudWatch Logs payloads, control messages) is left out.
   */
  bySource: Record<string, Tally>;
  /** Why records were ProcessingFailed, for the log (no payload content). */
  failedRecords: Array<{ recordId: string; reason: string }>;
}

/**
 * The data of an `Ok` record: gzipped NDJSON, base64. Normalized documents are much larger than the
 * log text they come from, so plain NDJSON of one CloudWatch Logs record is 14–21× the record's size
 * (VPC, ALB, CloudTrail, audit; bench/RESULTS.md) and would rarely fit Lambda's 6 MB response; gzip
 * level 1 brings it to 1.2–2.2× at ~240 MB/s. Firehose writes records as they are
 * (`CompressionFormat: UNCOMPRESSED`), and concatenated gzip members are one valid `.ndjson.gz`.
 */
export function encodeOutputData(ndjson: string): string {
  return gzipSync(Buffer.from(ndjson, 'utf8'), { level: 1 }).toString('base64');
}

/** The NDJSON of an `Ok` record's data (tests, the local demo's Firehose stand-in). */
export function decodeOutputData(data: string): string {
  return gunzipSync(Buffer.from(data, 'base64')).toString('utf8');
}

/**
 * Bytes one output entry adds to the response JSON (ASCII only: ids and base64). Base64 needs no
 * JSON escaping, so `data` (megabytes) is counted by its length instead of being serialized again.
 */
const entryBytes = (r: FirehoseOutputRecord) =>
  r.data === undefined ? Buffer.byteLength(JSON.stringify(r)) + 1 : Buffer.byteLength(JSON.stringify({ ...r, data: '' })) + r.data.length + 1;

/**
 * Transforms one Firehose event.
 * @example transformFirehose(event, { responseMaxBytes: 5_500_000, now: new Date() }).response.records[0].result // 'Ok'
 */
export function transformFirehose(event: FirehoseTransformEvent, options: TransformOptions): TransformOutcome {
  const tally: Required<Pick<Tally, 'received' | 'documents' | 'dropped' | 'failed' | 'processing_failed_records' | 'deferred'>> = {
    received: 0,
    documents: 0,
    dropped: 0,
    failed: 0,
    processing_failed_records: 0,
    deferred: 0,
  };
  const failedRecords: TransformOutcome['failedRecords'] = [];
  const bySource: TransformOutcome['bySource'] = {};
  const minimal = (recordId: string): FirehoseOutputRecord => ({ recordId, result: 'ProcessingFailed' });
  // Every record needs at least a minimal entry: reserve those bytes up front, so a big early record
  // cannot starve the ids of the later ones.
  let reserved = 20;
  for (const r of event.records) reserved += entryBytes(minimal(r.recordId));
  let used = 0;

  const records = event.records.map((r): FirehoseOutputRecord => {
    // Handed to Firehose's error output: S3 ingest counts these events (see the module comment).
    const fail = (reason: string, events: number): FirehoseOutputRecord => {
      tally.deferred += events;
      tally.processing_failed_records++;
      failedRecords.push({ recordId: r.recordId, reason });
      return minimal(r.recordId);
    };
    let batch;
    try {
      // A CloudWatch Logs payload, or a direct-PUT record (an EventBridge event, JSON, text).
      batch = decodeFirehoseRecord(Buffer.from(r.data, 'base64'), event.region, options.maxDecompressedBytes).batch;
    } catch (e) {
      if (!(e instanceof EnvelopeError)) throw e;
      return fail(e.message, 1);
    }
    if (batch === null) {
      tally.received++;
      tally.dropped++;
      return { recordId: r.recordId, result: 'Dropped' };
    }
    if (batch.events.length === 0) return { recordId: r.recordId, result: 'Dropped' };
    const { result, partition, ndjson } = normalizeCloudWatchBatch(batch, r.approximateArrivalTimestamp, options);
    const out: FirehoseOutputRecord = {
      recordId: r.recordId,
      result: 'Ok',
      data: encodeOutputData(ndjson),
      metadata: { partitionKeys: firehosePartitionKeys(partition) },
    };
    const size = entryBytes(out);
    const own = entryBytes(minimal(r.recordId));
    if (used + reserved - own + size > options.responseMaxBytes) {
      addTally((bySource[partition.source] ??= {}), { deferred: result.counts.received });
      return fail(`output of ${size} bytes does not fit the response budget`, result.counts.received);
    }
    used += size;
    reserved -= own;
    tally.received += result.counts.received;
    tally.documents += result.counts.documents;
    tally.dropped += result.counts.dropped;
    tally.failed += result.counts.failed;
    addTally((bySource[partition.source] ??= {}), { received: result.counts.received, documents: result.counts.documents, dropped: result.counts.dropped, failed: result.counts.failed });
    return out;
  });
  return { response: { records }, tally, bySource, failedRecords };
}

/**
 * The transform function's use case from its configuration: validates the event (anything but a
 * Firehose transformation event is a deployment error, not data) and transforms it at the current time.
 */
export function transformFromConfig(config: TransformConfig): (event: unknown) => TransformOutcome {
  // Lives as long as the container: headerless VPC flow log layouts learned per log group.
  const vpcLayouts = new VpcLayoutMemory();
  // Opened once per container (cold start): databases, and the user-agent cache that lives as long.
  const enricher = loadEnricher(config.enrichment)?.enricher;
  return (event) => {
    if (!isFirehoseEvent(event)) throw new Error('event is not a Firehose data-transformation event');
    return transformFirehose(event, {
      now: new Date(),
      includeOriginal: config.includeOriginal,
      mappings: config.sourceMappings,
      aggregators: config.aggregatorAccounts,
      sourceOptions: config.sourceOptions,
      vpcLayouts,
      enricher,
      redaction: config.redaction,
      responseMaxBytes: config.responseMaxBytes,
      maxDecompressedBytes: config.maxDecompressedBytes,
    });
  };
}
