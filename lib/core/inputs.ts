/**
 * Turns an arbitrary local input (a log file, a gzipped CloudWatch Logs payload, a Firehose event,
 * a CloudTrail file) into pipeline batches. Used by `tributary normalize` and `tributary ingest`.
 */
import type { ParseContext, RawEvent } from '../../parsers/types';
import {
  type Batch,
  cloudWatchBatch,
  contextFromS3Key,
  decodeCloudWatchPayload,
  EnvelopeError,
  isCloudWatchPayload,
  isFirehoseEvent,
  maybeGunzip,
  splitLines,
} from './envelopes';

export interface InputBatches {
  batches: Batch[];
  /** Control messages and other whole records that carry no log events. */
  dropped: number;
  /** Whole records that could not be decoded (e.g. a Firehose record that is not gzip/JSON). */
  unusable: Array<{ key: string; original: string; message: string }>;
  /** What the input was recognised as. */
  kind: 'firehose' | 'cloudwatch' | 'cloudtrail' | 'json' | 'lines';
}

const withOverrides = (ctx: ParseContext, overrides: ParseContext): ParseContext => ({
  ...ctx,
  ...Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)),
});

/**
 * Decodes one input. `name` identifies it in event keys (so ids are stable per file), and S3-style
 * paths (`.../AWSLogs/<account>/<service>/<region>/...`) give account and region.
 */
export function decodeInput(bytes: Buffer, name: string, overrides: ParseContext = {}): InputBatches {
  let text: string;
  try {
    text = maybeGunzip(bytes).toString('utf8');
  } catch (e) {
    return { batches: [], dropped: 0, kind: 'lines', unusable: [{ key: name, original: bytes.toString('base64').slice(0, 4096), message: `corrupt gzip: ${(e as Error).message}` }] };
  }
  const base: ParseContext = name.includes('AWSLogs/') ? contextFromS3Key('local', name.slice(name.indexOf('AWSLogs/'))) : {};
  delete base.s3;
  const ctx = withOverrides(base, overrides);
  const first = text.trimStart()[0];
  if (first === '{' || first === '[') {
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch {
      doc = undefined; // NDJSON or a broken file: line by line below, so one bad line is one failure
    }
    if (doc !== undefined) return decodeJson(doc, name, ctx, overrides);
  }
  return { kind: 'lines', dropped: 0, unusable: [], batches: [{ context: ctx, events: lines(text, name) }] };
}

function lines(text: string, name: string): RawEvent[] {
  return splitLines(text).map((message, i) => ({ message, key: `${name}:${i + 1}` }));
}

function decodeJson(doc: unknown, name: string, ctx: ParseContext, overrides: ParseContext): InputBatches {
  if (isFirehoseEvent(doc)) {
    const out: InputBatches = { kind: 'firehose', batches: [], dropped: 0, unusable: [] };
    for (const r of doc.records) {
      try {
        const batch = cloudWatchBatch(decodeCloudWatchPayload(Buffer.from(r.data, 'base64')), doc.region);
        if (batch) out.batches.push({ ...batch, context: withOverrides(batch.context, overrides) });
        else out.dropped++;
      } catch (e) {
        if (!(e instanceof EnvelopeError)) throw e;
        out.unusable.push({ key: `${name}#${r.recordId}`, original: r.data.slice(0, 4096), message: e.message });
      }
    }
    return out;
  }
  if (isCloudWatchPayload(doc)) {
    const batch = cloudWatchBatch(doc, overrides.region);
    return {
      kind: 'cloudwatch',
      batches: batch ? [{ ...batch, context: withOverrides(batch.context, overrides) }] : [],
      dropped: batch ? 0 : 1,
      unusable: [],
    };
  }
  const records = (doc as { Records?: unknown })?.Records;
  if (Array.isArray(records)) {
    const events = records.map((r, i) => ({ message: JSON.stringify(r), key: `${name}:${i}` }));
    return { kind: 'cloudtrail', batches: [{ context: ctx, events }], dropped: 0, unusable: [] };
  }
  // A pretty-printed JSON log (one object) or an array of them: one event per object.
  const items = Array.isArray(doc) ? doc : [doc];
  const events = items.map((item, i) => ({ message: typeof item === 'string' ? item : JSON.stringify(item), key: `${name}:${i}` }));
  return { kind: 'json', batches: [{ context: ctx, events }], dropped: 0, unusable: [] };
}
