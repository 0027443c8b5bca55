/**
 * Replay: re-index a time range of the archive into OpenSearch — after a lost cluster, a mapping
 * change or a parser fix — with the indexer's own code path, so a replayed event gets the same index
 * (`lib/indices.ts`) and the same `_id` (`event.id`) as the first time: replaying twice, or replaying
 * what is already indexed, overwrites instead of duplicating.
 *
 * - Enumeration lists ONLY the partitions in range (`lib/archive.ts` layout): the source / account /
 *   region levels are either the given filter values or the "sub-folders" found with a delimiter
 *   listing, then one prefix per hour — merged into one per day or month when the range covers it
 *   whole. Never a bucket scan. Granularity is the archive object: an object belongs to the range
 *   when its partition hour (the hour of its earliest event) is in `[floor_hour(since), until)`.
 * - `normalized` (default): every object goes through `indexObject` (lib/indexer.ts) unchanged.
 * - `raw`: the Firehose source-record backup (`raw/firehose/<arrival hour>/`, the original gzipped
 *   CloudWatch Logs records, concatenated) is re-normalized with the CURRENT parsers through
 *   `normalizeCloudWatchBatch` (what the transformer runs), so ids and documents equal the live path;
 *   the output is staged as normalized objects in a local temporary directory and indexed from there
 *   by `indexObject` (dead letters still go to the archive). Raw partitions are by ARRIVAL time, so
 *   the listing extends `rawSlackHours` past `until`, and payloads are filtered by their partition.
 * - Throttling: every `_bulk` request passes through an adaptive throttle. When OpenSearch answers
 *   429 (whole request or items) concurrency is halved and a documents/s cap is set at half the
 *   observed rate; both recover additively while no 429 is seen, never above `--concurrency` and
 *   `--rate`. The bulk core itself retries the 429s (backoff with jitter).
 * - Checkpoint: objects done are recorded in a JSON file, rewritten atomically (temp file + rename)
 *   at most once a second and at the end; an interrupted replay resumes with `resume: true` and skips
 *   them. An object in flight when the replay stopped is simply done again (idempotent).
 */
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import { createGzip, type Gzip } from 'node:zlib';
import type { SourceMapping } from '../parsers/detect';
import type { SourceOptions } from '../parsers/types';
import { archiveKey, NORMALIZED_PREFIX, parseArchiveKey, type Partition, partitionPrefix, sanitizePartitionValue } from './core/archive';
import type { BulkOptions, BulkTransport } from './io/bulk';
import { BulkUnavailableError } from './io/bulk';
import { cloudWatchBatch, decodeCloudWatchPayload, EnvelopeError } from './core/envelopes';
import { stableId } from '../parsers/ids';
import { IndexObjectError, indexObject, type IndexerDeps } from './indexer';
import { addTally, type Tally } from './io/observability';
import { Progress, type ProgressOptions, type ProgressState } from './io/progress';
import { decompressedStream, readLines } from './io/s3';
import { io, ioFor, listAll, listPrefixes, LocalStore, type ObjectStore, type StoredObject } from './io/store';
import { normalizeCloudWatchBatch } from './transform';

export type ReplayFrom = 'normalized' | 'raw';

export const RAW_PREFIX = 'raw/firehose/';
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

/**
 * A time argument: ISO timestamp, `YYYY-MM-DD` (midnight UTC; as an END, the end of that day, so
 * `--since 2026-03-01 --until 2026-03-07` is seven whole days), `YYYY-MM-DDTHH` (an hour), `now`,
 * or an age like `90m`, `6h`, `7d`.
 * @example parseTimeArg('2026-03-07', true) // Date.UTC(2026, 2, 8)
 */
export function parseTimeArg(v: string, end = false, now = Date.now()): number {
  const s = v.trim();
  if (s === 'now') return now;
  const age = /^(\d+)([mhd])$/.exec(s);
  if (age) return now - Number(age[1]) * { m: 60_000, h: HOUR, d: 24 * HOUR }[age[2] as 'm' | 'h' | 'd'];
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (day) return Date.UTC(+day[1], +day[2] - 1, +day[3]) + (end ? 24 * HOUR : 0);
  const hour = /^(\d{4})-(\d{2})-(\d{2})T(\d{2})$/.exec(s);
  if (hour) return Date.UTC(+hour[1], +hour[2] - 1, +hour[3], +hour[4]) + (end ? HOUR : 0);
  const t = Date.parse(s);
  if (!Number.isFinite(t)) throw new RangeError(`not a time: ${JSON.stringify(v)} (use 2026-03-01, 2026-03-01T10:00:00Z, now, 6h, 7d)`);
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

// ---------------------------------------------------------------------------------------------
// Adaptive throttling

export interface ThrottleOptions {
  maxConcurrency: number;
  /** User cap in documents/s (undefined = none). */
  rate?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Quiet time before one step of recovery (default 5 s). */
  recoverMs?: number;
}

/**
 * AIMD driven by OpenSearch 429s: the first reaction halves concurrency; once at one object in
 * flight, a documents/s cap is set at half the rate sent over the last 10 s. While no 429 is seen
 * for `recoverMs`, the cap grows by half (lifted when far above what is sent) and concurrency comes
 * back one slot at a time, never above `--concurrency` and `--rate`. `acquire` paces `_bulk`
 * requests to the cap in force.
 */
export class AdaptiveThrottle {
  concurrency: number;
  /** Current cap in documents/s (Infinity = none). */
  rateCap: number;
  throttleEvents = 0;
  private nextFree = 0;
  private lastThrottle = -Infinity;
  private lastStep = -Infinity;
  /** (time, docs) of recent requests, for the rate over the last window. */
  private recent: Array<[number, number]> = [];
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  static readonly WINDOW_MS = 10_000;
  static readonly MIN_RATE = 20;

  constructor(private readonly o: ThrottleOptions) {
    this.concurrency = Math.max(1, o.maxConcurrency);
    this.rateCap = this.userRate;
    this.now = o.now ?? Date.now;
    this.sleep = o.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  private get userRate(): number {
    return this.o.rate && this.o.rate > 0 ? this.o.rate : Infinity;
  }

  /** Documents per second sent over the last window. */
  windowRate(): number {
    const t = this.now();
    while (this.recent.length && this.recent[0][0] < t - AdaptiveThrottle.WINDOW_MS) this.recent.shift();
    return this.recent.reduce((a, [, n]) => a + n, 0) / (AdaptiveThrottle.WINDOW_MS / 1000);
  }

  /** Waits until `docs` documents may be sent under the current cap. */
  async acquire(docs: number): Promise<void> {
    this.recover();
    const t = this.now();
    let start = t;
    if (Number.isFinite(this.rateCap)) {
      start = Math.max(t, this.nextFree);
      this.nextFree = start + (docs / this.rateCap) * 1000;
      if (start > t) await this.sleep(start - t);
    }
    this.recent.push([start, docs]);
  }

  /** OpenSearch pushed back (one reaction per second, however many 429s a burst brings). */
  onThrottle(): void {
    const t = this.now();
    if (t - this.lastThrottle < 1000) return;
    this.lastThrottle = t;
    this.lastStep = t;
    this.throttleEvents++;
    if (this.concurrency > 1) {
      this.concurrency = Math.max(1, Math.floor(this.concurrency / 2));
      return;
    }
    this.rateCap = Math.max(AdaptiveThrottle.MIN_RATE, Math.min(this.rateCap, this.windowRate()) / 2);
  }

  /** One step of recovery after a quiet period: first the rate cap, then concurrency. */
  recover(): void {
    const t = this.now();
    const every = this.o.recoverMs ?? 5000;
    if (this.throttleEvents === 0 || t - this.lastThrottle < every || t - this.lastStep < every) return;
    this.lastStep = t;
    if (this.rateCap < this.userRate) {
      this.rateCap *= 1.5;
      if (this.rateCap >= this.userRate || (!Number.isFinite(this.userRate) && this.rateCap > 4 * Math.max(this.windowRate(), AdaptiveThrottle.MIN_RATE)))
        this.rateCap = this.userRate;
      return;
    }
    this.concurrency = Math.min(this.o.maxConcurrency, this.concurrency + 1);
  }
}

export interface IndexingCounters {
  /** Bulk item results: new documents vs overwrites of documents already indexed. */
  created: number;
  updated: number;
  noop: number;
  /** `_bulk` answers with 429 (whole or items). */
  throttledResponses: number;
}

/** Wraps a `_bulk` transport: paces requests, watches for 429s and counts created/updated items. */
export function throttledTransport(inner: BulkTransport, throttle: AdaptiveThrottle, counters: IndexingCounters): BulkTransport {
  return {
    async send(body) {
      let lines = 0;
      for (let i = body.indexOf('\n'); i >= 0; i = body.indexOf('\n', i + 1)) lines++;
      await throttle.acquire(Math.max(1, lines >> 1));
      const res = await inner.send(body);
      let throttled = res.status === 429;
      const items = (res.body as { items?: Array<Record<string, { status?: number; result?: string }>> } | undefined)?.items;
      if (Array.isArray(items))
        for (const it of items) {
          const r = Object.values(it ?? {})[0];
          if (r?.status === 429) throttled = true;
          else if (r?.result === 'created') counters.created++;
          else if (r?.result === 'updated') counters.updated++;
          else if (r?.result === 'noop') counters.noop++;
        }
      if (throttled) {
        counters.throttledResponses++;
        throttle.onThrottle();
      }
      return res;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Checkpoint

export interface CheckpointData {
  version: 1;
  fingerprint: string;
  archive: string;
  from: ReplayFrom;
  filter: ReplayFilter;
  complete: boolean;
  done: string[];
  tally: Tally;
  updatedAt: string;
}

/** What identifies one replay job: the same archive, area, range, filters and index prefix. */
export function replayFingerprint(archiveUrl: string, from: ReplayFrom, filter: ReplayFilter, indexPrefix: string): string {
  const norm = (v?: string[]) => (v?.length ? [...v].sort() : undefined);
  return stableId(
    'replay',
    JSON.stringify({ archiveUrl, from, since: filter.since, until: filter.until, s: norm(filter.sources), a: norm(filter.accounts), r: norm(filter.regions), indexPrefix }),
  );
}

/** The checkpoint file of one replay; writes are atomic (temp file + rename). */
export class Checkpoint {
  readonly done = new Set<string>();
  tally: Tally = {};
  private lastSave = 0;
  /** Set when `load` found an unfinished checkpoint of another job or a finished one. */
  note?: string;

  constructor(
    readonly file: string,
    private readonly meta: Omit<CheckpointData, 'done' | 'tally' | 'complete' | 'updatedAt' | 'version'>,
  ) {}

  /** Loads an existing checkpoint of the same job (resume); throws if it belongs to another job. */
  load(): boolean {
    if (!existsSync(this.file)) return false;
    const data = JSON.parse(readFileSync(this.file, 'utf8')) as CheckpointData;
    if (data.fingerprint !== this.meta.fingerprint)
      throw new Error(`checkpoint ${this.file} belongs to another replay (different archive, range, filters or index prefix)`);
    for (const k of data.done) this.done.add(k);
    this.tally = data.tally ?? {};
    return true;
  }

  markDone(key: string, tally: Tally): void {
    this.done.add(key);
    addTally(this.tally, tally);
  }

  save(complete = false, force = false): void {
    const now = Date.now();
    if (!force && !complete && now - this.lastSave < 1000) return;
    this.lastSave = now;
    const data: CheckpointData = { version: 1, ...this.meta, complete, done: [...this.done], tally: this.tally, updatedAt: new Date(now).toISOString() };
    mkdirSync(path.dirname(path.resolve(this.file)), { recursive: true });
    const tmp = `${this.file}.tmp-${process.pid}`;
    writeFileSync(tmp, JSON.stringify(data));
    renameSync(tmp, this.file);
  }
}

// ---------------------------------------------------------------------------------------------
// Raw backup → staged normalized objects

/**
 * Splits concatenated JSON documents (`{…}{…}`, optionally separated by whitespace) — the shape of a
 * Firehose source backup of CloudWatch Logs records once gunzipped. Memory: one document.
 */
export async function* splitConcatenatedJson(text: AsyncIterable<Buffer | string>): AsyncGenerator<string> {
  let buf = '';
  let depth = 0;
  let inString = false;
  let escaped = false;
  let start = -1;
  for await (const chunk of text) {
    const s = typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    const offset = buf.length;
    buf += s;
    for (let i = offset; i < buf.length; i++) {
      const c = buf.charCodeAt(i);
      if (inString) {
        if (escaped) escaped = false;
        else if (c === 92 /* \ */) escaped = true;
        else if (c === 34 /* " */) inString = false;
        continue;
      }
      if (c === 34) inString = true;
      else if (c === 123 /* { */ || c === 91 /* [ */) {
        if (depth === 0) start = i;
        depth++;
      } else if (c === 125 /* } */ || c === 93 /* ] */) {
        depth--;
        if (depth === 0 && start >= 0) {
          yield buf.slice(start, i + 1);
          start = -1;
        }
      }
    }
    // Keep only the unfinished document.
    if (depth === 0) buf = '';
    else if (start > 0) {
      buf = buf.slice(start);
      start = 0;
    }
  }
  if (depth !== 0 && buf.trim()) throw new EnvelopeError('raw backup ends inside a JSON document (truncated object)');
}

interface StagedWriter {
  gzip: Gzip;
  done: Promise<void>;
  key: string;
}

export interface RawOptions {
  /** Region of the Firehose stream that received the records (the transformer's `event.region`). */
  streamRegion?: string;
  sourceOptions?: SourceOptions;
  mappings?: readonly SourceMapping[];
  includeOriginal?: boolean;
  now?: () => Date;
}

/**
 * Re-normalizes one raw backup object into staged normalized objects (one per partition), as the
 * transformer would. Returns the staged keys and the pipeline tally of the selected payloads.
 */
export async function stageRawObject(
  archive: ObjectStore,
  key: string,
  staging: LocalStore,
  filter: ReplayFilter,
  o: RawOptions,
): Promise<{ staged: string[]; tally: Tally; bySource: Record<string, Tally> }> {
  const tally: Tally = {};
  const bySource: Record<string, Tally> = {};
  const writers = new Map<string, StagedWriter>();
  const name = `raw-${stableId('replay-raw', key)}`;
  const body = await decompressedStream(await archive.get(key));
  const now = o.now?.();
  try {
    for await (const json of splitConcatenatedJson(body)) {
      let payload;
      try {
        payload = decodeCloudWatchPayload(Buffer.from(json, 'utf8'));
      } catch (e) {
        if (!(e instanceof EnvelopeError)) throw e;
        addTally(tally, { received: 1, failed: 1 });
        continue;
      }
      const batch = cloudWatchBatch(payload, o.streamRegion);
      if (batch === null || batch.events.length === 0) continue; // control messages: nothing to index
      const { result, partition, ndjson } = normalizeCloudWatchBatch(batch, undefined, {
        now,
        includeOriginal: o.includeOriginal,
        mappings: o.mappings,
        sourceOptions: o.sourceOptions,
      });
      if (!partitionSelected(partition, filter)) continue;
      const counts = { received: result.counts.received, documents: result.counts.documents, dropped: result.counts.dropped, failed: result.counts.failed };
      addTally(tally, counts);
      addTally((bySource[partition.source] ??= {}), counts);
      if (!ndjson) continue;
      const prefix = partitionPrefix('normalized', partition);
      let w = writers.get(prefix);
      if (!w) {
        const stagedKey = archiveKey(partition, name);
        const file = path.join(staging.dir, ...stagedKey.split('/'));
        mkdirSync(path.dirname(file), { recursive: true });
        const gzip = createGzip();
        const out = createWriteStream(file);
        gzip.pipe(out);
        w = { gzip, key: stagedKey, done: finished(out) };
        writers.set(prefix, w);
      }
      if (!w.gzip.write(ndjson)) await new Promise<void>((r) => w!.gzip.once('drain', () => r()));
    }
  } finally {
    for (const w of writers.values()) w.gzip.end();
    await Promise.all([...writers.values()].map((w) => w.done));
  }
  return { staged: [...writers.values()].map((w) => w.key), tally, bySource };
}

// ---------------------------------------------------------------------------------------------
// Dry run

export interface ReplayEstimate {
  prefixes: number;
  listCalls: number;
  objects: number;
  bytes: number;
  sampled: number;
  /** Estimated documents (normalized: lines; raw: CloudWatch log events), from the sample. */
  estimatedDocuments: number;
  bySource: Record<string, { objects: number; bytes: number }>;
}

/** Lists the range and estimates documents from `sample` objects spread over it. */
export async function estimateReplay(store: ObjectStore, from: ReplayFrom, filter: ReplayFilter, sample = 5, rawSlackHours = 1): Promise<ReplayEstimate> {
  const calls0 = store.stats.listCalls;
  const prefixes = await planPrefixes(store, from, filter, rawSlackHours);
  const objects: ReplayObject[] = [];
  for await (const o of enumerateObjects(store, from, filter, prefixes)) objects.push(o);
  const bySource: ReplayEstimate['bySource'] = {};
  let bytes = 0;
  for (const o of objects) {
    bytes += o.size;
    const s = (bySource[o.source ?? 'raw'] ??= { objects: 0, bytes: 0 });
    s.objects++;
    s.bytes += o.size;
  }
  const picks = new Set<number>();
  const n = Math.min(sample, objects.length);
  for (let i = 0; i < n; i++) picks.add(Math.floor((i * objects.length) / n));
  let sampleBytes = 0;
  let sampleDocs = 0;
  for (const i of picks) {
    const o = objects[i];
    sampleBytes += o.size;
    if (from === 'raw') {
      for await (const json of splitConcatenatedJson(await decompressedStream(await store.get(o.key)))) {
        try {
          const p = decodeCloudWatchPayload(Buffer.from(json));
          if (p.messageType === 'DATA_MESSAGE') sampleDocs += p.logEvents.length;
        } catch {
          sampleDocs++;
        }
      }
    } else for await (const line of readLines(await store.get(o.key))) if (line.trim()) sampleDocs++;
  }
  const estimatedDocuments = picks.size === objects.length ? sampleDocs : sampleBytes > 0 ? Math.round((sampleDocs / sampleBytes) * bytes) : 0;
  return { prefixes: prefixes.length, listCalls: store.stats.listCalls - calls0, objects: objects.length, bytes, sampled: picks.size, estimatedDocuments, bySource };
}

// ---------------------------------------------------------------------------------------------
// The replay

export interface ReplayOptions extends RawOptions {
  archive: ObjectStore;
  from: ReplayFrom;
  filter: ReplayFilter;
  indexPrefix: string;
  transport: BulkTransport;
  bulk: Omit<BulkOptions, 'onDeadLetter'>;
  concurrency: number;
  rate?: number;
  checkpointPath?: string;
  resume?: boolean;
  /** Stops taking new objects (SIGINT); objects in flight finish, the checkpoint is written. */
  signal?: AbortSignal;
  progress?: ProgressOptions | false;
  rawSlackHours?: number;
  /** Called after each object (tests interrupt with it). */
  onObject?: (o: { key: string; tally: Tally; error?: string }) => void;
  /** Objects already listed (the demo passes the objects it just wrote). */
  objects?: ReplayObject[];
}

export interface ReplayResult {
  prefixes: number;
  listCalls: number;
  objects: number;
  bytes: number;
  /** Objects skipped because the checkpoint had them. */
  skipped: number;
  processed: number;
  tally: Tally;
  bySource: Record<string, Tally>;
  counters: IndexingCounters;
  throttleEvents: number;
  failedObjects: Array<{ key: string; error: string }>;
  interrupted: boolean;
  /** OpenSearch stayed unavailable: the replay stopped early (resume later). */
  aborted?: string;
  elapsedMs: number;
  checkpoint?: string;
}

/** Runs a replay (see the module comment). */
export async function runReplay(o: ReplayOptions): Promise<ReplayResult> {
  const t0 = Date.now();
  const store = o.archive;
  const calls0 = store.stats.listCalls;
  let prefixes = 0;
  let objects = o.objects;
  if (!objects) {
    const plan = await planPrefixes(store, o.from, o.filter, o.rawSlackHours);
    prefixes = plan.length;
    objects = [];
    for await (const obj of enumerateObjects(store, o.from, o.filter, plan)) objects.push(obj);
  }
  let checkpoint: Checkpoint | undefined;
  if (o.checkpointPath) {
    checkpoint = new Checkpoint(o.checkpointPath, {
      fingerprint: replayFingerprint(store.url, o.from, o.filter, o.indexPrefix),
      archive: store.url,
      from: o.from,
      filter: o.filter,
    });
    if (o.resume) checkpoint.load();
  }
  const throttle = new AdaptiveThrottle({ maxConcurrency: o.concurrency, rate: o.rate });
  const counters: IndexingCounters = { created: 0, updated: 0, noop: 0, throttledResponses: 0 };
  const transport = throttledTransport(o.transport, throttle, counters);
  const bulk = { ...o.bulk };
  if (o.rate && o.rate > 0) bulk.maxDocs = Math.max(1, Math.min(bulk.maxDocs, Math.ceil(o.rate)));
  const stagingDir = o.from === 'raw' ? mkdtempSync(path.join(tmpdir(), 'tributary-replay-')) : undefined;
  const staging = stagingDir ? new LocalStore(stagingDir, 'tributary-replay-staging') : undefined;
  const deps: IndexerDeps = {
    s3: staging ? io(store, staging) : ioFor(store),
    archiveBucket: store.bucket,
    transport,
    bulk,
    indexPrefix: o.indexPrefix,
  };

  const todo = objects.filter((x) => !checkpoint?.done.has(x.key));
  const state: ProgressState = {
    objectsDone: objects.length - todo.length,
    objectsTotal: objects.length,
    bytesDone: objects.filter((x) => checkpoint?.done.has(x.key)).reduce((a, x) => a + x.size, 0),
    bytesTotal: objects.reduce((a, x) => a + x.size, 0),
    documents: 0,
    indexed: 0,
    deadLettered: 0,
    skipped: objects.length - todo.length,
  };
  const progress = o.progress === false ? undefined : new Progress(state, { label: 'replay', ...o.progress });
  progress?.start();
  const result: ReplayResult = {
    prefixes,
    listCalls: 0,
    objects: objects.length,
    bytes: state.bytesTotal,
    skipped: state.skipped,
    processed: 0,
    tally: {},
    bySource: {},
    counters,
    throttleEvents: 0,
    failedObjects: [],
    interrupted: false,
    elapsedMs: 0,
    checkpoint: o.checkpointPath,
  };

  const indexOne = async (obj: ReplayObject): Promise<{ tally: Tally; bySource: Record<string, Tally> }> => {
    if (o.from === 'normalized') {
      const r = await indexObject({ bucket: store.bucket, key: obj.key, version: obj.etag ?? '', size: obj.size }, deps);
      const src = obj.source ?? 'unknown';
      return { tally: r.tally, bySource: { [src]: { ...r.tally } } };
    }
    const staged = await stageRawObject(store, obj.key, staging!, o.filter, o);
    // Pipeline counts (received, dropped) from the re-normalization; documents, indexed and
    // dead_lettered from indexing the staged lines, exactly as for a normalized object.
    const pick = (t: Tally): Tally => ({ received: t.received ?? 0, dropped: t.dropped ?? 0 });
    const tally = pick(staged.tally);
    const bySource: Record<string, Tally> = {};
    for (const [s, t] of Object.entries(staged.bySource)) bySource[s] = pick(t);
    try {
      for (const key of staged.staged) {
        const r = await indexObject({ bucket: staging!.bucket, key, version: '' }, deps);
        const rest: Tally = { ...r.tally };
        delete rest.objects;
        addTally(tally, rest);
        addTally((bySource[parseArchiveKey(key)?.partition.source ?? 'unknown'] ??= {}), rest);
      }
    } finally {
      for (const key of staged.staged) rmSync(path.join(stagingDir!, ...key.split('/')), { force: true });
    }
    tally.objects = 1;
    return { tally, bySource };
  };

  let next = 0;
  let stop: string | undefined;
  const worker = async (slot: number): Promise<void> => {
    for (;;) {
      if (stop || o.signal?.aborted) return;
      if (slot >= throttle.concurrency) {
        // This slot is parked by the throttle; it rejoins when concurrency recovers.
        throttle.recover();
        if (next >= todo.length) return;
        await new Promise((r) => setTimeout(r, 200));
        continue;
      }
      const obj = todo[next++];
      if (!obj) return;
      try {
        const r = await indexOne(obj);
        addTally(result.tally, r.tally);
        for (const [s, t] of Object.entries(r.bySource)) addTally((result.bySource[s] ??= {}), t);
        state.documents += r.tally.documents ?? 0;
        state.indexed += r.tally.indexed ?? 0;
        state.deadLettered += r.tally.dead_lettered ?? 0;
        checkpoint?.markDone(obj.key, r.tally);
        checkpoint?.save();
        o.onObject?.({ key: obj.key, tally: r.tally });
      } catch (e) {
        const msg = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
        result.failedObjects.push({ key: obj.key, error: msg });
        if (e instanceof IndexObjectError) addTally(result.tally, e.tally);
        if (e instanceof IndexObjectError && e.cause instanceof BulkUnavailableError) stop = `OpenSearch unavailable: ${msg}`;
        o.onObject?.({ key: obj.key, tally: e instanceof IndexObjectError ? e.tally : {}, error: msg });
      }
      result.processed++;
      state.objectsDone++;
      state.bytesDone += obj.size;
      state.concurrency = throttle.concurrency;
      state.rateLimit = throttle.rateCap;
      state.throttled = throttle.throttleEvents;
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, o.concurrency) }, (_, i) => worker(i)));
  } finally {
    progress?.stop();
    if (stagingDir) rmSync(stagingDir, { recursive: true, force: true });
  }
  result.interrupted = o.signal?.aborted === true && next < todo.length;
  result.aborted = stop;
  const complete = !result.interrupted && !stop && result.failedObjects.length === 0;
  checkpoint?.save(complete, true);
  result.throttleEvents = throttle.throttleEvents;
  result.listCalls = store.stats.listCalls - calls0;
  result.elapsedMs = Date.now() - t0;
  return result;
}

// ---------------------------------------------------------------------------------------------
// Remote (Lambda) fan-out: S3-notification-shaped messages to the indexer queue

/** Where a paged enumeration stands: remaining prefixes and the S3 continuation token of the current one. */
export interface EnumerationCursor {
  prefixes: string[];
  index: number;
  token?: string;
}

/**
 * An SQS message body the indexer reads exactly like an S3 "object created" notification.
 * @example s3NotificationBody('central-logs', 'normalized/source=elb/…/x.ndjson.gz', 1234, 'etag', 'eu-west-1')
 */
export function s3NotificationBody(bucket: string, key: string, size: number, etag: string | undefined, region: string, now = new Date()): string {
  return JSON.stringify({
    Records: [
      {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        awsRegion: region,
        eventTime: now.toISOString(),
        eventName: 'ObjectCreated:Put',
        userIdentity: { principalId: 'tributary-replay' },
        s3: {
          s3SchemaVersion: '1.0',
          bucket: { name: bucket, arn: `arn:aws:s3:::${bucket}` },
          // S3 URL-encodes keys in notifications, with spaces as '+'.
          object: { key: encodeURIComponent(key).replace(/%2F/g, '/').replace(/%20/g, '+'), size, eTag: etag ?? '' },
        },
      },
    ],
  });
}

export interface EnqueueResult {
  objects: number;
  bytes: number;
  messages: number;
  listCalls: number;
  next?: EnumerationCursor;
}

/**
 * One page of a remote replay: lists from the cursor and sends up to `maxObjects` notification
 * bodies through `send` (batches of at most 10, the SQS batch limit). Returns the cursor to continue
 * from, or no cursor when the range is exhausted.
 */
export async function enqueuePage(
  store: ObjectStore,
  cursor: EnumerationCursor,
  filter: ReplayFilter,
  maxObjects: number,
  send: (bodies: string[]) => Promise<void>,
  region: string,
  shouldStop: () => boolean = () => false,
): Promise<EnqueueResult> {
  const calls0 = store.stats.listCalls;
  const out: EnqueueResult = { objects: 0, bytes: 0, messages: 0, listCalls: 0 };
  const cur: EnumerationCursor = { ...cursor, prefixes: cursor.prefixes };
  let batch: string[] = [];
  const flush = async () => {
    if (!batch.length) return;
    await send(batch);
    out.messages += batch.length;
    batch = [];
  };
  while (cur.index < cur.prefixes.length && out.objects < maxObjects && !shouldStop()) {
    const page = await store.listPage(cur.prefixes[cur.index], { token: cur.token, limit: Math.min(1000, maxObjects - out.objects) });
    for (const obj of page.objects) {
      const parsed = parseArchiveKey(obj.key);
      if (!parsed || parsed.area !== 'normalized' || !partitionSelected(parsed.partition, filter)) continue;
      batch.push(s3NotificationBody(store.bucket, store.absoluteKey(obj.key), obj.size, obj.etag, region));
      out.objects++;
      out.bytes += obj.size;
      if (batch.length === 10) await flush();
    }
    if (page.next) cur.token = page.next;
    else {
      cur.index++;
      cur.token = undefined;
    }
  }
  await flush();
  out.listCalls = store.stats.listCalls - calls0;
  if (cur.index < cur.prefixes.length) out.next = cur;
  return out;
}
