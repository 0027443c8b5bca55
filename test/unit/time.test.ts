/**
 * The event time window of the parsers' time helpers (parsers/time.ts, parsers/logtime.ts): every
 * helper returns undefined for a time it cannot parse or that lies outside [1990-01-01, 2100-01-01)
 * UTC, so no parser emits a far-past or far-future date; and none depends on the local time zone.
 */
import fc from 'fast-check';
import { isoFromEpoch, isoFromLogTime, isoFromParts, isoFromTimeValue } from '../../parsers/logtime';
import {
  badTimeMessage,
  EVENT_TIME_MAX_MS,
  EVENT_TIME_MIN_MS,
  inEventWindow,
  isoFromMillis,
  isoFromSeconds,
  isoFromString,
  outsideEventWindow,
  utcMillis,
} from '../../parsers/time';
import { runs } from '../helpers/fuzz';

const FIRST = '1990-01-01T00:00:00.000Z';
const LAST = '2099-12-31T23:59:59.999Z';

describe('event time window', () => {
  test('is [1990-01-01, 2100-01-01) UTC, bounds at midnight', () => {
    expect(new Date(EVENT_TIME_MIN_MS).toISOString()).toBe(FIRST);
    expect(new Date(EVENT_TIME_MAX_MS).toISOString()).toBe('2100-01-01T00:00:00.000Z');
    expect(inEventWindow(EVENT_TIME_MIN_MS)).toBe(true);
    expect(inEventWindow(EVENT_TIME_MAX_MS - 1)).toBe(true);
    expect(inEventWindow(EVENT_TIME_MIN_MS - 1)).toBe(false);
    expect(inEventWindow(EVENT_TIME_MAX_MS)).toBe(false);
    for (const x of [NaN, Infinity, -Infinity, 0, 8.64e15]) expect(inEventWindow(x)).toBe(false);
  });

  test('isoFromMillis / isoFromSeconds', () => {
    expect(isoFromMillis(EVENT_TIME_MIN_MS)).toBe(FIRST);
    expect(isoFromMillis(EVENT_TIME_MAX_MS - 1)).toBe(LAST);
    expect(isoFromMillis(EVENT_TIME_MIN_MS - 1)).toBeUndefined();
    expect(isoFromMillis(EVENT_TIME_MAX_MS)).toBeUndefined();
    expect(isoFromMillis(0)).toBeUndefined(); // epoch 0: an unset clock
    expect(isoFromMillis(253402300800000)).toBeUndefined(); // year 10000
    expect(isoFromMillis(NaN)).toBeUndefined();
    expect(isoFromSeconds(1772359200)).toBe('2026-03-01T10:00:00.000Z');
    expect(isoFromSeconds(1772359200000)).toBeUndefined(); // milliseconds taken for seconds
  });

  test('isoFromMillis keeps recent strings without ever answering another time (slots collide)', () => {
    // Deterministic times: repeats (cache hits), neighbours, fractions, and times sharing a slot.
    let x = 12345;
    const next = () => (x = (Math.imul(x, 1103515245) + 12345) >>> 1);
    const base = Date.UTC(2026, 2, 1, 10);
    const times: number[] = [];
    for (let i = 0; i < 20000; i++) {
      const r = next();
      times.push(r % 4 === 0 ? times[r % (times.length || 1)] ?? base : base + (r % 5_000_000) * (r % 3 === 0 ? 1 : 1000) + (r % 7 === 0 ? 0.5 : 0));
    }
    for (const t of times) expect(isoFromMillis(t)).toBe(new Date(t).toISOString());
    // Two times in one slot, alternating: each asks for its own string.
    const a = base;
    const slot = (t: number) => (t ^ (t / 1000)) & 255;
    let b = a + 1000;
    while (slot(b) !== slot(a)) b += 1000;
    for (let i = 0; i < 3; i++) {
      expect(isoFromMillis(a)).toBe(new Date(a).toISOString());
      expect(isoFromMillis(b)).toBe(new Date(b).toISOString());
    }
  });

  test.each([
    ['2018-12-20T02:59:40', '2018-12-20T02:59:40.000Z'], // NLB: no zone = UTC
    ['2018-07-02T22:23:00.186641Z', '2018-07-02T22:23:00.186Z'], // fractions truncated to ms
    ['2026-03-01 10:00', '2026-03-01T10:00:00.000Z'],
    ['2026-03-01T10:00:00+01:00', '2026-03-01T09:00:00.000Z'],
    ['2026-03-01T10:00:00-0230', '2026-03-01T12:30:00.000Z'],
    ['2026-03-01', '2026-03-01T00:00:00.000Z'],
    ['2024-02-29T00:00:00Z', '2024-02-29T00:00:00.000Z'],
    ['Mon, 02 Jan 2006 15:04:05 GMT', '2006-01-02T15:04:05.000Z'],
    ['2 Jan 2006 15:04 +0100', '2006-01-02T14:04:00.000Z'],
    ['1990-01-01T00:00:00Z', FIRST],
    ['2100-01-01T00:30:00+01:00', '2099-12-31T23:30:00.000Z'], // inside once the zone is applied
    // Outside the window, or not a time at all: `Date.parse` read the first ones as dates.
    [':::10000', undefined], // the elb property's counterexample: year 10000 (9999-12-31 east of UTC)
    [':::2000', undefined],
    ['12', undefined],
    ['x 2000', undefined],
    ['10000-01-01T00:00:00Z', undefined],
    ['0095-01-01T00:00:00Z', undefined], // not 1995 (Date.UTC's two-digit years)
    ['1989-12-31T23:59:59.999Z', undefined],
    ['2100-01-01T00:00:00Z', undefined],
    ['1970-01-01T00:00:00Z', undefined],
    ['2026-02-29T00:00:00Z', undefined], // not a leap year: no rolling over to March 1
    ['2026-02-30T10:00:00Z', undefined],
    ['2026-03-01T24:00:00Z', undefined],
    ['2026-03-01T10:00:60Z', undefined],
    ['2026-03-01T10:00:00+25:00', undefined],
    ['yesterday', undefined],
    ['', undefined],
  ])('isoFromString(%j)', (s, iso) => expect(isoFromString(s)).toBe(iso));

  test('isoFromString of the forms AWS writes (`…SS[.f…]` and a zone): the time when it exists in the window, else undefined', () => {
    const p = (n: number, w: number) => String(n).padStart(w, '0');
    const zones: Array<[string, number]> = [['Z', 0], ['z', 0], ['', 0], ['+0000', 0], ['+00:00', 0], ['-0000', 0], ['+01:00', 60], ['-0230', -150]];
    fc.assert(
      fc.property(
        fc.record({
          y: fc.integer({ min: 1985, max: 2105 }),
          mo: fc.integer({ min: 0, max: 13 }),
          d: fc.integer({ min: 0, max: 32 }),
          h: fc.integer({ min: 0, max: 25 }),
          mi: fc.integer({ min: 0, max: 61 }),
          s: fc.integer({ min: 0, max: 61 }),
          fraction: fc.option(fc.stringMatching(/^\d{1,9}$/)),
          zone: fc.constantFrom(...zones),
        }),
        ({ y, mo, d, h, mi, s, fraction, zone: [zone, east] }) => {
          const text = `${p(y, 4)}-${p(mo, 2)}-${p(d, 2)}T${p(h, 2)}:${p(mi, 2)}:${p(s, 2)}${fraction === null ? '' : `.${fraction}`}${zone}`;
          const ms = fraction === null ? 0 : Number((fraction + '00').slice(0, 3));
          const t = Date.UTC(y, mo - 1, d, h, mi, s, ms) - east * 60_000;
          const exists = mo >= 1 && mo <= 12 && h < 24 && mi < 60 && s < 60 && new Date(Date.UTC(y, mo - 1, d)).getUTCDate() === d;
          const inWindow = t >= Date.UTC(1990, 0, 1) && t < Date.UTC(2100, 0, 1);
          expect(isoFromString(text)).toBe(exists && inWindow ? new Date(t).toISOString() : undefined);
          // Log times: hour 24 and a leap second roll over; no lowercase `z`.
          const rolls = mo >= 1 && mo <= 12 && h <= 24 && mi < 60 && s <= 60 && new Date(Date.UTC(y, mo - 1, d)).getUTCDate() === d && zone !== 'z';
          expect(isoFromLogTime(text)).toBe(rolls && inWindow ? new Date(t).toISOString() : undefined);
        },
      ),
      { numRuns: runs(1000) },
    );
    // Near misses of those forms take the general way, to its answer.
    const near: Array<[string, string | undefined]> = [
      ['2026-03-01T10:00:00.12Z', '2026-03-01T10:00:00.120Z'],
      ['2026-03-01t10:00:00Z', '2026-03-01T10:00:00.000Z'],
      ['2026-03-01T10:00:00.000z', '2026-03-01T10:00:00.000Z'],
      [' 2026-03-01T10:00:00Z', '2026-03-01T10:00:00.000Z'],
      ['2026-03-01T10:00:0a.000Z', undefined],
      ['+2026-03-01T10:00:00Z', undefined],
    ];
    for (const [text, iso] of near) expect(isoFromString(text)).toBe(iso);
  });

  test('utcMillis: only dates that exist, no two-digit-year mapping', () => {
    expect(utcMillis(2024, 1, 29)).toBe(Date.UTC(2024, 1, 29));
    expect(utcMillis(2026, 1, 29)).toBeNaN();
    expect(utcMillis(2026, 12, 1)).toBeNaN();
    expect(utcMillis(95, 0, 1)).toBeNaN();
  });

  test('logtime helpers use the same window', () => {
    expect(isoFromLogTime('1990-01-01 00:00:00,000')).toBe(FIRST);
    expect(isoFromLogTime('1989-12-31 23:59:59,999')).toBeUndefined();
    expect(isoFromLogTime('2100-01-01T00:00:00Z')).toBeUndefined();
    expect(isoFromLogTime('0095-06-01T00:00:00Z')).toBeUndefined();
    expect(isoFromLogTime('2026-02-30T10:00:00Z')).toBeUndefined();
    expect(isoFromEpoch(631152000)).toBe(FIRST); // seconds
    expect(isoFromEpoch(631151999)).toBeUndefined(); // 1989: was a time before the window existed
    expect(isoFromEpoch(4102444800000)).toBeUndefined(); // 2100-01-01 in ms
    expect(isoFromTimeValue('Mon, 02 Jan 2006 15:04:05 GMT')).toBe('2006-01-02T15:04:05.000Z');
    expect(isoFromTimeValue('12')).toBeUndefined(); // was December 2001, in the local time zone
    expect(isoFromTimeValue('1970-01-01T00:00:00Z')).toBeUndefined();
    expect(isoFromParts(1989, 'Dec', 31, '23:59:59')).toBeUndefined();
    expect(isoFromParts(2026, 'Mar', 1, '10:00:00')).toBe('2026-03-01T10:00:00.000Z');
  });

  test('failure messages tell a time outside the window from a non-time', () => {
    expect(outsideEventWindow('1970-01-01T00:00:00')).toBe(true);
    expect(outsideEventWindow('2026-03-01T00:00:00')).toBe(false);
    expect(outsideEventWindow(':::10000')).toBe(false);
    expect(badTimeMessage('NLB time', '2100-01-01T00:00:00')).toBe(
      'NLB time is outside the event time window 1990-01-01T00:00:00Z..2099-12-31T23:59:59Z: "2100-01-01T00:00:00"',
    );
    expect(badTimeMessage('NLB time', ':::10000')).toBe('NLB time is not a timestamp: ":::10000"');
  });

  test('every helper result is undefined or an ISO time inside the window (property)', () => {
    const inside = (iso: string | undefined) => iso === undefined || (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(iso) && inEventWindow(Date.parse(iso)));
    const text = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
      fc.tuple(fc.integer({ min: 0, max: 99999 }), fc.nat(99), fc.nat(99), fc.nat(99), fc.nat(99), fc.nat(99)).map(
        ([y, mo, d, h, mi, s]) => `${y}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}T${h}:${mi}:${s}Z`,
      ),
    );
    fc.assert(
      fc.property(text, fc.double(), (s, n) => {
        for (const iso of [isoFromString(s), isoFromLogTime(s), isoFromTimeValue(s), isoFromMillis(n), isoFromSeconds(n), isoFromEpoch(n), isoFromTimeValue(n)])
          expect(inside(iso)).toBe(true);
      }),
      { numRuns: runs(500) },
    );
  });

  test('does not depend on the local time zone', () => {
    // Every helper builds UTC by hand; a zone-less string never goes through Date.parse.
    const before = process.env.TZ;
    try {
      const results = ['UTC', 'Asia/Tokyo', 'America/St_Johns'].map((tz) => {
        process.env.TZ = tz;
        return [':::10000', '2018-12-20T02:59:40', '2026-03-01 10:00', '12'].map((s) => [isoFromString(s), isoFromTimeValue(s)]);
      });
      expect(results[1]).toEqual(results[0]);
      expect(results[2]).toEqual(results[0]);
    } finally {
      if (before === undefined) delete process.env.TZ;
      else process.env.TZ = before;
    }
  });
});
