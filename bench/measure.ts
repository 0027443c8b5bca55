/**
 * The measuring process of `npm run bench` (started by `bench/run.ts`, pinned to one core with
 * `taskset` when available). Modes:
 *
 *   cpu     --sources a,b --runs N --records R --payload BYTES --out FILE [--only SCENARIO]
 *           firehose floor and archive floor (`bench/floors.ts`), transformer (transformFirehose, then
 *           JSON.stringify of its response as the Lambda runtime does), the same with GeoIP/ASN and
 *           user-agent enrichment (`lib/core/enrich/`, bundled databases), the same without secret
 *           redaction (`lib/core/redact.ts`, on by default), parser alone (normalize), and the ceilings
 *           (the floors' work over the transformer's own documents, made beforehand), interleaved run
 *           by run on the same data, so load drift hits every scenario alike.
 *   ingest  --bucket B --key K --lines N --raw-bytes B --out FILE   (AWS_ENDPOINT_URL = the bench S3 endpoint)
 *           S3 ingest (`ingestObject`) of one large gzip ALB object; reports its own peak RSS.
 *   indexer --opensearch URL --bucket B --key K --runs N --out FILE
 *           the indexer core (`indexObject`) vs a raw `_bulk` of the same NDJSON, alternating.
 *   bomb    --case transform|ingest --file F [--dir D --key K] --out FILE
 *           one hostile input with the DEFAULT bounds (`lib/core/limits.ts`): the transformer on a
 *           Firehose event (F), or S3 ingest of object K of the local store D; reports the outcome and
 *           its own peak RSS (`process.resourceUsage().maxRSS`), nothing timed.
 *
 *   events  --sources a --mb M --out FILE
 *           writes Firehose events (4 records of ~1 MB CloudWatch Logs payloads each) holding about M MB
 *           of generated log text of one source, as a JSON array: the input of `replay`.
 *   replay  --file FILE --scenario floor|transformer|enriched
 *           one whole process over the events of FILE: the firehose floor, or the transformer (with
 *           the response JSON; `enriched`: with enrichment); prints events and seconds. Measured from
 *           outside (`/usr/bin/time -v`, `hyperfine`): the issue's "whole process" numbers (bench/README.md).
 *
 * Results are JSON written to `--out`; stdout is free for logs.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { FirehoseTransformEvent } from '../lib/core/envelopes';
import { gunzipSync } from 'node:zlib';
import { archiveCeiling, archiveFloor, firehoseCeiling, firehoseFloor, recordDocuments } from './floors';
import { allEvents, BENCH_MAPPINGS, buildSource, SOURCES, type SourceData } from './data';
import { median } from './stats';
import { normalize } from '../lib/core/pipeline';
import { transformFirehose, type TransformOptions } from '../lib/transform';
import { loadEnricher } from '../lib/io/enrich';
import { createRedactor } from '../lib/core/redact';
import { DEFAULT_CHUNK } from '../lib/core/limits';

/** Redaction switched off (`defaults: false`, no rules): the pipeline's redaction step does nothing. */
const NO_REDACTION = createRedactor({ defaults: false });

function arg(name: string, fallback?: string): string {
  const i = process.argv.indexOf(`--${name}`);
  if (i >= 0 && process.argv[i + 1] !== undefined) return process.argv[i + 1];
  if (fallback === undefined) throw new Error(`--${name} is required`);
  return fallback;
}

const NOW = new Date(Date.UTC(2026, 2, 1, 12));
/** Lambda's default budget (5.5 MiB, `RESPONSE_MAX_BYTES`), to report how many records fit it. */
const DEFAULT_BUDGET = 5_767_168;

export interface CpuResult {
  source: string;
  events: number;
  rawBytes: number;
  eventBytes: number;
  records: number;
  /** Seconds per run, per scenario. */
  seconds: {
    floor: number[];
    archive: number[];
    transform: number[];
    enriched: number[];
    unredacted: number[];
    parser: number[];
    /** The firehose floor's work over the transformer's documents, made beforehand (`firehoseCeiling`); `Enriched`: its enriched ones. */
    ceiling: number[];
    ceilingEnriched: number[];
    /** The archive floor's work over the enriched documents (`archiveCeiling`): S3 ingest's ceiling (enrichment on as deployed). */
    ceilingArchive: number[];
  };
  /** Enrichment: the databases' load time (first source only: once per process) and the user-agent cache. */
  enrichment: { loadMs?: number; documents: number; enriched: number; uaHits: number; uaMisses: number; uaSkipped: number; ipHits: number; ipMisses: number };
  /** Mean bytes of a document's JSON line: the transformer's, and with enrichment (the ceilings' input). */
  documentBytes: { plain: number; enriched: number };
  /** Records Ok / ProcessingFailed under the default response budget. */
  budget: { ok: number; failed: number };
  tally: Record<string, number>;
}

function time(fn: () => void): number {
  const t = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t) / 1e9;
}

/** Mean length of the documents' JSON lines (without the newline). */
function meanBytes(records: unknown[][]): number {
  let n = 0;
  let bytes = 0;
  for (const r of records) for (const d of r) {
    n++;
    bytes += Buffer.byteLength(JSON.stringify(d));
  }
  return n ? Math.round(bytes / n) : 0;
}

function cpu(): void {
  const names = arg('sources', SOURCES.map((s) => s.name).join(',')).split(',');
  const runs = Number(arg('runs', '5'));
  const records = Number(arg('records', '4'));
  const payload = Number(arg('payload', '1000000'));
  const out: CpuResult[] = [];
  // Opened once per process, as at a function's cold start (timed: the init cost of enrichment).
  const t0 = process.hrtime.bigint();
  const enricher = loadEnricher({ enabled: true })!.enricher;
  let loadMs: number | undefined = Number(process.hrtime.bigint() - t0) / 1e6;
  for (const name of names) {
    const spec = SOURCES.find((s) => s.name === name);
    if (!spec) throw new Error(`unknown source ${name}`);
    const d: SourceData = buildSource(spec, records, payload);
    const events = allEvents(d);
    const transform = (extra: Partial<TransformOptions>) =>
      transformFirehose(d.event, { responseMaxBytes: Infinity, mappings: BENCH_MAPPINGS, now: NOW, ...extra });
    // What one invocation costs: the transformer, then the response JSON the Lambda runtime writes (the floor writes it too).
    const invoke = (extra: Partial<TransformOptions>) => JSON.stringify(transform(extra).response);
    // `--only transform` (profiles): just one scenario, so the profile shows only its frames.
    const only = arg('only', '');
    // The ceilings' documents: the transformer's own output, made once before anything is timed (and
    // before the enrichment counters are read); not made for a profile of another scenario.
    const ceilings = !only || only.startsWith('ceiling');
    const made = (extra: Partial<TransformOptions>) => (ceilings ? recordDocuments(transform(extra).response) : []);
    const documents = made({});
    const enrichedDocuments = made({ enricher });
    const stats0 = { documents: enricher.stats.documents, enriched: enricher.stats.enriched, userAgent: enricher.stats.userAgent, ip: enricher.stats.ip };
    const parser = () => {
      // One normalize call per CloudWatch payload, like the transformer, without envelopes or output.
      for (const b of d.batches) normalize({ events: b.events, context: b.context, source: spec.source }, { now: NOW });
    };
    const all = {
      floor: () => firehoseFloor(d.event),
      archive: () => archiveFloor(d.event),
      transform: () => invoke({}),
      enriched: () => invoke({ enricher }),
      // The transformer without redaction (on by default, so `transform` includes it): its cost is the difference.
      unredacted: () => invoke({ redaction: NO_REDACTION }),
      parser,
      ceiling: () => firehoseCeiling(d.event, documents),
      ceilingEnriched: () => firehoseCeiling(d.event, enrichedDocuments),
      ceilingArchive: () => archiveCeiling(d.event, enrichedDocuments),
    };
    const scenarios = only ? { [only]: all[only as keyof typeof all] } : all;
    const res: CpuResult = {
      source: name,
      events: events.length,
      rawBytes: d.rawBytes,
      eventBytes: d.eventBytes,
      records,
      seconds: { floor: [], archive: [], transform: [], enriched: [], unredacted: [], parser: [], ceiling: [], ceilingEnriched: [], ceilingArchive: [] },
      enrichment: { documents: 0, enriched: 0, uaHits: 0, uaMisses: 0, uaSkipped: 0, ipHits: 0, ipMisses: 0 },
      documentBytes: { plain: meanBytes(documents), enriched: meanBytes(enrichedDocuments) },
      budget: { ok: 0, failed: 0 },
      tally: {},
    };
    // Warm-up (JIT, inline caches) twice, then measured runs, interleaved.
    for (let w = 0; w < 2; w++) for (const f of Object.values(scenarios)) f();
    for (let r = 0; r < runs; r++)
      for (const [k, f] of Object.entries(scenarios)) res.seconds[k as keyof CpuResult['seconds']].push(time(f));
    const budgeted = transform({ responseMaxBytes: DEFAULT_BUDGET });
    for (const rec of budgeted.response.records) {
      if (rec.result === 'Ok') res.budget.ok++;
      else res.budget.failed++;
    }
    res.tally = transform({}).tally as Record<string, number>;
    const s = enricher.stats;
    res.enrichment = {
      loadMs,
      documents: s.documents - stats0.documents,
      enriched: s.enriched - stats0.enriched,
      uaHits: s.userAgent.hits - stats0.userAgent.hits,
      uaMisses: s.userAgent.misses - stats0.userAgent.misses,
      uaSkipped: s.userAgent.skipped - stats0.userAgent.skipped,
      ipHits: s.ip.hits - stats0.ip.hits,
      ipMisses: s.ip.misses - stats0.ip.misses,
    };
    loadMs = undefined;
    out.push(res);
    const eps = (k: keyof CpuResult['seconds']) => Math.round(events.length / median(res.seconds[k]));
    console.log(`${name}: ${events.length} events, ${Object.keys(scenarios).map((k) => `${k} ${eps(k as keyof CpuResult['seconds'])}/s`).join(', ')}`);
  }
  writeFileSync(arg('out'), JSON.stringify(out));
}

async function ingest(): Promise<void> {
  const { ingestObject } = await import('../lib/ingest');
  const { createS3Client } = await import('../lib/io/s3');
  const { S3Store } = await import('../lib/io/store');
  const s3 = createS3Client();
  const input = { store: new S3Store(s3, arg('bucket')), key: arg('key'), version: 'bench' };
  const baselineRssKb = process.memoryUsage().rss / 1024;
  const t = process.hrtime.bigint();
  // As the s3ingest function runs by default: its chunk size, enrichment on (bundled databases).
  const enricher = loadEnricher({ enabled: true })?.enricher;
  const res = await ingestObject(input, { archive: new S3Store(s3, 'bench-archive'), chunkLines: Number(arg('chunk-lines', String(DEFAULT_CHUNK.lines))), now: () => NOW, enricher });
  const seconds = Number(process.hrtime.bigint() - t) / 1e9;
  writeFileSync(arg('out'), JSON.stringify({ seconds, tally: res.tally, outputs: res.outputs, maxRssKb: process.resourceUsage().maxRSS, baselineRssKb }));
}

async function indexer(): Promise<void> {
  const { indexObject } = await import('../lib/indexer');
  const { bulkTransport, createOpenSearchClient } = await import('../lib/io/opensearch');
  const { createS3Client } = await import('../lib/io/s3');
  const { S3Store } = await import('../lib/io/store');
  const { indexName } = await import('../lib/core/indices');
  const node = arg('opensearch');
  const prefix = arg('prefix');
  const runs = Number(arg('runs', '3'));
  const s3 = createS3Client();
  const input = { store: new S3Store(s3, arg('bucket')), key: arg('key') };
  const chunks: Buffer[] = [];
  for await (const c of await input.store.get(input.key)) chunks.push(c as Buffer);
  const lines = gunzipSync(Buffer.concat(chunks)).toString('utf8').split('\n').filter(Boolean);
  const { DEFAULT_BULK: bulk } = await import('../lib/io/bulk');
  // The raw baseline: the same actions and documents, the same request bounds, sent with fetch.
  const bodies: string[] = [];
  let body = '';
  let docs = 0;
  for (const l of lines) {
    const d = JSON.parse(l) as { '@timestamp'?: string; event: { id: string; dataset?: string } };
    const entry = `${JSON.stringify({ index: { _index: indexName(d, `${prefix}-raw`), _id: d.event.id } })}\n${l}\n`;
    if (docs && (docs >= bulk.maxDocs || body.length + entry.length > bulk.maxBytes)) {
      bodies.push(body);
      body = '';
      docs = 0;
    }
    body += entry;
    docs++;
  }
  if (body) bodies.push(body);
  const raw = async () => {
    for (const b of bodies) {
      const r = await fetch(`${node}/_bulk`, { method: 'POST', headers: { 'content-type': 'application/x-ndjson' }, body: b });
      const j = (await r.json()) as { errors?: boolean };
      if (!r.ok || j.errors) throw new Error(`raw _bulk failed: HTTP ${r.status}`);
    }
  };
  const deps = {
    archive: new S3Store(s3, 'bench-archive'),
    transport: bulkTransport(createOpenSearchClient({ node, auth: 'none', requestTimeoutMs: 60_000 })),
    bulk,
    indexPrefix: `${prefix}-idx`,
  };
  const idx = async () => {
    const r = await indexObject(input, deps);
    if (r.tally.indexed !== lines.length) throw new Error(`indexer indexed ${r.tally.indexed} of ${lines.length}: ${JSON.stringify(r.tally)}`);
  };
  const timed = async (f: () => Promise<void>) => {
    const t = process.hrtime.bigint();
    await f();
    return Number(process.hrtime.bigint() - t) / 1e9;
  };
  // First writes create the indices: warm both, then alternate (both then overwrite the same ids).
  await raw();
  await idx();
  const seconds = { raw: [] as number[], indexer: [] as number[] };
  for (let i = 0; i < runs; i++) {
    seconds.raw.push(await timed(raw));
    seconds.indexer.push(await timed(idx));
  }
  writeFileSync(arg('out'), JSON.stringify({ docs: lines.length, bytes: lines.reduce((a, l) => a + Buffer.byteLength(l) + 1, 0), seconds }));
}

/** What `bomb` reports: the outcome in words and the memory it took. */
export interface BombResult {
  outcome: string;
  tally: Record<string, number>;
  baselineRssKb: number;
  maxRssKb: number;
}

async function bomb(): Promise<void> {
  const which = arg('case');
  let outcome: string;
  let tally: Record<string, number>;
  let baselineRssKb: number;
  let maxRssKb: number;
  if (which === 'transform') {
    const event = JSON.parse(readFileSync(arg('file'), 'utf8'));
    baselineRssKb = process.memoryUsage().rss / 1024;
    // The function's own options: default bounds (no maxDecompressedBytes given).
    const r = transformFirehose(event, { responseMaxBytes: DEFAULT_BUDGET, now: NOW });
    maxRssKb = process.resourceUsage().maxRSS;
    outcome = r.response.records.map((x) => x.result).join(',') + (r.failedRecords.length ? `: ${r.failedRecords.map((f) => f.reason).join('; ')}` : '');
    tally = r.tally as Record<string, number>;
  } else {
    const { ingestObject } = await import('../lib/ingest');
    const { LocalStore } = await import('../lib/io/store');
    const { readLines } = await import('../lib/io/s3');
    const logs = new LocalStore(arg('dir'), 'bench-logs');
    const archive = new LocalStore(`${arg('dir')}-archive`, 'bench-archive');
    baselineRssKb = process.memoryUsage().rss / 1024;
    const r = await ingestObject({ store: logs, key: arg('key'), version: 'bench' }, { archive, chunkLines: DEFAULT_CHUNK.lines, now: () => NOW });
    maxRssKb = process.resourceUsage().maxRSS; // before reading the (small) output back
    tally = r.tally as Record<string, number>;
    const errors: string[] = [];
    for (const key of r.outputs)
      for await (const l of readLines(await archive.get(key))) {
        const d = JSON.parse(l) as { error?: { type?: string; message?: string } };
        if (d.error?.type) errors.push(`${d.error.type}: ${d.error.message}`);
      }
    outcome = `${r.tally.documents ?? 0} documents, ${r.tally.failed ?? 0} failed${errors.length ? ` (${[...new Set(errors)].join('; ')})` : ''}`;
  }
  const res: BombResult = { outcome, tally, baselineRssKb, maxRssKb };
  writeFileSync(arg('out'), JSON.stringify(res));
}

/** `events`: the Firehose events of about `--mb` MB of one source's log text (seeded: every run writes the same file). */
function events(): void {
  const spec = SOURCES.find((s) => s.name === arg('sources'));
  if (!spec) throw new Error(`unknown source ${arg('sources')}`);
  const target = Number(arg('mb', '50')) * 1024 * 1024;
  const out: unknown[] = [];
  let rawBytes = 0;
  let n = 0;
  for (let seed = 42; rawBytes < target; seed++) {
    const d = buildSource(spec, 4, 1_000_000, seed);
    out.push(d.event);
    rawBytes += d.rawBytes;
    n += d.events;
  }
  writeFileSync(arg('out'), JSON.stringify(out));
  console.log(`${spec.name}: ${n} events, ${(rawBytes / 1024 / 1024).toFixed(1)} MB of log text in ${out.length} Firehose events`);
}

/** `replay`: one scenario over a file of Firehose events, in this process only (measured from outside). */
function replay(): void {
  const file = arg('file');
  const scenario = arg('scenario');
  const list = JSON.parse(readFileSync(file, 'utf8')) as FirehoseTransformEvent[];
  const enricher = scenario === 'enriched' ? loadEnricher({ enabled: true })!.enricher : undefined;
  const t = process.hrtime.bigint();
  let n = 0;
  for (const event of list) {
    if (scenario === 'floor') n += firehoseFloor(event).events;
    else if (scenario === 'transformer' || scenario === 'enriched') {
      const r = transformFirehose(event, { responseMaxBytes: Infinity, mappings: BENCH_MAPPINGS, now: NOW, enricher });
      JSON.stringify(r.response);
      n += r.tally.received ?? 0;
    } else throw new Error(`unknown scenario ${scenario} (floor, transformer, enriched)`);
  }
  console.log(`${scenario}: ${n} events in ${(Number(process.hrtime.bigint() - t) / 1e9).toFixed(3)} s (the loop; the process also read and parsed ${file})`);
}

const mode = process.argv[2];
const modes: Record<string, () => Promise<void>> = { cpu: async () => cpu(), ingest, indexer, bomb, events: async () => events(), replay: async () => replay() };
const run = modes[mode];
if (!run) {
  console.error('usage: measure.ts cpu|ingest|indexer|bomb|events|replay [options]');
  process.exit(2);
}
run().catch((e) => {
  console.error(e);
  process.exit(1);
});
