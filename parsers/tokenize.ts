/**
 * A fast tokenizer for space-separated access log lines with `"quoted fields"` (ELB access logs):
 * no regex, `indexOf` jumps between delimiters.
 */

/**
 * Splits a line into fields: runs of spaces separate fields; a field that starts with `"` runs to the
 * next `"` followed by a space or the end, and is returned without its quotes (it may contain
 * spaces: `"GET https://example.com/ HTTP/1.1"`, `"- - - "`). A quote in the middle of a field
 * (`"h2","http/1.1"`) keeps the field whole, quotes included. Returns `undefined` when a quoted
 * field is not closed.
 * @example tokenize('http 2018-07-02T22:23:00.186641Z "GET http://a/ HTTP/1.1" "-"') // ['http', '2018-07-02T22:23:00.186641Z', 'GET http://a/ HTTP/1.1', '-']
 */
export function tokenize(line: string): string[] | undefined {
  const out: string[] = [];
  const n = line.length;
  let i = 0;
  while (i < n) {
    while (i < n && line.charCodeAt(i) === 32) i++;
    if (i >= n) break;
    if (line.charCodeAt(i) === 34) {
      const j = line.indexOf('"', i + 1);
      if (j === -1) return undefined;
      if (j + 1 === n || line.charCodeAt(j + 1) === 32) {
        out.push(line.slice(i + 1, j));
        i = j + 1;
        continue;
      }
      // `"a","b"`: the closing quote does not end the field; keep the whole field, quotes included.
      const end = rawFieldEnd(line, i);
      if (end === -1) return undefined;
      out.push(line.slice(i, end));
      i = end;
    } else {
      let j = line.indexOf(' ', i);
      if (j === -1) j = n;
      out.push(line.slice(i, j));
      i = j;
    }
  }
  return out;
}

/** End (exclusive) of a field that mixes quoted and unquoted parts; -1 when a quote is left open. */
function rawFieldEnd(line: string, start: number): number {
  let inQuote = false;
  for (let k = start; k < line.length; k++) {
    const c = line.charCodeAt(k);
    if (c === 34) inQuote = !inQuote;
    else if (c === 32 && !inQuote) return k;
  }
  return inQuote ? -1 : line.length;
}

/**
 * A non-negative integer token (at most 15 digits, so exact as a number), or NaN: no `Number('')` = 0,
 * `'1e3'`, `' 7'` or `'0x10'` surprises. Shared by the text parsers that read counts and ports.
 * @example uint('443') // 443; uint('-') // NaN
 */
export function uint(s: string): number {
  const n = s.length;
  if (n === 0 || n > 15) return NaN;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return NaN;
  }
  return +s;
}

/**
 * `TLSv1.2` / `tlsv12` / `TLSv1` / `SSLv3` (as ELB, CloudFront and S3 log them) → ECS `tls.version` and
 * `tls.version_protocol`; undefined for anything else.
 * @example tlsVersion('TLSv1.2') // { protocol: 'tls', version: '1.2' }
 */
export function tlsVersion(s: string): { version: string; protocol: string } | undefined {
  const m = /^(tls|ssl)v?(\d)(?:\.?(\d))?$/i.exec(s);
  return m ? { protocol: m[1].toLowerCase(), version: `${m[2]}.${m[3] ?? '0'}` } : undefined;
}

/**
 * A percent-encoded URL part decoded (`%20` → space); a malformed escape keeps it as it is, so a bad
 * line never fails on its path.
 * @example decodeUrl('/a%20b') // '/a b'; decodeUrl('/100%') // '/100%'
 */
export function decodeUrl(s: string): string {
  if (!s.includes('%')) return s;
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
