/* eslint-disable @typescript-eslint/no-explicit-any -- untyped JSON from OpenSearch */
/**
 * No account can overwrite another account's documents, in real OpenSearch 2.19: a member account
 * replays a real CloudTrail event (same `eventID`) claiming the victim's account. Both payloads go
 * the live way — Firehose transformer → archive in (moto) S3 → indexer `_bulk` — and the forged one
 * must end as a second document, attributed to its owner and flagged, while the real one is unchanged.
 *
 * Formats: CloudWatch Logs subscription payload (CloudWatch Logs docs, "Subscription filters"
 * example payload); CloudTrail record ("CloudTrail record contents"); Firehose data-transformation
 * event ("Transform source data in Amazon Data Firehose").
 */
import { gzipSync } from 'node:zlib';
import type { FirehoseTransformEvent } from '../../lib/core/envelopes';
import { indexMessages, type IndexerDeps } from '../../lib/indexer';
import { bulkTransport, createOpenSearchClient } from '../../lib/io/opensearch';
import { createS3Client } from '../../lib/io/s3';
import { transformFirehose } from '../../lib/transform';
import { consoleLoginRecord } from '../helpers/cloudtrail-records';
import { createBucket, dropIndices, firehoseDeliver, installTemplate, OPENSEARCH_URL, os, sqsRecord, uid } from './pipeline-support';

jest.setTimeout(120_000);

const s3 = createS3Client();
const id = uid();
const prefix = `it-attr-${id}`;
const archive = `arch-attr-${id}`;
const VICTIM = '111122223333';
const MEMBER = '444455556666';
const EVENT_ID = `fed06f42-cb12-4764-8c69-${id}abcd`;

const record = (recipient: string, sourceIp: string) => consoleLoginRecord({ recipient, eventID: EVENT_ID, sourceIp });

function firehoseEvent(owner: string, message: string, n: number): FirehoseTransformEvent {
  const payload = {
    messageType: 'DATA_MESSAGE',
    owner,
    logGroup: 'aws-cloudtrail-logs',
    logStream: `${owner}_CloudTrail_us-east-1`,
    subscriptionFilters: ['tributary'],
    logEvents: [{ id: `3195310660696698337880902507980421114328961542429822156${n}`, timestamp: 1772360674000, message }],
  };
  return {
    invocationId: `inv-${n}`,
    deliveryStreamArn: 'arn:aws:firehose:us-east-1:999988887777:deliverystream/tributary',
    region: 'us-east-1',
    records: [{ recordId: `r${n}`, approximateArrivalTimestamp: 1772360675000, data: gzipSync(JSON.stringify(payload)).toString('base64') }],
  };
}

let indexer: IndexerDeps;

async function deliver(owner: string, message: string, n: number): Promise<void> {
  const ev = firehoseEvent(owner, message, n);
  const out = transformFirehose(ev, { responseMaxBytes: 5_500_000, now: new Date('2026-03-01T12:00:00Z') });
  const { normalized } = await firehoseDeliver(s3, archive, ev, out.response);
  const res = await indexMessages(normalized.map((k) => sqsRecord(archive, k)), indexer);
  expect(res.batchItemFailures).toEqual([]);
  expect(res.tally.indexed).toBe(1);
  await os('POST', `/${prefix}-*/_refresh`);
}

const byEventId = async () =>
  (await os('POST', `/${prefix}-*/_search`, { query: { term: { 'event.id': EVENT_ID } }, sort: [{ 'source.ip': 'asc' }] })).body.hits.hits as Array<{
    _id: string;
    _source: Record<string, any>;
  }>;

beforeAll(async () => {
  await createBucket(s3, archive);
  await installTemplate(prefix);
  indexer = {
    s3,
    archiveBucket: archive,
    transport: bulkTransport(createOpenSearchClient({ node: OPENSEARCH_URL, auth: 'none', requestTimeoutMs: 10_000 })),
    bulk: { maxBytes: 5 << 20, maxDocs: 500, maxAttempts: 3, backoffMs: 10 },
    indexPrefix: prefix,
  };
});

afterAll(async () => {
  await dropIndices(prefix);
});

test('a forged record with a real eventID from another owner is a second document; the real one is unchanged', async () => {
  await deliver(VICTIM, record(VICTIM, '192.0.2.10'), 1);
  const [real] = await byEventId();
  expect(real._source.cloud.account.id).toBe(VICTIM);
  expect(real._source.tributary.attribution).toBe('delivery');

  // The member account claims to be the victim, with the victim's eventID and another source IP.
  await deliver(MEMBER, record(VICTIM, '198.51.100.7'), 2);
  const hits = await byEventId();
  expect(hits).toHaveLength(2);
  const [stillReal, forged] = hits;
  expect(stillReal).toEqual(real); // same _id, same source: not overwritten
  expect(forged._id).not.toBe(real._id);
  expect(forged._source.cloud.account.id).toBe(MEMBER);
  expect(forged._source.tributary).toMatchObject({ attribution: 'mismatch', delivery: { account: MEMBER }, claimed: { account: VICTIM } });
  expect(forged._source.tags).toContain('attribution_mismatch');

  // Claiming to be itself does not reach the victim's document either.
  await deliver(MEMBER, record(MEMBER, '198.51.100.8'), 3);
  expect(await byEventId()).toHaveLength(3);
  expect((await byEventId())[0]).toEqual(real);

  // The real event delivered again (a Firehose retry) overwrites itself only: still three.
  await deliver(VICTIM, record(VICTIM, '192.0.2.10'), 1);
  expect(await byEventId()).toHaveLength(3);
});
