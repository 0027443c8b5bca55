/**
 * Property tests across the whole pipeline (fast-check): whatever bytes arrive, the handler cores
 * never throw, every event is accounted for (`received = documents + dropped + failed`), and what
 * they write is NDJSON that round-trips — control characters, ANSI escapes, invalid UTF-8, lone
 * surrogates, deep JSON and 1 MB+ lines are stored as data, never interpreted, never break a line.
 *
 * Runs are kept small (a few seconds per property on 2 cores). `npm run fuzz -- --runs 500
 * test/unit/fuzz-pipeline` digs deeper; a failure prints the seed and the shrunk counterexample.
 */
import { gzipSync } from 'node:zlib';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { S3Client } from '@aws-sdk/client-s3';
import { decodeCloudWatchPayload, EnvelopeError, maybeGunzip, type FirehoseTransformEvent } from '../../lib/core/envelopes';
import { ingestMessages } from '../../lib/ingest';
import { indexMessages } from '../../lib/indexer';
import { normalize } from '../../lib/core/pipeline';
import { readLines } from '../../lib/io/s3';
import { decodeOutputData, transformFirehose } from '../../lib/transform';
import { SOURCE_IDS, type SourceId } from '../../parsers/types';
import { albLines, auditLines, cloudTrailRecords, lambdaLines, Rng, vpcFlowV2 } from '../../samples/generate';
import { schemaErrors } from '../helpers/schema';
import { runs } from '../helpers/fuzz';

const RUNS = 60; // per property in npm test; npm run fuzz sets its own (test/helpers/fuzz.ts)
const NOW = new Date('2026-03-01T12:00:00.000Z');
const START = Date.UTC(2026, 2, 1, 10);

// ------------------------------------------------------------------------------------ arbitraries

/** Real lines of every source: the mutations below start from these, so parsers get past their first check. */
const rng = new Rng(1234);
const SEEDS: string[] = [
  ...vpcFlowV2(rng, 5, START).map((e) => e.message),
  ...albLines(rng, 5, START),
  ...cloudTrailRecords(rng, 5, START),
  ...lambdaLines(rng, 3, START).map((e) => e.message),
  ...auditLines(rng, 6, START),
  '{"level":"ERROR","message":"boom","timestamp":"2026-03-01T10:00:00.000Z","service":"orders"}',
  '2026-03-01 10:00:00,123 ERROR [main] c.e.Orders - failed\njava.lang.IllegalStateException: x\n\tat a.b(C.java:1)',
  '{"requestId":"r-1","httpMethod":"GET","resourcePath":"/pets","status":"200","protocol":"HTTP/1.1"}',
];

const NASTY = ['\u0000', '\u0007', '\u001b[31m', '\u001b[0m', '\u001b]0;title\u0007', '\r', '\n', '\r\n', '\t', '\u2028', '\u2029', '\ud800', '\udfff', '\ufeff', '\ufffd', '"', '\\', '{', '}', '[', '=', ' ', 'type=', 'msg=audit(', '\u00e9', '😀'];

/** A real line cut, spliced and sprinkled with control characters, escapes and broken surrogates. */
const mutatedLine = fc
  .tuple(fc.constantFrom(...SEEDS), fc.array(fc.tuple(fc.nat(), fc.oneof(fc.constantFrom(...NASTY), fc.string({ unit: 'binary', maxLength: 8 }))), { maxLength: 6 }), fc.option(fc.nat()))
  .map(([line, inserts, cut]) => {
    let s = line;
    for (const [at, text] of inserts) {
      const i = at % (s.length + 1);
      s = s.slice(0, i) + text + s.slice(i);
    }
    return cut === null ? s : s.slice(0, cut % (s.length + 1));
  });

/** Deeply nested JSON (arrays or objects), optionally inside a log-ish wrapper. */
const deepJson = fc.tuple(fc.integer({ min: 1, max: 20_000 }), fc.boolean(), fc.boolean()).map(([depth, arrays, wrapped]) => {
  const inner = arrays ? '['.repeat(depth) + '1' + ']'.repeat(depth) : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
  return wrapped ? `{"level":"info","message":"nested","payload":${inner}}` : inner;
});

const message = fc.oneof(
  { weight: 4, arbitrary: mutatedLine },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 300 }) },
  { weight: 1, arbitrary: fc.string({ unit: fc.constantFrom(...NASTY), maxLength: 40 }) },
  { weight: 1, arbitrary: fc.json({ maxDepth: 4 }) },
  { weight: 1, arbitrary: deepJson },
  { weight: 1, arbitrary: fc.constantFrom(...SEEDS) },
);

const source = fc.constantFrom<SourceId | 'auto'>(...SOURCE_IDS, 'auto');

// --------------------------------------------------------------------------------------- checks

/** One NDJSON line per document: no raw newline, parses back to the same JSON. */
function expectRoundTrip(doc: unknown): string {
  const line = JSON.stringify(doc);
  expect(line.includes('\n')).toBe(false);
  expect(line.includes('\r')).toBe(false);
  expect(JSON.stringify(JSON.parse(line))).toBe(line);
  return line;
}

/** The NDJSON is valid JSON of valid documents (schema violations are listed with the input). */
function expectValidDocs(docs: unknown[], input: unknown): void {
  for (const d of docs) {
    const errors = schemaErrors(d);
    if (errors) throw new Error(`schema violation: ${errors}\ninput: ${JSON.stringify(input).slice(0, 2000)}\ndoc: ${JSON.stringify(d).slice(0, 2000)}`);
  }
}

// ------------------------------------------------------------------------------------ properties

describe('fuzz: pipeline core (normalize)', () => {
  it('never throws, accounts for every event, and writes valid round-tripping documents', () => {
    fc.assert(
      fc.property(source, fc.array(message, { minLength: 1, maxLength: 12 }), fc.constantFrom('/app/orders', '/aws/lambda/f', '/ec2/auditd', ''), (src, messages, logGroup) => {
        const events = messages.map((m, i) => ({ message: m, key: `fuzz:${i}`, timestamp: START + i }));
        const r = normalize({ events, context: { logGroup, account: '111122223333', region: 'us-east-1' }, source: src }, { now: NOW, includeOriginal: true });
        expect(r.counts.received).toBe(events.length);
        expect(r.counts.received).toBe(r.counts.documents + r.counts.dropped + r.counts.failed);
        expect(Object.values(r.dropped).reduce((a, b) => a + (b ?? 0), 0)).toBe(r.counts.dropped);
        const all = [...r.documents, ...r.failures];
        const ids = new Set<string>();
        const mergeIds = new Set<string>();
        let plain = 0;
        for (const d of all) {
          expectRoundTrip(d);
          // Parts of one audit event (`tributary.merge`) share their event's _id by design: they are
          // indexed as upserts into one document (auditd test "EOE closes the event…"). Every other
          // document has an _id of its own, and no part shares one with a plain document.
          if (d.tributary?.merge) mergeIds.add(d.event.id!);
          else {
            ids.add(d.event.id!);
            plain++;
          }
        }
        expect(ids.size).toBe(plain); // no two documents share an _id
        for (const id of mergeIds) expect(ids.has(id)).toBe(false);
        // A failure keeps the original text as it came (clipped), uninterpreted.
        for (const f of r.failures) {
          const original = f.event.original!;
          expect(messages.some((m) => m === original || original.startsWith(m.slice(0, 32 * 1024)))).toBe(true);
        }
        expectValidDocs(all, { src, messages });
      }),
      { numRuns: runs(RUNS * 3) },
    );
  });

  it('stores control characters and ANSI escapes of an app message verbatim', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.oneof(fc.constantFrom(...NASTY.filter((c) => c !== '\n' && c !== '\r\n' && c !== '\r')), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })), minLength: 1, maxLength: 60 }), (text) => {
        const r = normalize({ events: [{ message: text, key: 'k' }], context: { logGroup: '/app/orders' }, source: 'app' }, { now: NOW, includeOriginal: true });
        expect(r.counts.documents + r.counts.failed + r.counts.dropped).toBe(1);
        const d = r.documents[0] ?? r.failures[0];
        if (!d) return; // a blank line is a counted drop
        expect(JSON.parse(expectRoundTrip(d)).event.original).toBe(text);
      }),
      { numRuns: runs(RUNS * 2) },
    );
  });

  it('handles 1 MB+ lines of every source without blowing up the document', () => {
    const huge = 'x'.repeat(1_200_000);
    const hugeJson = JSON.stringify({ level: 'info', message: huge, extra: { blob: huge.slice(0, 300_000) } });
    const hugeAudit = `type=EXECVE msg=audit(1772359200.000:1): argc=1 a0="${huge}"`;
    for (const src of [...SOURCE_IDS, 'auto'] as const) {
      for (const m of [huge, hugeJson, hugeAudit, `2 111122223333 eni-0 ${huge}`]) {
        const r = normalize({ events: [{ message: m, key: 'huge' }, { message: SEEDS[0], key: 'small' }], context: {}, source: src }, { now: NOW });
        expect(r.counts.received).toBe(r.counts.documents + r.counts.dropped + r.counts.failed);
        for (const f of r.failures) expect(f.event.original!.length).toBeLessThan(40 * 1024);
        for (const d of [...r.documents, ...r.failures]) expectRoundTrip(d);
      }
    }
  });
});

// ------------------------------------------------------------------------------ Firehose envelope

type RecordKind = 'random-bytes' | 'not-base64' | 'truncated-gzip' | 'gzip-garbage' | 'json-not-cwl' | 'control' | 'cwl' | 'plain-cwl';

const cwlPayload = (logGroup: string, messages: string[]) => ({
  messageType: 'DATA_MESSAGE',
  owner: '111122223333',
  logGroup,
  logStream: 's',
  subscriptionFilters: ['f'],
  logEvents: messages.map((m, i) => ({ id: `3${String(i).padStart(55, '0')}`, timestamp: START + i, message: m })),
});

const record = fc
  .tuple(
    fc.constantFrom<RecordKind>('random-bytes', 'not-base64', 'truncated-gzip', 'gzip-garbage', 'json-not-cwl', 'control', 'cwl', 'cwl', 'plain-cwl'),
    fc.uint8Array({ maxLength: 200 }),
    fc.array(message, { minLength: 0, maxLength: 8 }),
    fc.constantFrom('/app/orders', '/aws/lambda/orders', '/aws/vpc/flow-logs', 'aws-cloudtrail-logs', '/ec2/auditd', '/aws/elb/x', 'API-Gateway-Execution-Logs_abc/prod'),
    fc.nat(),
    fc.json({ maxDepth: 2 }),
  )
  .map(([kind, bytes, messages, logGroup, cut, json]) => {
    const payload = Buffer.from(JSON.stringify(cwlPayload(logGroup, messages)));
    switch (kind) {
      case 'random-bytes':
        return { kind, data: Buffer.from(bytes).toString('base64') };
      case 'not-base64':
        return { kind, data: Buffer.from(bytes).toString('latin1') };
      case 'truncated-gzip': {
        const gz = gzipSync(payload);
        return { kind, data: gz.subarray(0, Math.max(2, cut % gz.length)).toString('base64') };
      }
      case 'gzip-garbage':
        return { kind, data: gzipSync(Buffer.from(bytes)).toString('base64') };
      case 'json-not-cwl':
        return { kind, data: gzipSync(json).toString('base64') };
      case 'control':
        return { kind, data: gzipSync(JSON.stringify({ ...cwlPayload('', ['CWL CONTROL MESSAGE: Checking health of destination Firehose.']), messageType: 'CONTROL_MESSAGE' })).toString('base64') };
      case 'plain-cwl': // Firehose's Decompression processor already gunzipped it
        return { kind, data: payload.toString('base64') };
      default:
        return { kind, data: gzipSync(payload).toString('base64') };
    }
  });

describe('fuzz: Firehose transformer (transformFirehose)', () => {
  it('answers every record, in order, never throws, and its tally adds up', () => {
    fc.assert(
      fc.property(fc.array(record, { minLength: 1, maxLength: 6 }), fc.constantFrom(Infinity, 6_000_000, 20_000, 600), (records, budget) => {
        const event: FirehoseTransformEvent = {
          invocationId: 'fuzz',
          deliveryStreamArn: 'arn:aws:firehose:us-east-1:111122223333:deliverystream/fuzz',
          region: 'us-east-1',
          records: records.map((r, i) => ({ recordId: `rec-${i}`, approximateArrivalTimestamp: START, data: r.data })),
        };
        const out = transformFirehose(event, { responseMaxBytes: budget, now: NOW });
        expect(out.response.records.map((r) => r.recordId)).toEqual(event.records.map((r) => r.recordId));
        const t = out.tally;
        expect(t.received).toBe(t.documents! + t.dropped! + t.failed!);
        let lines = 0;
        for (const [i, r] of out.response.records.entries()) {
          expect(['Ok', 'Dropped', 'ProcessingFailed']).toContain(r.result);
          if (r.result !== 'Ok') {
            expect(r.data).toBeUndefined();
            continue;
          }
          // Bytes (or gzip of bytes) that are UTF-8 text, and JSON that is no CloudWatch Logs payload, are direct-PUT records (lib/core/direct-put.ts).
          expect(records[i].kind).not.toBe('truncated-gzip');
          const text = decodeOutputData(r.data!);
          // A payload whose events were all dropped (blank lines) is an empty Ok record.
          if (text === '') continue;
          expect(text.endsWith('\n')).toBe(true);
          for (const l of text.slice(0, -1).split('\n')) expectRoundTrip(JSON.parse(l));
          lines += text.slice(0, -1).split('\n').length;
          expect(Object.keys(r.metadata!.partitionKeys).sort()).toEqual(['account', 'day', 'hour', 'month', 'region', 'source', 'year']);
        }
        // Every event is counted once: Ok records carry every document and failure document the tally
        // counts; ProcessingFailed records keep their bytes in Firehose and their events are deferred to
        // S3 ingest (at least one per record), whatever the budget.
        expect(lines).toBe(t.documents! + t.failed!);
        expect(t.deferred!).toBeGreaterThanOrEqual(t.processing_failed_records!);
        const unbounded = budget === Infinity ? out : transformFirehose(event, { responseMaxBytes: Infinity, now: NOW });
        expect(t.received! + t.deferred!).toBe(unbounded.tally.received! + unbounded.tally.deferred!);
        // The response fits its budget whatever the input (minimal entries always fit a sane budget).
        if (budget >= 20_000) expect(Buffer.byteLength(JSON.stringify(out.response))).toBeLessThanOrEqual(budget);
      }),
      { numRuns: runs(RUNS) },
    );
  });

  it('classifies corrupt envelopes as EnvelopeError, never as a crash', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(), (bytes, cut) => {
        const gz = gzipSync(Buffer.from(bytes));
        for (const b of [Buffer.from(bytes), gz.subarray(0, cut % (gz.length + 1)), Buffer.concat([Buffer.from([0x1f, 0x8b]), Buffer.from(bytes)])]) {
          try {
            decodeCloudWatchPayload(b);
          } catch (e) {
            expect(e).toBeInstanceOf(EnvelopeError);
          }
        }
      }),
      { numRuns: runs(RUNS * 3) },
    );
  });
});

// ------------------------------------------------------------------------------ SQS envelopes

/** An S3 client whose every request fails fast: nothing listens on port 9 of the loopback. */
const deadS3 = new S3Client({ endpoint: 'http://127.0.0.1:9', region: 'us-east-1', forcePathStyle: true, maxAttempts: 1, credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });

const sqsBody = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.json({ maxDepth: 3 }),
  fc.constant('{"Records":[{"eventSource":"aws:sqs","body":"hello"}]}'),
  fc.constant('{"Type":"Notification","Message":"not json"}'),
  fc.constant('{"Event":"s3:TestEvent","Bucket":"b"}'),
  fc.record({ key: fc.string({ unit: 'binary', maxLength: 60 }), eventName: fc.constantFrom('ObjectCreated:Put', 'ObjectRemoved:Delete', 'weird') }).map(({ key, eventName }) =>
    JSON.stringify({ Records: [{ eventSource: 'aws:s3', eventName, s3: { bucket: { name: 'b' }, object: { key, eTag: 'e', size: 1 } } }] }),
  ),
);

describe('fuzz: SQS handlers (S3 ingest, indexer)', () => {
  it('never throw: every message either succeeds or is handed back to SQS (then its DLQ)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(sqsBody, { minLength: 1, maxLength: 4 }), async (bodies) => {
        const records = bodies.map((body, i) => ({ messageId: `m-${i}`, body }));
        const ingest = await ingestMessages(records, { s3: deadS3, archiveBucket: 'archive', chunkLines: 100 });
        const index = await indexMessages(records, {
          s3: deadS3,
          archiveBucket: 'archive',
          transport: { send: async () => ({ status: 200, body: { items: [] } }) },
          bulk: { maxBytes: 1 << 20, maxDocs: 100, maxAttempts: 1, backoffMs: 1 },
          indexPrefix: 'fuzz',
        });
        for (const out of [ingest, index]) {
          expect(out.results.map((r) => r.messageId)).toEqual(records.map((r) => r.messageId));
          const failed = new Set(out.batchItemFailures.map((f) => f.itemIdentifier));
          // A failed message has its reason; a succeeded one has none.
          for (const r of out.results) expect(failed.has(r.messageId)).toBe(r.error !== undefined);
        }
      }),
      { numRuns: runs(RUNS) },
    );
  });
});

// --------------------------------------------------------------------------------- S3 streaming

describe('fuzz: streamed S3 bodies', () => {
  it('a truncated or corrupt gzip object rejects (the message is retried, then dead-lettered), never hangs', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.string({ maxLength: 80 }), { minLength: 1, maxLength: 200 }), fc.nat(), async (lines, cut) => {
        const gz = gzipSync(lines.join('\n'));
        const truncated = gz.subarray(0, 2 + (cut % (gz.length - 12)));
        const got: string[] = [];
        const read = (async () => {
          for await (const l of readLines(Readable.from([truncated]))) got.push(l);
        })();
        await expect(read).rejects.toThrow();
        expect(() => maybeGunzip(Buffer.from(truncated))).toThrow();
      }),
      { numRuns: runs(RUNS) },
    );
  });

  it('plain bodies with invalid UTF-8 and CRLF are read line by line without loss', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.uint8Array({ maxLength: 50 }).map((b) => Buffer.from(b.filter((x) => x !== 10 && x !== 13))), { minLength: 1, maxLength: 50 }), fc.boolean(), async (parts, gz) => {
        const text = Buffer.concat(parts.flatMap((p) => [p, Buffer.from('\r\n')]));
        // The first two bytes decide gzip or not: a plain body starting 1f 8b is not plausible text.
        fc.pre(gz || !(text[0] === 0x1f && text[1] === 0x8b));
        const body = gz ? gzipSync(text) : text;
        const got: string[] = [];
        for await (const l of readLines(Readable.from([body.subarray(0, 7), body.subarray(7)]))) got.push(l);
        expect(got).toEqual(parts.map((p) => p.toString('utf8')));
      }),
      { numRuns: runs(RUNS) },
    );
  });
});
