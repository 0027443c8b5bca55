/**
 * Bounded line splitting of a byte stream (pure: the caller feeds chunks). Memory is at most one line
 * of `maxLineBytes`: a longer line is not accumulated but skipped to its end, and delivered as an
 * `Unreadable` with its first bytes, so the reader turns it into a failure document and goes on.
 *
 * Lines end at LF; a CR before the LF is removed (CRLF files). A bare CR is part of the line, as in
 * `splitLines` (lib/core/envelopes.ts), so a file read whole and the same file streamed give the same
 * lines, positions and ids.
 */
import { KEPT_HEAD_BYTES, type ReadItem, tooLong } from './limits';

const EMPTY = Buffer.alloc(0);

/** The first `KEPT_HEAD_BYTES` of a skipped line or record, whatever the chunking: `head` plus what `b` adds. */
export function withHead(head: Buffer, b: Buffer): Buffer {
  return head.length >= KEPT_HEAD_BYTES || b.length === 0 ? head : Buffer.concat([head, b.subarray(0, KEPT_HEAD_BYTES - head.length)]);
}

/**
 * Splits chunks into lines of at most `maxLineBytes` bytes (without the line end).
 * @example
 * const s = new LineSplitter(4);
 * [...s.push(Buffer.from('ab\r\ntoo long\nc')), ...s.end()] // ['ab', { head: 'too long', bytes: 8, type: 'line_too_long', … }, 'c']
 */
export class LineSplitter {
  private parts: Buffer[] = [];
  private held = 0;
  /** Set while skipping the rest of an over-long line: its first bytes. */
  private head: Buffer | undefined;

  constructor(private readonly maxLineBytes: number) {}

  /** The lines the chunk completes. */
  *push(chunk: Buffer): Generator<ReadItem> {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(0x0a, start);
      if (nl < 0) {
        if (start < chunk.length) this.hold(chunk.subarray(start));
        return;
      }
      yield this.finish(chunk.subarray(start, nl));
      start = nl + 1;
    }
  }

  /** The last line, when the input does not end with a line end. */
  *end(): Generator<ReadItem> {
    if (this.held > 0) yield this.finish(EMPTY);
  }

  private hold(b: Buffer): void {
    this.held += b.length;
    if (this.head) {
      this.head = withHead(this.head, b);
      return;
    }
    this.parts.push(b);
    if (this.held > this.maxLineBytes) {
      // A copy: a view would keep the whole concatenated line alive while the rest is skipped.
      this.head = Buffer.from(Buffer.concat(this.parts).subarray(0, KEPT_HEAD_BYTES));
      this.parts = [];
    }
  }

  private finish(tail: Buffer): ReadItem {
    const bytes = this.held + tail.length;
    let item: ReadItem;
    if (this.head) item = tooLong('line', bytes, this.maxLineBytes, withHead(this.head, tail));
    else if (bytes > this.maxLineBytes) item = tooLong('line', bytes, this.maxLineBytes, Buffer.concat([...this.parts, tail]));
    else {
      const text = this.parts.length ? Buffer.concat([...this.parts, tail]).toString('utf8') : tail.toString('utf8');
      item = text.endsWith('\r') ? text.slice(0, -1) : text;
    }
    this.parts = [];
    this.held = 0;
    this.head = undefined;
    return item;
  }
}

/**
 * The lines of bytes held in memory, bounded like a stream (the CLI, small objects).
 * @example splitBoundedLines(Buffer.from('a\r\nb\n'), 1024) // ['a', 'b']
 */
export function splitBoundedLines(bytes: Buffer, maxLineBytes: number): ReadItem[] {
  const s = new LineSplitter(maxLineBytes);
  return [...s.push(bytes), ...s.end()];
}
