/**
 * The pipeline core's own guarantees, independent of any one parser: accounting, ids, metadata,
 * and that a misbehaving parser can neither crash a batch nor lose or double-count an event.
 */
import { normalize, failureDocument } from '../../lib/core/pipeline';
import { stableId } from '../../parsers/ids';
import { parsers } from '../../parsers';
import type { Outcome, Parser, RawEvent } from '../../parsers/types';
import { expectValid } from '../helpers/schema';

const events = (n: number): RawEvent[] =>
  Array.from({ length: n }, (_, i) => ({ message: `line ${i}`, key: `/g/${i}`, timestamp: 1700000000000 + i }));

function withParser<T>(outcomes: (evs: readonly RawEvent[]) => Outcome[] | never, run: () => T): T {
  const original = parsers.app;
  const fake: Parser = { source: 'app', parse: (evs) => outcomes(evs) };
  (parsers as Record<string, Parser>).app = fake;
  try {
    return run();
  } finally {
    (parsers as Record<string, Parser>).app = original;
  }
}

describe('normalize accounting', () => {
  test('documents, drops (merged included) and failures add up to received', () => {
    const r = withParser(
      () => [
        { kind: 'document', fields: { message: 'a' }, indices: [0, 1, 2] },
        { kind: 'drop', index: 3, reason: 'header' },
        { kind: 'failure', index: 4, message: 'bad' },
        { kind: 'document', fields: { message: 'b' }, indices: [5] },
      ],
      () => normalize({ events: events(6), context: { logGroup: '/g', account: '111122223333' }, source: 'app' }),
    );
    expect(r.counts).toEqual({ received: 6, documents: 2, dropped: 3, failed: 1 });
    expect(r.dropped).toEqual({ merged: 2, header: 1 });
    expect(r.documents[0].tributary?.record_count).toBe(3);
    expect(r.failures[0].event.kind).toBe('pipeline_error');
    expect(r.failures[0].event.original).toBe('line 4');
    expect(r.failures[0].error?.message).toBe('bad');
    for (const d of [...r.documents, ...r.failures]) expectValid(d);
  });

  test('events a parser forgets become failures; indices claimed twice count once', () => {
    const r = withParser(
      () => [
        { kind: 'document', fields: {}, indices: [0] },
        { kind: 'document', fields: {}, indices: [0, 9] },
        { kind: 'drop', index: 0, reason: 'blank' },
      ],
      () => normalize({ events: events(3), context: {}, source: 'app' }),
    );
    expect(r.counts).toEqual({ received: 3, documents: 1, dropped: 0, failed: 2 });
    expect(r.failures.map((f) => f.error?.type)).toEqual(['parser_bug', 'parser_bug']);
  });

  test('a parser that throws yields one failure per event, not a crash', () => {
    const r = withParser(
      () => {
        throw new Error('boom');
      },
      () => normalize({ events: events(4), context: {}, source: 'app' }),
    );
    expect(r.counts).toEqual({ received: 4, documents: 0, dropped: 0, failed: 4 });
    expect(r.failures[0].error?.message).toContain('boom');
  });

  test('a real parser that throws on one line: that line is a parser_bug failure, the rest of the batch still documents', () => {
    const BAD = '2 123456789010 eni-1235b8ca123456789 172.31.9.69 172.31.9.12 49761 3389 6 20 4249 1418530010 1418530070 REJECT OK';
    const lines = [
      '2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK',
      BAD,
      '',
      '2 123456789010 eni-1235b8ca123456789 - - - - - - - 1431280876 1431280934 - NODATA',
    ];
    const parser = parsers.vpcflow;
    const parse = parser.parse.bind(parser);
    const spy = jest.spyOn(parser, 'parse').mockImplementation((evs, ctx) => {
      if (evs.some((e) => e.message === BAD)) throw new Error('boom on the REJECT line');
      return parse(evs, ctx);
    });
    try {
      const evs = lines.map((message, i) => ({ message, key: `/flows/${i}` }));
      const r = normalize({ events: evs, context: { logGroup: '/flows' }, source: 'vpcflow' }, { includeOriginal: true });
      expect(r.counts).toEqual({ received: 4, documents: 2, dropped: 1, failed: 1 });
      expect(r.counts.received).toBe(r.counts.documents + r.counts.dropped + r.counts.failed);
      expect(r.dropped).toEqual({ blank: 1 });
      // The throw yields a failure document only, keeping the line; never a document counted as success.
      expect(r.failures).toHaveLength(1);
      expect(r.failures[0]).toMatchObject({ event: { kind: 'pipeline_error', original: BAD }, error: { type: 'parser_bug' } });
      expect(r.failures[0].error?.message).toContain('boom on the REJECT line');
      expect(r.documents.map((d) => d.event.original)).toEqual([lines[0], lines[3]]);
      for (const d of r.documents) {
        expect(d.event.kind).toBe('event');
        expect(d.tags ?? []).not.toContainEqual(expect.stringContaining('parser_bug'));
        expectValid(d);
      }
      expect(r.documents[0].source?.ip).toBe('172.31.16.139');
      // Bounded: one batch parse, then each event alone once.
      expect(spy).toHaveBeenCalledTimes(1 + lines.length);
    } finally {
      spy.mockRestore();
    }
  });

  test('a batch that throws only as a whole: every event still becomes its own outcome, no failure', () => {
    const r = withParser(
      (evs) => {
        if (evs.length > 1) throw new Error('batch-level bug');
        return [{ kind: 'document', fields: { message: evs[0].message }, indices: [0] }];
      },
      () => normalize({ events: events(3), context: {}, source: 'app' }),
    );
    expect(r.counts).toEqual({ received: 3, documents: 3, dropped: 0, failed: 0 });
    expect(r.documents.map((d) => d.message)).toEqual(['line 0', 'line 1', 'line 2']);
    expect(r.documents.map((d) => d.event.id)).toEqual([0, 1, 2].map((i) => stableId('app', `/g/${i}`)));
  });
});

describe('normalize metadata and ids', () => {
  const run = (ctx = {}, evs = events(1), fields = {}, aggregators: string[] = []) =>
    withParser(
      () => [{ kind: 'document', fields: structuredClone(fields), indices: [0] }],
      () => normalize({ events: evs, context: ctx, source: 'app' }, { now: new Date('2026-01-01T00:00:00Z'), aggregators }),
    ).documents[0];

  test('id is derived from dataset and the event key, and is stable', () => {
    const a = run({ logGroup: '/g' });
    const b = run({ logGroup: '/g' });
    expect(a.event.id).toBe(stableId('app', '/g/0'));
    expect(a.event.id).toBe(b.event.id);
    expect(a.event.id).toHaveLength(27);
  });

  test('a parser-provided id wins (CloudTrail eventID, audit host+serial)', () => {
    expect(run({}, events(1), { event: { id: 'natural' } }).event.id).toBe('natural');
  });

  test('envelope time, account and region fill what the parser did not set', () => {
    const d = run({ logGroup: '/g', logStream: 's', account: '111122223333', region: 'eu-west-1' });
    expect(d['@timestamp']).toBe('2023-11-14T22:13:20.000Z');
    expect(d.cloud).toEqual({ provider: 'aws', account: { id: '111122223333' }, region: 'eu-west-1' });
    expect(d.tributary).toMatchObject({ source: 'app', log_group: '/g', log_stream: 's', schema_version: '1' });
    expect(d.event.ingested).toBe('2026-01-01T00:00:00.000Z');
    expectValid(d);
  });

  test('extractedFields @aws.account/@aws.region name the origin on an aggregator\'s central log groups', () => {
    const evs = [{ message: 'x', key: 'k', extractedFields: { '@aws.account': '999988887777', '@aws.region': 'ap-south-1' } }];
    const d = run({ account: '111122223333', region: 'us-east-1' }, evs, {}, ['111122223333']);
    expect(d.cloud?.account?.id).toBe('999988887777');
    expect(d.cloud?.region).toBe('ap-south-1');
    expect(d.tributary?.attribution).toBe('aggregator');
    // From anyone else they are a claim that is not believed.
    const other = run({ account: '111122223333', region: 'us-east-1' }, evs);
    expect(other.cloud).toEqual({ provider: 'aws', account: { id: '111122223333' }, region: 'us-east-1' });
    expect(other.tributary).toMatchObject({ attribution: 'mismatch', claimed: { account: '999988887777', region: 'ap-south-1' } });
  });

  test('parser time and claims of the delivering account itself are not overwritten by the envelope', () => {
    const d = run({ account: '111122223333', region: 'us-east-1' }, events(1), {
      '@timestamp': '2020-01-01T00:00:00.000Z',
      cloud: { account: { id: '111122223333' }, region: 'eu-central-1' },
    });
    expect(d['@timestamp']).toBe('2020-01-01T00:00:00.000Z');
    expect(d.cloud).toEqual({ provider: 'aws', account: { id: '111122223333' }, region: 'eu-central-1' });
    expect(d.tributary).toMatchObject({ attribution: 'delivery', delivery: { account: '111122223333', region: 'us-east-1' } });
  });

  test('failure documents clip huge originals', () => {
    const f = failureDocument('app', { message: 'x'.repeat(2_000_000), key: 'k' }, {}, 'too big');
    expect(f.event.original!.length).toBeLessThan(40_000);
    expectValid(f);
  });
});
