/* eslint-disable @typescript-eslint/no-explicit-any -- archived documents are untyped JSON here */
/**
 * Deadlines (#14 item 6): the indexer and s3ingest stop before their Lambda timeout and hand the rest
 * back through `batchItemFailures`; s3ingest continues a large object from its checkpoint, and the
 * archive ends exactly as one uninterrupted run leaves it (same keys, same documents), with counts
 * that add up over the deliveries. No timers: every clock here is injected and moves only when the
 * code looks at it (or when a fake `_bulk` request "takes" time).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { ChangeMessageVisibilityBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { firehoseErrorKey, ingestCheckpointKey, segmentName, sourceObjectName } from '../../lib/core/archive';
import { documentId } from '../../lib/core/attribution';
import { type Deadline, deadlineBefore, DeadlineError } from '../../lib/core/deadline';
import { parseIngestCheckpoint } from '../../lib/core/ingest-checkpoint';
import { addTally, type Tally } from '../../lib/core/tally';
import { INDEXER_DEADLINE_MARGIN_MS, indexMessages } from '../../lib/indexer';
import { INGEST_DEADLINE_MARGIN_MS, ingestMessages, type IngestObjectDeps, ingestObject, type IngestObjectResult, IngestStoppedError } from '../../lib/ingest';
import { type BulkTransport, BulkWriter } from '../../lib/io/bulk';
import { readLines } from '../../lib/io/s3';
import { forEachNotifiedObject, queueUrlOfArn } from '../../lib/io/sqs';
import { listAll, LocalStore, type ObjectStore } from '../../lib/io/store';
import { albLines, Rng } from '../../samples/generate';
import { cwlRecord } from '../events/build';

const T = Date.parse('2026-03-01T10:00:00Z');
const NOW = new Date('2026-03-01T12:00:00Z');

/** A clock that advances by `stepMs` each time the code under test looks at the time left. */
function steppingClock(totalMs: number, stepMs: number) {
  const clock = { t: 0, looks: 0 };
  const remainingMs = () => {
    const left = totalMs - clock.t;
    clock.t += stepMs;
    clock.looks++;
    return left;
  };
  return { clock, remainingMs };
}

/** A deadline that lets exactly `n` checks through (a chunk, a record, a message each). */
const afterChecks = (n: number): Deadline => {
  let left = n;
  return { remainingMs: () => left-- };
};

const notification = (bucket: string, key: string) =>
  JSON.stringify({ Records: [{ eventSource: 'aws:s3', eventName: 'ObjectCreated:Put', s3: { bucket: { name: bucket }, object: { key: encodeURIComponent(key).replace(/%2F/g, '/'), size: 1, eTag: 'e1' } } }] });

describe('the bulk core within a deadline', () => {
  const docs = (n: number) => Array.from({ length: n }, (_, i) => ({ index: 'logs-app-2026.03.01', id: `id-${i}`, doc: { n: i } }));
  const ok: BulkTransport = {
    async send(body) {
      const n = body.split('\n').filter(Boolean).length / 2;
      return { status: 200, body: { items: Array.from({ length: n }, () => ({ index: { status: 201 } })) } };
    },
  };

  it('starts no attempt after the deadline: the documents are handed back, none sent', async () => {
    const sent: string[] = [];
    const w = new BulkWriter({ send: async (b) => (sent.push(b), ok.send(b)) }, { maxBytes: 1 << 20, maxDocs: 100, maxAttempts: 5, backoffMs: 10, onDeadLetter: () => undefined, deadline: { remainingMs: () => 0 } });
    for (const d of docs(3)) await w.add(d);
    await expect(w.flush()).rejects.toMatchObject({ name: 'DeadlineReached', pending: 3 });
    expect(sent).toEqual([]);
  });

  it('cuts each request timeout to the time left, and leaves it alone without a deadline', async () => {
    const timeouts: Array<number | undefined> = [];
    const t: BulkTransport = { send: async (b, o) => (timeouts.push(o?.timeoutMs), ok.send(b)) };
    const w = new BulkWriter(t, { maxBytes: 1 << 20, maxDocs: 2, maxAttempts: 5, backoffMs: 10, onDeadLetter: () => undefined, deadline: { remainingMs: () => 1234.5 } });
    for (const d of docs(3)) await w.add(d);
    await w.flush();
    expect(timeouts).toEqual([1235, 1235]);
    const free = new BulkWriter(t, { maxBytes: 1 << 20, maxDocs: 5, maxAttempts: 5, backoffMs: 10, onDeadLetter: () => undefined });
    for (const d of docs(1)) await free.add(d);
    await free.flush();
    expect(timeouts[2]).toBeUndefined();
  });

  it('never sleeps a backoff past the deadline', async () => {
    const sleeps: number[] = [];
    let sent = 0;
    const busy: BulkTransport = { send: async () => (sent++, { status: 429, body: { error: 'busy' } }) };
    const w = new BulkWriter(busy, {
      maxBytes: 1 << 20,
      maxDocs: 100,
      maxAttempts: 5,
      backoffMs: 200,
      random: () => 1,
      sleep: async (ms) => void sleeps.push(ms),
      onDeadLetter: () => undefined,
      deadline: { remainingMs: () => 300 }, // room for the 200 ms backoff, not for the 400 ms one
    });
    for (const d of docs(2)) await w.add(d);
    await expect(w.flush()).rejects.toThrow(DeadlineError);
    expect(sleeps).toEqual([200]);
    expect(sent).toBe(2);
    expect(w.stats.retried).toBe(2); // the retry that ran, not the one that did not
  });

  it('five 30 s attempts no longer outlast a 120 s function: it stops at its margin', async () => {
    // Each request hangs until its timeout (30 s, or less when the deadline is nearer); sleeps take their time.
    const clock = { t: 0 };
    const hanging: BulkTransport = {
      async send(_b, o) {
        clock.t += Math.min(30_000, o?.timeoutMs ?? 30_000);
        throw new Error('Request timed out');
      },
    };
    const opts = { maxBytes: 1 << 20, maxDocs: 100, maxAttempts: 5, backoffMs: 200, random: () => 1, sleep: async (ms: number) => void (clock.t += ms), onDeadLetter: () => undefined };
    const unbounded = new BulkWriter(hanging, opts);
    await unbounded.add(docs(1)[0]);
    await expect(unbounded.flush()).rejects.toThrow(/after 5 attempts/);
    expect(clock.t).toBeGreaterThan(120_000); // what the indexer did before: killed by its timeout

    clock.t = 0;
    const deadline = deadlineBefore(() => 120_000 - clock.t, INDEXER_DEADLINE_MARGIN_MS);
    const bounded = new BulkWriter(hanging, { ...opts, deadline });
    await bounded.add(docs(1)[0]);
    await expect(bounded.flush()).rejects.toThrow(DeadlineError);
    expect(clock.t).toBeLessThanOrEqual(120_000 - INDEXER_DEADLINE_MARGIN_MS);
  });
});

describe('messages after the deadline', () => {
  it('are handed back without being started', async () => {
    const started: string[] = [];
    const records = ['m1', 'm2', 'm3'].map((messageId) => ({ messageId, body: notification('b', `k-${messageId}`) }));
    const out = await forEachNotifiedObject(records, async (ref) => (started.push(ref.key), { tally: { objects: 1 } }), () => undefined, afterChecks(1));
    expect(started).toEqual(['k-m1']);
    expect(out.batchItemFailures).toEqual([{ itemIdentifier: 'm2' }, { itemIdentifier: 'm3' }]);
    expect(out.results.map((r) => r.handedBack)).toEqual([undefined, 'unstarted', 'unstarted']);
    expect(out.tally).toEqual({ objects: 1 });
  });

  it('knows the queue URL of an SQS event source ARN', () => {
    expect(queueUrlOfArn('arn:aws:sqs:eu-west-1:111122223333:tributary-prod-IngestQueue-AbC')).toBe('https://sqs.eu-west-1.amazonaws.com/111122223333/tributary-prod-IngestQueue-AbC');
    expect(queueUrlOfArn('arn:aws-cn:sqs:cn-north-1:111122223333:q')).toBe('https://sqs.cn-north-1.amazonaws.com.cn/111122223333/q');
    expect(queueUrlOfArn('arn:aws:sns:eu-west-1:111122223333:t')).toBeUndefined();
  });
});

/** S3 and SQS stand-ins for the use cases: GetObject from a map; visibility changes recorded. */
function fakeAws(objects: Map<string, Buffer>) {
  const s3 = { send: async (cmd: unknown) => {
    if (!(cmd instanceof GetObjectCommand)) throw new Error(`unexpected ${String((cmd as object).constructor.name)}`);
    const body = objects.get(`${cmd.input.Bucket}/${cmd.input.Key}`);
    if (!body) throw Object.assign(new Error('NoSuchKey'), { name: 'NoSuchKey' });
    return { Body: Readable.from([body]) };
  } } as unknown as S3Client;
  const released: Array<{ QueueUrl?: string; handles: string[]; visibility: number[] }> = [];
  const sqs = { send: async (cmd: unknown) => {
    if (!(cmd instanceof ChangeMessageVisibilityBatchCommand)) throw new Error('unexpected SQS command');
    released.push({ QueueUrl: cmd.input.QueueUrl, handles: (cmd.input.Entries ?? []).map((e) => e.ReceiptHandle!), visibility: (cmd.input.Entries ?? []).map((e) => e.VisibilityTimeout!) });
    return { Successful: cmd.input.Entries?.map((e) => ({ Id: e.Id })), Failed: [] };
  } } as unknown as SQSClient;
  return { s3, sqs, released };
}

describe('the indexer hands back what it cannot finish', () => {
  const KEY = (i: number) => `normalized/source=app/account=111122223333/region=us-east-1/year=2026/month=03/day=01/hour=10/obj-${i}.ndjson.gz`;
  const doc = (o: number, i: number) => ({ '@timestamp': '2026-03-01T10:00:00.000Z', event: { id: `o${o}-d${i}`, dataset: 'app' }, cloud: { account: { id: '111122223333' } }, tributary: { source: 'app' } });
  const objects = new Map<string, Buffer>();
  for (let o = 0; o < 4; o++) objects.set(`archive/${KEY(o)}`, gzipSync(Array.from({ length: 5 }, (_, i) => JSON.stringify(doc(o, i))).join('\n') + '\n'));
  const records = [0, 1, 2, 3].map((o) => ({
    messageId: `m${o}`,
    body: notification('archive', KEY(o)),
    receiptHandle: `rh-${o}`,
    eventSourceARN: 'arn:aws:sqs:us-east-1:111122223333:tributary-test-IndexQueue',
  }));

  it('indexes what fits, stops the message in flight at the deadline, does not start the rest, and the retry finishes', async () => {
    const aws = fakeAws(objects);
    const clock = { t: 0 };
    const indexed = new Set<string>();
    // Every _bulk request takes 40 s, or times out when the time left is shorter.
    const transport: BulkTransport = {
      async send(body, o) {
        if ((o?.timeoutMs ?? Infinity) < 40_000) {
          clock.t += o!.timeoutMs!;
          throw new Error('Request timed out');
        }
        clock.t += 40_000;
        const ids = body.split('\n').filter((l) => l.startsWith('{"index"')).map((l) => JSON.parse(l).index._id as string);
        for (const id of ids) indexed.add(id);
        return { status: 200, body: { items: ids.map(() => ({ index: { status: 201 } })) } };
      },
    };
    const deps = { s3: aws.s3, sqs: aws.sqs, archiveBucket: 'archive', transport, indexPrefix: 'logs', bulk: { maxBytes: 1 << 20, maxDocs: 100, maxAttempts: 5, backoffMs: 10, random: () => 1, sleep: async (ms: number) => void (clock.t += ms) } };
    const out = await indexMessages(records, deps, { remainingMs: () => 120_000 - clock.t });
    // m0: 0→40 s, m1: 40→80 s, m2: its request is cut to the 30 s left and times out, m3: not started.
    expect(out.batchItemFailures).toEqual([{ itemIdentifier: 'm2' }, { itemIdentifier: 'm3' }]);
    expect(out.results.map((r) => r.handedBack)).toEqual([undefined, undefined, 'stopped', 'unstarted']);
    expect(out.results[2].error).toMatch(/^DeadlineReached: /);
    expect(clock.t).toBeLessThanOrEqual(120_000 - INDEXER_DEADLINE_MARGIN_MS);
    const t = out.tally as Required<Tally>;
    expect(t).toMatchObject({ documents: 15, indexed: 10, failed: 5, dead_lettered: 0 });
    expect(t.documents).toBe(t.indexed + t.dead_lettered + t.failed);
    // Only the message that never started is made visible at once; the interrupted one waits for
    // the visibility timeout (a slow cluster is the likely reason it ran out of time).
    expect(aws.released).toEqual([{ QueueUrl: 'https://sqs.us-east-1.amazonaws.com/111122223333/tributary-test-IndexQueue', handles: ['rh-3'], visibility: [0] }]);

    clock.t = 0;
    const retry = await indexMessages(records.filter((r) => out.batchItemFailures.some((f) => f.itemIdentifier === r.messageId)), deps, { remainingMs: () => 120_000 - clock.t });
    expect(retry.batchItemFailures).toEqual([]);
    expect(retry.tally).toMatchObject({ documents: 10, indexed: 10, failed: 0 });
    expect([...indexed].sort()).toEqual([0, 1, 2, 3].flatMap((o) => [0, 1, 2, 3, 4].map((i) => documentId(doc(o, i) as never))).sort());
  });
});

describe('s3ingest: stop at the deadline, continue from the checkpoint', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), 'tributary-deadline-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const ALB_KEY = 'AWSLogs/111122223333/elasticloadbalancing/us-east-1/2026/03/01/111122223333_elasticloadbalancing_us-east-1_app.orders-alb.0123_20260301T1000Z_52.1.0.7_ab.log.gz';
  const VPC_KEY = 'AWSLogs/111122223333/vpcflowlogs/us-east-1/2026/03/01/111122223333_vpcflowlogs_us-east-1_fl-0123456789abcdef0_20260301T1000Z_ab.log.gz';
  const cut = { chunkLines: 100, segmentLines: 500 };

  async function archiveContent(store: ObjectStore): Promise<Map<string, any[]>> {
    const out = new Map<string, any[]>();
    for await (const o of listAll(store, 'normalized/')) {
      const docs: any[] = [];
      for await (const l of readLines(await store.get(o.key))) if (l) docs.push(JSON.parse(l));
      out.set(o.key, docs);
    }
    return out;
  }

  function setup(key: string, body: Buffer) {
    const logs = new LocalStore(path.join(dir, 'logs'), 'ingest-bucket');
    const whole = new LocalStore(path.join(dir, 'whole'), 'archive-a');
    const parts = new LocalStore(path.join(dir, 'parts'), 'archive-b');
    const deps = (archive: ObjectStore): IngestObjectDeps => ({ archive, ...cut, now: () => NOW });
    const input = { store: logs, key, version: 'v1' };
    return { put: () => logs.put(key, body), logs, whole, parts, deps, input };
  }

  /** Runs deliveries with deadlines of `budgets` checks each (undefined: none) until the object is done. */
  async function deliveries(input: Parameters<typeof ingestObject>[0], deps: IngestObjectDeps, budgets: Array<number | undefined>) {
    const runs: Array<{ result?: IngestObjectResult; stopped?: IngestStoppedError | DeadlineError }> = [];
    for (const [i, b] of budgets.entries()) {
      try {
        runs.push({ result: await ingestObject(input, deps, { deadline: b === undefined ? undefined : afterChecks(b), resume: i > 0 }) });
      } catch (e) {
        if (!(e instanceof IngestStoppedError) && !(e instanceof DeadlineError)) throw e;
        runs.push({ stopped: e });
      }
    }
    return runs;
  }

  it('an ALB object: three deliveries leave the archive one delivery leaves; counts add up', async () => {
    const n = 2350;
    const s = setup(ALB_KEY, gzipSync(albLines(new Rng(7), n, T).join('\n') + '\n'));
    await s.put();
    const full = await ingestObject(s.input, s.deps(s.whole));
    expect(full.tally).toMatchObject({ received: n, objects: 1 });
    const name = sourceObjectName(ALB_KEY, 's3ingest', 'ingest-bucket', ALB_KEY, 'v1');
    // 5 segments of at most 500 lines, each its own object; the first keeps the object's name.
    expect(full.outputs.map((k) => k.slice(k.lastIndexOf('/') + 1))).toEqual([0, 1, 2, 3, 4].map((i) => `${segmentName(name, i)}.ndjson.gz`));

    // 1st delivery: 12 chunks, then the deadline (segments 0-1 written, segment 2 abandoned at 1,200 lines).
    // 2nd: continues at line 1,000, 8 chunks (segment 2 written, segment 3 abandoned). 3rd: the rest.
    // Each delivery runs later than the one before; the documents all carry the first one's time.
    let delivery = 0;
    const later = () => new Date(NOW.getTime() + 60_000 * delivery++);
    const runs = await deliveries(s.input, { ...s.deps(s.parts), now: later }, [12, 8, undefined]);
    const [first, second, third] = runs;
    expect(first.stopped).toBeInstanceOf(IngestStoppedError);
    const stop1 = first.stopped as IngestStoppedError;
    expect(stop1.name).toBe('DeadlineReached');
    expect(stop1.checkpoint).toMatchObject({ saved: true, position: 1000, segment: 2 });
    expect(stop1.outputs).toEqual(full.outputs.slice(0, 2));
    const stop2 = second.stopped as IngestStoppedError;
    expect(stop2.checkpoint).toMatchObject({ saved: true, position: 1500, segment: 3 });
    expect(stop2.outputs).toEqual(full.outputs.slice(2, 3));
    expect(third.result).toMatchObject({ resumedFrom: 1500, outputs: full.outputs.slice(3) });

    // Same keys, same documents (event.ingested included), nothing half-written left over.
    expect(await archiveContent(s.parts)).toEqual(await archiveContent(s.whole));
    // Each delivery counts the segments it wrote: together, one run's counts.
    const sum = [stop1.tally, stop2.tally, third.result!.tally].reduce<Tally>((a, t) => addTally(a, t), {});
    expect(sum).toEqual({ ...full.tally, objects: 3 });
    for (const t of [stop1.tally, stop2.tally, third.result!.tally]) expect(t.received).toBe(t.documents! + t.dropped! + t.failed!);

    // Done: the checkpoint says so, and a later delivery of the object starts over (and rewrites the same).
    const cp = JSON.parse((await readAll(await s.parts.get(ingestCheckpointKey(name)))).toString());
    expect(cp).toMatchObject({ complete: true, position: n, tally: { received: n } });
    const again = await ingestObject(s.input, s.deps(s.parts), { resume: true });
    expect(again.resumedFrom).toBeUndefined();
    expect(again.tally).toEqual(full.tally);
    expect(await archiveContent(s.parts)).toEqual(await archiveContent(s.whole));
  });

  it('a VPC Flow Logs object keeps its header format, source and partition across deliveries', async () => {
    // A custom field order: a resumed run that lost the header could not read the later lines.
    const header = 'srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status interface-id account-id version';
    const lines = [header, ...Array.from({ length: 1400 }, (_, i) => `10.0.1.${i % 250} 10.0.2.9 ${40000 + i} 443 6 10 5120 1772359200 1772359260 ACCEPT OK eni-0a1b2c3d4e5f60718 111122223333 5`)];
    const s = setup(VPC_KEY, gzipSync(lines.join('\n') + '\n'));
    await s.put();
    const full = await ingestObject(s.input, s.deps(s.whole));
    const runs = await deliveries(s.input, s.deps(s.parts), [6, undefined]);
    expect((runs[0].stopped as IngestStoppedError).checkpoint).toMatchObject({ saved: true, position: 500, segment: 1 });
    expect(runs[1].result!.resumedFrom).toBe(500);
    const whole = await archiveContent(s.whole);
    expect(await archiveContent(s.parts)).toEqual(whole);
    // The later segments were read with the header's custom field order (no parse failures).
    expect(full.tally).toMatchObject({ received: 1401, dropped: 1, failed: 0 });
    const docs = [...whole.values()].flat();
    expect(docs).toHaveLength(1400);
    for (const d of docs) expect(d).toMatchObject({ event: { dataset: 'aws.vpcflow' }, destination: { ip: '10.0.2.9', port: 443 } });
  });

  it('a Firehose error object is cut by records and continued the same way', async () => {
    const record = (i: number) =>
      JSON.stringify({ attemptsMade: 1, arrivalTimestamp: T, errorCode: 'Lambda.ProcessingFailed', rawData: cwlRecord(`/app/budget-${i % 3}`, 's', [`event ${i} a`, `event ${i} b`], BigInt(1000 * (i + 1)), T) });
    const key = firehoseErrorKey('processing-failed', T, 'tributary-1-2026-03-01-10-00-00-abc');
    const body = Buffer.from(Array.from({ length: 23 }, (_, i) => record(i)).join('\n') + '\n');
    const archive = (name: string) => new LocalStore(path.join(dir, name), 'archive');
    const whole = archive('whole');
    const parts = archive('parts');
    await whole.put(key, body);
    await parts.put(key, body);
    const deps = (a: ObjectStore): IngestObjectDeps => ({ archive: a, chunkLines: 100, segmentLines: 10, region: 'us-east-1', now: () => NOW });
    const full = await ingestObject({ store: whole, key, version: 'v1' }, deps(whole));
    expect(full.tally).toMatchObject({ received: 46, documents: 46 });
    const runs = await deliveries({ store: parts, key, version: 'v1' }, deps(parts), [14, 5, undefined]);
    expect((runs[0].stopped as IngestStoppedError).checkpoint).toMatchObject({ position: 10, segment: 1, saved: true });
    // The 2nd delivery wrote nothing new (5 records < a segment): it leaves the checkpoint as it was.
    expect(runs[1].stopped).toBeInstanceOf(DeadlineError);
    expect(runs[1].stopped).not.toBeInstanceOf(IngestStoppedError);
    expect(runs[2].result!.resumedFrom).toBe(10);
    expect(await archiveContent(parts)).toEqual(await archiveContent(whole));
    const counted = [(runs[0].stopped as IngestStoppedError).tally, runs[2].result!.tally].reduce<Tally>((a, t) => addTally(a, t), {});
    expect(counted).toEqual({ ...full.tally, objects: 2 });
  });

  it('a stop before the first segment is written leaves nothing: no object, no checkpoint, no counts', async () => {
    const s = setup(ALB_KEY, gzipSync(albLines(new Rng(7), 800, T).join('\n') + '\n'));
    await s.put();
    await expect(ingestObject(s.input, s.deps(s.parts), { deadline: afterChecks(3) })).rejects.toThrow(DeadlineError);
    expect(await archiveContent(s.parts)).toEqual(new Map());
    expect((await s.parts.listPage('')).objects).toEqual([]);
  });

  it('when the checkpoint cannot be saved, the stop counts nothing and the next delivery starts over', async () => {
    const s = setup(ALB_KEY, gzipSync(albLines(new Rng(7), 1200, T).join('\n') + '\n'));
    await s.put();
    const full = await ingestObject(s.input, s.deps(s.whole));
    const noCheckpoints: ObjectStore = Object.assign(Object.create(s.parts) as ObjectStore, {
      put: (key: string, body: Parameters<ObjectStore['put']>[1], o?: Parameters<ObjectStore['put']>[2]) =>
        key.startsWith('checkpoints/') ? Promise.reject(Object.assign(new Error('Access Denied'), { name: 'AccessDenied' })) : s.parts.put(key, body, o),
    });
    const stop = (await ingestObject(s.input, s.deps(noCheckpoints), { deadline: afterChecks(8) }).catch((e: unknown) => e)) as IngestStoppedError;
    expect(stop).toBeInstanceOf(IngestStoppedError);
    expect(stop.checkpoint).toMatchObject({ saved: false, error: 'AccessDenied: Access Denied', position: 500 });
    expect(stop.tally).toEqual({}); // the next delivery counts these lines again
    const next = await ingestObject(s.input, s.deps(s.parts), { resume: true });
    expect(next.resumedFrom).toBeUndefined();
    expect(next.tally).toEqual(full.tally);
    expect(await archiveContent(s.parts)).toEqual(await archiveContent(s.whole));
  });

  it('a checkpoint of other settings or another object version is not continued', async () => {
    const s = setup(ALB_KEY, gzipSync(albLines(new Rng(7), 1200, T).join('\n') + '\n'));
    await s.put();
    await expect(ingestObject(s.input, s.deps(s.parts), { deadline: afterChecks(8) })).rejects.toThrow(IngestStoppedError);
    const other = await ingestObject(s.input, { ...s.deps(s.parts), includeOriginal: true }, { resume: true });
    expect(other.resumedFrom).toBeUndefined();
    expect(other.checkpointNote).toMatch(/not used \(written with other normalization settings\): starting over/);
    expect(other.tally).toMatchObject({ received: 1200 });

    const input = { bucket: 'b', key: 'k', version: 'v' };
    const good = { version: 1, input, settings: 's', cut: { chunkLines: 1, chunkBytes: 1, segmentLines: 1, segmentBytes: 1 }, position: 3, segment: 1, complete: false, tally: { received: 3 } };
    expect(parseIngestCheckpoint(JSON.stringify(good), { input, settings: 's' }).checkpoint).toMatchObject({ position: 3, segment: 1 });
    expect(parseIngestCheckpoint(JSON.stringify(good), { input: { ...input, version: 'w' }, settings: 's' }).ignored).toBe('of another object version');
    expect(parseIngestCheckpoint(JSON.stringify({ ...good, position: -1 }), { input, settings: 's' }).ignored).toBe('no valid position');
    expect(parseIngestCheckpoint(JSON.stringify({ ...good, source: 'nope' }), { input, settings: 's' }).ignored).toBe('unknown source');
    expect(parseIngestCheckpoint('{"version":1', { input, settings: 's' }).ignored).toBe('not JSON');
  });

  it('through the SQS adapter: the stopped message is handed back and released at once; its redelivery continues', async () => {
    const n = 1200;
    const body = gzipSync(albLines(new Rng(7), n, T).join('\n') + '\n');
    const aws = fakeAws(new Map([[`ingest-bucket/${ALB_KEY}`, body]]));
    const archive = new LocalStore(path.join(dir, 'parts'), 'archive-b');
    // s3ingest writes its archive through the S3 client; here the archive is a local store in its place.
    const deps = { s3: aws.s3, sqs: aws.sqs, archiveBucket: 'archive-b', ...cut, now: () => NOW };
    const storeOf = jest.requireActual('../../lib/io/store') as typeof import('../../lib/io/store');
    const spy = jest.spyOn(storeOf, 'bucketStores').mockImplementation(() => (bucket: string) => (bucket === 'archive-b' ? archive : new storeOf.S3Store(aws.s3, bucket)) as never);
    try {
      const message = { messageId: 'm1', body: notification('ingest-bucket', ALB_KEY), receiptHandle: 'rh-1', eventSourceARN: 'arn:aws:sqs:us-east-1:111122223333:tributary-test-IngestQueue' };
      const { clock, remainingMs } = steppingClock(INGEST_DEADLINE_MARGIN_MS + 8_000, 1_000); // 8 looks: 1 message + 7 chunks
      const first = await ingestMessages([message], deps, { remainingMs });
      expect(clock.looks).toBe(9);
      expect(first.batchItemFailures).toEqual([{ itemIdentifier: 'm1' }]);
      expect(first.results[0]).toMatchObject({ handedBack: 'stopped', error: expect.stringMatching(/^DeadlineReached: .*checkpoint .* saved at item 500/) });
      expect(first.tally).toMatchObject({ objects: 1, received: 500 });
      expect(aws.released).toEqual([{ QueueUrl: 'https://sqs.us-east-1.amazonaws.com/111122223333/tributary-test-IngestQueue', handles: ['rh-1'], visibility: [0] }]);
      const second = await ingestMessages([{ ...message, attributes: { ApproximateReceiveCount: '2' } }], deps, { remainingMs: () => 300_000 });
      expect(second.batchItemFailures).toEqual([]);
      expect(second.results[0].objects[0].resumedFrom).toBe(500);
      expect(second.tally).toMatchObject({ objects: 1, received: n - 500 });
    } finally {
      spy.mockRestore();
    }
  });
});

describe('segment names', () => {
  it('keep the first name, add -s<n>, and never lose the hash to the 128-character limit', () => {
    const name = sourceObjectName('x'.repeat(300), 's3ingest', 'b', 'k', 'v');
    expect(name.length).toBe(128);
    expect(segmentName(name, 0)).toBe(name);
    const names = [1, 2, 10, 123].map((i) => segmentName(name, i));
    for (const [i, s] of names.entries()) {
      expect(s.length).toBeLessThanOrEqual(128);
      expect(s.endsWith(`${name.slice(-28)}-s${[1, 2, 10, 123][i]}`)).toBe(true);
    }
    expect(new Set(names).size).toBe(names.length);
    expect(segmentName('short-AbC', 2)).toBe('short-AbC-s2');
  });
});

async function readAll(r: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of r) parts.push(c as Buffer);
  return Buffer.concat(parts);
}
