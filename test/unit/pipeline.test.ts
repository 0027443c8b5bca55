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
});

describe('normalize metadata and ids', () => {
  const run = (ctx = {}, evs = events(1), fields = {}) =>
    withParser(
      () => [{ kind: 'document', fields: structuredClone(fields), indices: [0] }],
      () => normalize({ events: evs, context: ctx, source: 'app' }, { now: new Date('2026-01-01T00:00:00Z') }),
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

  test('extractedFields @aws.account/@aws.region name the origin on central log groups', () => {
    const evs = [{ message: 'x', key: 'k', extractedFields: { '@aws.account': '999988887777', '@aws.region': 'ap-south-1' } }];
    const d = run({ account: '111122223333', region: 'us-east-1' }, evs);
    expect(d.cloud?.account?.id).toBe('999988887777');
    expect(d.cloud?.region).toBe('ap-south-1');
  });

  test('parser fields are not overwritten by the envelope', () => {
    const d = run({ account: '111122223333' }, events(1), { '@timestamp': '2020-01-01T00:00:00.000Z', cloud: { account: { id: '222233334444' } } });
    expect(d['@timestamp']).toBe('2020-01-01T00:00:00.000Z');
    expect(d.cloud?.account?.id).toBe('222233334444');
  });

  test('failure documents clip huge originals', () => {
    const f = failureDocument('app', { message: 'x'.repeat(2_000_000), key: 'k' }, {}, 'too big');
    expect(f.event.original!.length).toBeLessThan(40_000);
    expectValid(f);
  });
});
