/**
 * Amazon CloudFront access log parser: standard logs (W3C extended: `#Version` and `#Fields` header
 * lines, then one TAB-separated line per request; legacy logging and standard logging v2) and
 * real-time logs (TAB-separated values of a configured field list, delivered through Kinesis).
 *
 * The columns come from, in order: a `#Fields:` header line in the same batch (dropped as `header`,
 * it governs the lines after it; S3 ingest carries it to the later chunks of the object as
 * `options.cloudfrontFields`), the configured field list `ctx.options.cloudfrontFields` (a real-time
 * log configuration's fields, in the order CloudFront emits them; CLI `--cloudfront-fields`), or, for
 * a line that starts with a date and a time and has at least 24 values, the documented legacy field order. A real-time line
 * without a configured list fails naming that setting. Both the legacy names (`cs(Host)`,
 * `cs(User-Agent)`) and the real-time ones (`cs-host`, `cs-user-agent`) are understood; fields this
 * parser does not know are kept by name under `aws.cloudfront.extra`, values beyond the field list by
 * position (`_<n>`), so a field AWS adds later never fails a line; fields a short line does not reach
 * are absent, like `-`.
 *
 * Encoding: CloudFront percent-encodes spaces, control and non-ASCII bytes and `%` itself in the
 * values it logs, so what a client sent already encoded arrives encoded twice (`%2520`). CloudFront's
 * layer is undone once: `url.original`, `user_agent.original`, `http.request.referrer` are what the
 * client sent; `url.path` is that path decoded as a URL path.
 *
 * No account: a standard log file's key (`[prefix/]<distribution-id>.YYYY-MM-DD-HH.<unique>.gz`)
 * names the distribution, not its owner, and lines name no account: documents are attributed by the
 * delivery (an `AWSLogs/<account>/` key of standard logging v2) or are `unverified` (README,
 * "Which account an event belongs to").
 *
 * Docs: https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/standard-logs-reference.html,
 * https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/real-time-logs.html
 */
import { isIP } from 'node:net';
import { badTimeMessage, isoFromMillis, isoFromString } from './time';
import { DATASETS, ParseError, type Fields, type Outcome, type ParseContext, type Parser, type ParserMeta, type RawEvent } from './types';
import { decodeUrl, tlsVersion, uint } from './tokenize';

type Doc = Fields & { event: NonNullable<Fields['event']> };
type Cf = NonNullable<NonNullable<Fields['aws']>['cloudfront']>;

/** The 33 fields of a legacy standard log line, in the documented order (standard-logs-reference.html). */
export const LEGACY_FIELDS: readonly string[] = [
  'date', 'time', 'x-edge-location', 'sc-bytes', 'c-ip', 'cs-method', 'cs(Host)', 'cs-uri-stem', 'sc-status', 'cs(Referer)',
  'cs(User-Agent)', 'cs-uri-query', 'cs(Cookie)', 'x-edge-result-type', 'x-edge-request-id', 'x-host-header', 'cs-protocol',
  'cs-bytes', 'time-taken', 'x-forwarded-for', 'ssl-protocol', 'ssl-cipher', 'x-edge-response-result-type', 'cs-protocol-version',
  'fle-status', 'fle-encrypted-fields', 'c-port', 'time-to-first-byte', 'x-edge-detailed-result-type', 'sc-content-type',
  'sc-content-len', 'sc-range-start', 'sc-range-end',
];

/** How to give the fields of real-time lines: the settings that carry `cloudfrontFields`. */
const FIELDS_HINT =
  "set the real-time log configuration's fields as cloudfrontFields (SOURCE_OPTIONS or a source mapping's cloudfrontFields; --cloudfront-fields on the CLI)";

/** Legacy and real-time names of the same field → one name. */
const ALIASES: Record<string, string> = {
  'cs(host)': 'cs-host',
  'cs(user-agent)': 'cs-user-agent',
  'cs(referer)': 'cs-referer',
  'cs(cookie)': 'cs-cookie',
  distributionid: 'distribution-id',
};

/** The fields this parser reads; any other is kept by name under `aws.cloudfront.extra`. */
const KNOWN = new Set([
  'date', 'time', 'timestamp', 'timestamp(ms)', 'x-edge-location', 'sc-bytes', 'c-ip', 'cs-method', 'cs-host', 'cs-uri-stem', 'sc-status',
  'cs-referer', 'cs-user-agent', 'cs-uri-query', 'cs-cookie', 'x-edge-result-type', 'x-edge-request-id', 'x-host-header', 'cs-protocol',
  'cs-bytes', 'time-taken', 'x-forwarded-for', 'ssl-protocol', 'ssl-cipher', 'x-edge-response-result-type', 'cs-protocol-version',
  'fle-status', 'fle-encrypted-fields', 'c-port', 'time-to-first-byte', 'x-edge-detailed-result-type', 'sc-content-type', 'sc-content-len',
  'sc-range-start', 'sc-range-end', 'c-ip-version', 'c-country', 'cs-accept-encoding', 'cs-accept', 'cache-behavior-path-pattern',
  'cs-headers', 'cs-header-names', 'cs-headers-count', 'origin-fbl', 'origin-lbl', 'asn', 'distribution-id',
]);

/** A field list compiled once: canonical names by column, and where each name is. */
interface FieldList {
  readonly names: readonly string[];
  readonly text: string;
  /**
   * Column of each name, when no name is listed twice (every list AWS documents); undefined
   * otherwise, and lines are then read through a map of their values (`LineValues`).
   */
  readonly column: ReadonlyMap<string, number> | undefined;
  /** The columns of names not in `KNOWN`, in list order (with `column` only). */
  readonly unknown: ReadonlyArray<readonly [string, number]>;
}

const compiled = new Map<string, FieldList>();

/**
 * Compiles a field list (`#Fields:` header text or a configured list, separated by spaces, commas or
 * tabs) into canonical names by column; cached, as every batch of a stream shares one list.
 * @example compileFields('timestamp c-ip sc-status').names // ['timestamp', 'c-ip', 'sc-status']
 */
export function compileFields(text: string): FieldList {
  let f = compiled.get(text);
  if (!f) {
    const names = text
      .split(/[\s,]+/)
      .filter((n) => n !== '')
      .map((n) => {
        const low = n.toLowerCase();
        return ALIASES[low] ?? low;
      });
    const column = new Map<string, number>();
    names.forEach((n, i) => column.set(n, i));
    const unique = column.size === names.length;
    f = { names, text, column: unique ? column : undefined, unknown: unique ? names.flatMap((n, i) => (KNOWN.has(n) ? [] : [[n, i] as const])) : [] };
    if (compiled.size > 100) compiled.clear();
    compiled.set(text, f);
  }
  return f;
}

const LEGACY = compileFields(LEGACY_FIELDS.join(' '));

/**
 * The field list of a `#Fields:` header line, or undefined when the line is none.
 * @example headerFields('#Fields: date time x-edge-location') // 'date time x-edge-location'
 */
export function headerFields(line: string): string | undefined {
  if (!line.startsWith('#Fields:')) return undefined;
  const f = line.slice(8).trim();
  return f === '' ? undefined : f;
}

/**
 * The `#Fields` header line the first lines of an object hold (a standard log file starts
 * `#Version: 1.0`, `#Fields: ...`), so that later chunks of the same object can be given it as
 * `options.cloudfrontFields`: kept as the header line, so the parser knows these are a standard log
 * file's fields, not a real-time configuration's.
 * @example cloudfrontHeaderFields([{ message: '#Version: 1.0', key: 'a' }, { message: '#Fields: date time', key: 'b' }]) // '#Fields: date time'
 */
export function cloudfrontHeaderFields(events: readonly RawEvent[]): string | undefined {
  for (let i = 0; i < events.length && i < 8; i++) {
    const m = events[i].message;
    if (!m.startsWith('#')) return undefined;
    const f = headerFields(m);
    if (f !== undefined) return `#Fields: ${f}`;
  }
  return undefined;
}

const absent = (s: string | undefined): s is undefined => s === undefined || s === '-' || s === '';


const DECIMAL = /^\d{1,12}(\.\d{1,9})?$/;

function hexVal(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 65 && c <= 70) return c - 55;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}

/**
 * Undoes one layer of percent-encoding, byte-wise: `%XX` sequences become bytes, the result is read
 * as UTF-8 (invalid sequences become U+FFFD instead of failing, unlike `decodeURIComponent`), and a
 * `%` not followed by two hex digits stays as it is.
 * @example unescapeOnce('/img/a%2520b.png') // '/img/a%20b.png'
 */
export function unescapeOnce(s: string): string {
  let i = s.indexOf('%');
  if (i < 0) return s;
  // ASCII text whose escapes are ASCII bytes (user agents, paths, queries: nearly every value) is
  // decoded by slices; anything else goes byte by byte (`unescapeBytes`), to the same result.
  if (NON_ASCII.test(s)) return unescapeBytes(s);
  let out = '';
  let last = 0;
  while (i >= 0) {
    if (i + 2 < s.length) {
      const h = hexVal(s.charCodeAt(i + 1));
      const l = hexVal(s.charCodeAt(i + 2));
      if (h >= 0 && l >= 0) {
        const b = h * 16 + l;
        if (b >= 0x80) return unescapeBytes(s);
        out += s.slice(last, i) + String.fromCharCode(b);
        last = i + 3;
        i = s.indexOf('%', last);
        continue;
      }
    }
    i = s.indexOf('%', i + 1);
  }
  return out + s.slice(last);
}

const NON_ASCII = /[^\x00-\x7f]/;

/**
 * `unescapeOnce` byte by byte: the escapes become bytes, the text its UTF-8 bytes, and the whole is
 * read as UTF-8 (invalid sequences become U+FFFD).
 * @example unescapeBytes('caf%C3%A9') // 'café'
 */
export function unescapeBytes(s: string): string {
  const bytes: number[] = [];
  let ascii = true;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 37 && i + 2 < s.length) {
      const h = hexVal(s.charCodeAt(i + 1));
      const l = hexVal(s.charCodeAt(i + 2));
      if (h >= 0 && l >= 0) {
        const b = h * 16 + l;
        if (b >= 0x80) ascii = false;
        bytes.push(b);
        i += 2;
        continue;
      }
    }
    if (c >= 0x80) {
      // Already decoded text (not what CloudFront writes, but never lose it): its UTF-8 bytes.
      const cp = s.codePointAt(i) as number;
      if (cp > 0xffff) i++;
      for (const b of Buffer.from(String.fromCodePoint(cp), 'utf8')) bytes.push(b);
      ascii = false;
    } else bytes.push(c);
  }
  return Buffer.from(bytes).toString(ascii ? 'latin1' : 'utf8');
}

/** The viewer's end: `c-ip` as `ip` when it is one, else (a host name) as `address`; and `c-port`. */
function endpoint(ip: string | undefined, address: string | undefined, port: number | undefined): { ip?: string; address?: string; port?: number } {
  const o: { ip?: string; address?: string; port?: number } = {};
  if (ip !== undefined) o.ip = ip;
  else if (address !== undefined) o.address = address;
  if (port !== undefined) o.port = port;
  return o;
}


const dayCache = new Map<string, string | undefined>();

/** `date` + `time` (UTC, `YYYY-MM-DD`, `HH:MM:SS`) → ISO with milliseconds; the day is checked once. */
function dateTime(date: string, time: string): string | undefined {
  if (!/^\d{2}:\d{2}:\d{2}$/.test(time) || time > '23:59:59' || time.slice(3, 5) > '59' || time.slice(6) > '59') return undefined;
  let day = dayCache.get(date);
  if (day === undefined && !dayCache.has(date)) {
    day = /^\d{4}-\d{2}-\d{2}$/.test(date) ? isoFromString(`${date}T00:00:00Z`)?.slice(0, 10) : undefined;
    if (dayCache.size > 1000) dayCache.clear();
    dayCache.set(date, day);
  }
  return day === undefined ? undefined : `${day}T${time}.000Z`;
}

/** Real-time `timestamp`: epoch seconds with a millisecond fraction (`1718003702.123`). */
function epochSeconds(s: string): string | undefined {
  if (!DECIMAL.test(s)) return undefined;
  return isoFromMillis(Math.round(parseFloat(s) * 1000));
}

/** `x-forwarded-for`: `203.0.113.7, 10.0.0.1` (encoded: `203.0.113.7,%2010.0.0.1`) → the IPs. */
function forwardedIps(s: string): string[] {
  const out: string[] = [];
  for (const part of unescapeOnce(s).split(',')) {
    const ip = part.trim();
    if (isIP(ip) !== 0 && !out.includes(ip)) out.push(ip);
  }
  return out;
}

/** Distribution id of a standard log file key: `[prefix/]EMLARXS9EXAMPLE.2019-11-14-20.RT4KCN4S.gz`. */
const FILE_NAME = /(?:^|\/)([A-Z0-9]{6,32})\.\d{4}-\d{2}-\d{2}-\d{2}\.[A-Za-z0-9]+(?:\.gz)?$/;

function distributionFromKey(ctx: ParseContext): string | undefined {
  const key = ctx.s3?.key;
  return key === undefined ? undefined : FILE_NAME.exec(key)?.[1];
}

function number(name: string, s: string, integer: boolean): number | ParseError {
  const n = integer ? uint(s) : DECIMAL.test(s) ? parseFloat(s) : NaN;
  return Number.isNaN(n) ? new ParseError(`${name} is not a number: ${JSON.stringify(s.slice(0, 64))}`) : n;
}

/**
 * The values of one line by canonical field name (absent values read as undefined). A per-line map
 * of 33 values was a tenth of the transformer's time on CloudFront logs: the compiled list's
 * columns are read in place instead, but for a list naming a field twice (never seen: then the last
 * value present wins, as before, through the map).
 */
class LineValues {
  private readonly map: Map<string, string> | undefined;
  constructor(
    readonly values: readonly string[],
    private readonly list: FieldList,
  ) {
    if (!list.column) {
      this.map = new Map();
      for (let i = 0; i < values.length && i < list.names.length; i++) if (!absent(values[i])) this.map.set(list.names[i], values[i]);
    }
  }
  get(name: string): string | undefined {
    if (this.map) return this.map.get(name);
    const i = this.list.column!.get(name);
    if (i === undefined) return undefined;
    const s = this.values[i];
    return absent(s) ? undefined : s;
  }
  /** The fields this parser does not read, in list order, into `extra`. */
  unknown(extra: () => Record<string, string>): void {
    if (this.map) {
      for (const [name, value] of this.map) if (!KNOWN.has(name)) extra()[name] = value;
      return;
    }
    for (const [name, i] of this.list.unknown) {
      const s = this.values[i];
      if (!absent(s)) extra()[name] = s;
    }
  }
}

/** Numeric fields: name → [field under aws.cloudfront, integer]. */
const NUMBERS: ReadonlyArray<readonly [string, keyof Cf, boolean]> = [
  ['time-taken', 'time_taken', false],
  ['time-to-first-byte', 'time_to_first_byte', false],
  ['fle-encrypted-fields', 'fle_encrypted_fields', true],
  ['sc-range-start', 'range_start', true],
  ['sc-range-end', 'range_end', true],
  ['sc-content-len', 'content_length', true],
  ['cs-headers-count', 'headers_count', true],
  ['origin-fbl', 'origin_fbl', false],
  ['origin-lbl', 'origin_lbl', false],
  ['asn', 'asn', true],
];

/** Plain keyword fields: name → field under aws.cloudfront (decoded when `decode`). */
const KEYWORDS: ReadonlyArray<readonly [string, keyof Cf, boolean]> = [
  ['x-edge-location', 'edge_location', false],
  ['cs-host', 'domain', false],
  ['x-edge-request-id', 'edge_request_id', false],
  ['x-edge-result-type', 'edge_result_type', false],
  ['x-edge-response-result-type', 'edge_response_result_type', false],
  ['x-edge-detailed-result-type', 'edge_detailed_result_type', false],
  ['fle-status', 'fle_status', false],
  ['cs-cookie', 'cookie', true],
  ['c-ip-version', 'c_ip_version', false],
  ['cache-behavior-path-pattern', 'cache_behavior_path_pattern', true],
  ['cs-accept-encoding', 'accept_encoding', true],
  ['cs-accept', 'accept', true],
  ['cs-header-names', 'header_names', true],
  ['cs-headers', 'headers', true],
];

/**
 * One data line, given its field list.
 * @example parseCloudFrontLine('1718003702.123\t198.51.100.7\t200\tGET\t/index.html\tFRA56-C1', compileFields('timestamp c-ip sc-status cs-method cs-uri-stem x-edge-location'), 'realtime', undefined)
 */
export function parseCloudFrontLine(line: string, list: FieldList, logType: 'standard' | 'realtime', distribution: string | undefined): Fields | ParseError {
  // A line may stop short of its field list (seen in the wild: the last range field missing); the fields it
  // does not reach are absent, as `-` would make them. Its time must still be there.
  const values = line.split('\t');
  const cf: Cf = { log_type: logType };
  const extra = () => (cf.extra ??= {}) as Record<string, string>;
  // Values past the field list, by position.
  for (let i = list.names.length; i < values.length; i++) if (!absent(values[i])) extra()[`_${i}`] = values[i];
  const v = new LineValues(values, list);
  let time: string | undefined;
  const date = v.get('date');
  const tod = v.get('time');
  const ts = v.get('timestamp');
  const tsMs = v.get('timestamp(ms)');
  // The most precise time the list has: v2 `timestamp(ms)`, real-time `timestamp` (ms fraction), then date + time (seconds).
  if (tsMs !== undefined) {
    const ms = uint(tsMs);
    time = Number.isNaN(ms) ? undefined : isoFromMillis(ms);
    if (!time) return new ParseError(badTimeMessage('CloudFront timestamp(ms)', tsMs));
  } else if (ts !== undefined) {
    time = epochSeconds(ts);
    if (!time) return new ParseError(badTimeMessage('CloudFront timestamp', ts));
  } else if (date !== undefined || tod !== undefined) {
    time = date !== undefined && tod !== undefined ? dateTime(date, tod) : undefined;
    if (!time) return new ParseError(badTimeMessage('CloudFront date and time', `${date ?? '-'} ${tod ?? '-'}`));
  } else return new ParseError('CloudFront log line has no time: its field list has no date/time or timestamp field', 'missing_time');
  const doc: Doc = { '@timestamp': time, event: { category: ['web'], type: ['access'] } };

  for (const [name, field, integer] of NUMBERS) {
    const s = v.get(name);
    if (s === undefined) continue;
    const n = number(name, s, integer);
    if (n instanceof ParseError) return n;
    (cf as Record<string, unknown>)[field] = n;
  }
  const http: NonNullable<Fields['http']> = {};
  const request: NonNullable<NonNullable<Fields['http']>['request']> = {};
  const response: NonNullable<NonNullable<Fields['http']>['response']> = {};
  const scBytes = v.get('sc-bytes');
  if (scBytes !== undefined) {
    const n = number('sc-bytes', scBytes, true);
    if (n instanceof ParseError) return n;
    response.bytes = n;
  }
  const csBytes = v.get('cs-bytes');
  if (csBytes !== undefined) {
    const n = number('cs-bytes', csBytes, true);
    if (n instanceof ParseError) return n;
    request.bytes = n;
  }
  const status = v.get('sc-status');
  let code: number | undefined;
  if (status !== undefined) {
    const n = number('sc-status', status, true);
    if (n instanceof ParseError) return n;
    code = n;
    // `000`: the viewer closed the connection before CloudFront could respond. No status was sent.
    if (n > 0) response.status_code = n;
  }
  for (const [name, field, decode] of KEYWORDS) {
    const s = v.get(name);
    if (s !== undefined) (cf as Record<string, unknown>)[field] = decode ? unescapeOnce(s) : s;
  }
  const dist = v.get('distribution-id') ?? distribution;
  if (dist !== undefined) cf.distribution_id = dist;

  const method = v.get('cs-method');
  if (method !== undefined) request.method = method;
  if (cf.edge_request_id !== undefined) request.id = cf.edge_request_id;
  const referrer = v.get('cs-referer');
  if (referrer !== undefined) request.referrer = unescapeOnce(referrer);
  const version = v.get('cs-protocol-version');
  if (version !== undefined) http.version = version.startsWith('HTTP/') ? version.slice(5) : version;
  const mime = v.get('sc-content-type');
  if (mime !== undefined) response.mime_type = unescapeOnce(mime);
  if (Object.keys(request).length) http.request = request;
  if (Object.keys(response).length) http.response = response;
  if (Object.keys(http).length) doc.http = http;

  const ua = v.get('cs-user-agent');
  if (ua !== undefined) doc.user_agent = { original: unescapeOnce(ua) };

  // The URL as the viewer asked for it: CloudFront's encoding undone once.
  const stem = v.get('cs-uri-stem');
  const query = v.get('cs-uri-query');
  const host = v.get('x-host-header');
  const scheme = v.get('cs-protocol');
  if (scheme !== undefined) cf.protocol = scheme;
  if (stem !== undefined || query !== undefined) {
    const path = stem === undefined ? undefined : unescapeOnce(stem);
    const q = query === undefined ? undefined : unescapeOnce(query);
    const original = (path ?? '') + (q !== undefined ? `?${q}` : '');
    const url: NonNullable<Fields['url']> = { original };
    if (path !== undefined) {
      url.path = decodeUrl(path);
      const dot = url.path.lastIndexOf('.');
      if (dot > url.path.lastIndexOf('/') + 1 && url.path.length - dot <= 10) url.extension = url.path.slice(dot + 1).toLowerCase();
    }
    if (q !== undefined) url.query = q;
    if (scheme !== undefined) url.scheme = scheme;
    if (host !== undefined) url.domain = host;
    if (scheme !== undefined && host !== undefined) url.full = `${scheme}://${host}${original}`;
    doc.url = url;
  }
  if (host !== undefined) doc.destination = { domain: host };

  const related: string[] = [];
  const cip = v.get('c-ip');
  const cport = v.get('c-port');
  let port: number | undefined;
  if (cport !== undefined) {
    port = uint(cport);
    if (Number.isNaN(port) || port > 65535) return new ParseError(`c-port is not a port: ${JSON.stringify(cport.slice(0, 64))}`);
  }
  if (cip !== undefined || port !== undefined) {
    // Each made whole, not spread from one object and then extended (a tenth of this function's time).
    const ip = cip !== undefined && isIP(cip) !== 0 && !cip.includes('%') ? cip : undefined;
    doc.source = endpoint(ip, ip === undefined ? cip : undefined, port);
    doc.client = endpoint(ip, ip === undefined ? cip : undefined, port);
    if (ip) related.push(ip);
  }
  const country = v.get('c-country');
  if (country !== undefined && /^[A-Z]{2}$/.test(country)) (doc.source ??= {}).geo = { country_iso_code: country };
  const xff = v.get('x-forwarded-for');
  if (xff !== undefined) {
    const ips = forwardedIps(xff);
    if (ips.length) {
      doc.network = { forwarded_ip: ips[0] };
      for (const ip of ips) if (!related.includes(ip)) related.push(ip);
    }
  }
  if (related.length) doc.related = { ip: related };
  (doc.network ??= {}).protocol = scheme === 'ws' || scheme === 'wss' ? 'websocket' : 'http';
  doc.network.transport = 'tcp';

  const tls: NonNullable<Fields['tls']> = {};
  const proto = v.get('ssl-protocol');
  const tv = proto === undefined ? undefined : tlsVersion(proto);
  if (tv) {
    tls.version = tv.version;
    tls.version_protocol = tv.protocol;
  }
  const cipher = v.get('ssl-cipher');
  if (cipher !== undefined) tls.cipher = cipher;
  if (Object.keys(tls).length) doc.tls = tls;

  if (cf.time_taken !== undefined) doc.event.duration = Math.round(cf.time_taken * 1e9);
  doc.event.outcome = code === undefined ? 'unknown' : code === 0 || code >= 400 || cf.edge_result_type === 'Error' ? 'failure' : 'success';
  if (cf.edge_result_type === 'Error' && cf.edge_detailed_result_type !== undefined) doc.event.reason = cf.edge_detailed_result_type;

  v.unknown(extra);
  doc.aws = { cloudfront: cf };
  return doc;
}


const DATE_LINE = /^\d{4}-\d{2}-\d{2}\t\d{2}:\d{2}:\d{2}\t/;
const LEGACY_MIN_FIELDS = 24;

function tabs(line: string): number {
  let n = 0;
  for (let i = line.indexOf('\t'); i !== -1 && n < LEGACY_MIN_FIELDS; i = line.indexOf('\t', i + 1)) n++;
  return n;
}

/**
 * Parses one batch (an S3 object, a Kinesis/Firehose delivery) in order: header lines set the field
 * list for the lines after them and are dropped as `header`.
 * @example cloudfrontParser.parse([{ message: '#Fields: date time c-ip', key: 'a' }, { message: '2024-06-10\t08:15:02\t198.51.100.7', key: 'b' }], {})
 */
export const cloudfrontParser: Parser = {
  source: 'cloudfront',
  parse(events: readonly RawEvent[], ctx: ParseContext): Outcome[] {
    // A configured list is a real-time configuration's, unless it is a carried `#Fields` header line.
    const text = ctx.options?.cloudfrontFields?.trim();
    const carried = text === undefined ? undefined : headerFields(text);
    const configured = carried !== undefined ? compileFields(carried) : text ? compileFields(text) : undefined;
    const distribution = distributionFromKey(ctx);
    let header: FieldList | undefined;
    const out: Outcome[] = new Array(events.length);
    for (let index = 0; index < events.length; index++) {
      // A Kinesis record may end with a newline; the values never do.
      const raw = events[index].message;
      const line = raw.endsWith('\n') ? raw.replace(/\r?\n$/, '') : raw;
      if (line.trim() === '') {
        out[index] = { kind: 'drop', index, reason: 'blank' };
        continue;
      }
      if (line.charCodeAt(0) === 35) {
        // `#Version: 1.0`, `#Fields: ...`: directives of the W3C format, not requests.
        const h = headerFields(line);
        if (h !== undefined) header = compileFields(h);
        out[index] = { kind: 'drop', index, reason: 'header' };
        continue;
      }
      // A header in the batch wins; a configured list (real-time) is the stream's own; a dated line is legacy.
      // The legacy order is assumed only for a line long enough to be one (at least 24 of the 33 values, for
      // older lines and missing trailing values): a shorter dated line is a chosen field set (standard logging
      // v2) whose order only its header or configuration gives.
      const list = header ?? configured ?? (DATE_LINE.test(line) && tabs(line) >= LEGACY_MIN_FIELDS - 1 ? LEGACY : undefined);
      if (list === undefined) {
        out[index] = {
          kind: 'failure',
          index,
          message: `unknown CloudFront log fields: no #Fields header in this batch and no configured field list; ${FIELDS_HINT}`,
          type: 'unknown_format',
        };
        continue;
      }
      const logType = header === undefined && carried === undefined && list === configured ? 'realtime' : 'standard';
      const r = parseCloudFrontLine(line, list, logType, distribution);
      out[index] = r instanceof ParseError ? { kind: 'failure', index, message: r.message, type: r.type } : { kind: 'document', fields: r, indices: [index] };
    }
    return out;
  },
};

const LEGACY_LINE =
  '2019-12-04\t21:02:31\tLAX1-C2\t392\t192.0.2.100\tGET\td111111abcdef8.cloudfront.net\t/index.html\t200\t-\tMozilla/5.0%20(Windows%20NT%2010.0;%20Win64;%20x64)' +
  '\t-\t-\tHit\tSOX4xwn4XV6Q4rgb7XiVGOHms_BGlTAC4KyHmureZmBNrjGdRLiNIQ==\td111111abcdef8.cloudfront.net\thttps\t23\t0.001\t-\tTLSv1.2' +
  '\tECDHE-RSA-AES128-GCM-SHA256\tHit\tHTTP/2.0\t-\t-\t11040\t0.001\tHit\ttext/html\t78\t-\t-';

/** What this parser handles, the docs it follows and examples that run as tests (test/unit/parser-meta.test.ts). */
export const meta: ParserMeta = {
  id: 'cloudfront',
  dataset: DATASETS.cloudfront,
  title: 'Amazon CloudFront access logs (standard logs, legacy and v2, and real-time logs)',
  docs: [
    'https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/standard-logs-reference.html',
    'https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/standard-logging-legacy-s3.html',
    'https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/real-time-logs.html',
  ],
  examples: [
    {
      title: 'Standard log file: the #Version and #Fields header lines (dropped as `header`) and a request',
      input: ['#Version: 1.0', `#Fields: ${LEGACY_FIELDS.join(' ')}`, LEGACY_LINE],
      context: { s3: { bucket: 'cf-logs', key: 'cdn/EMLARXS9EXAMPLE.2019-12-04-21.d111111a.gz' } },
      fields: {
        '@timestamp': '2019-12-04T21:02:31.000Z',
        event: { category: ['web'], type: ['access'], outcome: 'success' },
        source: { ip: '192.0.2.100', port: 11040 },
        http: { request: { method: 'GET', bytes: 23 }, response: { status_code: 200, bytes: 392, mime_type: 'text/html' }, version: '2.0' },
        url: { original: '/index.html', path: '/index.html', scheme: 'https', domain: 'd111111abcdef8.cloudfront.net' },
        user_agent: { original: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64)' },
        tls: { version: '1.2', cipher: 'ECDHE-RSA-AES128-GCM-SHA256' },
        aws: { cloudfront: { log_type: 'standard', distribution_id: 'EMLARXS9EXAMPLE', edge_location: 'LAX1-C2', edge_result_type: 'Hit' } },
      },
    },
    {
      title: 'A path the client sent percent-encoded arrives encoded twice (%2520): url.original is what the client sent',
      input: [
        '#Fields: date time c-ip cs-method cs-uri-stem sc-status cs-uri-query',
        '2024-06-10\t08:15:02\t198.51.100.7\tGET\t/img/a%2520b.png\t404\tv=2%26x=%25C3%25A9',
      ],
      fields: {
        url: { original: '/img/a%20b.png?v=2&x=%C3%A9', path: '/img/a b.png', query: 'v=2&x=%C3%A9', extension: 'png' },
        http: { response: { status_code: 404 } },
        event: { outcome: 'failure' },
      },
    },
    {
      title: 'Real-time log record: the fields come from the configured list (epoch seconds timestamp)',
      input: '1718003702.123\t198.51.100.7\t200\tGET\t/index.html\tFRA56-C1\tDE',
      context: { options: { cloudfrontFields: 'timestamp c-ip sc-status cs-method cs-uri-stem x-edge-location c-country' } },
      fields: {
        '@timestamp': '2024-06-10T07:15:02.123Z',
        source: { ip: '198.51.100.7', geo: { country_iso_code: 'DE' } },
        aws: { cloudfront: { log_type: 'realtime', edge_location: 'FRA56-C1' } },
      },
    },
    {
      title: 'A real-time record without a configured field list fails, naming the setting',
      input: '1718003702.123\t198.51.100.7\t200\tGET\t/index.html\tFRA56-C1',
      failure: { type: 'unknown_format', message: 'cloudfrontFields' },
    },
  ],
};
