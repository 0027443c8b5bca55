/**
 * The floors every Tributary path is compared with, built from plain Node and no parsing: what the
 * work would cost if normalizing were free.
 *
 * - **firehose floor** (`firehoseFloor`, the transformer's floor): exactly the envelope work the
 *   transformer (`transformFirehose`, lib/transform.ts) cannot avoid, per Firehose record: base64
 *   decode, gunzip, `JSON.parse` of the CloudWatch Logs payload; per log event a split of its message
 *   and a flat 25-field object; `JSON.stringify` of each into NDJSON; gzip level 1 of the record's
 *   NDJSON (`encodeOutputData`: what Firehose receives), base64; then the response JSON (the Lambda
 *   runtime serializes the handler's return value; the bench's transformer scenario does the same).
 *   Nothing else: no ids, no redaction, no partition computation, no response budget.
 * - **archive floor** (`archiveFloor`, S3 ingest's floor): the same decode and NDJSON, gzipped at
 *   zlib's default level like the archive writer (lib/io/archive-writer.ts `createGzip()`), no response JSON.
 * - **ceilings** (`firehoseCeiling`, `archiveCeiling`): the same envelope work over the transformer's
 *   own documents, made beforehand: what the transformer would cost if making its documents (parsing,
 *   ids, redaction, enrichment) were free. Their ratio to the floor is the best any transformer writing
 *   those documents can reach: the part of the gap that is the documents' size, not their making.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import type { FirehoseTransformEvent } from '../lib/core/envelopes';

interface Payload {
  logGroup: string;
  logStream: string;
  owner: string;
  logEvents: Array<{ id: string; timestamp: number; message: string }>;
}

/** A flat 25-field object: as many fields as a typical normalized document carries. */
function flat(p: Payload, e: Payload['logEvents'][number], parts: string[]): Record<string, unknown> {
  return {
    '@timestamp': e.timestamp, id: e.id, group: p.logGroup, stream: p.logStream, owner: p.owner,
    f0: parts[0], f1: parts[1], f2: parts[2], f3: parts[3], f4: parts[4], f5: parts[5], f6: parts[6], f7: parts[7],
    f8: parts[8], f9: parts[9], f10: parts[10], f11: parts[11], f12: parts[12], f13: parts[13], f14: parts[14],
    f15: parts[15], f16: parts[16], f17: parts[17], f18: parts[18], len: e.message.length,
  };
}

/** One record's NDJSON (each line ending with a newline, as the transformer writes it) and its event count. */
function ndjsonOf(data: string): { ndjson: string; events: number; owner: string } {
  const p = decode(data);
  const lines: string[] = [];
  for (const e of p.logEvents) lines.push(JSON.stringify(flat(p, e, e.message.split(' '))));
  lines.push('');
  return { ndjson: lines.join('\n'), events: p.logEvents.length, owner: p.owner };
}

/**
 * The transformer's floor over a Firehose event: returns the event count and the size of the
 * response JSON.
 * @example firehoseFloor(event) // { events: 19440, outBytes: 1934321 }
 */
export function firehoseFloor(event: FirehoseTransformEvent): { events: number; outBytes: number } {
  let events = 0;
  const records = event.records.map((r) => {
    const { ndjson, events: n, owner } = ndjsonOf(r.data);
    events += n;
    return outputRecord(r.recordId, ndjson, owner, event.region);
  });
  return { events, outBytes: JSON.stringify({ records }).length };
}

/** One record's output as the floor makes it: gzip level 1 of its NDJSON, base64, and constant partition keys. */
function outputRecord(recordId: string, ndjson: string, owner: string, region: string) {
  const data = gzipSync(Buffer.from(ndjson, 'utf8'), { level: 1 }).toString('base64');
  // The transformer's output record has partition keys too; the floor's are constant (no computation).
  return { recordId, result: 'Ok', data, metadata: { partitionKeys: { source: 'floor', account: owner, region } } };
}

/** The decode every side does per record: base64, gunzip, `JSON.parse` of the CloudWatch Logs payload. */
function decode(data: string): Payload {
  return JSON.parse(gunzipSync(Buffer.from(data, 'base64')).toString('utf8')) as Payload;
}

/** NDJSON of documents made beforehand, each line ending with a newline. */
function ndjsonOfDocuments(documents: readonly unknown[]): string {
  let out = '';
  for (const d of documents) out += JSON.stringify(d) + '\n';
  return out;
}

/**
 * The firehose floor's work with the transformer's documents instead of flat objects: per record the
 * same decode (its result unused: the documents are given), `JSON.stringify` of `documents[i]` (record
 * i's documents, as the transformer wrote them), gzip level 1, base64, then the response JSON.
 * @example firehoseCeiling(event, recordDocuments(transformFirehose(event, options).response)) // { events: 19440, outBytes: 3012345 }
 */
export function firehoseCeiling(event: FirehoseTransformEvent, documents: readonly (readonly unknown[])[]): { events: number; outBytes: number } {
  const records = ceilingRecords(event, documents);
  return { events: documents.reduce((n, d) => n + d.length, 0), outBytes: JSON.stringify({ records }).length };
}

/**
 * The output records of `firehoseCeiling`, before the response JSON (their data, gunzipped, is the
 * transformer's NDJSON byte for byte: test/unit/bench-floors.test.ts).
 * @example ceilingRecords(event, documents)[0].result // 'Ok'
 */
export function ceilingRecords(event: FirehoseTransformEvent, documents: readonly (readonly unknown[])[]): ReturnType<typeof outputRecord>[] {
  return event.records.map((r, i) => outputRecord(r.recordId, ndjsonOfDocuments(documents[i]), decode(r.data).owner, event.region));
}

/**
 * S3 ingest's ceiling: the archive floor's decode and gzip at the default level over documents made beforehand.
 * @example archiveCeiling(event, recordDocuments(transformFirehose(event, options).response)) // { events: 19440, outBytes: 1530021 }
 */
export function archiveCeiling(event: FirehoseTransformEvent, documents: readonly (readonly unknown[])[]): { events: number; outBytes: number } {
  let events = 0;
  let outBytes = 0;
  event.records.forEach((r, i) => {
    decode(r.data);
    events += documents[i].length;
    outBytes += gzipSync(Buffer.from(ndjsonOfDocuments(documents[i]), 'utf8')).length;
  });
  return { events, outBytes };
}

/**
 * The documents of each record of a transformer's response, in order (records that are not `Ok` have none).
 * @example recordDocuments(transformFirehose(event, options).response)[0].length // 4860
 */
export function recordDocuments(response: { records: Array<{ result: string; data?: string }> }): unknown[][] {
  return response.records.map((r) =>
    r.result === 'Ok' && r.data
      ? gunzipSync(Buffer.from(r.data, 'base64')).toString('utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as unknown)
      : [],
  );
}

/**
 * S3 ingest's floor over the same records: decode, NDJSON, gzip at the default level; returns the
 * event count and the gzip bytes.
 * @example archiveFloor(event) // { events: 19440, outBytes: 1130021 }
 */
export function archiveFloor(event: FirehoseTransformEvent): { events: number; outBytes: number } {
  let events = 0;
  let outBytes = 0;
  for (const r of event.records) {
    const { ndjson, events: n } = ndjsonOf(r.data);
    events += n;
    outBytes += gzipSync(Buffer.from(ndjson, 'utf8')).length;
  }
  return { events, outBytes };
}
