/**
 * `tributary normalize` and `tributary ingest` stream their inputs (lib/local/input-stream.ts): the
 * documents must be those of the whole-buffer decoding they replaced (`decodeInput`, kept as the
 * reference below), for every fixture and generated sample of every shape (lines, gzip, CloudTrail
 * files, whole envelopes, NDJSON), however the bytes are cut into chunks and events into batches;
 * an over-long line is one failure and the rest goes on; counts reconcile.
 */
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { lineWriter, runNormalize, UsageError, type NormalizeFlags } from '../../bin/commands/normalize';
import { normalizeInChunks } from '../../lib/core/chunks';
import { decodeInput } from '../../lib/core/inputs';
import { failureDocument, type Counts } from '../../lib/core/pipeline';
import { readInputParts } from '../../lib/local/input-stream';
import { deliverLocalFile } from '../../lib/local/deliver';
import { LocalStore } from '../../lib/io/store';
import { readLines } from '../../lib/io/s3';
import { SOURCE_IDS, type ParseContext, type RawEvent, type SourceId } from '../../parsers/types';
import { VpcLayoutMemory } from '../../parsers/vpcflow-format';
import { albLines, appLines, auditLines, cloudTrailRecords, cloudWatchPayload, firehoseEvent, lambdaLines, Rng, vpcFlowV2 } from '../../samples/generate';

const NOW = new Date('2026-03-01T12:00:00.000Z');
const START = Date.UTC(2026, 2, 1, 10);
const MiB = 1024 * 1024;
const FIXTURES = join(__dirname, '..', 'fixtures');

/** What `runNormalize` did before it streamed: the whole file decoded at once, normalized in chunks of 50,000. */
function wholeBuffer(paths: string[], flags: NormalizeFlags): { lines: string[]; totals: Map<string, Counts> } {
  const lines: string[] = [];
  const totals = new Map<string, Counts>();
  const add = (source: string, c: Counts) => {
    const t = totals.get(source) ?? { received: 0, documents: 0, dropped: 0, failed: 0 };
    for (const k of Object.keys(c) as (keyof Counts)[]) t[k] += c[k];
    totals.set(source, t);
  };
  const overrides: ParseContext = {
    logGroup: flags.logGroup,
    account: flags.account,
    region: flags.region,
    options: flags.vpcFormat || flags.cloudfrontFields ? { ...(flags.vpcFormat ? { vpcFormat: flags.vpcFormat } : {}), ...(flags.cloudfrontFields ? { cloudfrontFields: flags.cloudfrontFields } : {}) } : undefined,
    vpcLayouts: new VpcLayoutMemory(),
  };
  for (const path of paths) {
    const decoded = decodeInput(readFileSync(path), path, overrides);
    const fallback: SourceId = flags.source === 'auto' ? 'app' : flags.source;
    if (decoded.dropped) add('envelope', { received: decoded.dropped, documents: 0, dropped: decoded.dropped, failed: 0 });
    for (const u of decoded.unusable) {
      lines.push(JSON.stringify(failureDocument(fallback, { message: u.original, key: u.key }, overrides, u.message, 'envelope_error', NOW)));
      add(fallback, { received: 1, documents: 0, dropped: 0, failed: 1 });
    }
    for (const batch of decoded.batches)
      for (const r of normalizeInChunks({ events: batch.events, context: batch.context, source: flags.source }, { now: NOW })) {
        for (const d of [...r.documents, ...r.failures]) lines.push(JSON.stringify(d));
        add(r.source, r.counts);
      }
  }
  return { lines, totals };
}

async function streamed(paths: string[], flags: NormalizeFlags, io: Parameters<typeof runNormalize>[4] = {}) {
  const lines: string[] = [];
  const totals = await runNormalize(paths, flags, (l) => lines.push(l), NOW, io);
  return { lines, totals };
}

function reconcile(totals: Map<string, Counts>): void {
  for (const c of totals.values()) expect(c.received).toBe(c.documents + c.dropped + c.failed);
}

/** Readable of `bytes` cut into pieces of `size` bytes. */
const pieces = (bytes: Buffer, size: number) =>
  Readable.from(
    (function* () {
      for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
    })(),
  );

async function streamedEvents(body: Readable, name: string, o: Parameters<typeof readInputParts>[3] = {}): Promise<{ events: RawEvent[]; chunks: number }> {
  const events: RawEvent[] = [];
  let chunks = 0;
  for await (const part of readInputParts(body, name, {}, o)) {
    if (part.type !== 'chunk') throw new Error(`unexpected ${part.type}`);
    chunks++;
    events.push(...part.events);
  }
  return { events, chunks };
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cli-stream-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Generated sample inputs of every shape the CLI reads (each under one chunk: same `normalize` calls). */
function samples(): Array<[string, Buffer]> {
  const rng = new Rng(5);
  const trail = cloudTrailRecords(rng, 300, START);
  const payload = cloudWatchPayload(rng, '/aws/lambda/orders', 's1', '111122223333', lambdaLines(rng, 40, START));
  const app = appLines(rng, 400, START).map((e) => e.message);
  return [
    ['vpc.log', Buffer.from(vpcFlowV2(rng, 1500, START).map((e) => e.message).join('\n') + '\n')],
    ['alb.log.gz', gzipSync(albLines(rng, 1200, START).join('\n') + '\n')],
    ['audit.log', Buffer.from(auditLines(rng, 300, START).join('\r\n'))],
    ['app.log', Buffer.from(app.join('\n'))],
    ['trail.json', Buffer.from(`{"Records":[${trail.join(',')}]}`)],
    ['trail-pretty.json.gz', gzipSync(JSON.stringify({ Records: trail.map((t) => JSON.parse(t)) }, null, 2))],
    ['trail-records-last.json', Buffer.from(JSON.stringify({ note: 'x', Records: trail.slice(0, 20).map((t) => JSON.parse(t)) }))],
    ['payload.json.gz', gzipSync(JSON.stringify(payload))],
    ['payload.json', Buffer.from(JSON.stringify(payload))],
    ['awslogs.json', Buffer.from(JSON.stringify({ awslogs: { data: gzipSync(JSON.stringify(payload)).toString('base64') } }))],
    ['firehose.json', Buffer.from(JSON.stringify(firehoseEvent(rng, [payload, { ...payload, messageType: 'CONTROL_MESSAGE', logEvents: [] }])))],
    ['records.ndjson', Buffer.from(trail.slice(0, 50).join('\n') + '\n')],
    ['one-record.json', Buffer.from('\n  ' + trail[0] + '\n\n')],
    ['array.json', Buffer.from(JSON.stringify(trail.slice(0, 30).map((t) => JSON.parse(t)), null, 1))],
    ['broken.json', Buffer.from('{"a": [1, 2}\n{"b": 3}\n')],
    ['unclosed.json', Buffer.from('{"a": "x\n')],
    ['empty.log', Buffer.alloc(0)],
    ['blank.log', Buffer.from('\n\n  \n')],
    ['members.log.gz', Buffer.concat([gzipSync(app.slice(0, 100).join('\n') + '\n'), gzipSync(app.slice(100).join('\n') + '\n')])],
    ['corrupt.log.gz', Buffer.from([0x1f, 0x8b, 0x08, 0x00, 1, 2, 3, 4, 5, 6, 7, 8, 9])],
  ];
}

describe('streamed normalize = whole-buffer normalize', () => {
  test('every generated sample shape: same documents, same order, same counts', async () => {
    for (const [name, bytes] of samples()) {
      const file = join(dir, name);
      writeFileSync(file, bytes);
      const want = wholeBuffer([file], { source: 'auto' });
      const got = await streamed([file], { source: 'auto' });
      expect({ name, lines: got.lines }).toEqual({ name, lines: want.lines });
      expect({ name, totals: got.totals }).toEqual({ name, totals: want.totals });
      reconcile(got.totals);
    }
  });

  const fixtures = readdirSync(FIXTURES).flatMap((source) =>
    readdirSync(join(FIXTURES, source))
      .filter((f) => /^(?!.*\.(expected|context)\.json$).*\.(log|json|gz|txt)$/.test(f))
      .map((f) => [`${source}/${f}`, source, f] as const),
  );
  test.each(fixtures)('fixture %s', async (_label, source, f) => {
    const ctxFile = join(FIXTURES, source, f.replace(/\.(log|json|gz|txt)$/, '.context.json'));
    const ctx = existsSync(ctxFile) ? (JSON.parse(readFileSync(ctxFile, 'utf8')) as ParseContext & { source?: string }) : {};
    const flags: NormalizeFlags = {
      source: (ctx.source ?? (SOURCE_IDS.includes(source as SourceId) ? source : 'auto')) as SourceId,
      logGroup: ctx.logGroup,
      account: ctx.account,
      region: ctx.region,
      vpcFormat: ctx.options?.vpcFormat,
      cloudfrontFields: ctx.options?.cloudfrontFields,
    };
    const file = join(FIXTURES, source, f);
    const got = await streamed([file], flags);
    expect(got).toEqual(wholeBuffer([file], flags));
    reconcile(got.totals);
  });
});

test('a Firehose event is normalized record by record: the same documents, an unusable record failed at its position', async () => {
  const rng = new Rng(12);
  const payload = (n: number) => cloudWatchPayload(rng, '/aws/lambda/orders', `s${n}`, '111122223333', lambdaLines(rng, 5, START + n * 60_000));
  const event = firehoseEvent(rng, [payload(1), payload(2), payload(3)]);
  event.records[1].data = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 1, 2, 3, 4, 5, 6, 7, 8]).toString('base64'); // corrupt gzip
  const file = join(dir, 'firehose-unusable.json');
  writeFileSync(file, JSON.stringify(event));
  const want = wholeBuffer([file], { source: 'auto' });
  const got = await streamed([file], { source: 'auto' });
  expect(got.totals).toEqual(want.totals);
  reconcile(got.totals);
  // Whole, the unusable record's failure came first; record by record it comes between records 0 and 2.
  expect([...got.lines].sort()).toEqual([...want.lines].sort());
  const kinds = got.lines.map((l) => JSON.parse(l).event.kind);
  expect(kinds.indexOf('pipeline_error')).toBeGreaterThan(0);
  expect(kinds.filter((k) => k === 'pipeline_error')).toHaveLength(1);
});

describe('chunk boundaries lose nothing', () => {
  const rng = new Rng(9);
  const vpc = vpcFlowV2(rng, 700, START).map((e) => e.message);
  const trail = cloudTrailRecords(rng, 120, START);
  const inputs: Array<[string, Buffer]> = [
    ['vpc.log.gz', gzipSync(vpc.join('\r\n') + '\r\n')],
    ['members.log.gz', Buffer.concat([gzipSync(vpc.slice(0, 333).join('\n') + '\n'), gzipSync(vpc.slice(333).join('\n'))])],
    ['trail.json.gz', gzipSync(`{"Records":[${trail.join(',\n')}]}`)],
  ];

  test.each(inputs)('%s: cut into 1..4,099-byte pieces of gzip, and into batches of 7 events or 2 KB: the events of the whole buffer', async (name, bytes) => {
    const whole = decodeInput(bytes, name).batches.flatMap((b) => b.events);
    for (const size of [1, 13, 4099]) {
      const got = await streamedEvents(pieces(bytes, size), name, { chunkEvents: 7, chunkBytes: 2048 });
      expect(got.events).toEqual(whole);
      expect(got.chunks).toBeGreaterThanOrEqual(Math.ceil(whole.length / 7));
    }
  });

  test('single-line sources: the same documents whatever the batch size (batches of 1, 7, 500)', async () => {
    const file = join(dir, 'vpc-batches.log.gz');
    writeFileSync(file, inputs[0][1]);
    const want = wholeBuffer([file], { source: 'auto' });
    for (const chunkEvents of [1, 7, 500]) {
      const got = await streamed([file], { source: 'auto' }, { chunkEvents });
      expect(got).toEqual(want);
    }
  });

  test('a gzip stream fed one byte at a time through stdin gives the documents of the file', async () => {
    const file = join(dir, 'trail-stdin.json.gz');
    writeFileSync(file, inputs[2][1]);
    const got = await streamed(['-'], { source: 'auto' }, { stdin: pieces(inputs[2][1], 1) });
    const want = wholeBuffer([file], { source: 'auto' });
    // Same documents; the keys name the input ('stdin' vs the path), so the ids differ by design.
    expect(got.lines.map((l) => JSON.parse(l).cloud)).toEqual(want.lines.map((l) => JSON.parse(l).cloud));
    expect(got.totals).toEqual(want.totals);
  });
});

describe('bounded, and nothing lost', () => {
  test('an over-long line is one failure document; the lines after it are documents with their own positions', async () => {
    const file = join(dir, 'long.log.gz');
    const vpc = vpcFlowV2(new Rng(3), 4, START).map((e) => e.message);
    writeFileSync(file, gzipSync([vpc[0], 'w'.repeat(9 * MiB), vpc[1], vpc[2], vpc[3]].join('\n') + '\n'));
    const got = await streamed([file], { source: 'vpcflow' }, { chunkEvents: 2 });
    expect(got.totals.get('vpcflow')).toEqual({ received: 5, documents: 4, dropped: 0, failed: 1 });
    const docs = got.lines.map((l) => JSON.parse(l));
    const failure = docs.find((d) => d.event.kind === 'pipeline_error');
    expect(failure.error).toEqual({ type: 'line_too_long', message: expect.stringMatching(/^line of 9437184 bytes exceeds the 8388608-byte limit/) });
    expect(docs.filter((d) => d.event.kind === 'event').map((d) => d.aws.vpcflow.interface_id)).toEqual(vpc.map((l) => l.split(' ')[2]));
    expect(new Set(docs.map((d) => d.event.id)).size).toBe(5);
  });

  test('a gzip stream corrupt after its first lines: those lines are documents, the rest one envelope failure', async () => {
    const vpc = vpcFlowV2(new Rng(4), 3000, START).map((e) => e.message);
    const gz = gzipSync(vpc.join('\n') + '\n', { level: 0 });
    const cut = gz.subarray(0, Math.floor(gz.length / 2)); // truncated mid-stream
    const file = join(dir, 'truncated.log.gz');
    writeFileSync(file, cut);
    const got = await streamed([file], { source: 'vpcflow' });
    const docs = got.lines.map((l) => JSON.parse(l));
    const last = docs[docs.length - 1];
    expect(last.error).toEqual({ type: 'envelope_error', message: 'corrupt gzip: unexpected end of file' });
    expect(docs.length).toBeGreaterThan(1000);
    expect(docs.slice(0, -1).every((d) => d.event.kind === 'event')).toBe(true);
    reconcile(got.totals);
    expect([...got.totals.values()].reduce((n, c) => n + c.received, 0)).toBe(docs.length);
  });

  test('an unreadable input is a usage error before any output, even after a readable one', async () => {
    const ok = join(dir, 'ok.log');
    writeFileSync(ok, 'hello\n');
    const lines: string[] = [];
    await expect(runNormalize([ok, join(dir, 'missing.log')], { source: 'auto' }, (l) => lines.push(l), NOW)).rejects.toThrow(UsageError);
    await expect(runNormalize([ok, dir], { source: 'auto' }, (l) => lines.push(l), NOW)).rejects.toThrow(/cannot read .*: EISDIR/);
    expect(lines).toEqual([]);
  });

  test('output waits for the writer (back-pressure): nothing is normalized ahead of a slow consumer beyond one chunk', async () => {
    const file = join(dir, 'slow.log');
    writeFileSync(file, vpcFlowV2(new Rng(8), 50, START).map((e) => e.message).join('\n'));
    let pending = 0;
    let maxPending = 0;
    const got: string[] = [];
    await runNormalize([file], { source: 'auto' }, (l) => {
      pending++;
      maxPending = Math.max(maxPending, pending);
      return new Promise<void>((resolve) =>
        setImmediate(() => {
          got.push(l);
          pending--;
          resolve();
        }),
      );
    }, NOW, { chunkEvents: 5 });
    expect(got).toHaveLength(50);
    expect(maxPending).toBe(1);
  });
});

describe('lineWriter: the lines of stdout', () => {
  /** A writable that keeps every chunk it is given (copied: a writer must not reuse a chunk it gave away) and refuses more every `every` writes until drained. */
  function sink(every = Infinity) {
    const chunks: Buffer[] = [];
    const held: Buffer[] = [];
    let writes = 0;
    const stream = new Writable({
      highWaterMark: 1,
      write(chunk: Buffer, _enc, done) {
        held.push(chunk);
        chunks.push(Buffer.from(chunk));
        setImmediate(done);
      },
    });
    const write = stream.write.bind(stream);
    stream.write = ((chunk: Buffer) => {
      write(chunk);
      return ++writes % every !== 0;
    }) as typeof stream.write;
    return { stream, text: () => Buffer.concat(chunks).toString('utf8'), held, writes: () => writes };
  }

  test('multi-byte text, lines longer than the buffer and many small ones: the same text, in order, in few writes', async () => {
    const s = sink();
    const w = lineWriter(s.stream);
    const lines = [
      ...Array.from({ length: 3000 }, (_, i) => `{"n":${i},"t":"${'é€😀'.repeat(i % 7)}"}`),
      'x'.repeat(300 * 1024), // longer than the buffer: alone
      '€'.repeat(90 * 1024), // fits in characters, not in bytes once pending lines are counted
      ...Array.from({ length: 100 }, (_, i) => `tail ${i} ${'😀'.repeat(i)}`),
    ];
    for (const l of lines) await w.line(l);
    await w.flush();
    await new Promise((r) => s.stream.end(r));
    expect(s.text()).toBe(lines.join('\n') + '\n');
    expect(s.writes()).toBeLessThan(20);
    // Chunks given to the stream are never written into afterwards.
    expect(Buffer.concat(s.held).toString('utf8')).toBe(s.text());
  });

  test('waits for drain when the stream asks, and flush of nothing writes nothing', async () => {
    const s = sink(1); // every write asks to wait
    const w = lineWriter(s.stream);
    await w.flush();
    expect(s.writes()).toBe(0);
    let waits = 0;
    for (let i = 0; i < 2000; i++) {
      const p = w.line('y'.repeat(1000));
      if (p) {
        waits++;
        await p;
      }
    }
    await w.flush();
    await new Promise((r) => s.stream.end(r));
    expect(waits).toBe(s.writes() - 1); // every write but flush's was awaited
    expect(s.text()).toBe(('y'.repeat(1000) + '\n').repeat(2000));
  });
});

describe('tributary ingest of a local file streams it into the same archive objects', () => {
  test('a stream and the bytes give the same keys and documents; counts reconcile', async () => {
    const file = join(dir, 'ingest', 'alb.log.gz');
    mkdirSync(join(dir, 'ingest'), { recursive: true });
    const bytes = gzipSync(albLines(new Rng(6), 900, START).join('\n') + '\n');
    writeFileSync(file, bytes);
    const a = new LocalStore(join(dir, 'archive-a'), 'archive');
    const b = new LocalStore(join(dir, 'archive-b'), 'archive');
    const ra = await deliverLocalFile(file, bytes, a, { now: NOW });
    const rb = await deliverLocalFile(file, pieces(bytes, 333), b, { now: NOW });
    expect(rb.outputs).toEqual(ra.outputs);
    expect(rb.tally).toEqual(ra.tally);
    expect(ra.tally).toMatchObject({ received: 900, documents: 900, dropped: 0, failed: 0 });
    const docs = async (store: LocalStore) => {
      const out: string[] = [];
      for (const k of ra.outputs) for await (const l of readLines(await store.get(k))) out.push(l);
      return out;
    };
    const da = await docs(a);
    expect(await docs(b)).toEqual(da);
    expect(da).toHaveLength(900);
  });
});

describe('memory stays bounded whatever the input size (a child process with a 96 MB heap)', () => {
  const CLI = join(__dirname, '../../bin/tributary.js');
  const LINE = 'x'.repeat(60_000);
  const LINES = 5000; // 300 MB: the whole-file CLI refused it (32 MiB bound); held whole it would not fit the heap

  /** Runs the CLI with `--max-old-space-size=96`, feeding `input` lines to stdin; counts its stdout lines. */
  function run(args: string[], input?: (i: number) => string): Promise<{ code: number | null; lines: number; stdout: string; stderr: string }> {
    const child = spawn(process.execPath, ['--max-old-space-size=96', CLI, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let lines = 0;
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      for (let i = c.indexOf(10); i >= 0; i = c.indexOf(10, i + 1)) lines++;
      if (stdout.length < 4096) stdout += c.subarray(0, 4096).toString();
    });
    child.stderr.on('data', (c: Buffer) => (stderr += c));
    let i = 0;
    const pump = () => {
      while (input && i < LINES) if (!child.stdin.write(input(i++))) return void child.stdin.once('drain', pump);
      child.stdin.end();
    };
    pump();
    return new Promise((resolve) => child.on('close', (code: number | null) => resolve({ code, lines, stdout, stderr })));
  }

  test('normalize: 300 MB on stdin, 5,000 documents', async () => {
    const r = await run(['normalize', '--source', 'app', '--no-enrich', '-'], (i) => `${i} ${LINE}\n`);
    expect(r.stderr).toBe(`app: ${LINES} received, ${LINES} documents, 0 dropped, 0 failed\n`);
    expect(r.code).toBe(0);
    expect(r.lines).toBe(LINES);
  }, 120_000);

  test('normalize: a reader that stops reading (`| head`) ends it quietly, exit 0', async () => {
    const child = spawn(process.execPath, [CLI, 'normalize', '--source', 'app', '--no-enrich', '-'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c));
    // Like `head -1`: take the first document, then close the pipe while the CLI still writes.
    child.stdout.once('data', () => child.stdout.destroy());
    let i = 0;
    const pump = () => {
      while (i < LINES) if (!child.stdin.write(`${i++} ${LINE}\n`)) return void child.stdin.once('drain', pump);
      child.stdin.end();
    };
    child.stdin.on('error', () => undefined); // the CLI may exit before it has read all of stdin
    pump();
    const code = await new Promise<number | null>((resolve) => child.on('close', (c: number | null) => resolve(c)));
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
  }, 120_000);

  test('ingest: a 300 MB file into a local archive, 5,000 documents', async () => {
    const file = join(dir, 'big', 'app.log');
    mkdirSync(join(dir, 'big'), { recursive: true });
    const out = createWriteStream(file);
    for (let i = 0; i < LINES; i++) if (!out.write(`${i} ${LINE}\n`)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
    await new Promise<void>((resolve) => out.end(() => resolve()));
    const r = await run(['ingest', file, '--source', 'app', '--no-enrich', '--archive', `file://${join(dir, 'big-archive')}`]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`\\napp +1 +${LINES} +${LINES} +0 +0\\n`));
    rmSync(file);
  }, 120_000);
});
