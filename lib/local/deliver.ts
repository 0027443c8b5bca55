/**
 * Local stand-ins for the AWS delivery machinery around the real cores, used by `tributary demo`
 * and `tributary ingest`: what Firehose does with the transformer's answer, and what the S3-ingest
 * function does with an S3-delivered object — writing the same archive layout into any `ObjectStore`.
 *
 * - Firehose: `transformFirehose` (the transformer Lambda's core) runs on the event; `Ok` records are
 *   concatenated per `metadata.partitionKeys` into one object under `FIREHOSE_PREFIX` (Firehose's
 *   dynamic partitioning), named like Firehose names objects (`<stream>-<version>-<time>-<id>`); the
 *   source records (gzipped CWL payloads) are concatenated into the raw backup under
 *   `raw/firehose/<arrival hour>/`, which is what `replay --from raw` re-reads; `ProcessingFailed`
 *   records go to `errors/firehose/processing-failed/…` as Firehose error records and through S3
 *   ingest, as in AWS.
 * - S3 delivery: the object is put into the logs store, then `ingestObject` (the s3ingest core)
 *   reads it from there and writes the archive. The version passed is the MD5 of the bytes — the ETag
 *   S3 gives a single-part upload — so ids are stable across runs.
 * - Local files (`tributary ingest`): streamed and decoded like `tributary normalize`
 *   (`readInputParts`, bounded memory), normalized chunk by chunk and archived per partition (each
 *   object streamed by `ArchiveWriter`); CloudWatch payloads / Firehose events are normalized per
 *   payload exactly like the transformer.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { stableId } from '../../parsers/ids';
import type { SourceId, SourceOptions } from '../../parsers/types';
import { archiveKey, batchPartition, firehoseErrorKey, parseArchiveKey, type Partition, partitionPrefix, rawBackupKey, sourceObjectName } from '../core/archive';
import { normalizeCloudWatchBatch } from '../core/cloudwatch';
import type { Batch, FirehoseTransformEvent } from '../core/envelopes';
import { ChunkNormalizer, normalizeInChunks } from '../core/chunks';
import { failureDocument, type NormalizeResult } from '../core/pipeline';
import { readInputParts, STREAM_CHUNK_EVENTS } from './input-stream';
import { DEFAULT_CHUNK } from '../core/limits';
import { addTally, type Tally } from '../core/tally';
import { ArchiveWriter } from '../io/archive-writer';
import type { ObjectStore } from '../io/store';
import type { Enricher } from '../core/enrich';
import type { Redactor } from '../core/redact';
import { ingestObject } from '../ingest';
import { transformFirehose } from '../transform';

export interface Delivered {
  tally: Tally;
  /** Archive keys written (normalized/). */
  outputs: string[];
  /** Source of each output (from its partition). */
  sources: string[];
}

const pad = (n: number) => String(n).padStart(2, '0');
/** The time in a Firehose object name: `YYYY-MM-DD-HH-MM-SS`. */
function firehoseTime(t: number): string {
  const d = new Date(t);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}-${pad(d.getUTCHours())}-${pad(d.getUTCMinutes())}-${pad(d.getUTCSeconds())}`;
}

/** What Firehose with the Tributary transformer writes for one transformation event. */
export async function deliverFirehose(
  event: FirehoseTransformEvent,
  archive: ObjectStore,
  o: { stream?: string; now?: Date; sourceOptions?: SourceOptions; logsBucket?: string; enricher?: Enricher; redaction?: Redactor } = {},
): Promise<Delivered> {
  const stream = o.stream ?? 'tributary-demo';
  const outcome = transformFirehose(event, { responseMaxBytes: 5_767_168, now: o.now, sourceOptions: o.sourceOptions, enricher: o.enricher, redaction: o.redaction });
  const arrival = Math.min(...event.records.map((r) => r.approximateArrivalTimestamp).filter((t) => Number.isFinite(t)), Date.now());
  const id = stableId('firehose-demo', event.invocationId);
  const name = `${stream}-1-${firehoseTime(arrival)}-${id}`;
  // Raw backup: the source records as received, concatenated (gzip members = one gzip stream).
  await archive.put(rawBackupKey(arrival, name), Buffer.concat(event.records.map((r) => Buffer.from(r.data, 'base64'))));

  const groups = new Map<string, { partition: Partition; data: Buffer[] }>();
  const failed: string[] = [];
  for (const [i, r] of outcome.response.records.entries()) {
    if (r.result === 'ProcessingFailed') {
      const src = event.records[i];
      failed.push(JSON.stringify({ attemptsMade: 1, arrivalTimestamp: src.approximateArrivalTimestamp, errorCode: 'Lambda.ProcessingFailed', errorMessage: 'record marked ProcessingFailed by the transformer', rawData: src.data }));
    }
    if (r.result !== 'Ok' || !r.data || !r.metadata) continue;
    const p = r.metadata.partitionKeys as unknown as Partition;
    const prefix = partitionPrefix('normalized', p);
    const g = groups.get(prefix) ?? { partition: p, data: [] };
    g.data.push(Buffer.from(r.data, 'base64'));
    groups.set(prefix, g);
  }
  const out: Delivered = { tally: { ...outcome.tally }, outputs: [], sources: [] };
  for (const g of groups.values()) {
    const key = archiveKey(g.partition, name);
    // As Firehose does with CompressionFormat UNCOMPRESSED: the records (each a gzip member) concatenated.
    await archive.put(key, Buffer.concat(g.data));
    out.outputs.push(key);
    out.sources.push(g.partition.source);
  }
  if (failed.length) {
    // As in AWS: the error object is picked up by S3 ingest, which normalizes the payloads it holds.
    const key = firehoseErrorKey('processing-failed', arrival, name);
    await archive.put(key, Buffer.from(failed.join('\n') + '\n'));
    const r = await ingestObject({ store: archive, key, version: '' }, { archive, chunkLines: 5000, region: event.region, now: o.now ? () => o.now! : undefined });
    // The transformer deferred these events (not counted as received); S3 ingest receives them and
    // turns them into documents (or failure documents), as the live path does a few minutes later.
    // Both stages' counts together are the events of the delivery, each counted once (`deferred`
    // stays in the tally: it equals what S3 ingest received here).
    addTally(out.tally, { received: r.tally.received ?? 0, documents: r.tally.documents ?? 0, dropped: r.tally.dropped ?? 0, failed: r.tally.failed ?? 0 });
    for (const k of r.outputs) {
      out.outputs.push(k);
      out.sources.push(k.split('/')[1]?.replace('source=', '') ?? 'unknown');
    }
  }
  return out;
}

/** MD5 hex of bytes: the ETag of a single-part S3 upload. */
export const etagOf = (body: Buffer): string => createHash('md5').update(body).digest('hex');

/** How an S3 delivery is normalized (passed on to `ingestObject`'s settings). */
export interface S3DeliveryOptions {
  now?: Date;
  sourceOptions?: SourceOptions;
  localKeys?: boolean;
  aggregators?: readonly string[];
  enricher?: Enricher;
  redaction?: Redactor;
}

/** An S3-delivered object: put into the logs store, then through the S3-ingest core into the archive. */
export async function deliverS3(key: string, body: Buffer, logs: ObjectStore, archive: ObjectStore, o: S3DeliveryOptions & { alreadyStored?: boolean } = {}): Promise<Delivered> {
  if (!o.alreadyStored) await logs.put(key, body);
  return deliverStoredS3(key, { etag: etagOf(body), size: body.length }, logs, archive, o);
}

/**
 * An object already in the logs store (a file under a local `AWSLogs/` tree), with its ETag (the
 * MD5 of its bytes, `etagOfFile`), through the S3-ingest core, which streams it: memory stays
 * bounded whatever its size.
 * @example await deliverStoredS3('AWSLogs/…/f.log.gz', await etagOfFile(file), new LocalStore(root, 'logs'), archive, { localKeys: true })
 */
export async function deliverStoredS3(key: string, object: { etag: string; size: number }, logs: ObjectStore, archive: ObjectStore, o: S3DeliveryOptions = {}): Promise<Delivered> {
  // Chunks as the s3ingest function cuts them (`DEFAULT_CHUNK`): the same documents as the live path, and
  // bounded memory (5,000-line chunks took a 1 GB file past 256 MB RSS).
  const r = await ingestObject(
    { store: logs, key, version: object.etag, size: object.size },
    { archive, chunkLines: DEFAULT_CHUNK.lines, chunkBytes: DEFAULT_CHUNK.bytes, now: o.now ? () => o.now! : undefined, sourceOptions: o.sourceOptions, localKeys: o.localKeys, aggregators: o.aggregators, enricher: o.enricher, redaction: o.redaction },
  );
  if (r.ignored) throw new Error(`${key} was not ingested: ${r.ignored}`);
  return { tally: r.tally, outputs: r.outputs, sources: r.outputs.map(() => r.source ?? 'unknown') };
}

/** MD5 hex (the ETag of a single-part S3 upload) and size of a file, read as a stream. */
export async function etagOfFile(file: string): Promise<{ etag: string; size: number }> {
  const hash = createHash('md5');
  let size = 0;
  for await (const c of createReadStream(file, { highWaterMark: 1024 * 1024 }) as AsyncIterable<Buffer>) {
    hash.update(c);
    size += c.length;
  }
  return { etag: hash.digest('hex'), size };
}

/** Documents per archive write of `deliverLocalFile`. */
const WRITE_DOCS = 250;

export interface LocalFileOptions {
  source?: SourceId | 'auto';
  account?: string;
  region?: string;
  logGroup?: string;
  sourceOptions?: SourceOptions;
  /** Accounts whose claims are accepted in CloudWatch Logs payload files (`lib/core/attribution.ts`). */
  aggregators?: readonly string[];
  now?: Date;
  enricher?: Enricher;
  /** Secret redaction (`lib/core/redact.ts`); default: the default rules. */
  redaction?: Redactor;
}

/**
 * A local file that is not under `AWSLogs/`: decoded like `tributary normalize` (streamed,
 * `readInputParts`: bounded memory whatever its size), archived per partition under a name derived
 * from its absolute path (re-ingesting overwrites). `body` is the file's content (a stream, or bytes).
 * @example await deliverLocalFile('/logs/app.log', createReadStream('/logs/app.log'), archive, { source: 'auto' })
 */
export async function deliverLocalFile(file: string, body: Readable | Buffer, archive: ObjectStore, o: LocalFileOptions = {}): Promise<Delivered> {
  const abs = path.resolve(file);
  const overrides = {
    account: o.account,
    region: o.region,
    logGroup: o.logGroup,
    options: o.sourceOptions && Object.keys(o.sourceOptions).length ? o.sourceOptions : undefined,
  };
  const tally: Tally = { objects: 1, received: 0, dropped: 0, documents: 0, failed: 0 };
  const writer = new ArchiveWriter(archive, sourceObjectName(abs, 'ingest', abs));
  const add = (p: Partition, lines: string[] | string) => writer.write(p, lines);
  const fallback: SourceId = !o.source || o.source === 'auto' ? 'app' : o.source;
  const options = { now: o.now, enricher: o.enricher, redaction: o.redaction };
  // One partition per file (its first chunk with documents decides), like S3 ingest.
  let partition: Partition | undefined;
  const addChunk = async (res: NormalizeResult, context: Batch['context']) => {
    addTally(tally, res.counts);
    const docs = res.documents.concat(res.failures);
    if (!docs.length) return;
    partition ??= batchPartition({ source: res.source, context, events: [], documents: docs });
    // A few hundred documents per write: the chunk's NDJSON is never one string besides its documents.
    for (let i = 0; i < docs.length; i += WRITE_DOCS) await add(partition, docs.slice(i, i + WRITE_DOCS).map((d) => JSON.stringify(d)));
  };
  let chunks: ChunkNormalizer | undefined;
  try {
    for await (const part of readInputParts(Buffer.isBuffer(body) ? Readable.from([body]) : body, abs, overrides)) {
      if (part.type === 'chunk') {
        chunks ??= new ChunkNormalizer(part.context, o.source ?? 'auto', options);
        await addChunk(chunks.normalize(part.events), part.context);
        continue;
      }
      const decoded = part.decoded;
      addTally(tally, { received: decoded.dropped, dropped: decoded.dropped });
      for (const u of decoded.unusable) {
        const doc = failureDocument(fallback, { message: u.original, key: u.key }, {}, u.message, 'envelope_error', o.now, undefined, o.redaction);
        addTally(tally, { received: 1, failed: 1 });
        await add(batchPartition({ source: fallback, context: {}, events: [], documents: [doc] }), [JSON.stringify(doc)]);
      }
      for (const batch of decoded.batches) {
        if (decoded.kind === 'firehose' || decoded.kind === 'cloudwatch') {
          // Exactly what the transformer does with one payload (ids: log group + CWL event id).
          const { result, partition: p, ndjson } = normalizeCloudWatchBatch(batch, undefined, {
            now: o.now,
            sourceOptions: o.sourceOptions,
            aggregators: o.aggregators,
            enricher: o.enricher,
            redaction: o.redaction,
          });
          addTally(tally, result.counts);
          await add(p, ndjson);
          continue;
        }
        // The records of a JSON document, in chunks like a stream's: their documents stay few at once.
        for (const res of normalizeInChunks({ events: batch.events, context: batch.context, source: o.source ?? 'auto' }, options, STREAM_CHUNK_EVENTS)) await addChunk(res, batch.context);
      }
    }
  } catch (e) {
    await writer.abort();
    throw e;
  }
  const outputs = await writer.close();
  return { tally, outputs, sources: outputs.map((k) => parseArchiveKey(k)?.partition.source ?? 'unknown') };
}
