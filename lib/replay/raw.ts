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
import type { VpcLayoutMemory } from '../../parsers/vpcflow-format';
import { normalizeCloudWatchBatch } from '../core/cloudwatch';
import { decodeFirehoseRecord } from '../core/direct-put';
import { EnvelopeError } from '../core/envelopes';
import { JsonRecordScanner } from '../core/json-records';
import { DEFAULT_LIMITS, isUnreadable, type ReadItem } from '../core/limits';
import { addTally, type Tally } from '../core/tally';
import { ArchiveWriter } from '../io/archive-writer';
import { decompressedStream } from '../io/s3';
import type { ObjectStore } from '../io/store';
import type { Enricher } from '../core/enrich';
import type { Redactor } from '../core/redact';
import { partitionSelected, type ReplayFilter } from './plan';


/**
 * Splits concatenated JSON documents (`{…}{…}`, optionally separated by whitespace) — the shape of a
 * Firehose source backup of CloudWatch Logs records once gunzipped. Memory: one document of at most
 * `maxBytes` (`MAX_DECOMPRESSED_BYTES`, the bound of one payload); a larger one, or one the backup
 * ends inside, is yielded as an `Unreadable` (counted as a failed payload) and reading goes on.
 * @example for await (const json of splitConcatenatedJson(await decompressedStream(body))) if (!isUnreadable(json)) decodeCloudWatchPayload(Buffer.from(json))
 */
export async function* splitConcatenatedJson(
  text: AsyncIterable<Buffer | string>,
  maxBytes: number = DEFAULT_LIMITS.maxDecompressedBytes,
): AsyncGenerator<ReadItem> {
  const scanner = new JsonRecordScanner(maxBytes, 'MAX_DECOMPRESSED_BYTES');
  for await (const chunk of text) yield* scanner.push(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk);
  yield* scanner.end();
}

export interface RawOptions {
  /** Region of the Firehose stream that received the records (the transformer's `event.region`). */
  streamRegion?: string;
  sourceOptions?: SourceOptions;
  /** Headerless VPC flow log layouts learned per log group, shared by the objects of one replay run. */
  vpcLayouts?: VpcLayoutMemory;
  mappings?: readonly SourceMapping[];
  /** Accounts whose account claims are accepted (`lib/core/attribution.ts`). */
  aggregators?: readonly string[];
  /** Bound of one decompressed record (`MAX_DECOMPRESSED_BYTES`, default 8 MiB): raise it to replay records the transformer refused. */
  maxDecompressedBytes?: number;
  includeOriginal?: boolean;
  now?: () => Date;
  /** GeoIP/ASN and user-agent enrichment, as the transformer does it (`lib/io/enrich.ts`). */
  enricher?: Enricher;
  /** Secret redaction, as the transformer does it (`lib/core/redact.ts`); default: the default rules. */
  redaction?: Redactor;
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
    for await (const json of splitConcatenatedJson(body, o.maxDecompressedBytes)) {
      if (isUnreadable(json)) {
        addTally(tally, { received: 1, failed: 1 });
        continue;
      }
      let batch;
      try {
        // A CloudWatch Logs record, or a direct-PUT one (an EventBridge event): as the transformer reads it.
        batch = decodeFirehoseRecord(Buffer.from(json, 'utf8'), o.streamRegion, o.maxDecompressedBytes).batch;
      } catch (e) {
        if (!(e instanceof EnvelopeError)) throw e;
        addTally(tally, { received: 1, failed: 1 });
        continue;
      }
      if (batch === null || batch.events.length === 0) continue; // control messages: nothing to index
      const { result, partition, ndjson } = normalizeCloudWatchBatch(batch, undefined, {
        now,
        includeOriginal: o.includeOriginal,
        mappings: o.mappings,
        aggregators: o.aggregators,
        sourceOptions: o.sourceOptions,
        vpcLayouts: o.vpcLayouts,
        enricher: o.enricher,
        redaction: o.redaction,
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
