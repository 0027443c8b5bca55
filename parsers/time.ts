/** Small, allocation-light time helpers shared by parsers (no clock: callers pass times in). */

/** ISO string with milliseconds from epoch milliseconds, or undefined when out of range. */
export function isoFromMillis(ms: number): string | undefined {
  if (!Number.isFinite(ms)) return undefined;
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

/** ISO string from epoch seconds (possibly fractional). */
export function isoFromSeconds(s: number): string | undefined {
  return isoFromMillis(s * 1000);
}

/**
 * Normalizes a date string that `Date` understands (ISO 8601, RFC 2822) to ISO with milliseconds;
 * undefined when it is not a date. Strings without a zone are taken as UTC, as AWS writes them.
 */
export function isoFromString(s: string): string | undefined {
  if (!s) return undefined;
  let t = s.trim();
  if (/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(t)) t = t.replace(' ', 'T') + 'Z';
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}
