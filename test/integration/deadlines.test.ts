/* eslint-disable @typescript-eslint/no-explicit-any -- archived documents are untyped JSON here */
/**
 * Deadlines through real queues and stores (#14 item 6): moto S3 + SQS and OpenSearch 2.19, driven
 * the way Lambda's event source mapping drives the functions (receive, invoke with the batch,
 * delete the successes; the handed-back messages stay until their visibility timeout, unless the
 * use case releases them). The clocks are injected: each look at the time left moves it on.
 */
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { DeleteMessageCommand, type Message, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { gzipSync } from 'node:zlib';
import { INGEST_CHECKPOINT_PREFIX } from '../../lib/core/archive';
import { addTally, type Tally } from '../../lib/core/tally';
import { INDEXER_DEADLINE_MARGIN_MS, indexMessages, type IndexerDeps } from '../../lib/indexer';
import { INGEST_DEADLINE_MARGIN_MS, ingestMessages, type IngestDeps } from '../../lib/ingest';
import { type BulkTransport } from '../../lib/io/bulk';
import { bulkTransport, createOpenSearchClient } from '../../lib/io/opensearch';
import { createS3Client } from '../../lib/io/s3';
import { createSqsReleaseClient, type SqsRecordLike } from '../../lib/io/sqs';
import { albLines, Rng } from '../../samples/generate';
import { countDocs, createBucket, createQueue, drain, dropIndices, installTemplate, listKeys, notify, OPENSEARCH_URL, putNdjsonGz, readNdjson, sqs, uid } from './pipeline-support';

jest.setTimeout(300_000);

const s3 = createS3Client();
const client = sqs();
// The functions' own client for releasing handed-back messages (lib/io/sqs.ts).
const release = createSqsReleaseClient();
const id = uid();
const NOW = new Date('2026-03-01T12:00:00Z');

/** What the event source mapping hands the function: received with a long visibility timeout. */
async function receive(queue: { url: string; arn: string }, atLeast: number, waitSeconds = 2): Promise<{ records: SqsRecordLike[]; messages: Message[] }> {
  const messages: Message[] = [];
  for (let i = 0; i < 5 && messages.length < atLeast; i++) {
    const r = await client.send(
      new ReceiveMessageCommand({ QueueUrl: queue.url, MaxNumberOfMessages: 10, WaitTimeSeconds: waitSeconds, VisibilityTimeout: 600, MessageSystemAttributeNames: ['All'] }),
    );
    messages.push(...(r.Messages ?? []));
  }
  const records = messages.map((m) => ({
    messageId: m.MessageId!,
    body: m.Body!,
    receiptHandle: m.ReceiptHandle!,
    eventSourceARN: queue.arn,
    attributes: { ApproximateReceiveCount: m.Attributes?.ApproximateReceiveCount },
  }));
  return { records, messages };
}

/** Deletes what the function did not hand back, as Lambda does with a partial batch response. */
async function settle(queue: { url: string }, records: SqsRecordLike[], failures: Array<{ itemIdentifier: string }>): Promise<void> {
  const failed = new Set(failures.map((f) => f.itemIdentifier));
  for (const r of records) if (!failed.has(r.messageId)) await client.send(new DeleteMessageCommand({ QueueUrl: queue.url, ReceiptHandle: r.receiptHandle! }));
}

/** Time left of an invocation whose clock moves `stepMs` at each look. */
function stepping(totalMs: number, stepMs: number) {
  let t = 0;
  return { remainingMs: () => ((t += stepMs), totalMs - t + stepMs) };
}

describe('s3ingest: a large object over two deliveries', () => {
  const logs = `dl-logs-${id}`;
  const whole = `dl-whole-${id}`;
  const parts = `dl-parts-${id}`;
  const key = 'AWSLogs/111122223333/elasticloadbalancing/us-east-1/2026/03/01/111122223333_elasticloadbalancing_us-east-1_app.orders-alb.0123_20260301T1000Z_52.1.0.7_dl.log.gz';
  let queue: { url: string; arn: string };

  beforeAll(async () => {
    for (const b of [logs, whole, parts]) await createBucket(s3, b);
    queue = await createQueue(client, `dl-ingest-${id}`);
    await notify(s3, logs, [[queue.arn, '']]);
    await drain(client, queue.url, 0); // moto's s3:TestEvent
  });

  const deps = (archiveBucket: string): IngestDeps => ({ s3, sqs: release, archiveBucket, chunkLines: 100, segmentLines: 500, region: 'us-east-1', now: () => NOW });

  async function archive(bucket: string): Promise<Map<string, any[]>> {
    const out = new Map<string, any[]>();
    for (const k of await listKeys(s3, bucket, 'normalized/')) out.set(k, await readNdjson(s3, bucket, k));
    return out;
  }

  it('stops at the deadline, is redelivered at once, continues from its checkpoint: the archive of one run, counts once', async () => {
    const n = 2350;
    await s3.send(new PutObjectCommand({ Bucket: logs, Key: key, Body: gzipSync(albLines(new Rng(11), n, Date.parse('2026-03-01T10:00:00Z')).join('\n') + '\n') }));

    // 1st delivery: room for 12 looks at the clock (the message, then 11 chunks of 100 lines).
    const first = await receive(queue, 1);
    expect(first.records).toHaveLength(1);
    const out1 = await ingestMessages(first.records, deps(parts), stepping(INGEST_DEADLINE_MARGIN_MS + 12_000, 1_000));
    await settle(queue, first.records, out1.batchItemFailures);
    expect(out1.batchItemFailures).toEqual([{ itemIdentifier: first.records[0].messageId }]);
    expect(out1.results[0]).toMatchObject({ handedBack: 'stopped', error: expect.stringMatching(/^DeadlineReached: .* saved at item 1000 \(next segment 2\)/) });
    expect(out1.releaseErrors).toBeUndefined();
    // Only whole segments are in the archive: 1,000 lines in two objects, nothing of the third.
    const afterFirst = await archive(parts);
    expect([...afterFirst.values()].map((d) => d.length)).toEqual([500, 500]);
    expect(await listKeys(s3, parts, INGEST_CHECKPOINT_PREFIX)).toHaveLength(1);

    // Released: back at once (its visibility timeout was 600 s), as a redelivery.
    const second = await receive(queue, 1);
    expect(second.records.map((r) => [r.messageId, r.attributes?.ApproximateReceiveCount])).toEqual([[first.records[0].messageId, '2']]);
    const out2 = await ingestMessages(second.records, deps(parts), { remainingMs: () => 300_000 });
    await settle(queue, second.records, out2.batchItemFailures);
    expect(out2.batchItemFailures).toEqual([]);
    expect(out2.results[0].objects[0].resumedFrom).toBe(1000);
    expect((await receive(queue, 0, 0)).records).toEqual([]);

    // The same notification in one uninterrupted run, into another archive.
    const once = await ingestMessages(first.records.map((r) => ({ messageId: r.messageId, body: r.body })), deps(whole));
    expect(once.batchItemFailures).toEqual([]);
    const expected = await archive(whole);
    expect(expected.size).toBe(5);
    expect(await archive(parts)).toEqual(expected);
    const counted = addTally(addTally({}, out1.tally), out2.tally) as Tally;
    expect(counted).toEqual({ ...once.tally, objects: 2 });
    expect(counted.received).toBe(n);
    const cp = JSON.parse((await (await s3.send(new GetObjectCommand({ Bucket: parts, Key: (await listKeys(s3, parts, INGEST_CHECKPOINT_PREFIX))[0] }))).Body!.transformToString()));
    expect(cp).toMatchObject({ complete: true, position: n, segment: 5, tally: { received: n } });
  });
});

describe('indexer: a batch that outlasts the invocation', () => {
  const archiveBucket = `dl-arch-${id}`;
  const prefix = `it-dl-${id}`;
  const dir = 'normalized/source=app/account=111122223333/region=us-east-1/year=2026/month=03/day=01/hour=10/';
  let queue: { url: string; arn: string };

  beforeAll(async () => {
    await createBucket(s3, archiveBucket);
    queue = await createQueue(client, `dl-index-${id}`);
    await notify(s3, archiveBucket, [[queue.arn, 'normalized/']]);
    await drain(client, queue.url, 0); // moto's s3:TestEvent
    await installTemplate(prefix);
  });
  afterAll(async () => {
    await dropIndices(prefix);
  });

  it('indexes what fits, hands back the rest, releases only the unstarted message; the retry indexes everything once', async () => {
    const doc = (o: number, i: number) => ({
      '@timestamp': `2026-03-01T10:00:${String(i).padStart(2, '0')}.000Z`,
      event: { id: `${id}-o${o}-d${i}`, dataset: 'app', kind: 'event' },
      message: `object ${o} line ${i}`,
      cloud: { provider: 'aws', account: { id: '111122223333' }, region: 'us-east-1' },
      tributary: { schema_version: '1', source: 'app' },
    });
    for (let o = 0; o < 4; o++) await putNdjsonGz(s3, archiveBucket, `${dir}obj-${o}.ndjson.gz`, Array.from({ length: 25 }, (_, i) => JSON.stringify(doc(o, i))));
    const real = bulkTransport(createOpenSearchClient({ node: OPENSEARCH_URL, auth: 'none', requestTimeoutMs: 30_000 }));
    // Every _bulk request "takes" 50 s of the invocation's clock; one whose time left is shorter times out.
    const clock = { t: 0 };
    const slow: BulkTransport = {
      async send(body, o) {
        if ((o?.timeoutMs ?? Infinity) < 50_000) {
          clock.t += o!.timeoutMs!;
          throw new Error('Request timed out');
        }
        clock.t += 50_000;
        return real.send(body);
      },
    };
    const deps: IndexerDeps = { s3, sqs: release, archiveBucket, transport: slow, indexPrefix: prefix, bulk: { maxBytes: 5 << 20, maxDocs: 2000, maxAttempts: 5, backoffMs: 10 } };

    const batch = await receive(queue, 4);
    expect(batch.records).toHaveLength(4);
    const out = await indexMessages(batch.records, deps, { remainingMs: () => 150_000 - clock.t });
    await settle(queue, batch.records, out.batchItemFailures);
    // 0→50 s, 50→100 s, then 40 s left: the third request is cut to 40 s and times out; the fourth never starts.
    expect(out.results.map((r) => r.handedBack)).toEqual([undefined, undefined, 'stopped', 'unstarted']);
    expect(clock.t).toBeLessThanOrEqual(150_000 - INDEXER_DEADLINE_MARGIN_MS);
    expect(out.tally).toMatchObject({ documents: 75, indexed: 50, failed: 25, dead_lettered: 0 });
    expect(out.releaseErrors).toBeUndefined();

    // The unstarted message is back at once; the interrupted one waits for its visibility timeout.
    const released = await receive(queue, 1);
    expect(released.records.map((r) => r.messageId)).toEqual([batch.records[3].messageId]);
    clock.t = 0;
    const retry = await indexMessages([...released.records, batch.records[2]], { ...deps, transport: real }, { remainingMs: () => 150_000 });
    await settle(queue, released.records, retry.batchItemFailures);
    expect(retry.batchItemFailures).toEqual([]);
    expect(retry.tally).toMatchObject({ documents: 50, indexed: 50, failed: 0 });
    await fetch(`${OPENSEARCH_URL}/${prefix}-*/_refresh`, { method: 'POST' });
    expect(await countDocs(`${prefix}-*`)).toBe(100);
  });
});
