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
  const p = JSON.parse(gunzipSync(Buffer.from(data, 'base64')).toString('utf8')) as Payload;
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
    const data = gzipSync(Buffer.from(ndjson, 'utf8'), { level: 1 }).toString('base64');
    // The transformer's output record has partition keys too; the floor's are constant (no computation).
    return { recordId: r.recordId, result: 'Ok', data, metadata: { partitionKeys: { source: 'floor', account: owner, region: event.region } } };
  });
  return { events, outBytes: JSON.stringify({ records }).length };
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
