/**
 * Timestamp parsing for log lines and JSON log fields (pure, no clock). Strings are parsed by hand
 * with one anchored regex each, so a line costs one short match, never a backtracking scan.
 */

import { canonicalIso, isoFromMillis, isoFromString, utcMillis } from './time';

const ISO_LIKE = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)? ?(Z|[+-]\d{2}(?::?\d{2})?)?$/;
const MONTHS: Record<string, number> = { jan: 0, feb: 1, mar: 2, apr: 3, may: 4, jun: 5, jul: 6, aug: 7, sep: 8, oct: 9, nov: 10, dec: 11 };

/** Month number (0-11) of an English 3-letter abbreviation, or undefined. */
export function monthIndex(abbr: string): number | undefined {
  return MONTHS[abbr.slice(0, 3).toLowerCase()];
}

function build(y: number, mo: number, d: number, h: number, mi: number, s: number, frac: string | undefined, offsetMin: number): string | undefined {
  if (mo < 0 || mo > 11 || d < 1 || d > 31 || h > 24 || mi > 59 || s > 60) return undefined;
  const ms = frac ? Number((frac + '00').slice(0, 3)) : 0;
  // Hour 24 and a leap second roll over; the day must exist; outside the event time window is undefined.
  return isoFromMillis(utcMillis(y, mo, d, h, mi, s, ms) - offsetMin * 60_000);
}

function offsetMinutes(z: string | undefined): number {
  if (!z || z === 'Z') return 0;
  const sign = z[0] === '-' ? -1 : 1;
  const digits = z.slice(1).replace(':', '');
  return sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || '0'));
}

/**
 * ISO 8601 and the common logger variants: `2024-01-02T03:04:05.123Z`, `2024-01-02 03:04:05,123`,
 * `2021-05-03 11:47:12,494+0000`. No zone means UTC (Lambda and most server logs write UTC).
 * @example isoFromLogTime('2021-05-03 11:47:12,494+0000') // '2021-05-03T11:47:12.494Z'
 */
export function isoFromLogTime(s: string): string | undefined {
  if (s.length < 16 || s.length > 40) return undefined;
  // The form most JSON loggers write (`…SS.mmmZ`), by position; rollovers (hour 24, a leap second)
  // and every other form by the pattern.
  const canonical = canonicalIso(s);
  if (canonical !== undefined) return canonical;
  const m = ISO_LIKE.exec(s);
  if (!m) return undefined;
  return build(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], m[6] ? +m[6] : 0, m[7], offsetMinutes(m[8]));
}

/**
 * An epoch number in seconds, milliseconds, microseconds or nanoseconds (by magnitude), or undefined
 * when it is not a plausible time (outside the event time window of `time.ts`, 1990..2099).
 * @example isoFromEpoch(1700000000123) // '2023-11-14T22:13:20.123Z'
 */
export function isoFromEpoch(n: number): string | undefined {
  if (!Number.isFinite(n) || n < 1e8) return undefined;
  let ms: number;
  if (n >= 1e17) ms = n / 1e6;
  else if (n >= 1e14) ms = n / 1e3;
  else if (n >= 1e11) ms = n;
  else ms = n * 1000;
  return isoFromMillis(Math.round(ms));
}

/** A JSON time value: ISO-like string, numeric string or epoch number. */
export function isoFromTimeValue(v: unknown): string | undefined {
  if (typeof v === 'number') return isoFromEpoch(v);
  if (typeof v !== 'string') return undefined;
  const t = v.trim();
  if (/^\d{9,19}(\.\d+)?$/.test(t)) return isoFromEpoch(Number(t));
  const iso = isoFromLogTime(t);
  if (iso) return iso;
  return isoFromString(t); // RFC 2822 and date-only ISO; never `Date.parse` (local time zone, garbage as dates)
}

/**
 * Time of a syslog/Apache style date: month abbreviation, day, `HH:MM:SS[.frac]`, and a year (the
 * caller's guess when the line has none, as RFC 3164 lines do).
 */
export function isoFromParts(year: number, monthAbbr: string, day: number, hms: string, offsetMin = 0): string | undefined {
  const mo = monthIndex(monthAbbr);
  if (mo === undefined) return undefined;
  const m = /^(\d{1,2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?$/.exec(hms);
  if (!m) return undefined;
  return build(year, mo, day, +m[1], +m[2], +m[3], m[4], offsetMin);
}

export { offsetMinutes };
