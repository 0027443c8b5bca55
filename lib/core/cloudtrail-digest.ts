/**
 * CloudTrail log file integrity validation, the pure part: what a digest file says, whether
 * CloudTrail signed it, and what that means for each log file it lists. No I/O: the caller reads
 * the digest, its S3 metadata, the previous digest and the log files (`lib/integrity.ts`) and
 * passes what it observed; every answer is a value, nothing throws on bad input.
 *
 * The rules, as the AWS CloudTrail User Guide documents them ("CloudTrail digest file structure",
 * "Custom implementations of CloudTrail log file integrity validation"):
 * - A digest file is gzipped JSON under
 *   `[prefix/]AWSLogs/[o-id/]<account>/CloudTrail-Digest/<region>/YYYY/MM/DD/<account>_CloudTrail-Digest_<region>_<trail>_<home region>_<end>.json.gz`.
 *   Its signature is NOT in the file: it is the object's S3 metadata `x-amz-meta-signature` (hex),
 *   with `x-amz-meta-signature-algorithm` (`SHA256withRSA`).
 * - The signed string is `digestEndTime` + `\n` + `digestS3Bucket/digestS3Object` + `\n` + hex
 *   SHA-256 of the UNCOMPRESSED digest file + `\n` + `previousDigestSignature` (the literal `null`
 *   for the first digest of a chain); the signature is RSA PKCS#1 v1.5 over its SHA-256.
 * - The public key is the CloudTrail key of the digest's region whose fingerprint is
 *   `digestPublicKeyFingerprint` (`ListPublicKeys` returns DER PKCS#1 keys with their fingerprint).
 * - A digest must be read from where it says it was delivered (`digestS3Bucket`/`digestS3Object`):
 *   a moved digest does not validate.
 * - Each `logFiles[].hashValue` is the hex SHA-256 of the UNCOMPRESSED log file.
 * - The chain: `previousDigestHashValue` is the hex SHA-256 of the uncompressed previous digest and
 *   `previousDigestSignature` its signature, so a deleted, replaced or edited previous digest shows.
 *
 * Statuses: `verified` (proved intact), `failed` (proved modified, deleted, moved, or not signed
 * by a CloudTrail key), `unverified` (could not be checked: no digest lists the file yet, or it
 * could not be read). A failure of the previous digest fails the digest's chain, not its log
 * files: their hashes are still signed by a valid signature.
 */
import { createHash, createPublicKey, type KeyObject, verify } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { ECS_VERSION, SCHEMA_VERSION } from '../../schemas';
import type { TributaryDocument } from '../../schemas/generated/document';
import { stableId } from '../../parsers/ids';

/** The three answers: proved intact, proved not intact, or could not be checked. */
export type IntegrityStatus = 'verified' | 'failed' | 'unverified';

/** Why a subject failed or could not be verified (`tributary.integrity.reason`). */
export type IntegrityReason =
  // the digest file itself
  | 'digest_unreadable'
  | 'digest_too_large'
  | 'digest_invalid'
  | 'digest_moved'
  | 'signature_missing'
  | 'signature_algorithm_unsupported'
  | 'public_key_unknown'
  | 'public_key_unusable'
  | 'signature_invalid'
  // its link to the previous digest
  | 'previous_digest_missing'
  | 'previous_digest_unreadable'
  | 'previous_digest_hash_mismatch'
  | 'previous_digest_signature_mismatch'
  | 'previous_digest_unavailable'
  // a log file it lists
  | 'hash_mismatch'
  | 'hash_algorithm_unsupported'
  | 'log_file_missing'
  | 'log_file_unreadable'
  | 'trailing_data'
  | 'log_file_unavailable'
  | 'digest_failed'
  | 'no_digest';

/** One entry of `logFiles`. */
export interface DigestLogFile {
  s3Bucket: string;
  s3Object: string;
  hashValue: string;
  hashAlgorithm: string;
  newestEventTime: string | null;
  oldestEventTime: string | null;
}

/** The fields of a digest file this module relies on (others are tolerated and ignored). */
export interface CloudTrailDigest {
  awsAccountId: string;
  digestStartTime: string;
  digestEndTime: string;
  digestS3Bucket: string;
  digestS3Object: string;
  digestPublicKeyFingerprint: string;
  digestSignatureAlgorithm: string;
  newestEventTime: string | null;
  oldestEventTime: string | null;
  previousDigestS3Bucket: string | null;
  previousDigestS3Object: string | null;
  previousDigestHashValue: string | null;
  previousDigestHashAlgorithm: string | null;
  previousDigestSignature: string | null;
  logFiles: DigestLogFile[];
}

export interface ParsedDigest {
  digest: CloudTrailDigest;
  /** Hex SHA-256 of the uncompressed digest file. */
  sha256: string;
}

/** An error as a value: a reason code and a sentence for people. */
export interface Problem {
  reason: IntegrityReason;
  message: string;
}

/** A value or a problem, never an exception. */
export type Result<T> = ({ ok: true } & T) | ({ ok: false } & Problem);

export interface DigestLimits {
  /** Upper bound of the uncompressed digest (default 64 MiB: ~150 000 log file entries). */
  maxBytes?: number;
  /** Upper bound of `logFiles` entries (default 200 000). */
  maxLogFiles?: number;
}

export const DEFAULT_MAX_DIGEST_BYTES = 64 * 1024 * 1024;
const DEFAULT_MAX_LOG_FILES = 200_000;

/** The only signature algorithm CloudTrail uses. */
export const SIGNATURE_ALGORITHM = 'SHA256withRSA';
/** The only hash algorithm CloudTrail uses for log files and the previous digest. */
export const HASH_ALGORITHM = 'SHA-256';

const HEX = /^(?:[0-9a-f]{2})+$/i;

/**
 * Hex SHA-256 of bytes (how CloudTrail writes every hash it records).
 * @example sha256Hex(Buffer.from('abc')) // 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'
 */
export const sha256Hex = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

const isGzip = (b: Uint8Array) => b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;

/**
 * The uncompressed bytes of a digest file (gzip, or already uncompressed), bounded.
 * @example inflateDigest(gzipSync('{"a":1}')) // { ok: true, bytes: <Buffer 7b 22 61 …> }
 */
export function inflateDigest(bytes: Uint8Array, maxBytes = DEFAULT_MAX_DIGEST_BYTES): Result<{ bytes: Buffer }> {
  if (!isGzip(bytes)) {
    if (bytes.length > maxBytes) return { ok: false, reason: 'digest_too_large', message: `digest larger than ${maxBytes} bytes` };
    return { ok: true, bytes: Buffer.from(bytes) };
  }
  try {
    return { ok: true, bytes: gunzipSync(bytes, { maxOutputLength: maxBytes }) };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE')
      return { ok: false, reason: 'digest_too_large', message: `digest larger than ${maxBytes} bytes uncompressed` };
    return { ok: false, reason: 'digest_unreadable', message: `digest is not valid gzip: ${(e as Error).message}` };
  }
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const validTime = (v: unknown): v is string => typeof v === 'string' && v.length <= 64 && Number.isFinite(Date.parse(v));

/**
 * Parses and checks one digest file (bytes as stored: gzip or not). Bounded by `limits`; every
 * problem is a value (`digest_unreadable`, `digest_too_large`, `digest_invalid`).
 * @example parseDigest(gzipSync(JSON.stringify(digest))) // { ok: true, digest: {...}, sha256: '9f86…' }
 */
export function parseDigest(bytes: Uint8Array, limits: DigestLimits = {}): Result<ParsedDigest> {
  const inflated = inflateDigest(bytes, limits.maxBytes);
  if (!inflated.ok) return inflated;
  let doc: unknown;
  try {
    doc = JSON.parse(inflated.bytes.toString('utf8'));
  } catch {
    return { ok: false, reason: 'digest_unreadable', message: 'digest is not JSON' };
  }
  const invalid = (message: string): Result<ParsedDigest> => ({ ok: false, reason: 'digest_invalid', message });
  if (!isObj(doc)) return invalid('digest is not a JSON object');
  for (const f of ['awsAccountId', 'digestS3Bucket', 'digestS3Object', 'digestPublicKeyFingerprint', 'digestSignatureAlgorithm'] as const)
    if (typeof doc[f] !== 'string' || doc[f] === '') return invalid(`${f} is missing or not a string`);
  for (const f of ['digestStartTime', 'digestEndTime'] as const) if (!validTime(doc[f])) return invalid(`${f} is missing or not a time`);
  for (const f of ['newestEventTime', 'oldestEventTime'] as const)
    if (doc[f] !== undefined && doc[f] !== null && !validTime(doc[f])) return invalid(`${f} is not a time`);
  if (!HEX.test(doc.digestPublicKeyFingerprint as string)) return invalid('digestPublicKeyFingerprint is not hex');

  const prev = ['previousDigestS3Bucket', 'previousDigestS3Object', 'previousDigestHashValue', 'previousDigestHashAlgorithm', 'previousDigestSignature'] as const;
  const p: Record<(typeof prev)[number], string | null> = {
    previousDigestS3Bucket: null,
    previousDigestS3Object: null,
    previousDigestHashValue: null,
    previousDigestHashAlgorithm: null,
    previousDigestSignature: null,
  };
  for (const f of prev) {
    const v = doc[f];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'string') return invalid(`${f} is not a string`);
    p[f] = v;
  }
  if (p.previousDigestSignature !== null) {
    // A digest that names a previous signature must say where that digest is and what it hashed to.
    if (!HEX.test(p.previousDigestSignature)) return invalid('previousDigestSignature is not hex');
    if (!p.previousDigestS3Bucket || !p.previousDigestS3Object) return invalid('previousDigestSignature without previousDigestS3Bucket/previousDigestS3Object');
    if (!p.previousDigestHashValue || !HEX.test(p.previousDigestHashValue)) return invalid('previousDigestHashValue is missing or not hex');
  }

  const files = doc.logFiles ?? [];
  if (!Array.isArray(files)) return invalid('logFiles is not an array');
  const maxFiles = limits.maxLogFiles ?? DEFAULT_MAX_LOG_FILES;
  if (files.length > maxFiles) return { ok: false, reason: 'digest_too_large', message: `digest lists ${files.length} log files (limit ${maxFiles})` };
  const logFiles: DigestLogFile[] = [];
  for (const [i, lf] of files.entries()) {
    if (!isObj(lf)) return invalid(`logFiles[${i}] is not an object`);
    for (const f of ['s3Bucket', 's3Object', 'hashValue', 'hashAlgorithm'] as const)
      if (typeof lf[f] !== 'string' || lf[f] === '') return invalid(`logFiles[${i}].${f} is missing or not a string`);
    if (!HEX.test(lf.hashValue as string)) return invalid(`logFiles[${i}].hashValue is not hex`);
    const time = (v: unknown) => (validTime(v) ? v : null);
    logFiles.push({
      s3Bucket: lf.s3Bucket as string,
      s3Object: lf.s3Object as string,
      hashValue: lf.hashValue as string,
      hashAlgorithm: lf.hashAlgorithm as string,
      newestEventTime: time(lf.newestEventTime),
      oldestEventTime: time(lf.oldestEventTime),
    });
  }
  const digest: CloudTrailDigest = {
    awsAccountId: doc.awsAccountId as string,
    digestStartTime: doc.digestStartTime as string,
    digestEndTime: doc.digestEndTime as string,
    digestS3Bucket: doc.digestS3Bucket as string,
    digestS3Object: doc.digestS3Object as string,
    digestPublicKeyFingerprint: doc.digestPublicKeyFingerprint as string,
    digestSignatureAlgorithm: doc.digestSignatureAlgorithm as string,
    newestEventTime: (doc.newestEventTime as string | null | undefined) ?? null,
    oldestEventTime: (doc.oldestEventTime as string | null | undefined) ?? null,
    ...p,
    logFiles,
  };
  return { ok: true, digest, sha256: sha256Hex(inflated.bytes) };
}

/**
 * The string CloudTrail signs for a digest (exact bytes matter: the times are the file's own strings).
 * @example digestSigningString(digest, sha256) // '2015-08-17T15:01:31Z\nbucket/AWSLogs/…json.gz\n9f86…\n50887c…'
 */
export function digestSigningString(digest: CloudTrailDigest, sha256: string): string {
  return `${digest.digestEndTime}\n${digest.digestS3Bucket}/${digest.digestS3Object}\n${sha256}\n${digest.previousDigestSignature ?? 'null'}`;
}

/** A CloudTrail public key: from `ListPublicKeys`, or a key file for offline use. */
export interface PublicKeyRecord {
  fingerprint: string;
  /** DER PKCS#1 `RSAPublicKey` (what `ListPublicKeys` returns), DER SPKI, base64 of either, or PEM. */
  value: Uint8Array | string;
  validityStart?: string;
  validityEnd?: string;
  /** The key's region, when known (CloudTrail uses one key pair per region). */
  region?: string;
}

/**
 * A `KeyObject` from any form a CloudTrail public key comes in, or a problem.
 * @example publicKeyObject({ fingerprint: 'ab', value: '-----BEGIN RSA PUBLIC KEY-----\n…' })
 */
export function publicKeyObject(k: PublicKeyRecord): Result<{ key: KeyObject }> {
  const attempts: Array<() => KeyObject> = [];
  if (typeof k.value === 'string' && k.value.includes('-----BEGIN')) attempts.push(() => createPublicKey(k.value as string));
  else {
    const der = typeof k.value === 'string' ? Buffer.from(k.value.trim(), 'base64') : Buffer.from(k.value);
    attempts.push(() => createPublicKey({ key: der, format: 'der', type: 'pkcs1' }));
    attempts.push(() => createPublicKey({ key: der, format: 'der', type: 'spki' }));
  }
  for (const a of attempts) {
    try {
      const key = a();
      if (key.asymmetricKeyType === 'rsa') return { ok: true, key };
    } catch {
      /* try the next form */
    }
  }
  return { ok: false, reason: 'public_key_unusable', message: `public key ${k.fingerprint} is not an RSA public key (PKCS#1 or SPKI, DER or PEM)` };
}

/**
 * The public keys of a key file, for offline validation and tests. Two shapes are accepted:
 * - what `aws cloudtrail list-public-keys --region R --start-time T` prints:
 *   `{"PublicKeyList": [{"Value": base64 DER, "ValidityStartTime", "ValidityEndTime", "Fingerprint"}]}`;
 * - `{"keys": [{"fingerprint", "key": PEM or base64 DER, "validityStart"?, "validityEnd"?, "region"?}]}`
 *   or that array alone.
 * A top-level `"region"` applies to every key without one. Times are ISO strings or epoch seconds.
 * @example parsePublicKeyFile('{"keys":[{"fingerprint":"31e8b5433410dfb61a9dc45cc65b22ff","key":"-----BEGIN RSA PUBLIC KEY-----\\n…"}]}')
 */
export function parsePublicKeyFile(text: string): Result<{ keys: PublicKeyRecord[] }> {
  const bad = (message: string): Result<{ keys: PublicKeyRecord[] }> => ({ ok: false, reason: 'public_key_unusable', message });
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return bad('public key file is not JSON');
  }
  const region = isObj(doc) && typeof doc.region === 'string' ? doc.region : undefined;
  const list = Array.isArray(doc) ? doc : isObj(doc) ? (doc.PublicKeyList ?? doc.keys) : undefined;
  if (!Array.isArray(list)) return bad('public key file holds neither PublicKeyList nor keys');
  const time = (v: unknown): string | undefined =>
    typeof v === 'number' && Number.isFinite(v) ? new Date(v * 1000).toISOString() : typeof v === 'string' && validTime(v) ? new Date(Date.parse(v)).toISOString() : undefined;
  const keys: PublicKeyRecord[] = [];
  for (const [i, e] of list.entries()) {
    if (!isObj(e)) return bad(`key ${i} is not an object`);
    const fingerprint = e.Fingerprint ?? e.fingerprint;
    const value = e.Value ?? e.key;
    if (typeof fingerprint !== 'string' || !HEX.test(fingerprint)) return bad(`key ${i} has no hex fingerprint`);
    if (typeof value !== 'string' || value.trim() === '') return bad(`key ${i} has no key value`);
    const k: PublicKeyRecord = { fingerprint: fingerprint.toLowerCase(), value };
    const usable = publicKeyObject(k);
    if (!usable.ok) return bad(`key ${i}: ${usable.message}`);
    const start = time(e.ValidityStartTime ?? e.validityStart);
    const end = time(e.ValidityEndTime ?? e.validityEnd);
    if (start) k.validityStart = start;
    if (end) k.validityEnd = end;
    const r = typeof e.region === 'string' ? e.region : region;
    if (r) k.region = r;
    keys.push(k);
  }
  return { ok: true, keys };
}

/** User metadata value by name, as S3 returns it (`signature`) or with its header prefix. */
function meta(metadata: Readonly<Record<string, string | undefined>>, name: string): string | undefined {
  for (const [k, v] of Object.entries(metadata)) {
    const n = k.toLowerCase();
    if (n === name || n === `x-amz-meta-${name}`) return v;
  }
  return undefined;
}

/** A key covers a digest when its validity (when given) overlaps the digest's period. */
function covers(k: PublicKeyRecord, d: CloudTrailDigest): boolean {
  const start = k.validityStart ? Date.parse(k.validityStart) : -Infinity;
  const end = k.validityEnd ? Date.parse(k.validityEnd) : Infinity;
  return !(start > Date.parse(d.digestEndTime)) && !(end < Date.parse(d.digestStartTime));
}

/** Where a digest object was found: its key, and its bucket when known (a local copy has none). */
export interface DigestLocation {
  bucket?: string;
  key: string;
}

export interface DigestAuthInput {
  location: DigestLocation;
  /** The digest object's S3 user metadata (`signature`, `signature-algorithm`). */
  metadata: Readonly<Record<string, string | undefined>>;
  /** Candidate public keys (of the digest's region); the one with the digest's fingerprint is used. */
  keys: readonly PublicKeyRecord[];
}

/**
 * Whether the digest is authentic: read from where it was delivered, signed with `SHA256withRSA`
 * by the CloudTrail key it names, over the documented string.
 * @example authenticateDigest(parsed, { location: { bucket, key }, metadata: { signature, 'signature-algorithm': 'SHA256withRSA' }, keys }) // { ok: true }
 */
export function authenticateDigest(parsed: ParsedDigest, input: DigestAuthInput): Result<object> {
  const d = parsed.digest;
  if (d.digestS3Object !== input.location.key || (input.location.bucket !== undefined && d.digestS3Bucket !== input.location.bucket)) {
    const found = `${input.location.bucket ?? '(local copy)'}/${input.location.key}`;
    return { ok: false, reason: 'digest_moved', message: `digest names ${d.digestS3Bucket}/${d.digestS3Object} as its location but was read from ${found}` };
  }
  const signature = meta(input.metadata, 'signature')?.trim();
  if (!signature) return { ok: false, reason: 'signature_missing', message: 'digest object has no x-amz-meta-signature metadata' };
  if (!HEX.test(signature)) return { ok: false, reason: 'signature_invalid', message: 'x-amz-meta-signature is not hex' };
  const algorithm = meta(input.metadata, 'signature-algorithm')?.trim() ?? d.digestSignatureAlgorithm;
  if (algorithm !== SIGNATURE_ALGORITHM || d.digestSignatureAlgorithm !== SIGNATURE_ALGORITHM)
    return {
      ok: false,
      reason: 'signature_algorithm_unsupported',
      message: `signature algorithm ${algorithm} (digest says ${d.digestSignatureAlgorithm}); CloudTrail signs with ${SIGNATURE_ALGORITHM}`,
    };
  const fp = d.digestPublicKeyFingerprint.toLowerCase();
  const candidates = input.keys.filter((k) => k.fingerprint.toLowerCase() === fp && covers(k, d));
  if (!candidates.length)
    return { ok: false, reason: 'public_key_unknown', message: `no CloudTrail public key with fingerprint ${d.digestPublicKeyFingerprint} valid for ${d.digestStartTime}..${d.digestEndTime}` };
  const data = Buffer.from(digestSigningString(d, parsed.sha256), 'utf8');
  const sig = Buffer.from(signature, 'hex');
  let unusable: Problem | undefined;
  for (const c of candidates) {
    const key = publicKeyObject(c);
    if (!key.ok) {
      unusable = key;
      continue;
    }
    // RSA PKCS#1 v1.5 over SHA-256 of the string: what SHA256withRSA means.
    if (verify('sha256', data, key.key, sig)) return { ok: true };
  }
  if (unusable && candidates.length === 1) return { ok: false, ...unusable };
  return { ok: false, reason: 'signature_invalid', message: `signature does not verify with public key ${d.digestPublicKeyFingerprint}` };
}

/** What the caller found at the previous digest's location. */
export type PreviousDigestObservation =
  | { state: 'found'; /** hex SHA-256 of its uncompressed bytes */ sha256: string; /** its x-amz-meta-signature */ signature?: string }
  | { state: 'missing' }
  | { state: 'unreadable'; message: string }
  | { state: 'unavailable'; message: string };

/** What the caller found at a log file's location. */
export type LogFileObservation =
  | { state: 'hashed'; /** hex SHA-256 of the uncompressed bytes */ sha256: string; /** bytes after the gzip stream */ trailingData?: boolean }
  | { state: 'missing' }
  | { state: 'unreadable'; message: string }
  | { state: 'unavailable'; message: string };

/**
 * The map key of a log file observation.
 * @example objectRef('my-trail-bucket', 'AWSLogs/111122223333/CloudTrail/us-east-1/2026/03/01/x.json.gz') // 'my-trail-bucket/AWSLogs/…/x.json.gz'
 */
export const objectRef = (bucket: string, key: string): string => `${bucket}/${key}`;

export interface VerifyInput extends DigestAuthInput {
  /** The previous digest as found; undefined when it was not looked at (the chain stays unverified). */
  previous?: PreviousDigestObservation;
  /** Observations by `objectRef(s3Bucket, s3Object)`; a listed file without one is unverified. */
  logFiles?: ReadonlyMap<string, LogFileObservation>;
}

export interface ChainResult {
  /** `none`: the digest starts a chain (first digest, or validation was re-enabled). */
  status: IntegrityStatus | 'none';
  reason?: IntegrityReason;
  message?: string;
}

export interface LogFileVerification {
  bucket: string;
  key: string;
  status: IntegrityStatus;
  reason?: IntegrityReason;
  message: string;
  hashAlgorithm?: string;
  expectedHash?: string;
  actualHash?: string;
  oldestEventTime?: string | null;
  newestEventTime?: string | null;
}

export interface DigestVerification {
  location: DigestLocation;
  /** Status of the digest file: location, signature and chain. */
  status: IntegrityStatus;
  reason?: IntegrityReason;
  message: string;
  /** The digest was read from its own location and CloudTrail's signature verifies. */
  authentic: boolean;
  /** The parsed digest (absent when it could not be parsed). */
  digest?: CloudTrailDigest;
  sha256?: string;
  signatureAlgorithm?: string;
  chain: ChainResult;
  logFiles: LogFileVerification[];
}

function chainOf(d: CloudTrailDigest, previous: PreviousDigestObservation | undefined): ChainResult {
  if (d.previousDigestSignature === null) return { status: 'none' };
  const where = `${d.previousDigestS3Bucket}/${d.previousDigestS3Object}`;
  if (!previous) return { status: 'unverified', reason: 'previous_digest_unavailable', message: `previous digest ${where} was not read` };
  switch (previous.state) {
    case 'unavailable':
      return { status: 'unverified', reason: 'previous_digest_unavailable', message: `previous digest ${where} could not be read: ${previous.message}` };
    case 'missing':
      return { status: 'failed', reason: 'previous_digest_missing', message: `previous digest ${where} does not exist` };
    case 'unreadable':
      return { status: 'failed', reason: 'previous_digest_unreadable', message: `previous digest ${where} is unreadable: ${previous.message}` };
  }
  if ((d.previousDigestHashAlgorithm ?? HASH_ALGORITHM) !== HASH_ALGORITHM)
    return { status: 'failed', reason: 'hash_algorithm_unsupported', message: `previous digest hash algorithm ${d.previousDigestHashAlgorithm}` };
  if (previous.sha256.toLowerCase() !== d.previousDigestHashValue?.toLowerCase())
    return {
      status: 'failed',
      reason: 'previous_digest_hash_mismatch',
      message: `previous digest ${where} hashes to ${previous.sha256}, this digest recorded ${d.previousDigestHashValue}`,
    };
  if (previous.signature?.trim().toLowerCase() !== d.previousDigestSignature.toLowerCase())
    return { status: 'failed', reason: 'previous_digest_signature_mismatch', message: `previous digest ${where} carries another signature than this digest recorded` };
  return { status: 'verified' };
}

function logFileOf(lf: DigestLogFile, authentic: Result<object>, obs: LogFileObservation | undefined): LogFileVerification {
  const base = {
    bucket: lf.s3Bucket,
    key: lf.s3Object,
    hashAlgorithm: lf.hashAlgorithm,
    expectedHash: lf.hashValue.toLowerCase(),
    oldestEventTime: lf.oldestEventTime,
    newestEventTime: lf.newestEventTime,
  };
  const where = `s3://${lf.s3Bucket}/${lf.s3Object}`;
  // Without an authentic digest the listed hash proves nothing, and the digest was tampered with.
  if (!authentic.ok) return { ...base, status: 'failed', reason: 'digest_failed', message: `${where}: the digest listing it failed (${authentic.reason}): ${authentic.message}` };
  if (lf.hashAlgorithm !== HASH_ALGORITHM)
    return { ...base, status: 'unverified', reason: 'hash_algorithm_unsupported', message: `${where}: hash algorithm ${lf.hashAlgorithm} is not ${HASH_ALGORITHM}` };
  if (!obs) return { ...base, status: 'unverified', reason: 'log_file_unavailable', message: `${where} was not read` };
  switch (obs.state) {
    case 'missing':
      return { ...base, status: 'failed', reason: 'log_file_missing', message: `${where} is listed in the digest but does not exist (deleted or moved)` };
    case 'unreadable':
      return { ...base, status: 'failed', reason: 'log_file_unreadable', message: `${where} is not a readable gzip file: ${obs.message}` };
    case 'unavailable':
      return { ...base, status: 'unverified', reason: 'log_file_unavailable', message: `${where} could not be read: ${obs.message}` };
  }
  const actual = { ...base, actualHash: obs.sha256.toLowerCase() };
  if (obs.trailingData) return { ...actual, status: 'failed', reason: 'trailing_data', message: `${where} has data after its gzip stream` };
  if (actual.actualHash !== base.expectedHash)
    return { ...actual, status: 'failed', reason: 'hash_mismatch', message: `${where}: SHA-256 of the uncompressed file is ${actual.actualHash}, the digest lists ${base.expectedHash}` };
  return { ...actual, status: 'verified', message: `${where}: hash matches the signed digest` };
}

/**
 * The verdict on one digest and every log file it lists, from what the caller observed.
 * @example verifyDigest(parseDigest(bytes), { location, metadata, keys, previous: { state: 'found', sha256, signature }, logFiles })
 */
export function verifyDigest(parsed: Result<ParsedDigest>, input: VerifyInput): DigestVerification {
  if (!parsed.ok)
    return { location: input.location, status: 'failed', reason: parsed.reason, message: parsed.message, authentic: false, chain: { status: 'unverified' }, logFiles: [] };
  const d = parsed.digest;
  const auth = authenticateDigest(parsed, input);
  const logFiles = d.logFiles.map((lf) => logFileOf(lf, auth, input.logFiles?.get(objectRef(lf.s3Bucket, lf.s3Object))));
  const common = { location: input.location, digest: d, sha256: parsed.sha256, signatureAlgorithm: d.digestSignatureAlgorithm, logFiles };
  if (!auth.ok) return { ...common, status: 'failed', reason: auth.reason, message: auth.message, authentic: false, chain: { status: 'unverified' } };
  const chain = chainOf(d, input.previous);
  const where = `s3://${d.digestS3Bucket}/${d.digestS3Object}`;
  if (chain.status === 'failed' || chain.status === 'unverified')
    return { ...common, status: chain.status, reason: chain.reason, message: `${where}: signature verifies; ${chain.message}`, authentic: true, chain };
  const link = chain.status === 'none' ? 'starts a chain' : 'previous digest matches';
  return { ...common, status: 'verified', message: `${where}: signature verifies, ${link}`, authentic: true, chain };
}

/**
 * A log file no digest has listed (yet): CloudTrail delivers digests hourly, so a recent file is
 * `unverified` until its digest arrives.
 * @example unverifiedLogFile('my-trail-bucket', 'AWSLogs/111122223333/CloudTrail/us-east-1/2026/03/01/x.json.gz').status // 'unverified'
 */
export function unverifiedLogFile(bucket: string, key: string): LogFileVerification {
  return { bucket, key, status: 'unverified', reason: 'no_digest', message: `s3://${bucket}/${key} is not listed in any digest read` };
}

const DIGEST_KEY = /(?:^|\/)AWSLogs\/(?:o-[a-z0-9]+\/)?(\d{12})\/CloudTrail-Digest\/([a-z]{2}(?:-[a-z]+)+-\d{1,2})\/\d{4}\/\d\d\/\d\d\/[^/]+\.json\.gz$/;
const LOG_KEY = /(?:^|\/)AWSLogs\/(?:o-[a-z0-9]+\/)?\d{12}\/CloudTrail\/[a-z]{2}(?:-[a-z]+)+-\d{1,2}\/\d{4}\/\d\d\/\d\d\/[^/]+\.json\.gz$/;

/**
 * Account and region of a digest key in CloudTrail's layout, or undefined for any other key.
 * @example digestKeyInfo('AWSLogs/111122223333/CloudTrail-Digest/us-east-2/2015/08/17/111122223333_CloudTrail-Digest_us-east-2_t_us-east-2_20150817T150131Z.json.gz') // { account: '111122223333', region: 'us-east-2' }
 */
export function digestKeyInfo(key: string): { account: string; region: string } | undefined {
  const m = DIGEST_KEY.exec(key);
  return m ? { account: m[1], region: m[2] } : undefined;
}

/**
 * Whether a key is a CloudTrail log file (not a digest) in CloudTrail's layout.
 * @example isCloudTrailLogKey('AWSLogs/111122223333/CloudTrail/us-east-1/2026/03/01/111122223333_CloudTrail_us-east-1_20260301T1055Z_a1b2c3d4e5f6a7b8.json.gz') // true
 */
export const isCloudTrailLogKey = (key: string): boolean => LOG_KEY.test(key);

/** The end time in a digest file name (`…_20150817T150131Z.json.gz`, backfills included), as ISO. */
function keyTime(key: string): string | undefined {
  const m = /_(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z(?:_[a-z]+)?\.json(?:\.gz)?$/i.exec(key);
  if (!m) return undefined;
  const t = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
  return Number.isFinite(t) ? new Date(t).toISOString() : undefined;
}

const iso = (t: string | null | undefined): string | undefined => {
  const ms = t ? Date.parse(t) : NaN;
  return Number.isFinite(ms) ? new Date(ms).toISOString() : undefined;
};

type Integrity = NonNullable<NonNullable<TributaryDocument['tributary']>['integrity']>;

const outcome = (s: IntegrityStatus) => (s === 'verified' ? 'success' : s === 'failed' ? 'failure' : 'unknown');

export interface DocumentOptions {
  /** Version of the digest object (S3 version id or ETag): part of every id. */
  version: string;
  /** Sets `event.ingested` (when the validation ran). */
  now?: Date;
}

/**
 * The documents recording one digest's verification: one per listed log file and one for the
 * digest itself, indexed with the CloudTrail documents (`event.dataset: aws.cloudtrail`).
 *
 * ECS: `event.kind: state` — the document states the integrity of a stored file at the time it was
 * checked, it is not an activity CloudTrail logged (`event`) nor an alert (the detection on
 * `failed` raises those); `event.category: file`, `event.type: info`; `event.outcome` is
 * success/failure/unknown for verified/failed/unverified. `@timestamp` is the digest's end time,
 * when CloudTrail vouched for the files; `event.start`/`event.end` the file's oldest/newest event.
 * The id depends on the digest object and version and the log file only, so re-validating the same
 * digest overwrites its documents.
 * @example integrityDocuments(verifyDigest(parsed, input), { version: '"etag"', now: new Date() })
 */
export function integrityDocuments(v: DigestVerification, o: DocumentOptions): TributaryDocument[] {
  const d = v.digest;
  const info = digestKeyInfo(v.location.key);
  const bucket = v.location.bucket ?? d?.digestS3Bucket ?? 'local';
  const timestamp = iso(d?.digestEndTime) ?? keyTime(v.location.key) ?? (o.now ?? new Date(0)).toISOString();
  const account = info?.account ?? (d && /^\d{12}$/.test(d.awsAccountId) ? d.awsAccountId : undefined);
  const digestPart: NonNullable<Integrity['digest']> = {
    bucket,
    key: v.location.key,
    status: v.status,
  };
  if (d) {
    // Both times passed validation (`parseDigest`), so they convert.
    digestPart.start_time = iso(d.digestStartTime)!;
    digestPart.end_time = iso(d.digestEndTime)!;
    digestPart.public_key_fingerprint = d.digestPublicKeyFingerprint;
    digestPart.log_files = d.logFiles.length;
  }
  if (v.sha256) digestPart.sha256 = v.sha256;
  if (v.signatureAlgorithm) digestPart.signature_algorithm = v.signatureAlgorithm;
  const previous: NonNullable<Integrity['previous_digest']> = { status: v.chain.status };
  if (d?.previousDigestS3Bucket) previous.bucket = d.previousDigestS3Bucket;
  if (d?.previousDigestS3Object) previous.key = d.previousDigestS3Object;

  const base = (subject: 'digest' | 'log_file', status: IntegrityStatus, path: string, idParts: string[]): TributaryDocument => {
    const dataset = 'aws.cloudtrail' as const;
    const doc: TributaryDocument = {
      '@timestamp': timestamp,
      event: {
        kind: 'state',
        category: ['file'],
        type: ['info'],
        action: subject === 'digest' ? 'cloudtrail-digest-validation' : 'cloudtrail-log-file-validation',
        outcome: outcome(status),
        dataset,
        provider: 'cloudtrail.amazonaws.com',
        id: stableId(dataset, 'integrity', subject, bucket, v.location.key, o.version, ...idParts),
      },
      cloud: { provider: 'aws' },
      file: { path, name: path.slice(path.lastIndexOf('/') + 1) },
      ecs: { version: ECS_VERSION },
      tributary: { schema_version: SCHEMA_VERSION, source: 'cloudtrail', s3: { bucket, key: v.location.key } },
    };
    if (o.now) doc.event!.ingested = o.now.toISOString();
    if (account) doc.cloud!.account = { id: account };
    if (info?.region) doc.cloud!.region = info.region;
    return doc;
  };

  const digestDoc = base('digest', v.status, `s3://${bucket}/${v.location.key}`, []);
  digestDoc.message = `CloudTrail digest ${v.status}: ${v.message}`;
  if (digestPart.start_time) digestDoc.event!.start = digestPart.start_time;
  if (digestPart.end_time) digestDoc.event!.end = digestPart.end_time;
  digestDoc.tributary!.integrity = { status: v.status, subject: 'digest', digest: digestPart, previous_digest: previous };
  if (v.reason) digestDoc.tributary!.integrity.reason = v.reason;

  const docs = [digestDoc];
  for (const lf of v.logFiles) {
    const doc = base('log_file', lf.status, `s3://${lf.bucket}/${lf.key}`, [lf.bucket, lf.key]);
    doc.message = `CloudTrail log file ${lf.status}: ${lf.message}`;
    const start = iso(lf.oldestEventTime);
    const end = iso(lf.newestEventTime);
    if (start) doc.event!.start = start;
    if (end) doc.event!.end = end;
    const logPart: NonNullable<Integrity['log_file']> = { bucket: lf.bucket, key: lf.key };
    if (lf.hashAlgorithm) logPart.hash_algorithm = lf.hashAlgorithm;
    if (lf.expectedHash) logPart.expected_hash = lf.expectedHash;
    if (lf.actualHash) logPart.actual_hash = lf.actualHash;
    doc.tributary!.integrity = { status: lf.status, subject: 'log_file', digest: digestPart, log_file: logPart, previous_digest: previous };
    if (lf.reason) doc.tributary!.integrity.reason = lf.reason;
    docs.push(doc);
  }
  return docs;
}
