/**
 * `normalizeInSlices` (lib/core/pipeline.ts): the transformer's payloads are normalized a slice of
 * events at a time when the parser allows it (per-event parsers; audit, cut between events), and the
 * result must be exactly what one `normalize` of the whole batch gives: same documents in the same
 * order, same failures, drops, counts and source; VPC through its session, whose lines that fit several
 * layouts are decided after the last slice and come last.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { normalize, normalizeInSlices, type NormalizeInput } from '../../lib/core/pipeline';
import { normalizeCloudWatchBatch, payloadDocuments } from '../../lib/core/cloudwatch';
import { cloudWatchBatch } from '../../lib/core/envelopes';
import { parsers } from '../../parsers';
import type { RawEvent, SourceId } from '../../parsers/types';
import type { TributaryDocument } from '../../schemas/generated/document';
import { runs } from '../helpers/fuzz';

const now = new Date('2026-03-01T12:00:00Z');
const fixtures = path.join(__dirname, '../fixtures');
/** Every line of the golden inputs of one source (real-format lines, including the bad ones). */
const linesOf = (dir: string) =>
  readdirSync(path.join(fixtures, dir))
    .filter((f) => f.endsWith('.log'))
    .flatMap((f) => readFileSync(path.join(fixtures, dir, f), 'utf8').split('\n'));

const events = (lines: string[], prefix = 'g/'): RawEvent[] => lines.map((message, i) => ({ message, key: `${prefix}${i}`, timestamp: 1772359200000 + i }));

/** The sliced run: documents as the sink got them, and how many slices it got. */
function sliced(input: NormalizeInput, sliceEvents: number) {
  const documents: TributaryDocument[] = [];
  const sizes: number[] = [];
  const rest = normalizeInSlices(input, { now }, (docs) => (sizes.push(docs.length), documents.push(...docs)), sliceEvents);
  return { ...rest, documents, sizes };
}

/** Sliced at `size`, the result equals one `normalize` of the whole batch; returns the sliced run. */
function expectSameAsWhole(input: NormalizeInput, size: number) {
  const whole = normalize(input, { now });
  const s = sliced(input, size);
  expect(s.documents).toEqual(whole.documents);
  expect(s.failures).toEqual(whole.failures);
  expect(s.dropped).toEqual(whole.dropped);
  expect(s.counts).toEqual(whole.counts);
  expect(s.source).toBe(whole.source);
  return s;
}

describe('per-event parsers: slices give exactly the whole batch result', () => {
  const cases: Array<[SourceId, string]> = [
    ['elb', 'elb'],
    ['waf', 'waf'],
    ['s3access', 's3access'],
    ['route53resolver', 'route53resolver'],
    ['networkfirewall', 'networkfirewall'],
  ];
  test.each(cases)('%s: any mix of its golden lines, garbage and blanks, any slice size', (source, dir) => {
    expect(parsers[source].perEvent).toBe(true);
    const pool = [...linesOf(dir), '', 'garbage that no parser reads', '{"half": '];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...pool), { minLength: 1, maxLength: 60 }), fc.integer({ min: 1, max: 25 }), (lines, size) => {
        const s = expectSameAsWhole({ events: events(lines), context: { logGroup: 'g' }, source }, size);
        expect(s.source).toBe(source);
        expect(s.sizes.length).toBe(lines.length > size ? Math.ceil(lines.length / size) : 1);
      }),
      { numRuns: runs(60) },
    );
  });

  test('a detected source is decided once, on the whole batch, as `normalize` decides it', () => {
    // The first 20 lines say nothing (garbage is `app` content); an ALB line later decides: ELB for every slice.
    const alb = linesOf('elb').find((l) => l.startsWith('http '))!;
    const input: NormalizeInput = { events: events([...Array(5).fill('garbage'), alb, alb, alb]), context: {}, source: 'auto' };
    const whole = normalize(input, { now });
    const s = sliced(input, 2);
    expect(whole.source).toBe('elb');
    expect(s.source).toBe('elb');
    expect(s.sizes).toEqual([0, 0, 1, 2]);
    expect([s.documents, s.failures, s.counts]).toEqual([whole.documents, whole.failures, whole.counts]);
  });

  test('each slice goes to the sink before the next is parsed (few documents alive at once)', () => {
    const seen: string[] = [];
    const alb = linesOf('elb').find((l) => l.startsWith('http '))!;
    // The enricher runs in `finish`, once per document, as it is made: the order shows the interleaving.
    const enricher = { enrich: (d: TributaryDocument) => void seen.push(`made ${d.event.id}`), stats: {} } as never;
    const ids: string[] = [];
    normalizeInSlices({ events: events([alb, alb, alb, alb, alb]), context: {}, source: 'elb' }, { now, enricher }, (docs) => {
      for (const d of docs) {
        seen.push(`sink ${d.event.id}`);
        ids.push(d.event.id!);
      }
    }, 2);
    const [a, b, c, d, e] = ids;
    expect(seen).toEqual([`made ${a}`, `made ${b}`, `sink ${a}`, `sink ${b}`, `made ${c}`, `made ${d}`, `sink ${c}`, `sink ${d}`, `made ${e}`, `sink ${e}`]);
  });

  test('a batch with events the envelope rejected is one normalize call, with the same result', () => {
    const alb = linesOf('elb').find((l) => l.startsWith('http '))!;
    const evs = events([alb, alb, alb, alb]);
    evs[1] = { ...evs[1], rejected: { reason: 'line longer than the bound', type: 'line_too_long' } };
    const input: NormalizeInput = { events: evs, context: {}, source: 'auto' };
    const whole = normalize(input, { now });
    const s = sliced(input, 1);
    expect(s.sizes).toEqual([3]);
    expect([s.documents, s.failures, s.counts, s.source]).toEqual([whole.documents, whole.failures, whole.counts, whole.source]);
  });
});

describe('VPC: a session decides the lines that fit several layouts after the last slice', () => {
  const V3 =
    '3 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK ' +
    'vpc-0a1b2c3d4e5f67890 subnet-0a1b2c3d4e5f67890 i-0a1b2c3d4e5f67890 19 IPv4 172.31.16.139 172.31.16.21';
  const AMBIG = ['3', ...Array(20).fill('-')].join(' ');
  const byId = (docs: TributaryDocument[]) => [...docs].sort((a, b) => (a.event.id! < b.event.id! ? -1 : 1));

  test('an ambiguous line is decided by a decisive line further in the batch, whatever the slice size; held-back lines come last', () => {
    expect(parsers.vpcflow.perEvent).toBeFalsy();
    const input: NormalizeInput = { events: events([AMBIG, AMBIG, AMBIG, V3]), context: { logGroup: '/flow/a' }, source: 'vpcflow' };
    const whole = normalize(input, { now });
    const s = sliced(input, 1);
    expect(s.sizes).toEqual([0, 0, 0, 1, 3]);
    expect(s.counts).toEqual({ received: 4, documents: 4, dropped: 0, failed: 0 });
    expect(s.documents).toEqual([whole.documents[3], ...whole.documents.slice(0, 3)]);
  });

  test('any mix of the golden lines (headers, ambiguous, conflicting, bad), any slice size: the whole batch result, held-back lines last', () => {
    const pool = [...linesOf('vpcflow'), AMBIG, V3, ''];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...pool), { minLength: 1, maxLength: 60 }), fc.integer({ min: 1, max: 25 }), (lines, size) => {
        const input: NormalizeInput = { events: events(lines), context: { logGroup: '/flow/a' }, source: 'vpcflow' };
        const whole = normalize(input, { now });
        const s = sliced(input, size);
        expect(s.counts).toEqual(whole.counts);
        expect(s.dropped).toEqual(whole.dropped);
        expect(byId(s.documents)).toEqual(byId(whole.documents));
        expect(byId(s.failures)).toEqual(byId(whole.failures));
        // Lines decided at once keep their order: the sliced documents are the whole batch's with some moved to the end.
        const last = new Set(s.documents.slice(s.documents.length - s.sizes[s.sizes.length - 1]).map((d) => d.event.id));
        expect(s.documents).toEqual([...whole.documents.filter((d) => !last.has(d.event.id)), ...whole.documents.filter((d) => last.has(d.event.id))]);
      }),
      { numRuns: runs(150) },
    );
  });
});

describe('audit: sliced only where no event has records on both sides', () => {
  const pool = [...linesOf('auditd').filter(Boolean), '', 'not an audit line', 'type=SYSCALL msg=audit(1772359200.000:00042): arch=c000003e syscall=59 success=yes'];
  test('any order and mix of the golden records (events interleaved, re-sent, split), any slice size: the whole batch result', () => {
    expect(parsers.auditd.perEvent).toBeFalsy();
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...pool), { minLength: 1, maxLength: 80 }), fc.integer({ min: 1, max: 12 }), (lines, size) => {
        expectSameAsWhole({ events: events(lines), context: { logStream: 'host-a' }, source: 'auditd' }, size);
      }),
      { numRuns: runs(150) },
    );
  });

  test('records of one event far apart keep the batch whole between them; distinct events are cut', () => {
    const rec = (serial: string, type = 'SYSCALL') => `type=${type} msg=audit(1772359200.000:${serial}): arch=c000003e syscall=59 success=yes exit=0 pid=1 comm="sh"`;
    // Event 7 opens and closes around events 8 and 9 (serial written once as 007: the same event).
    const lines = [rec('7'), rec('8'), rec('9'), rec('007', 'CWD'), rec('10'), rec('11'), rec('12')];
    const s = sliced({ events: events(lines), context: {}, source: 'auditd' }, 1);
    expect(s.sizes).toEqual([3, 1, 1, 1]);
    expect(s.counts).toEqual({ received: 7, documents: 6, dropped: 1, failed: 0 });
  });
});

describe('normalizeCloudWatchBatch: a payload larger than a slice', () => {
  test('same NDJSON as the documents and failures of one normalize call, failures last', () => {
    const good = readFileSync(path.join(fixtures, 'elb/alb-http.log'), 'utf8').split('\n').filter(Boolean);
    const lines = Array.from({ length: 450 }, (_, i) => (i % 97 === 5 ? 'not an elb line' : good[i % good.length]));
    const payload = {
      messageType: 'DATA_MESSAGE',
      owner: '123456789012',
      logGroup: 'elb-logs',
      logStream: 's',
      subscriptionFilters: ['f'],
      logEvents: lines.map((message, i) => ({ id: `3195310660696698337880902507980421114328961542429822${String(i).padStart(4, '0')}`, timestamp: 1772359200000 + i, message })),
    };
    const batch = cloudWatchBatch(payload, 'us-east-1')!;
    const p = normalizeCloudWatchBatch(batch, undefined, { now, mappings: [{ pattern: 'elb-logs', source: 'elb' }] });
    const whole = normalize({ events: batch.events, context: batch.context, source: 'elb' }, { now });
    expect(p.result.counts).toEqual(whole.counts);
    expect(p.result.counts).toMatchObject({ received: 450, documents: 445, failed: 5 });
    expect(payloadDocuments(p)).toEqual(JSON.parse(JSON.stringify([...whole.documents, ...whole.failures])));
  });
});
