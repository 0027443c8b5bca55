/**
 * Bounded splitting of JSON text into records WITHOUT parsing it (pure: the caller feeds chunks):
 *
 * - the elements of a `{"Records": [...]}` envelope (a CloudTrail log file) become one record each,
 *   as the exact bytes of the file, so each record is parsed alone by its parser: one record that is
 *   malformed, too large or nested 10,000 deep is ONE failure, and the others are documents; so do
 *   the elements of the other record arrays in `ENVELOPE_KEYS` (an AWS Config history or snapshot
 *   file's `configurationItems`, an Amazon Inspector JSON report's `findings`), wherever the key
 *   stands in the top-level object (Config writes `fileVersion` and `configSnapshotId` before it);
 * - any other top-level value (concatenated or NDJSON documents: Firehose's raw backups of
 *   CloudWatch Logs payloads, CloudTrail events one per line) is one record;
 * - a top-level line that is not JSON at all is one record, up to its line end (its parser fails it).
 *
 * Memory is one record of at most `maxRecordBytes`: a larger one is skipped to its end and delivered
 * as an `Unreadable` with its first bytes; a value the input ends inside is an `Unreadable` too.
 * The scan only tracks strings (with escapes) and brackets, so it costs about one `indexOf` per string.
 */
import { KEPT_HEAD_BYTES, type ReadItem, tooLong, type Unreadable } from './limits';
import { withHead } from './lines';

/**
 * Keys of a top-level object whose array holds one record per element: CloudTrail log files
 * (`Records`), AWS Config delivery-channel files (`configurationItems`), Amazon Inspector JSON
 * findings reports (`findings`).
 */
export const ENVELOPE_KEYS: ReadonlySet<string> = new Set(['Records', 'configurationItems', 'findings']);
/** Longest key the scanner remembers (the longest of `ENVELOPE_KEYS`, and some). */
const MAX_KEY_BYTES = 32;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const LF = 0x0a;

const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/** What is being captured: a container (`{…}`, `[…]`), a string, or a bare literal. */
const enum Kind {
  Container,
  String,
  Literal,
}

/** The bytes of one record, bounded: past the bound only its size is counted and its head kept. */
class Capture {
  parts: Buffer[] = [];
  bytes = 0;
  head: Buffer | undefined;
  constructor(
    readonly kind: Kind,
    private readonly max: number,
    private readonly setting: string,
  ) {}

  add(b: Buffer): void {
    this.bytes += b.length;
    if (this.head) {
      this.head = withHead(this.head, b);
      return;
    }
    this.parts.push(b);
    if (this.bytes > this.max) {
      // A copy: a view would keep the whole oversized record alive while the rest is skipped.
      this.head = Buffer.from(Buffer.concat(this.parts).subarray(0, KEPT_HEAD_BYTES));
      this.parts = [];
    }
  }

  item(): ReadItem {
    return this.head ? tooLong('record', this.bytes, this.max, this.head, this.setting) : Buffer.concat(this.parts).toString('utf8');
  }

  truncated(): Unreadable {
    return {
      head: (this.head ?? Buffer.concat(this.parts)).subarray(0, KEPT_HEAD_BYTES).toString('utf8'),
      bytes: this.bytes,
      reason: `the input ends inside this JSON record (${this.bytes} bytes read): truncated or not JSON`,
      type: 'truncated_record',
    };
  }
}

/**
 * Splits JSON text into records (see the module comment).
 * @example
 * const s = new JsonRecordScanner(1024 * 1024);
 * [...s.push(Buffer.from('{"Records":[{"a":1},\n{"b":[2]}]}')), ...s.end()] // ['{"a":1}', '{"b":[2]}']
 */
export class JsonRecordScanner {
  private depth = 0;
  private inString = false;
  /** A backslash ended the previous chunk inside a string: the next byte is escaped. */
  private escaped = false;
  /** The top-level value being captured (dropped once it turns out to be a `Records` envelope). */
  private top: Capture | undefined;
  /** Inside a top-level value (captured or an envelope). */
  private inTop = false;
  private topIsObject = false;
  /** Depth of the elements of the `Records` array, while inside it. */
  private recordsDepth = -1;
  private record: Capture | undefined;
  /** Where the active capture starts in the current chunk. */
  private from = 0;
  /** Key detection at depth 1 of a top-level object: the last string's bytes, and whether `:` followed it. */
  private key: Buffer[] | undefined;
  private keyBytes = 0;
  private lastString: string | undefined;
  private colon = false;

  /** `setting` names the bound in failure reasons (the variable that changes it). */
  constructor(
    private readonly maxRecordBytes: number,
    private readonly setting = 'MAX_LINE_BYTES',
  ) {}

  private get active(): Capture | undefined {
    return this.record ?? this.top;
  }

  /** The records the chunk completes. */
  *push(buf: Buffer): Generator<ReadItem> {
    const n = buf.length;
    let i = 0;
    this.from = 0;
    let backslashAt = -1; // cached position of the next backslash at or after i (n: none)
    if (this.escaped && n > 0) {
      this.escaped = false;
      i = 1;
    }
    while (i < n) {
      if (this.inString) {
        const q = buf.indexOf(QUOTE, i);
        if (backslashAt < i) {
          backslashAt = buf.indexOf(BACKSLASH, i);
          if (backslashAt < 0) backslashAt = n;
        }
        const end = q < 0 ? n : q;
        if (backslashAt < end) {
          // An escape: skip the escaped byte (possibly in the next chunk).
          if (this.key) this.keyPart(buf.subarray(i, backslashAt + 2));
          if (backslashAt + 1 >= n) this.escaped = true;
          i = backslashAt + 2;
          continue;
        }
        if (q < 0) {
          // The string goes on in the next chunk.
          if (this.key) this.keyPart(buf.subarray(i, n));
          break;
        }
        if (this.key) {
          this.keyPart(buf.subarray(i, q));
          this.lastString = this.keyBytes <= MAX_KEY_BYTES ? Buffer.concat(this.key).toString('latin1') : undefined;
          this.key = undefined;
        }
        this.inString = false;
        i = q + 1;
        const c = this.active;
        if (c?.kind === Kind.String) {
          const done = this.close(buf, i);
          if (done) yield done;
        }
        continue;
      }
      const c = buf[i];
      if (!this.inTop) {
        if (isSpace(c)) {
          i++;
          continue;
        }
        // A top-level value starts.
        this.inTop = true;
        this.topIsObject = c === 0x7b;
        this.top = new Capture(c === 0x7b || c === 0x5b ? Kind.Container : c === QUOTE ? Kind.String : Kind.Literal, this.maxRecordBytes, this.setting);
        this.from = i;
        if (this.top.kind === Kind.Container) this.depth = 1;
        else if (this.top.kind === Kind.String) this.inString = true;
        i++;
        continue;
      }
      if (this.top?.kind === Kind.Literal) {
        // Not JSON: the rest of the line is one record.
        const lf = buf.indexOf(LF, i);
        if (lf < 0) break; // the line goes on in the next chunk
        const done = this.close(buf, lf);
        if (done) yield done;
        i = lf + 1;
        continue;
      }
      if (this.record?.kind === Kind.Literal) {
        if (c === 0x2c || c === 0x5d || isSpace(c)) {
          const done = this.close(buf, i);
          if (done) yield done;
          continue; // the terminator is handled as any byte between records
        }
        i++;
        continue;
      }
      const atRecords = this.depth === this.recordsDepth && !this.record;
      if (c === QUOTE) {
        this.inString = true;
        if (atRecords) this.startRecord(Kind.String, i);
        else if (this.depth === 1 && this.topIsObject && this.top) {
          // A key (or value) of the top-level object: its bytes are collected by the string scan.
          this.key = [];
          this.keyBytes = 0;
          this.lastString = undefined;
        }
        this.colon = false;
        i++;
        continue;
      }
      if (c === 0x7b || c === 0x5b) {
        if (atRecords) this.startRecord(Kind.Container, i);
        else if (c === 0x5b && this.depth === 1 && this.colon && this.lastString !== undefined && ENVELOPE_KEYS.has(this.lastString) && this.top) {
          // The envelope of a CloudTrail file: its elements are the records, the envelope is not one.
          this.top = undefined;
          this.recordsDepth = 2;
        }
        this.colon = false;
        this.depth++;
        i++;
        continue;
      }
      if (c === 0x7d || c === 0x5d) {
        if (this.depth === this.recordsDepth && !this.record) this.recordsDepth = -1; // `]` of Records
        this.depth--;
        this.colon = false;
        i++;
        if (this.record && this.depth === this.recordsDepth) {
          const done = this.close(buf, i);
          if (done) yield done;
        } else if (this.depth === 0) {
          const done = this.close(buf, i);
          if (done) yield done;
        }
        continue;
      }
      if (this.depth === 1) this.colon = c === 0x3a ? this.lastString !== undefined : isSpace(c) ? this.colon : false;
      if (atRecords && !isSpace(c) && c !== 0x2c) this.startRecord(Kind.Literal, i);
      i++;
    }
    const a = this.active;
    if (a && this.from < n) a.add(buf.subarray(this.from, n));
  }

  /** A last line that is not JSON, or what the input ends inside of: a truncated record. */
  *end(): Generator<ReadItem> {
    const a = this.active;
    if (a) yield a.kind === Kind.Literal && a === this.top ? a.item() : a.truncated();
    this.reset();
  }

  private keyPart(b: Buffer): void {
    this.keyBytes += b.length;
    if (this.keyBytes <= MAX_KEY_BYTES) this.key!.push(b);
  }

  private startRecord(kind: Kind, at: number): void {
    this.record = new Capture(kind, this.maxRecordBytes, this.setting);
    this.from = at;
  }

  /** Ends the active capture at `end` (exclusive) and returns its record (none for an envelope). */
  private close(buf: Buffer, end: number): ReadItem | undefined {
    const c = this.active;
    if (!c) {
      // The end of an envelope.
      if (this.depth === 0) this.reset();
      return undefined;
    }
    c.add(buf.subarray(this.from, end));
    this.from = end;
    if (c === this.record) this.record = undefined;
    else this.reset();
    return c.item();
  }

  private reset(): void {
    this.top = undefined;
    this.record = undefined;
    this.inTop = false;
    this.topIsObject = false;
    this.recordsDepth = -1;
    this.depth = 0;
    this.inString = false;
    this.key = undefined;
    this.lastString = undefined;
    this.colon = false;
  }
}

/**
 * The records of JSON text held in memory, bounded like a stream (the CLI, small objects).
 * @example splitJsonRecords(Buffer.from('{"Records":[{"a":1},{"b":2}]}'), 1024) // ['{"a":1}', '{"b":2}']
 */
export function splitJsonRecords(bytes: Buffer, maxRecordBytes: number, setting?: string): ReadItem[] {
  const s = new JsonRecordScanner(maxRecordBytes, setting);
  return [...s.push(bytes), ...s.end()];
}

// A CloudTrail file starts with its `Records`; an AWS Config file writes `fileVersion` (and, for a
// snapshot, `configSnapshotId`) before its `configurationItems`; an Inspector report is `{"findings":[`.
const ENVELOPE =
  /^\s*\{\s*(?:"(?:fileVersion|configSnapshotId)"\s*:\s*"[^"\\]{0,100}"\s*,\s*){0,2}"(?:Records|configurationItems|findings)"\s*:\s*\[/;

/**
 * Whether bytes start like a records envelope (`ENVELOPE_KEYS`: a CloudTrail log file, an AWS Config
 * history or snapshot file, an Inspector JSON report; compact or pretty-printed): only then are they
 * split into records; anything else is read line by line, so one broken line of an NDJSON file stays
 * one failure.
 * @example isRecordsEnvelope(Buffer.from('{\n  "Records": [')) // true
 * @example isRecordsEnvelope(Buffer.from('{"fileVersion":"1.0","configSnapshotId":"6f9d…","configurationItems":[')) // true
 */
export function isRecordsEnvelope(head: Buffer): boolean {
  return ENVELOPE.test(head.subarray(0, 256).toString('latin1'));
}

