import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { archiveKey, partitionOf } from '../../lib/core/archive';
import {
  AdaptiveThrottle,
  Checkpoint,
  enqueuePage,
  enumerateObjects,
  parseTimeArg,
  planPrefixes,
  replayFingerprint,
  s3NotificationBody,
  splitConcatenatedJson,
  throttledTransport,
  timePrefixes,
  type ReplayFilter,
} from '../../lib/replay';
import { describe as numbers, Progress } from '../../lib/io/progress';
import { parseS3Notification } from '../../lib/io/s3';
import { LocalStore } from '../../lib/io/store';

const H = 3_600_000;
const utc = (d: string) => Date.parse(d);

describe('parseTimeArg', () => {
  it('reads dates (end of day as an end), hours, ISO times and ages', () => {
    expect(parseTimeArg('2026-03-01')).toBe(utc('2026-03-01T00:00:00Z'));
    expect(parseTimeArg('2026-03-07', true)).toBe(utc('2026-03-08T00:00:00Z'));
    expect(parseTimeArg('2026-03-01T10', true)).toBe(utc('2026-03-01T11:00:00Z'));
    expect(parseTimeArg('2026-03-01T10:30:00Z')).toBe(utc('2026-03-01T10:30:00Z'));
    expect(parseTimeArg('7d', false, 1_000_000_000_000)).toBe(1_000_000_000_000 - 7 * 24 * H);
    expect(parseTimeArg('now', false, 42)).toBe(42);
    expect(() => parseTimeArg('yesterday-ish')).toThrow(RangeError);
  });
});

describe('timePrefixes', () => {
  it('covers a week with one prefix per day', () => {
    const p = timePrefixes(utc('2026-03-01T00:00:00Z'), utc('2026-03-08T00:00:00Z'));
    expect(p).toEqual(['01', '02', '03', '04', '05', '06', '07'].map((d) => `year=2026/month=03/day=${d}/`));
  });
  it('uses hours at the ragged edges and months when whole', () => {
    expect(timePrefixes(utc('2026-02-28T22:10:00Z'), utc('2026-04-01T01:00:00Z'))).toEqual([
      'year=2026/month=02/day=28/hour=22/',
      'year=2026/month=02/day=28/hour=23/',
      'year=2026/month=03/',
      'year=2026/month=04/day=01/hour=00/',
    ]);
    expect(timePrefixes(utc('2026-03-01T10:00:00Z'), utc('2026-03-01T10:00:00Z'))).toEqual([]);
  });
});

describe('planning and enumeration over a partitioned archive', () => {
  let dir: string;
  let store: LocalStore;
  const put = (source: string, account: string, region: string, time: string, name: string) =>
    store.put(archiveKey(partitionOf({ source, account, region, time }), name), gzipSync(`{"n":"${name}"}\n`));
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'replay-plan-'));
    store = new LocalStore(dir);
    await put('vpcflow', '111122223333', 'us-east-1', '2026-03-01T00:10:00Z', 'in-1');
    await put('vpcflow', '111122223333', 'eu-west-1', '2026-03-07T23:59:00Z', 'in-2');
    await put('vpcflow', '111122223333', 'us-east-1', '2026-02-28T23:59:00Z', 'before');
    await put('vpcflow', '111122223333', 'us-east-1', '2026-03-08T00:00:00Z', 'after');
    await put('vpcflow', '444455556666', 'us-east-1', '2026-03-03T10:00:00Z', 'other-account');
    await put('elb', '111122223333', 'us-east-1', '2026-03-03T10:00:00Z', 'other-source');
    await store.put('raw/firehose/year=2026/month=03/day=01/hour=00/x', 'raw');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const week: ReplayFilter = { since: utc('2026-03-01T00:00:00Z'), until: utc('2026-03-08T00:00:00Z'), sources: ['vpcflow'], accounts: ['111122223333'] };

  it('selects exactly the objects of the range, source and account, listing only their partitions', async () => {
    store.stats.listCalls = 0;
    store.stats.listedPrefixes = [];
    const names: string[] = [];
    for await (const o of enumerateObjects(store, 'normalized', week)) names.push(path.basename(o.key));
    expect(names.sort()).toEqual(['in-1.ndjson.gz', 'in-2.ndjson.gz']);
    // One delimiter listing to find the regions of the account, then one listing per region and day.
    expect(store.stats.listedPrefixes[0]).toBe('normalized/source=vpcflow/account=111122223333/');
    expect(store.stats.listCalls).toBe(1 + 2 * 7);
    for (const p of store.stats.listedPrefixes.slice(1)) expect(p).toMatch(/^normalized\/source=vpcflow\/account=111122223333\/region=[a-z0-9-]+\/year=2026\/month=03\/day=0[1-7]\/$/);
  });

  it('discovers sources and accounts with delimiter listings when not given', async () => {
    const prefixes = await planPrefixes(store, 'normalized', { since: utc('2026-03-03T10:00:00Z'), until: utc('2026-03-03T11:00:00Z') });
    expect(prefixes.sort()).toEqual([
      'normalized/source=elb/account=111122223333/region=us-east-1/year=2026/month=03/day=03/hour=10/',
      'normalized/source=vpcflow/account=111122223333/region=eu-west-1/year=2026/month=03/day=03/hour=10/',
      'normalized/source=vpcflow/account=111122223333/region=us-east-1/year=2026/month=03/day=03/hour=10/',
      'normalized/source=vpcflow/account=444455556666/region=us-east-1/year=2026/month=03/day=03/hour=10/',
    ]);
  });

  it('plans raw replays by arrival hour with slack after the end', async () => {
    const p = await planPrefixes(store, 'raw', { since: utc('2026-03-01T10:00:00Z'), until: utc('2026-03-01T12:00:00Z') }, 1);
    expect(p).toEqual(['10', '11', '12'].map((h) => `raw/firehose/year=2026/month=03/day=01/hour=${h}/`));
  });

  it('enqueues notification messages page by page with a resumable cursor', async () => {
    const filter: ReplayFilter = { since: utc('2026-02-01T00:00:00Z'), until: utc('2026-04-01T00:00:00Z') };
    const cursor = { prefixes: await planPrefixes(store, 'normalized', filter), index: 0 };
    const bodies: string[] = [];
    let cur: typeof cursor | undefined = cursor;
    let pages = 0;
    while (cur && pages < 20) {
      const r = await enqueuePage(store, cur, filter, 2, async (b) => void bodies.push(...b), 'us-east-1');
      expect(r.objects).toBeLessThanOrEqual(2);
      cur = r.next;
      pages++;
    }
    expect(pages).toBeGreaterThanOrEqual(3);
    const keys = bodies.map((b) => parseS3Notification(b).objects[0].key).sort();
    expect(keys.length).toBe(6);
    expect(new Set(keys).size).toBe(6);
  });
});

describe('s3NotificationBody', () => {
  it('round-trips through the indexer’s notification parser, odd keys included', () => {
    const key = 'normalized/source=app/account=unknown/region=unknown/year=2026/month=03/day=01/hour=10/a b+c=d.ndjson.gz';
    const n = parseS3Notification(s3NotificationBody('central-logs', key, 12, 'abc', 'eu-west-1'));
    expect(n.objects).toEqual([{ bucket: 'central-logs', key, version: 'abc', size: 12, eventName: 'ObjectCreated:Put' }]);
  });
});

describe('splitConcatenatedJson', () => {
  it('splits concatenated documents across arbitrary chunk boundaries, braces in strings included', async () => {
    const docs = [{ a: '}{"' }, { b: [1, { c: '\\"}' }] }, { d: 'x' }];
    const text = docs.map((d) => JSON.stringify(d)).join('') + '\n';
    for (const size of [1, 3, 7, 1000]) {
      const chunks: string[] = [];
      for (let i = 0; i < text.length; i += size) chunks.push(text.slice(i, i + size));
      const out: unknown[] = [];
      for await (const s of splitConcatenatedJson(Readable.from(chunks))) out.push(JSON.parse(s as string));
      expect(out).toEqual(docs);
    }
  });
  it('yields a truncated document as unreadable after the complete ones', async () => {
    const out = [];
    for await (const s of splitConcatenatedJson(Readable.from(['{"a":1}{"b":']))) out.push(s);
    expect(out).toEqual(['{"a":1}', expect.objectContaining({ type: 'truncated_record', head: '{"b":', reason: expect.stringMatching(/truncated/) })]);
  });
  it('yields a document over the bound as unreadable and goes on with the next one', async () => {
    const big = JSON.stringify({ big: 'x'.repeat(500) });
    const out = [];
    for await (const s of splitConcatenatedJson(Readable.from([big + '{"c":3}']), 100)) out.push(s);
    expect(out).toEqual([expect.objectContaining({ type: 'record_too_large', bytes: big.length, reason: expect.stringMatching(/MAX_DECOMPRESSED_BYTES/) }), '{"c":3}']);
  });
});

describe('AdaptiveThrottle', () => {
  it('halves concurrency on 429, then caps the rate, then recovers up to the limits', async () => {
    let now = 0;
    const slept: number[] = [];
    const t = new AdaptiveThrottle({ maxConcurrency: 2, rate: 1000, now: () => now, sleep: async (ms) => void slept.push(ms), recoverMs: 5000 });
    await t.acquire(500);
    await t.acquire(500);
    expect(slept).toEqual([500]); // paced at 1000 docs/s
    now = 2000;
    t.onThrottle();
    expect([t.concurrency, t.rateCap]).toEqual([1, 1000]);
    t.onThrottle(); // same burst: ignored
    expect(t.throttleEvents).toBe(1);
    now = 3500;
    t.onThrottle(); // at one slot: cap at half of the 100 docs/s sent over the last 10 s
    expect([t.concurrency, t.rateCap]).toEqual([1, 50]);
    now = 5000;
    t.recover(); // too early
    expect(t.rateCap).toBe(50);
    for (let i = 1; i <= 30; i++) {
      now = 3500 + i * 5000;
      t.recover();
    }
    expect(t.rateCap).toBe(1000);
    expect(t.concurrency).toBe(2);
  });

  it('lifts an adaptive cap without a user rate once it is far above what is sent', () => {
    let now = 0;
    const t = new AdaptiveThrottle({ maxConcurrency: 1, now: () => now, recoverMs: 1000 });
    now = 5000;
    t.onThrottle();
    expect(t.rateCap).toBe(AdaptiveThrottle.MIN_RATE);
    for (let i = 1; i <= 10; i++) {
      now = 5000 + i * 1000;
      t.recover();
    }
    expect(t.rateCap).toBe(Infinity);
  });

  it('is driven by 429 items seen by the transport wrapper, which also counts created/updated', async () => {
    const t = new AdaptiveThrottle({ maxConcurrency: 4 });
    const counters = { created: 0, updated: 0, noop: 0, throttledResponses: 0 };
    const inner = {
      send: async () => ({ status: 200, body: { items: [{ index: { status: 201, result: 'created' } }, { index: { status: 200, result: 'updated' } }, { index: { status: 429 } }] } }),
    };
    await throttledTransport(inner, t, counters).send('{"index":{}}\n{}\n{"index":{}}\n{}\n{"index":{}}\n{}\n');
    expect(counters).toEqual({ created: 1, updated: 1, noop: 0, throttledResponses: 1 });
    expect(t.concurrency).toBe(2);
    expect(t.rateCap).toBe(Infinity); // the rate is capped only once a single slot still gets 429s
  });
});

describe('Checkpoint', () => {
  it('writes atomically, resumes the same job and refuses another one', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ckpt-'));
    const file = path.join(dir, 'sub', 'c.json');
    const filter = { since: 0, until: H };
    const fp = replayFingerprint('file:///a', 'normalized', filter, 'logs');
    const a = new Checkpoint(file, { fingerprint: fp, archive: 'file:///a', from: 'normalized', filter });
    a.markDone('k1', { documents: 3 });
    a.save(false, true);
    a.markDone('k2', { documents: 2 });
    a.save(true);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ complete: true, done: ['k1', 'k2'], tally: { documents: 5 } });
    const b = new Checkpoint(file, { fingerprint: fp, archive: 'file:///a', from: 'normalized', filter });
    expect(b.load()).toBe(true);
    expect([...b.done]).toEqual(['k1', 'k2']);
    const other = replayFingerprint('file:///a', 'normalized', { ...filter, sources: ['elb'] }, 'logs');
    expect(other).not.toBe(fp);
    expect(() => new Checkpoint(file, { fingerprint: other, archive: 'file:///a', from: 'normalized', filter }).load()).toThrow(/another replay/);
    writeFileSync(file, '{}');
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('Progress', () => {
  it('prints plain periodic lines off a TTY and a bar on a TTY, with MB/s and ETA by bytes', () => {
    let now = 0;
    const written: string[] = [];
    const out = { write: (s: string) => void written.push(s), isTTY: false } as unknown as NodeJS.WritableStream;
    const state = { objectsDone: 5, objectsTotal: 10, bytesDone: 25 << 20, bytesTotal: 100 << 20, documents: 5000, indexed: 5000, deadLettered: 0, skipped: 0 };
    const p = new Progress(state, { out, now: () => now, label: 'replay' });
    now = 10_000;
    p.render();
    expect(written[0]).toMatch(/^1970-01-01T00:00:10.000Z replay 25% 5\/10 objects, 25\.0\/100\.0 MB, 5000 docs \(500\/s\), 2\.50 MB\/s, ETA 30s\n$/);
    const tty: string[] = [];
    const t = new Progress({ ...state, throttled: 2, concurrency: 2, rateLimit: 300 }, { out: { write: (s: string) => void tty.push(s), isTTY: true, columns: 400 } as never, now: () => now });
    t.stop();
    expect(tty[0]).toMatch(/^\r\[#####\.+\] 25% .*throttled 2x → concurrency 2, 300 docs\/s/);
    expect(tty[1]).toBe('\n');
    expect(numbers({ ...state, bytesDone: 100 << 20 }, 1000).etaMs).toBe(0);
  });
});

describe('tributary replay --dry-run (CLI)', () => {
  it('lists and estimates a file:// archive without indexing', async () => {
    const { program } = await import('../../bin/cli');
    const dir = mkdtempSync(path.join(tmpdir(), 'replay-cli-'));
    const store = new LocalStore(dir);
    const lines = Array.from({ length: 40 }, (_, i) => JSON.stringify({ event: { id: `x${i}` } })).join('\n') + '\n';
    await store.put(archiveKey(partitionOf({ source: 'vpcflow', account: '111122223333', region: 'us-east-1', time: '2026-03-03T10:00:00Z' }), 'a'), gzipSync(lines));
    await store.put(archiveKey(partitionOf({ source: 'vpcflow', account: '111122223333', region: 'us-east-1', time: '2026-03-09T10:00:00Z' }), 'late'), gzipSync(lines));
    await store.put(archiveKey(partitionOf({ source: 'elb', account: '111122223333', region: 'us-east-1', time: '2026-03-03T10:00:00Z' }), 'b'), gzipSync(lines));
    const out: string[] = [];
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => (out.push(String(s)), true));
    try {
      await program().parseAsync(['node', 'tributary', 'replay', '--archive', `file://${dir}`, '--since', '2026-03-01', '--until', '2026-03-07', '--source', 'vpcflow', '--account', '111122223333', '--dry-run']);
    } finally {
      spy.mockRestore();
      rmSync(dir, { recursive: true, force: true });
    }
    const text = out.join('');
    expect(text).toMatch(/vpcflow\s+1\s/);
    expect(text).toMatch(/≈ 40 documents \(from 1 sampled objects\); 8 list calls over 7 partition prefixes/);
    expect(text).not.toMatch(/elb/);
  });
});
