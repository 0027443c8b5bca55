/**
 * Records Firehose diverts after the transform (past the active-partition limit: errors/firehose/
 * activePartitionExceeded/) on real parts: the error object in moto S3 → the archive bucket's
 * errors/firehose/ notification (as deployed, deploy/archive-bucket.yml) → moto SQS → S3 ingest →
 * normalized/ → indexer → OpenSearch. Every document is indexed once, with the live path's ids, and
 * the counts say `recovered`, not received a second time.
 */
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { firehoseErrorKey, parseArchiveKey } from '../../lib/core/archive';
import { documentId } from '../../lib/core/attribution';
import type { FirehoseTransformEvent } from '../../lib/core/envelopes';
import { indexMessages, type IndexerDeps } from '../../lib/indexer';
import { ingestMessages, type IngestDeps } from '../../lib/ingest';

import { createS3Client } from '../../lib/io/s3';
import { decodeOutputData, transformFirehose } from '../../lib/transform';
import { cwlRecord } from '../events/build';
import { allIds, drain, dropIndices, uid, wirePipeline } from './pipeline-support';

jest.setTimeout(300_000);

const s3 = createS3Client();
const id = uid();
const prefix = `it-fherr-${id}`;
const archive = `arch-fherr-${id}`;
let q: SQSClient;
let ingestQueue: { url: string; arn: string };
let indexQueue: { url: string; arn: string };
let indexer: IndexerDeps;
let ingest: IngestDeps;

beforeAll(async () => {
  ({ q, ingestQueue, indexQueue, indexer } = await wirePipeline(s3, { archive, prefix, tag: `fherr-${id}` }));
  ingest = { s3, archiveBucket: archive, chunkLines: 5000, region: 'us-east-1', now: () => new Date('2026-03-01T12:00:00Z') };
});

afterAll(async () => {
  await dropIndices(prefix);
});

test('records past the active-partition limit come back through S3 ingest and are indexed once, with the live ids', async () => {
  const T = Date.UTC(2026, 2, 1, 10, 30);
  const ev: FirehoseTransformEvent = {
    invocationId: 'apx',
    deliveryStreamArn: 'arn:aws:firehose:us-east-1:123456789012:deliverystream/tributary',
    region: 'us-east-1',
    records: Array.from({ length: 3 }, (_, i) => ({
      recordId: `apx-${i}`,
      approximateArrivalTimestamp: T,
      data: cwlRecord(`/app/partitions-${i}`, 's', Array.from({ length: 20 }, (_, j) => `{"level":"info","msg":"event ${j}"}`), BigInt(1_000 * (i + 1)), T),
    })),
  };
  const live = transformFirehose(ev, { responseMaxBytes: 5_500_000, now: new Date('2026-03-01T12:00:00Z') });
  expect(live.response.records.every((r) => r.result === 'Ok')).toBe(true);
  // Firehose past its limit: the transformed records (their data as Firehose received it) in error records.
  const body = live.response.records
    .map((r) =>
      JSON.stringify({ attemptsMade: 1, arrivalTimestamp: T, errorCode: 'DynamicPartitioning.ActivePartitionsLimitExceeded', errorMessage: 'active partitions', attemptEndingTimestamp: T + 1000, rawData: r.data }),
    )
    .join('\n');
  const key = firehoseErrorKey('activePartitionExceeded', T, `tributary-1-2026-03-01-10-30-00-${id}`);
  await s3.send(new PutObjectCommand({ Bucket: archive, Key: key, Body: body + '\n' }));

  const msgs = await drain(q, ingestQueue.url, 1);
  expect(msgs).toHaveLength(1); // the notification covers every error output type
  const ing = await ingestMessages(msgs, ingest);
  expect(ing.batchItemFailures).toEqual([]);
  const expected = live.tally.documents! + live.tally.failed!;
  expect(ing.tally).toMatchObject({ objects: 1, received: 0, documents: 0, recovered: expected });
  const outputs = ing.results[0].objects[0].outputs;
  for (const k of outputs) expect(parseArchiveKey(k)?.partition).toMatchObject({ source: 'app', account: '123456789012', year: '2026', month: '03', day: '01', hour: '10' });

  const idx = await indexMessages(await drain(q, indexQueue.url, outputs.length), indexer);
  expect(idx.batchItemFailures).toEqual([]);
  expect(idx.tally).toMatchObject({ documents: expected, indexed: expected, dead_lettered: 0 });
  const want = new Set<string>();
  for (const r of live.response.records) for (const l of decodeOutputData(r.data!).split('\n')) if (l) want.add(documentId(JSON.parse(l))!);
  expect((await allIds(`${prefix}-*`)).sort()).toEqual([...want].sort());

  // Once more (SQS redelivery): the same archive objects, still one document per event.
  const again = await ingestMessages(msgs, ingest);
  expect(again.results[0].objects[0].outputs).toEqual(outputs);
  await indexMessages(await drain(q, indexQueue.url, outputs.length), indexer);
  expect((await allIds(`${prefix}-*`)).sort()).toEqual([...want].sort());
});
