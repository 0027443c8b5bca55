/** Indexer handler start-up and message selection (no OpenSearch needed); the data path is in test/integration/indexer.test.ts. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { invokeLocal } from '../events/invoke';

const sample = JSON.parse(readFileSync(join(__dirname, '../events/sqs-archive-object.json'), 'utf8'));

describe('indexer handler (real Node process)', () => {
  it('refuses to start without its configuration, naming each missing variable', () => {
    const inv = invokeLocal('indexer', sample, { ARCHIVE_BUCKET: undefined, OPENSEARCH_URL: undefined, OPENSEARCH_ENDPOINT: undefined });
    expect(inv.error).toMatch(/ARCHIVE_BUCKET is required/);
    expect(inv.error).toMatch(/OPENSEARCH_URL or OPENSEARCH_ENDPOINT is required/);
  });

  it('skips objects outside normalized/ and test events without touching S3 or OpenSearch', () => {
    const body = JSON.parse(sample.Records[0].body);
    body.Records[0].s3.object.key = 'raw/firehose/year=2026/month=03/day=01/hour=10/x.gz';
    const ev = {
      Records: [
        { ...sample.Records[0], body: JSON.stringify(body) },
        { ...sample.Records[0], messageId: 'test-event', body: JSON.stringify({ Service: 'Amazon S3', Event: 's3:TestEvent' }) },
      ],
    };
    const inv = invokeLocal('indexer', ev, { ARCHIVE_BUCKET: 'tributary-archive', OPENSEARCH_URL: 'http://127.0.0.1:9', AWS_REGION: 'us-east-1' });
    expect(inv.error).toBeUndefined();
    expect(inv.result).toEqual({ batchItemFailures: [] });
    expect((inv.metrics[0] as Record<string, number>).ignored_objects).toBe(2);
  });

  it('hands every message back untouched when the invocation is already within its deadline margin', () => {
    const ev = { Records: [sample.Records[0], { ...sample.Records[0], messageId: 'second' }] };
    const inv = invokeLocal('indexer', ev, {
      ARCHIVE_BUCKET: 'tributary-archive',
      OPENSEARCH_URL: 'http://127.0.0.1:9',
      AWS_REGION: 'us-east-1',
      // 5 s left, under the 10 s margin: nothing may start. SQS is unreachable, so releasing them early fails (logged).
      TRIBUTARY_TEST_REMAINING_MS: '5000',
      AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
      AWS_ACCESS_KEY_ID: 'x',
      AWS_SECRET_ACCESS_KEY: 'x',
      AWS_MAX_ATTEMPTS: '1',
    });
    expect(inv.error).toBeUndefined();
    expect(inv.result).toEqual({ batchItemFailures: [{ itemIdentifier: sample.Records[0].messageId }, { itemIdentifier: 'second' }] });
    const handedBack = inv.logs.filter((l) => l.message === 'message handed back before the deadline, SQS will deliver it again');
    expect(handedBack.map((l) => l.handedBack)).toEqual(['unstarted', 'unstarted']);
    expect(inv.logs.some((l) => l.message === 'message failed, SQS will retry it')).toBe(false);
    expect(inv.logs.some((l) => String(l.message).startsWith('handed-back messages not released early'))).toBe(true);
    expect(inv.logs.find((l) => l.message === 'invocation summary')).toMatchObject({ counts: {}, messages: 2, failedMessages: 2 });
  });
});
