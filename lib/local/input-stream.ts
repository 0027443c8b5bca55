/**
 * Streams one local input (a file or stdin) into pipeline batches with bounded memory, for
 * `tributary normalize` and `tributary ingest`: the same events, keys and order as `decodeInput`
 * (lib/core/inputs.ts) gives for the whole buffer, delivered in chunks of at most `chunkEvents`
 * events or `chunkBytes` bytes of text.
 *
 * - Gzip is recognised by its first two bytes and inflated as a stream (every member); lines end at
 *   LF, each at most `maxLineBytes` (`LineSplitter`, as S3 ingest reads objects): a longer line is one
 *   rejected event (a failure document with its first bytes) and reading goes on.
 * - The first bytes decide what the input is. A records envelope (`{"Records":[`, a CloudTrail file)
 *   is split record by record without parsing it (`JsonRecordScanner`). Anything else that starts
 *   with `{` or `[` may be one whole JSON document (a Firehose event, a CloudWatch Logs payload,
 *   `{"awslogs":...}`, a JSON log record or array): the first JSON value is held while it is read,
 *   at most `maxDecompressedBytes` (AWS's own limits keep those documents far smaller: a Firehose
 *   event is at most 6 MB); when nothing but whitespace follows it, it is decoded whole, as before.
 *   When more follows (NDJSON), it is larger than the bound, or it is no JSON, it is read as lines.
 * - A gzip stream that turns out corrupt or truncated after some lines: those lines are events as
 *   usual, and the rest of the input is one unusable record (`corrupt gzip: ...`) with the input's
 *   first bytes, as for a file that is corrupt from the start.
 *
 * Memory: one chunk of events, one line or record, or one whole document within its bound.
 */
import { Readable } from 'node:stream';
import { decodeJsonDocument, inputContext, type InputBatches } from '../core/inputs';
import { isRecordsEnvelope, JsonRecordScanner } from '../core/json-records';
import { type DecodeLimits, DEFAULT_CHUNK, LOCAL_LIMITS, type ReadItem, readItemEvent } from '../core/limits';
import { LineSplitter } from '../core/lines';
import { decompressedStream } from '../io/s3';
import type { ParseContext, RawEvent } from '../../parsers/types';

/**
 * Events per chunk: S3 ingest's (`DEFAULT_CHUNK`), so a file is cut where s3ingest cuts the same
 * object. Memory follows documents, not bytes: a chunk's documents are all alive until written
 * (about 2.5 KB of heap each), and V8 lets the heap grow to a few times its live set before
 * collecting. Measured with the bundled CLI on 100,000 VPC flow log lines: chunks of 36,000 events
 * (4 MiB) peaked at 420 MB RSS, 5,000 at 210-220 MB, 2,000 at 185-195 MB, 1,000 at 167 MB, at the
 * same CPU time (smaller chunks cost nothing measurable); 1 GB files stay under 256 MB (`cli
 * normalize` rows of bench/RESULTS.md). A chunk is not cut before an event that continues the
 * previous one (`continues`), up to twice the bounds; as in S3 ingest, a multi-line event that still
 * straddles a boundary becomes two documents. An input of at most one chunk is one `normalize` call.
 */
export const STREAM_CHUNK_EVENTS = DEFAULT_CHUNK.lines;

/** Text per chunk: with lines up to `maxLineBytes` long, a count of events alone would not bound memory. */
export const CHUNK_BYTES = DEFAULT_CHUNK.bytes;

/** Leading whitespace held before the input is taken for lines. */
const MAX_LEADING_SPACE = 64 * 1024;
/** Raw bytes kept for the failure document of a corrupt gzip stream (as `decodeInput` keeps). */
const RAW_HEAD_BYTES = 3072;

/** One part of an input: a decoded whole document (or an unusable input), or the next chunk of a stream. */
export type InputPart =
  | { type: 'decoded'; decoded: InputBatches }
  | { type: 'chunk'; kind: 'lines' | 'cloudtrail'; context: ParseContext; events: RawEvent[] };

export interface StreamOptions {
  limits?: DecodeLimits;
  chunkEvents?: number;
  chunkBytes?: number;
}

const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/** Where the first JSON value of a text ends (strings and escapes respected), fed chunk by chunk. */
class FirstValueEnd {
  private depth = 0;
  private inString = false;
  private escaped = false;

  /** The index in `b` just after the value's last byte, or -1 when it goes on. `b[from]` is inside the value. */
  push(b: Buffer, from: number): number {
    for (let i = from; i < b.length; i++) {
      const c = b[i];
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === 0x5c) this.escaped = true;
        else if (c === 0x22) this.inString = false;
      } else if (c === 0x22) this.inString = true;
      else if (c === 0x7b || c === 0x5b) this.depth++;
      else if ((c === 0x7d || c === 0x5d) && --this.depth === 0) return i + 1;
    }
    return -1;
  }
}

const AUDIT_STAMP = /audit\((\d+\.\d+:\d+)\)/;

/**
 * Whether `next` continues the event of `prev`, so a chunk is not cut between them: an indented line
 * (a stack trace's frames, a wrapped message), or an audit record of the same event (same
 * `audit(<time>:<serial>)` stamp; its records are reassembled within a batch). A cut there would
 * make two documents of one event, with the same id.
 */
function continues(prev: RawEvent, next: RawEvent): boolean {
  const c = next.message.charCodeAt(0);
  if (c === 0x20 || c === 0x09) return true;
  const a = AUDIT_STAMP.exec(next.message);
  return a !== null && AUDIT_STAMP.exec(prev.message)?.[1] === a[1];
}

const toBuffer = (c: unknown): Buffer => (Buffer.isBuffer(c) ? c : Buffer.from(c as Uint8Array));

/** A zlib error: the gzip stream is corrupt or truncated (content, not I/O). */
const isZlibError = (e: unknown) => typeof (e as NodeJS.ErrnoException)?.code === 'string' && (e as NodeJS.ErrnoException).code!.startsWith('Z_');

/**
 * The parts of one input, read from `body` (see the module comment). `name` identifies the input in
 * event keys (`name:<line>` from 1, `name:<record>` from 0, as `decodeInput`). I/O errors of `body`
 * are thrown; bad content never is.
 * @example for await (const part of readInputParts(createReadStream('vpc.log'), 'vpc.log')) if (part.type === 'chunk') use(part.events)
 */
export async function* readInputParts(body: Readable, name: string, overrides: ParseContext = {}, o: StreamOptions = {}): AsyncGenerator<InputPart> {
  const limits = o.limits ?? LOCAL_LIMITS;
  const chunkEvents = o.chunkEvents ?? STREAM_CHUNK_EVENTS;
  const chunkBytes = o.chunkBytes ?? CHUNK_BYTES;
  let rawHead = Buffer.alloc(0);
  async function* tap() {
    for await (const c of body) {
      const b = toBuffer(c);
      if (rawHead.length < RAW_HEAD_BYTES) rawHead = Buffer.concat([rawHead, b.subarray(0, RAW_HEAD_BYTES - rawHead.length)]);
      yield b;
    }
  }
  const context = inputContext(name, overrides);
  let events: RawEvent[] = [];
  let textBytes = 0;
  let position = 0;
  let kind: 'lines' | 'cloudtrail' = 'lines';
  let splitter: LineSplitter | JsonRecordScanner | undefined;
  const take = (): InputPart => {
    const part: InputPart = { type: 'chunk', kind, context, events };
    events = [];
    textBytes = 0;
    return part;
  };
  /** The events of read items, in chunks. */
  function* feed(items: Iterable<ReadItem>): Generator<InputPart> {
    for (const item of items) {
      // Keys as `decodeInput`: lines count from 1, records from 0.
      const event = readItemEvent(item, `${name}:${kind === 'lines' ? position + 1 : position}`);
      position++;
      // A full chunk is cut before this event, unless it continues the chunk's last one (up to twice the bounds).
      if ((events.length >= chunkEvents || textBytes >= chunkBytes) && (events.length >= 2 * chunkEvents || textBytes >= 2 * chunkBytes || !continues(events[events.length - 1], event)))
        yield take();
      events.push(event);
      textBytes += event.message.length;
    }
  }

  // Sniffing: the first bytes are held (and scanned once, as they arrive) until they say what the input is.
  const held: Buffer[] = [];
  let heldBytes = 0;
  let firstByte = -1; // the first byte that is not whitespace
  let recordsChecked = false;
  const value = new FirstValueEnd();
  let closed = false; // the first JSON value ended
  let trailing = false; // something other than whitespace follows it
  const observe = (b: Buffer) => {
    let i = 0;
    if (firstByte < 0) {
      while (i < b.length && isSpace(b[i])) i++;
      if (i === b.length) return;
      firstByte = b[i];
    }
    if (firstByte !== 0x7b && firstByte !== 0x5b) return;
    if (!closed) {
      const end = value.push(b, i);
      if (end < 0) return;
      closed = true;
      i = end;
    }
    if (!trailing) for (; i < b.length; i++) if (!isSpace(b[i])) return void (trailing = true);
  };
  const decide = (atEnd: boolean): 'lines' | 'records' | 'whole' | undefined => {
    if (firstByte < 0) return atEnd || heldBytes > MAX_LEADING_SPACE ? 'lines' : undefined;
    if (firstByte !== 0x7b && firstByte !== 0x5b) return 'lines';
    if (!recordsChecked) {
      // `isRecordsEnvelope` reads the first 256 bytes, as `decodeInput` does.
      if (heldBytes < 256 && !atEnd) return undefined;
      recordsChecked = true;
      if (isRecordsEnvelope(held.length === 1 ? held[0] : Buffer.concat(held))) return 'records';
    }
    if (trailing || heldBytes > limits.maxDecompressedBytes) return 'lines';
    if (atEnd) return closed ? 'whole' : 'lines';
    return undefined;
  };
  const start = function* (how: 'lines' | 'records'): Generator<InputPart> {
    kind = how === 'records' ? 'cloudtrail' : 'lines';
    splitter = how === 'records' ? new JsonRecordScanner(limits.maxLineBytes) : new LineSplitter(limits.maxLineBytes);
    for (const b of held.splice(0)) yield* feed(splitter.push(b));
    heldBytes = 0;
  };

  try {
    for await (const c of await decompressedStream(Readable.from(tap(), { objectMode: false }))) {
      const b = toBuffer(c);
      if (splitter) {
        yield* feed(splitter.push(b));
        continue;
      }
      held.push(b);
      heldBytes += b.length;
      observe(b);
      const how = decide(false);
      if (how === 'lines' || how === 'records') yield* start(how);
    }
  } catch (e) {
    if (!isZlibError(e)) throw e;
    if (events.length) yield take();
    const unusable = { key: name, original: rawHead.toString('base64'), message: `corrupt gzip: ${(e as Error).message}` };
    yield { type: 'decoded', decoded: { kind: 'lines', batches: [], dropped: 0, unusable: [unusable] } };
    return;
  }
  if (!splitter) {
    const how = decide(true);
    if (how === 'whole') {
      // One JSON document within the bound: decoded whole, exactly as `decodeInput` does.
      const parts = decodeJsonDocument(held.length === 1 ? held[0] : Buffer.concat(held), name, overrides, limits);
      if (parts) {
        held.length = 0;
        for (const decoded of parts) yield { type: 'decoded', decoded };
        return;
      }
    }
    yield* start(how === 'records' ? 'records' : 'lines');
  }
  yield* feed(splitter!.end());
  // An empty input is one empty batch, as `decodeInput` gives (the summary still names its source).
  if (events.length || position === 0) yield take();
}
