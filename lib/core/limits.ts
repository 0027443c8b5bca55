/**
 * The bounds of decoding untrusted deliveries, in one place. Every decompression and every reader is
 * bounded, so no input can exhaust a function's memory or crash a batch; what exceeds a bound is
 * never dropped silently: it becomes a failure document (reason + clipped original) or, for a whole
 * Firehose record, `ProcessingFailed` (Firehose writes its bytes to `errors/firehose/`, where S3 ingest
 * turns it into a failure document). The functions read the bounds from `MAX_DECOMPRESSED_BYTES` and
 * `MAX_LINE_BYTES` (`lib/io/config.ts`); the CLI uses `LOCAL_LIMITS`.
 */

import type { RawEvent } from '../../parsers/types';

const MiB = 1024 * 1024;

export interface DecodeLimits {
  /**
   * Largest decompressed size of anything decoded in memory: one Firehose record (a CloudWatch Logs
   * payload), the `rawData` of a Firehose error record, a local file (CLI). Larger → one failure.
   */
  maxDecompressedBytes: number;
  /**
   * Longest line, or CloudTrail record, read from a stream (S3 ingest, the indexer, replay). A longer
   * one becomes one failure document holding its first bytes and the reason; reading goes on after it.
   */
  maxLineBytes: number;
}

/**
 * Defaults of the functions (1,024 MB of memory):
 * - 8 MiB decompressed per record. A CloudWatch Logs payload carries one `PutLogEvents` batch (at
 *   most 1 MiB of messages and 10,000 events): about 2 MiB as JSON, 7 MiB if every character needed
 *   escaping. Normalizing takes memory by events and fields, not bytes: the worst payload accepted
 *   (8 MiB of 50,000 small JSON events, see `MAX_PAYLOAD_CONTAINERS`) peaks near 280 MB, against
 *   490 MB at 16 MiB and 1,670 MB for the unbounded 300 MB bomb; a gzip bomb stops at 8 MiB of output
 *   whatever its ratio. A record over the bound is not lost: Firehose keeps it under `errors/` (and
 *   `raw/`), S3 ingest archives it as a failure document, and a higher bound plus replay recovers it.
 * - 8 MiB per line or record. CloudWatch Logs events are at most 1 MiB, CloudTrail records 256 KB,
 *   a Firehose error record (base64 of a ≤1,000 KiB record) about 1.4 MB, and a normalized document of
 *   a 1 MiB event stays under 8 MiB even when JSON escaping inflates every character; S3 ingest also
 *   flushes its chunks by bytes, so lines this long cannot pile up.
 */
export const DEFAULT_LIMITS: Readonly<DecodeLimits> = { maxDecompressedBytes: 8 * MiB, maxLineBytes: 8 * MiB };

/**
 * How S3 ingest cuts an object for normalizing: a chunk is normalized once it holds `lines` lines or
 * `bytes` bytes of text (lines can be up to `maxLineBytes` long, so lines alone would not bound it).
 * Small chunks keep a chunk's documents inside V8's young generation, where collecting them is
 * cheap: measured on a 100 MB ALB object (one pinned core, `bench/run.ts` ingest scenario), 5,000
 * lines ran at 12.6-16k lines/s with a 377 MB peak RSS, 500 lines at 18.8-22.6k lines/s and 125 MB
 * (GC was 27% of the time); 100-500 lines perform alike. 2 MiB of text normalizes within ~40 MB.
 */
export const DEFAULT_CHUNK: Readonly<{ lines: number; bytes: number }> = { lines: 500, bytes: 2 * MiB };

/**
 * Bounds of the CLI (`tributary normalize`, `tributary ingest` of local files), which streams every
 * file (`lib/local/input-stream.ts`): lines and records of at most 8 MiB, whatever the file's size;
 * a whole JSON envelope (a Firehose event, a CloudWatch Logs payload) is parsed whole up to 32 MiB
 * decompressed, a larger one is read line by line.
 */
export const LOCAL_LIMITS: Readonly<DecodeLimits> = { maxDecompressedBytes: 32 * MiB, maxLineBytes: 8 * MiB };

/**
 * Most objects and arrays (outside strings) a CloudWatch Logs payload may hold before it is parsed.
 * Parsing and normalizing take memory by the number of containers and events, not by bytes (8 MiB of
 * `[[[[…` took 500 MB to parse, 8 MiB of tiny events 500 MB to normalize), so the byte bound alone
 * does not bound memory. 50,000 is five times the 10,000 events of a `PutLogEvents` batch (one object
 * per event, two with `extractedFields`); messages are strings, so JSON logs inside them do not count.
 */
export const MAX_PAYLOAD_CONTAINERS = 50_000;

/** The same check for a JSON document the CLI parses whole (a Firehose event, a JSON array of log records). */
export const MAX_DOCUMENT_CONTAINERS = 2_000_000;

/**
 * Bytes of an over-long line or record kept for its failure document (the pipeline keeps the first
 * 32 Ki characters of it as `event.original`; bytes, because the cut may split a UTF-8 character).
 */
export const KEPT_HEAD_BYTES = 64 * 1024;

/** A line or record a bounded reader could not deliver whole: its first bytes, its size, and why. */
export interface Unreadable {
  /** The first `KEPT_HEAD_BYTES` bytes, decoded. */
  head: string;
  /** Its size in bytes (as far as it was read, for a truncated one). */
  bytes: number;
  reason: string;
  /** `error.type` of its failure document: `line_too_long`, `record_too_large`, `truncated_record`. */
  type: string;
}

/** What a bounded reader yields: a line or record, or what could not be read of one. */
export type ReadItem = string | Unreadable;

/** Whether a read item could not be read whole. */
export const isUnreadable = (x: ReadItem): x is Unreadable => typeof x !== 'string';

/**
 * An over-long line or record, with its reason.
 * @example tooLong('line', 9_000_000, 8_388_608, head).reason // 'line of 9000000 bytes exceeds the 8388608-byte limit (MAX_LINE_BYTES); its first bytes are kept'
 */
export function tooLong(what: 'line' | 'record', bytes: number, max: number, head: Buffer, setting = 'MAX_LINE_BYTES'): Unreadable {
  return {
    head: head.subarray(0, KEPT_HEAD_BYTES).toString('utf8'),
    bytes,
    reason: `${what} of ${bytes} bytes exceeds the ${max}-byte limit (${setting}); its first bytes are kept`,
    type: what === 'line' ? 'line_too_long' : 'record_too_large',
  };
}

/**
 * The raw event of a read item at `key`. An unreadable one carries its first bytes as the message
 * and `rejected`, so the pipeline makes it a failure document without running a parser on it.
 * @example readItemEvent('a line', 's3://b/k#v:0') // { message: 'a line', key: 's3://b/k#v:0' }
 */
export function readItemEvent(item: ReadItem, key: string): RawEvent {
  return typeof item === 'string' ? { message: item, key } : { message: item.head, key, rejected: { reason: item.reason, type: item.type } };
}
