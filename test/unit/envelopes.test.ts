import { gzipSync } from 'node:zlib';
import { cloudWatchBatch, contextFromS3Key, decodeCloudWatchPayload, EnvelopeError, s3ObjectBatch, splitLines } from '../../lib/core/envelopes';
import { decodeInput } from '../../lib/core/inputs';

// Shape from the CloudWatch Logs docs ("Subscription filters", example payload).
const payload = {
  messageType: 'DATA_MESSAGE',
  owner: '111111111111',
  logGroup: 'CloudTrail/logs',
  logStream: '111111111111_CloudTrail/logs_us-east-1',
  subscriptionFilters: ['Destination'],
  logEvents: [
    { id: '31953106606966983378809025079804211143289615424298221568', timestamp: 1432826855000, message: '{"eventVersion":"1.03"}' },
  ],
};
const control = {
  messageType: 'CONTROL_MESSAGE', owner: 'CloudwatchLogs', logGroup: '', logStream: '', subscriptionFilters: [],
  logEvents: [{ id: '', timestamp: 1600110003794, message: 'CWL CONTROL MESSAGE: Checking health of destination Firehose.' }],
};

test('gzipped and plain payloads decode the same', () => {
  const raw = Buffer.from(JSON.stringify(payload));
  expect(decodeCloudWatchPayload(gzipSync(raw))).toEqual(payload);
  expect(decodeCloudWatchPayload(raw)).toEqual(payload);
});

test('garbage is an EnvelopeError, not a crash', () => {
  expect(() => decodeCloudWatchPayload(Buffer.from([0x1f, 0x8b, 1, 2, 3]))).toThrow(EnvelopeError);
  expect(() => decodeCloudWatchPayload(Buffer.from('{"a":1}'))).toThrow(EnvelopeError);
  expect(() => decodeCloudWatchPayload(Buffer.from('nope'))).toThrow(EnvelopeError);
});

test('data messages become a batch keyed by log group and event id; control messages none', () => {
  const b = cloudWatchBatch(payload, 'us-east-1')!;
  expect(b.context).toEqual({ logGroup: 'CloudTrail/logs', logStream: payload.logStream, account: '111111111111', region: 'us-east-1' });
  expect(b.events[0]).toEqual({ message: '{"eventVersion":"1.03"}', key: `CloudTrail/logs/${payload.logEvents[0].id}`, timestamp: 1432826855000 });
  expect(cloudWatchBatch(control)).toBeNull();
});

test('S3 keys in the AWS delivery layout give account and region', () => {
  expect(contextFromS3Key('b', 'AWSLogs/123456789012/elasticloadbalancing/us-east-2/2026/03/01/x.log.gz')).toMatchObject({
    account: '123456789012', region: 'us-east-2',
  });
  expect(contextFromS3Key('b', 'AWSLogs/o-aa11bb22cc/123456789012/CloudTrail/eu-west-1/2026/03/01/x.json.gz').account).toBe('123456789012');
  expect(contextFromS3Key('b', 'random/key').account).toBeUndefined();
});

test('S3 objects: CloudTrail files expand to records, text to lines, ids by position', () => {
  const ct = s3ObjectBatch('b', 'k', 'e1', gzipSync(JSON.stringify({ Records: [{ a: 1 }, { b: 2 }] })));
  expect(ct.events.map((e) => e.key)).toEqual(['s3://b/k#e1:0', 's3://b/k#e1:1']);
  const text = s3ObjectBatch('b', 'k', 'e1', Buffer.from('l1\r\nl2\n'));
  expect(text.events.map((e) => e.message)).toEqual(['l1', 'l2']);
  expect(splitLines('a\n\nb')).toEqual(['a', '', 'b']);
});

test('decodeInput recognises Firehose events, payloads, CloudTrail files and lines', () => {
  const fh = {
    invocationId: 'i', deliveryStreamArn: 'arn', region: 'us-east-1',
    records: [
      { recordId: '1', approximateArrivalTimestamp: 0, data: gzipSync(JSON.stringify(payload)).toString('base64') },
      { recordId: '2', approximateArrivalTimestamp: 0, data: gzipSync(JSON.stringify(control)).toString('base64') },
      // Text is a direct-PUT record (lib/core/direct-put.ts): a batch of its own, its account unverified.
      { recordId: '3', approximateArrivalTimestamp: 0, data: Buffer.from('not gzip').toString('base64') },
      { recordId: '4', approximateArrivalTimestamp: 0, data: Buffer.from([0xff, 0xfe, 0x00, 0x01]).toString('base64') },
    ],
  };
  const d = decodeInput(Buffer.from(JSON.stringify(fh)), 'fh.json');
  expect(d.kind).toBe('firehose');
  expect(d.batches).toHaveLength(2);
  expect(d.batches[1]).toMatchObject({ context: { local: true }, events: [{ message: 'not gzip' }] });
  expect(d.dropped).toBe(1);
  expect(d.unusable).toHaveLength(1);
  expect(decodeInput(gzipSync(JSON.stringify(payload)), 'p').kind).toBe('cloudwatch');
  expect(decodeInput(Buffer.from(JSON.stringify({ Records: [{}, {}] })), 'ct').batches[0].events).toHaveLength(2);
  const lines = decodeInput(Buffer.from('{"a":1}\n{"b":2}\n'), 'nd');
  expect(lines.kind).toBe('lines');
  expect(lines.batches[0].events.map((e) => e.key)).toEqual(['nd:1', 'nd:2']);
  const s3path = decodeInput(Buffer.from('x\n'), '/tmp/AWSLogs/123456789012/vpcflowlogs/us-west-2/2026/01/01/f.log');
  // A local path is no AWS delivery: its account is only a claim.
  expect(s3path.batches[0].context).toEqual({ account: '123456789012', region: 'us-west-2', local: true });
});
