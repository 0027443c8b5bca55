/* eslint-disable @typescript-eslint/no-explicit-any -- archived documents and OpenSearch answers are untyped JSON */
/**
 * CloudTrail log file integrity validation through the deployed path, on real parts: a trail bucket
 * in moto S3 holding log and digest files built to the documented format (the digest's signature in
 * `x-amz-meta-signature`, signed with a locally generated RSA key), its S3 notifications on a moto SQS
 * queue, the s3ingest core (`ingestMessages`) with the key file source, the archive in moto S3, and
 * the indexer into OpenSearch, where `tributary.integrity.status: failed` finds the tampered file.
 */
import { DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { parseArchiveKey } from '../../lib/core/archive';
import { indexMessages, type IndexerDeps } from '../../lib/indexer';
import { ingestMessages, type IngestDeps } from '../../lib/ingest';
import { FilePublicKeys } from '../../lib/io/cloudtrail';
import { loadConfig } from '../../lib/io/config';
import { bulkTransport, createOpenSearchClient } from '../../lib/io/opensearch';
import { createS3Client } from '../../lib/io/s3';
import { S3Store } from '../../lib/io/store';
import { type Digest, digestFile, type LogFile, TRAIL, testKey, trailFiles } from '../helpers/cloudtrail-digest';
import { expectValid } from '../helpers/schema';
import { countDocs, createBucket, createQueue, drain, dropIndices, installTemplate, notify, OPENSEARCH_URL, readNdjson, sqs, uid } from './pipeline-support';

jest.setTimeout(300_000);

const s3 = createS3Client();
const id = uid();
const prefix = `it-integ-${id}`;
const archive = `arch-integ-${id}`;
const trail = { ...TRAIL, bucket: `trail-${id}` };
const key = testKey();
let q: SQSClient;
let queue: { url: string; arn: string };
let ingest: IngestDeps;
let indexer: IndexerDeps;
let indexQueue: { url: string; arn: string };

const put = (f: { key: string; body: Buffer; metadata?: Record<string, string> }) => new S3Store(s3, trail.bucket).put(f.key, f.body, { metadata: f.metadata });

beforeAll(async () => {
  q = sqs();
  await createBucket(s3, archive);
  await createBucket(s3, trail.bucket);
  queue = await createQueue(q, `integ-ingest-${id}`);
  indexQueue = await createQueue(q, `integ-index-${id}`);
  // As deployed: the trail bucket (log files and CloudTrail-Digest objects) notifies s3ingest.
  await notify(s3, trail.bucket, [[queue.arn, 'AWSLogs/']]);
  await notify(s3, archive, [[indexQueue.arn, 'normalized/']]);
  await drain(q, queue.url, 0);
  await drain(q, indexQueue.url, 0);
  await installTemplate(prefix);
  ingest = {
    s3,
    archiveBucket: archive,
    chunkLines: 5000,
    region: 'us-east-1',
    now: () => new Date('2026-03-01T12:30:00Z'),
    integrity: { publicKeys: new FilePublicKeys([key.record]) },
  };
  const config = loadConfig({ ARCHIVE_BUCKET: archive, OPENSEARCH_URL, INDEX_PREFIX: prefix }, 'indexer');
  indexer = { s3, archiveBucket: archive, transport: bulkTransport(createOpenSearchClient(config.opensearch!)), bulk: { ...config.bulk, backoffMs: 10 }, indexPrefix: prefix };
});

afterAll(async () => {
  await dropIndices(prefix);
});

/** Every archived document the ingest results name. */
async function outputsOf(res: Awaited<ReturnType<typeof ingestMessages>>): Promise<any[]> {
  const docs: any[] = [];
  for (const r of res.results) for (const o of r.objects) for (const k of o.outputs) docs.push(...(await readNdjson(s3, archive, k)));
  return docs;
}

describe('CloudTrail digests through s3ingest on moto S3', () => {
  let logs: LogFile[][];
  let digests: Digest[];

  it('ingests the log files and verifies the digests CloudTrail delivers after them (S3 metadata signature, chain, hashes)', async () => {
    ({ logs, digests } = trailFiles(trail, key, 2, 2));
    for (const l of logs.flat()) await put(l);
    const logMsgs = await drain(q, queue.url, 4);
    const logRes = await ingestMessages(logMsgs, ingest);
    expect(logRes.batchItemFailures).toEqual([]);
    expect(logRes.tally).toMatchObject({ objects: 4 });
    const events = await outputsOf(logRes);
    expect(events.length).toBeGreaterThan(0);
    expect(new Set(events.map((e) => e.tributary.s3.key))).toEqual(new Set(logs.flat().map((l) => l.key)));

    for (const d of digests) await put(d);
    const digestMsgs = await drain(q, queue.url, 2);
    const res = await ingestMessages(digestMsgs, ingest);
    expect(res.batchItemFailures).toEqual([]);
    expect(res.tally).toMatchObject({ objects: 2, documents: 6, failed: 0 });
    const docs = await outputsOf(res);
    for (const d of docs) expectValid(d);
    expect(docs.map((d) => d.tributary.integrity.status)).toEqual(Array(6).fill('verified'));
    const second = docs.find((d) => d.tributary.integrity.subject === 'digest' && d.tributary.s3.key === digests[1].key);
    expect(second.tributary.integrity.previous_digest).toEqual({ bucket: trail.bucket, key: digests[0].key, status: 'verified' });
    for (const r of res.results) for (const o of r.objects) for (const k of o.outputs) expect(parseArchiveKey(k)?.partition).toMatchObject({ source: 'cloudtrail', account: trail.account, region: trail.region });
    // Each CloudTrail document's file has its verdict: the join on tributary.s3.key.
    const verdictOf = new Map(docs.filter((d) => d.tributary.integrity.subject === 'log_file').map((d) => [d.tributary.integrity.log_file.key, d.tributary.integrity.status]));
    expect(events.every((e) => verdictOf.get(e.tributary.s3.key) === 'verified')).toBe(true);
  });

  it('fails a log file rewritten in the bucket, and a deleted one, when their digest arrives', async () => {
    const end = new Date(Date.parse(digests[1].end) + 3600_000);
    const third = trailFiles(trail, key, 1, 2, end);
    const [a, b] = third.logs[0];
    const d = digestFile(trail, end, [a, b], key, digests[1]);
    const doc = JSON.parse(a.plain.toString());
    doc.Records[0].userIdentity = { type: 'Root', accountId: trail.account };
    await put({ key: a.key, body: gzipSync(JSON.stringify(doc)) });
    await put(b);
    await s3.send(new DeleteObjectCommand({ Bucket: trail.bucket, Key: b.key }));
    await drain(q, queue.url, 0);
    await put(d);
    const res = await ingestMessages(await drain(q, queue.url, 1), ingest);
    expect(res.batchItemFailures).toEqual([]);
    const docs = await outputsOf(res);
    expect(docs.map((x) => [x.tributary.integrity.subject, x.tributary.integrity.status, x.tributary.integrity.reason ?? null])).toEqual([
      ['digest', 'verified', null],
      ['log_file', 'failed', 'hash_mismatch'],
      ['log_file', 'failed', 'log_file_missing'],
    ]);
  });

  it('fails a digest whose x-amz-meta-signature was replaced, and a digest overwritten with garbage, without failing the batch', async () => {
    const end = new Date(Date.parse(digests[1].end) + 2 * 3600_000);
    const files = trailFiles(trail, key, 1, 1, end);
    for (const l of files.logs[0]) await put(l);
    const d = files.digests[0];
    await drain(q, queue.url, 0);
    await put({ ...d, metadata: { ...d.metadata, signature: digestFile(trail, end, files.logs[0], testKey()).signature } });
    let res = await ingestMessages(await drain(q, queue.url, 1), ingest);
    expect(res.batchItemFailures).toEqual([]);
    expect((await outputsOf(res)).map((x) => x.tributary.integrity.reason)).toEqual(['signature_invalid', 'digest_failed']);
    await s3.send(new PutObjectCommand({ Bucket: trail.bucket, Key: d.key, Body: Buffer.from('{"awsAccountId": "1'), Metadata: d.metadata }));
    res = await ingestMessages(await drain(q, queue.url, 1), ingest);
    expect(res.batchItemFailures).toEqual([]);
    expect((await outputsOf(res)).map((x) => [x.tributary.integrity.status, x.tributary.integrity.reason])).toEqual([['failed', 'digest_unreadable']]);
  });

  it('`tributary verify-cloudtrail s3://…` reports the same bucket: counts, failures, exit 3', async () => {
    const { program } = await import('../../bin/cli');
    const dir = mkdtempSync(path.join(tmpdir(), 'integ-keys-'));
    const keys = path.join(dir, 'keys.json');
    writeFileSync(keys, JSON.stringify({ PublicKeyList: [{ Value: key.der.toString('base64'), Fingerprint: key.fingerprint }] }));
    const out: string[] = [];
    let code = 0;
    jest.spyOn(process.stdout, 'write').mockImplementation((x: string | Uint8Array) => (out.push(String(x)), true));
    jest.spyOn(process, 'exit').mockImplementation(((c?: number) => {
      code = c ?? 0;
      throw new Error('exit');
    }) as never);
    try {
      await program().parseAsync(['node', 'tributary', 'verify-cloudtrail', `s3://${trail.bucket}/AWSLogs/`, '--public-keys', keys]);
    } catch (e) {
      if ((e as Error).message !== 'exit') throw e;
    } finally {
      jest.restoreAllMocks();
    }
    const text = out.join('');
    expect(code).toBe(3);
    // Digests: two intact, the third (its files tampered), the garbage one. Log files: four intact, the
    // rewritten and the deleted one, and the one whose digest is garbage (listed nowhere readable).
    expect(text).toMatch(/digest\s+3\s+1\s+0/);
    expect(text).toMatch(/log\s+4\s+2\s+1/);
    expect(text).toMatch(/FAILED\tlog file\ts3:\/\/trail-[^\t]+\thash_mismatch/);
  });

  it('reads user metadata from S3 (HEAD), and reports a missing object as NoSuchKey like get does', async () => {
    const store = new S3Store(s3, trail.bucket);
    expect(await store.metadata(digests[0].key)).toEqual(digests[0].metadata);
    await expect(store.metadata(`${digests[0].key}.gone`)).rejects.toMatchObject({ code: 'NoSuchKey' });
    await expect(store.get(`${digests[0].key}.gone`)).rejects.toMatchObject({ name: 'NoSuchKey' });
  });

  it('indexes the verdicts next to the CloudTrail events, where a search for failed finds the tampering', async () => {
    const msgs = await drain(q, indexQueue.url, 1);
    const res = await indexMessages(msgs, indexer);
    expect(res.batchItemFailures).toEqual([]);
    expect(res.tally.dead_lettered).toBe(0);
    const pattern = `${prefix}-aws.cloudtrail-*`;
    expect(await countDocs(pattern, { term: { 'tributary.integrity.status': 'failed' } })).toBe(5);
    expect(await countDocs(pattern, { bool: { filter: [{ term: { 'event.kind': 'state' } }, { term: { 'tributary.integrity.reason': 'hash_mismatch' } }] } })).toBe(1);
    expect(await countDocs(pattern, { term: { 'tributary.integrity.status': 'verified' } })).toBe(6 + 1);
    // A verdict's log file key finds exactly that file's CloudTrail events (the join of the README).
    const file = logs[0][0];
    expect(await countDocs(pattern, { term: { 'tributary.integrity.log_file.key': file.key } })).toBe(1);
    expect(await countDocs(pattern, { bool: { filter: [{ term: { 'event.kind': 'event' } }, { term: { 'tributary.s3.key': file.key } }] } })).toBe(
      JSON.parse(file.plain.toString()).Records.length,
    );
  });
});
