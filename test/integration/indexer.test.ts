/**
 * The indexer against real OpenSearch 2.19 and moto S3: dead letters for mapping conflicts, an
 * OpenSearch outage (before and in the middle of a message) reported as batch item failures with
 * nothing lost once it is back, merge-on-index of an event split across two archive objects, and
 * the accounting identity documents = indexed + dead_lettered + failed.
 */
import { once } from 'node:events';
import { createServer, type Server, type Socket, connect } from 'node:net';
import { deadLetterKey, parseArchiveKey } from '../../lib/core/archive';
import { indexMessages, type IndexerDeps } from '../../lib/indexer';
import { bulkTransport, createOpenSearchClient } from '../../lib/io/opensearch';
import { createS3Client } from '../../lib/io/s3';
import { invocationMetrics, invokeLocal } from '../events/invoke';
import {
  countDocs,
  createBucket,
  dropIndices,
  installTemplate,
  listKeys,
  OPENSEARCH_URL,
  os,
  putNdjsonGz,
  readNdjson,
  serviceEnv,
  sqsRecord,
  uid,
} from './pipeline-support';

jest.setTimeout(300_000);

const s3 = createS3Client();
const id = uid();
const prefix = `it-idx-${id}`;
const archive = `arch-idx-${id}`;

const KEY_DIR = 'normalized/source=vpcflow/account=123456789012/region=us-east-1/year=2026/month=03/day=01/hour=10/';

/** A valid normalized document (hand-built: indexer tests must not depend on parsers). */
function doc(n: number, extra: Record<string, unknown> = {}) {
  return {
    '@timestamp': `2026-03-01T10:${String(n % 60).padStart(2, '0')}:00.000Z`,
    event: { id: `${id}-doc-${n}`, dataset: 'aws.vpcflow', kind: 'event' },
    source: { ip: '10.0.1.5', port: 40000 + n },
    destination: { ip: '10.0.2.9', port: 443 },
    cloud: { provider: 'aws', account: { id: '123456789012' }, region: 'us-east-1' },
    ecs: { version: '8.11.0' },
    tributary: { schema_version: '1', source: 'vpcflow' },
    ...extra,
  };
}

function deps(node: string, overrides: Partial<IndexerDeps['bulk']> = {}): IndexerDeps {
  return {
    s3,
    archiveBucket: archive,
    transport: bulkTransport(createOpenSearchClient({ node, auth: 'none', requestTimeoutMs: 5000 })),
    bulk: { maxBytes: 5 << 20, maxDocs: 2000, maxAttempts: 3, backoffMs: 20, ...overrides },
    indexPrefix: prefix,
  };
}

/**
 * A TCP proxy to OpenSearch that can be stopped and started on the same port, and can be told to
 * die after forwarding N requests (an outage in the middle of a message).
 */
class Proxy {
  private server?: Server;
  private sockets = new Set<Socket>();
  port = 0;
  /** Requests (connections carrying a `POST /_bulk`) still allowed through; Infinity = healthy. */
  allow = Infinity;

  async start(): Promise<void> {
    const target = new URL(OPENSEARCH_URL);
    this.server = createServer((client) => {
      this.sockets.add(client);
      client.on('close', () => this.sockets.delete(client));
      const upstream = connect(Number(target.port), target.hostname);
      this.sockets.add(upstream);
      upstream.on('close', () => this.sockets.delete(upstream));
      client.on('data', (chunk) => {
        if (chunk.includes('POST /_bulk')) {
          if (this.allow <= 0) {
            client.destroy();
            upstream.destroy();
            void this.stop();
            return;
          }
          this.allow--;
        }
        upstream.write(chunk);
      });
      upstream.on('data', (c) => client.write(c));
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
      client.on('end', () => upstream.end());
      upstream.on('end', () => client.end());
    });
    this.server.listen(this.port, '127.0.0.1');
    await once(this.server, 'listening');
    this.port = (this.server.address() as { port: number }).port;
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    for (const so of this.sockets) so.destroy();
    if (s) await new Promise<void>((r) => s.close(() => r()));
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }
}

beforeAll(async () => {
  await createBucket(s3, archive);
  await installTemplate(prefix);
});

afterAll(async () => {
  await dropIndices(prefix);
});

describe('indexer', () => {
  it('dead-letters the one mapping-conflict document with its reason and indexes the rest', async () => {
    const key = `${KEY_DIR}conflict-${id}.ndjson.gz`;
    const lines = Array.from({ length: 20 }, (_, i) => JSON.stringify(doc(i)));
    lines[7] = JSON.stringify(doc(7, { source: { ip: '10.0.1.5', port: 'not-a-port' } }));
    await putNdjsonGz(s3, archive, key, lines);
    const res = await indexMessages([sqsRecord(archive, key)], deps(OPENSEARCH_URL));
    console.log('mapping conflict tally', res.tally);
    expect(res.batchItemFailures).toEqual([]);
    expect(res.tally).toMatchObject({ documents: 20, indexed: 19, dead_lettered: 1, failed: 0 });
    expect(await countDocs(`${prefix}-aws.vpcflow-*`, { prefix: { 'event.id': `${id}-doc-` } })).toBe(19);

    const dlKey = res.results[0].objects[0].deadLetterKey!;
    expect(parseArchiveKey(dlKey)).toMatchObject({ area: 'errors/indexer', partition: parseArchiveKey(key)!.partition });
    expect(dlKey.startsWith(deadLetterKey(parseArchiveKey(key)!.partition, 'x').replace(/x\.ndjson\.gz$/, ''))).toBe(true);
    const dead = await readNdjson(s3, archive, dlKey);
    expect(dead).toHaveLength(1);
    expect(dead[0]).toMatchObject({
      reason: expect.stringMatching(/mapper_parsing_exception|document_parsing_exception/),
      status: 400,
      index: `${prefix}-aws.vpcflow-2026.03.01`,
      document: { event: { id: `${id}-doc-7` }, source: { port: 'not-a-port' } },
    });
    expect(JSON.stringify(dead[0].error)).toMatch(/source\.port/);

    // A re-delivery rewrites the same dead-letter object instead of adding another one.
    const again = await indexMessages([sqsRecord(archive, key)], deps(OPENSEARCH_URL));
    expect(again.tally).toMatchObject({ indexed: 19, dead_lettered: 1 });
    expect(await listKeys(s3, archive, 'errors/indexer/')).toEqual([dlKey]);
  });

  it('dead-letters a line that is not JSON instead of failing the object', async () => {
    const key = `${KEY_DIR}garbage-${id}.ndjson.gz`;
    await putNdjsonGz(s3, archive, key, [JSON.stringify(doc(100)), '{"truncated":', JSON.stringify(doc(101))]);
    const res = await indexMessages([sqsRecord(archive, key)], deps(OPENSEARCH_URL));
    expect(res.tally).toMatchObject({ documents: 3, indexed: 2, dead_lettered: 1, failed: 0 });
    const dead = await readNdjson(s3, archive, res.results[0].objects[0].deadLetterKey!);
    expect(dead[0]).toMatchObject({ reason: 'invalid_json', index: null, document: '{"truncated":' });
  });

  it('reports the message as a batch item failure while OpenSearch is down, and loses nothing once it is back', async () => {
    const key = `${KEY_DIR}outage-${id}.ndjson.gz`;
    const n = 40;
    await putNdjsonGz(s3, archive, key, Array.from({ length: n }, (_, i) => JSON.stringify(doc(5000 + i))));
    const ok = sqsRecord(archive, `${KEY_DIR}conflict-${id}.ndjson.gz`);
    const message = sqsRecord(archive, key);
    const proxy = new Proxy();
    await proxy.start();
    const port = proxy.port;
    await proxy.stop(); // down from the start
    const d = deps(`http://127.0.0.1:${port}`, { maxDocs: 10 }); // one warm "Lambda": the same client throughout
    const pattern = `${prefix}-aws.vpcflow-*`;
    const outageDocs = { prefix: { 'event.id': `${id}-doc-50` } };

    const down = await indexMessages([message], d);
    expect(down.batchItemFailures).toEqual([{ itemIdentifier: message.messageId }]);
    expect(down.results[0].error).toMatch(/OpenSearchUnavailable/);
    // The writer reads the next request's documents while one is in flight (`BulkWriter.dispatch`):
    // the second 10 were read when the first request's failure surfaced; all 20 are handed back.
    expect(down.tally).toMatchObject({ documents: 20, indexed: 0, dead_lettered: 0, failed: 20 });
    expect(await countDocs(pattern, outageDocs)).toBe(0);

    // Back up, then down again in the middle of the message: the first message (20 documents, two
    // requests) and two of the four requests of the outage object get through.
    proxy.port = port;
    proxy.allow = 4;
    await proxy.start();
    const mid = await indexMessages([ok, message], d);
    console.log('mid-run outage tally', mid.tally);
    expect(mid.batchItemFailures).toEqual([{ itemIdentifier: message.messageId }]);
    expect(mid.results[0].error).toBeUndefined();
    const t = mid.tally;
    // 20 + 40: the outage object's fourth request was read while the third one failed.
    expect(t).toMatchObject({ documents: 20 + 40, indexed: 19 + 20, dead_lettered: 1, failed: 20 });
    expect(t.documents).toBe(t.indexed! + t.dead_lettered! + t.failed!);
    expect(await countDocs(pattern, outageDocs)).toBe(20);

    // Healthy again: SQS re-delivers the message; every document is there exactly once.
    proxy.allow = Infinity;
    await proxy.start();
    const back = await indexMessages([message], d);
    await proxy.stop();
    expect(back.batchItemFailures).toEqual([]);
    expect(back.tally).toMatchObject({ documents: n, indexed: n, dead_lettered: 0, failed: 0 });
    expect(await countDocs(pattern, outageDocs)).toBe(n);
  });

  it('merges an audit event split across two archive objects into ONE document', async () => {
    const eventId = `${id}-audit-1`;
    const base = {
      '@timestamp': '2026-03-01T10:20:00.123Z',
      event: { id: eventId, dataset: 'linux.audit', kind: 'event' },
      ecs: { version: '8.11.0' },
      tributary: { schema_version: '1', source: 'auditd', merge: true },
    };
    const dir = 'normalized/source=auditd/account=123456789012/region=us-east-1/year=2026/month=03/day=01/hour=10/';
    const first = `${dir}part-a-${id}.ndjson.gz`;
    const second = `${dir}part-b-${id}.ndjson.gz`;
    await putNdjsonGz(s3, archive, first, [JSON.stringify({ ...base, process: { pid: 4750, name: 'sshd' }, tributary: { ...base.tributary, record_count: 2 } })]);
    await putNdjsonGz(s3, archive, second, [JSON.stringify({ ...base, file: { path: '/etc/shadow' }, user: { id: '0' } })]);
    const a = await indexMessages([sqsRecord(archive, first)], deps(OPENSEARCH_URL));
    const b = await indexMessages([sqsRecord(archive, second)], deps(OPENSEARCH_URL));
    expect([a.tally.indexed, b.tally.indexed]).toEqual([1, 1]);
    expect(await countDocs(`${prefix}-linux.audit-*`)).toBe(1);
    const got = await os('GET', `/${prefix}-linux.audit-2026.03.01/_doc/${eventId}`);
    expect(got.body._source).toMatchObject({ process: { pid: 4750, name: 'sshd' }, file: { path: '/etc/shadow' }, user: { id: '0' }, event: { id: eventId } });
    // Re-delivering a part changes nothing.
    await indexMessages([sqsRecord(archive, first)], deps(OPENSEARCH_URL));
    expect(await countDocs(`${prefix}-linux.audit-*`)).toBe(1);
  });

  it('publishes the accounting through the real handler process (EMF)', () => {
    const key = `${KEY_DIR}conflict-${id}.ndjson.gz`;
    const ev = { Records: [{ ...sqsRecord(archive, key), receiptHandle: 'r', attributes: {}, messageAttributes: {}, md5OfBody: '', eventSource: 'aws:sqs', eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:q', awsRegion: 'us-east-1' }] };
    const inv = invokeLocal('indexer', ev, { ...serviceEnv(), ARCHIVE_BUCKET: archive, OPENSEARCH_URL, INDEX_PREFIX: prefix });
    expect(inv.error).toBeUndefined();
    expect(inv.result).toEqual({ batchItemFailures: [] });
    const m = invocationMetrics(inv);
    expect(m).toMatchObject({ documents: 20, indexed: 19, dead_lettered: 1, failed: 0 });
    expect(inv.logs.some((l) => l.message === 'documents dead-lettered')).toBe(true);
  });
});
