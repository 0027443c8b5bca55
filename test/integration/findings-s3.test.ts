/**
 * Amazon Inspector and AWS Config on real parts (issue #15): a Config delivery-channel history file, an
 * oversized-item notification file and an Inspector JSON findings report delivered to S3 (moto) → S3 notification → SQS → S3 ingest
 * (streamed, split into items without parsing the file) → archive → indexer → OpenSearch 2.19. Counts
 * reconcile per item, ingesting again keeps the ids, and the same finding version from the report and
 * from an EventBridge event put into Firehose is one document.
 */
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { gzipSync } from 'node:zlib';
import { parseArchiveKey } from '../../lib/core/archive';
import { indexMessages, type IndexerDeps } from '../../lib/indexer';
import { ingestMessages, type IngestDeps } from '../../lib/ingest';

import { createS3Client } from '../../lib/io/s3';
import { decodeOutputData, transformFirehose } from '../../lib/transform';
import { configHistoryFile, directPutFirehoseEvent, inspectorFindingEvents, Rng } from '../../samples/generate';
import { allIds, countDocs, drain, dropIndices, firehoseDeliver, readNdjson, uid, wirePipeline } from './pipeline-support';

jest.setTimeout(300_000);

const s3 = createS3Client();
const id = uid();
const prefix = `it-find-${id}`;
const archive = `arch-find-${id}`;
const logs = `ingest-find-${id}`;
const START = Date.UTC(2026, 2, 1, 10);
let q: SQSClient;
let ingestQueue: { url: string; arn: string };
let indexQueue: { url: string; arn: string };
let indexer: IndexerDeps;
let ingest: IngestDeps;

beforeAll(async () => {
  ({ q, ingestQueue, indexQueue, indexer } = await wirePipeline(s3, { archive, logs, prefix, tag: `finds3-${id}`, bulkMaxDocs: 500 }));
  ingest = { s3, archiveBucket: archive, chunkLines: 500, region: 'us-east-1', now: () => new Date('2026-03-01T12:00:00Z') };
});

afterAll(async () => {
  await dropIndices(prefix);
});

describe('AWS Config history file: S3 ingest → archive → OpenSearch', () => {
  const account = '123456789012';
  const key = `AWSLogs/${account}/Config/us-east-1/2026/3/1/ConfigHistory/${account}_Config_us-east-1_ConfigHistory_AWS::EC2::SecurityGroup_20260301T100000Z_20260301T110000Z_1.json.gz`;
  const history = configHistoryFile(new Rng(15), 2_000, START, account, 'us-east-1');
  // One broken item among them (no capture time): one failure, the others documents.
  const file = history.text.replace('"configurationItems":[', '"configurationItems":[{"resourceType":"AWS::S3::Bucket","resourceId":"broken"},');
  let msgs: Array<{ messageId: string; body: string }> = [];
  let outputs: string[] = [];

  it('splits the file into its items, in chunks, and the counts reconcile', async () => {
    await s3.send(new PutObjectCommand({ Bucket: logs, Key: key, Body: gzipSync(file) }));
    msgs = await drain(q, ingestQueue.url, 1);
    const res = await ingestMessages(msgs, ingest);
    expect(res.batchItemFailures).toEqual([]);
    expect(res.tally).toMatchObject({ received: history.items + 1, documents: history.items, dropped: 0, failed: 1 });
    outputs = res.results[0].objects[0].outputs;
    expect(parseArchiveKey(outputs[0])!.partition).toMatchObject({ source: 'config', account, region: 'us-east-1' });
    const docs = (await Promise.all(outputs.map((k) => readNdjson(s3, archive, k)))).flat();
    expect(docs).toHaveLength(history.items + 1);
    expect(docs.filter((d) => d.tributary.attribution === 'delivery' && d.cloud.account.id === account)).toHaveLength(docs.length);
  });

  it('indexes every item; ingesting the file again changes no id', async () => {
    const first = await indexMessages(await drain(q, indexQueue.url, outputs.length), indexer);
    expect(first.batchItemFailures).toEqual([]);
    const pattern = `${prefix}-aws.config-*`;
    expect(await countDocs(pattern)).toBe(history.items + 1);
    expect(await countDocs(pattern, { term: { 'event.kind': 'state' } })).toBe(history.items);
    const ids = await allIds(pattern);
    await ingestMessages(msgs, ingest);
    await indexMessages(await drain(q, indexQueue.url, outputs.length), indexer);
    expect(await allIds(pattern)).toEqual(ids);
  });
});

describe('AWS Config oversized-item notification file', () => {
  it('is one document however it is laid out (pretty-printed over many lines)', async () => {
    const account = '123456789012';
    const key = `AWSLogs/${account}/Config/us-east-1/2026/3/1/OversizedChangeNotification/AWS::IAM::Policy/ANPAEXAMPLE0001/${account}_Config_us-east-1_ChangeNotification_AWS::IAM::Policy_ANPAEXAMPLE0001_20260301T100000Z_1772359200000.json.gz`;
    const item = JSON.parse(configHistoryFile(new Rng(18), 1, START, account, 'us-east-1').text).configurationItems[0];
    const notification = { configurationItemDiff: { changedProperties: {}, changeType: 'UPDATE' }, configurationItem: item, notificationCreationTime: '2026-03-01T10:00:01.000Z', messageType: 'ConfigurationItemChangeNotification', recordVersion: '1.3' };
    await s3.send(new PutObjectCommand({ Bucket: logs, Key: key, Body: gzipSync(JSON.stringify(notification, null, 2)) }));
    const res = await ingestMessages(await drain(q, ingestQueue.url, 1), ingest);
    expect(res.tally).toMatchObject({ received: 1, documents: 1, failed: 0 });
    const [doc] = await readNdjson(s3, archive, res.results[0].objects[0].outputs[0]);
    expect(doc.aws.config).toMatchObject({ message_type: 'ConfigurationItemChangeNotification', resource_id: item.resourceId });
    await drain(q, indexQueue.url, 1);
  });
});

describe('Inspector: the JSON report through S3 ingest and the EventBridge event through Firehose', () => {
  const account = '111122223333';
  const events = inspectorFindingEvents(new Rng(16), 40, START, account, 'us-east-1');
  const findings = events.map((e) => (JSON.parse(e) as { detail: unknown }).detail);
  // The report is written under the exporter's own prefix: no AWS layout, detected by its content.
  const key = `inspector/reports/${id}.json`;

  it('splits the report into its findings and indexes them; the same finding from EventBridge is the same document', async () => {
    await s3.send(new PutObjectCommand({ Bucket: logs, Key: key, Body: Buffer.from(JSON.stringify({ findings }, null, 2)) }));
    const res = await ingestMessages(await drain(q, ingestQueue.url, 1), ingest);
    expect(res.tally).toMatchObject({ received: findings.length, documents: findings.length, failed: 0 });
    expect(parseArchiveKey(res.results[0].objects[0].outputs[0])!.partition.source).toBe('inspector');
    await indexMessages(await drain(q, indexQueue.url, res.results[0].objects[0].outputs.length), indexer);
    const pattern = `${prefix}-aws.inspector-*`;
    expect(await countDocs(pattern)).toBe(findings.length);
    const wanted = findings.filter((f) => {
      const x = f as { severity: string; fixAvailable?: string; status: string };
      return x.severity === 'CRITICAL' && x.fixAvailable === 'YES' && x.status === 'ACTIVE';
    }).length;
    expect(await countDocs(pattern, { query_string: { query: 'vulnerability.severity:CRITICAL AND aws.inspector.fix_available:YES AND aws.inspector.status:ACTIVE' } })).toBe(wanted);
    const ids = await allIds(pattern);

    // The first five findings again, as EventBridge puts them into the Firehose stream.
    const event = directPutFirehoseEvent(new Rng(17), events.slice(0, 5), 'us-east-1', START);
    const out = transformFirehose(event, { responseMaxBytes: 6_000_000, now: new Date('2026-03-01T12:00:00Z') });
    expect(out.response.records.every((r) => r.result === 'Ok')).toBe(true);
    const live = out.response.records.map((r) => JSON.parse(decodeOutputData(r.data!).trim()) as { event: { id: string; dataset: string } });
    expect(live.map((d) => d.event.dataset)).toEqual(Array(5).fill('aws.inspector'));
    const keys = await firehoseDeliver(s3, archive, event, out.response);
    await indexMessages(await drain(q, indexQueue.url, keys.normalized.length), indexer);
    expect(await countDocs(pattern)).toBe(findings.length);
    expect(await allIds(pattern)).toEqual(ids);
  });
});
