/**
 * The data path end to end on real parts: transformer → (Firehose delivery stand-in) → archive in
 * moto S3 → S3 notification → moto SQS → indexer core → OpenSearch 2.19; S3-delivered logs through
 * S3 ingest; Firehose error records back through S3 ingest. Assertions are about counts, ids and
 * routing, which do not depend on how far the parsers are.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { parseArchiveKey } from '../../lib/core/archive';
import { documentId } from '../../lib/core/attribution';

import type { FirehoseTransformEvent } from '../../lib/core/envelopes';
import { indexMessages, type IndexerDeps } from '../../lib/indexer';
import { DEFAULT_SEGMENT_LINES, ingestMessages, type IngestDeps } from '../../lib/ingest';

import { createS3Client, readLines } from '../../lib/io/s3';
import { S3Store } from '../../lib/io/store';
import { decodeOutputData, transformFirehose } from '../../lib/transform';
import { cwlRecord } from '../events/build';
import { invocationMetrics, invokeLocal } from '../events/invoke';
import { allIds, countDocs, drain, dropIndices, firehoseDeliver, listKeys, OPENSEARCH_URL, readNdjson, serviceEnv, sqsRecord, uid, wirePipeline } from './pipeline-support';

jest.setTimeout(300_000);

const s3 = createS3Client();
const id = uid();
const prefix = `it-pipe-${id}`;
const archive = `arch-${id}`;
const logs = `elb-logs-${id}`;
let q: SQSClient;
let ingestQueue: { url: string; arn: string };
let indexQueue: { url: string; arn: string };
let indexer: IndexerDeps;
let ingest: IngestDeps;

const sample = (): FirehoseTransformEvent => JSON.parse(readFileSync(join(__dirname, '../events/firehose-cwl.json'), 'utf8'));

beforeAll(async () => {
  ({ q, ingestQueue, indexQueue, indexer } = await wirePipeline(s3, { archive, logs, prefix, tag: `pipe-${id}`, bulkMaxDocs: 500 }));
  ingest = { s3, archiveBucket: archive, chunkLines: 5000, region: 'us-east-1', now: () => new Date('2026-03-01T12:00:00Z') };
});

afterAll(async () => {
  await dropIndices(prefix);
});

async function lineCount(keys: string[]): Promise<number> {
  let n = 0;
  for (const k of keys) n += (await readNdjson(s3, archive, k)).length;
  return n;
}

describe('Firehose path: transformer → archive → indexer → OpenSearch', () => {
  let normalizedKeys: string[] = [];
  let errorKeys: string[] = [];
  let messages: Array<{ messageId: string; body: string }> = [];
  let archived = 0;

  it('archives the transformer output in the partition layout and indexes every line', async () => {
    const ev = sample();
    const out = transformFirehose(ev, { responseMaxBytes: 5_500_000, now: new Date('2026-03-01T12:00:00Z') });
    ({ normalized: normalizedKeys, errors: errorKeys } = await firehoseDeliver(s3, archive, ev, out.response));
    expect(normalizedKeys).toHaveLength(3); // lambda, vpcflow, cloudtrail payloads: three partitions
    expect(errorKeys).toHaveLength(1); // the "Hello World" record
    for (const k of normalizedKeys) expect(parseArchiveKey(k)?.partition).toMatchObject({ account: '123456789012', region: 'us-east-1', year: '2026' });
    archived = await lineCount(normalizedKeys);
    // The unusable record is not counted here: deferred to errors/, where S3 ingest counts it (next tests).
    expect(out.tally).toMatchObject({ deferred: 1, processing_failed_records: 1 });
    expect(archived).toBe(out.tally.documents! + out.tally.failed!);

    messages = await drain(q, indexQueue.url, normalizedKeys.length);
    expect(messages).toHaveLength(normalizedKeys.length);
    const res = await indexMessages(messages, indexer);
    expect(res.batchItemFailures).toEqual([]);
    const t = res.tally;
    console.log('firehose path indexer tally', t, 'transform tally', out.tally);
    expect(t.documents).toBe(archived);
    expect(t.documents).toBe(t.indexed! + t.dead_lettered! + t.failed!);
    expect(t.dead_lettered).toBe(0);
    expect(await countDocs(`${prefix}-*`)).toBe(archived);
  });

  it('indexes the same objects again without a single extra document', async () => {
    const before = await allIds(`${prefix}-*`);
    const res = await indexMessages(messages, indexer);
    expect(res.batchItemFailures).toEqual([]);
    expect(res.tally.indexed).toBe(archived);
    expect(await allIds(`${prefix}-*`)).toEqual(before);
  });

  it('keeps a record that is no CWL payload at all: S3 ingest turns its error record into a pipeline_error document', async () => {
    const res = await ingestMessages([sqsRecord(archive, errorKeys[0])], ingest);
    expect(res.batchItemFailures).toEqual([]);
    expect(res.tally).toMatchObject({ received: 1, documents: 0, dropped: 0, failed: 1 });
    const [doc] = await readNdjson(s3, archive, res.results[0].objects[0].outputs[0]);
    expect(doc).toMatchObject({ event: { kind: 'pipeline_error' }, error: { type: 'unusable_record' } });
    expect(doc.event.original).toContain(Buffer.from('Hello World').toString('base64'));
  });

  it('reads Firehose error records written back to back without a newline', async () => {
    const rec = (group: string, first: bigint) =>
      JSON.stringify({ attemptsMade: 1, arrivalTimestamp: Date.UTC(2026, 2, 1, 10), errorCode: 'Lambda.ProcessingFailed', rawData: cwlRecord(group, 's', ['a', 'b', 'c'], first) });
    const key = `errors/firehose/processing-failed/year=2026/month=03/day=01/hour=10/concat-${id}`;
    await s3.send(new PutObjectCommand({ Bucket: archive, Key: key, Body: gzipSync(rec('/app/concat-1', 1n) + rec('/app/concat-2', 100n)) }));
    const res = await ingestMessages([sqsRecord(archive, key)], ingest);
    expect(res.tally).toMatchObject({ received: 6, dropped: 0 });
    expect(res.tally.received).toBe(res.tally.documents! + res.tally.failed!);
  });

  it('brings records the transformer handed back (ProcessingFailed) into the archive through S3 ingest, with live-path ids', async () => {
    // A batch over the response budget: records beyond it are ProcessingFailed and go to errors/.
    const ev: FirehoseTransformEvent = {
      invocationId: 'budget',
      deliveryStreamArn: 'arn:aws:firehose:us-east-1:123456789012:deliverystream/tributary',
      region: 'us-east-1',
      records: Array.from({ length: 6 }, (_, i) => ({
        recordId: `budget-${i}`,
        approximateArrivalTimestamp: Date.UTC(2026, 2, 1, 10, 30),
        data: cwlRecord(`/app/budget-${i}`, 's', Array.from({ length: 50 }, (_, j) => `event ${j} ${'y'.repeat(300)}`), BigInt(10_000 * (i + 1)), Date.UTC(2026, 2, 1, 10, 30)),
      })),
    };
    const unlimited = transformFirehose(ev, { responseMaxBytes: 5_500_000 });
    // Exactly room for the first two records' output plus the minimal entries of the other four.
    const entry = (r: object) => Buffer.byteLength(JSON.stringify(r)) + 1;
    const [r0, r1] = unlimited.response.records;
    const budget = 20 + entry(r0) + entry(r1) + ev.records.slice(2).reduce((n, r) => n + entry({ recordId: r.recordId, result: 'ProcessingFailed' }), 0) + 10;
    const limited = transformFirehose(ev, { responseMaxBytes: budget });
    const results = limited.response.records.map((r) => r.result);
    expect(results).toEqual(['Ok', 'Ok', 'ProcessingFailed', 'ProcessingFailed', 'ProcessingFailed', 'ProcessingFailed']);

    await drain(q, ingestQueue.url, 0);
    const delivered = await firehoseDeliver(s3, archive, ev, limited.response);
    const ingestMsgs = await drain(q, ingestQueue.url, 1);
    expect(ingestMsgs).toHaveLength(1);
    const ing = await ingestMessages(ingestMsgs, ingest);
    expect(ing.batchItemFailures).toEqual([]);
    expect(ing.tally).toMatchObject({ received: 4 * 50, objects: 1 });
    // Counted once: deferred by the transformer, received by S3 ingest; together the whole batch.
    expect(limited.tally).toMatchObject({ received: 2 * 50, deferred: 4 * 50 });
    expect(limited.tally.received! + ing.tally.received!).toBe(unlimited.tally.received);
    expect(ing.tally.received).toBe(ing.tally.documents! + ing.tally.dropped! + ing.tally.failed!);

    const idx = await indexMessages(await drain(q, indexQueue.url, delivered.normalized.length + ing.results[0].objects[0].outputs.length), indexer);
    expect(idx.batchItemFailures).toEqual([]);
    // Every one of the 300 events is now indexed exactly once, with the ids the live path would give.
    const expectedIds = new Set<string>();
    for (const r of unlimited.response.records)
      for (const l of decodeOutputData(r.data!).split('\n')) if (l) expectedIds.add(documentId(JSON.parse(l))!);
    const got = await allIds(`${prefix}-app-*`);
    expect(got.filter((x) => expectedIds.has(x))).toHaveLength(expectedIds.size);
    expect(expectedIds.size).toBe(unlimited.tally.documents! + unlimited.tally.failed!);
  });
});

describe('S3 path: delivered log objects → S3 ingest → archive → indexer', () => {
  const N = 3_001;
  const albLine = (i: number) =>
    `http 2026-03-01T10:${String(i % 60).padStart(2, '0')}:00.${String(i % 1000).padStart(3, '0')}000Z app/my-alb/50dc6c495c0c9188 198.51.100.${i % 250}:${1024 + (i % 60000)} 10.0.1.${i % 250}:80 0.000 0.001 0.000 200 200 34 366 "GET http://www.example.com:80/item/${i} HTTP/1.1" "curl/8.5.0" - - arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/my-targets/73e2d6bc24d8a067 "Root=1-58337262-36d228ad5d99923122bbe354" "-" "-" 0 2026-03-01T10:00:00.000000Z "forward" "-" "-" "10.0.1.${i % 250}:80" "200" "-" "-"`;
  // A key with a space and an '=': S3 URL-encodes it in the notification.
  const key = 'AWSLogs/123456789012/elasticloadbalancing/us-east-1/2026/03/01/123456789012_elasticloadbalancing_us-east-1_app.my alb=1_20260301T1000Z_10.0.0.1_abc.log.gz';
  let msgs: Array<{ messageId: string; body: string }> = [];
  let archiveKeys: string[] = [];

  it('streams a multi-member gzip object in chunks into one archive object; counts add up', async () => {
    const chunked = { ...ingest, chunkLines: 1000 };
    const text = Array.from({ length: N }, (_, i) => albLine(i)).join('\n') + '\n';
    const cut = text.indexOf('\n', text.length / 3) + 1; // two gzip members, as S3 delivery may concatenate
    await drain(q, ingestQueue.url, 0);
    await s3.send(new PutObjectCommand({ Bucket: logs, Key: key, Body: Buffer.concat([gzipSync(text.slice(0, cut)), gzipSync(text.slice(cut))]) }));
    msgs = await drain(q, ingestQueue.url, 1);
    expect(msgs).toHaveLength(1);
    const res = await ingestMessages(msgs, chunked);
    expect(res.batchItemFailures).toEqual([]);
    const t = res.tally;
    console.log('s3 ingest tally', t);
    expect(t.received).toBe(N);
    expect(t.received).toBe(t.documents! + t.dropped! + t.failed!);
    archiveKeys = res.results[0].objects[0].outputs;
    expect(archiveKeys).toHaveLength(1);
    const parsed = parseArchiveKey(archiveKeys[0])!;
    expect(parsed.partition).toMatchObject({ source: 'elb', account: '123456789012', region: 'us-east-1', year: '2026', month: '03', day: '01' });
    const docs = await readNdjson(s3, archive, archiveKeys[0]);
    expect(docs).toHaveLength(t.documents! + t.failed!);
    expect(docs[0].tributary.s3).toEqual({ bucket: logs, key });
  });

  it('indexes the archive object; ingesting the same object again rewrites the same object with the same ids', async () => {
    const first = await indexMessages(await drain(q, indexQueue.url, 1), indexer);
    expect(first.batchItemFailures).toEqual([]);
    const docs = first.tally.documents!;
    expect(first.tally.indexed).toBe(docs);
    const pattern = `${prefix}-aws.elb-*`;
    expect(await countDocs(pattern)).toBe(docs);
    const ids = await allIds(pattern);

    const again = await ingestMessages(msgs, { ...ingest, chunkLines: 1000 });
    expect(again.results[0].objects[0].outputs).toEqual(archiveKeys);
    expect(await listKeys(s3, archive, archiveKeys[0].slice(0, archiveKeys[0].lastIndexOf('/') + 1))).toEqual(archiveKeys);
    const second = await indexMessages(await drain(q, indexQueue.url, 1), indexer);
    expect(second.tally.indexed).toBe(docs);
    expect(await allIds(pattern)).toEqual(ids);
  });

  it('keeps the VPC Flow Logs header context across chunks (no chunk loses its field order)', async () => {
    // A custom field order: a chunk that lost the header could not read its lines as the default v2 format.
    const header = 'srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status interface-id account-id version';
    const n = 2_001;
    const lines = [header, ...Array.from({ length: n }, (_, i) => `10.0.1.${i % 250} 10.0.2.9 ${40000 + (i % 20000)} 443 6 10 5120 1772359200 1772359260 ACCEPT OK eni-0a1b2c3d4e5f60718 123456789012 5`)];
    const vkey = 'AWSLogs/123456789012/vpcflowlogs/us-east-1/2026/03/01/123456789012_vpcflowlogs_us-east-1_fl-0123456789abcdef0_20260301T1000Z_abc.log.gz';
    await drain(q, ingestQueue.url, 0);
    await s3.send(new PutObjectCommand({ Bucket: logs, Key: vkey, Body: gzipSync(lines.join('\n') + '\n') }));
    const m = await drain(q, ingestQueue.url, 1);
    const res = await ingestMessages(m, { ...ingest, chunkLines: 500 });
    const t = res.tally;
    console.log('vpc chunked tally', t);
    expect(t.received).toBe(n + 1);
    expect(t.received).toBe(t.documents! + t.dropped! + t.failed!);
    const out = res.results[0].objects[0].outputs[0];
    const chunkedDocs = await readNdjson(s3, archive, out);
    // Chunked (5 chunks) and whole-object normalization give the very same documents.
    const whole = await ingestMessages(m, { ...ingest, chunkLines: 100_000 });
    expect(whole.results[0].objects[0].outputs).toEqual([out]);
    expect(whole.tally).toEqual(t);
    expect(await readNdjson(s3, archive, out)).toEqual(chunkedDocs);
  });

  it('ingests an object whose normalized output is larger than the heap limit (bounded memory)', async () => {
    const n = 200_000;
    const bkey = 'app-logs/prod/2026/03/01/big service.log.gz';
    // Built in parts so the test itself never holds the whole text either.
    const parts: Buffer[] = [];
    for (let p = 0; p < 4; p++) parts.push(gzipSync(Array.from({ length: n / 4 }, (_, i) => `2026-03-01T10:00:00.000Z INFO request ${p * (n / 4) + i} served in 12 ms`).join('\n') + '\n'));
    await drain(q, ingestQueue.url, 0);
    await drain(q, indexQueue.url, 0);
    await s3.send(new PutObjectCommand({ Bucket: logs, Key: bkey, Body: Buffer.concat(parts) }));
    const m = await drain(q, ingestQueue.url, 1);
    const started = Date.now();
    const inv = invokeLocal(
      's3ingest',
      { Records: m.map((x) => ({ ...x, receiptHandle: 'r', attributes: {}, messageAttributes: {}, md5OfBody: '', eventSource: 'aws:sqs', eventSourceARN: ingestQueue.arn, awsRegion: 'us-east-1' })) },
      { ...serviceEnv(), ARCHIVE_BUCKET: archive, NODE_OPTIONS: '--max-old-space-size=64' },
    );
    expect(inv.error).toBeUndefined();
    expect(inv.result).toEqual({ batchItemFailures: [] });
    const metric = invocationMetrics(inv);
    expect(metric.received).toBe(n);
    expect(metric.received).toBe(metric.documents + metric.dropped + metric.failed);
    // Written in segments of at most DEFAULT_SEGMENT_LINES documents, one archive object (and one index message) each.
    const segments = Math.ceil(n / DEFAULT_SEGMENT_LINES);
    const im = await drain(q, indexQueue.url, segments);
    expect(im).toHaveLength(segments);
    let lines = 0;
    let bytes = 0;
    for (const m of im) {
      const key = (JSON.parse(m.body).Records[0].s3.object.key as string).replace(/\+/g, ' ');
      for await (const l of readLines(await new S3Store(s3, archive).get(decodeURIComponent(key)))) {
        lines++;
        bytes += l.length + 1;
      }
    }
    console.log('big object', { lines, segments, normalizedMB: Math.round(bytes / 2 ** 20), heapLimitMB: 64, seconds: (Date.now() - started) / 1000 });
    expect(lines).toBe(metric.documents + metric.failed);
    expect(bytes).toBeGreaterThan(64 * 2 ** 20); // more output than the whole heap may hold
  });

  it('runs through the real s3ingest handler process with SDK endpoints from the standard env only', async () => {
    await drain(q, ingestQueue.url, 0);
    await drain(q, indexQueue.url, 0);
    const hkey = 'AWSLogs/123456789012/elasticloadbalancing/us-east-1/2026/03/01/handler-run.log';
    await s3.send(new PutObjectCommand({ Bucket: logs, Key: hkey, Body: Array.from({ length: 100 }, (_, i) => albLine(i)).join('\n') }));
    const m = await drain(q, ingestQueue.url, 1);
    const inv = invokeLocal(
      's3ingest',
      { Records: m.map((x) => ({ ...x, receiptHandle: 'r', attributes: {}, messageAttributes: {}, md5OfBody: '', eventSource: 'aws:sqs', eventSourceARN: ingestQueue.arn, awsRegion: 'us-east-1' })) },
      { ...serviceEnv(), ARCHIVE_BUCKET: archive, INGEST_CHUNK_LINES: '30' },
    );
    expect(inv.error).toBeUndefined();
    expect(inv.result).toEqual({ batchItemFailures: [] });
    const metric = invocationMetrics(inv);
    expect(metric.received).toBe(100);
    expect(metric.received).toBe(metric.documents + metric.dropped + metric.failed);

    const im = await drain(q, indexQueue.url, 1);
    const idx = invokeLocal(
      'indexer',
      { Records: im.map((x) => ({ ...x, receiptHandle: 'r', attributes: {}, messageAttributes: {}, md5OfBody: '', eventSource: 'aws:sqs', eventSourceARN: indexQueue.arn, awsRegion: 'us-east-1' })) },
      { ...serviceEnv(), ARCHIVE_BUCKET: archive, OPENSEARCH_URL, INDEX_PREFIX: prefix },
    );
    expect(idx.error).toBeUndefined();
    expect(idx.result).toEqual({ batchItemFailures: [] });
    const im2 = invocationMetrics(idx);
    expect(im2.documents).toBe(metric.documents + metric.failed);
    expect(im2.documents).toBe(im2.indexed + im2.dead_lettered + im2.failed);
  });
});
