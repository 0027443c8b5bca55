/**
 * Bounded helpers for parsed JSON values of untrusted input, shared by parsers and the envelope layer.
 *
 * `JSON.parse` in V8 is iterative and accepts any nesting depth, but `JSON.stringify` and every
 * recursive walk are not: a 10,000-deep object from one log line throws `RangeError: Maximum call
 * stack size exceeded`, and where that escapes, one line crashes a batch or the CLI. So values of
 * log content are serialized with `jsonText` (iterative, clipped, never throws), checked with
 * `deeperThan` before anything recursive touches them, and written with `setOwn`, because
 * `JSON.parse` makes `__proto__` an ordinary own key that a plain assignment would turn into a
 * prototype change, silently dropping the subtree.
 */

/**
 * Deepest nesting a parser serializes or walks in full. Far above real logs (CloudTrail records
 * nest about 10 levels; OpenSearch's own mapping depth limit is 20) and far below the depth at which
 * `JSON.stringify` exhausts the stack (about 5,000 levels on Node's default stack).
 */
export const MAX_JSON_DEPTH = 256;

/**
 * Own-property write that stays data even for a `__proto__` key.
 * @example setOwn({}, '__proto__', { a: 1 }) // { ['__proto__']: { a: 1 } }: an own key, not a prototype
 */
export function setOwn<T extends object>(o: T, k: string, v: unknown): T {
  if (k === '__proto__') Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  else (o as Record<string, unknown>)[k] = v;
  return o;
}

/**
 * Whether a value nests deeper than `max` levels (a scalar is depth 0, `{}` and `[]` depth 1).
 * Iterative, and stops at the first branch that is too deep.
 * @example deeperThan({ a: { b: [1] } }, 2) // true
 */
export function deeperThan(v: unknown, max: number): boolean {
  const stack: Array<[unknown, number]> = [[v, 0]];
  while (stack.length) {
    const [x, d] = stack.pop()!;
    if (typeof x !== 'object' || x === null) continue;
    if (d + 1 > max) return true;
    if (Array.isArray(x)) for (const y of x) stack.push([y, d + 1]);
    else for (const k of Object.keys(x)) stack.push([(x as Record<string, unknown>)[k], d + 1]);
  }
  return false;
}

type Frame = { arr: unknown[]; i: number } | { obj: Record<string, unknown>; keys: string[]; i: number; written: boolean };

/**
 * JSON text of a parsed JSON value, clipped to `maxChars` (then ending with `…`): iterative, so any
 * depth is fine, and it stops as soon as the budget is spent, so a huge subtree costs no more than
 * its first `maxChars`. Same text as `JSON.stringify` when it fits (undefined members are left
 * out, non-finite numbers are `null`). A clipped text is not valid JSON; it is a preview.
 * @example jsonText({ a: [1, 'x'] }, 100) // '{"a":[1,"x"]}'
 * @example jsonText({ a: { a: { a: 1 } } }, 8) // '{"a":{"a…'
 */
export function jsonText(v: unknown, maxChars: number): string {
  let out = '';
  const full = () => out.length >= maxChars;
  const scalar = (x: unknown): string | undefined => {
    if (typeof x === 'string') {
      if (x.length <= maxChars) return JSON.stringify(x);
      // Enough of it for the budget; a surrogate pair is never cut (a lone half would be escaped).
      const hi = x.charCodeAt(maxChars - 1);
      return JSON.stringify(x.slice(0, hi >= 0xd800 && hi <= 0xdbff ? maxChars + 1 : maxChars));
    }
    if (typeof x === 'number') return Number.isFinite(x) ? String(x) : 'null';
    if (typeof x === 'boolean') return x ? 'true' : 'false';
    if (x === null) return 'null';
    if (typeof x === 'bigint') return String(x);
    return undefined; // undefined, functions, symbols: JSON leaves them out
  };
  const stack: Frame[] = [];
  const open = (x: unknown): void => {
    if (typeof x === 'object' && x !== null) {
      if (Array.isArray(x)) {
        out += '[';
        stack.push({ arr: x, i: 0 });
      } else {
        out += '{';
        stack.push({ obj: x as Record<string, unknown>, keys: Object.keys(x), i: 0, written: false });
      }
    } else out += scalar(x) ?? 'null';
  };
  open(v);
  while (stack.length && !full()) {
    const f = stack[stack.length - 1];
    if ('arr' in f) {
      if (f.i >= f.arr.length) {
        out += ']';
        stack.pop();
        continue;
      }
      if (f.i > 0) out += ',';
      const x = f.arr[f.i++];
      if (typeof x === 'object' && x !== null) open(x);
      else out += scalar(x) ?? 'null';
    } else {
      let x: unknown;
      let k: string | undefined;
      while (f.i < f.keys.length) {
        const key = f.keys[f.i++];
        x = f.obj[key];
        if (scalar(x) !== undefined || (typeof x === 'object' && x !== null)) {
          k = key;
          break;
        }
      }
      if (k === undefined) {
        out += '}';
        stack.pop();
        continue;
      }
      if (f.written) out += ',';
      f.written = true;
      out += JSON.stringify(k) + ':';
      if (typeof x === 'object' && x !== null) open(x);
      else out += scalar(x);
    }
  }
  return out.length > maxChars || stack.length ? out.slice(0, maxChars) + '…' : out;
}

/**
 * Most objects and arrays (outside strings) one JSON record may hold. `JSON.parse` takes memory by
 * the number of containers, not by bytes: 1 MiB of `[[[[…` is a million arrays, 8 MiB takes 500 MB.
 * Real records hold a few thousand (a 256 KB CloudTrail record); 100,000 costs at most ~10 MB to parse.
 */
export const MAX_JSON_CONTAINERS = 100_000;

/**
 * Objects and arrays in JSON text, outside strings; counting stops past `stopAfter`. Strings are
 * skipped with `indexOf`, so the cost is mostly the bytes between strings (about 0.5 ms per MB).
 * Not a validator: malformed text is left to `JSON.parse`.
 * @example countJsonContainers('{"a":[1,{"b":"{["}]}', 100) // 3
 */
export function countJsonContainers(text: string, stopAfter: number): number {
  let n = 0;
  const len = text.length;
  let i = 0;
  while (i < len) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      let from = i + 1;
      for (;;) {
        const q = text.indexOf('"', from);
        if (q < 0) return n; // unterminated string: JSON.parse will say so
        let k = q - 1;
        while (k > i && text.charCodeAt(k) === 92 /* \ */) k--;
        if ((q - 1 - k) % 2 === 0) {
          i = q + 1;
          break;
        }
        from = q + 1; // an escaped quote
      }
      continue;
    }
    if ((c === 123 /* { */ || c === 91 /* [ */) && ++n > stopAfter) return n;
    i++;
  }
  return n;
}

/**
 * Whether JSON text holds more than `max` objects and arrays, too many to parse safely. A text of at
 * most `max` characters cannot (every container takes a character), so ordinary records are never scanned.
 * @example tooManyContainers('['.repeat(300_000)) // true
 */
export function tooManyContainers(text: string, max = MAX_JSON_CONTAINERS): boolean {
  return text.length > max && countJsonContainers(text, max) > max;
}
