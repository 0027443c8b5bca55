/**
 * Envelope decoding (pure): CloudWatch Logs subscription payloads, Firehose transformation events,
 * CloudTrail S3 log files, S3 key layouts and plain text. Turns each delivery into batches of
 * `RawEvent`s with their `ParseContext`, which is all the pipeline core needs.
 */
import { gunzipSync } from 'node:zlib';
import type { ParseContext, RawEvent } from '../../parsers/types';
import { cloudWatchKey, s3RecordKey } from './ids';

/** A decoded CloudWatch Logs subscription payload (AWS docs, "Subscription filters" → examples). */
export interface CloudWatchLogsPayload {
  messageType: 'DATA_MESSAGE' | 'CONTROL_MESSAGE' | string;
  owner: string;
  logGroup: string;
  logStream: string;
  subscriptionFilters: string[];
  logEvents: Array<{ id: string; timestamp: number; message: string; extractedFields?: Record<string, string> }>;
  policyLevel?: string;
}

/** One batch for the pipeline: events of one stream or object, with where they came from. */
export interface Batch {
  context: ParseContext;
  events: RawEvent[];
}

export class EnvelopeError extends Error {}

const isGzip = (b: Uint8Array) => b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;

/** gunzips when the bytes are gzip (all concatenated members), else returns them unchanged. */
export function maybeGunzip(bytes: Buffer): Buffer {
  return isGzip(bytes) ? gunzipSync(bytes) : bytes;
}

/**
 * Decodes the bytes of one CloudWatch Logs delivery (gzip, or already decompressed by Firehose).
 * Throws `EnvelopeError` when the record is not a CloudWatch Logs payload at all.
 */
export function decodeCloudWatchPayload(bytes: Buffer): CloudWatchLogsPayload {
  let text: string;
  try {
    text = maybeGunzip(bytes).toString('utf8');
  } catch (e) {
    throw new EnvelopeError(`not gzip or corrupt gzip: ${(e as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new EnvelopeError('payload is not JSON');
  }
  if (!isCloudWatchPayload(doc)) throw new EnvelopeError('JSON is not a CloudWatch Logs subscription payload');
  return doc;
}

export function isCloudWatchPayload(doc: unknown): doc is CloudWatchLogsPayload {
  const d = doc as CloudWatchLogsPayload;
  return typeof d === 'object' && d !== null && typeof d.messageType === 'string' && Array.isArray(d.logEvents);
}

/**
 * The batch of a DATA_MESSAGE payload (one log group + stream), or null for control messages.
 * `region` is the receiving region: a CloudWatch Logs destination is in its sources' region.
 */
export function cloudWatchBatch(payload: CloudWatchLogsPayload, region?: string): Batch | null {
  if (payload.messageType !== 'DATA_MESSAGE') return null;
  const context: ParseContext = { logGroup: payload.logGroup, logStream: payload.logStream };
  if (/^\d{12}$/.test(payload.owner)) context.account = payload.owner;
  if (region) context.region = region;
  const events: RawEvent[] = [];
  for (const e of payload.logEvents) {
    const ev: RawEvent = {
      message: typeof e?.message === 'string' ? e.message : String(e?.message ?? ''),
      key: cloudWatchKey(payload.logGroup, String(e?.id ?? '')),
    };
    if (typeof e?.timestamp === 'number') ev.timestamp = e.timestamp;
    if (e?.extractedFields) ev.extractedFields = e.extractedFields;
    events.push(ev);
  }
  return { context, events };
}

/** Firehose data-transformation input (AWS docs, "Transform source data in Amazon Data Firehose"). */
export interface FirehoseTransformEvent {
  invocationId: string;
  deliveryStreamArn: string;
  region: string;
  records: Array<{ recordId: string; approximateArrivalTimestamp: number; data: string }>;
}

export function isFirehoseEvent(doc: unknown): doc is FirehoseTransformEvent {
  const d = doc as FirehoseTransformEvent;
  return (
    typeof d === 'object' &&
    d !== null &&
    Array.isArray(d.records) &&
    d.records.every((r) => typeof r?.recordId === 'string' && typeof r?.data === 'string')
  );
}

/** Account, region and source hints from an AWS log delivery key `AWSLogs/<account>/<service>/<region>/...`. */
export function contextFromS3Key(bucket: string, key: string): ParseContext {
  const ctx: ParseContext = { s3: { bucket, key } };
  const m = /(?:^|\/)AWSLogs\/(?:o-[a-z0-9]+\/)?(\d{12})\/[^/]+\/([a-z]{2}(?:-gov)?-[a-z]+-\d)\//.exec(key);
  if (m) {
    ctx.account = m[1];
    ctx.region = m[2];
  }
  return ctx;
}

/**
 * Events of a CloudTrail log file (`{"Records":[...]}`), one per record, keyed by position so the
 * id is stable even for documentation samples without an `eventID`.
 */
export function cloudTrailFileEvents(doc: { Records: unknown[] }, keyPrefix: string): RawEvent[] {
  return doc.Records.map((r, i) => ({ message: JSON.stringify(r), key: `${keyPrefix}:${i}` }));
}

/** Splits text into lines (LF or CRLF); the trailing empty line of a final newline is not an event. */
export function splitLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  for (let i = 0; i < lines.length; i++) if (lines[i].endsWith('\r')) lines[i] = lines[i].slice(0, -1);
  return lines;
}

/**
 * Batches of one S3 object's bytes already read into memory (small objects, CLI files).
 * CloudTrail files expand to one event per record; everything else is one event per line.
 * `version` is the object version or ETag: part of every id.
 */
export function s3ObjectBatch(bucket: string, key: string, version: string, bytes: Buffer): Batch {
  const context = contextFromS3Key(bucket, key);
  const text = maybeGunzip(bytes).toString('utf8');
  const prefix = s3RecordKey(bucket, key, version, 0).replace(/:0$/, '');
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{')) {
    try {
      const doc = JSON.parse(text) as { Records?: unknown[] };
      if (Array.isArray(doc.Records)) return { context, events: cloudTrailFileEvents({ Records: doc.Records }, prefix) };
    } catch {
      /* not one JSON document: NDJSON or text, handled below */
    }
  }
  return { context, events: splitLines(text).map((message, i) => ({ message, key: `${prefix}:${i}` })) };
}
