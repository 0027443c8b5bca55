/**
 * Core of S3 ingest: S3-delivered logs (ALB/NLB/Classic ELB, VPC Flow Logs, CloudTrail) and the
 * Firehose error records the transformer could not return (see `lib/transform.ts`) become
 * normalized NDJSON.gz objects in the archive, in the layout of `lib/core/archive.ts`.
 *
 * Memory is bounded whatever the object size: the object is streamed (gzip or plain, all gzip
 * members), read line by line and normalized in chunks of `chunkLines`; the output is a streamed
 * multipart upload. Two exceptions are read whole because their format demands it and they are
 * small: CloudTrail log files (one JSON document) and nothing else.
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
 *   `errors/indexer/` in the archive bucket, which would loop) and CloudTrail digest files.
 */
import type { Readable } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import { type SourceMapping, detectSource, sourceFromS3Key } from '../parsers/detect';
import type { ParseContext, RawEvent, SourceId, SourceOptions } from '../parsers/types';
import { headerFormat } from '../parsers/vpcflow-format';
import { batchPartition, FIREHOSE_ERRORS_PREFIX, isArchiveOutput, type Partition, sourceObjectName } from './core/archive';
import { normalizeCloudWatchBatch } from './core/cloudwatch';
import { cloudWatchBatch, contextFromS3Key, decodeCloudWatchPayload, EnvelopeError, s3ObjectBatch } from './core/envelopes';
import { s3RecordKey } from './core/ids';
import { failureDocument, normalize } from './core/pipeline';
import { addTally, type Tally } from './core/tally';
import { ArchiveWriter } from './io/archive-writer';
import type { IngestConfig } from './io/config';
import { createS3Client, readLines } from './io/s3';
import { forEachNotifiedObject, type MessagesOutcome, type SqsRecordLike } from './io/sqs';
import { bucketStores, type ObjectStore } from './io/store';

/** How objects are normalized (from the function's configuration, or the CLI). */
export interface IngestSettings {
  chunkLines: number;
  includeOriginal?: boolean;
  mappings?: readonly SourceMapping[];
  sourceOptions?: SourceOptions;
  /** Region of CloudWatch payloads found in Firehose error records (the stream's region). */
  region?: string;
  now?: () => Date;
  /** Upper bound for objects read whole (CloudTrail files). */
  maxWholeObjectBytes?: number;
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

/** Why an object (bucket and key relative to its store) is not ingested, or undefined when it is. */
export function ignoreReason(ref: { bucket: string; key: string }, archiveBucket: string): string | undefined {
  if (ref.bucket === archiveBucket && isArchiveOutput(ref.key)) return 'archive output';
  if (/\/CloudTrail-Digest\//i.test(ref.key)) return 'CloudTrail digest file';
  if (ref.key.endsWith('/')) return 'folder marker';
  return undefined;
}

type PipelineTally = Required<Pick<Tally, 'received' | 'documents' | 'dropped' | 'failed'>>;

async function readWhole(body: Readable, max: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  let n = 0;
  for await (const c of body) {
    const b = Buffer.isBuffer(c) ? c : Buffer.from(c as Uint8Array);
    n += b.length;
    if (n > max) throw new Error(`object larger than ${max} bytes cannot be read whole`);
    parts.push(b);
  }
  return Buffer.concat(parts);
}

/**
 * Ingests one stored object into the archive. Throws on I/O errors (the SQS message is then retried,
 * and nothing of this attempt is visible); bad content never throws: it becomes `pipeline_error` documents.
 * @example await ingestObject({ store: logs, key: 'AWSLogs/123456789012/elasticloadbalancing/…/x.log.gz', version: etag }, { archive, chunkLines: 5000 })
 */
export async function ingestObject(input: StoredInput, deps: IngestObjectDeps): Promise<IngestObjectResult> {
  const ignored = ignoreReason({ bucket: input.store.bucket, key: input.key }, deps.archive.bucket);
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
      if (deps.sourceOptions && Object.keys(deps.sourceOptions).length) ctx.options = { ...deps.sourceOptions };
      let partition: Partition | undefined;
      const run = async (events: RawEvent[]) => {
        if (!events.length) return;
        if (source === undefined) {
          source = detectSource(ctx, events, deps.mappings);
          const header = source === 'vpcflow' ? headerFormat(events[0].message) : undefined;
          if (header) ctx.options = { ...ctx.options, vpcFormat: header };
        }
        const res = normalize({ events, context: ctx, source }, { now, includeOriginal: deps.includeOriginal, mappings: deps.mappings });
        addTally(tally, res.counts);
        const docs = res.failures.length ? res.documents.concat(res.failures) : res.documents;
        if (!docs.length) return;
        partition ??= batchPartition({ source, context: ctx, events: [], documents: docs });
        await writer.write(partition, docs.map((d) => JSON.stringify(d)));
      };
      if (sourceFromS3Key(key) === 'cloudtrail') {
        // One JSON document per file: parsed whole (CloudTrail files are a few MB at most).
        const batch = s3ObjectBatch(bucket, key, input.version, await readWhole(body, deps.maxWholeObjectBytes ?? 256 * 1024 * 1024));
        for (let i = 0; i < batch.events.length; i += deps.chunkLines) await run(batch.events.slice(i, i + deps.chunkLines));
      } else {
        let chunk: RawEvent[] = [];
        let position = 0;
        for await (const line of readLines(body)) {
          chunk.push({ message: line, key: s3RecordKey(bucket, key, input.version, position++) });
          if (chunk.length >= deps.chunkLines) {
            await run(chunk);
            chunk = [];
          }
        }
        await run(chunk);
      }
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
  for await (const raw of readLines(body)) {
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
    const batch = cloudWatchBatch(decodeCloudWatchPayload(Buffer.from(rec.rawData, 'base64')), deps.region);
    if (batch === null) {
      tally.received++;
      tally.dropped++;
      return;
    }
    const { result, partition, ndjson } = normalizeCloudWatchBatch(batch, rec.arrivalTimestamp, {
      now,
      includeOriginal: deps.includeOriginal,
      mappings: deps.mappings,
      sourceOptions: deps.sourceOptions,
    });
    addTally(tally, result.counts);
    await writer.write(partition, ndjson);
    return;
  } catch (e) {
    if (!(e instanceof EnvelopeError) && !(e instanceof SyntaxError)) throw e;
    reason = e.message;
  }
  // A record nobody can decode is kept as a pipeline_error document with its text.
  const bucket = input.store.bucket;
  const key = input.store.absoluteKey(input.key);
  const ctx: ParseContext = { s3: { bucket, key } };
  const doc = failureDocument('app', { message: line, key: s3RecordKey(bucket, key, input.version, position) }, ctx, reason, 'unusable_record', now);
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
    sourceOptions: config.sourceOptions,
    region: config.region,
    now: () => new Date(),
  };
}
