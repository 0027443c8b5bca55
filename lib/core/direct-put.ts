/**
 * Firehose records that are not CloudWatch Logs payloads (pure): what EventBridge rules and other
 * producers put into the delivery stream directly ("direct PUT"), turned into a batch with the same
 * accounting, partitioning and ids as every other path.
 *
 * Every Firehose record is one of:
 * - a CloudWatch Logs subscription payload (gzip, or plain after Firehose's Decompression processor):
 *   `kind: 'cloudwatch'`, decoded as before (`cloudWatchBatch`);
 * - one JSON value (an EventBridge event: EventBridge puts one event per record, no newline), or UTF-8
 *   text (one event per line): `kind: 'direct'`;
 * - anything else (corrupt gzip, binary bytes, past the `MAX_DECOMPRESSED_BYTES` bound, a structure
 *   bomb): `EnvelopeError`, the transformer returns it `ProcessingFailed` and S3 ingest keeps it as a
 *   failure document with its bytes.
 *
 * Trust (the archive is evidence, `lib/core/attribution.ts`): the `account` and `region` of an
 * EventBridge event whose `source` starts with `aws.` are set by EventBridge itself (custom `PutEvents`
 * cannot use an `aws.` source, and an event forwarded from another account's bus keeps its sender's
 * `account`), so they are the delivery metadata of that event; the stack's IAM lets only its
 * EventBridge role put records into the stream. Anything else in a direct-PUT record (a custom
 * event, text) has no trusted delivery: its account is only a claim (`unverified`).
 *
 * Ids: a direct-PUT record has no position that survives a retry or the S3 path, so the default
 * event key is the EventBridge event `id` (`eventbridge:<id>`), else a hash of the record's text and
 * the line (`direct:<hash>:<n>`; the same text put twice is one document: a producer's retry). Finding
 * parsers set `event.id` from the finding itself, equal to the S3 export's.
 */
import { stableId } from '../../parsers/ids';
import type { ParseContext, RawEvent } from '../../parsers/types';
import { type Batch, cloudWatchBatch, EnvelopeError, inflateRecord, isCloudWatchPayload } from './envelopes';
import { DEFAULT_LIMITS, readItemEvent } from './limits';
import { splitBoundedLines } from './lines';

/** What one Firehose record holds. `batch` null: a CloudWatch Logs control message. */
export type FirehoseRecordBatch = { kind: 'cloudwatch'; batch: Batch | null } | { kind: 'direct'; batch: Batch };

const ACCOUNT = /^\d{12}$/;
const REGION = /^[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The text of bytes that are UTF-8 text (no NUL or other control character but tab, CR, LF, ESC), else undefined.
 * @example textOf(Buffer.from('hello')) // 'hello'
 */
export function textOf(bytes: Buffer): string | undefined {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return undefined;
  }
  return /[\u0000-\u0008\u000b\u000c\u000e-\u001a\u001c-\u001f]/.test(text) ? undefined : text;
}

/**
 * The trusted delivery of an EventBridge event, when AWS set it: an `aws.` source with a 12-digit
 * `account` (and its `region`, else the stream's).
 * @example awsEventDelivery({ source: 'aws.guardduty', 'detail-type': 'GuardDuty Finding', account: '111122223333', region: 'eu-west-1', detail: {} }, 'us-east-1') // { account: '111122223333', region: 'eu-west-1' }
 */
export function awsEventDelivery(o: unknown, streamRegion?: string): { account: string; region?: string } | undefined {
  if (typeof o !== 'object' || o === null || Array.isArray(o)) return undefined;
  const e = o as Record<string, unknown>;
  if (typeof e.source !== 'string' || !e.source.startsWith('aws.') || typeof e['detail-type'] !== 'string') return undefined;
  if (typeof e.account !== 'string' || !ACCOUNT.test(e.account)) return undefined;
  const region = typeof e.region === 'string' && REGION.test(e.region) ? e.region : streamRegion;
  return region ? { account: e.account, region } : { account: e.account };
}

/**
 * The batch of a direct-PUT record's text: one event for a JSON value, one per line otherwise.
 * `parsed` is the text's JSON value when it is one (undefined otherwise).
 * @example directPutBatch('{"version":"0","id":"e1","detail-type":"GuardDuty Finding","source":"aws.guardduty","account":"111122223333","region":"us-east-1","detail":{}}', undefined, 'us-east-1').context.account // '111122223333'
 */
export function directPutBatch(text: string, parsed: unknown, streamRegion?: string, maxLineBytes = DEFAULT_LIMITS.maxLineBytes): Batch {
  const trimmed = text.trim();
  if (parsed !== undefined) {
    const delivery = awsEventDelivery(parsed, streamRegion);
    const id = typeof (parsed as { id?: unknown })?.id === 'string' ? (parsed as { id: string }).id : undefined;
    const key = delivery && id ? `eventbridge:${id}` : `direct:${stableId('direct-put', trimmed)}:0`;
    const context: ParseContext = delivery ? { ...delivery } : untrusted(parsed, streamRegion);
    return { context, events: [{ message: trimmed, key }] };
  }
  const hash = stableId('direct-put', text);
  const events: RawEvent[] = splitBoundedLines(Buffer.from(text, 'utf8'), maxLineBytes).map((item, i) => readItemEvent(item, `direct:${hash}:${i}`));
  return { context: untrusted(undefined, streamRegion), events: events.filter((e) => e.rejected !== undefined || e.message.trim() !== '') };
}

/**
 * Context of what no AWS service vouches for: a custom event's `account`/`region` are claims, like a
 * local file's path (`local`: attributed `unverified`, never `delivery`).
 */
function untrusted(parsed: unknown, streamRegion?: string): ParseContext {
  const ctx: ParseContext = { local: true };
  const e = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Record<string, unknown>;
  if (typeof e.account === 'string' && ACCOUNT.test(e.account)) ctx.account = e.account;
  const region = typeof e.region === 'string' && REGION.test(e.region) ? e.region : streamRegion;
  if (region) ctx.region = region;
  return ctx;
}

/**
 * Decodes one Firehose record's bytes (base64-decoded `data`, or an error record's `rawData`): a
 * CloudWatch Logs payload or a direct-PUT record. Throws `EnvelopeError` for bytes that are neither
 * (corrupt gzip, binary), that inflate past `maxBytes`, or that hold more than
 * `MAX_PAYLOAD_CONTAINERS` JSON objects and arrays (checked before parsing).
 * @example decodeFirehoseRecord(Buffer.from('{"detail-type":"GuardDuty Finding","source":"aws.guardduty","account":"111122223333","detail":{}}'), 'us-east-1').kind // 'direct'
 */
export function decodeFirehoseRecord(bytes: Buffer, streamRegion?: string, maxBytes: number = DEFAULT_LIMITS.maxDecompressedBytes): FirehoseRecordBatch {
  // Read as the CloudWatch path always did (lenient UTF-8); strict text is required only of plain text.
  const { plain, text } = inflateRecord(bytes, maxBytes, 'record');
  let parsed: unknown;
  const t = text.trimStart();
  if (t.startsWith('{') || t.startsWith('[')) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
  }
  if (isCloudWatchPayload(parsed)) return { kind: 'cloudwatch', batch: cloudWatchBatch(parsed, streamRegion) };
  if (parsed !== undefined) return { kind: 'direct', batch: directPutBatch(text, parsed, streamRegion) };
  if (textOf(plain) === undefined) throw new EnvelopeError('record is neither a CloudWatch Logs payload, JSON nor UTF-8 text');
  return { kind: 'direct', batch: directPutBatch(text, parsed, streamRegion) };
}
