/**
 * The pure core of CloudTrail log file integrity validation (`lib/core/cloudtrail-digest.ts`) on
 * digest and log files built to the documented format and signed with a locally generated RSA key.
 * The observations a use case would make (hashes of log files, the previous digest) are computed
 * here from the same bytes, so every verdict below is the core's own.
 */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import {
  digestKeyInfo,
  digestSigningString,
  integrityDocuments,
  isCloudTrailLogKey,
  type LogFileObservation,
  objectRef,
  parseDigest,
  parsePublicKeyFile,
  type PreviousDigestObservation,
  publicKeyObject,
  unverifiedLogFile,
  verifyDigest,
  type VerifyInput,
} from '../../lib/core/cloudtrail-digest';
import { type Digest, digestFile, type LogFile, logFile, signDigest, TRAIL, testKey, trailFiles } from '../helpers/cloudtrail-digest';
import { expectValid } from '../helpers/schema';

const key = testKey();
const other = testKey();
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const { logs, digests } = trailFiles(TRAIL, key, 2, 2);
const [first, second] = digests;

const hashed = (l: LogFile): LogFileObservation => ({ state: 'hashed', sha256: sha(l.plain) });
const found = (d: Digest): PreviousDigestObservation => ({ state: 'found', sha256: sha(d.plain), signature: d.signature });
/** What a use case observes when everything is where CloudTrail put it. */
function intact(d: Digest, hourLogs: LogFile[], previous?: Digest): VerifyInput {
  return {
    location: { bucket: TRAIL.bucket, key: d.key },
    metadata: d.metadata!,
    keys: [other.record, key.record],
    previous: previous && found(previous),
    logFiles: new Map(hourLogs.map((l) => [objectRef(TRAIL.bucket, l.key), hashed(l)])),
  };
}
const parse = (d: Digest) => parseDigest(d.body);

describe('parseDigest', () => {
  it('reads a digest file as CloudTrail delivers it (gzip) and hashes its uncompressed bytes', () => {
    const p = parse(second);
    if (!p.ok) throw new Error(p.message);
    expect(p.sha256).toBe(sha(second.plain));
    expect(p.digest).toMatchObject({
      awsAccountId: '111122223333',
      digestS3Bucket: TRAIL.bucket,
      digestS3Object: second.key,
      digestSignatureAlgorithm: 'SHA256withRSA',
      previousDigestS3Object: first.key,
      previousDigestHashAlgorithm: 'SHA-256',
    });
    expect(p.digest.logFiles.map((l) => l.s3Object)).toEqual(logs[1].map((l) => l.key));
    // Uncompressed input (a local copy someone gunzipped) hashes the same.
    expect(parseDigest(second.plain)).toEqual(p);
  });

  it('returns error values, never throws, for unusable input', () => {
    const reasons = (b: Buffer, limits?: Parameters<typeof parseDigest>[1]) => {
      const r = parseDigest(b, limits);
      return r.ok ? 'ok' : r.reason;
    };
    expect(reasons(Buffer.from('not json'))).toBe('digest_unreadable');
    expect(reasons(Buffer.from([0x1f, 0x8b, 1, 2, 3]))).toBe('digest_unreadable');
    expect(reasons(gzipSync('[1,2]'))).toBe('digest_invalid');
    expect(reasons(gzipSync(JSON.stringify({ ...second.json, digestEndTime: 'yesterday' })))).toBe('digest_invalid');
    expect(reasons(gzipSync(JSON.stringify({ ...second.json, logFiles: [{ s3Bucket: 'b' }] })))).toBe('digest_invalid');
    expect(reasons(gzipSync(JSON.stringify({ ...second.json, previousDigestS3Bucket: null })))).toBe('digest_invalid');
    expect(reasons(gzipSync(JSON.stringify({ ...second.json, digestPublicKeyFingerprint: 'not-hex' })))).toBe('digest_invalid');
    // A gzip bomb stops at the bound instead of filling memory.
    expect(reasons(gzipSync(Buffer.alloc(5 * 1024 * 1024, 0x20)), { maxBytes: 1024 * 1024 })).toBe('digest_too_large');
    expect(reasons(second.body, { maxBytes: 100 })).toBe('digest_too_large');
    expect(reasons(second.body, { maxLogFiles: 1 })).toBe('digest_too_large');
  });
});

describe('the string to sign', () => {
  it('is end time, bucket/key, SHA-256 of the uncompressed digest and the previous signature (literal null first)', () => {
    const p1 = parse(first);
    const p2 = parse(second);
    if (!p1.ok || !p2.ok) throw new Error('parse');
    expect(digestSigningString(p1.digest, p1.sha256)).toBe(`2026-03-01T11:01:31Z\n${TRAIL.bucket}/${first.key}\n${sha(first.plain)}\nnull`);
    expect(digestSigningString(p2.digest, p2.sha256)).toBe(`2026-03-01T12:01:31Z\n${TRAIL.bucket}/${second.key}\n${sha(second.plain)}\n${first.signature}`);
  });
});

describe('verifyDigest', () => {
  it('verifies an intact digest and every log file it lists; the first digest starts a chain', () => {
    const v1 = verifyDigest(parse(first), intact(first, logs[0]));
    expect({ status: v1.status, chain: v1.chain.status, authentic: v1.authentic }).toEqual({ status: 'verified', chain: 'none', authentic: true });
    const v2 = verifyDigest(parse(second), intact(second, logs[1], first));
    expect({ status: v2.status, chain: v2.chain.status }).toEqual({ status: 'verified', chain: 'verified' });
    expect(v2.logFiles.map((l) => [l.key, l.status, l.actualHash === l.expectedHash])).toEqual(logs[1].map((l) => [l.key, 'verified', true]));
  });

  it('fails a tampered log file (hash of the uncompressed bytes differs) and only that one', () => {
    const input = intact(second, logs[1], first);
    // One record's source address rewritten, as someone covering their tracks would.
    const doc = JSON.parse(logs[1][0].plain.toString()) as { Records: { sourceIPAddress: string }[] };
    doc.Records[0].sourceIPAddress = '198.51.100.7';
    const edited = Buffer.from(JSON.stringify(doc));
    (input.logFiles as Map<string, LogFileObservation>).set(objectRef(TRAIL.bucket, logs[1][0].key), { state: 'hashed', sha256: sha(edited) });
    const v = verifyDigest(parse(second), input);
    expect(v.status).toBe('verified');
    expect(v.logFiles.map((l) => [l.status, l.reason])).toEqual([
      ['failed', 'hash_mismatch'],
      ['verified', undefined],
    ]);
  });

  it('fails deleted, unreadable and padded log files; unread ones stay unverified', () => {
    const input = intact(second, logs[1], first);
    const m = input.logFiles as Map<string, LogFileObservation>;
    const [a, b] = logs[1];
    const reasons = (obs: LogFileObservation | undefined) => {
      if (obs) m.set(objectRef(TRAIL.bucket, a.key), obs);
      else m.delete(objectRef(TRAIL.bucket, a.key));
      const lf = verifyDigest(parse(second), input).logFiles[0];
      return [lf.status, lf.reason];
    };
    expect(reasons({ state: 'missing' })).toEqual(['failed', 'log_file_missing']);
    expect(reasons({ state: 'unreadable', message: 'incorrect header check' })).toEqual(['failed', 'log_file_unreadable']);
    expect(reasons({ state: 'hashed', sha256: sha(a.plain), trailingData: true })).toEqual(['failed', 'trailing_data']);
    expect(reasons({ state: 'unavailable', message: 'AccessDenied' })).toEqual(['unverified', 'log_file_unavailable']);
    expect(reasons(undefined)).toEqual(['unverified', 'log_file_unavailable']);
    expect(verifyDigest(parse(second), input).logFiles[1].key).toBe(b.key);
  });

  it('calls a log file no digest lists unverified', () => {
    expect(unverifiedLogFile(TRAIL.bucket, logs[1][0].key)).toMatchObject({ status: 'unverified', reason: 'no_digest' });
  });

  it('fails the chain, not the log files, when the previous digest was replaced, re-signed or deleted', () => {
    const forged = { ...first.json, logFiles: [] };
    const replaced = signDigest(forged, key);
    const cases: Array<[PreviousDigestObservation, string]> = [
      [{ state: 'found', sha256: sha(replaced.plain), signature: first.signature }, 'previous_digest_hash_mismatch'],
      [{ state: 'found', sha256: sha(first.plain), signature: replaced.signature }, 'previous_digest_signature_mismatch'],
      [{ state: 'missing' }, 'previous_digest_missing'],
      [{ state: 'unreadable', message: 'not gzip' }, 'previous_digest_unreadable'],
    ];
    for (const [previous, reason] of cases) {
      const v = verifyDigest(parse(second), { ...intact(second, logs[1]), previous });
      expect({ reason, status: v.status, chain: v.chain.reason, authentic: v.authentic, files: v.logFiles.map((l) => l.status) }).toEqual({
        reason,
        status: 'failed',
        chain: reason,
        authentic: true,
        files: ['verified', 'verified'],
      });
    }
    const unread = verifyDigest(parse(second), { ...intact(second, logs[1]), previous: { state: 'unavailable', message: 'other account' } });
    expect([unread.status, unread.reason]).toEqual(['unverified', 'previous_digest_unavailable']);
  });

  it('fails a digest whose signature does not verify, and everything it lists', () => {
    // Signed by another key that claims CloudTrail's fingerprint.
    const impostor = { ...key, privateKey: other.privateKey };
    const forged = signDigest(second.json, impostor);
    const v = verifyDigest(parse(forged), intact(forged, logs[1], first));
    expect([v.status, v.reason, v.authentic]).toEqual(['failed', 'signature_invalid', false]);
    expect(v.logFiles.map((l) => [l.status, l.reason])).toEqual([
      ['failed', 'digest_failed'],
      ['failed', 'digest_failed'],
    ]);
    // The content edited after signing (a log file's hash swapped for the tampered file's).
    const json = structuredClone(second.json) as { logFiles: { hashValue: string }[] };
    json.logFiles[0].hashValue = sha(Buffer.from('{"Records":[]}'));
    const edited = { ...second, body: gzipSync(JSON.stringify(json)) };
    expect(verifyDigest(parse(edited), intact(edited, logs[1], first)).reason).toBe('signature_invalid');
    // A signature that is not even hex.
    expect(verifyDigest(parse(second), { ...intact(second, logs[1], first), metadata: { signature: 'zz' } }).reason).toBe('signature_invalid');
  });

  it('fails a digest signed by a key CloudTrail does not list, moved, unsigned, or signed another way', () => {
    const reason = (input: VerifyInput, d: Digest = second) => verifyDigest(parse(d), input).reason;
    expect(reason({ ...intact(second, logs[1], first), keys: [other.record] })).toBe('public_key_unknown');
    // The key exists but was not valid during the digest's hour.
    const expired = { ...key.record, validityStart: '2025-01-01T00:00:00Z', validityEnd: '2025-12-31T23:59:59Z' };
    expect(reason({ ...intact(second, logs[1], first), keys: [expired] })).toBe('public_key_unknown');
    expect(reason({ ...intact(second, logs[1], first), keys: [{ ...key.record, value: 'bm90IGEga2V5' }] })).toBe('public_key_unusable');
    expect(reason({ ...intact(second, logs[1], first), location: { bucket: 'another-bucket', key: second.key } })).toBe('digest_moved');
    expect(reason({ ...intact(second, logs[1], first), location: { key: second.key.replace('2026/03/01', '2026/03/02') } })).toBe('digest_moved');
    expect(reason({ ...intact(second, logs[1], first), metadata: {} })).toBe('signature_missing');
    expect(reason({ ...intact(second, logs[1], first), metadata: { ...second.metadata, 'signature-algorithm': 'SHA1withRSA' } })).toBe('signature_algorithm_unsupported');
    // A local copy without its bucket: the key is still checked, the bucket cannot be.
    expect(verifyDigest(parse(second), { ...intact(second, logs[1], first), location: { key: second.key } }).status).toBe('verified');
    // Metadata as raw headers (x-amz-meta-*) is understood too.
    const headers = { 'X-Amz-Meta-Signature': second.signature, 'x-amz-meta-signature-algorithm': 'SHA256withRSA' };
    expect(verifyDigest(parse(second), { ...intact(second, logs[1], first), metadata: headers }).status).toBe('verified');
  });

  it('turns an unparseable digest into a failed verdict with no log files', () => {
    const v = verifyDigest(parseDigest(Buffer.from('{')), intact(second, logs[1], first));
    expect([v.status, v.reason, v.logFiles.length]).toEqual(['failed', 'digest_unreadable', 0]);
  });
});

describe('public keys', () => {
  it('accept the DER PKCS#1 bytes ListPublicKeys returns, base64 of them, SPKI and PEM', () => {
    const forms = [key.record.value, key.der.toString('base64'), key.publicKey.export({ type: 'spki', format: 'der' }), key.publicKey.export({ type: 'pkcs1', format: 'pem' })];
    for (const value of forms) expect(publicKeyObject({ fingerprint: key.fingerprint, value: value as Uint8Array | string }).ok).toBe(true);
    expect(publicKeyObject({ fingerprint: 'ab', value: new Uint8Array([1, 2, 3]) })).toMatchObject({ ok: false, reason: 'public_key_unusable' });
  });

  it('parse key files: `aws cloudtrail list-public-keys` output and the keys shape', () => {
    const cli = parsePublicKeyFile(
      JSON.stringify({
        PublicKeyList: [{ Value: key.der.toString('base64'), ValidityStartTime: 1767225600, ValidityEndTime: '2026-12-31T00:00:00Z', Fingerprint: key.fingerprint.toUpperCase() }],
      }),
    );
    expect(cli).toEqual({
      ok: true,
      keys: [{ fingerprint: key.fingerprint, value: key.der.toString('base64'), validityStart: '2026-01-01T00:00:00.000Z', validityEnd: '2026-12-31T00:00:00.000Z' }],
    });
    const pem = key.publicKey.export({ type: 'pkcs1', format: 'pem' }) as string;
    const own = parsePublicKeyFile(JSON.stringify({ region: 'us-east-2', keys: [{ fingerprint: key.fingerprint, key: pem }] }));
    expect(own).toEqual({ ok: true, keys: [{ fingerprint: key.fingerprint, value: pem, region: 'us-east-2' }] });
    // The parsed keys verify a real digest.
    if (!own.ok) throw new Error(own.message);
    expect(verifyDigest(parse(second), { ...intact(second, logs[1], first), keys: own.keys }).status).toBe('verified');
    for (const bad of ['nope', '{}', '[{"fingerprint":"zz","key":"x"}]', `[{"fingerprint":"ab","key":"${'A'.repeat(20)}"}]`]) expect(parsePublicKeyFile(bad).ok).toBe(false);
  });
});

describe('keys', () => {
  it('recognise digest and log file keys in CloudTrail\'s layouts (prefix and organization trails included)', () => {
    expect(digestKeyInfo(second.key)).toEqual({ account: '111122223333', region: 'us-east-2' });
    expect(digestKeyInfo(`logs/AWSLogs/o-aa111bb222/444455556666/CloudTrail-Digest/us-gov-west-1/2026/03/01/x_20260301T110131Z.json.gz`)).toEqual({
      account: '444455556666',
      region: 'us-gov-west-1',
    });
    expect(digestKeyInfo(`${second.key}.metadata.json`)).toBeUndefined();
    expect(digestKeyInfo(logs[0][0].key)).toBeUndefined();
    expect(isCloudTrailLogKey(logs[0][0].key)).toBe(true);
    expect(isCloudTrailLogKey(second.key)).toBe(false);
  });
});

describe('integrityDocuments', () => {
  const now = new Date('2026-03-01T12:10:00.000Z');
  it('records one document per listed log file plus one for the digest, valid against the schema', () => {
    const input = intact(second, logs[1], first);
    (input.logFiles as Map<string, LogFileObservation>).set(objectRef(TRAIL.bucket, logs[1][1].key), { state: 'missing' });
    const docs = integrityDocuments(verifyDigest(parse(second), input), { version: 'etag-1', now });
    for (const d of docs) expectValid(d);
    expect(docs.map((d) => [d.tributary?.integrity?.subject, d.tributary?.integrity?.status, d.event?.outcome])).toEqual([
      ['digest', 'verified', 'success'],
      ['log_file', 'verified', 'success'],
      ['log_file', 'failed', 'failure'],
    ]);
    const [dd, ok, gone] = docs;
    expect(dd).toMatchObject({
      '@timestamp': '2026-03-01T12:01:31.000Z',
      event: { kind: 'state', category: ['file'], type: ['info'], action: 'cloudtrail-digest-validation', dataset: 'aws.cloudtrail', ingested: now.toISOString() },
      cloud: { provider: 'aws', account: { id: '111122223333' }, region: 'us-east-2' },
      tributary: {
        source: 'cloudtrail',
        s3: { bucket: TRAIL.bucket, key: second.key },
        integrity: { digest: { status: 'verified', log_files: 2, sha256: sha(second.plain) }, previous_digest: { key: first.key, status: 'verified' } },
      },
    });
    expect(ok.tributary?.integrity?.log_file).toEqual({
      bucket: TRAIL.bucket,
      key: logs[1][0].key,
      hash_algorithm: 'SHA-256',
      expected_hash: sha(logs[1][0].plain),
      actual_hash: sha(logs[1][0].plain),
    });
    expect(ok.event).toMatchObject({ start: new Date(logs[1][0].oldest).toISOString(), end: new Date(logs[1][0].newest).toISOString() });
    expect(gone.tributary?.integrity).toMatchObject({ reason: 'log_file_missing', digest: { status: 'verified' } });
    expect(gone.message).toContain('does not exist');
    // Stable, distinct ids: re-validating the same digest version overwrites, another version does not.
    const again = integrityDocuments(verifyDigest(parse(second), input), { version: 'etag-1', now });
    expect(again.map((d) => d.event?.id)).toEqual(docs.map((d) => d.event?.id));
    expect(new Set(docs.map((d) => d.event?.id)).size).toBe(3);
    const v2 = integrityDocuments(verifyDigest(parse(second), input), { version: 'etag-2', now });
    expect(v2[0].event?.id).not.toBe(docs[0].event?.id);
  });

  it('records an unparseable digest with the time in its name', () => {
    const v = verifyDigest(parseDigest(Buffer.from('garbage')), { location: { bucket: TRAIL.bucket, key: second.key }, metadata: {}, keys: [] });
    const docs = integrityDocuments(v, { version: 'e', now });
    expect(docs).toHaveLength(1);
    expectValid(docs[0]);
    expect(docs[0]).toMatchObject({ '@timestamp': '2026-03-01T12:01:31.000Z', tributary: { integrity: { status: 'failed', reason: 'digest_unreadable' } } });
  });

  it('needs nothing but the files: a single log file digest round-trips', () => {
    const one = logFile(TRAIL, new Date('2026-03-02T00:30:00Z'), 1);
    const d = digestFile(TRAIL, new Date('2026-03-02T01:01:31Z'), [one], key);
    expect(verifyDigest(parse(d), intact(d, [one])).status).toBe('verified');
  });
});
