/**
 * CloudTrail log file integrity validation, the use case: when a CloudTrail digest file arrives (an
 * S3 notification routed here by `lib/ingest.ts`, or `tributary verify-cloudtrail`), read the
 * digest and its S3 metadata, the public key it names, the previous digest and every log file it
 * lists, let the pure core (`lib/core/cloudtrail-digest.ts`) decide, and archive the verdict as
 * documents like any other (`normalized/source=cloudtrail/…`, indexed with the CloudTrail events).
 *
 * How CloudTrail documents are "marked": they are not rewritten. The archive is immutable evidence
 * and a CloudTrail document is archived (and indexed) before its digest exists — CloudTrail
 * delivers digests hourly — so a status written on it at ingest could only ever say "unverified"
 * and would be stale an hour later, and updating indexed documents afterwards would make the index
 * disagree with the archive (a replay would lose the update, or race with it). Instead each
 * verdict is a document of its own, one per log file per digest (`tributary.integrity.*`,
 * `event.kind: state`), and the join key is already on every CloudTrail document from S3:
 * `tributary.s3.key` = the verdict's `tributary.integrity.log_file.key`. A CloudTrail document's
 * status is the status of the verdict for its file; no verdict means `unverified`.
 *
 * Memory is bounded: the digest is read whole up to `maxDigestBytes` (an oversized digest is a
 * `failed` verdict, not a crash), log files are streamed through gunzip into SHA-256. I/O errors
 * other than "does not exist" or "access denied" are thrown, so the SQS message is retried and
 * nothing of the attempt is visible (the archive writer is aborted).
 */
import { createHash } from 'node:crypto';
import { Readable, Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import type { TributaryDocument } from '../schemas/generated/document';
import { batchPartition, sourceObjectName } from './core/archive';
import {
  authenticateDigest,
  DEFAULT_MAX_DIGEST_BYTES,
  digestKeyInfo,
  type DigestLocation,
  type DigestVerification,
  inflateDigest,
  integrityDocuments,
  type LogFileObservation,
  objectRef,
  parseDigest,
  type PreviousDigestObservation,
  type PublicKeyRecord,
  type Result,
  type ParsedDigest,
  sha256Hex,
  isCloudTrailLogKey,
  type IntegrityReason,
  type IntegrityStatus,
  unverifiedLogFile,
  verifyDigest,
} from './core/cloudtrail-digest';
import type { Tally } from './core/tally';
import { ArchiveWriter } from './io/archive-writer';
import type { PublicKeySource } from './io/cloudtrail';
import { listAll, type ObjectStore } from './io/store';

/** What validation needs besides the digest: keys, and access to the other objects it names. */
export interface IntegrityDeps {
  publicKeys: PublicKeySource;
  /**
   * The store of another bucket (log files or a previous digest elsewhere than the digest), or
   * undefined when it cannot be read: what it would have proved is then `unverified`.
   */
  storeOf?: (bucket: string) => ObjectStore | undefined;
  /** Upper bound of a digest file, compressed and uncompressed (default 64 MiB). */
  maxDigestBytes?: number;
  /** Log files hashed at once (default 8). */
  concurrency?: number;
}

export interface VerifyDigestDeps extends IntegrityDeps {
  /** Where the documents go; without one they are only returned (the CLI's report). */
  archive?: ObjectStore;
  now?: () => Date;
}

/** One stored digest object. */
export interface DigestObjectInput {
  store: ObjectStore;
  /** Key relative to the store. */
  key: string;
  /** S3 version id or ETag: part of every document id. */
  version: string;
  /**
   * The bucket the digest was delivered to, for the "not moved" check: defaults to the store's
   * bucket; `null` for a local copy, which cannot prove its bucket (the key is still checked).
   */
  bucket?: string | null;
}

export interface VerifyDigestResult {
  verification: DigestVerification;
  documents: TributaryDocument[];
  /** Archive keys written. */
  outputs: string[];
  tally: Tally;
  source: 'cloudtrail';
}

/**
 * Whether a key is a CloudTrail digest file in CloudTrail's layout (what S3 ingest routes here).
 * @example isCloudTrailDigestKey('AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2026/03/01/111122223333_CloudTrail-Digest_us-east-1_t_us-east-1_20260301T150131Z.json.gz') // true
 */
export const isCloudTrailDigestKey = (key: string): boolean => digestKeyInfo(key) !== undefined;

const isNoSuchKey = (e: unknown) => {
  const x = e as { name?: string; code?: string; Code?: string };
  return x?.name === 'NoSuchKey' || x?.code === 'NoSuchKey' || x?.Code === 'NoSuchKey';
};
// Access denied is not transient: retrying would only end in the DLQ, so it is recorded as
// "could not be checked" (`unverified`, with the error) instead. S3 also answers 403 for a MISSING
// key when the caller lacks s3:ListBucket, which is why the function needs it on trail buckets: a
// deleted log file must read as 404 (`failed`), not as "not allowed".
const isAccessDenied = (e: unknown) => {
  const x = e as { name?: string; $metadata?: { httpStatusCode?: number } };
  return x?.name === 'AccessDenied' || x?.$metadata?.httpStatusCode === 403;
};
const errorText = (e: unknown) => (e instanceof Error ? `${e.name}: ${e.message}` : String(e));

/** Reads a stream whole, or reports that it is larger than `max` (and stops reading). */
async function readBounded(body: Readable, max: number): Promise<Buffer | undefined> {
  const parts: Buffer[] = [];
  let n = 0;
  for await (const c of body) {
    const b = Buffer.isBuffer(c) ? c : Buffer.from(c as Uint8Array);
    n += b.length;
    if (n > max) {
      body.destroy();
      return undefined;
    }
    parts.push(b);
  }
  return Buffer.concat(parts);
}

/** The key of an absolute key inside a store, or undefined when the store does not hold it. */
function relativeKey(store: ObjectStore, absolute: string): string | undefined {
  const root = store.absoluteKey('');
  return absolute.startsWith(root) ? absolute.slice(root.length) : undefined;
}

/**
 * SHA-256 of a log file's uncompressed bytes, streamed. Bytes after the gzip stream (zero padding
 * or junk that gunzip skips) are reported: the file is no longer what CloudTrail delivered.
 * @example await hashLogFile(await trailBucket.get(logKey)) // { state: 'hashed', sha256: '…', trailingData: false }
 */
export async function hashLogFile(body: Readable): Promise<LogFileObservation> {
  let compressed = 0;
  const count = new Transform({
    transform(chunk: Buffer, _enc, done) {
      compressed += chunk.length;
      done(null, chunk);
    },
  });
  const gunzip = createGunzip();
  const hash = createHash('sha256');
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      done();
    },
  });
  try {
    await pipeline(body, count, gunzip, sink);
  } catch (e) {
    // zlib's own errors (Z_DATA_ERROR, Z_BUF_ERROR...) mean the bytes are not a gzip file; the rest is I/O.
    const code = (e as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && code.startsWith('Z_')) return { state: 'unreadable', message: (e as Error).message };
    throw e;
  }
  return { state: 'hashed', sha256: hash.digest('hex'), trailingData: gunzip.bytesWritten < compressed };
}

async function observeLogFile(store: ObjectStore | undefined, bucket: string, key: string): Promise<LogFileObservation> {
  const rel = store && relativeKey(store, key);
  if (!store || rel === undefined) return { state: 'unavailable', message: `bucket ${bucket} is not readable here` };
  let body: Readable;
  try {
    body = await store.get(rel);
  } catch (e) {
    if (isNoSuchKey(e)) return { state: 'missing' };
    if (isAccessDenied(e)) return { state: 'unavailable', message: errorText(e) };
    throw e;
  }
  return hashLogFile(body);
}

async function observePrevious(store: ObjectStore | undefined, bucket: string, key: string, max: number): Promise<PreviousDigestObservation> {
  const rel = store && relativeKey(store, key);
  if (!store || rel === undefined) return { state: 'unavailable', message: `bucket ${bucket} is not readable here` };
  try {
    const bytes = await readBounded(await store.get(rel), max);
    if (!bytes) return { state: 'unreadable', message: `larger than ${max} bytes` };
    const inflated = inflateDigest(bytes, max);
    if (!inflated.ok) return { state: 'unreadable', message: inflated.message };
    const metadata = await store.metadata(rel);
    return { state: 'found', sha256: sha256Hex(inflated.bytes), signature: metadata.signature };
  } catch (e) {
    if (isNoSuchKey(e)) return { state: 'missing' };
    if (isAccessDenied(e)) return { state: 'unavailable', message: errorText(e) };
    throw e;
  }
}

/** Runs `fn` over `items`, at most `limit` at a time. */
async function forEachLimited<T>(items: readonly T[], limit: number, fn: (t: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}

/**
 * Verifies one digest object and, with `deps.archive`, archives the verdict documents. Throws on
 * I/O errors (nothing is written then); bad content is never an exception: it is a `failed` verdict.
 * @example await verifyDigestObject({ store: trailBucket, key: 'AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2026/03/01/…_20260301T150131Z.json.gz', version: etag }, { publicKeys: new CloudTrailPublicKeys(), archive })
 */
export async function verifyDigestObject(input: DigestObjectInput, deps: VerifyDigestDeps): Promise<VerifyDigestResult> {
  const max = deps.maxDigestBytes ?? DEFAULT_MAX_DIGEST_BYTES;
  const absolute = input.store.absoluteKey(input.key);
  const location: DigestLocation = { key: absolute };
  const bucket = input.bucket === null ? undefined : (input.bucket ?? input.store.bucket);
  if (bucket !== undefined) location.bucket = bucket;

  const bytes = await readBounded(await input.store.get(input.key), max);
  const metadata = await input.store.metadata(input.key);
  const parsed: Result<ParsedDigest> = bytes
    ? parseDigest(bytes, { maxBytes: max })
    : { ok: false, reason: 'digest_too_large', message: `digest object larger than ${max} bytes` };

  let keys: PublicKeyRecord[] = [];
  const logFiles = new Map<string, LogFileObservation>();
  let previous: PreviousDigestObservation | undefined;
  if (parsed.ok) {
    const d = parsed.digest;
    keys = await deps.publicKeys.keys({
      region: digestKeyInfo(absolute)?.region,
      start: new Date(d.digestStartTime),
      end: new Date(d.digestEndTime),
      fingerprint: d.digestPublicKeyFingerprint,
    });
    // Only an authentic digest's references are worth reading: an unauthentic one fails its files anyway.
    if (authenticateDigest(parsed, { location, metadata, keys }).ok) {
      // The digest's store stands for its bucket (a local copy for the bucket the digest names).
      const home = bucket ?? d.digestS3Bucket;
      const storeFor = (b: string) => (b === home ? input.store : deps.storeOf?.(b));
      if (d.previousDigestSignature !== null && d.previousDigestS3Bucket && d.previousDigestS3Object)
        previous = await observePrevious(storeFor(d.previousDigestS3Bucket), d.previousDigestS3Bucket, d.previousDigestS3Object, max);
      await forEachLimited(d.logFiles, deps.concurrency ?? 8, async (lf) => {
        logFiles.set(objectRef(lf.s3Bucket, lf.s3Object), await observeLogFile(storeFor(lf.s3Bucket), lf.s3Bucket, lf.s3Object));
      });
    }
  }
  const verification = verifyDigest(parsed, { location, metadata, keys, previous, logFiles });
  const documents = integrityDocuments(verification, { version: input.version, now: deps.now?.() });
  const tally: Tally = { objects: 1, received: documents.length, documents: documents.length, dropped: 0, failed: 0 };
  if (!deps.archive) return { verification, documents, outputs: [], tally, source: 'cloudtrail' };

  const origin = bucket ?? verification.digest?.digestS3Bucket ?? input.store.bucket;
  const writer = new ArchiveWriter(deps.archive, sourceObjectName(absolute, 'integrity', origin, absolute, input.version));
  const info = digestKeyInfo(absolute);
  try {
    const partition = batchPartition({ source: 'cloudtrail', context: { account: info?.account, region: info?.region }, events: [], documents });
    await writer.write(partition, documents.map((doc) => JSON.stringify(doc)));
    return { verification, documents, outputs: await writer.close(), tally, source: 'cloudtrail' };
  } catch (e) {
    await writer.abort();
    throw e;
  }
}

/** One line of a validation report: a digest or log file that is not verified (or any, verbose). */
export interface IntegrityFinding {
  subject: 'digest' | 'log_file';
  status: IntegrityStatus;
  reason?: IntegrityReason;
  /** `s3://bucket/key` (for a local copy, the bucket the digest names). */
  path: string;
  message: string;
}

export type StatusCounts = Record<IntegrityStatus, number>;

export interface IntegrityReport {
  digests: StatusCounts;
  logFiles: StatusCounts;
  findings: IntegrityFinding[];
  /** Archive keys written (with `archive`). */
  outputs: string[];
}

export interface VerifyStoreOptions extends VerifyDigestDeps {
  /** Only keys under this prefix (relative to the store) are read. */
  prefix?: string;
  /** As in `DigestObjectInput.bucket`: `null` for a local copy of a bucket. */
  bucket?: string | null;
  /** Report verified files too. */
  verbose?: boolean;
  /** Called after each digest (progress). */
  onDigest?: (key: string, v: DigestVerification) => void;
}

/**
 * Verifies every CloudTrail digest under a prefix of a store (a trail bucket, or a local copy made
 * with `aws s3 sync` plus the digests' metadata files) and reports every digest and log file as
 * verified, failed or unverified. A CloudTrail log file under the prefix that no digest lists is
 * `unverified` (its digest is not there yet, or validation was off when it was delivered).
 * Memory: the keys under the prefix, never the objects.
 * @example await verifyStore(new S3Store(s3, 'my-trail-bucket'), { prefix: 'AWSLogs/111122223333/', publicKeys: new CloudTrailPublicKeys() })
 */
export async function verifyStore(store: ObjectStore, o: VerifyStoreOptions): Promise<IntegrityReport> {
  const digests: Array<{ key: string; version: string }> = [];
  const logs: string[] = [];
  for await (const obj of listAll(store, o.prefix ?? '')) {
    const abs = store.absoluteKey(obj.key);
    if (isCloudTrailDigestKey(abs)) digests.push({ key: obj.key, version: obj.etag ?? '' });
    else if (isCloudTrailLogKey(abs)) logs.push(abs);
  }
  const zero = (): StatusCounts => ({ verified: 0, failed: 0, unverified: 0 });
  const report: IntegrityReport = { digests: zero(), logFiles: zero(), findings: [], outputs: [] };
  const listed = new Set<string>();
  const note = (f: IntegrityFinding) => {
    if (o.verbose || f.status !== 'verified') report.findings.push(f);
  };
  for (const d of digests) {
    const r = await verifyDigestObject({ store, key: d.key, version: d.version, bucket: o.bucket }, o);
    const v = r.verification;
    const bucket = v.location.bucket ?? v.digest?.digestS3Bucket ?? store.bucket;
    report.digests[v.status]++;
    report.outputs.push(...r.outputs);
    note({ subject: 'digest', status: v.status, reason: v.reason, path: `s3://${bucket}/${v.location.key}`, message: v.message });
    for (const lf of v.logFiles) {
      listed.add(lf.key);
      report.logFiles[lf.status]++;
      note({ subject: 'log_file', status: lf.status, reason: lf.reason, path: `s3://${lf.bucket}/${lf.key}`, message: lf.message });
    }
    o.onDigest?.(d.key, v);
  }
  const bucket = o.bucket === null ? 'local' : (o.bucket ?? store.bucket);
  for (const key of logs) {
    if (listed.has(key)) continue;
    const u = unverifiedLogFile(bucket, key);
    report.logFiles.unverified++;
    note({ subject: 'log_file', status: u.status, reason: u.reason, path: `s3://${u.bucket}/${u.key}`, message: u.message });
  }
  return report;
}
