/**
 * CloudTrail log and digest files built exactly as the AWS CloudTrail User Guide documents them
 * ("CloudTrail digest file structure", "Custom implementations of CloudTrail log file integrity
 * validation"), signed with a locally generated RSA key pair, so the tests exercise the real format:
 * - log files: gzipped `{"Records": [...]}` (records from the CloudTrail parser's documentation
 *   fixture `test/fixtures/cloudtrail/s3-file-records.json`) under
 *   `AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/<account>_CloudTrail_<region>_<YYYYMMDDTHHmmZ>_<id>.json.gz`;
 * - digests: gzipped JSON with the documented fields, under
 *   `AWSLogs/<account>/CloudTrail-Digest/<region>/YYYY/MM/DD/<account>_CloudTrail-Digest_<region>_<trail>_<region>_<YYYYMMDDTHHMMSSZ>.json.gz`,
 *   the signature in the object's user metadata (`signature`, `signature-algorithm`), computed over
 *   the documented string (written out here on its own, not taken from the code under test).
 * The fingerprint is the MD5 of the DER public key: CloudTrail's own fingerprints come from
 * `ListPublicKeys`; tests only need a stable 32-hex id.
 */
import { createHash, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { PublicKeyRecord } from '../../lib/core/cloudtrail-digest';
import type { ObjectStore } from '../../lib/io/store';

export interface TestKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  fingerprint: string;
  /** As `ListPublicKeys` returns it: DER PKCS#1 RSAPublicKey. */
  der: Buffer;
  record: PublicKeyRecord;
}

/** A fresh 2048-bit RSA key pair (CloudTrail's key size) with its fingerprint and public key record. */
export function testKey(validity?: { start: string; end: string }): TestKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const der = publicKey.export({ type: 'pkcs1', format: 'der' });
  const fingerprint = createHash('md5').update(der).digest('hex');
  const record: PublicKeyRecord = { fingerprint, value: new Uint8Array(der) };
  if (validity) {
    record.validityStart = validity.start;
    record.validityEnd = validity.end;
  }
  return { privateKey, publicKey, fingerprint, der, record };
}

const RECORDS: Record<string, unknown>[] = JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'cloudtrail', 's3-file-records.json'), 'utf8')).Records;

export interface StoredFile {
  key: string;
  /** As stored (gzip). */
  body: Buffer;
  /** User metadata (digests only). */
  metadata?: Record<string, string>;
}

export interface LogFile extends StoredFile {
  /** Uncompressed bytes (what the digest hashes). */
  plain: Buffer;
  oldest: string;
  newest: string;
}

export interface Digest extends StoredFile {
  plain: Buffer;
  json: Record<string, unknown>;
  signature: string;
  end: string;
}

const pad = (n: number) => String(n).padStart(2, '0');
const compact = (d: Date) => `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}T${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}Z`;
const ymd = (d: Date) => `${d.getUTCFullYear()}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())}`;
/** CloudTrail's "UTC extended format": seconds, no milliseconds. */
const utc = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

export interface Trail {
  bucket: string;
  account: string;
  region: string;
  name: string;
  /** Prefix of the trail's keys (`''` or `prefix/`). */
  prefix?: string;
}

export const TRAIL: Trail = { bucket: 'my-trail-bucket', account: '111122223333', region: 'us-east-2', name: 'management-events' };

/** A CloudTrail log file delivered at `at`, holding `n` records (event times shifted to `at`). */
export function logFile(trail: Trail, at: Date, n: number, seq = 0): LogFile {
  const records = Array.from({ length: n }, (_, i) => {
    const r = structuredClone(RECORDS[(seq + i) % RECORDS.length]);
    const t = new Date(at.getTime() - (n - i) * 60_000);
    r.eventTime = utc(t);
    r.eventID = `${String(seq).padStart(8, '0')}-0000-4000-8000-${String(i).padStart(12, '0')}`;
    r.recipientAccountId = trail.account;
    r.awsRegion = trail.region;
    return { r, t };
  });
  const plain = Buffer.from(JSON.stringify({ Records: records.map((x) => x.r) }));
  const id = createHash('sha256').update(`${at.toISOString()}:${seq}`).digest('hex').slice(0, 16);
  const key = `${trail.prefix ?? ''}AWSLogs/${trail.account}/CloudTrail/${trail.region}/${ymd(at)}/${trail.account}_CloudTrail_${trail.region}_${compact(at).slice(0, 13)}Z_${id}.json.gz`;
  return { key, plain, body: gzipSync(plain), oldest: utc(records[0].t), newest: utc(records[records.length - 1].t) };
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** The digest of the hour ending at `end`, listing `logs`, chained to `previous` (first of a chain without). */
export function digestFile(trail: Trail, end: Date, logs: LogFile[], key: TestKey, previous?: Digest): Digest {
  const start = new Date(end.getTime() - 3600_000);
  const digestKey = `${trail.prefix ?? ''}AWSLogs/${trail.account}/CloudTrail-Digest/${trail.region}/${ymd(end)}/${trail.account}_CloudTrail-Digest_${trail.region}_${trail.name}_${trail.region}_${compact(end)}.json.gz`;
  const times = logs.flatMap((l) => [l.oldest, l.newest]).sort();
  const json: Record<string, unknown> = {
    awsAccountId: trail.account,
    digestStartTime: utc(start),
    digestEndTime: utc(end),
    digestS3Bucket: trail.bucket,
    digestS3Object: digestKey,
    digestPublicKeyFingerprint: key.fingerprint,
    digestSignatureAlgorithm: 'SHA256withRSA',
    newestEventTime: times.length ? times[times.length - 1] : null,
    oldestEventTime: times.length ? times[0] : null,
    previousDigestS3Bucket: previous ? trail.bucket : null,
    previousDigestS3Object: previous ? previous.key : null,
    previousDigestHashValue: previous ? sha256(previous.plain) : null,
    previousDigestHashAlgorithm: previous ? 'SHA-256' : null,
    previousDigestSignature: previous ? previous.signature : null,
    logFiles: logs.map((l) => ({
      s3Bucket: trail.bucket,
      s3Object: l.key,
      hashValue: sha256(l.plain),
      hashAlgorithm: 'SHA-256',
      newestEventTime: l.newest,
      oldestEventTime: l.oldest,
    })),
  };
  return signDigest(json, key);
}

/** Serializes and signs a digest document as CloudTrail does (the string to sign spelled out here). */
export function signDigest(json: Record<string, unknown>, key: TestKey, plainOverride?: Buffer): Digest {
  const plain = plainOverride ?? Buffer.from(JSON.stringify(json));
  const toSign = `${json.digestEndTime}\n${json.digestS3Bucket}/${json.digestS3Object}\n${sha256(plain)}\n${json.previousDigestSignature ?? 'null'}`;
  const signature = sign('sha256', Buffer.from(toSign, 'utf8'), key.privateKey).toString('hex');
  return {
    key: json.digestS3Object as string,
    plain,
    body: gzipSync(plain),
    json,
    signature,
    end: json.digestEndTime as string,
    metadata: { signature, 'signature-algorithm': 'SHA256withRSA' },
  };
}

export interface TrailFiles {
  logs: LogFile[][];
  digests: Digest[];
}

/** `hours` consecutive hours of a trail: `perHour` log files each, and the hourly chain of digests. */
export function trailFiles(trail: Trail, key: TestKey, hours: number, perHour = 2, firstEnd = new Date('2026-03-01T11:01:31Z')): TrailFiles {
  const logs: LogFile[][] = [];
  const digests: Digest[] = [];
  for (let h = 0; h < hours; h++) {
    const end = new Date(firstEnd.getTime() + h * 3600_000);
    const hourLogs = Array.from({ length: perHour }, (_, i) => logFile(trail, new Date(end.getTime() - (50 - i * 20) * 60_000), 2 + i, h * 10 + i));
    logs.push(hourLogs);
    digests.push(digestFile(trail, end, hourLogs, key, digests[h - 1]));
  }
  return { logs, digests };
}

/** Puts files into a store (digests with their metadata), as CloudTrail delivers them. */
export async function deliver(store: ObjectStore, files: StoredFile[]): Promise<void> {
  for (const f of files) await store.put(f.key, f.body, f.metadata ? { metadata: f.metadata } : {});
}
