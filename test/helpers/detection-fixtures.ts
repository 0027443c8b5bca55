/**
 * Detection fixtures built from real-format input (`test/fixtures-detections/input/<id>.json`): every
 * case is a list of deliveries as AWS makes them — a CloudWatch Logs subscription payload (what the
 * Firehose transformer receives) or an S3 object's lines or CloudTrail records (what s3ingest reads)
 * — normalized by the same cores as the functions (`normalizeCloudWatchBatch`; `s3ObjectBatch` +
 * `detectSource` + `normalize`, as `lib/ingest.ts` does) at "reference time minus
 * `ingested_minutes_ago`". The documents that come out are the fixture `<id>.json` the integration
 * test runs every detection on, so a parser change that alters what a detection sees shows up as a
 * fixture diff (`test/unit/detection-fixtures.test.ts`, `UPDATE_GOLDEN=1` regenerates).
 */
import { normalizeCloudWatchBatch, payloadDocuments } from '../../lib/core/cloudwatch';
import { loadEnricher } from '../../lib/io/enrich';
import { cloudWatchBatch, s3ObjectBatch, type CloudWatchLogsPayload } from '../../lib/core/envelopes';
import { normalize, type Counts } from '../../lib/core/pipeline';
import { detectSource } from '../../parsers/detect';
import type { TributaryDocument } from '../../schemas/generated/document';

interface Timing {
  /** The pipeline normalizes this delivery so many minutes before the fixture's `reference_time` (`event.ingested`). */
  ingested_minutes_ago: number;
  /** Aggregator accounts configured (`AGGREGATOR_ACCOUNTS`), for attribution cases. */
  aggregators?: string[];
}

/** A CloudWatch Logs subscription payload (decoded), received in `region`: the live path. */
export interface CloudWatchDelivery extends Timing {
  cloudwatch: CloudWatchLogsPayload;
  region: string;
}

/** An S3-delivered object: text `lines`, or the `records` of a CloudTrail log file (`{"Records":[...]}`). */
export interface S3Delivery extends Timing {
  s3: { bucket: string; key: string; etag: string };
  lines?: string[];
  records?: unknown[];
}

export type Delivery = CloudWatchDelivery | S3Delivery;

export interface InputCase {
  name: string;
  deliveries: Delivery[];
}

/** `test/fixtures-detections/input/<id>.json`. */
export interface DetectionInput {
  detection: string;
  reference_time: string;
  description: string;
  /** The documentation the input lines follow. */
  formats: string[];
  fires: InputCase[];
  quiet: InputCase[];
}

export interface OutputCase {
  name: string;
  /** The pipeline's accounting of the case's deliveries (received = documents + dropped + failed). */
  counts: Counts;
  docs: TributaryDocument[];
}

/** `test/fixtures-detections/<id>.json`: what the pipeline made of the input. */
export interface DetectionFixture {
  detection: string;
  reference_time: string;
  description: string;
  generated_from: string;
  fires: OutputCase[];
  quiet: OutputCase[];
}

const add = (a: Counts, b: Counts): Counts => ({
  received: a.received + b.received,
  documents: a.documents + b.documents,
  dropped: a.dropped + b.dropped,
  failed: a.failed + b.failed,
});

/** Enrichment as the functions run it by default (the packaged databases): detections read `source.geo.*`. */
const enricher = () => loadEnricher({ enabled: true })?.enricher;

/** The documents (and failure documents) of one delivery, normalized as the function that receives it would. */
export function normalizeDelivery(d: Delivery, referenceTime: string): { docs: TributaryDocument[]; counts: Counts } {
  const now = new Date(Date.parse(referenceTime) - d.ingested_minutes_ago * 60_000);
  if ('cloudwatch' in d) {
    const batch = cloudWatchBatch(d.cloudwatch, d.region);
    if (!batch) return { docs: [], counts: { received: 0, documents: 0, dropped: 0, failed: 0 } };
    const payload = normalizeCloudWatchBatch(batch, undefined, { now, aggregators: d.aggregators, enricher: enricher() });
    return { docs: payloadDocuments(payload), counts: payload.result.counts };
  }
  const text = d.records ? JSON.stringify({ Records: d.records }) : (d.lines ?? []).join('\n') + '\n';
  const batch = s3ObjectBatch(d.s3.bucket, d.s3.key, d.s3.etag, Buffer.from(text));
  const source = detectSource(batch.context, batch.events);
  const result = normalize({ events: batch.events, context: batch.context, source }, { now, aggregators: d.aggregators, enricher: enricher() });
  return { docs: [...result.documents, ...result.failures], counts: result.counts };
}

function buildCase(c: InputCase, referenceTime: string): OutputCase {
  let counts: Counts = { received: 0, documents: 0, dropped: 0, failed: 0 };
  const docs: TributaryDocument[] = [];
  for (const d of c.deliveries) {
    const r = normalizeDelivery(d, referenceTime);
    counts = add(counts, r.counts);
    docs.push(...r.docs);
  }
  return { name: c.name, counts, docs };
}

/** The fixture the pipeline makes of an input file. */
export function buildFixture(input: DetectionInput, inputPath: string): DetectionFixture {
  return {
    detection: input.detection,
    reference_time: input.reference_time,
    description: input.description,
    generated_from: inputPath,
    fires: input.fires.map((c) => buildCase(c, input.reference_time)),
    quiet: input.quiet.map((c) => buildCase(c, input.reference_time)),
  };
}

/** JSON with one document per line: diffs stay per document, bursts of 50 stay readable. */
export function formatFixture(fx: DetectionFixture): string {
  const kase = (c: OutputCase) =>
    `    {\n      "name": ${JSON.stringify(c.name)},\n      "counts": ${JSON.stringify(c.counts)},\n      "docs": [\n` +
    c.docs.map((d) => `        ${JSON.stringify(d)}`).join(',\n') +
    '\n      ]\n    }';
  const head = (['detection', 'reference_time', 'description', 'generated_from'] as const).map((k) => `  ${JSON.stringify(k)}: ${JSON.stringify(fx[k])},`).join('\n');
  return `{\n${head}\n  "fires": [\n${fx.fires.map(kase).join(',\n')}\n  ],\n  "quiet": [\n${fx.quiet.map(kase).join(',\n')}\n  ]\n}\n`;
}

/** `test/fixtures-detections/input/saved-searches.json`: deliveries per saved search. */
export interface SavedSearchesInput {
  reference_time: string;
  description: string;
  formats: string[];
  searches: Record<string, Delivery[]>;
}

/** `test/fixtures-detections/saved-searches.json`: the documents each saved search must find. */
export interface SavedSearchesFixture {
  reference_time: string;
  description: string;
  generated_from: string;
  counts: Record<string, Counts>;
  searches: Record<string, TributaryDocument[]>;
}

/** The saved-search samples the pipeline makes of their input. */
export function buildSavedSearches(input: SavedSearchesInput, inputPath: string): SavedSearchesFixture {
  const out: SavedSearchesFixture = { reference_time: input.reference_time, description: input.description, generated_from: inputPath, counts: {}, searches: {} };
  for (const [name, deliveries] of Object.entries(input.searches)) {
    const c = buildCase({ name, deliveries }, input.reference_time);
    out.counts[name] = c.counts;
    out.searches[name] = c.docs;
  }
  return out;
}

/** Like {@link formatFixture}: one document per line. */
export function formatSavedSearches(fx: SavedSearchesFixture): string {
  const head = (['reference_time', 'description', 'generated_from'] as const).map((k) => `  ${JSON.stringify(k)}: ${JSON.stringify(fx[k])},`).join('\n');
  const counts = Object.entries(fx.counts).map(([k, v]) => `    ${JSON.stringify(k)}: ${JSON.stringify(v)}`).join(',\n');
  const searches = Object.entries(fx.searches)
    .map(([k, docs]) => `    ${JSON.stringify(k)}: [\n${docs.map((d) => `      ${JSON.stringify(d)}`).join(',\n')}\n    ]`)
    .join(',\n');
  return `{\n${head}\n  "counts": {\n${counts}\n  },\n  "searches": {\n${searches}\n  }\n}\n`;
}
