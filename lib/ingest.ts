/**
 * Core of S3 ingest: S3-delivered logs (ALB/NLB/Classic ELB, VPC Flow Logs, CloudTrail) and the
 * Firehose error records of every error output type (records the transformer could not return, see
 * `lib/transform.ts`; records Firehose diverted after it, e.g. past the active-partition limit, see
 * `lib/core/firehose-errors.ts`) become normalized NDJSON.gz objects in the archive, in the layout
 * of `lib/core/archive.ts`.
 *
 * Memory is bounded whatever the object and whatever its content: the object is streamed (gzip or
 * plain, all gzip members), read line by line, or record by record for a CloudTrail log file (its
 * `Records` are split without parsing the file, `lib/core/json-records.ts`), every line and record
 * bounded by `maxLineBytes`, and normalized in chunks of `chunkLines` lines or `chunkBytes` bytes;
 * the output is a streamed multipart upload. A line or record over the bound becomes one failure
 * document (its first bytes + the reason) and reading goes on; a Firehose error record whose payload
 * inflates past `maxDecompressedBytes` becomes one failure document too (`lib/core/limits.ts`).
 *
 * - Ids: every line/record keeps `s3://bucket/key#version:position` (`s3RecordKey`), position =
 *   0-based line (or CloudTrail record) index, version = version id, else ETag. The output object
 *   name is derived from the same identity, so re-running the same object overwrites the same
 *   archive object with the same document ids.
 * - The source is detected once per object (key layout, then the first chunk) and kept for every
 *   chunk; a VPC Flow Logs header line (first line) is turned into `options.vpcFormat` for every
 *   chunk (a CloudFront `#Fields` line into `options.cloudfrontFields`), so chunks after the first
 *   still know the field order.
 * - The output partition is the object's first chunk, by the one partition rule (`lib/core/archive.ts`
 *   `batchPartition`: first document's origin, else the key's; hour of the chunk's earliest
 *   `@timestamp`). Firehose error objects can mix log groups, so they are written per CloudWatch
 *   payload partition, exactly like the transformer (`lib/core/cloudwatch.ts`).
 * - Skipped objects (counted as `ignored_objects`): the archive's own output (`normalized/`, `raw/`,
 *   `errors/indexer/`, `checkpoints/` in the archive bucket, which would loop) and, when integrity
 *   validation is off, CloudTrail digest files. With it on (`integrity`), a digest file is verified
 *   instead and its verdict archived as documents (`lib/integrity.ts`).
 * - Segments, deadline and checkpoint: the output is cut into SEGMENTS of whole chunks (at least
 *   `segmentLines` items or `segmentBytes` of text, then the chunk boundary), each written as its
 *   own archive objects (`segmentName`: the first keeps the object's name, so small objects are one
 *   object as before). The handler passes the invocation's remaining time; a run stops
 *   `INGEST_DEADLINE_MARGIN_MS` before the end (checked before every chunk and every Firehose error
 *   record), abandons the open segment (nothing of it becomes visible), saves a checkpoint of the
 *   segments written (`lib/core/ingest-checkpoint.ts`) and hands the message back; the redelivered
 *   message (SQS `ApproximateReceiveCount` > 1) continues after the last written segment, with the
 *   same names and ids, so the archive ends identical to one uninterrupted run. Why here and not in
 *   a re-sent SQS message with a cursor: a re-sent message resets SQS's receive count (an object
 *   that never progresses would loop instead of reaching the DLQ), needs send rights on the queue,
 *   and a crash between sending it and deleting the original runs the object twice at once. The
 *   hand-back keeps the queue's retry bound, and the checkpoint outlives any number of deliveries.
 *   A run reports the counts of the segments it wrote only once they are in a saved checkpoint (or
 *   the object is done), so the counts of all deliveries add up to one run's.
 */
import type { Readable } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { type SourceMapping, detectSource, sourceFromS3Key } from '../parsers/detect';
import type { ParseContext, RawEvent, SourceId, SourceOptions } from '../parsers/types';
import { headerFormat, VpcLayoutMemory } from '../parsers/vpcflow-format';
import { cloudfrontHeaderFields } from '../parsers/cloudfront';
import {
  batchPartition,
  FIREHOSE_ERRORS_PREFIX,
  firehoseErrorType,
  ingestCheckpointKey,
  isArchiveOutput,
  isBeforeTransformErrorType,
  type Partition,
  segmentName,
  sourceObjectName,
} from './core/archive';
import { normalizeCloudWatchBatch } from './core/cloudwatch';
import { cloudWatchBatch, contextFromS3Key, EnvelopeError } from './core/envelopes';
import { decodeFirehoseErrorRecord } from './core/firehose-errors';
import { s3RecordKey } from './core/ids';
import { failureDocument, normalizeInSlices } from './core/pipeline';
import type { TributaryDocument } from '../schemas/generated/document';
import { type Deadline, deadlineBefore, DeadlineError, type Invocation, passed } from './core/deadline';
import { type IngestCheckpoint, type IngestCut, parseIngestCheckpoint, settingsFingerprint } from './core/ingest-checkpoint';
import { addTally, type Tally } from './core/tally';
import { ArchiveWriter } from './io/archive-writer';
import type { IngestConfig } from './io/config';
import { DEFAULT_CHUNK, DEFAULT_LIMITS, isUnreadable, readItemEvent } from './core/limits';
import { createS3Client, readLineItems, readRecordsOrLines } from './io/s3';
import { createSqsReleaseClient, forEachNotifiedObject, type MessagesOutcome, redelivered, releaseForRetry, type SqsRecordLike } from './io/sqs';
import { bucketStores, type ObjectStore } from './io/store';
import { type IntegrityDeps, isCloudTrailDigestKey, verifyDigestObject } from './integrity';
import { publicKeySource } from './io/cloudtrail';
import { loadEnricher } from './io/enrich';
import type { Enricher } from './core/enrich';
import { DEFAULT_REDACTOR, type Redactor } from './core/redact';

/** How objects are normalized (from the function's configuration, or the CLI). */
export interface IngestSettings {
  chunkLines: number;
  includeOriginal?: boolean;
  mappings?: readonly SourceMapping[];
  /** Accounts whose account claims are accepted (`lib/core/attribution.ts`). */
  aggregators?: readonly string[];
  /**
   * Keys are local paths mirroring S3 keys (`tributary ingest` of copied files), not AWS deliveries:
   * their account is only a claim, and documents are `unverified`.
   */
  localKeys?: boolean;
  sourceOptions?: SourceOptions;
  /** Layouts of headerless VPC flow log lines learned per log group (Firehose error records), kept across invocations. */
  vpcLayouts?: VpcLayoutMemory;
  /** Region of CloudWatch payloads found in Firehose error records (the stream's region). */
  region?: string;
  now?: () => Date;
  /** `MAX_DECOMPRESSED_BYTES`: bound of a Firehose error record's decompressed payload (default 8 MiB). */
  maxDecompressedBytes?: number;
  /** `MAX_LINE_BYTES`: longest line or CloudTrail record (default 8 MiB); longer ones are failures. */
  maxLineBytes?: number;
  /** A chunk is normalized once it holds this many bytes of text, even with fewer than `chunkLines` lines. */
  chunkBytes?: number;
  /** A segment (archive objects of their own, resume points) ends with the chunk that reaches this many items (default `DEFAULT_SEGMENT_LINES`)... */
  segmentLines?: number;
  /** ...or this many bytes of text (default `DEFAULT_SEGMENT_BYTES`). */
  segmentBytes?: number;
  /** CloudTrail log file integrity validation of digest files; without it they are skipped. */
  integrity?: IntegrityDeps;
  /** GeoIP/ASN and user-agent enrichment (`lib/core/enrich/`, opened by `lib/io/enrich.ts`). */
  enricher?: Enricher;
  /** Secret redaction (`lib/core/redact.ts`); default: the default rules. */
  redaction?: Redactor;
}

export interface IngestObjectDeps extends IngestSettings {
  /** Where the normalized objects go. */
  archive: ObjectStore;
}

/** One object to ingest: where it is stored, and its version (S3 version id or ETag; part of every id). */
export interface StoredInput {
  store: ObjectStore;
  key: string;
  version: string;
  size?: number;
}

export interface IngestObjectResult {
  tally: Tally;
  /** Archive keys written. */
  outputs: string[];
  source?: SourceId;
  /** Why the object was skipped, when it was. */
  ignored?: string;
  /** The item position this run continued from (a checkpoint of an earlier run). */
  resumedFrom?: number;
  /** A checkpoint that was found but not used, or not read or updated, and why (for the log). */
  checkpointNote?: string;
}

/** How one run of `ingestObject` goes: when to stop, and whether to continue an earlier run. */
export interface IngestRun {
  deadline?: Deadline;
  /** Look for the checkpoint of an earlier run and continue after it (a redelivered message). */
  resume?: boolean;
}

/**
 * A run stopped (deadline, or an error) after writing segments: they are recorded in a checkpoint
 * (unless saving it failed), `tally` counts them when it was saved (else `{}`: the next run starts
 * over and counts them), and the next delivery continues after them.
 */
export class IngestStoppedError extends Error {
  constructor(
    override readonly cause: unknown,
    readonly tally: Tally,
    readonly checkpoint: { key: string; position: number; segment: number; saved: boolean; error?: string },
    /** Archive objects this run wrote (complete segments). */
    readonly outputs: string[],
  ) {
    const saved = checkpoint.saved
      ? `checkpoint ${checkpoint.key} saved at item ${checkpoint.position} (next segment ${checkpoint.segment})`
      : `checkpoint ${checkpoint.key} not saved (${checkpoint.error}): the next delivery starts over`;
    super(`${cause instanceof Error ? cause.message : String(cause)}; ${saved}`);
    this.name = cause instanceof Error ? cause.name : 'IngestStopped';
  }
}

const DIGEST_FILE = 'CloudTrail digest file';

/** Why an object (bucket and key relative to its store) is not ingested, or undefined when it is. */
export function ignoreReason(ref: { bucket: string; key: string }, archiveBucket: string): string | undefined {
  if (ref.bucket === archiveBucket && isArchiveOutput(ref.key)) return 'archive output';
  if (/\/CloudTrail-Digest\//i.test(ref.key)) return DIGEST_FILE;
  if (ref.key.endsWith('/')) return 'folder marker';
  return undefined;
}

type PipelineTally = Required<Pick<Tally, 'received' | 'documents' | 'dropped' | 'failed'>>;
const zeroTally = (): PipelineTally & Tally => ({ received: 0, documents: 0, dropped: 0, failed: 0 });

/** Where documents go (an `ArchiveWriter`, or the open segment of a `Segments`). */
interface PartitionWriter {
  write(partition: Partition, data: readonly string[] | string): Promise<void>;
}

/** Text per chunk (`DEFAULT_CHUNK`): with lines up to `maxLineBytes` long, `chunkLines` alone would not bound memory. */
const DEFAULT_CHUNK_BYTES = DEFAULT_CHUNK.bytes;

/**
 * Segment bounds. A segment is what a deadline stop may have to redo (about 5 s of normalizing on
 * the 1,024 MB function) and one archive object for the indexer, which must index it within its own
 * timeout (50,000 documents ≈ 75 MB of NDJSON). Objects smaller than that stay one archive object.
 */
export const DEFAULT_SEGMENT_LINES = 50_000;
export const DEFAULT_SEGMENT_BYTES = 32 * 1024 * 1024;

/**
 * Stop this long before the invocation ends: enough to finish the chunk in flight (≤ 2 MiB of text,
 * a few seconds), abandon the open segment's uploads, save the checkpoint and return (300 s timeout).
 */
export const INGEST_DEADLINE_MARGIN_MS = 20_000;

/** What the first chunks of an object decide for all of it (restored from a checkpoint on resume). */
interface ObjectState {
  source?: SourceId;
  /** VPC Flow Logs format from the object's header line. */
  vpcFormat?: string;
  /** CloudFront field list from the object's `#Fields` header line. */
  cloudfrontFields?: string;
  partition?: Partition;
}

/**
 * The archive objects of one input, segment by segment: the open segment's objects and counts stay
 * apart until `commit` has written them, so a stop abandons exactly the open segment.
 */
class Segments {
  private writer: ArchiveWriter;
  /** Items and text bytes in the open segment. */
  private items = 0;
  private bytes = 0;
  /** Counts of the open segment. */
  pending = zeroTally();
  /** Counts of the segments this run wrote. */
  readonly tally = zeroTally();
  readonly outputs: string[] = [];
  /** The object state as of the last segment written. */
  state: ObjectState;

  constructor(
    private readonly archive: ObjectStore,
    private readonly name: string,
    /** Index of the open segment. */
    public segment: number,
    /** Items before the open segment. */
    public position: number,
    readonly cut: IngestCut,
    state: ObjectState,
  ) {
    this.state = { ...state };
    this.writer = this.open();
  }

  private open(): ArchiveWriter {
    return new ArchiveWriter(this.archive, segmentName(this.name, this.segment));
  }

  write(partition: Partition, data: readonly string[] | string): Promise<void> {
    return this.writer.write(partition, data);
  }

  /** Adds items to the open segment; writes it when it is full (`position`: items read so far). */
  async add(items: number, bytes: number, position: number, state: ObjectState): Promise<void> {
    this.items += items;
    this.bytes += bytes;
    if (this.items >= this.cut.segmentLines || this.bytes >= this.cut.segmentBytes) await this.commit(position, state);
  }

  /** Writes the open segment (its objects become visible) and opens the next one after `position`. */
  async commit(position: number, state: ObjectState): Promise<void> {
    this.outputs.push(...(await this.writer.close()));
    addTally(this.tally, this.pending);
    this.pending = zeroTally();
    this.items = 0;
    this.bytes = 0;
    this.segment++;
    this.position = position;
    this.state = { ...state };
    this.writer = this.open();
  }

  abort(): Promise<void> {
    return this.writer.abort();
  }
}

/** A store object as text (checkpoints: small; `limit` bounds a damaged one). */
async function readText(body: Readable, limit = 1024 * 1024): Promise<string> {
  const parts: Buffer[] = [];
  let n = 0;
  for await (const c of body as AsyncIterable<Buffer>) {
    n += c.length;
    if (n > limit) {
      body.destroy();
      throw new Error(`larger than ${limit} bytes`);
    }
    parts.push(c);
  }
  return Buffer.concat(parts).toString('utf8');
}

/**
 * The checkpoint of an earlier run, when there is one to continue. Missing, unreadable or
 * unusable: undefined (the run starts over, which is always correct), with a note unless simply
 * missing. S3 answers 403 rather than 404 for a missing key to a caller without `s3:ListBucket`
 * (s3ingest has none on the archive), so AccessDenied means missing too.
 */
async function loadCheckpoint(
  archive: ObjectStore,
  key: string,
  expected: { input: IngestCheckpoint['input']; settings: string },
): Promise<{ checkpoint?: IngestCheckpoint; note?: string }> {
  let text: string;
  try {
    text = await readText(await archive.get(key));
  } catch (e) {
    const name = (e as { name?: string; code?: string }).code ?? (e as Error).name;
    if (name === 'NoSuchKey' || name === 'AccessDenied' || name === 'NotFound') return {};
    return { note: `checkpoint ${key} not read (${name}: ${(e as Error).message}): starting over` };
  }
  const r = parseIngestCheckpoint(text, expected);
  return r.checkpoint ? { checkpoint: r.checkpoint } : r.ignored === 'complete' ? {} : { note: `checkpoint ${key} not used (${r.ignored}): starting over` };
}

/**
 * Ingests one stored object into the archive. Bad content never throws: it becomes `pipeline_error`
 * documents. I/O errors throw (the SQS message is then retried; nothing of the open segment is
 * visible), and so does a passed `run.deadline` (`DeadlineError`); either one, once segments were
 * written, as an `IngestStoppedError` after saving a checkpoint that a run with `run.resume`
 * continues from (see the module comment).
 * @example await ingestObject({ store: logs, key: 'AWSLogs/123456789012/elasticloadbalancing/…/x.log.gz', version: etag }, { archive, chunkLines: DEFAULT_CHUNK.lines })
 */
export async function ingestObject(input: StoredInput, deps: IngestObjectDeps, run: IngestRun = {}): Promise<IngestObjectResult> {
  const ignored = ignoreReason({ bucket: input.store.bucket, key: input.key }, deps.archive.bucket);
  if (ignored === DIGEST_FILE && deps.integrity && isCloudTrailDigestKey(input.store.absoluteKey(input.key))) {
    const r = await verifyDigestObject(input, { ...deps.integrity, archive: deps.archive, now: deps.now });
    return { tally: r.tally, outputs: r.outputs, source: r.source };
  }
  if (ignored) return { tally: { ignored_objects: 1 }, outputs: [], ignored };
  const bucket = input.store.bucket;
  const key = input.store.absoluteKey(input.key);
  const name = sourceObjectName(key, 's3ingest', bucket, key, input.version);
  const identity = { bucket, key, version: input.version };
  // What shapes the documents besides the object: a checkpoint of a run with other settings is not continued.
  const settings = settingsFingerprint({
    includeOriginal: deps.includeOriginal ?? false,
    mappings: deps.mappings ?? [],
    aggregators: deps.aggregators ?? [],
    localKeys: deps.localKeys ?? false,
    sourceOptions: deps.sourceOptions ?? {},
    region: deps.region,
    maxLineBytes: deps.maxLineBytes ?? DEFAULT_LIMITS.maxLineBytes,
    maxDecompressedBytes: deps.maxDecompressedBytes ?? DEFAULT_LIMITS.maxDecompressedBytes,
    enrichment: deps.enricher?.id,
    redaction: (deps.redaction ?? DEFAULT_REDACTOR).id,
  });
  const checkpointKey = ingestCheckpointKey(name);
  const found = run.resume ? await loadCheckpoint(deps.archive, checkpointKey, { input: identity, settings }) : {};
  const cp = found.checkpoint;
  let note = found.note;
  const cut: IngestCut = cp?.cut ?? {
    chunkLines: deps.chunkLines,
    chunkBytes: deps.chunkBytes ?? DEFAULT_CHUNK_BYTES,
    segmentLines: deps.segmentLines ?? DEFAULT_SEGMENT_LINES,
    segmentBytes: deps.segmentBytes ?? DEFAULT_SEGMENT_BYTES,
  };
  // One `event.ingested` for the whole object, whichever run writes which segment.
  const now = cp ? (cp.ingested ? new Date(cp.ingested) : undefined) : deps.now?.();
  const segments = new Segments(deps.archive, name, cp?.segment ?? 0, cp?.position ?? 0, cut, { source: cp?.source, vpcFormat: cp?.vpcFormat, cloudfrontFields: cp?.cloudfrontFields, partition: cp?.partition });
  const checkpointOf = (complete: boolean): IngestCheckpoint => ({
    version: 1,
    input: identity,
    settings,
    cut,
    position: segments.position,
    segment: segments.segment,
    complete,
    ...segments.state,
    ...(now ? { ingested: now.toISOString() } : {}),
    tally: addTally(addTally({}, cp?.tally ?? {}), segments.tally),
    updatedAt: new Date().toISOString(),
  });
  const save = (c: IngestCheckpoint) => deps.archive.put(checkpointKey, JSON.stringify(c), { contentType: 'application/json' });
  const body = await input.store.get(input.key);
  let state: ObjectState;
  try {
    if (input.key.startsWith(FIREHOSE_ERRORS_PREFIX)) state = await ingestFirehoseErrors(input, body, deps, segments, now, run.deadline);
    else state = await ingestLines(input, body, deps, segments, now, run.deadline);
  } catch (e) {
    await segments.abort();
    body.destroy();
    // Nothing written by this run: nothing to record; the next delivery does what this one would have.
    if (segments.position === (cp?.position ?? 0)) throw e;
    const checkpoint = { key: checkpointKey, position: segments.position, segment: segments.segment, saved: false, error: undefined as string | undefined };
    try {
      await save(checkpointOf(false));
      checkpoint.saved = true;
    } catch (se) {
      checkpoint.error = `${(se as Error).name}: ${(se as Error).message}`;
    }
    throw new IngestStoppedError(e, checkpoint.saved ? { ...segments.tally, objects: 1 } : {}, checkpoint, segments.outputs);
  }
  if (cp) {
    // A later delivery of this object (a re-sent notification) must start over, not continue here.
    try {
      await save(checkpointOf(true));
    } catch (e) {
      note = `checkpoint ${checkpointKey} not marked complete (${(e as Error).name}: ${(e as Error).message})`;
    }
  }
  return {
    tally: { ...segments.tally, objects: 1 },
    outputs: segments.outputs,
    source: state.source,
    ...(cp ? { resumedFrom: cp.position } : {}),
    ...(note ? { checkpointNote: note } : {}),
  };
}

/** Sources whose S3 objects are one JSON document of records (`lib/core/json-records.ts`, `ENVELOPE_KEYS`). */
const RECORD_FILE_SOURCES: ReadonlySet<SourceId> = new Set<SourceId>(['cloudtrail', 'config', 'inspector']);

/**
 * Log lines (or CloudTrail records) of one S3-delivered object, in chunks, from the segment the run
 * starts at; returns what the first chunks decided.
 */
async function ingestLines(
  input: StoredInput,
  body: Readable,
  deps: IngestObjectDeps,
  segments: Segments,
  now: Date | undefined,
  deadline: Deadline | undefined,
): Promise<ObjectState> {
  const bucket = input.store.bucket;
  const key = input.store.absoluteKey(input.key);
  const { cut } = segments;
  const state: ObjectState = { ...segments.state };
  const ctx: ParseContext = contextFromS3Key(bucket, key);
  if (deps.localKeys) ctx.local = true;
  if (deps.sourceOptions && Object.keys(deps.sourceOptions).length) ctx.options = { ...deps.sourceOptions };
  if (state.vpcFormat) ctx.options = { ...ctx.options, vpcFormat: state.vpcFormat };
  if (state.cloudfrontFields) ctx.options = { ...ctx.options, cloudfrontFields: state.cloudfrontFields };
  const run = async (events: RawEvent[]) => {
    if (!events.length) return;
    // The source is decided by readable events only (a rejected one holds only its first bytes).
    const readable = events.some((e) => e.rejected) ? events.filter((e) => !e.rejected) : events;
    if (state.source === undefined && readable.length) {
      state.source = detectSource(ctx, readable, deps.mappings);
      const header = state.source === 'vpcflow' && readable[0] === events[0] ? headerFormat(events[0].message) : undefined;
      if (header) {
        state.vpcFormat = header;
        ctx.options = { ...ctx.options, vpcFormat: header };
      }
      // A CloudFront standard log file declares its fields once, at the top (`#Version`, `#Fields`).
      const fields = state.source === 'cloudfront' && readable[0] === events[0] ? cloudfrontHeaderFields(events) : undefined;
      if (fields) {
        state.cloudfrontFields = fields;
        ctx.options = { ...ctx.options, cloudfrontFields: fields };
      }
    }
    // Serialized a slice at a time (`normalizeInSlices`): a chunk's documents die young. The object's
    // partition comes from its first chunk's documents, kept for that chunk only.
    const first: TributaryDocument[] | undefined = state.partition === undefined ? [] : undefined;
    const lines: string[] = [];
    const res = normalizeInSlices(
      { events, context: ctx, source: state.source ?? detectSource(ctx, [], deps.mappings) },
      { now, includeOriginal: deps.includeOriginal, mappings: deps.mappings, aggregators: deps.aggregators, enricher: deps.enricher, redaction: deps.redaction },
      (documents) => {
        if (first) for (const d of documents) first.push(d);
        for (const d of documents) lines.push(JSON.stringify(d));
      },
    );
    addTally(segments.pending, res.counts);
    for (const d of res.failures) lines.push(JSON.stringify(d));
    if (!lines.length) return;
    state.partition ??= batchPartition({ source: res.source, context: ctx, events: [], documents: first!.concat(res.failures) });
    await segments.write(state.partition, lines);
  };
  const maxLineBytes = deps.maxLineBytes ?? DEFAULT_LIMITS.maxLineBytes;
  // A CloudTrail log file, an AWS Config history or snapshot file, an Inspector JSON report is one
  // JSON document: its records are split without parsing the file, so one malformed, oversized or
  // 10,000-deep record is one failure, not the whole file. Inspector reports land under a prefix the
  // exporter chose (no AWS layout): keys of no known layout are split too when their first bytes are
  // such a document (`isRecordsEnvelope`), else read line by line like every other log.
  const keySource = detectSource(ctx, [], deps.mappings);
  // Config's objects are JSON documents only (history, snapshot, oversized-item notifications): any
  // layout of one is one record.
  const items =
    RECORD_FILE_SOURCES.has(keySource) || sourceFromS3Key(key) === undefined
      ? readRecordsOrLines(body, maxLineBytes, keySource === 'config')
      : readLineItems(body, maxLineBytes);
  // Items of the segments an earlier run wrote are read again (a gzip stream cannot be entered in
  // the middle) but not normalized.
  const start = segments.position;
  let chunk: RawEvent[] = [];
  let bytes = 0;
  let position = 0;
  const flush = async () => {
    if (!chunk.length) return;
    if (passed(deadline)) throw new DeadlineError(`deadline reached at item ${position - chunk.length} of s3://${bucket}/${key}`);
    await run(chunk);
    const n = chunk.length;
    const b = bytes;
    chunk = [];
    bytes = 0;
    await segments.add(n, b, position, state);
  };
  for await (const item of items) {
    if (position < start) {
      position++;
      continue;
    }
    const event = readItemEvent(item, s3RecordKey(bucket, key, input.version, position++));
    chunk.push(event);
    bytes += event.message.length;
    if (chunk.length >= cut.chunkLines || bytes >= cut.chunkBytes) await flush();
  }
  await flush();
  await segments.commit(position, state);
  return state;
}

/**
 * Firehose error records (`{"rawData": base64, "errorCode", ...}` per line) of every error output
 * type (`lib/core/firehose-errors.ts`): CloudWatch payloads the transformer could not return
 * (`processing-failed`), normalized exactly like the live path, and the transformer's output that
 * Firehose diverted afterwards (`activePartitionExceeded`, ...), archived with the ids it has.
 */
async function ingestFirehoseErrors(
  input: StoredInput,
  body: Readable,
  deps: IngestObjectDeps,
  segments: Segments,
  now: Date | undefined,
  deadline: Deadline | undefined,
): Promise<ObjectState> {
  const start = segments.position;
  let position = 0;
  // Each record is its own payload (own partition): segments are cut by records, checked one by one.
  const next = async (p: number, bytes: number, ingest: () => Promise<void>) => {
    if (p < start) return;
    if (passed(deadline)) throw new DeadlineError(`deadline reached at record ${p} of ${input.key}`);
    await ingest();
    await segments.add(1, bytes, p + 1, {});
  };
  for await (const raw of readLineItems(body, deps.maxLineBytes ?? DEFAULT_LIMITS.maxLineBytes)) {
    if (isUnreadable(raw)) {
      const p = position++;
      await next(p, raw.head.length, () => writeUnusable(raw.head, p, raw.reason, raw.type, input, segments, segments.pending, now, deps.redaction));
      continue;
    }
    // One error record per line is what we expect; records written back to back without a newline
    // (UNCONFIRMED either way in the Firehose docs) are split on the record boundary.
    const records = raw.includes('}{"attemptsMade"') ? raw.split(/(?<=\})(?=\{"attemptsMade")/) : [raw];
    for (const line of records) {
      const p = position++;
      await next(p, line.length, () => ingestErrorRecord(line, p, input, deps, segments, segments.pending, now));
    }
  }
  await segments.commit(position, {});
  return {};
}

async function ingestErrorRecord(
  line: string,
  position: number,
  input: StoredInput,
  deps: IngestObjectDeps,
  writer: PartitionWriter,
  tally: PipelineTally,
  now: Date | undefined,
): Promise<void> {
  if (!line.trim()) return;
  let reason: string;
  // Records Firehose diverted AFTER the transform returned them Ok (activePartitionExceeded, ...) were
  // counted by the transform: their documents are `recovered` here, not received a second time.
  const recovering = !isBeforeTransformErrorType(firehoseErrorType(input.key));
  try {
    const rec = decodeFirehoseErrorRecord(line, deps.maxDecompressedBytes, recovering ? undefined : { streamRegion: deps.region });
    if (rec.kind === 'documents') {
      // The transform's own output: archived unchanged (same ids), under the partition of its
      // documents (same rule; the hour is the earliest @timestamp's, the live path's envelope time
      // is not in the record).
      const first = rec.documents[0];
      const partition = batchPartition({ source: first.tributary.source, context: {}, events: [], documents: rec.documents, fallbackTime: rec.arrival });
      if (recovering) addTally(tally, { recovered: rec.lines.length });
      else addTally(tally, { received: rec.lines.length, documents: rec.lines.length });
      await writer.write(partition, rec.lines);
      return;
    }
    const batch = rec.kind === 'direct' ? rec.batch : cloudWatchBatch(rec.payload, deps.region);
    if (batch === null) {
      if (!recovering) addTally(tally, { received: 1, dropped: 1 });
      return;
    }
    const { result, partition, ndjson } = normalizeCloudWatchBatch(batch, rec.arrival, {
      now,
      includeOriginal: deps.includeOriginal,
      mappings: deps.mappings,
      aggregators: deps.aggregators,
      sourceOptions: deps.sourceOptions,
      vpcLayouts: deps.vpcLayouts,
      enricher: deps.enricher,
      redaction: deps.redaction,
    });
    if (recovering) addTally(tally, { recovered: result.counts.documents + result.counts.failed });
    else addTally(tally, result.counts);
    await writer.write(partition, ndjson);
    return;
  } catch (e) {
    if (!(e instanceof EnvelopeError) && !(e instanceof SyntaxError)) throw e;
    reason = e.message;
  }
  await writeUnusable(line, position, reason, 'unusable_record', input, writer, tally, now, deps.redaction);
}

/** A record nobody can decode (or read whole) is kept as a pipeline_error document with its text and the reason. */
async function writeUnusable(
  text: string,
  position: number,
  reason: string,
  type: string,
  input: StoredInput,
  writer: PartitionWriter,
  tally: PipelineTally,
  now: Date | undefined,
  redaction: Redactor | undefined,
): Promise<void> {
  const bucket = input.store.bucket;
  const key = input.store.absoluteKey(input.key);
  const ctx: ParseContext = { s3: { bucket, key } };
  const doc = failureDocument('app', { message: text, key: s3RecordKey(bucket, key, input.version, position) }, ctx, reason, type, now, undefined, redaction);
  tally.received++;
  tally.failed++;
  await writer.write(batchPartition({ source: 'app', context: {}, events: [], documents: [doc] }), [JSON.stringify(doc)]);
}


/** What the SQS adapter needs: the S3 client, the archive bucket, and the settings. */
export interface IngestDeps extends IngestSettings {
  s3: S3Client;
  archiveBucket: string;
  /** Makes handed-back messages visible again at once (`releaseForRetry`); without it they wait for the visibility timeout. */
  sqs?: SQSClient;
  /** Default `INGEST_DEADLINE_MARGIN_MS`. */
  deadlineMarginMs?: number;
}

export interface BatchOutcome extends MessagesOutcome<IngestObjectResult> {
  /** Handed-back messages that could not be made visible early (they return after the visibility timeout). */
  releaseErrors?: string[];
}

/**
 * Ingests an SQS batch of S3 notifications within the invocation's time; a message fails (and is
 * retried) if any of its objects fails, and is handed back when the deadline stops it. A
 * redelivered message continues from its object's checkpoint. Handed-back messages that will
 * continue (not started, or stopped with a saved checkpoint) are made visible again at once, so
 * the rest of a large object follows within seconds instead of after the 30-minute visibility timeout.
 * @example const out = await ingestMessages(event.Records, deps, { remainingMs: () => context.getRemainingTimeInMillis() }); return { batchItemFailures: out.batchItemFailures };
 */
export async function ingestMessages(records: readonly SqsRecordLike[], deps: IngestDeps, invocation?: Invocation): Promise<BatchOutcome> {
  const storeOf = bucketStores(deps.s3);
  const objectDeps: IngestObjectDeps = { ...deps, archive: storeOf(deps.archiveBucket) };
  // Log files and previous digests may sit in another bucket than the digest.
  if (deps.integrity) objectDeps.integrity = { storeOf, ...deps.integrity };
  const deadline = invocation ? deadlineBefore(invocation.remainingMs, deps.deadlineMarginMs ?? INGEST_DEADLINE_MARGIN_MS) : undefined;
  const checkpointed = new Set<string>();
  const out: BatchOutcome = await forEachNotifiedObject(
    records,
    async (ref, message) => {
      try {
        return await ingestObject({ store: storeOf(ref.bucket), key: ref.key, version: ref.version, size: ref.size }, objectDeps, { deadline, resume: redelivered(message) });
      } catch (e) {
        if (e instanceof IngestStoppedError && e.checkpoint.saved) checkpointed.add(message.messageId);
        throw e;
      }
    },
    (e) => (e instanceof IngestStoppedError ? e.tally : undefined),
    deadline,
  );
  const release = new Set(out.results.filter((r) => r.handedBack === 'unstarted' || (r.handedBack === 'stopped' && checkpointed.has(r.messageId))).map((r) => r.messageId));
  if (deps.sqs && release.size) {
    const errors = await releaseForRetry(deps.sqs, records.filter((r) => release.has(r.messageId)), 0);
    if (errors.length) out.releaseErrors = errors;
  }
  return out;
}

/** The s3ingest function's dependencies from its configuration (clients are created once per cold start). */
export function ingestDepsFromConfig(config: IngestConfig): IngestDeps {
  return {
    s3: createS3Client(),
    sqs: createSqsReleaseClient(),
    archiveBucket: config.archiveBucket,
    chunkLines: config.ingestChunkLines,
    includeOriginal: config.includeOriginal,
    mappings: config.sourceMappings,
    aggregators: config.aggregatorAccounts,
    sourceOptions: config.sourceOptions,
    vpcLayouts: new VpcLayoutMemory(),
    region: config.region,
    maxDecompressedBytes: config.maxDecompressedBytes,
    maxLineBytes: config.maxLineBytes,
    now: () => new Date(),
    integrity: config.cloudtrailIntegrity ? { publicKeys: publicKeySource({ publicKeysFile: config.cloudtrailPublicKeysFile }) } : undefined,
    enricher: loadEnricher(config.enrichment)?.enricher,
    redaction: config.redaction,
  };
}
