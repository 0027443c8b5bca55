/* eslint-disable @typescript-eslint/no-explicit-any -- archived documents are untyped JSON here */
/**
 * CloudTrail integrity validation as a use case (`lib/integrity.ts`) on real stores: a trail bucket
 * laid out in a local store exactly as CloudTrail delivers (gzipped log files, gzipped digests with
 * their signature in user metadata), a locally generated RSA key, the archive written through the
 * archive writer. The same files through S3 ingest on moto: test/integration/integrity.test.ts.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { parseArchiveKey } from '../../lib/core/archive';
import { ingestDepsFromConfig, ingestObject } from '../../lib/ingest';
import { ConfigError, loadConfig } from '../../lib/io/config';
import { hashLogFile, verifyDigestObject, verifyStore } from '../../lib/integrity';
import { CloudTrailPublicKeys, FilePublicKeys } from '../../lib/io/cloudtrail';
import { readLines } from '../../lib/io/s3';
import { listAll, LocalStore } from '../../lib/io/store';
import { deliver, type Digest, digestFile, logFile, TRAIL, testKey, trailFiles } from '../helpers/cloudtrail-digest';
import { expectValid } from '../helpers/schema';

const key = testKey();
const publicKeys = new FilePublicKeys([key.record]);
const now = () => new Date('2026-03-01T12:10:00.000Z');

/** A fresh trail bucket (local store standing for `my-trail-bucket`) and archive. */
async function setup(hours = 2) {
  const root = mkdtempSync(path.join(tmpdir(), 'integrity-'));
  const bucket = new LocalStore(path.join(root, 'bucket'), TRAIL.bucket);
  const archive = new LocalStore(path.join(root, 'archive'), 'archive');
  const files = trailFiles(TRAIL, key, hours, 2);
  await deliver(bucket, [...files.logs.flat(), ...files.digests]);
  return { root, bucket, archive, files };
}

async function archived(archive: LocalStore): Promise<any[]> {
  const out: any[] = [];
  for await (const o of listAll(archive, 'normalized/')) for await (const l of readLines(await archive.get(o.key))) if (l) out.push(JSON.parse(l));
  return out;
}

const verdicts = (docs: any[]) => docs.map((d) => [d.tributary.integrity.subject, d.tributary.integrity.status, d.tributary.integrity.reason ?? null]);

describe('verifyDigestObject', () => {
  it('verifies a digest, its log files and its link to the previous digest, and archives the verdict', async () => {
    const { bucket, archive, files } = await setup();
    const d = files.digests[1];
    const r = await verifyDigestObject({ store: bucket, key: d.key, version: 'v1' }, { publicKeys, archive, now });
    expect(r.verification.status).toBe('verified');
    expect(r.verification.chain.status).toBe('verified');
    expect(r.tally).toEqual({ objects: 1, received: 3, documents: 3, dropped: 0, failed: 0 });
    expect(r.outputs).toHaveLength(1);
    expect(parseArchiveKey(r.outputs[0])?.partition).toEqual({
      source: 'cloudtrail',
      account: '111122223333',
      region: 'us-east-2',
      year: '2026',
      month: '03',
      day: '01',
      hour: '12',
    });
    const docs = await archived(archive);
    for (const doc of docs) expectValid(doc);
    expect(verdicts(docs)).toEqual([
      ['digest', 'verified', null],
      ['log_file', 'verified', null],
      ['log_file', 'verified', null],
    ]);
    // The join key: each verdict names the file whose CloudTrail documents carry it in tributary.s3.key.
    expect(docs.slice(1).map((x) => x.tributary.integrity.log_file.key)).toEqual(files.logs[1].map((l) => l.key));
    // Re-running writes the same object with the same ids.
    const again = await verifyDigestObject({ store: bucket, key: d.key, version: 'v1' }, { publicKeys, archive, now });
    expect(again.outputs).toEqual(r.outputs);
    expect((await archived(archive)).map((x) => x.event.id)).toEqual(docs.map((x) => x.event.id));
  });

  it('fails a log file rewritten after delivery, one deleted, and one with bytes appended', async () => {
    const { bucket, archive, files } = await setup();
    const [a, b] = files.logs[1];
    const doc = JSON.parse(a.plain.toString());
    doc.Records[0].eventName = 'DescribeInstances';
    await bucket.put(a.key, gzipSync(JSON.stringify(doc)));
    await bucket.put(b.key, Buffer.concat([b.body, Buffer.alloc(16)]));
    let r = await verifyDigestObject({ store: bucket, key: files.digests[1].key, version: 'v1' }, { publicKeys, archive, now });
    expect(r.verification.logFiles.map((l) => [l.status, l.reason])).toEqual([
      ['failed', 'hash_mismatch'],
      ['failed', 'trailing_data'],
    ]);
    const { rmSync } = await import('node:fs');
    rmSync(path.join(bucket.dir, ...a.key.split('/')));
    await bucket.put(b.key, Buffer.from('{"Records":[]}'));
    r = await verifyDigestObject({ store: bucket, key: files.digests[1].key, version: 'v1' }, { publicKeys, now });
    expect(r.verification.logFiles.map((l) => [l.status, l.reason])).toEqual([
      ['failed', 'log_file_missing'],
      ['failed', 'log_file_unreadable'],
    ]);
    expect(r.outputs).toEqual([]); // no archive given: documents returned only
    expect(r.documents).toHaveLength(3);
  });

  it('fails the chain when the previous digest is deleted or replaced', async () => {
    const { bucket, files } = await setup();
    const [first, second] = files.digests;
    const forged = digestFile(TRAIL, new Date(first.end), [], key);
    await bucket.put(first.key, forged.body, { metadata: first.metadata });
    let r = await verifyDigestObject({ store: bucket, key: second.key, version: 'v' }, { publicKeys });
    expect([r.verification.status, r.verification.reason]).toEqual(['failed', 'previous_digest_hash_mismatch']);
    expect(r.verification.logFiles.every((l) => l.status === 'verified')).toBe(true);
    const { rmSync } = await import('node:fs');
    rmSync(path.join(bucket.dir, ...first.key.split('/')));
    r = await verifyDigestObject({ store: bucket, key: second.key, version: 'v' }, { publicKeys });
    expect([r.verification.status, r.verification.reason]).toEqual(['failed', 'previous_digest_missing']);
  });

  it('fails a digest with a wrong signature, an unknown key, or unusable JSON — without reading its log files', async () => {
    const { bucket, files } = await setup(1);
    const d = files.digests[0];
    const read: string[] = [];
    const spying = Object.assign(Object.create(bucket), {
      get: (k: string) => (read.push(k), bucket.get(k)),
    }) as LocalStore;
    const wrong = testKey();
    await bucket.put(d.key, d.body, { metadata: { ...d.metadata, signature: digestFile(TRAIL, new Date(d.end), files.logs[0], wrong).signature } });
    let r = await verifyDigestObject({ store: spying, key: d.key, version: 'v' }, { publicKeys });
    expect([r.verification.status, r.verification.reason]).toEqual(['failed', 'signature_invalid']);
    expect(r.verification.logFiles.map((l) => l.reason)).toEqual(['digest_failed', 'digest_failed']);
    expect(read).toEqual([d.key]);
    r = await verifyDigestObject({ store: bucket, key: d.key, version: 'v' }, { publicKeys: new FilePublicKeys([wrong.record]) });
    expect(r.verification.reason).toBe('public_key_unknown');
    for (const [body, reason] of [
      [Buffer.from('{"awsAccountId": '), 'digest_unreadable'],
      [gzipSync(JSON.stringify({ hello: 'world' })), 'digest_invalid'],
      [gzipSync(Buffer.alloc(2 * 1024 * 1024, 0x20)), 'digest_too_large'],
    ] as const) {
      await bucket.put(d.key, body, { metadata: d.metadata });
      r = await verifyDigestObject({ store: bucket, key: d.key, version: 'v' }, { publicKeys, maxDigestBytes: 1024 * 1024 });
      expect([r.verification.status, r.verification.reason, r.documents.length]).toEqual(['failed', reason, 1]);
      expectValid(r.documents[0]);
    }
  });

  it('leaves files in a bucket it cannot read unverified', async () => {
    const { bucket, files } = await setup(1);
    const other = { ...TRAIL, bucket: 'someone-elses-bucket' };
    const l = logFile(other, new Date('2026-03-01T10:40:00Z'), 1);
    const d = digestFile(TRAIL, new Date(files.digests[0].end), [...files.logs[0]], key);
    const json = { ...d.json, logFiles: [...(d.json.logFiles as object[]), { s3Bucket: other.bucket, s3Object: l.key, hashValue: 'ab'.repeat(32), hashAlgorithm: 'SHA-256', newestEventTime: l.newest, oldestEventTime: l.oldest }] };
    const { signDigest } = await import('../helpers/cloudtrail-digest');
    const signed: Digest = signDigest(json, key);
    await deliver(bucket, [signed]);
    const r = await verifyDigestObject({ store: bucket, key: signed.key, version: 'v' }, { publicKeys, storeOf: () => undefined });
    expect(r.verification.logFiles.map((x) => x.status)).toEqual(['verified', 'verified', 'unverified']);
    expect(r.verification.status).toBe('verified');
  });
});

describe('LocalStore metadata', () => {
  it('keeps user metadata beside the object, and a missing object is NoSuchKey', async () => {
    const { bucket, files } = await setup(1);
    const d = files.digests[0];
    expect(await bucket.metadata(d.key)).toEqual(d.metadata);
    expect(await bucket.metadata(files.logs[0][0].key)).toEqual({});
    await expect(bucket.metadata('AWSLogs/none.json.gz')).rejects.toMatchObject({ code: 'NoSuchKey' });
    writeFileSync(path.join(bucket.dir, ...`${d.key}.metadata.json`.split('/')), '{"Signature": "AB", "n": 1}');
    expect(await bucket.metadata(d.key)).toEqual({ signature: 'AB' });
  });
});

describe('hashLogFile', () => {
  it('hashes the uncompressed bytes of a streamed gzip file and notices padding after it', async () => {
    const l = logFile(TRAIL, new Date('2026-03-01T10:00:00Z'), 3);
    const chunks = (b: Buffer) => Readable.from((function* () {
      for (let i = 0; i < b.length; i += 11) yield b.subarray(i, i + 11);
    })());
    const { createHash } = await import('node:crypto');
    expect(await hashLogFile(chunks(l.body))).toEqual({ state: 'hashed', sha256: createHash('sha256').update(l.plain).digest('hex'), trailingData: false });
    expect(await hashLogFile(chunks(Buffer.concat([l.body, Buffer.alloc(3)])))).toMatchObject({ trailingData: true });
    expect(await hashLogFile(chunks(l.plain))).toMatchObject({ state: 'unreadable' });
    expect(await hashLogFile(chunks(l.body.subarray(0, l.body.length - 10)))).toMatchObject({ state: 'unreadable' });
  });
});

describe('S3 ingest routes digest files here', () => {
  it('verifies a digest notification with integrity on, skips it with integrity off', async () => {
    const { bucket, archive, files } = await setup(1);
    const d = files.digests[0];
    const on = await ingestObject({ store: bucket, key: d.key, version: 'etag' }, { archive, chunkLines: 100, now, integrity: { publicKeys } });
    expect(on).toEqual({ tally: { objects: 1, received: 3, documents: 3, dropped: 0, failed: 0 }, outputs: [expect.stringMatching(/^normalized\/source=cloudtrail\//)], source: 'cloudtrail' });
    const off = await ingestObject({ store: bucket, key: d.key, version: 'etag' }, { archive, chunkLines: 100, now });
    expect(off).toEqual({ tally: { ignored_objects: 1 }, outputs: [], ignored: 'CloudTrail digest file' });
    // A metadata file next to a local digest is not a digest.
    const meta = await ingestObject({ store: bucket, key: `${d.key}.metadata.json`, version: 'etag' }, { archive, chunkLines: 100, now, integrity: { publicKeys } });
    expect(meta.ignored).toBe('CloudTrail digest file');
  });
});

describe('verifyStore', () => {
  it('reports every digest and log file, and log files no digest lists as unverified', async () => {
    const { bucket, files } = await setup(2);
    const late = logFile(TRAIL, new Date('2026-03-01T12:20:00Z'), 1, 99);
    await deliver(bucket, [late]);
    const tampered = files.logs[0][1];
    await bucket.put(tampered.key, gzipSync('{"Records":[]}'));
    const r = await verifyStore(bucket, { publicKeys, prefix: 'AWSLogs/' });
    expect(r.digests).toEqual({ verified: 2, failed: 0, unverified: 0 });
    expect(r.logFiles).toEqual({ verified: 3, failed: 1, unverified: 1 });
    expect(r.findings.map((f) => [f.status, f.reason, f.path])).toEqual([
      ['failed', 'hash_mismatch', `s3://${TRAIL.bucket}/${tampered.key}`],
      ['unverified', 'no_digest', `s3://${TRAIL.bucket}/${late.key}`],
    ]);
    const verbose = await verifyStore(bucket, { publicKeys, verbose: true });
    expect(verbose.findings).toHaveLength(2 + 4 + 1);
  });
});

describe('tributary verify-cloudtrail', () => {
  async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
    const { program } = await import('../../bin/cli');
    const out: string[] = [];
    const err: string[] = [];
    jest.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => (out.push(String(s)), true));
    jest.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => (err.push(String(s)), true));
    let code = 0;
    jest.spyOn(process, 'exit').mockImplementation(((c?: number) => {
      code = c ?? 0;
      throw new Error(`exit ${code}`);
    }) as never);
    try {
      await program().parseAsync(['node', 'tributary', 'verify-cloudtrail', ...args]);
    } catch (e) {
      if (!/^exit \d+$/.test((e as Error).message)) throw e;
    } finally {
      jest.restoreAllMocks();
    }
    return { code, out: out.join(''), err: err.join('') };
  }

  it('verifies a local copy with a key file, prints counts, exits 3 on a failure, and archives with --archive', async () => {
    const { root, bucket, files } = await setup(2);
    const keys = path.join(root, 'keys.json');
    writeFileSync(keys, JSON.stringify({ PublicKeyList: [{ Value: key.der.toString('base64'), Fingerprint: key.fingerprint }] }));
    let r = await run([bucket.dir, '--public-keys', keys, '--bucket', TRAIL.bucket]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/digest\s+2\s+0\s+0/);
    expect(r.out).toMatch(/log\s+4\s+0\s+0/);

    await bucket.put(files.logs[1][0].key, gzipSync('{"Records":[]}'));
    const archiveDir = path.join(root, 'cli-archive');
    r = await run([bucket.dir, '--public-keys', keys, '--archive', `file://${archiveDir}`]);
    expect(r.code).toBe(3);
    expect(r.out).toContain(`FAILED\tlog file\ts3://${TRAIL.bucket}/${files.logs[1][0].key}\thash_mismatch`);
    expect(r.out).toMatch(/log\s+3\s+1\s+0/);
    expect((await archived(new LocalStore(archiveDir))).filter((d) => d.tributary.integrity.status === 'failed')).toHaveLength(1);

    // The wrong bucket: every digest was "moved".
    r = await run([bucket.dir, '--public-keys', keys, '--bucket', 'not-the-trail-bucket']);
    expect(r.code).toBe(3);
    expect(r.out).toMatch(/digest\s+0\s+2\s+0/);
  });

  it('rejects unusable arguments with exit 2', async () => {
    expect((await run(['/nonexistent/dir', '--public-keys', '/nonexistent/keys.json'])).code).toBe(2);
    const { root } = await setup(0);
    const keys = path.join(root, 'keys.json');
    writeFileSync(keys, '{"keys": 3}');
    const r = await run([root, '--public-keys', keys]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('keys.json');
    expect((await run(['s3://bucket-name', '--bucket', 'x'])).code).toBe(2);
  });
});

describe('CloudTrailPublicKeys', () => {
  it('calls ListPublicKeys of the digest\'s region (all pages), caches, and asks again for an unknown fingerprint', async () => {
    const rotated = testKey();
    const other = testKey();
    const calls: Array<{ target: string; region: string; body: any }> = [];
    // A local endpoint speaking CloudTrail's JSON 1.1 protocol, as the SDK expects it.
    const server = createServer((req: IncomingMessage, res) => {
      let text = '';
      req.on('data', (c) => (text += c));
      req.on('end', () => {
        const body = JSON.parse(text || '{}');
        const region = /Credential=[^/]+\/\d+\/([^/]+)\/cloudtrail\//.exec(String(req.headers.authorization))?.[1] ?? '';
        calls.push({ target: String(req.headers['x-amz-target']), region, body });
        const page = (k: typeof key, next?: string) => ({
          PublicKeyList: [{ Value: k.der.toString('base64'), ValidityStartTime: 1767225600, ValidityEndTime: 1798761600, Fingerprint: k.fingerprint }],
          ...(next ? { NextToken: next } : {}),
        });
        const answer = calls.length === 1 ? page(other, 'p2') : calls.length === 2 ? page(key) : page(rotated);
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify(answer));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    try {
      const source = new CloudTrailPublicKeys(
        (region) => new CloudTrailClient({ region, endpoint: `http://127.0.0.1:${port}`, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } }),
      );
      const q = { region: 'us-east-2', start: new Date('2026-03-01T11:01:31Z'), end: new Date('2026-03-01T12:01:31Z'), fingerprint: key.fingerprint };
      const first = await source.keys(q);
      expect(first.map((k) => k.fingerprint).sort()).toEqual([other.fingerprint, key.fingerprint].sort());
      expect(calls.map((c) => [c.target.split('.').pop(), c.region])).toEqual([
        ['ListPublicKeys', 'us-east-2'],
        ['ListPublicKeys', 'us-east-2'],
      ]);
      expect(calls[0].body).toEqual({ StartTime: Date.parse('2026-03-01T11:01:31Z') / 1000, EndTime: Date.parse('2026-03-01T12:01:31Z') / 1000 });
      expect(calls[1].body.NextToken).toBe('p2');
      // The DER bytes the API returns are a usable key: the real digest verifies with them.
      const k = first.find((x) => x.fingerprint === key.fingerprint)!;
      expect(k.validityStart).toBe('2026-01-01T00:00:00.000Z');
      const { bucket, files } = await setup(1);
      const r = await verifyDigestObject({ store: bucket, key: files.digests[0].key, version: 'v' }, { publicKeys: source });
      expect(r.verification.status).toBe('verified');
      expect(calls).toHaveLength(2); // served from the cache
      await source.keys({ ...q, fingerprint: rotated.fingerprint });
      expect(calls).toHaveLength(3);
    } finally {
      server.close();
    }
  });
});

describe('s3ingest configuration', () => {
  it('verifies digests by default with the ListPublicKeys API; CLOUDTRAIL_INTEGRITY=false skips them; a key file replaces the API', () => {
    const base = { ARCHIVE_BUCKET: 'central-logs' };
    const on = loadConfig(base, 's3ingest');
    expect(on).toMatchObject({ cloudtrailIntegrity: true, cloudtrailPublicKeysFile: undefined });
    expect(ingestDepsFromConfig(on).integrity?.publicKeys).toBeInstanceOf(CloudTrailPublicKeys);
    expect(ingestDepsFromConfig(loadConfig({ ...base, CLOUDTRAIL_INTEGRITY: 'false' }, 's3ingest')).integrity).toBeUndefined();
    expect(() => loadConfig({ ...base, CLOUDTRAIL_INTEGRITY: 'sometimes' }, 's3ingest')).toThrow(ConfigError);
    const dir = mkdtempSync(path.join(tmpdir(), 'integrity-cfg-'));
    const file = path.join(dir, 'keys.json');
    writeFileSync(file, JSON.stringify({ keys: [{ fingerprint: key.fingerprint, key: key.der.toString('base64') }] }));
    const withFile = ingestDepsFromConfig(loadConfig({ ...base, CLOUDTRAIL_PUBLIC_KEYS_FILE: file }, 's3ingest'));
    expect((withFile.integrity?.publicKeys as FilePublicKeys).records.map((k) => k.fingerprint)).toEqual([key.fingerprint]);
    // A bad key file stops the function at cold start, naming the file.
    writeFileSync(file, '{"keys": [{"fingerprint": "ab"}]}');
    expect(() => ingestDepsFromConfig(loadConfig({ ...base, CLOUDTRAIL_PUBLIC_KEYS_FILE: file }, 's3ingest'))).toThrow(/keys\.json: key 0 has no key value/);
  });
});
