/**
 * Turns an arbitrary local input (a log file, a gzipped CloudWatch Logs payload, a Firehose event,
 * a CloudTrail file) held in memory into pipeline batches. `tributary normalize` and `tributary
 * ingest` stream their inputs instead (`lib/local/input-stream.ts`), with the same events and keys,
 * and decode whole JSON documents with `decodeJsonDocument`.
 * Bounded like the functions (`lib/core/limits.ts`, `LOCAL_LIMITS`): no input can crash the CLI; what
 * cannot be read within the bounds becomes an unusable record or a failure document with the reason.
 */
import { countJsonContainers, deeperThan, MAX_JSON_DEPTH } from '../../parsers/json';
import type { ParseContext, RawEvent } from '../../parsers/types';
import {
  type Batch,
  cloudTrailFileEvents,
  cloudWatchBatch,
  contextFromS3Key,
  decodeCloudWatchPayload,
  EnvelopeError,
  type FirehoseTransformEvent,
  isCloudWatchPayload,
  isFirehoseEvent,
  maybeGunzip,
} from './envelopes';
import { decodeFirehoseRecord } from './direct-put';
import { isRecordsEnvelope, splitJsonRecords } from './json-records';
import { type DecodeLimits, LOCAL_LIMITS, MAX_DOCUMENT_CONTAINERS, readItemEvent } from './limits';
import { splitBoundedLines } from './lines';

export interface InputBatches {
  batches: Batch[];
  /** Control messages and other whole records that carry no log events. */
  dropped: number;
  /** Whole records that could not be decoded (e.g. a Firehose record that is not gzip/JSON). */
  unusable: Array<{ key: string; original: string; message: string }>;
  /** What the input was recognised as. */
  kind: 'firehose' | 'cloudwatch' | 'cloudtrail' | 'json' | 'lines';
}

const withOverrides = (ctx: ParseContext, overrides: ParseContext): ParseContext => ({
  ...ctx,
  ...Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)),
});

/**
 * Decodes one input. `name` identifies it in event keys (so ids are stable per file), and S3-style
 * paths (`.../AWSLogs/<account>/<service>/<region>/...`) give account and region. A CloudTrail file
 * is split into its records without being parsed whole (one bad record is one failure); lines and
 * records over `limits.maxLineBytes` are rejected events; an input that inflates past
 * `limits.maxDecompressedBytes` is one unusable record.
 * @example decodeInput(readFileSync('vpc.log'), 'vpc.log').batches[0].events[0].key // 'vpc.log:1'
 */
export function decodeInput(bytes: Buffer, name: string, overrides: ParseContext = {}, limits: DecodeLimits = LOCAL_LIMITS): InputBatches {
  let plain: Buffer;
  try {
    plain = maybeGunzip(bytes, limits.maxDecompressedBytes);
  } catch (e) {
    const message = e instanceof EnvelopeError ? e.message : `corrupt gzip: ${(e as Error).message}`;
    return { batches: [], dropped: 0, kind: 'lines', unusable: [{ key: name, original: bytes.subarray(0, 3072).toString('base64'), message }] };
  }
  const ctx = inputContext(name, overrides);
  let at = 0;
  while (at < plain.length && (plain[at] === 0x20 || plain[at] === 0x0a || plain[at] === 0x0d || plain[at] === 0x09)) at++;
  if (plain[at] === 0x7b || plain[at] === 0x5b) {
    if (isRecordsEnvelope(plain)) {
      const events = splitJsonRecords(plain, limits.maxLineBytes).map((item, i) => readItemEvent(item, `${name}:${i}`));
      return { kind: 'cloudtrail', batches: [{ context: ctx, events }], dropped: 0, unusable: [] };
    }
    const doc = parseDocument(plain);
    const decoded = doc === undefined ? undefined : decodeJson(doc, name, ctx, overrides, limits);
    if (decoded) return decoded;
  }
  return { kind: 'lines', dropped: 0, unusable: [], batches: [{ context: ctx, events: lines(plain, name, limits) }] };
}

/**
 * The parse context of a local input named `name`: S3-style paths (`.../AWSLogs/<account>/<service>/<region>/...`)
 * give account and region, as claims (`local`: a local path is no delivery); `overrides` win.
 * @example inputContext('/x/AWSLogs/123456789012/vpcflowlogs/eu-west-1/2026/03/01/f.log').account // '123456789012'
 */
export function inputContext(name: string, overrides: ParseContext = {}): ParseContext {
  const base: ParseContext = name.includes('AWSLogs/') ? contextFromS3Key('local', name.slice(name.indexOf('AWSLogs/'))) : {};
  delete base.s3;
  base.local = true;
  return withOverrides(base, overrides);
}

/**
 * The batches of plain bytes that are one whole JSON document (a Firehose event, a CloudWatch Logs
 * payload, `{"awslogs":...}`, a CloudTrail file whose `Records` is not first, a JSON log record or an
 * array of them), or undefined when they are not (NDJSON, broken JSON, a structure past
 * `MAX_DOCUMENT_CONTAINERS`, a record nested past `MAX_JSON_DEPTH`): those are read line by line.
 * One part, or one per record of a Firehose event (decoded as they are taken, `firehoseRecords`).
 * The caller bounds `plain` (at most `limits.maxDecompressedBytes`).
 * @example [...decodeJsonDocument(Buffer.from('{"msg":"hi"}'), 'f.json')!][0].batches[0].events // [{ message: '{"msg":"hi"}', key: 'f.json:0' }]
 */
export function decodeJsonDocument(plain: Buffer, name: string, overrides: ParseContext = {}, limits: DecodeLimits = LOCAL_LIMITS): Iterable<InputBatches> | undefined {
  const doc = parseDocument(plain);
  if (doc === undefined) return undefined;
  // A Firehose event record by record: one record's events in memory at a time.
  if (isFirehoseEvent(doc)) return firehoseRecords(doc, name, overrides, limits);
  const decoded = decodeJson(doc, name, inputContext(name, overrides), overrides, limits);
  return decoded && [decoded];
}

/** JSON text parsed whole, or undefined when it is not one JSON document or holds too many containers. */
function parseDocument(plain: Buffer): unknown {
  const text = plain.toString('utf8');
  // Parse memory follows the number of containers, not bytes: past the bound, line by line.
  if (countJsonContainers(text, MAX_DOCUMENT_CONTAINERS) > MAX_DOCUMENT_CONTAINERS) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined; // NDJSON or a broken file: line by line, so one bad line is one failure
  }
}

function lines(plain: Buffer, name: string, limits: DecodeLimits): RawEvent[] {
  return splitBoundedLines(plain, limits.maxLineBytes).map((item, i) => readItemEvent(item, `${name}:${i + 1}`));
}

/**
 * The records of a Firehose event, decoded one at a time (a consumer that normalizes each before
 * taking the next holds one record's events, not the event's): each is a batch, a dropped control
 * message, or an unusable record.
 * @example for (const r of firehoseRecords(event, 'fh.json')) normalizeAll(r.batches)
 */
export function* firehoseRecords(doc: FirehoseTransformEvent, name: string, overrides: ParseContext = {}, limits: DecodeLimits = LOCAL_LIMITS): Generator<InputBatches> {
  for (const r of doc.records) {
    const out: InputBatches = { kind: 'firehose', batches: [], dropped: 0, unusable: [] };
    try {
      // A CloudWatch Logs payload, or a direct-PUT record (an EventBridge event, JSON, text), as the transformer reads it.
      const batch = decodeFirehoseRecord(Buffer.from(r.data, 'base64'), doc.region, limits.maxDecompressedBytes).batch;
      if (batch) out.batches.push({ ...batch, context: withOverrides(batch.context, overrides) });
      else out.dropped++;
    } catch (e) {
      if (!(e instanceof EnvelopeError)) throw e;
      out.unusable.push({ key: `${name}#${r.recordId}`, original: r.data.slice(0, 4096), message: e.message });
    }
    yield out;
  }
}

/**
 * The batches of a JSON document, or undefined when it is one the line reader handles better: a
 * JSON log record nested deeper than `MAX_JSON_DEPTH` (it cannot be serialized back safely; read
 * as its line, its parser bounds it).
 */
function decodeJson(doc: unknown, name: string, ctx: ParseContext, overrides: ParseContext, limits: DecodeLimits): InputBatches | undefined {
  if (isFirehoseEvent(doc)) {
    const out: InputBatches = { kind: 'firehose', batches: [], dropped: 0, unusable: [] };
    for (const r of firehoseRecords(doc, name, overrides, limits)) {
      out.batches.push(...r.batches);
      out.dropped += r.dropped;
      out.unusable.push(...r.unusable);
    }
    return out;
  }
  // The event a CloudWatch Logs subscription hands a Lambda function: `{"awslogs":{"data":"<base64 gzip payload>"}}`.
  const awslogs = (doc as { awslogs?: { data?: unknown } } | null)?.awslogs;
  if (awslogs !== null && typeof awslogs === 'object' && typeof awslogs.data === 'string' && Object.keys(doc as object).length === 1) {
    try {
      const batch = cloudWatchBatch(decodeCloudWatchPayload(Buffer.from(awslogs.data, 'base64'), limits.maxDecompressedBytes), overrides.region);
      return {
        kind: 'cloudwatch',
        batches: batch ? [{ ...batch, context: withOverrides(batch.context, overrides) }] : [],
        dropped: batch ? 0 : 1,
        unusable: [],
      };
    } catch (e) {
      if (!(e instanceof EnvelopeError)) throw e;
      return { kind: 'cloudwatch', batches: [], dropped: 0, unusable: [{ key: `${name}#awslogs`, original: awslogs.data.slice(0, 4096), message: e.message }] };
    }
  }
  if (isCloudWatchPayload(doc)) {
    const batch = cloudWatchBatch(doc, overrides.region);
    return {
      kind: 'cloudwatch',
      batches: batch ? [{ ...batch, context: withOverrides(batch.context, overrides) }] : [],
      dropped: batch ? 0 : 1,
      unusable: [],
    };
  }
  const records = (doc as { Records?: unknown })?.Records;
  if (Array.isArray(records)) {
    // `Records` not first (files starting `{"Records":[` are split without parsing, above).
    return { kind: 'cloudtrail', batches: [{ context: ctx, events: cloudTrailFileEvents({ Records: records }, name) }], dropped: 0, unusable: [] };
  }
  // A pretty-printed JSON log (one object) or an array of them: one event per object.
  const items = Array.isArray(doc) ? doc : [doc];
  if (items.some((item) => deeperThan(item, MAX_JSON_DEPTH))) return undefined;
  const events = items.map((item, i) => ({ message: typeof item === 'string' ? item : JSON.stringify(item), key: `${name}:${i}` }));
  return { kind: 'json', batches: [{ context: ctx, events }], dropped: 0, unusable: [] };
}
