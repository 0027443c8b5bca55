/**
 * The pipeline core: raw events in, normalized documents out. Pure (no I/O, no clock unless the
 * caller passes `now`), shared by the Firehose transformer, S3 ingest, replay and the CLI.
 *
 * Accounting rule (tested): every input event ends as exactly one of a document, a counted drop,
 * or a failure document, so `received = documents + dropped + failed`. Events merged into another
 * event's document (multi-line, multi-record) count as drops with reason `merged`.
 */
import { ECS_VERSION, SCHEMA_VERSION } from '../../schemas';
import type { TributaryDocument } from '../../schemas/generated/document';
import { resolveSource, type SourceMapping } from '../../parsers/detect';
import { parsers } from '../../parsers';
import { DATASETS, type DropReason, type Fields, type Outcome, type ParseContext, type Parser, type ParseSession, type RawEvent, type SourceId } from '../../parsers/types';
import { stableId } from '../../parsers/ids';
import { isoFromMillis } from '../../parsers/time';
import { attribute, extractedClaim, MISMATCH_TAG, type AttributionResult } from './attribution';
import type { Enricher } from './enrich';
import { DEFAULT_REDACTOR, type Redactor } from './redact';

export interface NormalizeInput {
  events: readonly RawEvent[];
  context: ParseContext;
  /** A source id, or `auto` (default) to detect it. */
  source?: SourceId | 'auto';
}

export interface NormalizeOptions {
  /** Sets `event.ingested`, and `@timestamp` of events that carry no time at all. */
  now?: Date;
  /** Keep the raw text in `event.original` on every document (always kept on failures). */
  includeOriginal?: boolean;
  /** Configured log group → source overrides for detection. */
  mappings?: readonly SourceMapping[];
  /**
   * Accounts whose deliveries may speak for other accounts (organization trail owner, log-archive
   * and audit accounts, ...): their content's account claims are accepted (`lib/core/attribution.ts`).
   */
  aggregators?: readonly string[];
  /**
   * GeoIP/ASN and user-agent enrichment of every finished document (`lib/core/enrich/`; built by
   * `lib/io/enrich.ts`). Failure documents are not enriched.
   */
  enricher?: Enricher;
  /**
   * Secret redaction of every document, failures included (`lib/core/redact.ts`; configured by
   * `lib/io/redaction.ts`). Default: the default rules, `event.original` left alone.
   */
  redaction?: Redactor;
}

export interface Counts {
  received: number;
  documents: number;
  dropped: number;
  failed: number;
}

export interface NormalizeResult {
  source: SourceId;
  /** Parsed documents. */
  documents: TributaryDocument[];
  /** `event.kind: pipeline_error` documents, one per event that could not be parsed. */
  failures: TributaryDocument[];
  /** Drops by reason. */
  dropped: Partial<Record<DropReason, number>>;
  counts: Counts;
}

const MAX_ORIGINAL = 32 * 1024;

function clip(s: string): string {
  // Keeps failure documents far below OpenSearch's limits even for 1 MB+ garbage lines.
  return s.length > MAX_ORIGINAL ? s.slice(0, MAX_ORIGINAL) + `…[${s.length - MAX_ORIGINAL} more chars]` : s;
}

function metadata(
  source: SourceId,
  ctx: ParseContext,
  records: number,
  who: AttributionResult,
  merge?: boolean,
): NonNullable<TributaryDocument['tributary']> {
  const t: NonNullable<TributaryDocument['tributary']> = { schema_version: SCHEMA_VERSION, source };
  if (ctx.logGroup) t.log_group = ctx.logGroup;
  if (ctx.logStream) t.log_stream = ctx.logStream;
  if (ctx.s3) t.s3 = { bucket: ctx.s3.bucket, key: ctx.s3.key };
  if (records > 1) t.record_count = records;
  if (merge) t.merge = true;
  t.attribution = who.attribution;
  const delivery = deliveryOf(ctx);
  if (delivery) t.delivery = delivery.region ? { account: delivery.account, region: delivery.region } : { account: delivery.account };
  if (who.claimed) t.claimed = who.claimed;
  return t;
}

/** Trusted delivery metadata of a batch: none for local files (their path is only a claim). */
function deliveryOf(ctx: ParseContext): { account: string; region?: string } | undefined {
  return ctx.account && !ctx.local ? { account: ctx.account, region: ctx.region } : undefined;
}

/**
 * Account and region of one event (`lib/core/attribution.ts`): the parser's claim from the content,
 * else the event's `extractedFields`, checked against the trusted delivery.
 */
function origin(ctx: ParseContext, e: RawEvent | undefined, aggregators: ReadonlySet<string>, content?: { account?: string; region?: string }): AttributionResult {
  const extracted = extractedClaim(e);
  const claim = { account: content?.account ?? extracted.account, region: content?.region ?? extracted.region };
  return attribute(deliveryOf(ctx), claim, aggregators, ctx.local ? { account: ctx.account, region: ctx.region } : undefined);
}

const NO_AGGREGATORS: ReadonlySet<string> = new Set();

function fallbackTimestamp(e: RawEvent | undefined, now: Date | undefined): string {
  return (e?.timestamp !== undefined ? isoFromMillis(e.timestamp) : undefined) ?? (now ?? new Date(0)).toISOString();
}

function finish(
  fields: Fields,
  source: SourceId,
  indices: number[],
  input: NormalizeInput,
  options: NormalizeOptions,
  merge: boolean | undefined,
  ingested: string | undefined,
  aggregators: ReadonlySet<string>,
): TributaryDocument {
  const first = input.events[indices[0]];
  const doc = fields as TributaryDocument;
  doc.event ??= {};
  const event = doc.event;
  event.dataset ??= DATASETS[source];
  event.kind ??= 'event';
  event.id ??= stableId(event.dataset, first?.key ?? `${indices[0]}`);
  if (ingested) event.ingested = ingested;
  if (options.includeOriginal && event.original === undefined)
    event.original = clip(indices.map((i) => input.events[i].message).join('\n'));
  doc['@timestamp'] ??= fallbackTimestamp(first, options.now);
  doc.cloud ??= {};
  doc.cloud.provider ??= 'aws';
  const who = origin(input.context, first, aggregators, { account: doc.cloud.account?.id, region: doc.cloud.region });
  if (who.account) doc.cloud.account = { ...doc.cloud.account, id: who.account };
  else delete doc.cloud.account;
  if (who.region) doc.cloud.region = who.region;
  else delete doc.cloud.region;
  if (who.attribution === 'mismatch') doc.tags = doc.tags?.includes(MISMATCH_TAG) ? doc.tags : [...(doc.tags ?? []), MISMATCH_TAG];
  doc.ecs = { version: ECS_VERSION };
  // Most parsers set no `tributary.*`: then the metadata object is the document's (no second copy per document).
  const meta = metadata(source, input.context, indices.length, who, merge);
  doc.tributary = doc.tributary === undefined ? meta : { ...meta, ...doc.tributary };
  options.enricher?.enrich(doc);
  // Last, after enrichment: nothing a later step copies from the content escapes redaction. Without a
  // configured redactor, the default rules (a path that forgets its configuration still redacts).
  (options.redaction ?? DEFAULT_REDACTOR).redact(doc);
  return doc;
}

/**
 * A `pipeline_error` document for one event that could not be parsed: keeps the original text and
 * the reason, is indexed and archived like any document, and is counted as `failed`. Redacted with the
 * same rules as any document (`redaction`, else the default rules): `event.original`, the line that
 * failed, only when `event.original` is configured to be (it is what a failure is kept for, and the
 * Firehose `raw/` backup keeps it anyway); `error.message` always.
 * @example failureDocument('app', { message: 'password=hunter2 oops', key: 'k' }, {}, 'bad').error.type // 'parse_error'
 */
export function failureDocument(
  source: SourceId,
  event: RawEvent | undefined,
  context: ParseContext,
  message: string,
  type = 'parse_error',
  now?: Date,
  aggregators: ReadonlySet<string> = NO_AGGREGATORS,
  redaction: Redactor = DEFAULT_REDACTOR,
): TributaryDocument {
  const who = origin(context, event, aggregators);
  const dataset = DATASETS[source];
  const doc: TributaryDocument = {
    '@timestamp': fallbackTimestamp(event, now),
    event: {
      kind: 'pipeline_error',
      dataset,
      id: stableId(dataset, event?.key ?? 'unknown'),
      original: clip(event?.message ?? ''),
    },
    error: { message, type },
    cloud: { provider: 'aws' },
    ecs: { version: ECS_VERSION },
    tributary: metadata(source, context, 1, who),
  };
  if (now) doc.event.ingested = now.toISOString();
  if (who.account) doc.cloud!.account = { id: who.account };
  if (who.region) doc.cloud!.region = who.region;
  if (who.attribution === 'mismatch') doc.tags = [MISMATCH_TAG];
  return redaction.redact(doc);
}

/**
 * Runs the source's parser. This is the ONE place a throwing parser is caught (parsers do not catch
 * their own bugs): a throw is a bug, not bad data, so it must neither crash the batch, nor fail the
 * whole batch for one bad event, nor hide behind a document that counts as success. When the batch
 * throws, each event is re-parsed alone, as a batch of one: the events that throw alone become
 * `parser_bug` failures (original text kept), the others get their own outcomes. Bounded: at most
 * one extra parse per event, and only on this bug path. The price, on that path only: context that
 * spans events (a VPC header line, multi-line merges, multi-record audit events) is lost for the
 * batch, so some events may become separate documents or failures of their own.
 */
function runParser(source: SourceId, input: NormalizeInput): Outcome[] {
  const parser = parsers[source];
  return guarded(parser, input.events, input.context, 0, () => parser.parse(input.events, input.context));
}

/**
 * `run` (a parse of `events`, the batch's events from `offset` on), or, when it throws, each of those
 * events parsed alone (see `runParser`); outcomes indexed in the batch.
 */
function guarded(parser: Parser, events: readonly RawEvent[], context: ParseContext, offset: number, run: () => Outcome[]): Outcome[] {
  const bug = (index: number, e: unknown): Outcome => ({
    kind: 'failure',
    index,
    message: `parser threw: ${e instanceof Error ? e.message : String(e)}`,
    type: 'parser_bug',
  });
  try {
    return run();
  } catch (e) {
    if (events.length <= 1) return events.map((_, i) => bug(offset + i, e));
  }
  const out: Outcome[] = [];
  events.forEach((event, i) => {
    const index = offset + i;
    let alone: Outcome[];
    try {
      alone = parser.parse([event], context);
    } catch (e) {
      out.push(bug(index, e));
      return;
    }
    // Index 0 of the batch of one is `index` of the batch; anything else is invalid (-1: never claimed).
    const at = (j: number) => (j === 0 ? index : -1);
    for (const o of alone) out.push(o.kind === 'document' ? { ...o, indices: o.indices.map(at) } : { ...o, index: at(o.index) });
  });
  return out;
}

/**
 * A batch with events the envelope layer could not read within its bounds (`RawEvent.rejected`: an
 * over-long line, a truncated record): those become failure documents with their reason and first
 * bytes, without a parser seeing them; the others are normalized as usual (ids come from the event
 * keys, so they are the same as in a batch without the rejected events). Counts add up:
 * `received` is every event of the batch.
 */
function normalizeWithRejected(input: NormalizeInput, options: NormalizeOptions): NormalizeResult {
  const result = normalize({ ...input, events: input.events.filter((e) => e.rejected === undefined) }, options);
  const aggregators = options.aggregators?.length ? new Set(options.aggregators) : undefined;
  for (const e of input.events)
    if (e.rejected)
      result.failures.push(failureDocument(result.source, e, input.context, e.rejected.reason, e.rejected.type, options.now, aggregators, options.redaction));
  result.counts = { ...result.counts, received: input.events.length, failed: result.failures.length };
  return result;
}

/**
 * The batch with every event that holds several records (`Parser.split`: an exported findings file)
 * replaced by one event per record, so each record is counted, and becomes a document or a failure,
 * on its own. A `split` that throws is a parser bug: the event stays whole and its parser decides.
 */
function splitRecords(source: SourceId, input: NormalizeInput): NormalizeInput {
  const split = parsers[source].split;
  if (!split) return input;
  let events: RawEvent[] | undefined;
  input.events.forEach((e, i) => {
    let parts: readonly RawEvent[] | undefined;
    try {
      parts = split(e);
    } catch {
      parts = undefined;
    }
    if (parts === undefined) {
      events?.push(e);
      return;
    }
    events ??= input.events.slice(0, i);
    for (const p of parts) events.push(p);
  });
  return events ? { ...input, events } : input;
}

/** The input with its source decided (detected when `auto`) and the options a matching mapping carries. */
function withSource(input: NormalizeInput, options: NormalizeOptions): NormalizeInput & { source: SourceId } {
  if (input.source && input.source !== 'auto') return input as NormalizeInput & { source: SourceId };
  // The matching mapping may carry parser options (a VPC custom format per log group).
  const resolved = resolveSource(input.context, input.events, options.mappings);
  if (resolved.options.vpcFormat !== input.context.options?.vpcFormat || resolved.options.cloudfrontFields !== input.context.options?.cloudfrontFields)
    return { ...input, source: resolved.source, context: { ...input.context, options: resolved.options } };
  return { ...input, source: resolved.source };
}

/** Slice ends every `size` events: `[size, 2 * size, ..., n]`. */
function everyN(n: number, size: number): number[] {
  const ends: number[] = [];
  for (let e = size; e < n; e += size) ends.push(e);
  ends.push(n);
  return ends;
}

/**
 * Slice ends at least `size` events apart where no key of `keysOf` has events on both sides (`[n]`
 * when there is no such place): the events a parser merges stay in one slice.
 */
function cutsByKeys(events: readonly RawEvent[], keysOf: (e: RawEvent) => readonly string[], size: number): number[] {
  const n = events.length;
  const keys = events.map(keysOf);
  const last = new Map<string, number>();
  for (let i = 0; i < n; i++) for (const k of keys[i]) last.set(k, i);
  const ends: number[] = [];
  // `reach`: the last event tied to any event of the current slice; a cut after `i` is safe when it is `i` or before.
  for (let i = 0, start = 0, reach = -1; i < n - 1; i++) {
    for (const k of keys[i]) reach = Math.max(reach, last.get(k)!);
    if (i + 1 - start >= size && reach <= i) ends.push((start = i + 1));
  }
  ends.push(n);
  return ends;
}

/** What `normalizeInSlices` returns: a `NormalizeResult` whose documents went to the sink. */
export type SlicedResult = Omit<NormalizeResult, 'documents'>;

/**
 * Events per slice of `normalizeInSlices`. The time is flat from 50 to 250 events; under 100, V8 rarely
 * sees 100 survivors of one allocation site in a scavenge, the least it needs to pretenure the site
 * (allocate its objects in the old generation): ALB ran in the fast mode in 11 of 12 processes at 100,
 * 7 of 12 at 200 (bench/RESULTS.md, third round).
 */
export const SLICE_EVENTS = 100;

/**
 * `normalize` a slice of events at a time when the batch's parser allows it, each slice's documents
 * handed to `sink` (in order) before the next slice is parsed, so that a caller who serializes them
 * at once never holds a whole payload's documents; any other batch's documents go to `sink` at once.
 * A parser allows it when it decides each event alone (`Parser.perEvent`: slices of `sliceEvents`),
 * names the keys that tie the events it merges (`Parser.sliceKeys`, audit records: slices of at least
 * `sliceEvents`, cut only where no key has events on both sides), or parses a batch as a session
 * over its slices (`Parser.session`, VPC: the lines that fit several layouts are decided after the
 * last slice, by the whole batch's lines, and their documents come last).
 * Same documents, ids, drops, failures and counts as `normalize` of the whole batch, by construction
 * (property-tested in test/unit/slices.test.ts), and the same order but for a session's held-back
 * events: batches with events the envelope layer rejected are never sliced; failures are returned at
 * the end, as `normalize` returns them after the documents; the source is decided once, on the whole
 * batch. One difference, on the parser-bug path only: a parser that throws re-parses its events one by
 * one (`runParser`) within the slice, not the whole batch, so less cross-event context is lost.
 *
 * Why: a fifth of the transformer's time was garbage collection (bench/RESULTS.md): the 1,000–5,000
 * documents of one CloudWatch Logs payload lived until all were serialized, so young-generation
 * collections copied them, and V8 often chose to allocate them in the old generation from the start
 * (allocation-site pretenuring), where they die expensively. Sliced, they die young: 20 invocations
 * of 4 payloads, ALB GC 0.69–0.83 s → 0.15–0.18 s and 1.3× faster in all, audit 1.4×, VPC v2 1.2× and
 * v5 1.3× faster (`--trace-gc`; S3 ingest gained 1.5× from chunks of 500 lines).
 * @example const docs: unknown[] = []; normalizeInSlices({ events, context: {}, source: 'elb' }, {}, (d) => docs.push(...d)).counts.documents === docs.length // true
 */
export function normalizeInSlices(
  input: NormalizeInput,
  options: NormalizeOptions,
  sink: (documents: TributaryDocument[]) => void,
  sliceEvents = SLICE_EVENTS,
): SlicedResult {
  const whole = (batch: NormalizeInput): SlicedResult => {
    const { documents, ...rest } = normalize(batch, options);
    sink(documents);
    return rest;
  };
  // Rejected events are left out of detection (`normalizeWithRejected`): such a batch is never sliced.
  if (input.events.length <= sliceEvents || input.events.some((e) => e.rejected !== undefined)) return whole(input);
  const resolved = withSource(input, options);
  const parser = parsers[resolved.source];
  if (!parser.perEvent && !parser.sliceKeys && !parser.session) return whole(resolved);
  const prepared = prepare(resolved, options);
  const { events, context } = prepared;
  const ends = parser.sliceKeys ? cutsByKeys(events, parser.sliceKeys, sliceEvents) : everyN(events.length, sliceEvents);
  // A parser without a session of its own: each slice parsed alone, its outcomes indexed in the batch.
  const session: ParseSession = parser.session?.(context) ?? { parse: (slice, offset) => shifted(parser.parse(slice, context), offset, slice.length), end: () => [] };
  const acc = accounting(prepared, options);
  for (let k = 0, start = 0; k < ends.length; start = ends[k++]) {
    const slice = events.slice(start, ends[k]);
    sink(acc.take(guarded(parser, slice, context, start, () => session.parse(slice, start))));
  }
  if (parser.session) {
    let held: Outcome[] = [];
    try {
      held = session.end();
    } catch {
      // A parser bug: the held-back events become `parser_bug` failures in `close`.
    }
    sink(acc.take(held));
  }
  return acc.close();
}

/**
 * The outcomes of a slice parsed alone, indexed in the batch: index `i` of the slice is `offset + i`;
 * an index outside the slice (a parser bug) becomes -1, claimed by no event, instead of another slice's.
 */
function shifted(outcomes: Outcome[], offset: number, length: number): Outcome[] {
  const at = (i: number) => (Number.isInteger(i) && i >= 0 && i < length ? offset + i : -1);
  for (const o of outcomes) {
    if (o.kind === 'document') for (let k = 0; k < o.indices.length; k++) o.indices[k] = at(o.indices[k]);
    else o.index = at(o.index);
  }
  return outcomes;
}

/**
 * Normalizes one batch of raw events from one stream or object.
 * @example normalize({ events: [{ message: '2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK', key: 'stdin:1' }], context: {}, source: 'vpcflow' })
 */
export function normalize(input: NormalizeInput, options: NormalizeOptions = {}): NormalizeResult {
  if (input.events.some((e) => e.rejected !== undefined)) return normalizeWithRejected(input, options);
  const prepared = prepare(withSource(input, options), options);
  const acc = accounting(prepared, options);
  const documents = acc.take(runParser(prepared.source, prepared));
  return { ...acc.close(), documents };
}

/** The batch as its parser sees it: records split (`splitRecords`), the ingest time as the reference of dates without a year. */
function prepare(input: NormalizeInput & { source: SourceId }, options: NormalizeOptions): NormalizeInput & { source: SourceId } {
  let prepared = splitRecords(input.source, input) as NormalizeInput & { source: SourceId };
  // The ingest time is the reference of dates without a year (RFC 3164) when the envelope has no event time.
  if (options.now && prepared.context.now === undefined) prepared = { ...prepared, context: { ...prepared.context, now: options.now.getTime() } };
  return prepared;
}

/**
 * The accounting rule of one batch: outcomes become documents (`take`, in outcome order), counted
 * drops and failure documents, each event claimed once; `close` makes a `parser_bug` failure of
 * every event no outcome claimed.
 */
function accounting(input: NormalizeInput & { source: SourceId }, options: NormalizeOptions) {
  const source = input.source;
  const failures: TributaryDocument[] = [];
  const dropped: Partial<Record<DropReason, number>> = {};
  // Formatted once per batch, not once per document (the transformer's hot loop).
  const ingested = options.now?.toISOString();
  const aggregators = options.aggregators?.length ? new Set(options.aggregators) : NO_AGGREGATORS;
  const n = input.events.length;
  const seen = new Uint8Array(n);
  let droppedCount = 0;
  let made = 0;
  const drop = (reason: DropReason) => {
    dropped[reason] = (dropped[reason] ?? 0) + 1;
    droppedCount++;
  };
  const fail = (index: number, message: string, type?: string) =>
    failures.push(failureDocument(source, input.events[index], input.context, message, type, options.now, aggregators, options.redaction));
  // Claims an index once; an outcome naming an index twice or out of range is a parser bug, not data loss.
  const claim = (i: number) => i >= 0 && i < n && Number.isInteger(i) && !seen[i] && (seen[i] = 1) === 1;
  return {
    take(outcomes: readonly Outcome[]): TributaryDocument[] {
      const documents: TributaryDocument[] = [];
      for (const o of outcomes) {
        if (o.kind === 'document') {
          const indices = o.indices.filter(claim);
          if (!indices.length) continue;
          documents.push(finish(o.fields, source, indices, input, options, o.merge, ingested, aggregators));
          for (let k = 1; k < indices.length; k++) drop('merged');
        } else if (claim(o.index)) {
          if (o.kind === 'drop') drop(o.reason);
          else fail(o.index, o.message, o.type);
        }
      }
      made += documents.length;
      return documents;
    },
    close(): SlicedResult {
      for (let i = 0; i < n; i++) if (!seen[i]) fail(i, 'parser produced no outcome for this event', 'parser_bug');
      return { source, failures, dropped, counts: { received: n, documents: made, dropped: droppedCount, failed: failures.length } };
    },
  };
}
