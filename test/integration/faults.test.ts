/* eslint-disable @typescript-eslint/no-explicit-any -- OpenSearch answers are untyped JSON */
/**
 * Fault injection against the real OpenSearch and moto, through a small HTTP proxy in the test that
 * forwards to them and misbehaves on purpose:
 * - OpenSearch rejects a share of bulk items with 429 (those items are really NOT indexed: the proxy
 *   removes them from the request and answers 429 in their place), or whole requests with 429/503;
 * - OpenSearch unreachable, then back in the middle of a batch (same invocation, and across SQS retries);
 * - S3 answering 500 to reads, an object body cut in the middle of the stream, a missing object;
 * - a poison SQS message (not an S3 notification) next to a good one, through a real SQS queue with a
 *   redrive policy (moto), so it ends in the DLQ.
 * Every test asserts nothing is lost (each event indexed, or dead-lettered / kept in the DLQ with its
 * reason) and nothing is duplicated (count and ids by `_id`).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
} from '@aws-sdk/client-sqs';
import { gzipSync } from 'node:zlib';
import { documentId } from '../../lib/core/attribution';
import { indexMessages, type IndexerDeps } from '../../lib/indexer';
import { ingestMessages, type IngestDeps } from '../../lib/ingest';
import { bulkTransport, createOpenSearchClient } from '../../lib/io/opensearch';
import { decodeOutputData, transformFirehose } from '../../lib/transform';
import { albLines, cloudWatchPayload, firehoseEvent, Rng, vpcFlowV2 } from '../../samples/generate';
import { allIds, countDocs, createBucket, createQueue, dropIndices, installTemplate, listKeys, OPENSEARCH_URL, readNdjson, sqs, sqsRecord, uid } from './pipeline-support';

jest.setTimeout(300_000);

const id = uid();
const prefix = `it-faults-${id}`;
const archive = `arch-faults-${id}`;
const logs = `logs-faults-${id}`;
const START = Date.UTC(2026, 2, 1, 10);
const REGION = process.env.AWS_REGION ?? 'us-east-1';
const s3 = new S3Client({ forcePathStyle: true });

// ------------------------------------------------------------------------------------------ proxy

interface Forwarded {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** What the proxy does with one request: forward it (optionally rewriting), answer it, or cut it. */
type Fault = (req: { method: string; path: string; body: Buffer }, forward: (body?: Buffer) => Promise<Forwarded>) => Promise<Forwarded | 'reset' | { cutAfter: number; response: Forwarded }>;

/** An HTTP proxy to `target` on 127.0.0.1 that lets each test inject faults. */
class FaultProxy {
  private server?: Server;
  requests = 0;
  constructor(
    private readonly target: string,
    public fault: Fault = (_req, forward) => forward(),
  ) {}

  async start(port = 0): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.listen(port, '127.0.0.1');
    await new Promise<void>((r) => this.server!.once('listening', () => r()));
    return this.url;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    const s = this.server;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((r) => s.close(() => r()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    this.requests++;
    const forward = async (b: Buffer = body): Promise<Forwarded> => {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string' && !['host', 'connection', 'content-length', 'transfer-encoding'].includes(k)) headers[k] = v;
      const r = await fetch(this.target + req.url, { method: req.method, headers, body: req.method === 'GET' || req.method === 'HEAD' ? undefined : b });
      const out: Record<string, string> = {};
      r.headers.forEach((v, k) => {
        if (!['content-length', 'transfer-encoding', 'content-encoding', 'connection'].includes(k)) out[k] = v;
      });
      return { status: r.status, headers: out, body: Buffer.from(await r.arrayBuffer()) };
    };
    try {
      const d = await this.fault({ method: req.method!, path: req.url!, body }, forward);
      if (d === 'reset') return void req.socket.destroy();
      if ('cutAfter' in d) {
        // Announce the whole body, send part of it, then drop the connection (a read failing mid-stream).
        res.writeHead(d.response.status, { ...d.response.headers, 'content-length': String(d.response.body.length) });
        res.write(d.response.body.subarray(0, d.cutAfter));
        setTimeout(() => res.socket?.destroy(), 20);
        return;
      }
      res.writeHead(d.status, { ...d.headers, 'content-length': String(d.body.length) });
      res.end(d.body);
    } catch {
      req.socket.destroy();
    }
  }
}

// ---------------------------------------------------------------------------------------- helpers

/** Normalized VPC documents (through the real transformer), written as one archive object. */
async function archiveObject(name: string, n: number, seed: number): Promise<{ key: string; ids: string[]; eventIds: string[] }> {
  const rng = new Rng(seed);
  const ev = firehoseEvent(rng, [cloudWatchPayload(rng, '/aws/vpc/flow-logs', 's', '111122223333', vpcFlowV2(rng, n, START))]);
  const out = transformFirehose(ev, { responseMaxBytes: Infinity, now: new Date(START) });
  const ndjson = decodeOutputData(out.response.records[0].data!);
  const docs = ndjson.trim().split('\n').map((l) => JSON.parse(l));
  expect(docs).toHaveLength(n);
  const key = `normalized/source=vpcflow/account=111122223333/region=us-east-1/year=2026/month=03/day=01/hour=10/${name}-${id}.ndjson.gz`;
  await s3.send(new PutObjectCommand({ Bucket: archive, Key: key, Body: gzipSync(ndjson) }));
  // `_id`s as the indexer writes them (event.id namespaced by account); the terms queries use event.id.
  return { key, ids: docs.map((d) => documentId(d)!).sort(), eventIds: docs.map((d) => d.event.id as string) };
}

function indexerDeps(node: string, bulk: Partial<IndexerDeps['bulk']> = {}, client: S3Client = s3): IndexerDeps {
  return {
    s3: client,
    archiveBucket: archive,
    transport: bulkTransport(createOpenSearchClient({ node, auth: 'none', requestTimeoutMs: 10_000 })),
    // random = 1: the full backoff every time, so the outage windows below are deterministic.
    bulk: { maxBytes: 5 << 20, maxDocs: 100, maxAttempts: 6, backoffMs: 20, random: () => 1, ...bulk },
    indexPrefix: prefix,
  };
}

const pattern = () => `${prefix}-aws.vpcflow-*`;

/** The ids of one archive object that are in OpenSearch (each `_id` exactly once is the claim). */
async function indexedIds(ids: string[]): Promise<string[]> {
  const all = new Set(await allIds(pattern()));
  return ids.filter((i) => all.has(i));
}

/** A gzip ALB log object in the logs bucket, in the AWS delivery layout. */
async function albObject(name: string, n: number): Promise<string> {
  const key = `AWSLogs/111122223333/elasticloadbalancing/${REGION}/2026/03/01/111122223333_elasticloadbalancing_${REGION}_app.orders.${name}_20260301T1000Z_10.0.0.1_${id}.log.gz`;
  await s3.send(new PutObjectCommand({ Bucket: logs, Key: key, Body: gzipSync(albLines(new Rng(n), n, START).join('\n') + '\n') }));
  return key;
}

const ingestDeps = (client: S3Client): IngestDeps => ({ s3: client, archiveBucket: archive, chunkLines: 200, region: REGION, now: () => new Date(START) });

beforeAll(async () => {
  await createBucket(s3, archive);
  await createBucket(s3, logs);
  await installTemplate(prefix);
});

afterAll(async () => {
  await dropIndices(prefix);
});

// ------------------------------------------------------------------------------------ OpenSearch

describe('faults: OpenSearch', () => {
  it('429 on a share of bulk items: only those are retried, all end indexed exactly once', async () => {
    const { key, ids, eventIds } = await archiveObject('items429', 600, 1);
    const rejectedOnce = new Set<string>();
    let rejected = 0;
    const proxy = new FaultProxy(OPENSEARCH_URL, async (req, forward) => {
      if (!req.path.startsWith('/_bulk')) return forward();
      // Reject every third item the first time it is seen: removed from the request, answered 429.
      const lines = req.body.toString('utf8').split('\n').filter(Boolean);
      const keep: string[] = [];
      const verdict: Array<{ action: any } | null> = [];
      for (let i = 0; i < lines.length; i += 2) {
        const action = JSON.parse(lines[i]);
        const meta = (Object.values(action)[0] as { _id: string; _index: string });
        if ((i / 2) % 3 === 0 && !rejectedOnce.has(meta._id)) {
          rejectedOnce.add(meta._id);
          rejected++;
          verdict.push({ action: { [Object.keys(action)[0]]: { _index: meta._index, _id: meta._id, status: 429, error: { type: 'es_rejected_execution_exception', reason: 'rejected execution (injected)' } } } });
        } else {
          keep.push(lines[i], lines[i + 1]);
          verdict.push(null);
        }
      }
      const res = keep.length ? await forward(Buffer.from(keep.join('\n') + '\n')) : { status: 200, headers: { 'content-type': 'application/json' }, body: Buffer.from('{"took":0,"errors":false,"items":[]}') };
      const body = JSON.parse(res.body.toString('utf8'));
      const items: unknown[] = [];
      let k = 0;
      for (const v of verdict) items.push(v ? v.action : body.items[k++]);
      return { ...res, body: Buffer.from(JSON.stringify({ ...body, errors: true, items })) };
    });
    const node = await proxy.start();
    try {
      const out = await indexMessages([sqsRecord(archive, key)], indexerDeps(node));
      expect(out.batchItemFailures).toEqual([]);
      expect(rejected).toBe(6 * 34); // 6 requests of 100 items, positions 0, 3, ..., 99
      expect(out.tally).toMatchObject({ documents: 600, indexed: 600, dead_lettered: 0, failed: 0 });
      expect(out.tally.retried).toBe(rejected); // each rejected item retried once, nothing else
    } finally {
      await proxy.stop();
    }
    expect(await indexedIds(ids)).toEqual(ids);
    expect(await countDocs(pattern(), { terms: { 'event.id': eventIds } })).toBe(ids.length); // no duplicates
  });

  it('whole-request 429 and 503 answers are retried with backoff until OpenSearch accepts', async () => {
    const { key, ids, eventIds } = await archiveObject('whole503', 300, 2);
    let answered = 0;
    const proxy = new FaultProxy(OPENSEARCH_URL, async (req, forward) => {
      if (req.path.startsWith('/_bulk') && answered < 4) {
        answered++;
        const status = answered % 2 ? 429 : 503;
        return { status, headers: { 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify({ error: { type: status === 429 ? 'too_many_requests' : 'unavailable' }, status })) };
      }
      return forward();
    });
    const node = await proxy.start();
    try {
      const out = await indexMessages([sqsRecord(archive, key)], indexerDeps(node));
      expect(out.batchItemFailures).toEqual([]);
      expect(out.tally).toMatchObject({ documents: 300, indexed: 300, dead_lettered: 0, failed: 0 });
      expect(answered).toBe(4);
    } finally {
      await proxy.stop();
    }
    expect(await indexedIds(ids)).toEqual(ids);
    expect(await countDocs(pattern(), { terms: { 'event.id': eventIds } })).toBe(ids.length);
  });

  it('unreachable in the middle of a batch: a short outage is ridden out, a long one is handed back to SQS and the re-delivery completes it', async () => {
    const short = await archiveObject('outage-short', 500, 3);
    const long = await archiveObject('outage-long', 500, 4);
    let bulks = 0;
    let down = { from: 2, count: 3 }; // bulk requests #2..#4 of the invocation: connection reset
    const proxy = new FaultProxy(OPENSEARCH_URL, async (req, forward) => {
      if (!req.path.startsWith('/_bulk')) return forward();
      bulks++;
      return bulks >= down.from && bulks < down.from + down.count ? 'reset' : forward();
    });
    const node = await proxy.start();
    try {
      const a = await indexMessages([sqsRecord(archive, short.key)], indexerDeps(node));
      expect(a.batchItemFailures).toEqual([]);
      expect(a.tally).toMatchObject({ documents: 500, indexed: 500, failed: 0 });
      expect(a.tally.retried).toBeGreaterThan(0);

      // Longer than the retry budget (3 attempts): the message fails with the documents not yet indexed counted.
      bulks = 0;
      down = { from: 3, count: 1000 };
      const message = sqsRecord(archive, long.key);
      const b = await indexMessages([message], indexerDeps(node, { maxAttempts: 3 }));
      expect(b.batchItemFailures).toEqual([{ itemIdentifier: message.messageId }]);
      expect(b.results[0].error).toMatch(/OpenSearchUnavailable/);
      expect(b.tally.indexed! + b.tally.failed!).toBe(b.tally.documents);
      expect(b.tally.indexed).toBe(200);

      // OpenSearch is back; SQS re-delivers the same message.
      down = { from: Infinity, count: 0 };
      const c = await indexMessages([message], indexerDeps(node));
      expect(c.batchItemFailures).toEqual([]);
      expect(c.tally).toMatchObject({ documents: 500, indexed: 500, failed: 0 });
    } finally {
      await proxy.stop();
    }
    for (const o of [short, long]) {
      expect(await indexedIds(o.ids)).toEqual(o.ids);
      expect(await countDocs(pattern(), { terms: { 'event.id': o.eventIds } })).toBe(o.ids.length);
    }
  });
});

// -------------------------------------------------------------------------------------------- S3

describe('faults: S3 reads', () => {
  const moto = () => process.env.AWS_ENDPOINT_URL!;
  const client = (endpoint: string) => new S3Client({ endpoint, forcePathStyle: true, region: REGION, maxAttempts: 3 });

  async function archived(prefixKey: string): Promise<{ keys: string[]; docs: any[] }> {
    const keys = await listKeys(s3, archive, prefixKey);
    const docs: any[] = [];
    for (const k of keys) docs.push(...(await readNdjson(s3, archive, k)));
    return { keys, docs };
  }

  it('500s on GetObject: retried by the SDK, then by SQS; the archive gets every line once', async () => {
    const key = await albObject('s3-500', 700);
    let fails = 5; // more than one invocation's SDK attempts (3): the first delivery fails
    const proxy = new FaultProxy(moto(), async (req, forward) => {
      if (req.method === 'GET' && req.path.includes('/elasticloadbalancing/') && fails > 0) {
        fails--;
        return { status: 500, headers: { 'content-type': 'application/xml' }, body: Buffer.from('<Error><Code>InternalError</Code><Message>injected</Message></Error>') };
      }
      return forward();
    });
    const endpoint = await proxy.start();
    const message = sqsRecord(logs, key);
    try {
      const first = await ingestMessages([message], ingestDeps(client(endpoint)));
      expect(first.batchItemFailures).toEqual([{ itemIdentifier: message.messageId }]);
      expect(first.results[0].error).toMatch(/InternalError|injected|500/);
      const retry = await ingestMessages([message], ingestDeps(client(endpoint)));
      expect(retry.batchItemFailures).toEqual([]);
      expect(retry.tally).toMatchObject({ received: 700, documents: 700, failed: 0 });
    } finally {
      await proxy.stop();
    }
    const { keys, docs } = await archived('normalized/source=elb/');
    const mine = docs.filter((d) => d.tributary?.s3?.key === key);
    expect(mine).toHaveLength(700);
    expect(new Set(mine.map((d) => d.event.id)).size).toBe(700);
    expect(keys.filter((k) => k.includes('s3-500'))).toHaveLength(1);
  });

  it('a body cut in the middle of the stream: no partial archive object, the retry writes it whole', async () => {
    const key = await albObject('s3-cut', 3000);
    let cut = true;
    const proxy = new FaultProxy(moto(), async (req, forward) => {
      const res = await forward();
      if (req.method === 'GET' && req.path.includes('s3-cut') && cut) {
        cut = false;
        return { cutAfter: Math.floor(res.body.length / 2), response: res };
      }
      return res;
    });
    const endpoint = await proxy.start();
    const message = sqsRecord(logs, key);
    try {
      const first = await ingestMessages([message], { ...ingestDeps(client(endpoint)), chunkLines: 500 });
      expect(first.batchItemFailures).toEqual([{ itemIdentifier: message.messageId }]);
      expect((await listKeys(s3, archive, 'normalized/source=elb/')).filter((k) => k.includes('s3-cut'))).toEqual([]);
      const retry = await ingestMessages([message], { ...ingestDeps(client(endpoint)), chunkLines: 500 });
      expect(retry.batchItemFailures).toEqual([]);
      expect(retry.tally).toMatchObject({ received: 3000, documents: 3000 });
    } finally {
      await proxy.stop();
    }
    const { keys, docs } = await archived('normalized/source=elb/');
    expect(keys.filter((k) => k.includes('s3-cut'))).toHaveLength(1);
    const mine = docs.filter((d) => d.tributary?.s3?.key === key);
    expect(mine).toHaveLength(3000);
    expect(new Set(mine.map((d) => d.event.id)).size).toBe(3000);
  });

  it('a missing object fails its message with the reason and leaves the others of the batch alone', async () => {
    const good = await albObject('s3-good', 50);
    const missing = sqsRecord(logs, good.replace('s3-good', 's3-missing'));
    const ok = sqsRecord(logs, good);
    const out = await ingestMessages([missing, ok], ingestDeps(s3));
    expect(out.batchItemFailures).toEqual([{ itemIdentifier: missing.messageId }]);
    expect(out.results[0].error).toMatch(/NoSuchKey|does not exist|not found/i);
    expect(out.tally).toMatchObject({ received: 50, documents: 50, failed: 0 });
  });
});

// ------------------------------------------------------------------------------------------- SQS

describe('faults: poison message', () => {
  it('goes to the DLQ after its retries with its body intact; the good message is ingested once', async () => {
    const client = sqs();
    const dlq = await createQueue(client, `faults-dlq-${id}`);
    const queue = await createQueue(client, `faults-q-${id}`);
    await client.send(
      new SetQueueAttributesCommand({
        QueueUrl: queue.url,
        Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 2 }), VisibilityTimeout: '30' },
      }),
    );
    const key = await albObject('poison-good', 120);
    const poison = '{"this is":"not an S3 notification","Records":"nope"}';
    await client.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: poison }));
    await client.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: sqsRecord(logs, key).body }));

    // What the Lambda event source mapping does: receive, invoke, delete the successes, let the
    // failures become visible again (here at once) until maxReceiveCount moves them to the DLQ.
    let ingested = 0;
    const reasons: string[] = [];
    for (let round = 0; round < 6; round++) {
      const r = await client.send(new ReceiveMessageCommand({ QueueUrl: queue.url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
      const msgs = r.Messages ?? [];
      if (!msgs.length) break;
      const out = await ingestMessages(msgs.map((m) => ({ messageId: m.MessageId!, body: m.Body! })), ingestDeps(s3));
      ingested += out.tally.documents ?? 0;
      const failed = new Set(out.batchItemFailures.map((f) => f.itemIdentifier));
      for (const res of out.results) if (res.error) reasons.push(res.error);
      for (const m of msgs) {
        if (failed.has(m.MessageId!)) await client.send(new ChangeMessageVisibilityCommand({ QueueUrl: queue.url, ReceiptHandle: m.ReceiptHandle!, VisibilityTimeout: 0 }));
        else await client.send(new DeleteMessageCommand({ QueueUrl: queue.url, ReceiptHandle: m.ReceiptHandle! }));
      }
    }
    expect(ingested).toBe(120);
    expect(reasons.length).toBe(2); // tried maxReceiveCount times, each with its reason
    expect(reasons[0]).toMatch(/not an S3 event notification|S3 notification/);
    const dead = await client.send(new ReceiveMessageCommand({ QueueUrl: dlq.url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
    expect((dead.Messages ?? []).map((m) => m.Body)).toEqual([poison]);
    const left = await client.send(new GetQueueAttributesCommand({ QueueUrl: queue.url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }));
    expect(Number(left.Attributes!.ApproximateNumberOfMessages) + Number(left.Attributes!.ApproximateNumberOfMessagesNotVisible)).toBe(0);
  });
});
