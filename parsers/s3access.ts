/**
 * Amazon S3 server access log parser: one space-separated line per request, with the time in
 * brackets (`[06/Feb/2019:00:00:38 +0000]`) and the Request-URI, Referer and User-Agent in double
 * quotes. Fields are mapped by position; S3 appends new fields at the end over the years, so older
 * lines (fewer fields) parse, and values after the last known field are kept in order under
 * `aws.s3access.extra` instead of failing the line. Any field may be `-` (absent).
 *
 * The bucket owner field is a canonical user id, not an account id, and the lines name no account:
 * the only account anywhere is in a partitioned key (`[prefix/]<source-account>/<source-region>/
 * <source-bucket>/YYYY/MM/DD/YYYY-MM-DD-hh-mm-ss-<unique>`), written by whoever may write the
 * bucket (S3 logs only into a bucket of the source bucket's own account; central copies are made by
 * replication or copy roles). It is taken as a claim (`cloud.account.id`, `cloud.region`), which the
 * pipeline believes only as `unverified` without trusted delivery metadata (lib/core/attribution.ts).
 *
 * Docs: https://docs.aws.amazon.com/AmazonS3/latest/userguide/LogFormat.html,
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/ServerLogs.html
 */
import { isIP } from 'node:net';
import { badTimeMessage, isoFromMillis, utcMillis } from './time';
import { monthIndex } from './logtime';
import { DATASETS, lineParser, ParseError, skip, type Fields, type LineResult, type ParseContext, type Parser, type ParserMeta } from './types';
import { decodeUrl, tlsVersion, uint } from './tokenize';

type Doc = Fields & { event: NonNullable<Fields['event']> };
type S3 = NonNullable<NonNullable<Fields['aws']>['s3access']>;

/** Fields of the current line format, in order (LogFormat.html). Later ones are `extra`. */
const KNOWN_FIELDS = 27;
/** Through User-Agent: the oldest lines in the wild have at least these. */
const MIN_FIELDS = 17;

const absent = (s: string | undefined): s is undefined => s === undefined || s === '-' || s === '';

/**
 * Splits a line: runs of spaces separate fields; `[...]` runs to the next `]`, `"..."` to the next
 * `"` followed by a space or the end (quotes inside a quoted value are not escaped by S3), both
 * returned without their delimiters. Undefined when a bracket or quote is not closed.
 * @example tokenizeS3('a [06/Feb/2019:00:00:38 +0000] "GET / HTTP/1.1" -') // ['a', '06/Feb/2019:00:00:38 +0000', 'GET / HTTP/1.1', '-']
 */
export function tokenizeS3(line: string): string[] | undefined {
  const out: string[] = [];
  const n = line.length;
  let i = 0;
  while (i < n) {
    while (i < n && line.charCodeAt(i) === 32) i++;
    if (i >= n) break;
    const c = line.charCodeAt(i);
    if (c === 91) {
      const j = line.indexOf(']', i + 1);
      if (j === -1) return undefined;
      out.push(line.slice(i + 1, j));
      i = j + 1;
    } else if (c === 34) {
      let j = line.indexOf('"', i + 1);
      while (j !== -1 && j + 1 < n && line.charCodeAt(j + 1) !== 32) j = line.indexOf('"', j + 1);
      if (j === -1) return undefined;
      out.push(line.slice(i + 1, j));
      i = j + 1;
    } else {
      let j = line.indexOf(' ', i);
      if (j === -1) j = n;
      out.push(line.slice(i, j));
      i = j;
    }
  }
  return out;
}

const S3_TIME = /^(\d{2})\/([A-Za-z]{3})\/(\d{4}):(\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})$/;

/** `06/Feb/2019:00:00:38 +0000` → ISO with milliseconds, undefined when it is not such a time. */
function s3Time(s: string): string | undefined {
  const m = S3_TIME.exec(s);
  if (!m) return undefined;
  const mo = monthIndex(m[2]);
  if (mo === undefined || +m[4] > 23 || +m[5] > 59 || +m[6] > 59) return undefined;
  const offset = (m[7] === '-' ? -1 : 1) * (+m[8] * 60 + +m[9]);
  return isoFromMillis(utcMillis(+m[3], mo, +m[1], +m[4], +m[5], +m[6]) - offset * 60_000);
}


function count(name: string, s: string | undefined): number | ParseError | undefined {
  if (absent(s)) return undefined;
  const n = uint(s);
  return Number.isNaN(n) ? new ParseError(`${name} is not a number: ${JSON.stringify(s.slice(0, 64))}`) : n;
}



/** `GET /bucket/key?x=1 HTTP/1.1` → method, url, version (a `-` request line gives nothing). */
function addRequest(doc: Doc, raw: string): void {
  const a = raw.indexOf(' ');
  const b = raw.lastIndexOf(' ');
  const method = a === -1 ? raw : raw.slice(0, a);
  const target = a === -1 ? '' : b > a ? raw.slice(a + 1, b) : raw.slice(a + 1);
  const proto = b > a ? raw.slice(b + 1) : '';
  if (!absent(method) && /^[A-Z]{3,10}$/.test(method)) (doc.http ??= {}).request = { ...doc.http?.request, method };
  if (proto.startsWith('HTTP/')) (doc.http ??= {}).version = proto.slice(5);
  if (absent(target)) return;
  const url: NonNullable<Fields['url']> = { original: target };
  const q = target.indexOf('?');
  const path = q === -1 ? target : target.slice(0, q);
  if (path) url.path = decodeUrl(path);
  if (q !== -1 && q + 1 < target.length) url.query = target.slice(q + 1);
  doc.url = url;
}

/** Partitioned key `[prefix/]<account>/<region>/<bucket>/YYYY/MM/DD/<file>`: the claimed account and region. */
const PARTITIONED = /(?:^|\/)(\d{12})\/([a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d{1,2})\/[^/]+\/\d{4}\/\d{2}\/\d{2}\/\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}-[^/]+$/;

function keyClaim(ctx: ParseContext): { account: string; region: string } | undefined {
  const m = ctx.s3 ? PARTITIONED.exec(ctx.s3.key) : null;
  return m ? { account: m[1], region: m[2] } : undefined;
}

/**
 * One server access log line.
 * @example parseS3AccessLine('79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be amzn-s3-demo-bucket1 [06/Feb/2019:00:00:38 +0000] 192.0.2.3 - 3E57427F3EXAMPLE REST.GET.OBJECT key "GET /amzn-s3-demo-bucket1/key HTTP/1.1" 200 - 113 113 7 6 "-" "curl/8.5.0" -', {})
 */
export function parseS3AccessLine(line: string, ctx: ParseContext): LineResult {
  if (line.trim() === '') return skip('blank');
  const t = tokenizeS3(line);
  if (!t) return new ParseError('unterminated quoted or bracketed field in S3 server access log line');
  if (t.length < MIN_FIELDS) return new ParseError(`S3 server access log line has ${t.length} fields, expected at least ${MIN_FIELDS}`);
  const time = s3Time(t[2]);
  if (!time) return new ParseError(badTimeMessage('S3 access log time', t[2]));
  const s3: S3 = {};
  const doc: Doc = { '@timestamp': time, event: { category: ['web'], type: ['access'] } };
  if (!absent(t[0])) s3.bucket_owner = t[0];
  if (!absent(t[1])) s3.bucket = t[1];
  if (!absent(t[3])) {
    const ep = isIP(t[3]) !== 0 ? { ip: t[3] } : { address: t[3] };
    doc.source = { ...ep };
    doc.client = { ...ep };
    if (ep.ip) doc.related = { ip: [ep.ip] };
  }
  if (!absent(t[4])) {
    s3.requester = t[4];
    (doc.client ??= {}).user = { id: t[4] };
    (doc.related ??= {}).user = [t[4]];
  }
  if (!absent(t[5])) s3.request_id = t[5];
  if (!absent(t[6])) {
    s3.operation = t[6];
    doc.event.action = t[6];
    // ECS expects `deletion` under file, not web: an object deletion is both.
    if (/^(REST|WEBSITE)\.DELETE\.|^BATCH\.DELETE\./.test(t[6])) {
      doc.event.category = ['web', 'file'];
      doc.event.type = ['access', 'deletion'];
    }
  }
  if (!absent(t[7])) s3.key = t[7];
  if (!absent(t[8])) {
    s3.request_uri = t[8];
    addRequest(doc, t[8]);
  }
  const status = count('HTTP status', t[9]);
  if (status instanceof ParseError) return status;
  const sent = count('Bytes Sent', t[11]);
  if (sent instanceof ParseError) return sent;
  const size = count('Object Size', t[12]);
  if (size instanceof ParseError) return size;
  const total = count('Total Time', t[13]);
  if (total instanceof ParseError) return total;
  const turn = count('Turn-Around Time', t[14]);
  if (turn instanceof ParseError) return turn;
  if (status !== undefined) ((doc.http ??= {}).response ??= {}).status_code = status;
  if (sent !== undefined) ((doc.http ??= {}).response ??= {}).bytes = sent;
  if (size !== undefined) s3.object_size = size;
  if (total !== undefined) {
    s3.total_time = total;
    doc.event.duration = total * 1e6;
  }
  if (turn !== undefined) s3.turn_around_time = turn;
  if (!absent(t[10])) {
    s3.error_code = t[10];
    doc.error = { code: t[10] };
    doc.event.code = t[10];
  }
  doc.event.outcome = !absent(t[10]) || (status !== undefined && status >= 400) ? 'failure' : status === undefined ? 'unknown' : 'success';
  if (!absent(t[15])) ((doc.http ??= {}).request ??= {}).referrer = t[15];
  if (!absent(t[16])) doc.user_agent = { original: t[16] };
  if (!absent(t[17])) s3.version_id = t[17];
  if (!absent(t[18])) s3.host_id = t[18];
  if (!absent(t[19])) s3.signature_version = t[19];
  const tls: NonNullable<Fields['tls']> = {};
  if (!absent(t[20])) tls.cipher = t[20];
  if (!absent(t[21])) s3.authentication_type = t[21];
  if (!absent(t[22])) {
    s3.host_header = t[22];
    if (doc.url) doc.url.domain = t[22];
    doc.destination = { domain: t[22] };
  }
  const tv = absent(t[23]) ? undefined : tlsVersion(t[23]);
  if (tv) {
    tls.version = tv.version;
    tls.version_protocol = tv.protocol;
  }
  if (Object.keys(tls).length) doc.tls = tls;
  if (doc.url) doc.url.scheme = tls.cipher !== undefined || tv ? 'https' : 'http';
  if (!absent(t[24])) s3.access_point_arn = t[24];
  if (!absent(t[25])) s3.acl_required = t[25];
  if (!absent(t[26])) s3.source_region = t[26];
  if (t.length > KNOWN_FIELDS) s3.extra = t.slice(KNOWN_FIELDS);
  doc.network = { protocol: 'http', transport: 'tcp' };
  // Claims only: the pipeline believes them as `unverified` unless a trusted delivery says the same.
  const claim = keyClaim(ctx);
  // The trailing Region field is not taken as `cloud.region`: the documentation's own example has a
  // `us-east-1` field on a bucket whose host header says us-west-1, so what it names is not settled.
  if (claim) doc.cloud = { account: { id: claim.account }, region: claim.region };
  doc.aws = { s3access: s3 };
  return doc;
}

/**
 * S3 server access logs (S3 delivery, one line per request).
 * @example s3accessParser.parse([{ message: '79a5... amzn-s3-demo-bucket1 [06/Feb/2019:00:00:38 +0000] ...', key: 'k' }], {})
 */
export const s3accessParser: Parser = lineParser('s3access', (line, ctx) => parseS3AccessLine(line, ctx));

const DOC_LINE =
  '79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be amzn-s3-demo-bucket1 [06/Feb/2019:00:00:38 +0000] 192.0.2.3 ' +
  '79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be 3E57427F3EXAMPLE REST.GET.VERSIONING - "GET /amzn-s3-demo-bucket1?versioning HTTP/1.1" ' +
  '200 - 113 - 7 - "-" "S3Console/0.4" - s9lzHYrFp76ZVxRcpX9+5cjAnEH2ROuNkd2BHfIa6UkFVdtjf5mKR3/eTPFvsiP/XV/VLi31234= SigV4 ECDHE-RSA-AES128-GCM-SHA256 ' +
  'AuthHeader amzn-s3-demo-bucket1.s3.us-west-1.amazonaws.com TLSV1.2 arn:aws:s3:us-west-1:123456789012:accesspoint/example-AP Yes us-east-1';

/** What this parser handles, the docs it follows and examples that run as tests (test/unit/parser-meta.test.ts). */
export const meta: ParserMeta = {
  id: 's3access',
  dataset: DATASETS.s3access,
  title: 'Amazon S3 server access logs',
  docs: ['https://docs.aws.amazon.com/AmazonS3/latest/userguide/LogFormat.html', 'https://docs.aws.amazon.com/AmazonS3/latest/userguide/ServerLogs.html'],
  examples: [
    {
      title: 'A request of the documentation example (27 fields, through the Region)',
      input: DOC_LINE,
      fields: {
        '@timestamp': '2019-02-06T00:00:38.000Z',
        event: { action: 'REST.GET.VERSIONING', outcome: 'success', duration: 7_000_000 },
        source: { ip: '192.0.2.3' },
        client: { ip: '192.0.2.3', user: { id: '79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be' } },
        http: { request: { method: 'GET' }, response: { status_code: 200, bytes: 113 }, version: '1.1' },
        url: { original: '/amzn-s3-demo-bucket1?versioning', path: '/amzn-s3-demo-bucket1', query: 'versioning' },
        user_agent: { original: 'S3Console/0.4' },
        tls: { version: '1.2', cipher: 'ECDHE-RSA-AES128-GCM-SHA256' },
        aws: { s3access: { bucket: 'amzn-s3-demo-bucket1', operation: 'REST.GET.VERSIONING', acl_required: 'Yes', source_region: 'us-east-1' } },
      },
    },
    {
      title: 'A failed request: the S3 error code is error.code and the outcome failure',
      input:
        '79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be amzn-s3-demo-bucket1 [06/Feb/2019:00:01:57 +0000] 192.0.2.3 - DD6CC733AEXAMPLE ' +
        'REST.GET.OBJECT photos/cat%20one.jpg "GET /amzn-s3-demo-bucket1/photos/cat%20one.jpg HTTP/1.1" 404 NoSuchKey 299 - 1 - "-" "curl/8.5.0" - ' +
        'ZmFrZS1ob3N0LWlk - - - amzn-s3-demo-bucket1.s3.us-west-1.amazonaws.com - - -',
      fields: {
        event: { outcome: 'failure', code: 'NoSuchKey' },
        error: { code: 'NoSuchKey' },
        url: { path: '/amzn-s3-demo-bucket1/photos/cat one.jpg' },
        aws: { s3access: { key: 'photos/cat%20one.jpg', error_code: 'NoSuchKey' } },
      },
    },
    {
      title: 'Fields S3 appended after the known ones are kept in order, not a failure',
      input: `${DOC_LINE} new-field-1 "new field 2"`,
      fields: { aws: { s3access: { source_region: 'us-east-1', extra: ['new-field-1', 'new field 2'] } } },
    },
    {
      title: 'A line cut short is a failure that keeps the text',
      input: '79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be amzn-s3-demo-bucket1 [06/Feb/2019:00:00:38 +0000] 192.0.2.3',
      failure: { type: 'parse_error', message: 'expected at least' },
    },
  ],
};
