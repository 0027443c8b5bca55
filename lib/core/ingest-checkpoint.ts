/**
 * S3 ingest's checkpoint of one input object (pure): how far a run got when its deadline (or an
 * error) stopped it, so the next delivery of the same message continues there instead of starting
 * over, and the archive ends exactly as if one run had done it all.
 *
 * Why it works: S3 ingest cuts an input into SEGMENTS at fixed item counts (`IngestCut`), and each
 * segment is written as complete archive objects of its own (`segmentName`), which become visible
 * only when the whole segment is written (multipart uploads complete at the end; an abandoned one
 * leaves nothing). A segment is therefore either entirely in the archive or not at all, and the
 * checkpoint records only whole segments: the position (items read) and the index of the next
 * segment, plus what the first chunk decided for the whole object (source, VPC header format,
 * partition, `event.ingested`). A resumed run skips the items before the position and writes the
 * next segment under the same name an uninterrupted run would: nothing is written twice under
 * another name, and nothing half-written is ever visible.
 *
 * A checkpoint is used only for the same object version, with the same cut and the same
 * normalization settings (`settingsFingerprint`); otherwise the run starts over, which is always
 * correct (same keys, same ids: the archive is overwritten with the same content). A run that
 * finishes after resuming marks it `complete`, so a later delivery of the object starts over too.
 */
import { stableId } from '../../parsers/ids';
import { SOURCE_IDS, type SourceId } from '../../parsers/types';
import { PARTITION_KEYS, type Partition } from './archive';
import type { MetricName, Tally } from './tally';

/** How an input is cut: chunks (normalized at once, bounded memory) and segments (objects, resume points). */
export interface IngestCut {
  chunkLines: number;
  chunkBytes: number;
  /** A segment ends with the first chunk that brings it to this many items... */
  segmentLines: number;
  /** ...or this many bytes of text. */
  segmentBytes: number;
}

export interface IngestCheckpoint {
  version: 1;
  /** The input object version this checkpoint is for. */
  input: { bucket: string; key: string; version: string };
  /** `settingsFingerprint` of the run that wrote it. */
  settings: string;
  cut: IngestCut;
  /** Items (lines, CloudTrail records, Firehose error records) of the segments written. */
  position: number;
  /** The next segment to write. */
  segment: number;
  /** Every segment is written; a later delivery starts over. */
  complete: boolean;
  /** Decided by the object's first chunks and kept for the rest of it. */
  source?: SourceId;
  /** VPC Flow Logs format from the object's header line. */
  vpcFormat?: string;
  /** CloudFront field list from the object's `#Fields` header line. */
  cloudfrontFields?: string;
  partition?: Partition;
  /** `event.ingested` of every document of the object (ISO time). */
  ingested?: string;
  /** Counts of the segments written, over all runs. */
  tally: Tally;
  updatedAt: string;
}

/**
 * A fingerprint of what shapes the documents besides the input (normalization settings), so a
 * checkpoint of a run with other settings is not continued with these.
 * @example settingsFingerprint({ includeOriginal: false, mappings: [] }) === settingsFingerprint({ mappings: [], includeOriginal: false }) // true
 */
export function settingsFingerprint(settings: Record<string, unknown>): string {
  const sorted = Object.fromEntries(Object.entries(settings).filter(([, v]) => v !== undefined).sort(([a], [b]) => a.localeCompare(b)));
  return stableId('s3ingest-settings', JSON.stringify(sorted));
}

const count = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const positive = (v: unknown): v is number => count(v) && v > 0;

/**
 * The checkpoint in `text` when it may be continued for `expected`, else why not (`ignored`). Never
 * throws: a damaged checkpoint only means starting over.
 * @example parseIngestCheckpoint('{}', { input: { bucket: 'b', key: 'k', version: 'v' }, settings: 's' }).ignored // 'not a checkpoint (version)'
 */
export function parseIngestCheckpoint(
  text: string,
  expected: { input: IngestCheckpoint['input']; settings: string },
): { checkpoint?: IngestCheckpoint; ignored?: string } {
  let c: Partial<IngestCheckpoint>;
  try {
    c = JSON.parse(text) as Partial<IngestCheckpoint>;
  } catch {
    return { ignored: 'not JSON' };
  }
  if (typeof c !== 'object' || c === null || c.version !== 1) return { ignored: 'not a checkpoint (version)' };
  const i = c.input;
  if (!i || i.bucket !== expected.input.bucket || i.key !== expected.input.key || i.version !== expected.input.version) return { ignored: 'of another object version' };
  if (c.settings !== expected.settings) return { ignored: 'written with other normalization settings' };
  const cut = c.cut;
  if (!cut || !positive(cut.chunkLines) || !positive(cut.chunkBytes) || !positive(cut.segmentLines) || !positive(cut.segmentBytes)) return { ignored: 'no valid cut' };
  if (!count(c.position) || !count(c.segment) || typeof c.complete !== 'boolean') return { ignored: 'no valid position' };
  if (c.complete) return { ignored: 'complete' };
  if (c.source !== undefined && !SOURCE_IDS.includes(c.source)) return { ignored: 'unknown source' };
  if (c.vpcFormat !== undefined && typeof c.vpcFormat !== 'string') return { ignored: 'no valid VPC format' };
  if (c.cloudfrontFields !== undefined && typeof c.cloudfrontFields !== 'string') return { ignored: 'no valid CloudFront field list' };
  if (c.partition !== undefined && (typeof c.partition !== 'object' || c.partition === null || !PARTITION_KEYS.every((k) => typeof c.partition![k] === 'string')))
    return { ignored: 'no valid partition' };
  if (c.ingested !== undefined && (typeof c.ingested !== 'string' || Number.isNaN(Date.parse(c.ingested)))) return { ignored: 'no valid ingested time' };
  const tally: Tally = {};
  for (const [k, v] of Object.entries(c.tally ?? {})) if (count(v)) tally[k as MetricName] = v;
  return {
    checkpoint: {
      version: 1,
      input: { bucket: i.bucket, key: i.key, version: i.version },
      settings: c.settings,
      cut: { chunkLines: cut.chunkLines, chunkBytes: cut.chunkBytes, segmentLines: cut.segmentLines, segmentBytes: cut.segmentBytes },
      position: c.position,
      segment: c.segment,
      complete: false,
      ...(c.source !== undefined ? { source: c.source } : {}),
      ...(c.vpcFormat !== undefined ? { vpcFormat: c.vpcFormat } : {}),
      ...(c.cloudfrontFields !== undefined ? { cloudfrontFields: c.cloudfrontFields } : {}),
      ...(c.partition !== undefined ? { partition: Object.fromEntries(PARTITION_KEYS.map((k) => [k, c.partition![k]])) as unknown as Partition } : {}),
      ...(c.ingested !== undefined ? { ingested: c.ingested } : {}),
      tally,
      updatedAt: typeof c.updatedAt === 'string' ? c.updatedAt : '',
    },
  };
}
