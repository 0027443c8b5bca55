/**
 * Multi-line event grouping. CloudWatch Logs usually delivers a stack trace as ONE event with
 * embedded newlines, but agents, `print()`-style writers and files split it into one event per line.
 * Within a batch (one stream, in order) continuation lines join the event that started them.
 * Checks are prefix tests on the first characters: no regex runs over a whole line.
 */

/** Most lines one group may hold, and most characters: a runaway trace cannot build a giant document. */
export const MAX_GROUP_LINES = 500;
export const MAX_GROUP_CHARS = 256 * 1024;

const EXCEPTION_HEADER = /^(?:[A-Za-z_$][\w$]*\.)*[\w$]*(?:Exception|Error|Throwable|Exit|Interrupt|Fault|Warning)(?::|$)/;

/**
 * Whether a line continues the previous event: an indented line, a stack frame, a `Caused by:`,
 * a Python `Traceback`/`File "..."`, a `... N more`, or a lone closing bracket of pretty-printed JSON.
 * @example isContinuationLine('    at Runtime.handler (/var/task/index.js:3:9)') // true
 */
export function isContinuationLine(line: string): boolean {
  const c = line.charCodeAt(0);
  if (c === 32 || c === 9) return line.trim().length > 0; // indented (frames, pretty JSON bodies)
  if (c === 97 /* a */) return line.startsWith('at ') && line.length > 3;
  if (c === 67 /* C */) return line.startsWith('Caused by:');
  if (c === 84 /* T */) return line.startsWith('Traceback (most recent call last)');
  if (c === 70 /* F */) return line.startsWith('File "');
  if (c === 83 /* S */) return line.startsWith('Suppressed:');
  if (c === 46 /* . */) return line.startsWith('...');
  // Lone brackets of pretty-printed JSON (`{` after `EVENT`, `}`, `},`, `]`).
  if (c === 125 /* } */ || c === 93 /* ] */ || c === 123 /* { */ || c === 91 /* [ */) {
    const t = line.trimEnd();
    return t.length === 1 || (t.length === 2 && t[1] === ',');
  }
  return false;
}

/** A Java/JS/Python exception header such as `java.lang.IllegalStateException: boom` or `KeyError: 'x'`. */
export function isExceptionHeader(line: string): boolean {
  if (line.length > 2000) return false;
  return EXCEPTION_HEADER.test(line);
}

/** A stack frame line (`    at x (file:1:2)`, `\tat com.x.Y(Y.java:1)`, `  File "x.py", line 3`). */
export function isFrameLine(line: string): boolean {
  const t = line.trimStart();
  return t.startsWith('at ') || t.startsWith('File "') || t.startsWith('... ');
}

export interface GroupOptions {
  /** Extra continuation rule of the caller (e.g. Lambda `XRAY TraceId:` after a REPORT). */
  extra?: (line: string, previousFirstLine: string) => boolean;
}

/**
 * Groups the indices of `lines` into events: each group starts with a non-continuation line;
 * continuation lines (and an exception header followed by a frame, and the final `XxxError: msg`
 * line of a Python traceback) join the group before them. Blank lines end a group and stay alone.
 * @example groupLines(['Error: boom', '    at f (a.js:1:1)', 'next']) // [[0, 1], [2]]
 */
export function groupLines(lines: readonly string[], options: GroupOptions = {}): number[][] {
  const groups: number[][] = [];
  let current: number[] | null = null;
  let chars = 0;
  let inTraceback = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (!line.trim()) {
      groups.push([i]);
      current = null;
      continue;
    }
    let joins = false;
    if (current && current.length < MAX_GROUP_LINES && chars + line.length <= MAX_GROUP_CHARS) {
      if (isContinuationLine(line)) joins = true;
      else if (options.extra?.(line, lines[current[0]])) joins = true;
      else if (isExceptionHeader(line)) {
        const next = lines[i + 1];
        // A Python traceback ends with an unindented `KeyError: 'x'`; a Java trace starts with its
        // exception line and then frames.
        joins = inTraceback || (next !== undefined && isContinuationLine(next) && isFrameLine(next));
      }
    }
    if (joins && current) {
      current.push(i);
      chars += line.length;
      if (line.startsWith('Traceback (')) inTraceback = true;
      else if (inTraceback && isExceptionHeader(line)) inTraceback = false;
    } else {
      current = [i];
      chars = line.length;
      inTraceback = line.startsWith('Traceback (') || line.includes('\nTraceback (');
      groups.push(current);
    }
  }
  return groups;
}

/** Splits a stack trace text into `{ type, message }` from its exception line (Java/JS first line, Python last). */
export function exceptionOf(trace: string): { type?: string; message?: string } {
  const lines = trace.split('\n');
  const python = lines.some((l) => l.startsWith('Traceback ('));
  const ordered = python ? [...lines].reverse() : lines;
  for (const raw of ordered) {
    const l = raw.trim().replace(/^Caused by:\s*/, '');
    if (!l || l.startsWith('at ') || l.startsWith('File "') || l.startsWith('Traceback (')) continue;
    if (!isExceptionHeader(l)) continue;
    const colon = l.indexOf(':');
    if (colon < 0) return { type: l };
    const message = l.slice(colon + 1).trim();
    return message ? { type: l.slice(0, colon), message } : { type: l.slice(0, colon) };
  }
  return {};
}

/** Whether a multi-line text carries a stack trace (frames or a Python traceback). */
export function hasStackTrace(text: string): boolean {
  return text.includes('\n    at ') || text.includes('\n\tat ') || text.includes('\nat ') || text.includes('Traceback (most recent call last)') || text.includes('\n  File "');
}
