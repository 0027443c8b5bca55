/**
 * What a replay reads: time arguments, the list prefixes of a range (ONLY the partitions in range,
 * never a bucket scan) and the objects under them.
 *
 * The source / account / region levels are either the given filter values or the "sub-folders"
 * found with a delimiter listing, then one prefix per hour — merged into one per day or month when
 * the range covers it whole. Granularity is the archive object: an object belongs to the range when
 * its partition hour (the hour of its earliest event) is in `[floor_hour(since), until)`. Raw
 * backups are partitioned by ARRIVAL time, so their listing extends `rawSlackHours` past `until`.
 */
import { NORMALIZED_PREFIX, parseArchiveKey, type Partition, RAW_PREFIX, sanitizePartitionValue } from '../core/archive';
import { listAll, listPrefixes, type ObjectStore, type StoredObject } from '../io/store';
import { daysInMonth } from '../../parsers/time';

export type ReplayFrom = 'normalized' | 'raw';

const HOUR = 3_600_000;
const pad = (n: number) => (n < 10 ? `0${n}` : `${n}`);

export interface ReplayFilter {
  /** Epoch ms, inclusive (floored to the hour). */
  since: number;
  /** Epoch ms, exclusive. */
  until: number;
  sources?: string[];
  accounts?: string[];
  regions?: string[];
}

/** Times a replay can name: the archive's partitions run from 1970 (where unusable times go) to 2100. */
const ARCHIVE_TIME_MIN = Date.UTC(1970, 0, 1);
const ARCHIVE_TIME_MAX = Date.UTC(2100, 0, 1);

/**
 * A time argument: ISO timestamp, `YYYY-MM-DD` (midnight UTC; as an END, the end of that day, so
 * `--since 2026-03-01 --until 2026-03-07` is seven whole days), `YYYY-MM-DDTHH` (an hour), `now`,
 * or an age like `90m`, `6h`, `7d`. A time outside 1970..2100 (the archive's partitions) is a
 * RangeError (a usage error), never a plan of a million hourly prefixes in year 10000.
 * @example parseTimeArg('2026-03-07', true) // Date.UTC(2026, 2, 8)
 */
export function parseTimeArg(v: string, end = false, now = Date.now()): number {
  const t = timeArg(v, end, now);
  if (!(t >= ARCHIVE_TIME_MIN && t <= ARCHIVE_TIME_MAX))
    throw new RangeError(`time ${JSON.stringify(v)} is outside the archive's range 1970-01-01..2100-01-01`);
  return t;
}

function timeArg(v: string, end: boolean, now: number): number {
  const s = v.trim();
  if (s === 'now') return now;
  const age = /^(\d+)([mhd])$/.exec(s);
  if (age) return now - Number(age[1]) * { m: 60_000, h: HOUR, d: 24 * HOUR }[age[2] as 'm' | 'h' | 'd'];
  const notATime = () => new RangeError(`not a time: ${JSON.stringify(v)} (use 2026-03-01, 2026-03-01T10:00:00Z, now, 6h, 7d)`);
  // `Date.UTC` and `Date.parse` roll impossible dates over (2026-13-45 → 2027-02-14, 02-30 → 03-02):
  // the calendar date must exist, else it is a usage error (a real date outside 1970..2100 is refused below).
  const date = /^(\d{4})-(\d{2})-(\d{2})/.exec(s);
  if (date && !(+date[2] >= 1 && +date[2] <= 12 && +date[3] >= 1 && +date[3] <= daysInMonth(+date[1], +date[2] - 1))) throw notATime();
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (day) return Date.UTC(+day[1], +day[2] - 1, +day[3]) + (end ? 24 * HOUR : 0);
  const hour = /^(\d{4})-(\d{2})-(\d{2})T(\d{2})$/.exec(s);
  if (hour) {
    if (+hour[4] > 23) throw notATime();
    return Date.UTC(+hour[1], +hour[2] - 1, +hour[3], +hour[4]) + (end ? HOUR : 0);
  }
  const t = Date.parse(s);
  if (!Number.isFinite(t)) throw notATime();
  return t;
}

/**
 * Time partition prefixes (`year=/month=/day=/hour=/`) covering `[floor_hour(since), until)`; whole
 * months and days collapse into one prefix, so a week is 7 prefixes, not 168.
 * @example timePrefixes(Date.UTC(2026, 2, 1, 22), Date.UTC(2026, 2, 3)) // ['year=2026/month=03/day=01/hour=22/', '…hour=23/', 'year=2026/month=03/day=02/']
 */
export function timePrefixes(since: number, until: number): string[] {
  const out: string[] = [];
  let t = Math.floor(since / HOUR) * HOUR;
  for (let guard = 0; t < until && guard < 1_000_000; guard++) {
    const d = new Date(t);
    const y = d.getUTCFullYear();
    const m = d.getUTCMonth();
    const day = d.getUTCDate();
    const monthStart = Date.UTC(y, m, 1);
    const monthEnd = Date.UTC(y, m + 1, 1);
    const dayStart = Date.UTC(y, m, day);
    const ym = `year=${String(y).padStart(4, '0')}/month=${pad(m + 1)}/`;
    if (t === monthStart && monthEnd <= until) {
      out.push(ym);
      t = monthEnd;
    } else if (t === dayStart && dayStart + 24 * HOUR <= until) {
      out.push(`${ym}day=${pad(day)}/`);
      t = dayStart + 24 * HOUR;
    } else {
      out.push(`${ym}day=${pad(day)}/hour=${pad(d.getUTCHours())}/`);
      t += HOUR;
    }
  }
  return out;
}

const LEVELS = [
  ['source', 'sources'],
  ['account', 'accounts'],
  ['region', 'regions'],
] as const;

/**
 * The list prefixes of a replay. Unknown source/account/region levels are discovered with delimiter
 * listings (one call per level and parent), never by listing objects.
 */
export async function planPrefixes(store: ObjectStore, from: ReplayFrom, filter: ReplayFilter, rawSlackHours = 1): Promise<string[]> {
  if (from === 'raw') return timePrefixes(filter.since, filter.until + rawSlackHours * HOUR).map((p) => RAW_PREFIX + p);
  const times = timePrefixes(filter.since, filter.until);
  if (!times.length) return [];
  let bases = [NORMALIZED_PREFIX];
  for (const [level, field] of LEVELS) {
    const values = filter[field];
    const next: string[] = [];
    for (const b of bases) {
      if (values?.length) for (const v of values) next.push(`${b}${level}=${sanitizePartitionValue(v)}/`);
      else for (const p of await listPrefixes(store, b)) if (p.startsWith(`${b}${level}=`)) next.push(p);
    }
    bases = next;
  }
  return bases.flatMap((b) => times.map((t) => b + t));
}

/** Whether a partition is selected by the filter (hour granularity). */
export function partitionSelected(p: Partition, filter: ReplayFilter): boolean {
  const hour = Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour);
  if (!(hour >= Math.floor(filter.since / HOUR) * HOUR && hour < filter.until)) return false;
  const has = (vals: string[] | undefined, v: string) => !vals?.length || vals.some((x) => sanitizePartitionValue(x) === v);
  return has(filter.sources, p.source) && has(filter.accounts, p.account) && has(filter.regions, p.region);
}

export interface ReplayObject extends StoredObject {
  /** Source of a normalized object (from its key). */
  source?: string;
}

/** Objects of a replay, listed prefix by prefix (page by page). */
export async function* enumerateObjects(store: ObjectStore, from: ReplayFrom, filter: ReplayFilter, prefixes?: string[]): AsyncGenerator<ReplayObject> {
  for (const p of prefixes ?? (await planPrefixes(store, from, filter))) {
    for await (const o of listAll(store, p)) {
      if (from === 'raw') {
        yield o;
        continue;
      }
      const parsed = parseArchiveKey(o.key);
      if (!parsed || parsed.area !== 'normalized' || !partitionSelected(parsed.partition, filter)) continue;
      yield { ...o, source: parsed.partition.source };
    }
  }
}
