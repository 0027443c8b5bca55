/**
 * Every Firehose error output type (lib/core/archive.ts FIREHOSE_ERROR_OUTPUT_TYPES) is re-ingested by
 * S3 ingest with the ids the transformer gives on the live path, whatever `rawData` holds: the source
 * CloudWatch Logs record (processing-failed) or the transformer's output for it (records Firehose
 * diverted after the transform, e.g. past the active-partition limit). Counts reconcile: records the
 * transformer already counted are `recovered`, not received again.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  FIREHOSE_ERROR_OUTPUT_TYPES,
  FIREHOSE_ERRORS_PREFIX,
  firehoseErrorKey,
  firehoseErrorType,
  isBeforeTransformErrorType,
  parseArchiveKey,
} from '../../lib/core/archive';
import { EnvelopeError } from '../../lib/core/envelopes';
import { decodeFirehoseErrorRecord } from '../../lib/core/firehose-errors';
import type { FirehoseTransformEvent } from '../../lib/core/envelopes';
import { ingestObject } from '../../lib/ingest';
import { readLines } from '../../lib/io/s3';
import { listAll, LocalStore } from '../../lib/io/store';
import { decodeOutputData, transformFirehose } from '../../lib/transform';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- documents are free-form JSON
type Doc = Record<string, any>;

const NOW = new Date('2026-03-01T12:00:00Z');
const T = Date.UTC(2026, 2, 1, 10, 15);
const ACCOUNT = '222222222222';
const REGION = 'eu-west-1';

/** Two CloudWatch Logs payloads of different sources, a control message, and a line no parser takes whole. */
const payloads = [
  {
    messageType: 'DATA_MESSAGE',
    owner: ACCOUNT,
    logGroup: '/aws/vpc/flowlogs',
    logStream: 'eni-1',
    subscriptionFilters: ['tributary'],
    logEvents: [
      { id: '3791', timestamp: T, message: `2 ${ACCOUNT} eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1772360100 1772360160 ACCEPT OK` },
      { id: '3792', timestamp: T + 1000, message: `2 ${ACCOUNT} eni-1235b8ca123456789 172.31.16.21 172.31.16.139 22 20641 6 10 840 1772360100 1772360160 ACCEPT OK` },
    ],
  },
  {
    messageType: 'DATA_MESSAGE',
    owner: ACCOUNT,
    logGroup: '/app/orders',
    logStream: 'web-1',
    subscriptionFilters: ['tributary'],
    logEvents: [
      { id: '5001', timestamp: T + 2000, message: '{"level":"info","msg":"order placed","order":42}' },
      { id: '5002', timestamp: T + 3000, message: 'plain text line' },
    ],
  },
  { messageType: 'CONTROL_MESSAGE', owner: 'CloudwatchLogs', logGroup: '', logStream: '', subscriptionFilters: [], logEvents: [{ id: '', timestamp: T, message: 'CWL CONTROL MESSAGE' }] },
];
const records = payloads.map((p, i) => ({ recordId: `r${i}`, approximateArrivalTimestamp: T + 60_000, data: gzipSync(JSON.stringify(p)).toString('base64') }));
const event: FirehoseTransformEvent = {
  invocationId: 'inv-1',
  deliveryStreamArn: `arn:aws:firehose:${REGION}:111111111111:deliverystream/tributary-test`,
  region: REGION,
  records,
} as FirehoseTransformEvent;

/** The live path: the transformer's documents per record. */
const live = transformFirehose(event, { responseMaxBytes: 5_500_000, now: NOW });
const liveDocs = (i: number): Doc[] => decodeOutputData(live.response.records[i].data!).trim().split('\n').map((l) => JSON.parse(l));
const liveIds = (docs: Doc[]) => docs.map((d) => d.event.id).sort();

/** A Firehose error record (the documented shape), `rawData` = the given bytes. */
const errorRecord = (data: string, errorCode: string) =>
  JSON.stringify({ attemptsMade: 1, arrivalTimestamp: T + 60_000, errorCode, errorMessage: 'test', attemptEndingTimestamp: T + 61_000, rawData: data });

let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'tributary-fh-errors-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function run(type: string, lines: string[]) {
  const bucket = new LocalStore(join(dir, 'archive'), 'archive');
  const key = firehoseErrorKey(type, T + 60_000, `tributary-test-1-2026-03-01-10-16-00-${type}`);
  await bucket.put(key, lines.join('\n') + '\n');
  const r = await ingestObject({ store: bucket, key, version: 'v1' }, { archive: bucket, chunkLines: 100, region: REGION, now: () => NOW });
  const docs: Doc[] = [];
  const keys: string[] = [];
  for await (const o of listAll(bucket, 'normalized/')) {
    keys.push(o.key);
    for await (const l of readLines(await bucket.get(o.key))) if (l) docs.push(JSON.parse(l));
  }
  return { r, docs, keys };
}

const reconcile = (t: Doc) => expect((t.received ?? 0) - (t.documents ?? 0) - (t.dropped ?? 0) - (t.failed ?? 0)).toBe(0);

test('the error types: keys parse back to their type; only processing-failed comes before the transform', () => {
  expect(FIREHOSE_ERROR_OUTPUT_TYPES).toEqual(expect.arrayContaining(['processing-failed', 'activePartitionExceeded']));
  for (const type of FIREHOSE_ERROR_OUTPUT_TYPES) {
    const key = firehoseErrorKey(type, T, 'x');
    expect(key.startsWith(FIREHOSE_ERRORS_PREFIX)).toBe(true);
    expect(firehoseErrorType(key)).toBe(type);
    expect(isBeforeTransformErrorType(type)).toBe(type === 'processing-failed');
  }
  expect(firehoseErrorType('errors/firehose-backup/processing-failed/x')).toBeUndefined();
  expect(firehoseErrorType('normalized/source=app/x')).toBeUndefined();
});

describe.each(FIREHOSE_ERROR_OUTPUT_TYPES)('errors/firehose/%s/', (type) => {
  const before = isBeforeTransformErrorType(type);

  test('source records (rawData = the CloudWatch Logs record): the live ids and partitions', async () => {
    expect(live.response.records.map((r) => r.result)).toEqual(['Ok', 'Ok', 'Dropped']);
    const { r, docs, keys } = await run(type, records.map((rec) => errorRecord(rec.data, 'Lambda.ProcessingFailed')));
    const expected = [...liveDocs(0), ...liveDocs(1)];
    expect(liveIds(docs)).toEqual(liveIds(expected));
    expect(expected.length).toBe(4);
    // the same partitions as the transformer's partition keys
    const partitions = keys.map((k) => parseArchiveKey(k)!.partition).sort((a, b) => a.source.localeCompare(b.source));
    expect(partitions).toEqual([live.response.records[1].metadata!.partitionKeys, live.response.records[0].metadata!.partitionKeys]);
    reconcile(r.tally);
    if (before) expect(r.tally).toMatchObject({ received: 5, documents: 4, dropped: 1, failed: 0 });
    else expect(r.tally).toEqual({ received: 0, documents: 0, dropped: 0, failed: 0, objects: 1, recovered: 4 });
  });

  test('transformed records (rawData = the transformer output): archived unchanged, same ids', async () => {
    const { r, docs, keys } = await run(type, [0, 1].map((i) => errorRecord(live.response.records[i].data!, 'DynamicPartitioning.ActivePartitionsLimitExceeded')));
    const expected = [...liveDocs(0), ...liveDocs(1)];
    // byte for byte the transformer's documents (event.ingested included)
    expect(docs.sort((a, b) => a.event.id.localeCompare(b.event.id))).toEqual(expected.sort((a, b) => a.event.id.localeCompare(b.event.id)));
    // partitioned by the same rule; here the envelope times and @timestamps fall in the same hour
    const partitions = keys.map((k) => parseArchiveKey(k)!.partition.source).sort();
    expect(partitions).toEqual(['app', 'vpcflow']);
    for (const k of keys) expect(parseArchiveKey(k)!.partition).toMatchObject({ account: ACCOUNT, year: '2026', month: '03', day: '01', hour: '10' });
    reconcile(r.tally);
    if (before) expect(r.tally).toMatchObject({ received: 4, documents: 4 });
    else expect(r.tally).toMatchObject({ received: 0, documents: 0, recovered: 4 });
  });

  test('an undecodable record is one failure document with the reason and its text, never lost', async () => {
    const { r, docs } = await run(type, [errorRecord(Buffer.concat([Buffer.from([0xff, 0xfe, 0x00]), Buffer.from('neither gzip nor a payload')]).toString('base64'), 'x'), errorRecord(records[0].data, 'x')]);
    const failure = docs.find((d) => d.event.kind === 'pipeline_error')!;
    expect(failure.error).toEqual({ type: 'unusable_record', message: expect.stringMatching(/neither a CloudWatch Logs payload nor Tributary documents/) });
    expect(failure.event.original).toMatch(/^\{"attemptsMade":1/);
    expect(docs.filter((d) => d.event.kind !== 'pipeline_error').map((d) => d.event.id).sort()).toEqual(liveIds(liveDocs(0)));
    reconcile(r.tally);
    expect(r.tally.failed).toBe(1);
  });
});

describe('decodeFirehoseErrorRecord', () => {
  it('tells a source record from transformed output by content, gzip or plain', () => {
    expect(decodeFirehoseErrorRecord(errorRecord(records[0].data, 'x')).kind).toBe('cloudwatch');
    expect(decodeFirehoseErrorRecord(errorRecord(Buffer.from(JSON.stringify(payloads[0])).toString('base64'), 'x')).kind).toBe('cloudwatch');
    const out = decodeFirehoseErrorRecord(errorRecord(live.response.records[1].data!, 'x'));
    expect(out).toMatchObject({ kind: 'documents', arrival: T + 60_000 });
    if (out.kind === 'documents') expect(out.documents.map((d) => d.event.id)).toEqual(liveDocs(1).map((d) => d.event.id));
    const plainDocs = Buffer.from(liveDocs(1).map((d) => JSON.stringify(d)).join('\n') + '\n').toString('base64');
    expect(decodeFirehoseErrorRecord(errorRecord(plainDocs, 'x')).kind).toBe('documents');
  });

  it('refuses what is neither: no rawData, JSON that is not a payload, a document without ids, a bomb', () => {
    expect(() => decodeFirehoseErrorRecord('{"errorCode":"x"}')).toThrow(/without rawData/);
    expect(() => decodeFirehoseErrorRecord('not json')).toThrow(SyntaxError);
    expect(() => decodeFirehoseErrorRecord(errorRecord(Buffer.from('{"a":1}').toString('base64'), 'x'))).toThrow(EnvelopeError);
    const noSource = Buffer.from('{"event":{"id":"1"}}\n{"event":{"id":"2"},"tributary":{"source":"app"}}').toString('base64');
    expect(() => decodeFirehoseErrorRecord(errorRecord(noSource, 'x'))).toThrow(/neither a CloudWatch Logs payload nor Tributary documents/);
    const bomb = gzipSync(Buffer.alloc(2 * 1024 * 1024, 0x61)).toString('base64');
    expect(() => decodeFirehoseErrorRecord(errorRecord(bomb, 'x'), 1024 * 1024)).toThrow(/MAX_DECOMPRESSED_BYTES/);
    const deep = Buffer.from(JSON.stringify({ messageType: 'DATA_MESSAGE', logEvents: Array.from({ length: 60_000 }, () => ({})) })).toString('base64');
    expect(() => decodeFirehoseErrorRecord(errorRecord(deep, 'x'))).toThrow(/JSON objects and arrays/);
  });
});
