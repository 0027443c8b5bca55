/**
 * Core of S3 ingest: S3-delivered logs (ALB/NLB/Classic ELB, VPC Flow Logs, CloudTrail) and the
 * Firehose error records the transformer could not return (see `lib/transform.ts`) become
 * normalized NDJSON.gz objects in the archive, in the layout of `lib/archive.ts`.
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
 * - The output partition is the object's first chunk: source, account/region from the key (or the
 *   documents), hour of the earliest `@timestamp` of that chunk. Firehose error objects can mix log
 *   groups, so they are written per CloudWatch payload partition, exactly like the transformer.
 * - Skipped objects (counted as `ignored_objects`): the archive's own output (`normalized/`, `raw/`,
 *   `errors/indexer/` in the archive bucket, which would loop) and CloudTrail digest files.
 */
import type { Readable } from 'node:stream';
import { type SourceMapping, detectSource, sourceFromS3Key } from '../parsers/detect';
import type { ParseContext, RawEvent, SourceId, SourceOptions } from '../parsers/types';
import type { TributaryDocument } from '../schemas/generated/document';
import { archiveKey, type Partition, partitionOf, partitionPrefix } from './core/archive';
import { cloudWatchBatch, contextFromS3Key, decodeCloudWatchPayload, EnvelopeError, s3ObjectBatch } from './core/envelopes';
import { s3RecordKey } from './core/ids';
import { stableId } from '../parsers/ids';
import type { Tally } from './io/observability';
import { failureDocument, normalize } from './core/pipeline';
import { getObjectStream, NdjsonGzUpload, type ObjectClient, readLines, type S3ObjectRef } from './io/s3';
import { forEachNotifiedObject, type MessagesOutcome, type SqsRecordLike } from './io/sqs';
import { normalizeCloudWatchBatch } from './transform';

export interface IngestDeps {
  /** S3 client (Lambda), or any `ObjectIO` (replay and the demo over a local directory). */
  s3: ObjectClient;
  archiveBucket: string;
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

export interface IngestObjectResult {
  tally: Tally;
  /** Archive keys written. */
  outputs: string[];
  source?: SourceId;
  /** Why the object was skipped, when it was. */
  ignored?: string;
}

const FIREHOSE_ERRORS = 'errors/firehose/';

/** Why an object is not ingested, or undefined when it is. */
export function ignoreReason(ref: { bucket: string; key: string }, archiveBucket: string): string | undefined {
  if (ref.bucket === archiveBucket && /^(normalized|raw|errors\/indexer)\//.test(ref.key)) return 'archive output';
  if (/\/CloudTrail-Digest\//i.test(ref.key)) return 'CloudTrail digest file';
  if (ref.key.endsWith('/')) return 'folder marker';
  return undefined;
}

/** `version account-id interface-id ...` (the first line of S3-delivered flow logs) as a LogFormat. */
export function vpcHeaderFormat(line: string): string | undefined {
  const t = line.trim();
  if (!/^[a-z][a-z0-9-]*( [a-z][a-z0-9-]*)+$/.test(t)) return undefined;
  const fields = t.split(' ');
  if (!fields.some((f) => f === 'srcaddr' || f === 'interface-id' || f === 'version' || f === 'account-id')) return undefined;
  return fields.map((f) => '${' + f + '}').join(' ');
}

/** Output objects of one input object, one per partition, all named after the input's identity. */
class Outputs {
  private readonly writers = new Map<string, NdjsonGzUpload>();
  constructor(
    private readonly s3: ObjectClient,
    private readonly bucket: string,
    private readonly name: string,
  ) {}

  async write(partition: Partition, docs: TributaryDocument[]): Promise<void> {
    if (!docs.length) return;
    const prefix = partitionPrefix('normalized', partition);
    let w = this.writers.get(prefix);
    if (!w) {
      w = new NdjsonGzUpload(this.s3, this.bucket, archiveKey(partition, this.name));
      this.writers.set(prefix, w);
    }
    await w.write(docs.map((d) => JSON.stringify(d)));
  }

  async close(): Promise<string[]> {
    for (const w of this.writers.values()) await w.close();
    return [...this.writers.values()].map((w) => w.key);
  }

  async abort(): Promise<void> {
    for (const w of this.writers.values()) await w.abort();
  }
}

function outputName(ref: S3ObjectRef): string {
  const base = ref.key.split('/').pop()!.replace(/\.(gz|log|json|txt|ndjson)$/g, '').replace(/\.(gz|log|json|txt|ndjson)$/g, '');
  return `${base.slice(0, 100)}-${stableId('s3ingest', ref.bucket, ref.key, ref.version)}`;
}

function emptyTally(): Required<Pick<Tally, 'received' | 'documents' | 'dropped' | 'failed' | 'objects'>> {
  return { received: 0, documents: 0, dropped: 0, failed: 0, objects: 0 };
}

function earliestPartition(source: SourceId, ctx: ParseContext, docs: TributaryDocument[]): Partition {
  let earliest = Infinity;
  for (const d of docs) {
    const t = Date.parse(d['@timestamp']);
    if (Number.isFinite(t) && t < earliest) earliest = t;
  }
  const first = docs[0];
  return partitionOf({
    source,
    account: ctx.account ?? first?.cloud?.account?.id,
    region: ctx.region ?? first?.cloud?.region,
    time: Number.isFinite(earliest) ? earliest : 0,
  });
}

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
 * Ingests one S3 object into the archive. Throws on I/O errors (the SQS message is then retried);
 * bad content never throws: it becomes `pipeline_error` documents.
 */
export async function ingestObject(ref: S3ObjectRef, deps: IngestDeps): Promise<IngestObjectResult> {
  const ignored = ignoreReason(ref, deps.archiveBucket);
  if (ignored) return { tally: { ignored_objects: 1 }, outputs: [], ignored };
  const tally = emptyTally();
  tally.objects = 1;
  const now = deps.now?.();
  const outputs = new Outputs(deps.s3, deps.archiveBucket, outputName(ref));
  const body = await getObjectStream(deps.s3, ref);
  let source: SourceId | undefined;
  try {
    if (ref.key.startsWith(FIREHOSE_ERRORS)) await ingestFirehoseErrors(ref, body, deps, outputs, tally, now);
    else {
      const ctx: ParseContext = contextFromS3Key(ref.bucket, ref.key);
      if (deps.sourceOptions && Object.keys(deps.sourceOptions).length) ctx.options = { ...deps.sourceOptions };
      let partition: Partition | undefined;
      const run = async (events: RawEvent[]) => {
        if (!events.length) return;
        if (source === undefined) {
          source = detectSource(ctx, events, deps.mappings);
          const header = source === 'vpcflow' ? vpcHeaderFormat(events[0].message) : undefined;
          if (header) ctx.options = { ...ctx.options, vpcFormat: header };
        }
        const res = normalize({ events, context: ctx, source }, { now, includeOriginal: deps.includeOriginal, mappings: deps.mappings });
        tally.received += res.counts.received;
        tally.documents += res.counts.documents;
        tally.dropped += res.counts.dropped;
        tally.failed += res.counts.failed;
        const docs = res.failures.length ? res.documents.concat(res.failures) : res.documents;
        if (!docs.length) return;
        partition ??= earliestPartition(source, ctx, docs);
        await outputs.write(partition, docs);
      };
      if (sourceFromS3Key(ref.key) === 'cloudtrail') {
        // One JSON document per file: parsed whole (CloudTrail files are a few MB at most).
        const batch = s3ObjectBatch(ref.bucket, ref.key, ref.version, await readWhole(body, deps.maxWholeObjectBytes ?? 256 * 1024 * 1024));
        for (let i = 0; i < batch.events.length; i += deps.chunkLines) await run(batch.events.slice(i, i + deps.chunkLines));
      } else {
        let chunk: RawEvent[] = [];
        let position = 0;
        for await (const line of readLines(body)) {
          chunk.push({ message: line, key: s3RecordKey(ref.bucket, ref.key, ref.version, position++) });
          if (chunk.length >= deps.chunkLines) {
            await run(chunk);
            chunk = [];
          }
        }
        await run(chunk);
      }
    }
    return { tally, outputs: await outputs.close(), source };
  } catch (e) {
    await outputs.abort();
    body.destroy();
    throw e;
  }
}

/**
 * Firehose `processing-failed` records (`{"rawData": base64, "errorCode", ...}` per line): the
 * CloudWatch payloads the transformer could not return. Normalized exactly like the live path.
 */
async function ingestFirehoseErrors(
  ref: S3ObjectRef,
  body: Readable,
  deps: IngestDeps,
  outputs: Outputs,
  tally: ReturnType<typeof emptyTally>,
  now: Date | undefined,
): Promise<void> {
  const ctx: ParseContext = { s3: { bucket: ref.bucket, key: ref.key } };
  let position = 0;
  for await (const raw of readLines(body)) {
    // One error record per line is what we expect; records written back to back without a newline
    // (UNCONFIRMED either way in the Firehose docs) are split on the record boundary.
    const records = raw.includes('}{"attemptsMade"') ? raw.split(/(?<=\})(?=\{"attemptsMade")/) : [raw];
    for (const line of records) await ingestErrorRecord(line, position++, ref, ctx, deps, outputs, tally, now);
  }
}

async function ingestErrorRecord(
  line: string,
  position: number,
  ref: S3ObjectRef,
  ctx: ParseContext,
  deps: IngestDeps,
  outputs: Outputs,
  tally: ReturnType<typeof emptyTally>,
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
    const { result, partition } = normalizeCloudWatchBatch(batch, rec.arrivalTimestamp, {
      now,
      includeOriginal: deps.includeOriginal,
      mappings: deps.mappings,
      sourceOptions: deps.sourceOptions,
    });
    tally.received += result.counts.received;
    tally.documents += result.counts.documents;
    tally.dropped += result.counts.dropped;
    tally.failed += result.counts.failed;
    await outputs.write(partition, result.documents.concat(result.failures));
    return;
  } catch (e) {
    if (!(e instanceof EnvelopeError) && !(e instanceof SyntaxError)) throw e;
    reason = e.message;
  }
  // A record nobody can decode is kept as a pipeline_error document with its text.
  const doc = failureDocument('app', { message: line, key: s3RecordKey(ref.bucket, ref.key, ref.version, position) }, ctx, reason, 'unusable_record', now);
  tally.received++;
  tally.failed++;
  await outputs.write(partitionOf({ source: 'app', time: doc['@timestamp'] }), [doc]);
}

export type BatchOutcome = MessagesOutcome<IngestObjectResult>;

/** Ingests an SQS batch of S3 notifications; a message fails (and is retried) if any of its objects fails. */
export function ingestMessages(records: readonly SqsRecordLike[], deps: IngestDeps): Promise<BatchOutcome> {
  return forEachNotifiedObject(records, (ref) => ingestObject(ref, deps));
}
