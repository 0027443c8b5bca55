/** Application-log parser: JSON loggers, text formats, multi-line grouping, bounds, properties. */
import fc from 'fast-check';
import { normalize } from '../../lib/core/pipeline';
import { APP_FIELDS_MAX_CHARS, APP_FIELDS_MAX_KEYS, appParser, mapJsonRecord, parseTextLine } from '../../parsers/app';
import { levelFromName, levelFromNumber, levelFromValue } from '../../parsers/levels';
import { isoFromEpoch, isoFromLogTime, isoFromTimeValue } from '../../parsers/logtime';
import { groupLines, isContinuationLine } from '../../parsers/multiline';
import type { Outcome, RawEvent } from '../../parsers/types';
import { expectValid } from '../helpers/schema';
import { runs } from '../helpers/fuzz';

const NOW = new Date('2026-01-01T00:00:00.000Z');
const events = (...messages: string[]): RawEvent[] => messages.map((message, i) => ({ message, key: `k:${i}` }));
const run = (...messages: string[]) => {
  const r = normalize({ events: events(...messages), context: {}, source: 'app' }, { now: NOW });
  for (const d of [...r.documents, ...r.failures]) expectValid(d);
  return r;
};

describe('levels and times', () => {
  test.each([
    ['WARNING', 'warn'], ['Err', 'error'], ['SEVERE', 'error'], ['crit', 'critical'], ['FINEST', 'trace'], ['notice', 'notice'],
  ])('name %s → %s', (name, level) => expect(levelFromName(name)).toBe(level));
  test.each([[10, 'trace'], [20, 'debug'], [30, 'info'], [35, 'info'], [40, 'warn'], [50, 'error'], [60, 'fatal']])('number %d → %s', (n, l) =>
    expect(levelFromNumber(n)).toBe(l),
  );
  test('not levels', () => {
    expect(levelFromName('EVENT')).toBeUndefined();
    expect(levelFromNumber(5)).toBeUndefined();
    expect(levelFromValue({})).toBeUndefined();
    expect(levelFromValue('30')).toBe('info');
  });
  test.each([
    ['2021-05-03 11:47:12,494+0000', '2021-05-03T11:47:12.494Z'],
    ['2026-03-01T10:02:46.5+02:00', '2026-03-01T08:02:46.500Z'],
    ['2026-03-01 10:02:46', '2026-03-01T10:02:46.000Z'],
    ['2026-01-31T22:12:58.534123Z', '2026-01-31T22:12:58.534Z'],
  ])('time %s', (s, iso) => expect(isoFromLogTime(s)).toBe(iso));
  test('epochs by magnitude; implausible values rejected', () => {
    expect(isoFromEpoch(1772359365)).toBe('2026-03-01T10:02:45.000Z');
    expect(isoFromEpoch(1772359365123)).toBe('2026-03-01T10:02:45.123Z');
    expect(isoFromEpoch(1772359365123456)).toBe('2026-03-01T10:02:45.123Z');
    expect(isoFromEpoch(1772359365123456000)).toBe('2026-03-01T10:02:45.123Z');
    expect(isoFromEpoch(42)).toBeUndefined();
    expect(isoFromTimeValue('yesterday')).toBeUndefined();
    expect(isoFromLogTime('2026-13-45T99:99:99Z')).toBeUndefined();
  });
});

describe('JSON records', () => {
  test('pino', () => {
    const f = mapJsonRecord({ level: 50, time: 1772359366000, pid: 7, hostname: 'web-1', msg: 'db down', err: { type: 'Error', message: 'ECONNREFUSED', stack: 'Error: ECONNREFUSED\n    at x (a.js:1:1)' } });
    expect(f).toMatchObject({ message: 'db down', log: { level: 'error' }, '@timestamp': '2026-03-01T10:02:46.000Z', host: { hostname: 'web-1' }, process: { pid: 7 }, app: { format: 'pino' } });
    expect(f.error).toMatchObject({ type: 'Error', message: 'ECONNREFUSED' });
  });

  test('unknown keys go to app.fields; known ones are removed from it; input not mutated', () => {
    const input = { level: 'info', message: 'm', timestamp: '2026-03-01T10:02:45Z', log: { logger: 'a', extra: 1 }, orderId: 'o-1' };
    const copy = JSON.parse(JSON.stringify(input));
    const f = mapJsonRecord(input);
    expect(f.log?.logger).toBe('a');
    expect(f.app?.fields).toEqual({ log: { extra: 1 }, orderId: 'o-1' });
    expect(input).toEqual(copy);
  });

  test('app.fields is bounded in keys and size', () => {
    const o: Record<string, unknown> = { message: 'x' };
    for (let i = 0; i < 500; i++) o[`key${i}`] = 'v'.repeat(100);
    const f = mapJsonRecord(o);
    const fields = f.app?.fields as Record<string, unknown>;
    expect(Object.keys(fields).length).toBeLessThanOrEqual(APP_FIELDS_MAX_KEYS);
    expect(JSON.stringify(fields).length).toBeLessThanOrEqual(APP_FIELDS_MAX_CHARS);
    expect((f.app?.fields_dropped ?? 0) + Object.keys(fields).length).toBe(500);
  });

  test('Powertools placeholder service is not a service name', () => {
    expect(mapJsonRecord({ level: 'INFO', message: 'x', service: 'service_undefined', sampling_rate: 0 }).service).toBeUndefined();
  });
});

describe('text lines', () => {
  test('nginx combined', () => {
    const f = parseTextLine('203.0.113.9 - bob [01/Mar/2026:10:02:45 +0100] "GET /a?b=1 HTTP/1.1" 503 12 "-" "curl/8.5.0"').fields;
    expect(f).toMatchObject({
      source: { ip: '203.0.113.9' },
      user: { name: 'bob' },
      '@timestamp': '2026-03-01T09:02:45.000Z',
      http: { request: { method: 'GET' }, version: '1.1', response: { status_code: 503, bytes: 12 } },
      url: { original: '/a?b=1' },
      user_agent: { original: 'curl/8.5.0' },
      event: { outcome: 'failure' },
    });
    expect(f.http?.request?.referrer).toBeUndefined();
  });

  test('syslog 3164 takes the year of the envelope', () => {
    expect(parseTextLine('May 11 15:17:02 web-1 CRON[10973]: session opened', 2026).fields).toMatchObject({
      '@timestamp': '2026-05-11T15:17:02.000Z',
      host: { hostname: 'web-1' },
      process: { name: 'CRON', pid: 10973 },
      message: 'session opened',
    });
  });

  test('anything else is just a message; blank lines are dropped', () => {
    const r = run('hello world', '', '   ');
    expect(r.documents.map((d) => d.message)).toEqual(['hello world']);
    expect(r.dropped).toEqual({ blank: 2 });
  });
});

describe('multi-line grouping', () => {
  test('continuation rules', () => {
    for (const l of ['    at x (a.js:1:1)', '\tat com.x.Y(Y.java:1)', 'Caused by: java.io.IOException', 'Traceback (most recent call last):', '  File "a.py", line 1', '... 3 more', '}', '{', '],'])
      expect(isContinuationLine(l)).toBe(true);
    for (const l of ['2026-03-01 ERROR x', 'at', 'attention please', '{}', '{"a":1}', '', 'Cause: x']) expect(isContinuationLine(l)).toBe(false);
  });

  test('Java trace grouped with the line that started it; blank line ends a group', () => {
    expect(groupLines(['ERROR failed', 'java.lang.IllegalStateException: x', '\tat a.B.c(B.java:1)', '', '    at orphan'])).toEqual([[0, 1, 2], [3], [4]]);
    // An exception-looking line NOT followed by a frame starts its own event.
    expect(groupLines(['ERROR failed', 'java.lang.IllegalStateException: x', 'next'])).toEqual([[0], [1], [2]]);
  });

  test('Python traceback ends with its exception line', () => {
    const r = run('2026-03-01 10:02:49,002 ERROR worker - job failed', 'Traceback (most recent call last):', '  File "w.py", line 10, in <module>', 'ValueError: bad config', 'ValueError: unrelated');
    expect(r.documents).toHaveLength(2);
    expect(r.documents[0].error).toMatchObject({ type: 'ValueError', message: 'bad config' });
    expect(r.documents[1].message).toBe('ValueError: unrelated');
  });

  test('a runaway trace is split at the bounds instead of building a giant document', () => {
    const lines = ['ERROR start', ...Array.from({ length: 1200 }, (_, i) => `    at f${i} (a.js:1:1)`)];
    const groups = groupLines(lines);
    expect(groups.length).toBeGreaterThan(2);
    expect(Math.max(...groups.map((g) => g.length))).toBeLessThanOrEqual(500);
  });
});

describe('app properties', () => {
  const appish = fc.oneof(
    fc.string(),
    fc.json(),
    fc.constantFrom('    at ', 'Caused by: ', 'Traceback (most recent call last):', '[', '<34>1 ', '<13>Mar  1 ', '[Sun Mar 01 10:02:45 2026] [', '1.2.3.4 - - [01/Mar/2026:10:02:45 +0000] "', '2026-03-01 10:02:45,123 ').chain((p) => fc.string().map((s) => p + s)),
    fc.dictionary(fc.string(), fc.jsonValue()).map((o) => JSON.stringify(o)),
  );
  const wellFormed = (outs: Outcome[], n: number) => {
    const seen = new Array<number>(n).fill(0);
    for (const o of outs) for (const i of o.kind === 'document' ? o.indices : [o.index]) seen[i]++;
    return seen.every((c) => c === 1);
  };

  test('groupLines partitions the indices in order', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.string(), fc.constantFrom('    at x', 'Traceback (most recent call last):', 'KeyError: x', '}', '', 'java.lang.E: x')), { maxLength: 30 }), (lines) => {
        expect(groupLines(lines).flat()).toEqual(lines.map((_, i) => i));
      }),
      { numRuns: runs(100) },
    );
  });

  test('never throws, never fails non-empty text, accounts for every index, documents validate', () => {
    fc.assert(
      fc.property(fc.array(appish, { maxLength: 12 }), (messages) => {
        const evs = events(...messages);
        expect(wellFormed(appParser.parse(evs, {}), evs.length)).toBe(true);
        const r = normalize({ events: evs, context: {}, source: 'app' }, { now: NOW });
        expect(r.counts.failed).toBe(0);
        for (const d of r.documents) expectValid(d);
      }),
      { numRuns: runs(400) },
    );
  });
});
