/**
 * Core of S3 ingest: S3-delivered logs (ALB/NLB/Classic ELB, VPC Flow Logs, CloudTrail) and the
 * Firehose error records the transformer could not return (see `lib/transform.ts`) become
 * normalized NDJSON.gz objects in the archive, in the layout of `lib/core/archive.ts`.
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
 *   chunk, so chunks after the first still know the field order.
 * - The output partition is the object's first chunk, by the one partition rule (`lib/core/archive.ts`
 *   `batchPartition`: first document's origin, else the key's; hour of the chunk's earliest
 *   `@timestamp`). Firehose error objects can mix log groups, so they are written per CloudWatch
 *   payload partition, exactly like the transformer (`lib/core/cloudwatch.ts`).
 * - Skipped objects (counted as `ignored_objects`): the archive's own output (`normalized/`, `raw/`,
 *   `errors/indexer/` in the archive bucket, which would loop) and, when integrity validation is
 *   off, CloudTrail digest files. With it on (`integrity`), a digest file is verified instead and its
 *   verdict archived as documents (`lib/integrity.ts`).
 */
import type { Readable } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import { type SourceMapping, detectSource, sourceFromS3Key } from '../parsers/detect';
import type { ParseContext, RawEvent, SourceId, SourceOptions } from '../parsers/types';
import { headerFormat } from '../parsers/vpcflow-format';
import { batchPartition, FIREHOSE_ERRORS_PREFIX, isArchiveOutput, type Partition, sourceObjectName } from './core/archive';
import { normalizeCloudWatchBatch } from './core/cloudwatch';
import { cloudWatchBatch, contextFromS3Key, decodeCloudWatchPayload, EnvelopeError } from './core/envelopes';
import { s3RecordKey } from './core/ids';
import { failureDocument, normalize } from './core/pipeline';
import { addTally, type Tally } from './core/tally';
import { ArchiveWriter } from './io/archive-writer';
import type { IngestConfig } from './io/config';
import { DEFAULT_LIMITS, isUnreadable, readItemEvent } from './core/limits';
import { createS3Client, readLineItems, readRecordsOrLines } from './io/s3';
import { forEachNotifiedObject, type MessagesOutcome, type SqsRecordLike } from './io/sqs';
import { bucketStores, type ObjectStore } from './io/store';
import { type IntegrityDeps, isCloudTrailDigestKey, verifyDigestObject } from './integrity';
import { publicKeySource } from './io/cloudtrail';

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
  /** Region of CloudWatch payloads found in Firehose error records (the stream's region). */
  region?: string;
  now?: () => Date;
  /** `MAX_DECOMPRESSED_BYTES`: bound of a Firehose error record's decompressed payload (default 8 MiB). */
  maxDecompressedBytes?: number;
  /** `MAX_LINE_BYTES`: longest line or CloudTrail record (default 8 MiB); longer ones are failures. */
  maxLineBytes?: number;
  /** A chunk is normalized once it holds this many bytes of text, even with fewer than `chunkLines` lines. */
  chunkBytes?: number;
  /** CloudTrail log file integrity validation of digest files; without it they are skipped. */
  integrity?: IntegrityDeps;
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

/**
 * Text per chunk: with lines up to `maxLineBytes` long, `chunkLines` alone would not bound memory
 * (5,000 lines of 8 MiB). 8 MiB of text normalizes within about 150 MB.
 */
const DEFAULT_CHUNK_BYTES = 8 * 1024 * 1024;

/**
 * Ingests one stored object into the archive. Throws on I/O errors (the SQS message is then retried,
 * and nothing of this attempt is visible); bad content never throws: it becomes `pipeline_error` documents.
 * @example await ingestObject({ store: logs, key: 'AWSLogs/123456789012/elasticloadbalancing/…/x.log.gz', version: etag }, { archive, chunkLines: 5000 })
 */
export async function ingestObject(input: StoredInput, deps: IngestObjectDeps): Promise<IngestObjectResult> {
  const ignored = ignoreReason({ bucket: input.store.bucket, key: input.key }, deps.archive.bucket);
  if (ignored === DIGEST_FILE && deps.integrity && isCloudTrailDigestKey(input.store.absoluteKey(input.key))) {
    const r = await verifyDigestObject(input, { ...deps.integrity, archive: deps.archive, now: deps.now });
    return { tally: r.tally, outputs: r.outputs, source: r.source };
  }
  if (ignored) return { tally: { ignored_objects: 1 }, outputs: [], ignored };
  const bucket = input.store.bucket;
  const key = input.store.absoluteKey(input.key);
  const tally: PipelineTally & Tally = { received: 0, documents: 0, dropped: 0, failed: 0, objects: 1 };
  const now = deps.now?.();
  const writer = new ArchiveWriter(deps.archive, sourceObjectName(key, 's3ingest', bucket, key, input.version));
  const body = await input.store.get(input.key);
  let source: SourceId | undefined;
  try {
    if (input.key.startsWith(FIREHOSE_ERRORS_PREFIX)) await ingestFirehoseErrors(input, body, deps, writer, tally, now);
    else {
      const ctx: ParseContext = contextFromS3Key(bucket, key);
      if (deps.localKeys) ctx.local = true;
      if (deps.sourceOptions && Object.keys(deps.sourceOptions).length) ctx.options = { ...deps.sourceOptions };
      let partition: Partition | undefined;
      const run = async (events: RawEvent[]) => {
        if (!events.length) return;
        // The source is decided by readable events only (a rejected one holds only its first bytes).
        const readable = events.some((e) => e.rejected) ? events.filter((e) => !e.rejected) : events;
        if (source === undefined && readable.length) {
          source = detectSource(ctx, readable, deps.mappings);
          const header = source === 'vpcflow' && readable[0] === events[0] ? headerFormat(events[0].message) : undefined;
          if (header) ctx.options = { ...ctx.options, vpcFormat: header };
        }
        const res = normalize({ events, context: ctx, source: source ?? detectSource(ctx, [], deps.mappings) }, {
          now,
          includeOriginal: deps.includeOriginal,
          mappings: deps.mappings,
          aggregators: deps.aggregators,
        });
        addTally(tally, res.counts);
        const docs = res.failures.length ? res.documents.concat(res.failures) : res.documents;
        if (!docs.length) return;
        partition ??= batchPartition({ source: res.source, context: ctx, events: [], documents: docs });
        await writer.write(partition, docs.map((d) => JSON.stringify(d)));
      };
      const maxLineBytes = deps.maxLineBytes ?? DEFAULT_LIMITS.maxLineBytes;
      const chunkBytes = deps.chunkBytes ?? DEFAULT_CHUNK_BYTES;
      // A CloudTrail log file is one JSON document: its records are split without parsing the file,
      // so one malformed, oversized or 10,000-deep record is one failure, not the whole file.
      const items = sourceFromS3Key(key) === 'cloudtrail' ? readRecordsOrLines(body, maxLineBytes) : readLineItems(body, maxLineBytes);
      let chunk: RawEvent[] = [];
      let bytes = 0;
      let position = 0;
      for await (const item of items) {
        const event = readItemEvent(item, s3RecordKey(bucket, key, input.version, position++));
        chunk.push(event);
        bytes += event.message.length;
        if (chunk.length >= deps.chunkLines || bytes >= chunkBytes) {
          await run(chunk);
          chunk = [];
          bytes = 0;
        }
      }
      await run(chunk);
    }
    return { tally, outputs: await writer.close(), source };
  } catch (e) {
    await writer.abort();
    body.destroy();
    throw e;
  }
}

/**
 * Firehose `processing-failed` records (`{"rawData": base64, "errorCode", ...}` per line): the
 * CloudWatch payloads the transformer could not return. Normalized exactly like the live path.
 */
async function ingestFirehoseErrors(
  input: StoredInput,
  body: Readable,
  deps: IngestObjectDeps,
  writer: ArchiveWriter,
  tally: PipelineTally,
  now: Date | undefined,
): Promise<void> {
  let position = 0;
  for await (const raw of readLineItems(body, deps.maxLineBytes ?? DEFAULT_LIMITS.maxLineBytes)) {
    if (isUnreadable(raw)) {
      await writeUnusable(raw.head, position++, raw.reason, raw.type, input, writer, tally, now);
      continue;
    }
    // One error record per line is what we expect; records written back to back without a newline
    // (UNCONFIRMED either way in the Firehose docs) are split on the record boundary.
    const records = raw.includes('}{"attemptsMade"') ? raw.split(/(?<=\})(?=\{"attemptsMade")/) : [raw];
    for (const line of records) await ingestErrorRecord(line, position++, input, deps, writer, tally, now);
  }
}

async function ingestErrorRecord(
  line: string,
  position: number,
  input: StoredInput,
  deps: IngestObjectDeps,
  writer: ArchiveWriter,
  tally: PipelineTally,
  now: Date | undefined,
): Promise<void> {
  if (!line.trim()) return;
  let reason: string;
  try {
    const rec = JSON.parse(line) as { rawData?: unknown; arrivalTimestamp?: number };
    if (typeof rec.rawData !== 'string') throw new EnvelopeError('error record without rawData');
    const batch = cloudWatchBatch(decodeCloudWatchPayload(Buffer.from(rec.rawData, 'base64'), deps.maxDecompressedBytes), deps.region);
    if (batch === null) {
      tally.received++;
      tally.dropped++;
      return;
    }
    const { result, partition, ndjson } = normalizeCloudWatchBatch(batch, rec.arrivalTimestamp, {
      now,
      includeOriginal: deps.includeOriginal,
      mappings: deps.mappings,
      aggregators: deps.aggregators,
      sourceOptions: deps.sourceOptions,
    });
    addTally(tally, result.counts);
    await writer.write(partition, ndjson);
    return;
  } catch (e) {
    if (!(e instanceof EnvelopeError) && !(e instanceof SyntaxError)) throw e;
    reason = e.message;
  }
  await writeUnusable(line, position, reason, 'unusable_record', input, writer, tally, now);
}

/** A record nobody can decode (or read whole) is kept as a pipeline_error document with its text and the reason. */
async function writeUnusable(
  text: string,
  position: number,
  reason: string,
  type: string,
  input: StoredInput,
  writer: ArchiveWriter,
  tally: PipelineTally,
  now: Date | undefined,
): Promise<void> {
  const bucket = input.store.bucket;
  const key = input.store.absoluteKey(input.key);
  const ctx: ParseContext = { s3: { bucket, key } };
  const doc = failureDocument('app', { message: text, key: s3RecordKey(bucket, key, input.version, position) }, ctx, reason, type, now);
  tally.received++;
  tally.failed++;
  await writer.write(batchPartition({ source: 'app', context: {}, events: [], documents: [doc] }), [JSON.stringify(doc)]);
}

export type BatchOutcome = MessagesOutcome<IngestObjectResult>;

/** What the SQS adapter needs: the S3 client, the archive bucket, and the settings. */
export interface IngestDeps extends IngestSettings {
  s3: S3Client;
  archiveBucket: string;
}

/** Ingests an SQS batch of S3 notifications; a message fails (and is retried) if any of its objects fails. */
export function ingestMessages(records: readonly SqsRecordLike[], deps: IngestDeps): Promise<BatchOutcome> {
  const storeOf = bucketStores(deps.s3);
  const objectDeps: IngestObjectDeps = { ...deps, archive: storeOf(deps.archiveBucket) };
  // Log files and previous digests may sit in another bucket than the digest.
  if (deps.integrity) objectDeps.integrity = { storeOf, ...deps.integrity };
  return forEachNotifiedObject(records, (ref) => ingestObject({ store: storeOf(ref.bucket), key: ref.key, version: ref.version, size: ref.size }, objectDeps));
}

/** The s3ingest function's dependencies from its configuration (clients are created once per cold start). */
export function ingestDepsFromConfig(config: IngestConfig): IngestDeps {
  return {
    s3: createS3Client(),
    archiveBucket: config.archiveBucket,
    chunkLines: config.ingestChunkLines,
    includeOriginal: config.includeOriginal,
    mappings: config.sourceMappings,
    aggregators: config.aggregatorAccounts,
    sourceOptions: config.sourceOptions,
    region: config.region,
    maxDecompressedBytes: config.maxDecompressedBytes,
    maxLineBytes: config.maxLineBytes,
    now: () => new Date(),
    integrity: config.cloudtrailIntegrity ? { publicKeys: publicKeySource({ publicKeysFile: config.cloudtrailPublicKeysFile }) } : undefined,
  };
}
