/**
 * S3 ingest: notification decoding (SQS-wrapped S3 events, test events, URL-encoded keys),
 * streaming line reads, VPC header handling and which objects are skipped. The end-to-end path
 * against moto S3 is in test/integration/pipeline.test.ts.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { ignoreReason } from '../../lib/ingest';
import { headerFormat as vpcHeaderFormat } from '../../parsers/vpcflow-format';
import { decodeS3Key, parseS3Notification, readLines } from '../../lib/io/s3';
import { invokeLocal } from '../events/invoke';

const events = join(__dirname, '../events');
const corpus = join(__dirname, '../../../shared/corpus/envelopes');

const notification = (key: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    Records: [
      {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        awsRegion: 'us-east-1',
        eventName: 'ObjectCreated:Put',
        s3: { bucket: { name: 'logs-bucket' }, object: { key, size: 10, eTag: '"abc123"', sequencer: '01', ...extra } },
      },
    ],
  });

async function collect(it: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const l of it) out.push(l);
  return out;
}

/** A stream delivering `buf` in small pieces, as S3 does, so boundaries fall inside lines and gzip headers. */
const chunked = (buf: Buffer, size = 7) => Readable.from((function* () {
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
})());

describe('S3 notifications', () => {
  it('decodes the sample SQS event: one object, and the test event ignored', () => {
    const ev = JSON.parse(readFileSync(join(events, 'sqs-s3-alb.json'), 'utf8'));
    const first = parseS3Notification(ev.Records[0].body);
    expect(first.objects).toHaveLength(1);
    expect(first.objects[0]).toMatchObject({ bucket: 'central-elb-logs', version: '9b2cf535f27731c974343645a3985328', eventName: 'ObjectCreated:Put' });
    expect(first.objects[0].key).toMatch(/^AWSLogs\/123456789012\/elasticloadbalancing\/us-east-1\//);
    expect(parseS3Notification(ev.Records[1].body)).toEqual({ objects: [], ignored: 1 });
  });

  it('URL-decodes keys, + meaning space', () => {
    expect(decodeS3Key('a+b%2Bc%3D1%2F2')).toBe('a b+c=1/2');
    expect(decodeS3Key('bad%ZZ+x')).toBe('bad%ZZ x');
    expect(parseS3Notification(notification('logs/My+File%281%29.log')).objects[0].key).toBe('logs/My File(1).log');
  });

  it('prefers the version id, else the ETag without quotes', () => {
    expect(parseS3Notification(notification('k')).objects[0].version).toBe('abc123');
    expect(parseS3Notification(notification('k', { versionId: 'v-42' })).objects[0].version).toBe('v-42');
  });

  it('ignores non-create events, unwraps SNS, rejects what is not a notification', () => {
    const removed = notification('k').replace('ObjectCreated:Put', 'ObjectRemoved:Delete');
    expect(parseS3Notification(removed)).toEqual({ objects: [], ignored: 1 });
    const sns = JSON.stringify({ Type: 'Notification', MessageId: 'x', Message: notification('a+b') });
    expect(parseS3Notification(sns).objects[0].key).toBe('a b');
    expect(() => parseS3Notification('{"hello":1}')).toThrow(/not an S3 event notification/);
    expect(() => parseS3Notification('not json')).toThrow();
  });

  (existsSync(corpus) ? it : it.skip)('reads the published SQS-wrapped S3 examples (corpus)', () => {
    const ev = JSON.parse(readFileSync(join(corpus, 'powertools-lambda-python/s3SqsEvent.json'), 'utf8'));
    const n = parseS3Notification(ev.Records[0].body);
    expect(n.objects).toEqual([{ bucket: 'xxx', key: 'test.pdf', version: 'yd3d4HaWOT2zguDLvIQLU6ptDTwKBnQV', size: 104681, eventName: 'ObjectCreated:Put' }]);
    const decoded = JSON.parse(readFileSync(join(corpus, 'powertools-lambda-typescript/s3-decoded-key.json'), 'utf8'));
    const o = decoded.Records[0].s3.object;
    expect(decodeS3Key(o.key)).toBe(o.urlDecodedKey);
  });
});

describe('readLines', () => {
  it('reads plain text with LF and CRLF, without a phantom last line', async () => {
    expect(await collect(readLines(chunked(Buffer.from('a\r\nb\n\nc\n'))))).toEqual(['a', 'b', '', 'c']);
  });

  it('reads every member of concatenated gzip streams', async () => {
    const body = Buffer.concat([gzipSync('one\ntwo\n'), gzipSync('three\n'), gzipSync('four')]);
    expect(await collect(readLines(chunked(body, 5)))).toEqual(['one', 'two', 'three', 'four']);
  });

  it('streams large gzip objects line by line', async () => {
    const n = 200_000;
    const text = Array.from({ length: n }, (_, i) => `line ${i}`).join('\n');
    let count = 0;
    let last = '';
    for await (const l of readLines(chunked(gzipSync(text), 64 * 1024))) {
      count++;
      last = l;
    }
    expect(count).toBe(n);
    expect(last).toBe(`line ${n - 1}`);
  });

  it('handles empty and one-byte objects', async () => {
    expect(await collect(readLines(Readable.from([])))).toEqual([]);
    expect(await collect(readLines(Readable.from([Buffer.from('x')])))).toEqual(['x']);
  });
});

describe('object selection', () => {
  it('turns a VPC Flow Logs header into a LogFormat for later chunks', () => {
    expect(vpcHeaderFormat('version account-id interface-id srcaddr dstaddr')).toBe('${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr}');
    expect(vpcHeaderFormat('2 123456789012 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 40 1 2 ACCEPT OK')).toBeUndefined();
    expect(vpcHeaderFormat('hello world')).toBeUndefined();
  });

  it('skips its own archive output and CloudTrail digests, not delivered logs', () => {
    expect(ignoreReason({ bucket: 'arch', key: 'normalized/source=elb/x' }, 'arch')).toBe('archive output');
    expect(ignoreReason({ bucket: 'arch', key: 'errors/indexer/x' }, 'arch')).toBe('archive output');
    expect(ignoreReason({ bucket: 'arch', key: 'errors/firehose/processing-failed/2026/x' }, 'arch')).toBeUndefined();
    expect(ignoreReason({ bucket: 'other', key: 'normalized/x' }, 'arch')).toBeUndefined();
    expect(ignoreReason({ bucket: 'ct', key: 'AWSLogs/123456789012/CloudTrail-Digest/us-east-1/2026/03/01/x.json.gz' }, 'arch')).toBe('CloudTrail digest file');
    expect(ignoreReason({ bucket: 'ct', key: 'AWSLogs/123456789012/CloudTrail/us-east-1/2026/03/01/x.json.gz' }, 'arch')).toBeUndefined();
  });
});

describe('s3ingest handler (real Node process)', () => {
  it('ignores the S3 test event, fails a message that is not a notification, and keeps the identity', () => {
    const ev = JSON.parse(readFileSync(join(events, 'sqs-s3-alb.json'), 'utf8'));
    const garbage = { ...ev.Records[1], messageId: 'garbage-1', body: '{"not":"an s3 event"}' };
    const inv = invokeLocal('s3ingest', { Records: [ev.Records[1], garbage] }, { ARCHIVE_BUCKET: 'tributary-archive', AWS_REGION: 'us-east-1' });
    expect(inv.error).toBeUndefined();
    expect(inv.result).toEqual({ batchItemFailures: [{ itemIdentifier: 'garbage-1' }] });
    const m = inv.metrics[0] as Record<string, number>;
    expect(m.ignored_objects).toBe(1);
    expect(inv.logs.some((l) => l.message === 'message failed, SQS will retry it' && l.messageId === 'garbage-1')).toBe(true);
  });

  it('refuses to start without ARCHIVE_BUCKET', () => {
    const inv = invokeLocal('s3ingest', { Records: [] }, { ARCHIVE_BUCKET: undefined });
    expect(inv.error).toMatch(/ARCHIVE_BUCKET is required/);
  });
});
