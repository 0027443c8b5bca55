/**
 * CloudFront and S3 server access logs (issue #16): detection by S3 key and content, attribution of
 * their keys, the `#Fields` header carried to later chunks and across an S3 ingest checkpoint, the
 * configured real-time field list (options, mappings, config), deterministic ids, and fuzzing of both
 * parsers alone and through the pipeline. Formats: parsers/cloudfront.ts, parsers/s3access.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import type { Deadline } from '../../lib/core/deadline';
import { ingestObject, IngestStoppedError, type IngestObjectDeps } from '../../lib/ingest';
import { readLines } from '../../lib/io/s3';
import { listAll, LocalStore, type ObjectStore } from '../../lib/io/store';
import { normalizeInChunks } from '../../lib/core/chunks';
import { contextFromS3Key } from '../../lib/core/envelopes';
import { parseIngestCheckpoint } from '../../lib/core/ingest-checkpoint';
import { normalize } from '../../lib/core/pipeline';
import { loadConfig } from '../../lib/io/config';
import { cloudfrontHeaderFields, cloudfrontParser, compileFields, LEGACY_FIELDS, unescapeBytes, unescapeOnce } from '../../parsers/cloudfront';
import { resolveSource, sourceFromContent, sourceFromS3Key } from '../../parsers/detect';
import { parseS3AccessLine, s3accessParser, tokenizeS3 } from '../../parsers/s3access';
import type { RawEvent } from '../../parsers/types';
import { runs } from '../helpers/fuzz';
import { expectValid } from '../helpers/schema';

const NOW = new Date('2026-03-01T00:00:00.000Z');
const T = '\t';
const OWNER = '79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be';
/** The first record of the example on https://docs.aws.amazon.com/AmazonS3/latest/userguide/LogFormat.html */
const S3_LINE =
  `${OWNER} amzn-s3-demo-bucket1 [06/Feb/2019:00:00:38 +0000] 192.0.2.3 ${OWNER} 3E57427F3EXAMPLE REST.GET.VERSIONING - ` +
  '"GET /amzn-s3-demo-bucket1?versioning HTTP/1.1" 200 - 113 - 7 - "-" "S3Console/0.4" - s9lzHYrFp76ZVxRcpX9+5cjAnEH2ROuNkd2BHfIa6UkFVdtjf5mKR3/eTPFvsiP/XV/VLi31234= ' +
  'SigV4 ECDHE-RSA-AES128-GCM-SHA256 AuthHeader amzn-s3-demo-bucket1.s3.us-west-1.amazonaws.com TLSV1.2 - - us-east-1';
/** The example of https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/standard-logs-reference.html (33 fields). */
const CF_LINE = [
  '2019-12-04', '21:02:31', 'LAX1-C2', '392', '192.0.2.100', 'GET', 'd111111abcdef8.cloudfront.net', '/index.html', '200', '-',
  'Mozilla/5.0%20(Windows%20NT%2010.0;%20Win64;%20x64)', '-', '-', 'Hit', 'SOX4xwn4XV6Q4rgb7XiVGOHms_BGlTAC4KyHmureZmBNrjGdRLiNIQ==',
  'd111111abcdef8.cloudfront.net', 'https', '23', '0.001', '-', 'TLSv1.2', 'ECDHE-RSA-AES128-GCM-SHA256', 'Hit', 'HTTP/2.0', '-', '-',
  '11040', '0.001', 'Hit', 'text/html', '78', '-', '-',
].join(T);
const events = (lines: string[], prefix = 's3://b/k#e'): RawEvent[] => lines.map((message, i) => ({ message, key: `${prefix}:${i}` }));

describe('detection', () => {
  test.each([
    ['cdn/EMLARXS9EXAMPLE.2019-12-04-21.d111111a.gz', 'cloudfront'],
    ['EMLARXS9EXAMPLE.2024-06-10-08.RT4KCN4S', 'cloudfront'],
    ['AWSLogs/111122223333/CloudFront/EMLARXS9EXAMPLE.2024-06-10-08.abcd1234.gz', 'cloudfront'],
    ['AWSLogs/aws-account-id=111122223333/aws-service=CloudFront/year=2024/month=06/day=10/EMLARXS9EXAMPLE.2024-06-10-08.abcd1234.gz', 'cloudfront'],
    ['logs/2019-02-06-00-05-12-5A1E8F6B2C7D9E04', 's3access'],
    ['2019-02-06-00-05-12-5A1E8F6B2C7D9E04', 's3access'],
    ['s3access/123456789012/us-west-1/my-bucket/2019/02/06/2019-02-06-00-00-00-1B2C3D4E5F6A7B8C', 's3access'],
    ['AWSLogs/123456789012/CloudTrail/eu-west-1/2026/03/01/123456789012_CloudTrail_eu-west-1_20260301T1005Z_x.json.gz', 'cloudtrail'],
    ['exports/2019-02-06-00-05-12-report.csv', undefined],
    ['cdn/index.2019-12-04-21.html', undefined],
  ])('S3 key %s → %s', (key, source) => expect(sourceFromS3Key(key)).toBe(source));

  test.each([
    [`#Fields: ${LEGACY_FIELDS.join(' ')}`, 'cloudfront'],
    [CF_LINE, 'cloudfront'],
    ['1718003702.123\t198.51.100.7\t200\tGET\t/index.html', 'cloudfront'],
    [S3_LINE, 's3access'],
    [`- amzn-s3-demo-bucket1 [06/Feb/2019:00:00:38 +0000] 192.0.2.3 - x REST.GET.OBJECT k "GET /k HTTP/1.1" 200 - 1 1 1 1 "-" "x" -`, 's3access'],
    // IIS writes W3C headers too: without CloudFront's own field names it is not CloudFront.
    ['#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) sc-status', undefined],
    ['#Version: 1.0', undefined],
    ['2019-12-04 21:02:31 GET /index.html', undefined],
  ])('content %#', (line, source) => expect(sourceFromContent(line)).toBe(source));

  test('a whole standard log file is CloudFront by its header, without a key', () => {
    expect(resolveSource({}, events(['#Version: 1.0', `#Fields: ${LEGACY_FIELDS.join(' ')}`, CF_LINE])).source).toBe('cloudfront');
  });

  test("a mapping's cloudfrontFields reaches the parser", () => {
    const r = normalize(
      { events: events(['1718003702.123\t198.51.100.7\t200']), context: { s3: { bucket: 'b', key: 'rt/2024/06/10/x' } }, source: 'auto' },
      { now: NOW, mappings: [{ pattern: 'rt/*', source: 'cloudfront', cloudfrontFields: 'timestamp c-ip sc-status' }] },
    );
    expect(r.failures).toEqual([]);
    expect(r.documents[0]).toMatchObject({ '@timestamp': '2024-06-10T07:15:02.123Z', source: { ip: '198.51.100.7' }, aws: { cloudfront: { log_type: 'realtime' } } });
  });
});

describe('attribution of the keys', () => {
  test('a standard log file key names no account: unverified, no account', () => {
    const ctx = contextFromS3Key('cf-logs', 'cdn/EMLARXS9EXAMPLE.2019-12-04-21.d111111a.gz');
    expect(ctx.account).toBeUndefined();
    const r = normalize({ events: events([CF_LINE]), context: ctx, source: 'auto' }, { now: NOW });
    expect(r.documents[0].tributary?.attribution).toBe('unverified');
    expect(r.documents[0].cloud?.account).toBeUndefined();
  });

  test('a v2 key under AWSLogs/<account>/CloudFront/ is delivery metadata (the ingest bucket policy pins it)', () => {
    const ctx = contextFromS3Key('ingest', 'AWSLogs/111122223333/CloudFront/EMLARXS9EXAMPLE.2024-06-10-08.abcd1234.gz');
    expect(ctx.account).toBe('111122223333');
    const r = normalize({ events: events([CF_LINE]), context: ctx, source: 'auto' }, { now: NOW });
    expect(r.documents[0]).toMatchObject({ cloud: { account: { id: '111122223333' } }, tributary: { attribution: 'delivery' } });
  });

  test.each([
    ['AWSLogs/111122223333/CloudFront/2024/06/10/08/EMLARXS9EXAMPLE.2024-06-10-08.abcd1234.gz'],
    ['AWSLogs/aws-account-id=111122223333/aws-service=CloudFront/year=2024/month=06/day=10/EMLARXS9EXAMPLE.2024-06-10-08.abcd1234.gz'],
  ])('v2 keys with a suffix path name the account too: %s', (key) => {
    expect(contextFromS3Key('ingest', key).account).toBe('111122223333');
  });

  test('a partitioned S3 access key is a claim: believed as unverified, flagged when a delivery says otherwise', () => {
    const key = 'raw/123456789012/us-west-1/amzn-s3-demo-bucket1/2019/02/06/2019-02-06-00-00-00-1B2C3D4E5F6A7B8C';
    const alone = normalize({ events: events([S3_LINE]), context: contextFromS3Key('b', key), source: 'auto' }, { now: NOW });
    expect(alone.documents[0]).toMatchObject({ cloud: { account: { id: '123456789012' }, region: 'us-west-1' }, tributary: { attribution: 'unverified' } });
    const delivered = normalize({ events: events([S3_LINE]), context: { s3: { bucket: 'b', key }, account: '999999999999' }, source: 's3access' }, { now: NOW });
    expect(delivered.documents[0]).toMatchObject({ cloud: { account: { id: '999999999999' } }, tributary: { attribution: 'mismatch', claimed: { account: '123456789012' } } });
  });

  test('the bucket owner (a canonical user id) is never taken for an account', () => {
    const r = normalize({ events: events([S3_LINE]), context: {}, source: 's3access' }, { now: NOW });
    expect(r.documents[0].cloud?.account).toBeUndefined();
    expect(r.documents[0].aws?.s3access?.bucket_owner).toBe(OWNER);
  });
});

describe('the #Fields header of an object', () => {
  const custom = '#Fields: time date c-ip sc-status cs-uri-stem';
  const lines = ['#Version: 1.0', custom, ...Array.from({ length: 7 }, (_, i) => `08:15:0${i}${T}2024-06-10${T}198.51.100.${i}${T}200${T}/p${i}`)];

  test('is found among the first lines', () => {
    expect(cloudfrontHeaderFields(events(lines))).toBe('#Fields: time date c-ip sc-status cs-uri-stem');
    expect(cloudfrontHeaderFields(events([CF_LINE]))).toBeUndefined();
  });

  test('governs later chunks: the same documents and ids as one batch', () => {
    const context = { s3: { bucket: 'b', key: 'cdn/EMLARXS9EXAMPLE.2024-06-10-08.abcd1234.gz' } };
    const whole = normalize({ events: events(lines), context, source: 'auto' }, { now: NOW });
    const chunked = [...normalizeInChunks({ events: events(lines), context, source: 'auto' }, { now: NOW }, 3)];
    expect(whole.counts).toEqual({ received: 9, documents: 7, dropped: 2, failed: 0 });
    expect(chunked.flatMap((r) => r.failures)).toEqual([]);
    expect(chunked.flatMap((r) => r.documents)).toEqual(whole.documents);
  });

  test('is kept in an S3 ingest checkpoint', () => {
    const input = { bucket: 'b', key: 'k', version: 'v' };
    const cp = {
      version: 1, input, settings: 's', cut: { chunkLines: 1, chunkBytes: 1, segmentLines: 1, segmentBytes: 1 }, position: 3, segment: 1,
      complete: false, source: 'cloudfront', cloudfrontFields: 'time date c-ip', tally: {}, updatedAt: '',
    };
    expect(parseIngestCheckpoint(JSON.stringify(cp), { input, settings: 's' }).checkpoint?.cloudfrontFields).toBe('time date c-ip');
    expect(parseIngestCheckpoint(JSON.stringify({ ...cp, cloudfrontFields: 7 }), { input, settings: 's' }).ignored).toBe('no valid CloudFront field list');
  });
});

describe('S3 ingest of a large CloudFront file', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), 'tributary-cloudfront-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  /** A deadline that passes after `n` checks. */
  const afterChecks = (n: number): Deadline => {
    let left = n;
    return { remainingMs: () => left-- };
  };
  async function archived(store: ObjectStore): Promise<unknown[]> {
    const docs: unknown[] = [];
    for await (const o of listAll(store, 'normalized/')) for await (const l of readLines(await store.get(o.key))) if (l) docs.push(JSON.parse(l));
    return docs;
  }

  test('a v2 field order holds for every chunk, also after a deadline stop and a resumed delivery', async () => {
    const key = 'cdn/EMLARXS9EXAMPLE.2024-06-10-08.abcd1234.gz';
    // Not the legacy order: a chunk that lost the header would misread every line (time as date).
    const rows = Array.from({ length: 950 }, (_, i) => [`08:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}`, '2024-06-10', `198.51.100.${i % 250}`, '200', `/p/${i}`].join(T));
    const body = gzipSync(['#Version: 1.0', '#Fields: time date c-ip sc-status cs-uri-stem', ...rows].join('\n') + '\n');
    const logs = new LocalStore(path.join(dir, 'logs'), 'cf-logs');
    await logs.put(key, body);
    const deps = (archive: ObjectStore): IngestObjectDeps => ({ archive, chunkLines: 100, segmentLines: 300, now: () => NOW });
    const whole = new LocalStore(path.join(dir, 'whole'), 'archive-a');
    const full = await ingestObject({ store: logs, key, version: 'v1' }, deps(whole));
    expect(full.tally).toMatchObject({ received: 952, documents: 950, dropped: 2, failed: 0 });
    const parts = new LocalStore(path.join(dir, 'parts'), 'archive-b');
    await expect(ingestObject({ store: logs, key, version: 'v1' }, deps(parts), { deadline: afterChecks(6) })).rejects.toBeInstanceOf(IngestStoppedError);
    const rest = await ingestObject({ store: logs, key, version: 'v1' }, deps(parts), { resume: true });
    expect(rest.resumedFrom).toBeGreaterThan(0);
    expect(rest.tally.failed ?? 0).toBe(0);
    expect(await archived(parts)).toEqual(await archived(whole));
  });
});

describe('configuration', () => {
  const base = { ARCHIVE_BUCKET: 'archive-bucket' };
  test('SOURCE_OPTIONS takes a CloudFront field list', () => {
    const c = loadConfig({ ...base, SOURCE_OPTIONS: '{"cloudfrontFields":"timestamp c-ip sc-status"}' }, 's3ingest');
    expect(c.sourceOptions).toEqual({ cloudfrontFields: 'timestamp c-ip sc-status' });
    expect(() => loadConfig({ ...base, SOURCE_OPTIONS: '{"cloudfrontFields":["timestamp"]}' }, 's3ingest')).toThrow(/SOURCE_OPTIONS/);
  });
});

describe('values', () => {
  test.each([
    ['/img/a%2520b.png', '/img/a%20b.png'],
    ['Mozilla/5.0%20(X11)', 'Mozilla/5.0 (X11)'],
    ['caf%C3%A9', 'café'],
    ['%FF%FE', '\uFFFD\uFFFD'],
    ['100%', '100%'],
    ['%zz%2', '%zz%2'],
    ['déjà%20vu', 'déjà vu'],
  ])('unescapeOnce(%j) = %j', (s, out) => expect(unescapeOnce(s)).toBe(out));

  test('unescapeOnce decodes ASCII by slices to what the byte-wise decoding gives, whatever the text (text without an escape is kept as it is)', () => {
    const piece = fc.oneof(
      fc.constantFrom('%', '%2', '%20', '%25', '%2520', '%7F', '%7f', '%80', '%C3%A9', '%FF', '%zz', 'a', 'Z', '/', '?', 'é', '€', '😀', '\ud800', ' '),
      fc.string({ maxLength: 4 }),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 24 }).map((p) => p.join('')), (s) => expect(unescapeOnce(s)).toBe(s.includes('%') ? unescapeBytes(s) : s)),
      { numRuns: runs(500) },
    );
  });

  test('S3 tokenizer: brackets and quotes hold spaces; an unclosed one is undefined', () => {
    expect(tokenizeS3('a [06/Feb/2019:00:00:38 +0000] "GET / HTTP/1.1" "Mozilla/5.0 (X11)" -')).toEqual([
      'a', '06/Feb/2019:00:00:38 +0000', 'GET / HTTP/1.1', 'Mozilla/5.0 (X11)', '-',
    ]);
    expect(tokenizeS3('a [06/Feb/2019')).toBeUndefined();
    expect(tokenizeS3('a "GET')).toBeUndefined();
  });

  test('without a header, only a line as long as a legacy one is read in the legacy order', () => {
    const parse = (line: string) => normalize({ events: events([line]), context: {}, source: 'cloudfront' }, { now: NOW });
    expect(parse(CF_LINE).documents).toHaveLength(1);
    expect(parse(CF_LINE.split(T).slice(0, 24).join(T)).documents).toHaveLength(1);
    const v2 = parse(['2024-06-10', '08:15:02', '198.51.100.7', 'GET', '/'].join(T));
    expect(v2.failures[0]).toMatchObject({ error: { type: 'unknown_format' } });
  });

  test('a list naming a field twice: the last value present wins, and repeating a name whose value is absent changes nothing', () => {
    const doc = (fields: string[], values: string[]) => {
      const r = normalize({ events: events([`#Fields: ${fields.join(' ')}`, values.join(T)]), context: {}, source: 'cloudfront' }, { now: NOW });
      // The id hashes the line, which differs by the repeated column: everything else must not.
      return { failures: r.failures.map((f) => f.error), documents: r.documents.map((d) => ({ ...d, event: { ...d.event, id: undefined } })) };
    };
    const base = ['date', 'time', 'c-ip', 'x-custom'];
    expect(doc([...base, 'x-custom'], ['2024-06-10', '08:15:02', '198.51.100.7', 'a', 'b']).documents[0].aws?.cloudfront?.extra).toEqual({ 'x-custom': 'b' });
    expect(doc([...base, 'x-custom'], ['2024-06-10', '08:15:02', '198.51.100.7', 'a', '-']).documents[0].aws?.cloudfront?.extra).toEqual({ 'x-custom': 'a' });
    expect(doc([...base, 'c-ip'], ['2024-06-10', '08:15:02', '198.51.100.7', 'a', '203.0.113.9']).documents[0].source?.ip).toBe('203.0.113.9');
    const value = fc.oneof(
      fc.constantFrom('-', '', '200', '2019-12-04', '21:02:31', '1718003702.123', '0.001', 'TLSv1.3', 'HTTP/2.0', '%2520', 'Hit', 'wss', '198.51.100.7'),
      fc.string({ maxLength: 8 }),
    );
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.constantFrom(...LEGACY_FIELDS.slice(2).map((f) => f.toLowerCase()), 'c-country', 'asn', 'x-one', 'x-two'), { maxLength: 16 }),
        fc.array(value, { maxLength: 20 }),
        fc.nat(),
        (rest, values, k) => {
          // A time first, so that most lines make a document.
          const fields = ['date', 'time', ...rest];
          const line = ['2019-12-04', '21:02:31', ...rest.map((_, i) => values[i] ?? '-')];
          // Values past the list too (kept by position), then the repeated name's absent value.
          const repeated = [...fields, fields[k % fields.length]];
          expect(doc(repeated, [...line, '-'])).toEqual(doc([...fields, 'x-pad'], [...line, '-']));
        },
      ),
      { numRuns: runs(200) },
    );
  });

  test('field names of both generations mean the same field', () => {
    expect(compileFields('cs(Host) cs(User-Agent) cs(Referer) cs(Cookie) DistributionId').names).toEqual(['cs-host', 'cs-user-agent', 'cs-referer', 'cs-cookie', 'distribution-id']);
  });
});

describe('ids', () => {
  test('the same event gets the same id in every run; different positions differ', () => {
    const run = () => normalize({ events: events(['#Version: 1.0', `#Fields: ${LEGACY_FIELDS.join(' ')}`, CF_LINE, CF_LINE]), context: {}, source: 'cloudfront' }, { now: NOW });
    const [a, b] = [run(), run()];
    expect(a.documents.map((d) => d.event?.id)).toEqual(b.documents.map((d) => d.event?.id));
    expect(new Set(a.documents.map((d) => d.event?.id)).size).toBe(2);
    const s3 = () => normalize({ events: events([S3_LINE]), context: {}, source: 's3access' }, { now: NOW }).documents[0].event?.id;
    expect(s3()).toBe(s3());
  });
});

describe('fuzzing', () => {
  const cfValue = fc.oneof(
    fc.constantFrom('-', '', '000', '200', '2019-12-04', '21:02:31', '1718003702.123', '1718007302123', '0.001', 'TLSv1.3', 'HTTP/2.0', '%2520', '%FF', '%', 'Hit', 'wss'),
    fc.oneof(fc.ipV4(), fc.ipV6()),
    fc.nat().map(String),
    fc.string({ maxLength: 12 }),
  );
  const cfLine = fc.oneof(
    fc.string({ maxLength: 200 }),
    fc.array(cfValue, { maxLength: 40 }).map((v) => v.join(T)),
    fc.tuple(fc.nat({ max: 32 }), cfValue).map(([i, v]) => {
      const t = CF_LINE.split(T);
      t[i] = v;
      return t.join(T);
    }),
    fc.array(fc.constantFrom(...LEGACY_FIELDS, 'timestamp', 'timestamp(ms)', 'c-country', 'asn', 'x'), { maxLength: 12 }).map((f) => `#Fields: ${f.join(' ')}`),
  );
  const s3Token = fc.oneof(
    fc.constantFrom('-', '"-"', '[06/Feb/2019:00:00:38 +0000]', '"GET /k HTTP/1.1"', '200', 'NoSuchKey', 'TLSv1.2', '"', '[', OWNER),
    fc.oneof(fc.ipV4(), fc.ipV6()),
    fc.nat().map(String),
    fc.string({ maxLength: 12 }),
  );
  const s3Line = fc.oneof(
    fc.string({ maxLength: 200 }),
    fc.array(s3Token, { maxLength: 32 }).map((t) => t.join(' ')),
    fc.tuple(fc.nat({ max: 40 }), s3Token).map(([i, v]) => {
      const t = S3_LINE.split(' ');
      t[Math.min(i, t.length - 1)] = v;
      return t.join(' ');
    }),
  );
  const options = fc.option(fc.constantFrom('timestamp c-ip sc-status', 'date time', '', 'x'), { nil: undefined });
  // Real lines cut, spliced and sprinkled with control characters, escapes and broken surrogates.
  const nasty = fc.oneof(fc.constantFrom('\u0000', '\r', '\n', '\t', '\ud800', '\ufeff', '"', '[', ']', '%', '%2', '%C3', '😀', ' '), fc.string({ unit: 'binary', maxLength: 8 }));
  const mutated = fc
    .tuple(fc.constantFrom(CF_LINE, S3_LINE, `#Fields: ${LEGACY_FIELDS.join(' ')}`), fc.array(fc.tuple(fc.nat(), nasty), { maxLength: 6 }), fc.option(fc.nat()))
    .map(([line, inserts, cut]) => {
      let s = line;
      for (const [at, text] of inserts) {
        const i = at % (s.length + 1);
        s = s.slice(0, i) + text + s.slice(i);
      }
      return cut === null ? s : s.slice(0, cut % (s.length + 1));
    });

  test('parsers never throw and account for every event', () => {
    fc.assert(
      fc.property(fc.array(cfLine, { maxLength: 8 }), options, (lines, fields) => {
        const out = cloudfrontParser.parse(events(lines), fields === undefined ? {} : { options: { cloudfrontFields: fields } });
        expect(out.map((o) => (o.kind === 'document' ? o.indices[0] : o.index))).toEqual(lines.map((_, i) => i));
      }),
      { numRuns: runs(400) },
    );
    fc.assert(
      fc.property(s3Line, (line) => {
        const r = parseS3AccessLine(line, {});
        expect(r).toBeDefined();
        expect(s3accessParser.parse(events([line]), {})).toHaveLength(1);
      }),
      { numRuns: runs(400) },
    );
  });

  test('through the pipeline: counts reconcile and every document validates', () => {
    fc.assert(
      fc.property(fc.constantFrom('cloudfront', 's3access', 'auto') as fc.Arbitrary<'cloudfront' | 's3access' | 'auto'>, fc.array(fc.oneof(cfLine, s3Line, mutated), { minLength: 1, maxLength: 8 }), options, (source, lines, fields) => {
        const r = normalize({ events: events(lines), context: fields === undefined ? {} : { options: { cloudfrontFields: fields } }, source }, { now: NOW, includeOriginal: true });
        expect(r.counts.received).toBe(lines.length);
        expect(r.counts.received).toBe(r.counts.documents + r.counts.dropped + r.counts.failed);
        for (const d of [...r.documents, ...r.failures]) expectValid(d);
      }),
      { numRuns: runs(200) },
    );
  });
});
