/* eslint-disable @typescript-eslint/no-explicit-any -- OpenSearch answers are untyped JSON */
/**
 * Replay against real services: an archive in moto S3 (and the same in a local directory) written by
 * the real transformer and S3-ingest cores, replayed into a real OpenSearch.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { parseArchiveKey } from '../../lib/core/archive';
import { deliverFirehose, deliverS3 } from '../../lib/local/deliver';
import { demoSamples } from '../../lib/local/samples';
import { indexMessages } from '../../lib/indexer';
import { bulkTransport, createOpenSearchClient } from '../../lib/io/opensearch';
import { replayPage, runReplay, type ReplayOptions } from '../../lib/replay';
import { createS3Client } from '../../lib/io/s3';
import { LocalStore, S3Store } from '../../lib/io/store';
import { allIds, countDocs, createBucket, createQueue, drain, dropIndices, installTemplate, os, OPENSEARCH_URL, sqs, uid } from './pipeline-support';

jest.setTimeout(180_000);

const NOW = new Date('2026-03-02T00:00:00Z');
const DAY = { since: Date.parse('2026-03-01T00:00:00Z'), until: Date.parse('2026-03-02T00:00:00Z') };
const bulk = { maxBytes: 5 << 20, maxDocs: 500, maxAttempts: 4, backoffMs: 50 };

let s3: S3Client;
let archive: S3Store;
let local: LocalStore;
let localDir: string;
const prefixes: string[] = [];
const client = createOpenSearchClient({ node: OPENSEARCH_URL, auth: 'none', requestTimeoutMs: 60_000 });
const transport = bulkTransport(client);

async function newPrefix(tag: string): Promise<string> {
  const p = `rp${tag}${uid()}`;
  prefixes.push(p);
  await installTemplate(p);
  return p;
}

const replay = (o: Partial<ReplayOptions> & { indexPrefix: string }) =>
  runReplay({ archive, from: 'normalized', filter: DAY, transport, bulk, concurrency: 3, progress: false, ...o });

async function allKeys(bucket: string, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const r = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    for (const o of r.Contents ?? []) keys.push(o.Key!);
    token = r.NextContinuationToken;
  } while (token);
  return keys.sort();
}

beforeAll(async () => {
  s3 = createS3Client();
  const bucket = `replay-archive-${uid()}`;
  const logsBucket = `replay-logs-${uid()}`;
  await createBucket(s3, bucket);
  await createBucket(s3, logsBucket);
  archive = new S3Store(s3, bucket);
  const logs = new S3Store(s3, logsBucket);
  localDir = mkdtempSync(path.join(tmpdir(), 'replay-local-'));
  local = new LocalStore(path.join(localDir, 'archive'), 'replay-local-archive');
  const localLogs = new LocalStore(path.join(localDir, 'logs'), logsBucket);
  // The same deliveries into S3 and into a directory: same ids, different stores.
  const samples = demoSamples(0.15);
  for (const f of samples.firehose) {
    await deliverFirehose(f.event, archive, { now: NOW });
    await deliverFirehose(f.event, local, { now: NOW });
  }
  for (const o of samples.s3) {
    await deliverS3(o.key, o.body, logs, archive, { now: NOW });
    await deliverS3(o.key, o.body, localLogs, local, { now: NOW });
  }
}, 120_000);

afterAll(async () => {
  for (const p of prefixes) await dropIndices(p);
  await client.close();
  rmSync(localDir, { recursive: true, force: true });
});

describe('replay from the S3 archive', () => {
  let prefix: string;
  let firstCount: number;
  let firstIndexed: number;

  it('indexes the range, and a second replay gives the same counts (same ids, overwritten)', async () => {
    prefix = await newPrefix('twice');
    const a = await replay({ indexPrefix: prefix });
    expect(a.failedObjects).toEqual([]);
    expect(a.objects).toBe((await allKeys(archive.bucket, 'normalized/')).length);
    expect(a.tally.documents).toBeGreaterThan(1000);
    expect(a.tally.indexed! + a.tally.dead_lettered!).toBe(a.tally.documents);
    firstIndexed = a.tally.indexed!;
    firstCount = await countDocs(`${prefix}-*`);
    expect(firstCount).toBeGreaterThan(1000);
    expect(firstCount).toBeLessThanOrEqual(firstIndexed); // auditd parts merge into one document

    const b = await replay({ indexPrefix: prefix });
    expect(b.tally.indexed).toBe(firstIndexed);
    expect(await countDocs(`${prefix}-*`)).toBe(firstCount);
    expect(b.counters.created).toBe(0);
    expect(b.counters.updated + b.counters.noop).toBe(firstIndexed);
  });

  it('selects exactly the objects of a time/source/account filter and lists only their partitions', async () => {
    const p = await newPrefix('filter');
    const filter = { since: Date.parse('2026-03-01T10:00:00Z'), until: Date.parse('2026-03-01T11:00:00Z'), sources: ['vpcflow'], accounts: ['111122223333'] };
    const expected = (await allKeys(archive.bucket, 'normalized/')).filter((k) => {
      const pa = parseArchiveKey(k)!.partition;
      return pa.source === 'vpcflow' && pa.account === '111122223333' && pa.year === '2026' && pa.month === '03' && pa.day === '01' && pa.hour === '10';
    });
    expect(expected.length).toBeGreaterThanOrEqual(2); // CloudWatch Logs flows and the S3 v5 file
    archive.stats.listedPrefixes = [];
    const seen: string[] = [];
    const r = await replay({ indexPrefix: p, filter, onObject: ({ key }) => void seen.push(key) });
    expect(seen.sort()).toEqual(expected);
    expect(r.objects).toBe(expected.length);
    for (const listed of archive.stats.listedPrefixes) expect(listed.startsWith('normalized/source=vpcflow/account=111122223333/')).toBe(true);
    // Every indexed document is a VPC flow of that account.
    const docs = await countDocs(`${p}-*`);
    expect(docs).toBeGreaterThan(0);
    expect(await countDocs(`${p}-*`, { bool: { must_not: [{ term: { 'cloud.account.id': '111122223333' } }] } })).toBe(0);
    expect(await countDocs(`${p}-*`, { bool: { must_not: [{ term: { 'event.dataset': 'aws.vpcflow' } }] } })).toBe(0);
  });

  it('resumes an interrupted replay from its checkpoint without redoing finished objects', async () => {
    const p = await newPrefix('resume');
    const dir = mkdtempSync(path.join(tmpdir(), 'replay-ckpt-'));
    const checkpointPath = path.join(dir, 'job.json');
    const abort = new AbortController();
    let done = 0;
    const first = await replay({
      indexPrefix: p,
      concurrency: 1,
      checkpointPath,
      signal: abort.signal,
      onObject: () => {
        if (++done === 3) abort.abort();
      },
    });
    expect(first.interrupted).toBe(true);
    expect(first.processed).toBe(3);
    const saved = JSON.parse(readFileSync(checkpointPath, 'utf8'));
    expect(saved.complete).toBe(false);
    expect(saved.done).toHaveLength(3);

    const seen: string[] = [];
    const second = await replay({ indexPrefix: p, checkpointPath, resume: true, onObject: ({ key }) => void seen.push(key) });
    expect(second.interrupted).toBe(false);
    expect(second.skipped).toBe(3);
    expect(second.processed).toBe(first.objects - 3);
    for (const k of saved.done) expect(seen).not.toContain(k);
    expect(JSON.parse(readFileSync(checkpointPath, 'utf8')).complete).toBe(true);
    expect(await countDocs(`${p}-*`)).toBe(firstCount);
    rmSync(dir, { recursive: true, force: true });
  });

  it('--from raw re-parses the Firehose backup into the same documents (ids and content) as the live path', async () => {
    const live = prefix;
    const p = await newPrefix('raw');
    const r = await replay({ indexPrefix: p, from: 'raw', streamRegion: 'us-east-1', now: () => NOW });
    expect(r.failedObjects).toEqual([]);
    expect(r.objects).toBeGreaterThan(0);
    const rawIds = await allIds(`${p}-*`);
    // Every document of the live path that came through Firehose (CloudWatch Logs payloads and direct-PUT
    // EventBridge records, lib/core/direct-put.ts), and nothing else (S3-delivered documents name their object).
    const liveCwl = await countDocs(`${live}-*`, { bool: { must_not: [{ exists: { field: 'tributary.s3' } }] } });
    expect(rawIds.length).toBe(liveCwl);
    for (let i = 0; i < rawIds.length; i += 500) {
      const ids = rawIds.slice(i, i + 500);
      const a = await os('POST', `/${live}-*/_search`, { size: ids.length, query: { ids: { values: ids } } });
      const b = await os('POST', `/${p}-*/_search`, { size: ids.length, query: { ids: { values: ids } } });
      const byId = (res: any) => new Map<string, any>(res.body.hits.hits.map((h: any) => [h._id, { index: h._index.slice(h._index.indexOf('-')), source: h._source }]));
      const la = byId(a);
      const lb = byId(b);
      expect(la.size).toBe(ids.length);
      for (const id of ids) expect(lb.get(id)).toEqual(la.get(id));
    }
  });

  it('slows down when OpenSearch answers 429 and still indexes everything exactly once', async () => {
    const p = await newPrefix('throttle');
    let calls = 0;
    // The cluster pushes back on every other request at first (as a busy domain does): whole-request
    // 429s, then item-level 429s; the bulk core retries them, the throttle halves concurrency.
    // Each distinct request body is pushed back at most once, so whatever the interleaving of the
    // concurrent objects, every request succeeds within 3 attempts (the bulk core allows more).
    const seen = new Set<string>();
    const pushy = {
      async send(body: string) {
        calls++;
        const first = !seen.has(body);
        seen.add(body);
        if (first && calls <= 6 && calls % 2 === 1) return { status: 429, body: { error: { type: 'es_rejected_execution_exception' } } };
        const res = await transport.send(body);
        if (first && calls <= 12 && calls % 2 === 0 && Array.isArray((res.body as any)?.items)) {
          // Turn the first item into a 429 after it was indexed: the retry overwrites it (same _id).
          (res.body as any).items[0] = { index: { status: 429, error: { type: 'es_rejected_execution_exception' } } };
        }
        return res;
      },
    };
    const r = await replay({ indexPrefix: p, transport: pushy, concurrency: 4 });
    expect(r.failedObjects).toEqual([]);
    expect(r.throttleEvents).toBeGreaterThan(0);
    expect(r.counters.throttledResponses).toBeGreaterThan(0);
    expect(r.tally.retried).toBeGreaterThan(0);
    expect(await countDocs(`${p}-*`)).toBe(firstCount);
  });

  it('replays a file:// archive the same way (same ids as the S3 archive)', async () => {
    const p = await newPrefix('file');
    const r = await runReplay({ archive: local, from: 'normalized', filter: DAY, transport, bulk, concurrency: 3, progress: false, indexPrefix: p });
    expect(r.failedObjects).toEqual([]);
    expect(r.tally.indexed).toBe(firstIndexed);
    expect(await allIds(`${p}-*`)).toEqual(await allIds(`${prefix}-*`));
  });
});

describe('remote replay (handler core against moto S3 + SQS)', () => {
  it('enqueues one notification per object, in pages, that the indexer core indexes', async () => {
    const p = await newPrefix('remote');
    const client = sqs();
    const q = await createQueue(client, `replay-q-${uid()}`);
    const event = { archive: `s3://${archive.bucket}`, since: '2026-03-01', until: '2026-03-01', maxObjects: 4 };
    let cursor: any;
    let totals: any;
    let pages = 0;
    for (; pages < 50; pages++) {
      const { response } = await replayPage({ ...event, cursor, totals }, { s3, sqs: client, region: 'us-east-1', queueUrl: q.url });
      expect(response.enqueued).toBeLessThanOrEqual(4);
      totals = response.totals;
      cursor = response.continuation;
      if (response.done) break;
    }
    const objects = (await allKeys(archive.bucket, 'normalized/')).length;
    expect(totals.objects).toBe(objects);
    expect(pages).toBeGreaterThan(1);
    const messages = await drain(client, q.url, objects);
    expect(messages).toHaveLength(objects);
    const out = await indexMessages(messages, { s3, archiveBucket: archive.bucket, transport, bulk, indexPrefix: p });
    expect(out.batchItemFailures).toEqual([]);
    expect(out.tally.objects).toBe(objects);
    expect(await allIds(`${p}-*`)).toEqual(await allIds(`${prefixes[0]}-*`));
  });
});
