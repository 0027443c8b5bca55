/**
 * Firehose error records (pure): what one line of an `errors/firehose/<error-output-type>/` object
 * holds, decoded into what S3 ingest can archive again with the live path's ids.
 *
 * Firehose writes one JSON record per failed record: `{attemptsMade, arrivalTimestamp, errorCode
 * (ErrorCode for format conversion), errorMessage, attemptEndingTimestamp, rawData, ...}`, `rawData`
 * being the record's bytes, base64. WHICH bytes depends on where the record failed, and the Firehose
 * documentation states it only for processing failures (the original record). So the content decides,
 * not the error type:
 * - a CloudWatch Logs subscription payload (gzip or plain): the SOURCE record. `processing-failed`
 *   holds these (the transform returned `ProcessingFailed`); it is normalized like the live path
 *   (`lib/core/cloudwatch.ts`), which gives the same documents and ids.
 * - gzipped (or plain) NDJSON of Tributary documents (each line an object with `tributary.source` and
 *   `event.id`): the transform's OUTPUT for one payload (`lib/transform.ts` `encodeOutputData`), as
 *   a record Firehose diverted after the transform, e.g. past the active-partition limit
 *   (`activePartitionExceeded`). These documents already carry the live ids: they are archived
 *   unchanged, line for line.
 * - a direct-PUT source record (an EventBridge event, other JSON or text, `lib/core/direct-put.ts`),
 *   only in `processing-failed` records (the caller says so: other types hold transform output):
 *   normalized like the live path, with its ids (they come from its content, not its position);
 * - anything else: not decodable (`EnvelopeError`); the caller keeps the line as a `pipeline_error`
 *   document with the reason, so nothing is lost.
 *
 * Bounded like every decoder (`lib/core/limits.ts`): rawData inflates to at most `maxBytes`, and a
 * document line with more than `MAX_DOCUMENT_CONTAINERS` objects and arrays is refused before parsing.
 */
import { countJsonContainers } from '../../parsers/json';
import { decodeFirehoseRecord } from './direct-put';
import { type Batch, type CloudWatchLogsPayload, decodeCloudWatchPayload, EnvelopeError, isCloudWatchPayload, maybeGunzip } from './envelopes';
import { DEFAULT_LIMITS, MAX_DOCUMENT_CONTAINERS, MAX_PAYLOAD_CONTAINERS } from './limits';

/** A Tributary document as far as recovery needs it. */
export interface RecoveredDocument {
  '@timestamp'?: string;
  event: { id: string };
  tributary: { source: string };
  cloud?: { account?: { id?: string }; region?: string };
}

/** What one error record holds. `arrival`: Firehose's `arrivalTimestamp` (epoch ms), when present. */
export type FirehoseErrorRecord =
  | { kind: 'cloudwatch'; payload: CloudWatchLogsPayload; arrival?: number }
  | { kind: 'documents'; lines: string[]; documents: RecoveredDocument[]; arrival?: number }
  /** A direct-PUT record (an EventBridge event, JSON, text: `lib/core/direct-put.ts`), normalized like the live path. */
  | { kind: 'direct'; batch: Batch; arrival?: number };

const isDocument = (d: unknown): d is RecoveredDocument => {
  const x = d as RecoveredDocument;
  return typeof x === 'object' && x !== null && !Array.isArray(x) && typeof x.event?.id === 'string' && typeof x.tributary?.source === 'string';
};

/**
 * Decodes one error record (one JSON line of a Firehose error object). Throws `SyntaxError` when the
 * line is not JSON and `EnvelopeError` when it holds no `rawData` or `rawData` is neither a CloudWatch
 * Logs payload nor Tributary documents.
 * @example decodeFirehoseErrorRecord(JSON.stringify({ rawData: gzipSync(JSON.stringify(payload)).toString('base64') })).kind // 'cloudwatch'
 */
export function decodeFirehoseErrorRecord(
  line: string,
  maxBytes: number = DEFAULT_LIMITS.maxDecompressedBytes,
  /** Set for `processing-failed` records, whose `rawData` is the SOURCE record: then a direct-PUT record is read as one. */
  direct?: { streamRegion?: string },
): FirehoseErrorRecord {
  const rec = JSON.parse(line) as { rawData?: unknown; arrivalTimestamp?: unknown };
  if (typeof rec !== 'object' || rec === null || typeof rec.rawData !== 'string') throw new EnvelopeError('error record without rawData');
  const arrival = typeof rec.arrivalTimestamp === 'number' && Number.isFinite(rec.arrivalTimestamp) ? rec.arrivalTimestamp : undefined;
  const bytes = Buffer.from(rec.rawData, 'base64');
  try {
    return decodeKnown(bytes, arrival, maxBytes);
  } catch (e) {
    if (!(e instanceof EnvelopeError) || !direct) throw e;
    // A source record that is neither a CloudWatch Logs payload nor transform output: a direct-PUT
    // record (an EventBridge event, JSON, text), when it is one.
    let record;
    try {
      record = decodeFirehoseRecord(bytes, direct.streamRegion, maxBytes);
    } catch {
      throw e;
    }
    if (record.kind === 'direct') return { kind: 'direct', batch: record.batch, arrival };
    throw e;
  }
}

function decodeKnown(bytes: Buffer, arrival: number | undefined, maxBytes: number): FirehoseErrorRecord {
  let plain: Buffer;
  try {
    plain = maybeGunzip(bytes, maxBytes);
  } catch (e) {
    if (e instanceof EnvelopeError) throw e;
    throw new EnvelopeError(`rawData is not gzip or corrupt gzip: ${(e as Error).message}`);
  }
  const text = plain.toString('utf8');
  // A CloudWatch Logs payload is ONE JSON object; transformed output is one object per line.
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  if (lines.length === 1 && countJsonContainers(lines[0], MAX_PAYLOAD_CONTAINERS) <= MAX_PAYLOAD_CONTAINERS) {
    let single: unknown;
    try {
      single = JSON.parse(lines[0]);
    } catch {
      throw new EnvelopeError('rawData is not JSON: neither a CloudWatch Logs payload nor Tributary documents');
    }
    // decodeCloudWatchPayload's checks (size, containers, shape) hold: the same bounds were applied here.
    if (isCloudWatchPayload(single)) return { kind: 'cloudwatch', payload: single, arrival };
  }
  const documents: RecoveredDocument[] = [];
  for (const l of lines) {
    let doc: unknown;
    try {
      doc = countJsonContainers(l, MAX_DOCUMENT_CONTAINERS) > MAX_DOCUMENT_CONTAINERS ? undefined : JSON.parse(l);
    } catch {
      doc = undefined;
    }
    if (!isDocument(doc)) {
      // A single over-structured line may be a payload bomb: say so, as the live path would.
      if (lines.length === 1) decodeCloudWatchPayload(plain, maxBytes);
      throw new EnvelopeError('rawData is neither a CloudWatch Logs payload nor Tributary documents');
    }
    documents.push(doc);
  }
  if (!documents.length) throw new EnvelopeError('rawData is empty');
  return { kind: 'documents', lines, documents, arrival };
}
