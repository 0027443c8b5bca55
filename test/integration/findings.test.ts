/**
 * Findings end to end (issue #15): EventBridge events put directly into the delivery stream (a
 * Security Hub and a GuardDuty finding delivered by the delegated administrator, a custom record),
 * mixed with a CloudWatch Logs record in ONE Firehose batch → transformer → archive (moto S3) →
 * indexer → real OpenSearch. Counts reconcile at every stage; the same findings read from the S3
 * path (a GuardDuty export under AWSLogs/<admin>/GuardDuty/, a Security Hub export) get the same
 * event ids and OpenSearch _ids, so indexing them adds no document.
 */
import { gzipSync } from 'node:zlib';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { parseArchiveKey } from '../../lib/core/archive';
import { documentId } from '../../lib/core/attribution';
import type { FirehoseTransformEvent } from '../../lib/core/envelopes';

import { indexMessages, type IndexerDeps } from '../../lib/indexer';
import { ingestMessages, type IngestDeps } from '../../lib/ingest';

import { createS3Client } from '../../lib/io/s3';
import { transformFirehose } from '../../lib/transform';
import { meta as guarddutyMeta } from '../../parsers/guardduty';
import { meta as securityhubMeta } from '../../parsers/securityhub';
import { cwlRecord } from '../events/build';
import { allIds, countDocs, drain, dropIndices, firehoseDeliver, os, readNdjson, uid, wirePipeline } from './pipeline-support';

jest.setTimeout(300_000);

const ADMIN = '999988887777'; // the Security Hub / GuardDuty delegated administrator: an aggregator
const MEMBER_SH = '111122223333';
const MEMBER_GD = '444455556666';
const s3 = createS3Client();
const id = uid();
const prefix = `it-find-${id}`;
const archive = `arch-find-${id}`;
const logs = `ingest-find-${id}`;
let q: SQSClient;
let ingestQueue: { url: string; arn: string };
let indexQueue: { url: string; arn: string };
let indexer: IndexerDeps;
let ingest: IngestDeps;

// Real-format events (the parsers' documented examples), as the delegated administrator's EventBridge emits them.
const shEvent = () => {
  const e = JSON.parse(securityhubMeta.examples[0].input as string);
  e.account = ADMIN;
  return e;
};
const gdFinding = () => ({ ...JSON.parse(guarddutyMeta.examples[1].input as string) });
const gdEvent = () => ({ version: '0', id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718', 'detail-type': 'GuardDuty Finding', source: 'aws.guardduty', account: ADMIN, time: '2026-03-02T07:25:03Z', region: 'eu-west-1', resources: [], detail: gdFinding() });
const T = Date.UTC(2026, 2, 4, 5, 7);

beforeAll(async () => {
  ({ q, ingestQueue, indexQueue, indexer } = await wirePipeline(s3, { archive, logs, prefix, tag: `find-${id}`, bulkMaxDocs: 500 }));
  ingest = { s3, archiveBucket: archive, chunkLines: 5000, region: 'eu-west-1', aggregators: [ADMIN], now: () => new Date('2026-03-05T00:00:00Z') };
});

afterAll(async () => {
  await dropIndices(prefix);
});

describe('EventBridge direct PUT → transformer → archive → indexer → OpenSearch', () => {
  let liveIds: { sh: string; gd: string; shId: string; gdId: string };

  it('archives and indexes findings and logs of one mixed Firehose batch; counts reconcile', async () => {
    const event: FirehoseTransformEvent = {
      invocationId: 'findings',
      deliveryStreamArn: `arn:aws:firehose:eu-west-1:${ADMIN}:deliverystream/tributary-test`,
      region: 'eu-west-1',
      records: [
        { recordId: 'sh', approximateArrivalTimestamp: T, data: Buffer.from(JSON.stringify(shEvent())).toString('base64') },
        { recordId: 'cwl', approximateArrivalTimestamp: T, data: cwlRecord('/app/orders', 'web-1', ['order 1 placed', 'order 2 placed', 'order 3 failed'], 7000n, T) },
        { recordId: 'gd', approximateArrivalTimestamp: T, data: Buffer.from(JSON.stringify(gdEvent())).toString('base64') },
        // Not an AWS event: its account is only a claim.
        { recordId: 'custom', approximateArrivalTimestamp: T, data: Buffer.from(JSON.stringify({ 'detail-type': 'GuardDuty Finding', source: 'my.app', account: MEMBER_SH, detail: { note: 'forged' } })).toString('base64') },
      ],
    };
    const out = transformFirehose(event, { responseMaxBytes: 5_500_000, now: new Date('2026-03-05T00:00:00Z'), aggregators: [ADMIN] });
    expect(out.response.records.map((r) => r.result)).toEqual(['Ok', 'Ok', 'Ok', 'Ok']);
    expect(out.tally).toMatchObject({ received: 6, documents: 6, dropped: 0, failed: 0, deferred: 0 });
    expect(out.bySource).toMatchObject({ securityhub: { received: 1, documents: 1 }, guardduty: { received: 1, documents: 1 } });
    const { normalized } = await firehoseDeliver(s3, archive, event, out.response);
    const partitions = normalized.map((k) => parseArchiveKey(k)!.partition);
    expect(partitions).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ source: 'securityhub', account: MEMBER_SH, region: 'eu-west-1', year: '2026', month: '03', day: '04', hour: '05' }),
        expect.objectContaining({ source: 'guardduty', account: MEMBER_GD, region: 'eu-west-1', day: '02', hour: '07' }),
      ]),
    );
    const docs = (await Promise.all(normalized.map((k) => readNdjson(s3, archive, k)))).flat();
    const archived = docs.length;
    expect(archived).toBe(out.tally.documents! + out.tally.failed!);
    const sh = docs.find((d) => d.event.dataset === 'aws.securityhub');
    const gd = docs.find((d) => d.event.dataset === 'aws.guardduty');
    expect(sh).toMatchObject({ event: { kind: 'alert', severity: 70 }, cloud: { account: { id: MEMBER_SH } }, tributary: { attribution: 'aggregator', delivery: { account: ADMIN, region: 'eu-west-1' } } });
    expect(gd).toMatchObject({ event: { kind: 'alert', severity: 80 }, cloud: { account: { id: MEMBER_GD } }, tributary: { attribution: 'aggregator' } });
    const custom = docs.find((d) => d.tributary.attribution === 'unverified');
    expect(custom.tributary.source).toBe('app'); // a custom source is no finding, whatever its detail-type
    liveIds = { sh: documentId(sh)!, gd: documentId(gd)!, shId: sh.event.id, gdId: gd.event.id };

    const res = await indexMessages(await drain(q, indexQueue.url, normalized.length), indexer);
    expect(res.batchItemFailures).toEqual([]);
    expect(res.tally.documents).toBe(archived);
    expect(res.tally.indexed).toBe(archived);
    expect(await countDocs(`${prefix}-*`)).toBe(archived);
    expect(await countDocs(`${prefix}-aws.securityhub-*`)).toBe(1);
    expect(await countDocs(`${prefix}-aws.guardduty-*`)).toBe(1);
    expect(await allIds(`${prefix}-aws.securityhub-*`)).toEqual([liveIds.sh]);
    // Searchable by the mapped fields the dashboards and detections use.
    const high = await os('POST', `/${prefix}-*/_search`, { query: { bool: { filter: [{ term: { 'event.kind': 'alert' } }, { range: { 'event.severity': { gte: 70 } } }] } } });
    expect(high.body.hits.total.value).toBe(2);
  });

  it('gives the same findings from the S3 path (GuardDuty export, Security Hub export) the same ids: no new document', async () => {
    const before = await allIds(`${prefix}-*`);
    const gdKey = `AWSLogs/${ADMIN}/GuardDuty/eu-west-1/2026/03/02/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b.jsonl.gz`;
    await s3.send(new PutObjectCommand({ Bucket: logs, Key: gdKey, Body: gzipSync(JSON.stringify(gdFinding()) + '\n') }));
    const shKey = `securityhub-export/2026-03-04/findings.json`;
    await s3.send(new PutObjectCommand({ Bucket: logs, Key: shKey, Body: JSON.stringify({ Findings: [shEvent().detail.findings[0]] }) }));
    const msgs = await drain(q, ingestQueue.url, 2); // the ingest bucket's notifications, as deployed
    expect(msgs).toHaveLength(2);
    const res = await ingestMessages(msgs, ingest);
    expect(res.batchItemFailures).toEqual([]);
    expect(res.tally).toMatchObject({ received: 2, documents: 2, failed: 0 });
    const outputs = res.results.flatMap((r) => r.objects.flatMap((o) => o.outputs));
    const docs = (await Promise.all(outputs.map((k) => readNdjson(s3, archive, k)))).flat();
    const gd = docs.find((d) => d.event.dataset === 'aws.guardduty');
    const sh = docs.find((d) => d.event.dataset === 'aws.securityhub');
    expect(gd.event.id).toBe(liveIds.gdId);
    expect(documentId(gd)).toBe(liveIds.gd);
    expect(gd.tributary).toMatchObject({ attribution: 'aggregator', delivery: { account: ADMIN, region: 'eu-west-1' } });
    expect(sh.event.id).toBe(liveIds.shId);
    expect(documentId(sh)).toBe(liveIds.sh);
    const idx = await indexMessages(await drain(q, indexQueue.url, outputs.length), indexer);
    expect(idx.batchItemFailures).toEqual([]);
    expect(idx.tally.indexed).toBe(2);
    expect(await allIds(`${prefix}-*`)).toEqual(before);
  });
});
