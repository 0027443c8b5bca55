/**
 * The two floors every Tributary path is compared with, built from plain Node and no parsing:
 * what the work would cost if normalizing were free.
 *
 * - decode floor: base64 decode + gunzip + JSON.parse of each CloudWatch Logs payload + line split
 *   + a flat 25-field object per event + JSON.stringify to NDJSON + base64 of the response.
 * - archive floor: the same, plus gzip of the NDJSON (what the S3 paths pay).
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

/** Runs the decode floor (or, with `gzip`, the archive floor) over a Firehose event; returns event count. */
export function floor(event: FirehoseTransformEvent, gzip: boolean): { events: number; outBytes: number } {
  let events = 0;
  let outBytes = 0;
  for (const r of event.records) {
    const p = JSON.parse(gunzipSync(Buffer.from(r.data, 'base64')).toString('utf8')) as Payload;
    const lines: string[] = [];
    for (const e of p.logEvents) {
      lines.push(JSON.stringify(flat(p, e, e.message.split(' '))));
      events++;
    }
    let out = Buffer.from(lines.join('\n') + '\n');
    if (gzip) out = gzipSync(out);
    outBytes += out.toString('base64').length;
  }
  return { events, outBytes };
}
