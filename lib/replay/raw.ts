/**
 * `replay --from raw`: the Firehose source-record backup (`raw/firehose/<arrival hour>/`, the original
 * gzipped CloudWatch Logs records, concatenated) is re-normalized with the CURRENT parsers through
 * `normalizeCloudWatchBatch` (what the transformer runs), so ids and documents equal the live path.
 * The output is staged as normalized objects in a local store and indexed from there (dead letters
 * still go to the archive); payloads outside the replayed range are skipped by their partition.
 */
import type { SourceMapping } from '../../parsers/detect';
import { stableId } from '../../parsers/ids';
import type { SourceOptions } from '../../parsers/types';
import { normalizeCloudWatchBatch } from '../core/cloudwatch';
import { cloudWatchBatch, decodeCloudWatchPayload, EnvelopeError } from '../core/envelopes';
import { addTally, type Tally } from '../core/tally';
import { ArchiveWriter } from '../io/archive-writer';
import { decompressedStream } from '../io/s3';
import type { ObjectStore } from '../io/store';
import { partitionSelected, type ReplayFilter } from './plan';


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
  staging: ObjectStore,
  filter: ReplayFilter,
  o: RawOptions,
): Promise<{ staged: string[]; tally: Tally; bySource: Record<string, Tally> }> {
  const tally: Tally = {};
  const bySource: Record<string, Tally> = {};
  const writer = new ArchiveWriter(staging, `raw-${stableId('replay-raw', key)}`);
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
      addTally(tally, result.counts);
      addTally((bySource[partition.source] ??= {}), result.counts);
      await writer.write(partition, ndjson);
    }
  } catch (e) {
    await writer.abort();
    body.destroy();
    throw e;
  }
  return { staged: await writer.close(), tally, bySource };
}
