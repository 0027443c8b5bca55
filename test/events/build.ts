/**
 * Writes the sample Lambda events of this folder (run: `npx tsx test/events/build.ts`). The log
 * lines are our own, written from the formats in the AWS docs (CloudWatch Logs subscription
 * payloads, Firehose data transformation, S3 event notifications, SQS events); see README.md.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const ACCOUNT = '123456789012';
const T0 = Date.UTC(2026, 2, 1, 10, 15, 0); // 2026-03-01T10:15:00Z

/** A CloudWatch Logs subscription payload, gzipped then base64 as Firehose hands it over. */
export function cwlRecord(logGroup: string, logStream: string, messages: string[], firstId: bigint, t0 = T0): string {
  const payload = {
    messageType: 'DATA_MESSAGE',
    owner: ACCOUNT,
    logGroup,
    logStream,
    subscriptionFilters: ['tributary'],
    logEvents: messages.map((message, i) => ({ id: String(firstId + BigInt(i)), timestamp: t0 + i * 1000, message })),
  };
  return gzipSync(JSON.stringify(payload)).toString('base64');
}

const control = gzipSync(
  JSON.stringify({
    messageType: 'CONTROL_MESSAGE',
    owner: 'CloudwatchLogs',
    logGroup: '',
    logStream: '',
    subscriptionFilters: [],
    logEvents: [{ id: '', timestamp: T0, message: 'CWL CONTROL MESSAGE: Checking health of destination Firehose.' }],
  }),
).toString('base64');

const ID = 36960000000000000000000000000000000000000000000000000000n; // 56 digits, like CWL ids

const firehose = {
  invocationId: 'b1a2c3d4-0000-4000-8000-000000000001',
  deliveryStreamArn: `arn:aws:firehose:us-east-1:${ACCOUNT}:deliverystream/tributary`,
  region: 'us-east-1',
  records: [
    {
      recordId: '49546986683135544286507457936321625675700192471156785154000000',
      approximateArrivalTimestamp: T0 + 60_000,
      data: cwlRecord('/aws/lambda/orders-api', '2026/03/01/[$LATEST]0a1b2c3d4e5f60718293a4b5c6d7e8f9', [
        'START RequestId: 8f507cfc-0000-4a6a-9d1c-1f2f0c8f0b11 Version: $LATEST',
        '2026-03-01T10:15:01.120Z\t8f507cfc-0000-4a6a-9d1c-1f2f0c8f0b11\tINFO\torder 1042 accepted',
        'END RequestId: 8f507cfc-0000-4a6a-9d1c-1f2f0c8f0b11',
        'REPORT RequestId: 8f507cfc-0000-4a6a-9d1c-1f2f0c8f0b11\tDuration: 12.34 ms\tBilled Duration: 13 ms\tMemory Size: 256 MB\tMax Memory Used: 71 MB',
      ], ID),
    },
    {
      recordId: '49546986683135544286507457936321625675700192471156785154000001',
      approximateArrivalTimestamp: T0 + 61_000,
      data: cwlRecord('/aws/vpc/flowlogs/prod', 'eni-0a1b2c3d4e5f60718-all', [
        `2 ${ACCOUNT} eni-0a1b2c3d4e5f60718 10.0.1.5 10.0.2.9 49152 443 6 10 5120 1772360100 1772360160 ACCEPT OK`,
        `2 ${ACCOUNT} eni-0a1b2c3d4e5f60718 203.0.113.7 10.0.1.5 51515 22 6 1 40 1772360100 1772360160 REJECT OK`,
      ], ID + 100n),
    },
    {
      recordId: '49546986683135544286507457936321625675700192471156785154000002',
      approximateArrivalTimestamp: T0 + 62_000,
      data: control,
    },
    {
      recordId: '49546986683135544286507457936321625675700192471156785154000003',
      approximateArrivalTimestamp: T0 + 63_000,
      data: cwlRecord('aws-cloudtrail-logs-123456789012', `${ACCOUNT}_CloudTrail_us-east-1`, [
        JSON.stringify({
          eventVersion: '1.09',
          userIdentity: { type: 'IAMUser', principalId: 'AIDAEXAMPLEPRINCIPAL', arn: `arn:aws:iam::${ACCOUNT}:user/alice`, accountId: ACCOUNT, userName: 'alice' },
          eventTime: '2026-03-01T10:14:58Z',
          eventSource: 's3.amazonaws.com',
          eventName: 'CreateBucket',
          awsRegion: 'us-east-1',
          sourceIPAddress: '198.51.100.20',
          userAgent: 'aws-cli/2.15.0',
          requestParameters: { bucketName: 'tributary-sample' },
          responseElements: null,
          eventID: '3f1e9a52-0000-4c1d-8d1e-5b3a2c1d0e9f',
          readOnly: false,
          eventType: 'AwsApiCall',
          recipientAccountId: ACCOUNT,
        }),
      ], ID + 200n),
    },
    {
      // Neither a CloudWatch Logs payload nor a direct-PUT record (JSON or UTF-8 text): three bytes that
      // are no UTF-8, then "Hello World". ProcessingFailed, Firehose keeps the raw data.
      recordId: '49546986683135544286507457936321625675700192471156785154000004',
      approximateArrivalTimestamp: T0 + 64_000,
      data: Buffer.concat([Buffer.from([0xff, 0xfe, 0x00]), Buffer.from('Hello World')]).toString('base64'),
    },
  ],
};

function sqsMessage(messageId: string, body: unknown, queue: string) {
  return {
    messageId,
    receiptHandle: 'AQEBexamplereceipthandle==',
    body: JSON.stringify(body),
    attributes: { ApproximateReceiveCount: '1', SentTimestamp: String(T0), SenderId: 'AIDAEXAMPLESENDER', ApproximateFirstReceiveTimestamp: String(T0) },
    messageAttributes: {},
    md5OfBody: '00000000000000000000000000000000',
    eventSource: 'aws:sqs',
    eventSourceARN: `arn:aws:sqs:us-east-1:${ACCOUNT}:${queue}`,
    awsRegion: 'us-east-1',
  };
}

function s3Notification(bucket: string, key: string, size: number, eTag: string) {
  return {
    Records: [
      {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        awsRegion: 'us-east-1',
        eventTime: new Date(T0 + 300_000).toISOString(),
        eventName: 'ObjectCreated:Put',
        userIdentity: { principalId: 'AWS:AROAEXAMPLEROLE:delivery' },
        requestParameters: { sourceIPAddress: '10.0.0.1' },
        responseElements: { 'x-amz-request-id': 'EXAMPLE123456789', 'x-amz-id-2': 'EXAMPLE/ID2' },
        s3: {
          s3SchemaVersion: '1.0',
          configurationId: 'tributary',
          bucket: { name: bucket, ownerIdentity: { principalId: 'A3EXAMPLEOWNER' }, arn: `arn:aws:s3:::${bucket}` },
          object: { key, size, eTag, sequencer: '0065F1A2B3C4D5E6F7' },
        },
      },
    ],
  };
}

const albKey =
  `AWSLogs/${ACCOUNT}/elasticloadbalancing/us-east-1/2026/03/01/` +
  `${ACCOUNT}_elasticloadbalancing_us-east-1_app.my-alb.50dc6c495c0c9188_20260301T1015Z_10.0.0.1_2x3y4z5w.log.gz`;
const sqsAlb = {
  Records: [
    sqsMessage('059f36b4-87a3-44ab-83d2-661975830a7d', s3Notification('central-elb-logs', albKey, 4096, '9b2cf535f27731c974343645a3985328'), 'tributary-s3ingest'),
    sqsMessage('2e1424d4-f796-459a-8184-9c92662be6da', { Service: 'Amazon S3', Event: 's3:TestEvent', Time: new Date(T0).toISOString(), Bucket: 'central-elb-logs', RequestId: 'EXAMPLE', HostId: 'EXAMPLE' }, 'tributary-s3ingest'),
  ],
};

const archiveKey =
  'normalized/source=vpcflow/account=123456789012/region=us-east-1/year=2026/month=03/day=01/hour=10/' +
  'tributary-1-2026-03-01-10-16-00-2a3b4c5d-0000-4000-8000-000000000001.ndjson.gz';
const sqsArchive = {
  Records: [sqsMessage('7d2b9c1e-5a4f-4e3d-9c8b-1a2b3c4d5e6f', s3Notification('tributary-archive', archiveKey, 2048, 'd41d8cd98f00b204e9800998ecf8427e'), 'tributary-indexer')],
};

const dir = __dirname;
writeFileSync(join(dir, 'firehose-cwl.json'), JSON.stringify(firehose, null, 2) + '\n');
writeFileSync(join(dir, 'sqs-s3-alb.json'), JSON.stringify(sqsAlb, null, 2) + '\n');
writeFileSync(join(dir, 'sqs-archive-object.json'), JSON.stringify(sqsArchive, null, 2) + '\n');
