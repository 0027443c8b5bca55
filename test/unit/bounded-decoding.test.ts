/* eslint-disable @typescript-eslint/no-explicit-any -- archived documents are untyped JSON here */
/**
 * Bounded decoding, nothing silently lost (issue #13, section 3): gzip bombs, structure bombs, deep
 * nesting, over-long lines and records, non-string CloudWatch messages, `__proto__` keys, partitions of
 * times outside the event window. Every input ends as a document, a counted drop or a failure document
 * with the reason and (the first bytes of) the original; nothing crashes a batch, a handler or the CLI.
 * Memory of the bombs is measured in `npm run bench` (bench/run.ts, "bombs"), not here.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { runNormalize } from '../../bin/commands/normalize';
import { batchPartition, normalizedObject, partitionOf } from '../../lib/core/archive';
import { cloudWatchBatch, decodeCloudWatchPayload, EnvelopeError, maybeGunzip, s3ObjectBatch, splitLines } from '../../lib/core/envelopes';
import { normalizeInChunks } from '../../lib/core/chunks';
import { decodeInput } from '../../lib/core/inputs';
import { JsonRecordScanner, splitJsonRecords } from '../../lib/core/json-records';
import { DEFAULT_LIMITS, isUnreadable, MAX_PAYLOAD_CONTAINERS, type ReadItem } from '../../lib/core/limits';
import { LineSplitter, splitBoundedLines } from '../../lib/core/lines';
import { normalize } from '../../lib/core/pipeline';
import { indexObject } from '../../lib/indexer';
import { ingestObject } from '../../lib/ingest';
import { DEFAULT_BULK } from '../../lib/io/bulk';
import { loadConfig } from '../../lib/io/config';
import { readLineItems, readLines } from '../../lib/io/s3';
import { listAll, LocalStore } from '../../lib/io/store';
import { parseTimeArg } from '../../lib/replay/plan';
import { decodeOutputData, transformFirehose } from '../../lib/transform';
import { deeperThan, jsonText, MAX_JSON_DEPTH, setOwn, tooManyContainers } from '../../parsers/json';
import { isoFromMillis } from '../../parsers/time';
import { cloudTrailRecords, Rng } from '../../samples/generate';
import { runs } from '../helpers/fuzz';

const NOW = new Date('2026-03-01T12:00:00.000Z');
const T = Date.UTC(2026, 2, 1, 10);
const MiB = 1024 * 1024;

/** `{"a":{"a":…1…}}`, `depth` levels, built as text (no recursion anywhere). */
const deepObjectText = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
const deepArrayText = (depth: number) => '['.repeat(depth) + '1' + ']'.repeat(depth);

const payload = (logEvents: unknown[], logGroup = '/app/orders') => ({
  messageType: 'DATA_MESSAGE',
  owner: '123456789012',
  logGroup,
  logStream: 's',
  subscriptionFilters: ['f'],
  logEvents,
});

const firehose = (...records: Buffer[]) => ({
  invocationId: 'inv',
  deliveryStreamArn: 'arn:aws:firehose:eu-west-1:123456789012:deliverystream/central',
  region: 'eu-west-1',
  records: records.map((b, i) => ({ recordId: `r${i}`, approximateArrivalTimestamp: T, data: b.toString('base64') })),
});

/** A gzip bomb: a CloudWatch Logs payload whose one message is `mb` MiB of spaces (a few KB of gzip). */
const bomb = (mb: number) =>
  gzipSync(Buffer.concat([Buffer.from(JSON.stringify(payload([{ id: '1', timestamp: T, message: '' }])).replace('"message":""', '"message":"')), Buffer.alloc(mb * MiB, 0x20), Buffer.from('"}]}')]));

const chunked = (buf: Buffer, size: number) =>
  Readable.from(
    (function* () {
      for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
    })(),
  );

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

const reconcile = (t: { received?: number; documents?: number; dropped?: number; failed?: number }) =>
  expect(t.received).toBe((t.documents ?? 0) + (t.dropped ?? 0) + (t.failed ?? 0));

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tributary-bounded-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function archived(store: LocalStore): Promise<Array<Record<string, any>>> {
  const out: Array<Record<string, any>> = [];
  for await (const o of listAll(store, 'normalized/')) for await (const l of readLines(await store.get(o.key))) if (l) out.push(JSON.parse(l));
  return out;
}

// ---------------------------------------------------------------------------------------- gzip bombs

describe('every decompression is bounded', () => {
  it('stops inflating at the bound with an EnvelopeError naming MAX_DECOMPRESSED_BYTES (default 8 MiB)', () => {
    const b = bomb(20);
    expect(b.length).toBeLessThan(40 * 1024);
    expect(() => maybeGunzip(b)).toThrow(EnvelopeError);
    expect(() => decodeCloudWatchPayload(b)).toThrow(/inflates past the 8388608-byte limit \(MAX_DECOMPRESSED_BYTES\)/);
    expect(() => decodeCloudWatchPayload(bomb(1), 512 * 1024)).toThrow(/524288-byte limit/);
    expect(decodeCloudWatchPayload(bomb(1)).logEvents).toHaveLength(1); // within the default bound
    expect(DEFAULT_LIMITS.maxDecompressedBytes).toBe(8 * MiB);
  });

  it('a structure bomb under the byte bound never reaches JSON.parse', () => {
    const nested = gzipSync(`{"messageType":"DATA_MESSAGE","logEvents":[${deepArrayText(200_000)}]}`);
    expect(() => decodeCloudWatchPayload(nested)).toThrow(new RegExp(`more than ${MAX_PAYLOAD_CONTAINERS} JSON objects and arrays`));
    const many = gzipSync(`{"messageType":"DATA_MESSAGE","logEvents":[${'{},'.repeat(MAX_PAYLOAD_CONTAINERS)}{}]}`);
    expect(() => decodeCloudWatchPayload(many)).toThrow(EnvelopeError);
    // Braces inside messages are text, not structure: a payload of JSON logs is not refused.
    const logs = payload(Array.from({ length: 100 }, (_, i) => ({ id: `${i}`, timestamp: T, message: JSON.stringify({ a: [[[[{}]]]], i }).repeat(200) })));
    expect(decodeCloudWatchPayload(gzipSync(JSON.stringify(logs))).logEvents).toHaveLength(100);
  });

  it('the transformer returns a bomb record ProcessingFailed with its reason; the other records are Ok and counts reconcile', () => {
    const good = gzipSync(JSON.stringify(payload([{ id: '1', timestamp: T, message: 'hello' }])));
    const out = transformFirehose(firehose(good, bomb(20), good) as never, { responseMaxBytes: 5_500_000, now: NOW });
    expect(out.response.records.map((r) => r.result)).toEqual(['Ok', 'ProcessingFailed', 'Ok']);
    expect(out.failedRecords).toEqual([{ recordId: 'r1', reason: expect.stringMatching(/MAX_DECOMPRESSED_BYTES/) }]);
    // The bomb is deferred to Firehose's error output, where S3 ingest counts it (once): not received here.
    expect(out.tally).toMatchObject({ received: 2, documents: 2, failed: 0, processing_failed_records: 1, deferred: 1 });
    reconcile(out.tally);
  });

  it('honours MAX_DECOMPRESSED_BYTES from the configuration, and validates it', () => {
    expect(loadConfig({ MAX_DECOMPRESSED_BYTES: '1048576' }, 'transform').maxDecompressedBytes).toBe(MiB);
    expect(loadConfig({}, 'transform').maxDecompressedBytes).toBe(8 * MiB);
    expect(loadConfig({ ARCHIVE_BUCKET: 'b-1', MAX_LINE_BYTES: '131072' }, 's3ingest')).toMatchObject({ maxLineBytes: 131072, maxDecompressedBytes: 8 * MiB });
    expect(loadConfig({ ARCHIVE_BUCKET: 'b-1', OPENSEARCH_URL: 'http://127.0.0.1:9200' }, 'indexer').maxLineBytes).toBe(8 * MiB);
    expect(() => loadConfig({ MAX_DECOMPRESSED_BYTES: '1e12' }, 'transform')).toThrow(/MAX_DECOMPRESSED_BYTES must be an integer between/);
    const fh = firehose(bomb(2));
    expect(transformFirehose(fh as never, { responseMaxBytes: 5_500_000, now: NOW, maxDecompressedBytes: MiB }).response.records[0].result).toBe('ProcessingFailed');
    expect(transformFirehose(fh as never, { responseMaxBytes: 5_500_000, now: NOW }).response.records[0].result).toBe('Ok');
  });

  it('S3 ingest turns the bomb record of a Firehose error object into one failure document with the reason', async () => {
    const logs = new LocalStore(join(dir, 'logs'), 'logs');
    const archive = new LocalStore(join(dir, 'archive'), 'archive');
    const rec = (data: Buffer) => JSON.stringify({ attemptsMade: 1, arrivalTimestamp: T, errorCode: 'Lambda.ProcessingFailed', rawData: data.toString('base64') });
    const key = 'errors/firehose/processing-failed/year=2026/month=03/day=01/hour=10/central-1';
    await logs.put(key, [rec(bomb(20)), rec(gzipSync(JSON.stringify(payload([{ id: '9', timestamp: T, message: 'ok' }]))))].join('\n') + '\n');
    const r = await ingestObject({ store: logs, key, version: 'v1' }, { archive, chunkLines: 100, now: () => NOW });
    expect(r.tally).toMatchObject({ received: 2, documents: 1, failed: 1 });
    reconcile(r.tally);
    const failure = (await archived(archive)).find((d) => d.event.kind === 'pipeline_error')!;
    expect(failure.error).toEqual({ type: 'unusable_record', message: expect.stringMatching(/inflates past the 8388608-byte limit \(MAX_DECOMPRESSED_BYTES\)/) });
    expect(failure.event.original).toMatch(/^\{"attemptsMade":1/);
  });

  it('the CLI reports a gzip bomb as one failure and goes on with the next file', async () => {
    const bombFile = join(dir, 'bomb.log.gz');
    writeFileSync(bombFile, gzipSync(Buffer.alloc(40 * MiB, 0x61)));
    const okFile = join(dir, 'ok.log');
    writeFileSync(okFile, 'hello\n');
    const lines: string[] = [];
    const totals = await runNormalize([bombFile, okFile], { source: 'auto' }, (l) => lines.push(l), NOW);
    expect(lines.map((l) => JSON.parse(l).event.kind)).toEqual(['pipeline_error', 'event']);
    // Streamed (lib/local/input-stream.ts): the 40 MiB that inflate are one line without end, past MAX_LINE_BYTES.
    expect(JSON.parse(lines[0]).error.message).toMatch(/^line of 41943040 bytes exceeds the 8388608-byte limit/);
    expect([...totals.values()].reduce((a, c) => a + c.failed, 0)).toBe(1);
  });
});

// ------------------------------------------------------------------------------------ long lines

describe('every streaming reader is bounded in line length', () => {
  it('LineSplitter: an over-long line is its first bytes and size, whatever the chunking; the next lines follow', () => {
    const text = Buffer.from('a\r\n' + 'x'.repeat(100) + '\r\nb\n\nlast');
    for (const size of [1, 3, 7, 64, 1000]) {
      const s = new LineSplitter(50);
      const got: ReadItem[] = [];
      for (let i = 0; i < text.length; i += size) got.push(...s.push(text.subarray(i, i + size)));
      got.push(...s.end());
      expect(got).toEqual(['a', { head: 'x'.repeat(100) + '\r', bytes: 101, type: 'line_too_long', reason: 'line of 101 bytes exceeds the 50-byte limit (MAX_LINE_BYTES); its first bytes are kept' }, 'b', '', 'last']);
    }
  });

  it('keeps only the first 64 KiB of a line of any length (a 64 MiB line streamed in 64 KiB chunks)', async () => {
    const body = Readable.from(
      (function* () {
        yield Buffer.from('before\n');
        for (let i = 0; i < 1024; i++) yield Buffer.alloc(64 * 1024, 0x7a);
        yield Buffer.from('\nafter\n');
      })(),
    );
    const got = await collect(readLineItems(body, MiB));
    expect(got).toHaveLength(3);
    expect(got[0]).toBe('before');
    expect(got[2]).toBe('after');
    const long = got[1];
    expect(isUnreadable(long) && long.bytes === 64 * MiB && long.head.length === 64 * 1024).toBe(true);
  });

  it('readLines (strings only) ends with an Error naming the bound instead of crashing the process', async () => {
    await expect(collect(readLines(chunked(gzipSync('ok\n' + 'y'.repeat(200_000) + '\n'), 4096), 100_000))).rejects.toThrow(/MAX_LINE_BYTES/);
  });

  it('S3 ingest: an over-long line is one failure document (first bytes + reason), the other lines are documents', async () => {
    const logs = new LocalStore(join(dir, 'logs'), 'logs');
    const archive = new LocalStore(join(dir, 'archive'), 'archive');
    const key = 'AWSLogs/123456789012/vpcflowlogs/eu-west-1/2026/03/01/123456789012_vpcflowlogs_eu-west-1_fl-1_20260301T1000Z_x.log.gz';
    const line = (i: number) => `2 123456789012 eni-1235b8ca12345678${i} 10.0.0.1 10.0.0.2 443 5000${i} 6 10 840 1772359200 1772359260 ACCEPT OK`;
    const long = 'z'.repeat(300_000);
    await logs.put(key, gzipSync([line(1), long, line(2), line(3)].join('\n') + '\n'));
    const r = await ingestObject({ store: logs, key, version: 'v1' }, { archive, chunkLines: 2, maxLineBytes: 100_000, now: () => NOW });
    expect(r.tally).toMatchObject({ received: 4, documents: 3, failed: 1 });
    reconcile(r.tally);
    const docs = await archived(archive);
    const failure = docs.find((d) => d.event.kind === 'pipeline_error')!;
    expect(failure.error).toEqual({ type: 'line_too_long', message: 'line of 300000 bytes exceeds the 100000-byte limit (MAX_LINE_BYTES); its first bytes are kept' });
    expect(failure.event.original).toMatch(/^z{32768}…\[\d+ more chars\]$/);
    expect(docs.filter((d) => d.event.kind === 'event').map((d) => d.aws.vpcflow.interface_id ?? d.network?.iana_number)).toHaveLength(3);
  });

  it('the indexer dead-letters an over-long archive line with its first bytes and indexes the rest', async () => {
    const archive = new LocalStore(join(dir, 'archive'), 'archive');
    const key = 'normalized/source=app/account=123456789012/region=eu-west-1/year=2026/month=03/day=01/hour=10/x.ndjson.gz';
    const doc = (i: number) => JSON.stringify({ '@timestamp': '2026-03-01T10:00:00.000Z', message: `m${i}`, event: { id: `id${i}`, dataset: 'app' } });
    await archive.put(key, gzipSync([doc(1), 'q'.repeat(200_000), doc(2)].join('\n') + '\n'));
    const sent: string[] = [];
    const transport = {
      async send(body: string) {
        const actions = body.split('\n').filter(Boolean).filter((_, i) => i % 2 === 0);
        sent.push(...actions);
        return { status: 200, body: { errors: false, items: actions.map(() => ({ index: { status: 201 } })) } };
      },
    };
    const r = await indexObject({ store: archive, key }, { archive, transport, bulk: DEFAULT_BULK, indexPrefix: 'logs', maxLineBytes: 100_000 });
    expect(r.tally).toMatchObject({ documents: 3, indexed: 2, dead_lettered: 1, failed: 0 });
    const dl = await collect(readLines(await archive.get(r.deadLetterKey!)));
    expect(dl.map((l) => JSON.parse(l))).toEqual([
      { reason: 'line_too_long', status: 0, error: 'line of 200000 bytes exceeds the 100000-byte limit (MAX_LINE_BYTES); its first bytes are kept', index: null, document: 'q'.repeat(64 * 1024) },
    ]);
    expect(sent).toHaveLength(2);
  });

  it('the CLI: an over-long line is one failure, the lines around it are documents', () => {
    const decoded = decodeInput(Buffer.from('one\n' + 'w'.repeat(9 * MiB) + '\ntwo\n'), 'f.log');
    const r = normalize({ ...decoded.batches[0], source: 'app' }, { now: NOW });
    expect(r.counts).toEqual({ received: 3, documents: 2, dropped: 0, failed: 1 });
    expect(r.failures[0].error).toEqual({ type: 'line_too_long', message: expect.stringMatching(/^line of 9437184 bytes exceeds the 8388608-byte limit/) });
  });
});

// ------------------------------------------------------------------------ CloudTrail: N-1 + 1

describe('a CloudTrail file with one bad record gives N-1 documents and 1 failure', () => {
  const records = cloudTrailRecords(new Rng(13), 1000, T);
  /** A valid record whose requestParameters nest 10,000 deep. */
  const deepRecord = JSON.stringify({ ...JSON.parse(records[0]), eventID: 'deep-one', requestParameters: { x: 1 } }).replace('{"x":1}', deepObjectText(10_000));
  const file = (bad: string, at = 500) => `{"Records":[${[...records.slice(0, at), bad, ...records.slice(at)].join(',')}]}`;

  it('splits the Records of a file without parsing it: exact record texts, any chunking, strings with brackets', () => {
    const recs = ['{"a":"]}{[\\""}', '{"b":[1,{"c":"\\\\"}]}', '[]', '"s"', '7'];
    const text = Buffer.from(`{ "Records" : [ ${recs.join(' ,\n')} ] }\n`);
    expect(splitJsonRecords(text, 1000)).toEqual(recs);
    const s = new JsonRecordScanner(1000);
    const got: ReadItem[] = [];
    for (let i = 0; i < text.length; i++) got.push(...s.push(text.subarray(i, i + 1)));
    got.push(...s.end());
    expect(got).toEqual(recs);
  });

  it('through ingestObject (S3 ingest use case, LocalStore): 1,000 documents + 1 failure, counts reconcile', async () => {
    const logs = new LocalStore(join(dir, 'logs'), 'trail');
    const archive = new LocalStore(join(dir, 'archive'), 'archive');
    const key = 'AWSLogs/123456789012/CloudTrail/eu-west-1/2026/03/01/123456789012_CloudTrail_eu-west-1_20260301T1000Z_abc.json.gz';
    await logs.put(key, gzipSync(file(deepRecord)));
    const r = await ingestObject({ store: logs, key, version: 'v1' }, { archive, chunkLines: 300, now: () => NOW });
    expect(r.source).toBe('cloudtrail');
    expect(r.tally).toMatchObject({ received: 1001, documents: 1000, dropped: 0, failed: 1 });
    const docs = await archived(archive);
    expect(docs).toHaveLength(1001);
    const failure = docs.find((d) => d.event.kind === 'pipeline_error')!;
    expect(failure.error).toEqual({ type: 'too_deep', message: `CloudTrail record with request_parameters nested deeper than ${MAX_JSON_DEPTH} levels` });
    expect(failure.event.original.startsWith(deepRecord.slice(0, 1000))).toBe(true);
    // Record positions are the ids' positions: the record after the bad one keeps its own.
    expect(new Set(docs.map((d) => d.event.id)).size).toBe(1001);
  });

  it('an oversized record and a truncated file are one failure each; a corrupt record is one failure', async () => {
    const big = JSON.stringify({ ...JSON.parse(records[1]), eventID: 'big', requestParameters: { blob: 'b'.repeat(200_000) } });
    const batch = s3ObjectBatch('trail', 'AWSLogs/123456789012/CloudTrail/eu-west-1/2026/03/01/x.json.gz', 'v', gzipSync(file(big)), { ...DEFAULT_LIMITS, maxLineBytes: 100_000 });
    const r = normalize({ ...batch, source: 'cloudtrail' }, { now: NOW });
    expect(r.counts).toEqual({ received: 1001, documents: 1000, dropped: 0, failed: 1 });
    expect(r.failures[0].error?.type).toBe('record_too_large');

    const truncated = file('{"eventVersion":"1.08"', 1000).replace(/\]\}$/, '');
    const t = normalize({ ...s3ObjectBatch('trail', 'k', 'v', Buffer.from(truncated)), source: 'cloudtrail' }, { now: NOW });
    expect(t.counts).toEqual({ received: 1001, documents: 1000, dropped: 0, failed: 1 });
    expect(t.failures[0].error?.type).toBe('truncated_record');

    const corrupt = normalize({ ...s3ObjectBatch('trail', 'k', 'v', Buffer.from(file('{"eventVersion": tru}'))), source: 'cloudtrail' }, { now: NOW });
    expect(corrupt.counts).toEqual({ received: 1001, documents: 1000, dropped: 0, failed: 1 });
  });

  it('the CLI gives the same split (a file of records, and the deep record)', async () => {
    const lines: string[] = [];
    const path = join(dir, 'AWSLogs/123456789012/CloudTrail/eu-west-1/2026/03/01/trail.json');
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, file(deepRecord));
    const totals = await runNormalize([path], { source: 'auto' }, (l) => lines.push(l), NOW);
    expect(totals.get('cloudtrail')).toEqual({ received: 1001, documents: 1000, dropped: 0, failed: 1 });
    expect(lines).toHaveLength(1001);
  });
});

// ----------------------------------------------------------------------------------- deep nesting

describe('deep nesting never throws', () => {
  it('the CLI normalizes a 10,000-deep JSON app line and a 10,000-deep JSON array file', async () => {
    for (const text of [deepObjectText(10_000), deepArrayText(10_000), `{"msg":"x","deep":${deepArrayText(10_000)}}`]) {
      const file = join(dir, 'deep.log');
      writeFileSync(file, text + '\n');
      const lines: string[] = [];
      const totals = await runNormalize([file], { source: 'auto' }, (l) => lines.push(l), NOW);
      const c = [...totals.values()][0];
      expect(c.received).toBe(1);
      reconcile(c);
      expect(lines).toHaveLength(1);
    }
  });

  it('the app parser keeps a deep subtree as clipped JSON text (bounded), not a crash', () => {
    const r = normalize({ events: [{ message: `{"msg":"hello","deep":${deepObjectText(10_000)}}`, key: 'k' }], context: {}, source: 'app' }, { now: NOW });
    expect(r.counts).toEqual({ received: 1, documents: 1, dropped: 0, failed: 0 });
    const fields = (r.documents[0] as any).app.fields;
    const clipped = fields.deep.a.a.a as string;
    expect(clipped.startsWith('{"a":{"a":')).toBe(true);
    expect(clipped.length).toBeLessThanOrEqual(2049);
    expect(JSON.stringify(r.documents[0]).length).toBeLessThan(10_000);
  });

  it('a CloudTrail record nested 10,000 deep in a CloudWatch Logs message is one failure of its own', () => {
    const ok = cloudTrailRecords(new Rng(1), 2, T);
    const deep = JSON.stringify({ ...JSON.parse(ok[0]), eventID: 'deep', additionalEventData: { x: 1 } }).replace('{"x":1}', deepArrayText(10_000));
    const r = normalize({ events: [ok[0], deep, ok[1]].map((message, i) => ({ message, key: `k${i}` })), context: {}, source: 'cloudtrail' }, { now: NOW });
    expect(r.counts).toEqual({ received: 3, documents: 2, dropped: 0, failed: 1 });
    expect(r.failures[0].error).toEqual({ type: 'too_deep', message: expect.stringMatching(/additional_eventdata nested deeper than/) });
  });

  it('a record with more objects and arrays than a parse may cost is refused without parsing', () => {
    const line = `{"eventVersion":"1.08","x":${deepArrayText(150_000)}}`;
    expect(tooManyContainers(line)).toBe(true);
    const r = normalize({ events: [{ message: line, key: 'k' }], context: {}, source: 'cloudtrail' }, { now: NOW });
    expect(r.failures[0].error?.type).toBe('too_large');
    const app = normalize({ events: [{ message: line, key: 'k' }], context: {}, source: 'app' }, { now: NOW });
    expect(app.documents[0].message).toBe(line); // read as a text line, kept whole
  });

  it('jsonText and deeperThan are iterative: any depth, bounded output', () => {
    const v = JSON.parse(deepObjectText(100_000));
    expect(deeperThan(v, MAX_JSON_DEPTH)).toBe(true);
    expect(deeperThan({ a: [{ b: 1 }] }, 3)).toBe(false);
    expect(jsonText(v, 20)).toBe('{"a":{"a":{"a":{"a":…');
    const plain = { a: [1, 'x', null, true, { b: undefined, c: 2.5 }], d: {}, e: [undefined, NaN] };
    expect(jsonText(plain, 1000)).toBe(JSON.stringify(plain));
  });
});

// ---------------------------------------------------------------------------- CloudWatch messages

describe('CloudWatch Logs messages that are not strings', () => {
  it('keep their JSON (never "[object Object]"); null is blank; too deep is a failure with the clipped JSON', () => {
    const deep = JSON.parse(deepObjectText(5000));
    const batch = cloudWatchBatch(
      payload([
        { id: '1', timestamp: T, message: { level: 'error', msg: 'boom' } },
        { id: '2', timestamp: T, message: 42 },
        { id: '3', timestamp: T, message: null },
        { id: '4', timestamp: T, message: [1, 'two'] },
        { id: '5', timestamp: T, message: deep },
      ]) as never,
    )!;
    expect(batch.events.slice(0, 4).map((e) => e.message)).toEqual(['{"level":"error","msg":"boom"}', '42', '', '[1,"two"]']);
    expect(batch.events[4].rejected).toEqual({ type: 'too_deep', reason: `message is a JSON value nested deeper than ${MAX_JSON_DEPTH} levels` });
    const r = normalize({ ...batch, source: 'app' }, { now: NOW });
    expect(r.counts).toEqual({ received: 5, documents: 3, dropped: 1, failed: 1 });
    expect(r.documents[0]).toMatchObject({ message: 'boom', log: { level: 'error' } });
    expect(r.failures[0].event?.original).toMatch(/^\{"a":\{"a":/);
    expect(r.failures[0].error).toEqual({ type: 'too_deep', message: expect.stringMatching(/nested deeper than/) });
  });

  it('through the transformer: the object message is a document with its fields', () => {
    const out = transformFirehose(firehose(gzipSync(JSON.stringify(payload([{ id: '1', timestamp: T, message: { level: 'warn', msg: 'disk' } }])))) as never, { responseMaxBytes: 5_500_000, now: NOW });
    const doc = JSON.parse(decodeOutputData(out.response.records[0].data!).trim());
    expect(doc).toMatchObject({ message: 'disk', log: { level: 'warn' } });
    expect(JSON.stringify(doc)).not.toContain('[object Object]');
  });
});

// -------------------------------------------------------------------------------------- __proto__

describe('__proto__ keys are data, never a silently dropped subtree', () => {
  it('setOwn writes an own key', () => {
    const o = setOwn({} as Record<string, unknown>, '__proto__', { a: 1 });
    expect(Object.keys(o)).toEqual(['__proto__']);
    expect(JSON.stringify(o)).toBe('{"__proto__":{"a":1}}');
    expect(Object.getPrototypeOf(o)).toBe(Object.prototype);
  });

  it.each([
    ['app', '{"msg":"x","__proto__":{"a":1,"b":2},"n":{"__proto__":{"c":3}}}', {}],
    ['lambda', '{"level":"INFO","message":"x","timestamp":"2026-03-01T10:00:00Z","__proto__":{"a":1}}', { logGroup: '/aws/lambda/f' }],
    ['cloudtrail', '{"eventVersion":"1.08","eventTime":"2026-03-01T10:00:00Z","eventName":"X","eventSource":"s","eventID":"e","__proto__":{"z":1},"requestParameters":{"__proto__":{"q":1}}}', {}],
    ['auditd', 'type=SYSCALL msg=audit(1772359200.123:42): arch=c000003e syscall=59 success=yes __proto__=x key=y', {}],
  ])('%s keeps the __proto__ subtree', (source, line, ctx) => {
    const r = normalize({ events: [{ message: line, key: 'k' }], context: ctx, source: source as never }, { now: NOW });
    expect(r.counts.documents).toBe(1);
    const json = JSON.stringify(r.documents[0]);
    expect(json).toContain('"__proto__":');
    expect(json).not.toContain('__proto___2');
  });

  it('API Gateway: keys past the bounds of extra and authorizer.context are counted in extra_dropped', () => {
    const rec: Record<string, string> = { requestId: 'r1', requestTime: '01/Mar/2026:10:00:00 +0000' };
    for (let i = 0; i < 70; i++) rec[`custom${i}`] = `v${i}`;
    for (let i = 0; i < 66; i++) rec[`authorizer.claim${i}`] = `c${i}`;
    const r = normalize({ events: [{ message: JSON.stringify(rec), key: 'k' }], context: {}, source: 'apigateway' }, { now: NOW });
    const gw = (r.documents[0] as any).aws.apigateway;
    expect(Object.keys(gw.extra)).toHaveLength(64);
    expect(Object.keys(gw.authorizer.context)).toHaveLength(64);
    expect(gw.extra_dropped).toBe(6 + 2);
  });

  it('app: the subtree is in app.fields, and nothing is counted as dropped', () => {
    const r = normalize({ events: [{ message: '{"msg":"x","__proto__":{"a":1}}', key: 'k' }], context: {}, source: 'app' }, { now: NOW });
    const app = (r.documents[0] as any).app;
    expect(Object.getOwnPropertyDescriptor(app.fields, '__proto__')?.value).toEqual({ a: 1 });
    expect(app.fields_dropped).toBeUndefined();
  });
});

// ------------------------------------------------------------------------ times and partitions

describe('times outside the event window are errors-as-values, never a year that is not four digits', () => {
  it('an envelope time of ±1e15 makes no partition; the in-window events decide, else 1970-01-01T00', () => {
    expect(partitionOf({ source: 'app', time: -1e15 })).toMatchObject({ year: '1970', month: '01', day: '01', hour: '00' });
    expect(partitionOf({ source: 'app', time: 1e15 }).year).toBe('1970');
    expect(partitionOf({ source: 'app', time: '+275760-09-13T00:00:00.000Z' }).year).toBe('1970');
    expect(batchPartition({ source: 'app', context: {}, events: [{ timestamp: -1e15 }, { timestamp: T }], documents: [] })).toMatchObject({ year: '2026', hour: '10' });
    expect(batchPartition({ source: 'app', context: {}, events: [{ timestamp: -1e15 }], documents: [], fallbackTime: T }).year).toBe('2026');
    expect(isoFromMillis(-1e15)).toBeUndefined();
  });

  it('through the transformer: partition keys stay four-digit years and documents carry no far-past date', () => {
    for (const ts of [-1e15, 1e15, -62198755200000]) {
      const out = transformFirehose(firehose(gzipSync(JSON.stringify(payload([{ id: '1', timestamp: ts, message: '{"msg":"x","time":-1e15}' }])))) as never, {
        responseMaxBytes: 5_500_000,
        now: NOW,
      });
      const rec = out.response.records[0];
      expect(rec.metadata?.partitionKeys.year).toMatch(/^\d{4}$/);
      const doc = JSON.parse(decodeOutputData(rec.data!).trim());
      expect(doc['@timestamp']).toBe(NOW.toISOString());
      expect(doc.app.fields.time).toBe(-1e15); // kept as logged, not a date
    }
  });

  it('the indexer indexes a normalized object whose key year does not parse, instead of ignoring it', async () => {
    const key = 'normalized/source=app/account=123456789012/region=eu-west-1/year=-29719/month=04/day=05/hour=22/x.ndjson.gz';
    expect(normalizedObject(key)).toEqual({ partition: { source: 'app', account: '123456789012', region: 'eu-west-1', year: '1970', month: '01', day: '01', hour: '00' }, name: 'x.ndjson.gz' });
    expect(normalizedObject('raw/firehose/year=2026/month=03/day=01/hour=10/x')).toBeUndefined();
    const archive = new LocalStore(join(dir, 'archive'), 'archive');
    await archive.put(key, gzipSync(JSON.stringify({ '@timestamp': '2026-03-01T10:00:00.000Z', message: 'm', event: { id: 'i1', dataset: 'app' } }) + '\n'));
    const transport = { send: async (body: string) => ({ status: 200, body: { errors: false, items: body.split('\n').filter(Boolean).filter((_, i) => i % 2 === 0).map(() => ({ index: { status: 201 } })) } }) };
    const r = await indexObject({ store: archive, key }, { archive, transport, bulk: DEFAULT_BULK, indexPrefix: 'logs' });
    expect(r.ignored).toBeUndefined();
    expect(r.tally).toMatchObject({ documents: 1, indexed: 1 });
  });

  it('replay refuses times outside the archive (1970..2100) as a usage error', () => {
    expect(() => parseTimeArg('9999-12-31', true)).toThrow(RangeError);
    expect(() => parseTimeArg('0001-01-01')).toThrow(/outside the archive's range/);
    expect(parseTimeArg('1970-01-01')).toBe(0);
  });
});

// ------------------------------------------------------------------------------- CLI in chunks

describe('the CLI normalizes large inputs in chunks', () => {
  it('keeps the source and the VPC header format of the first chunk; counts add up; a small batch is one normalize', () => {
    const header = 'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status pkt-srcaddr';
    const line = (i: number) => `2 123456789012 eni-0a1b2c3d4e5f6a7b${i % 10} 10.0.0.1 10.0.0.2 443 ${50000 + i} 6 10 840 1772359200 1772359260 ACCEPT OK 10.9.9.${i % 250}`;
    const events = [header, ...Array.from({ length: 10 }, (_, i) => line(i))].map((message, i) => ({ message, key: `f:${i + 1}` }));
    const chunks = [...normalizeInChunks({ events, context: {}, source: 'auto' }, { now: NOW }, 3)];
    expect(chunks).toHaveLength(4);
    expect(new Set(chunks.map((c) => c.source))).toEqual(new Set(['vpcflow']));
    const docs = chunks.flatMap((c) => c.documents);
    expect(docs).toHaveLength(10);
    // pkt-srcaddr exists only in the header's custom format: every chunk read it.
    expect(docs.map((d) => (d as any).aws.vpcflow.pkt_srcaddr)).toEqual(Array.from({ length: 10 }, (_, i) => `10.9.9.${i}`));
    const sum = chunks.reduce((a, c) => ({ received: a.received + c.counts.received, documents: a.documents + c.counts.documents, dropped: a.dropped + c.counts.dropped, failed: a.failed + c.counts.failed }), { received: 0, documents: 0, dropped: 0, failed: 0 });
    expect(sum).toEqual({ received: 11, documents: 10, dropped: 1, failed: 0 });
    expect([...normalizeInChunks({ events, context: {}, source: 'auto' }, { now: NOW })]).toEqual([normalize({ events, context: {}, source: 'auto' }, { now: NOW })]);
  });
});

// ------------------------------------------------------------------------------------- properties

describe('properties of the bounded readers', () => {
  it('JsonRecordScanner: the records of any Records file, any chunking, are the exact texts of its elements', () => {
    fc.assert(
      fc.property(fc.array(fc.jsonValue({ maxDepth: 4 }), { maxLength: 12 }), fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 8 }), fc.boolean(), (values, sizes, pretty) => {
        const texts = values.map((v) => JSON.stringify(v, null, pretty ? 2 : undefined));
        const file = Buffer.from(`{${pretty ? '\n  ' : ''}"Records":[${texts.join(pretty ? ',\n' : ',')}]}`);
        const s = new JsonRecordScanner(1 << 20);
        const got: ReadItem[] = [];
        for (let i = 0, k = 0; i < file.length; k++) {
          const n = sizes[k % sizes.length];
          got.push(...s.push(file.subarray(i, i + n)));
          i += n;
        }
        got.push(...s.end());
        expect(got).toEqual(texts);
      }),
      { numRuns: runs(200) },
    );
  });

  it('LineSplitter: under the bound it gives exactly splitLines; over it, one unreadable per long line, never more memory than the bound', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 30 }).map((s) => s.replace(/\r/g, '')), { maxLength: 20 }), fc.integer({ min: 1, max: 17 }), fc.integer({ min: 1, max: 40 }), (lines, size, max) => {
        const text = lines.join('\n');
        const buf = Buffer.from(text);
        const s = new LineSplitter(max);
        const got: ReadItem[] = [];
        for (let i = 0; i < buf.length; i += size) got.push(...s.push(buf.subarray(i, i + size)));
        got.push(...s.end());
        const expected = splitLines(text).map((l) => (Buffer.byteLength(l) > max ? 'LONG' : l));
        expect(got.map((g) => (isUnreadable(g) ? 'LONG' : g))).toEqual(expected);
        expect(splitBoundedLines(buf, max).map((g) => (isUnreadable(g) ? 'LONG' : g))).toEqual(expected);
      }),
      { numRuns: runs(200) },
    );
  });

  it('jsonText equals JSON.stringify on any JSON value, and is a prefix of it when clipped', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.integer({ min: 1, max: 200 }), (v, max) => {
        const full = JSON.stringify(v);
        expect(jsonText(v, 1e9)).toBe(full);
        const clipped = jsonText(v, max);
        if (full.length <= max) expect(clipped).toBe(full);
        else expect(clipped).toBe(full.slice(0, max) + '…');
      }),
      { numRuns: runs(300) },
    );
  });
});
