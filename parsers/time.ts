/** Small, allocation-light time helpers shared by parsers (no clock: callers pass times in). */

/**
 * The window of event times parsers accept: [1990-01-01T00:00:00Z, 2100-01-01T00:00:00Z). Every time
 * helper here and in `logtime.ts` returns undefined outside it, so no parser can emit a far-past or
 * far-future date (a garbage field like `:::10000` read as year 10000; epoch 0 from an unset clock;
 * seconds taken for milliseconds). Why these bounds: parsers have no clock, so the window is
 * absolute; no AWS log (EC2/S3 2006, CloudTrail 2013) and no log of a machine running in AWS can be
 * older than 1990, and 2100 is far beyond any retention while still a four-digit year (the JSON
 * Schema `date-time` format and OpenSearch's default date format need one). Both bounds are midnight
 * UTC, so a day is either wholly inside or wholly outside (parsers cache per-day prefixes).
 */
export const EVENT_TIME_MIN_MS = Date.UTC(1990, 0, 1);
/** Exclusive upper bound of the event time window (see {@link EVENT_TIME_MIN_MS}). */
export const EVENT_TIME_MAX_MS = Date.UTC(2100, 0, 1);
/** First and last year of the window, for parsers that check a year before building a date. */
export const EVENT_YEAR_MIN = 1990;
export const EVENT_YEAR_MAX = 2099;
/** The window as failure messages state it. */
export const EVENT_TIME_WINDOW = '1990-01-01T00:00:00Z..2099-12-31T23:59:59Z';

/** Whether epoch milliseconds lie in the event time window (false for NaN and infinities). */
export function inEventWindow(ms: number): boolean {
  return ms >= EVENT_TIME_MIN_MS && ms < EVENT_TIME_MAX_MS;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Days of month `mo` (0-11) of year `y`. */
export function daysInMonth(y: number, mo: number): number {
  return mo === 1 && y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : DAYS_IN_MONTH[mo];
}

/**
 * `Date.UTC` for a calendar date that must exist (month 0-11, day 1..days of that month), without
 * `Date.UTC`'s rule that years 0-99 mean 1900-1999 (`0095` is not 1995). NaN when invalid. The time
 * of day is not checked here: callers decide whether `24:00` or a leap second `:60` roll over.
 */
export function utcMillis(y: number, mo: number, d: number, h = 0, mi = 0, s = 0, ms = 0): number {
  if (!(y >= 100 && mo >= 0 && mo <= 11 && d >= 1 && d <= daysInMonth(y, mo))) return NaN;
  return Date.UTC(y, mo, d, h, mi, s, ms);
}

/**
 * The last ISO strings made, direct-mapped by time (256 slots: bounded). The events of a batch share
 * few distinct times (the records of one audit event, a flow log's capture windows, an ALB second),
 * and `toISOString` (a `Date` plus formatting, ~0.3-2 µs) was 4% of the transformer's profile on audit.
 */
const ISO_KEYS = new Float64Array(256).fill(NaN);
const ISO_VALUES: string[] = new Array<string>(256).fill('');

/**
 * ISO string with milliseconds from epoch milliseconds, or undefined outside the event time window.
 * @example isoFromMillis(1772359200000) // '2026-03-01T10:00:00.000Z'
 */
export function isoFromMillis(ms: number): string | undefined {
  if (!inEventWindow(ms)) return undefined;
  // Seconds and milliseconds both pick the slot: whole-second times would otherwise share 8 slots.
  const slot = (ms ^ (ms / 1000)) & 255;
  if (ISO_KEYS[slot] === ms) return ISO_VALUES[slot];
  const iso = new Date(ms).toISOString();
  ISO_KEYS[slot] = ms;
  ISO_VALUES[slot] = iso;
  return iso;
}

/** ISO string from epoch seconds (possibly fractional), or undefined outside the event time window. */
export function isoFromSeconds(s: number): string | undefined {
  return isoFromMillis(s * 1000);
}

/** ISO 8601 extended: date, or date and time with an optional zone (no zone = UTC). */
const ISO_8601 = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)? ?([Zz]|[+-]\d{2}(?::?\d{2})?)?)?$/;
/** RFC 2822 / RFC 7231 (IMF-fixdate): `[Mon, ]2 Jan 2006 15:04[:05] GMT|UT|UTC|Z|+0000`. */
const RFC_2822 = /^(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun),\s*)?(\d{1,2})\s+([A-Za-z]{3})\s+(\d{4})\s+(\d{2}):(\d{2})(?::(\d{2}))?\s+(GMT|UTC?|Z|[+-]\d{4})$/i;
const MONTHS: Record<string, number> = { jan: 0, feb: 1, mar: 2, apr: 3, may: 4, jun: 5, jul: 6, aug: 7, sep: 8, oct: 9, nov: 10, dec: 11 };

/** `Z`, `+01`, `+0100`, `-01:30`, `GMT`... → minutes east of UTC; NaN when out of range. */
function zoneMinutes(z: string | undefined): number {
  if (z === undefined || !/^[+-]/.test(z)) return 0;
  const digits = z.slice(1).replace(':', '');
  const h = Number(digits.slice(0, 2));
  const m = Number(digits.slice(2, 4) || '0');
  return h > 23 || m > 59 ? NaN : (z[0] === '-' ? -1 : 1) * (h * 60 + m);
}

function fromParts(y: number, mo: number, d: number, h: number, mi: number, s: number, frac: string | undefined, zone: string | undefined): number {
  if (h > 23 || mi > 59 || s > 59) return NaN;
  const ms = frac ? Number((frac + '00').slice(0, 3)) : 0;
  return utcMillis(y, mo, d, h, mi, s, ms) - zoneMinutes(zone) * 60_000;
}

/** Epoch milliseconds of an ISO 8601 or RFC 2822 string (any year), NaN when it is neither. */
function millisFromString(s: string): number {
  if (!s || s.length > 64) return NaN;
  const t = s.trim();
  let m = ISO_8601.exec(t);
  if (m) return fromParts(+m[1], +m[2] - 1, +m[3], m[4] ? +m[4] : 0, m[5] ? +m[5] : 0, m[6] ? +m[6] : 0, m[7], m[8]);
  m = RFC_2822.exec(t);
  if (!m) return NaN;
  const mo = MONTHS[m[2].toLowerCase()];
  return mo === undefined ? NaN : fromParts(+m[3], mo, +m[1], +m[4], +m[5], m[6] ? +m[6] : 0, undefined, m[7]);
}

/**
 * Normalizes an ISO 8601 or RFC 2822 date string to ISO with milliseconds (fractions beyond the
 * millisecond are truncated); undefined when it is neither, names a day that does not exist, or
 * lies outside the event time window. Strings without a zone are taken as UTC, as AWS writes them.
 * Parsed by hand, never by `Date.parse`, whose fallback reads garbage as dates (`:::10000` is
 * year 10000, `12` is December 2001) in the machine's local time zone.
 * @example isoFromString('2018-12-20T02:59:40') // '2018-12-20T02:59:40.000Z'
 */
export function isoFromString(s: string): string | undefined {
  return canonicalIso(s) ?? isoFromMillis(millisFromString(s));
}

/** The number of `n` ASCII digits at `i`, or -1 when one is not a digit. */
function digitsAt(s: string, i: number, n: number): number {
  let v = 0;
  for (let k = i; k < i + n; k++) {
    const c = s.charCodeAt(k) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/**
 * `YYYY-MM-DDTHH:MM:SS[.f…]` in UTC (`Z`, `+0000`, `+00:00`, or no zone, which means UTC as
 * everywhere here), the forms AWS writes (CloudTrail `eventTime`, findings, Route 53 Resolver, ELB's
 * `…SS.ffffffZ` and NLB's zoneless `…SS`; Network Firewall's Suricata `…SS.ffffff+0000`), when
 * valid and in the window: normalized by position (the input itself when it is already
 * `…SS.mmmZ`) instead of a pattern, a `Date.UTC` and a `toISOString`, which were 8% of the
 * transformer's time on GuardDuty findings and 12% on Network Firewall logs (a distinct microsecond
 * per event: no cache helps). Anything else, invalid times included, goes the general way (undefined here).
 * @example canonicalIso('2021-09-22T00:32:07.386212+0000') // '2021-09-22T00:32:07.386Z'
 */
export function canonicalIso(s: string): string | undefined {
  const n = s.length;
  if (n < 19 || n > 35) return undefined;
  if (s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(10) !== 84 || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58) return undefined;
  // Fraction digits from 20 to `f`, then the zone.
  let f = 19;
  if (s.charCodeAt(19) === 46) {
    f = 20;
    while (f < n && f < 29 && s.charCodeAt(f) >= 48 && s.charCodeAt(f) <= 57) f++;
    if (f === 20) return undefined;
  }
  const zone = n - f;
  if (!(zone === 0 || (zone === 1 ? s.charCodeAt(f) === 90 : zone === 5 ? s.endsWith('+0000') : zone === 6 && s.endsWith('+00:00')))) return undefined;
  const y = digitsAt(s, 0, 4);
  const mo = digitsAt(s, 5, 2);
  const d = digitsAt(s, 8, 2);
  const h = digitsAt(s, 11, 2);
  const mi = digitsAt(s, 14, 2);
  const sec = digitsAt(s, 17, 2);
  // The window's bounds are the first instants of 1990 and 2100: a year decides it.
  if (y < EVENT_YEAR_MIN || y > EVENT_YEAR_MAX || mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo - 1)) return undefined;
  if (h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 59) return undefined;
  if (f === 23 && zone === 1) return s;
  const ms = f === 19 ? '000' : f >= 23 ? s.slice(20, 23) : (s.slice(20, f) + '00').slice(0, 3);
  return `${s.slice(0, 19)}.${ms}Z`;
}

/**
 * Whether a string is a well-formed ISO 8601 / RFC 2822 time that lies outside the event time window
 * (for failure messages: "outside the window" rather than "not a timestamp").
 * @example outsideEventWindow('1970-01-01T00:00:00Z') // true
 */
export function outsideEventWindow(s: string): boolean {
  const ms = millisFromString(s);
  return !Number.isNaN(ms) && !inEventWindow(ms);
}

/** A failure message for a time field that is not a usable time: outside the window, or not a time. */
export function badTimeMessage(what: string, s: string): string {
  const shown = JSON.stringify(s.slice(0, 64));
  return outsideEventWindow(s) ? `${what} is outside the event time window ${EVENT_TIME_WINDOW}: ${shown}` : `${what} is not a timestamp: ${shown}`;
}
