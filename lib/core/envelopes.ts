/**
 * Envelope decoding (pure): CloudWatch Logs subscription payloads, Firehose transformation events,
 * CloudTrail S3 log files, S3 key layouts and plain text. Turns each delivery into batches of
 * `RawEvent`s with their `ParseContext`, which is all the pipeline core needs.
 */
import { gunzipSync } from 'node:zlib';
import { countJsonContainers, deeperThan, jsonText, MAX_JSON_DEPTH } from '../../parsers/json';
import type { ParseContext, RawEvent } from '../../parsers/types';
import { cloudWatchKey, s3RecordKey } from './ids';
import { isRecordsEnvelope, splitJsonRecords } from './json-records';
import { DEFAULT_LIMITS, KEPT_HEAD_BYTES, MAX_PAYLOAD_CONTAINERS, readItemEvent } from './limits';
import { splitBoundedLines } from './lines';

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

/**
 * gunzips when the bytes are gzip (all concatenated members), else returns them unchanged. Bounded:
 * inflating stops at `maxBytes` of output (a 300 KB gzip bomb never becomes 300 MB), and plain bytes
 * over the bound are refused too, with an `EnvelopeError` that says so. Corrupt gzip throws zlib's error.
 * @example maybeGunzip(gzipSync('hello')).toString() // 'hello'
 */
export function maybeGunzip(bytes: Buffer, maxBytes: number = DEFAULT_LIMITS.maxDecompressedBytes): Buffer {
  if (!isGzip(bytes)) {
    if (bytes.length > maxBytes) throw new EnvelopeError(`input of ${bytes.length} bytes exceeds the ${maxBytes}-byte limit (MAX_DECOMPRESSED_BYTES)`);
    return bytes;
  }
  try {
    return gunzipSync(bytes, { maxOutputLength: maxBytes });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE')
      throw new EnvelopeError(`gzip of ${bytes.length} bytes inflates past the ${maxBytes}-byte limit (MAX_DECOMPRESSED_BYTES)`);
    throw e;
  }
}

/**
 * The bytes of one Firehose record, inflated (at most `maxBytes`) and read as (lenient) UTF-8, refused
 * with `EnvelopeError` when they are not gzip nor plain, inflate past the bound, or hold more than
 * `MAX_PAYLOAD_CONTAINERS` JSON objects and arrays (counted before any `JSON.parse`). `what` names the
 * record in that message. Shared by the CloudWatch Logs and the direct-PUT decoders.
 * @example inflateRecord(gzipSync('{"a":1}'), 1024, 'record').text // '{"a":1}'
 */
export function inflateRecord(bytes: Buffer, maxBytes: number, what: string): { plain: Buffer; text: string } {
  let plain: Buffer;
  try {
    plain = maybeGunzip(bytes, maxBytes);
  } catch (e) {
    if (e instanceof EnvelopeError) throw e;
    throw new EnvelopeError(`not gzip or corrupt gzip: ${(e as Error).message}`);
  }
  const text = plain.toString('utf8');
  if (countJsonContainers(text, MAX_PAYLOAD_CONTAINERS) > MAX_PAYLOAD_CONTAINERS)
    throw new EnvelopeError(`${what} holds more than ${MAX_PAYLOAD_CONTAINERS} JSON objects and arrays (a CloudWatch Logs payload holds at most 10,000 events)`);
  return { plain, text };
}

/**
 * Decodes the bytes of one CloudWatch Logs delivery (gzip, or already decompressed by Firehose),
 * inflating at most `maxBytes`. Throws `EnvelopeError` when the record is not a CloudWatch Logs
 * payload at all, is larger than the bound, or holds more than `MAX_PAYLOAD_CONTAINERS` objects and
 * arrays (checked before parsing: a structure bomb never reaches `JSON.parse`).
 * @example decodeCloudWatchPayload(gzipSync(JSON.stringify(payload))).logEvents.length
 */
export function decodeCloudWatchPayload(bytes: Buffer, maxBytes: number = DEFAULT_LIMITS.maxDecompressedBytes): CloudWatchLogsPayload {
  const { text } = inflateRecord(bytes, maxBytes, 'payload');
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
    const ev: RawEvent = { message: '', key: cloudWatchKey(payload.logGroup, String(e?.id ?? '')) };
    setMessage(ev, e?.message);
    if (typeof e?.timestamp === 'number') ev.timestamp = e.timestamp;
    if (e?.extractedFields) ev.extractedFields = e.extractedFields;
    events.push(ev);
  }
  return { context, events };
}

/**
 * The message of a log event that is not a string (a hand-made or buggy producer's payload): a JSON
 * value keeps its JSON text (never `[object Object]`); one nested deeper than `MAX_JSON_DEPTH` cannot
 * be serialized safely, so the event is rejected (a failure document with its clipped JSON text).
 * The value is kept as `parsed` next to its text: a parser then does not parse it again.
 */
function setMessage(ev: RawEvent, m: unknown): void {
  if (typeof m === 'string') ev.message = m;
  else if (m === undefined || m === null) ev.message = '';
  else if (typeof m !== 'object') ev.message = String(m);
  else if (deeperThan(m, MAX_JSON_DEPTH)) {
    ev.message = jsonText(m, KEPT_HEAD_BYTES);
    ev.rejected = { reason: `message is a JSON value nested deeper than ${MAX_JSON_DEPTH} levels`, type: 'too_deep' };
  } else {
    ev.message = JSON.stringify(m);
    ev.parsed = m;
  }
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

const REGION = /^[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$/;
const ACCOUNT = /^\d{12}$/;
const NFW_LOG_TYPE = /^(alert|flow|tls)$/;

/**
 * The delivering account and region of an S3 key, parsed ANCHORED at the documented AWS delivery
 * layouts, so that nothing the writer chose elsewhere in the key is believed:
 *
 *   [prefix/]AWSLogs/[o-<org>/]<account>/<service>/[<region>/]...           CloudTrail, ELB, VPC flow, WAF, ...
 *   [prefix/]AWSLogs/<account>/Config/<region>/<yyyy>/<m>/<d>/ConfigHistory|ConfigSnapshot/<account>_Config_...json.gz   AWS Config
 *   [prefix/]AWSLogs/<account>/CloudFront/<file>                             CloudFront standard logging v2 (global)
 *   [prefix/]AWSLogs/<account>/network-firewall/<alert|flow|tls>/<region>/<firewall>/...   Network Firewall
 *   [prefix/]AWSLogs/<account>/vpcdnsquerylogs/<vpc-id>/...                  Route 53 Resolver (no region in the key)
 *   [prefix/]AWSLogs/aws-account-id=<account>/aws-service=<s>/aws-region=<r>/...  VPC flow, Hive-compatible
 *
 * The key must hold exactly one `AWSLogs` segment (a prefix cannot smuggle a second layout in:
 * `AWSLogs/999999999999/x/AWSLogs/222222222222/...` names no account), and where the file name
 * starts with an account (`<account>_CloudTrail_...`, `<account>_elasticloadbalancing_...`,
 * `<account>_vpcflowlogs_...`) it must be the same account. The ingest bucket policy lets each
 * account's log delivery write only under its own `AWSLogs/<account>/` (deploy/archive-bucket.yml):
 * that is what makes the key's account trusted delivery metadata. Keys of no known layout give
 * no account (their documents are `unverified`).
 * @example contextFromS3Key('logs', 'AWSLogs/123456789012/CloudTrail/eu-west-1/2026/03/01/123456789012_CloudTrail_eu-west-1_20260301T1005Z_x.json.gz')
 * // { s3: { bucket: 'logs', key: '…' }, account: '123456789012', region: 'eu-west-1' }
 */
export function contextFromS3Key(bucket: string, key: string): ParseContext {
  const ctx: ParseContext = { s3: { bucket, key } };
  const parts = key.split('/');
  const at = parts.indexOf('AWSLogs');
  if (at < 0 || parts.indexOf('AWSLogs', at + 1) >= 0) return ctx;
  let i = at + 1;
  let account: string | undefined;
  let region: string | undefined;
  const hive = /^aws-account-id=(\d{12})$/.exec(parts[i] ?? '');
  if (hive) {
    account = hive[1];
    if (!/^aws-service=[^/]+$/.test(parts[i + 1] ?? '')) return ctx;
    const r = /^aws-region=(.+)$/.exec(parts[i + 2] ?? '')?.[1];
    if (r && REGION.test(r)) region = r;
  } else {
    if (/^o-[a-z0-9]{10,32}$/.test(parts[i] ?? '')) i++;
    if (!ACCOUNT.test(parts[i] ?? '')) return ctx;
    account = parts[i];
    // <service>/<region>/...: a region is believed only in that position. Network Firewall puts the
    // log type first: network-firewall/<alert|flow|tls>/<region>/<firewall>/...
    // CloudFront (standard logging v2) is global: `AWSLogs/<account>/CloudFront/<file>`, no Region.
    const global = parts[i + 1] === 'CloudFront' && i + 2 === parts.length - 1;
    if (!global && (!parts[i + 1] || i + 2 >= parts.length - 1)) return ctx;
    const at = parts[i + 1] === 'network-firewall' && NFW_LOG_TYPE.test(parts[i + 2]) ? i + 3 : i + 2;
    if (at < parts.length - 1 && REGION.test(parts[at])) region = parts[at];
  }
  // ALB connection log files carry a `conn_log.` prefix (docs; `conn_log_` observed) before the account.
  const file = parts[parts.length - 1].replace(/^conn_log[._]/, '');
  const named = /^(\d{12})_/.exec(file)?.[1];
  if (named !== undefined && named !== account) return ctx;
  // Resolver query log files start with the VPC id: `<vpc-id>_vpcdnsquerylogs_<account>_<time>_<hash>.log.gz`.
  const dns = /^vpc-[0-9a-f]+_vpcdnsquerylogs_(\d{12})_/.exec(file)?.[1];
  if (dns !== undefined && dns !== account) return ctx;
  ctx.account = account;
  if (region) ctx.region = region;
  return ctx;
}

/**
 * Events of a parsed CloudTrail log file (`{"Records":[...]}`), one per record, keyed by position so
 * the id is stable even for documentation samples without an `eventID`. A record nested too deep to
 * serialize is rejected (one failure), never the file. Each event carries its record as `parsed`
 * (the file is parsed once: the CloudTrail parser does not parse the text again). Files read from
 * bytes use `s3ObjectBatch`, which splits the records without parsing the file.
 * @example cloudTrailFileEvents({ Records: [{ eventID: 'e1' }] }, 's3://trail/x.json.gz#etag') // [{ message: '{"eventID":"e1"}', key: 's3://trail/x.json.gz#etag:0' }]
 */
export function cloudTrailFileEvents(doc: { Records: unknown[] }, keyPrefix: string): RawEvent[] {
  return doc.Records.map((r, i) => {
    const ev: RawEvent = { message: '', key: `${keyPrefix}:${i}` };
    if (typeof r === 'object' && r !== null) setMessage(ev, r);
    else ev.message = JSON.stringify(r) ?? '';
    return ev;
  });
}

/** Splits text into lines (LF or CRLF); the trailing empty line of a final newline is not an event. */
export function splitLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  for (let i = 0; i < lines.length; i++) if (lines[i].endsWith('\r')) lines[i] = lines[i].slice(0, -1);
  return lines;
}

/**
 * Batches of one S3 object's bytes already read into memory (small objects), bounded like the
 * streaming reader of S3 ingest: a `{"Records":[...]}` file (CloudTrail) is split into its records
 * without being parsed, so one bad record is one failure; anything else is one event per line. A line
 * or record over `limits.maxLineBytes` is a rejected event (a failure document with its first bytes).
 * Throws `EnvelopeError` when the bytes inflate past `limits.maxDecompressedBytes`.
 * `version` is the object version or ETag: part of every id.
 * @example s3ObjectBatch('trail', 'AWSLogs/…/x.json.gz', 'etag', gzipSync('{"Records":[{…},{…}]}')).events.length // 2
 */
export function s3ObjectBatch(bucket: string, key: string, version: string, bytes: Buffer, limits = DEFAULT_LIMITS): Batch {
  const context = contextFromS3Key(bucket, key);
  const plain = maybeGunzip(bytes, limits.maxDecompressedBytes);
  const prefix = s3RecordKey(bucket, key, version, 0).replace(/:0$/, '');
  const items = isRecordsEnvelope(plain) ? splitJsonRecords(plain, limits.maxLineBytes) : splitBoundedLines(plain, limits.maxLineBytes);
  return { context, events: items.map((item, i) => readItemEvent(item, `${prefix}:${i}`)) };
}
