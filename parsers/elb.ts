/**
 * Elastic Load Balancing access log parser: Application (ALB), Network (NLB, TLS listeners) and
 * Classic load balancers, and ALB connection logs (mutual TLS), told apart by the line itself. One quote-aware tokenizer serves all
 * three layouts; fields are mapped by position and trailing fields AWS adds later are ignored.
 *
 * Timestamps: `@timestamp` is the time the load balancer logged the entry: ALB `time` (response
 * sent, or WebSocket closed; `event.end`, with `request_creation_time` as `event.start`), NLB
 * `time` (TLS connection closed), Classic `timestamp` (request received; `event.start`). ALB
 * `time` is used rather than `request_creation_time` because every ALB line has it (older lines
 * lack the creation time), AWS partitions the log files by it, and peers (Athena, Elastic) index
 * on it, so counts agree across tools. That time is required: one that is not an ISO 8601 time in
 * the event time window (parsers/time.ts) fails the line with the reason. The secondary times
 * (`request_creation_time`, `tls_connection_creation_time`, the NLB start derived from
 * `connection_time`) are omitted from `event.start` when invalid or outside the window.
 *
 * Docs: https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-access-logs.html,
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-access-logs.html,
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/classic/access-log-collection.html
 */
import { isIP } from 'node:net';
import { badTimeMessage, isoFromMillis, isoFromString } from './time';
import { decodeUrl, tlsVersion, tokenize } from './tokenize';
import { DATASETS, lineParser, ParseError, skip, type Fields, type LineResult, type Parser, type ParserMeta } from './types';

type Doc = Fields & { event: NonNullable<Fields['event']> };
type Elb = NonNullable<NonNullable<Fields['aws']>['elb']>;

const ALB_TYPES = new Set(['http', 'https', 'h2', 'grpcs', 'ws', 'wss']);
const NUMBER = /^-?\d+(\.\d+)?$/;

const absent = (s: string | undefined): s is undefined => s === undefined || s === '-' || s === '';

/** Integer (possibly negative) or NaN. */
function int(s: string): number {
  const n = s.length;
  if (n === 0 || n > 16) return NaN;
  for (let i = s.charCodeAt(0) === 45 && n > 1 ? 1 : 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return NaN;
  }
  return +s;
}

/** `ip:port`, `[v6]:port` or a bare IPv6 with a port after the last `:`. */
function endpoint(s: string): { ip?: string; address?: string; port?: number } | undefined {
  if (absent(s)) return undefined;
  const c = s.lastIndexOf(':');
  let host = s;
  let port: number | undefined;
  if (c > 0) {
    const p = int(s.slice(c + 1));
    if (p >= 0 && p <= 65535) {
      host = s.slice(0, c);
      port = p;
    }
  }
  if (host.charCodeAt(0) === 91 && host.charCodeAt(host.length - 1) === 93) host = host.slice(1, -1);
  const out: { ip?: string; address?: string; port?: number } = {};
  if (isIP(host) !== 0 && !host.includes('%')) out.ip = host;
  else out.address = host;
  if (port !== undefined) out.port = port;
  return out;
}


/** `Root=1-5833...;Parent=...` → the X-Ray trace id. */
function traceRoot(s: string): string | undefined {
  const i = s.indexOf('Root=');
  if (i === -1) return undefined;
  const e = s.indexOf(';', i);
  const id = s.slice(i + 5, e === -1 ? undefined : e);
  return id || undefined;
}

/** Region and account from an ARN (`arn:aws:elasticloadbalancing:us-east-2:123456789012:...`). */
const arnCache = new Map<string, readonly [string, string]>();

function arnOrigin(arn: string | undefined, doc: Doc): void {
  if (absent(arn) || !arn.startsWith('arn:')) return;
  // A file names a handful of target groups and certificates: split each ARN once.
  let o = arnCache.get(arn);
  if (!o) {
    const parts = arn.split(':', 5);
    o = [parts[3] ?? '', parts.length === 5 && /^\d{12}$/.test(parts[4]) ? parts[4] : ''];
    if (arnCache.size > 1000) arnCache.clear();
    arnCache.set(arn, o);
  }
  // A fresh object per document: the pipeline adds `cloud.provider` in place.
  const cloud: NonNullable<Fields['cloud']> = {};
  if (o[0]) cloud.region = o[0];
  if (o[1]) cloud.account = { id: o[1] };
  if (cloud.region || cloud.account) doc.cloud = cloud;
}

function seconds(name: string, s: string): number | ParseError | undefined {
  if (absent(s)) return undefined;
  if (!NUMBER.test(s)) return new ParseError(`${name} is not a number: ${JSON.stringify(s.slice(0, 64))}`);
  return +s;
}

const TIME_FIELDS = ['request_processing_time', 'target_processing_time', 'response_processing_time'] as const;

/** The three processing times starting at token `at` (Classic calls the middle one backend time). */
function processingTimes(t: string[], at: number, elb: Elb): Array<number | undefined> | ParseError {
  const out: Array<number | undefined> = [undefined, undefined, undefined];
  for (let k = 0; k < 3; k++) {
    const r = seconds(TIME_FIELDS[k], t[at + k]);
    if (r instanceof ParseError) return r;
    out[k] = r;
  }
  // -1 (not dispatched, target failed) is kept out of the fields (it would poison latency percentiles);
  // the outcome is decided from the raw values (`timing`).
  if (out[0] !== undefined && out[0] >= 0) elb.request_processing_time = out[0];
  if (out[1] !== undefined && out[1] >= 0) elb.target_processing_time = out[1];
  if (out[2] !== undefined && out[2] >= 0) elb.response_processing_time = out[2];
  return out;
}

function count(name: string, s: string | undefined): number | ParseError | undefined {
  if (absent(s)) return undefined;
  const n = int(s);
  return Number.isNaN(n) || n < 0 ? new ParseError(`${name} is not a byte count: ${JSON.stringify(s.slice(0, 64))}`) : n;
}

function status(name: string, s: string | undefined): number | ParseError | undefined {
  if (absent(s)) return undefined;
  const n = int(s);
  return Number.isNaN(n) ? new ParseError(`${name} is not a status code: ${JSON.stringify(s.slice(0, 64))}`) : n;
}

interface Parsed {
  url?: NonNullable<Fields['url']>;
  method?: string;
  version?: string;
}

/** `METHOD scheme://host:port/path?query HTTP/1.1` (any part may be `-`). */
function parseRequest(raw: string): Parsed {
  const out: Parsed = {};
  const request = raw.trim(); // TCP/SSL listeners log `"- - - "`, with a trailing space
  const a = request.indexOf(' ');
  const b = request.lastIndexOf(' ');
  if (a === -1 || b <= a) return out;
  const method = request.slice(0, a);
  const target = request.slice(a + 1, b);
  const proto = request.slice(b + 1);
  if (!absent(method)) out.method = method;
  if (proto.startsWith('HTTP/')) out.version = proto.slice(5);
  if (!absent(target)) out.url = parseUrl(target);
  return out;
}

/** Splits a URL as logged (not normalized: the original is what the client sent). */
function parseUrl(u: string): NonNullable<Fields['url']> {
  const url: NonNullable<Fields['url']> = { original: u };
  let rest = u;
  const se = u.indexOf('://');
  if (se > 0 && /^[a-zA-Z][a-zA-Z0-9+.-]*$/.test(u.slice(0, se))) {
    url.scheme = u.slice(0, se).toLowerCase();
    rest = u.slice(se + 3);
    let ae = rest.length;
    for (const ch of ['/', '?', '#']) {
      const k = rest.indexOf(ch);
      if (k !== -1 && k < ae) ae = k;
    }
    let authority = rest.slice(0, ae);
    rest = rest.slice(ae);
    const at = authority.lastIndexOf('@');
    if (at !== -1) authority = authority.slice(at + 1);
    let host = authority;
    if (authority.startsWith('[')) {
      const close = authority.indexOf(']');
      host = close === -1 ? authority : authority.slice(1, close);
      const p = close === -1 ? NaN : int(authority.slice(close + 2));
      if (close !== -1 && authority[close + 1] === ':' && p >= 0 && p <= 65535) url.port = p;
    } else {
      const c = authority.lastIndexOf(':');
      if (c !== -1) {
        host = authority.slice(0, c);
        const p = int(authority.slice(c + 1));
        if (p >= 0 && p <= 65535) url.port = p;
      }
    }
    if (host) url.domain = host;
  } else if (!u.startsWith('/')) return url; // `*`, `host:port` (CONNECT): nothing more to split
  const hash = rest.indexOf('#');
  if (hash !== -1) rest = rest.slice(0, hash);
  const q = rest.indexOf('?');
  const path = q === -1 ? rest : rest.slice(0, q);
  if (path) url.path = path;
  if (q !== -1 && q + 1 < rest.length) url.query = rest.slice(q + 1);
  return url;
}

function addHttp(doc: Doc, request: string | undefined, ua: string | undefined): boolean {
  let any = false;
  if (!absent(request)) {
    const r = parseRequest(request);
    if (r.method || r.version) {
      doc.http ??= {};
      if (r.method) (doc.http.request ??= {}).method = r.method;
      if (r.version) doc.http.version = r.version;
      any = true;
    }
    if (r.url) {
      doc.url = r.url;
      any = true;
    }
  }
  if (!absent(ua)) doc.user_agent = { original: ua };
  return any;
}

/**
 * The client connects to the load balancer: it is `source` and `client`; the load balancer is
 * `destination` and `server` (NLB logs its listener's address; ALB and Classic only its name, and the
 * host the client asked for, `domain_name`). The target an ALB/Classic load balancer forwarded to is
 * `aws.elb.backend`, as Elastic's AWS integration maps it. Both addresses are in `related.ip`.
 */
function addEndpoints(doc: Doc, elb: Elb, client: string, other: string | undefined, otherIs: 'target' | 'listener'): void {
  const related: string[] = [];
  const src = endpoint(client);
  if (src) {
    doc.source = src;
    doc.client = { ...src };
    if (src.ip) related.push(src.ip);
  }
  const dst = other === undefined ? undefined : endpoint(other);
  if (dst) {
    if (otherIs === 'listener') {
      doc.destination = dst;
      doc.server = { ...dst };
    } else elb.backend = dst;
    if (dst.ip && !related.includes(dst.ip)) related.push(dst.ip);
  }
  if (related.length) doc.related = { ip: related };
}

/** Microseconds past the millisecond of an ELB time (`…:05.123456Z` → 456), 0 when not written. */
function subMillisMicros(s: string): number {
  const dot = s.indexOf('.', 19);
  if (dot !== 19) return 0;
  let digits = '';
  for (let i = 23; i < 26 && i < s.length && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57; i++) digits += s[i];
  return digits ? Number((digits + '00').slice(0, 3)) : 0;
}

/**
 * `event.duration` (ns) from `event.start` to `event.end` as ECS asks when both are known, at the
 * microseconds ELB writes (the `date` mapping of `event.start`/`event.end` keeps milliseconds; the
 * duration keeps the rest). Undefined when the end is before the start.
 */
function spanNanos(startRaw: string, start: string, endRaw: string, end: string): number | undefined {
  const ns = millisBetween(start, end) * 1e6 + (subMillisMicros(endRaw) - subMillisMicros(startRaw)) * 1e3;
  return ns >= 0 ? ns : undefined;
}

/**
 * `Date.parse(end) - Date.parse(start)` of two ISO times. Both of one day in the form `isoFromString` writes
 * (`YYYY-MM-DDTHH:MM:SS.mmmZ`, nearly every line: a request is created and answered within seconds):
 * the difference of their times of day, read by position (two `Date.parse` per line were 1.6% of
 * `tributary normalize` on ALB logs); otherwise `Date.parse`.
 */
function millisBetween(start: string, end: string): number {
  if (start.length === 24 && end.length === 24) {
    let sameDay = true;
    for (let i = 0; i < 11 && sameDay; i++) sameDay = start.charCodeAt(i) === end.charCodeAt(i);
    if (sameDay) return dayMillis(end) - dayMillis(start);
  }
  return Date.parse(end) - Date.parse(start);
}

/** Milliseconds since midnight of `YYYY-MM-DDTHH:MM:SS.mmmZ` (an `isoFromString` result: digits where digits belong). */
function dayMillis(iso: string): number {
  const d = (i: number) => iso.charCodeAt(i) - 48;
  return ((d(11) * 10 + d(12)) * 3600 + (d(14) * 10 + d(15)) * 60 + d(17) * 10 + d(18)) * 1000 + d(20) * 100 + d(21) * 10 + d(22);
}

function addTls(doc: Doc, cipher: string | undefined, protocol: string | undefined): void {
  const tls: NonNullable<Fields['tls']> = {};
  if (!absent(cipher)) tls.cipher = cipher;
  if (!absent(protocol)) {
    const v = tlsVersion(protocol);
    if (v) {
      tls.version = v.version;
      tls.version_protocol = v.protocol;
    }
  }
  if (tls.cipher !== undefined || tls.version !== undefined) doc.tls = Object.assign(doc.tls ?? {}, tls);
}

/**
 * Processing times (seconds) → `event.duration` (ns, absent when any time is -1), and the outcome:
 * failure for a 5xx (or negative) load balancer status, or when a time is -1 and the request was
 * meant to reach a target (`forwarded`: Classic always, ALB when `forward` ran). ALB redirects,
 * fixed responses and WAF blocks never reach a target, so their -1 target time is not a failure.
 */
function timing(doc: Doc, times: Array<number | undefined>, elbStatus: number | undefined, forwarded: boolean): void {
  const notDispatched = times.some((t) => t !== undefined && t < 0);
  if (!notDispatched && times.every((t) => t !== undefined))
    doc.event.duration = Math.round((times as number[]).reduce((a, b) => a + b, 0) * 1e9);
  const failed =
    (elbStatus !== undefined && (elbStatus >= 500 || elbStatus < 0)) || (notDispatched && (forwarded || elbStatus === undefined));
  doc.event.outcome = failed ? 'failure' : 'success';
}

function list(s: string | undefined, sep: string): string[] | undefined {
  if (absent(s)) return undefined;
  // Most lists hold one item (`forward`, one target): no split and filter per line for them.
  if (s.indexOf(sep) < 0) return [s];
  const items = s.split(sep).filter((x) => x !== '' && x !== '-');
  return items.length ? items : undefined;
}

/**
 * ALB: `type time elb client:port target:port request_processing_time target_processing_time
 * response_processing_time elb_status_code target_status_code received_bytes sent_bytes "request"
 * "user_agent" ssl_cipher ssl_protocol target_group_arn "trace_id" "domain_name" "chosen_cert_arn"
 * matched_rule_priority request_creation_time "actions_executed" "redirect_url" "error_reason"
 * "target:port_list" "target_status_code_list" "classification" "classification_reason"
 * conn_trace_id "transformed_host" "transformed_uri" "request_transform_status"`.
 */
function alb(t: string[]): Fields | ParseError {
  if (t.length < 13) return new ParseError(`ALB access log line has ${t.length} fields, expected at least 13`);
  const time = isoFromString(t[1]);
  if (!time) return new ParseError(badTimeMessage('ALB time', t[1]));
  const elb: Elb = { type: 'alb', protocol: t[0] };
  const doc: Doc = { '@timestamp': time, event: { category: ['web'], type: ['access'], end: time } };
  const id = t[2];
  if (!absent(id)) {
    elb.id = id;
    const parts = id.split('/');
    elb.name = parts.length >= 3 ? parts[1] : id;
  }
  addEndpoints(doc, elb, t[3], t[4], 'target');
  const times = processingTimes(t, 5, elb);
  if (times instanceof ParseError) return times;
  const es = status('elb_status_code', t[8]);
  if (es instanceof ParseError) return es;
  const ts = status('target_status_code', t[9]);
  if (ts instanceof ParseError) return ts;
  const rx = count('received_bytes', t[10]);
  if (rx instanceof ParseError) return rx;
  const tx = count('sent_bytes', t[11]);
  if (tx instanceof ParseError) return tx;
  addHttp(doc, t[12], t[13]);
  const http: NonNullable<Fields['http']> = (doc.http ??= {});
  if (rx !== undefined) (http.request ??= {}).bytes = rx;
  if (es !== undefined) {
    elb.elb_status_code = es;
    if (es >= 0) (http.response ??= {}).status_code = es;
  }
  if (tx !== undefined) (http.response ??= {}).bytes = tx;
  if (!http.request && !http.response && !http.version) delete doc.http;
  if (ts !== undefined) elb.target_status_code = ts;
  const actions = list(t[22], ',');
  // Lines older than actions_executed cannot say whether a forward ran: -1 counts as failure there.
  timing(doc, times, es, actions ? actions.includes('forward') : t.length <= 22);
  // A WAF block is a deliberate denial, not an error.
  if (es === 403 && actions?.includes('waf') && !actions.includes('forward')) {
    doc.event.category = ['web', 'network']; // ECS expects `denied` under network, as for WAF's own logs
    doc.event.type = ['access', 'denied'];
  }
  doc.network = { protocol: t[0] === 'grpcs' ? 'grpc' : t[0] === 'ws' || t[0] === 'wss' ? 'websocket' : 'http', transport: 'tcp' };
  addTls(doc, t[14], t[15]);
  if (!absent(t[16])) elb.target_group_arn = t[16];
  arnOrigin(t[16], doc);
  if (!absent(t[17])) {
    elb.trace_id = t[17];
    const root = traceRoot(t[17]);
    if (root) doc.trace = { id: root };
  }
  if (!absent(t[18])) {
    (doc.tls ??= {}).client = { server_name: t[18] };
    // The host the client asked the load balancer for: the server's name, as Elastic maps `domain_name`.
    doc.destination = { ...doc.destination, domain: t[18] };
    doc.server = { ...doc.server, domain: t[18] };
  }
  if (!absent(t[19])) elb.chosen_cert_arn = t[19];
  if (!doc.cloud) arnOrigin(t[19], doc);
  if (!absent(t[20])) {
    const p = int(t[20]);
    if (!Number.isNaN(p)) elb.matched_rule_priority = p;
  }
  if (!absent(t[21])) {
    const start = isoFromString(t[21]);
    if (start) {
      doc.event.start = start;
      // From the request's arrival to the response: the processing times leave out the client's upload and download.
      const span = spanNanos(t[21], start, t[1], time);
      if (span !== undefined) doc.event.duration = span;
    }
  }
  if (actions) elb.actions_executed = actions;
  if (!absent(t[23])) elb.redirect_url = t[23];
  if (!absent(t[24])) elb.error_reason = t[24];
  const targets = list(t[25], ' ');
  if (targets) elb.target_port_list = targets;
  const codes = list(t[26], ' ');
  if (codes) elb.target_status_code_list = codes;
  if (!absent(t[27])) elb.classification = t[27];
  if (!absent(t[28])) elb.classification_reason = t[28];
  if (!absent(t[29])) elb.conn_trace_id = t[29];
  if (!absent(t[30])) elb.transformed_host = t[30];
  if (!absent(t[31])) elb.transformed_uri = t[31];
  if (!absent(t[32])) elb.request_transform_status = t[32];
  if (!absent(t[24])) doc.error = { code: t[24] };
  doc.aws = { elb };
  return doc;
}

/**
 * NLB (TLS listeners): `type version time elb listener client:port destination:port
 * connection_time tls_handshake_time received_bytes sent_bytes incoming_tls_alert chosen_cert_arn
 * chosen_cert_serial tls_cipher tls_protocol_version tls_named_group domain_name alpn_fe_protocol
 * alpn_be_protocol alpn_client_preference_list [tls_connection_creation_time]`.
 */
function nlb(t: string[]): Fields | ParseError {
  if (t.length < 11) return new ParseError(`NLB access log line has ${t.length} fields, expected at least 11`);
  const time = isoFromString(t[2]);
  if (!time) return new ParseError(badTimeMessage('NLB time', t[2]));
  const elb: Elb = { type: 'nlb', protocol: t[0], log_version: t[1] };
  const doc: Doc = { '@timestamp': time, event: { category: ['network'], type: ['connection'], end: time } };
  if (!absent(t[3])) {
    elb.id = t[3];
    const parts = t[3].split('/');
    elb.name = parts.length >= 3 ? parts[1] : t[3];
  }
  if (!absent(t[4])) elb.listener_id = t[4];
  addEndpoints(doc, elb, t[5], t[6], 'listener');
  const conn = count('connection_time', t[7]);
  if (conn instanceof ParseError) return conn;
  const hs = count('tls_handshake_time', t[8]);
  if (hs instanceof ParseError) return hs;
  const rx = count('received_bytes', t[9]);
  if (rx instanceof ParseError) return rx;
  const tx = count('sent_bytes', t[10]);
  if (tx instanceof ParseError) return tx;
  if (conn !== undefined) {
    elb.connection_time = conn;
    doc.event.duration = conn * 1e6;
  }
  if (hs !== undefined) elb.tls_handshake_time = hs;
  // A `-` handshake time means the TLS handshake did not complete.
  doc.event.outcome = hs === undefined ? 'failure' : 'success';
  if (rx !== undefined) (doc.source ??= {}).bytes = rx;
  if (tx !== undefined) (doc.destination ??= {}).bytes = tx;
  doc.network = { protocol: 'tls', transport: 'tcp' };
  if (!absent(t[11])) elb.incoming_tls_alert = t[11];
  if (!absent(t[12])) elb.chosen_cert_arn = t[12];
  arnOrigin(t[12], doc);
  if (!absent(t[13])) elb.chosen_cert_serial = t[13];
  addTls(doc, t[14], t[15]);
  (doc.tls ??= {}).established = hs !== undefined;
  if (!absent(t[16])) elb.tls_named_group = t[16];
  if (!absent(t[17])) doc.tls.client = { server_name: decodeUrl(t[17]) };
  if (!absent(t[18])) elb.alpn_fe_protocol = t[18];
  if (!absent(t[19])) elb.alpn_be_protocol = t[19];
  // URL-encoded per the docs (`h2%2Chttp%2F1.1`); the docs' own sample shows `"h2","http/1.1"`.
  const alpn = absent(t[20]) ? undefined : list(decodeUrl(t[20]), ',');
  if (alpn) elb.alpn_client_preference_list = alpn.map((p) => p.replace(/^"|"$/g, ''));
  if (!absent(t[21])) {
    const start = isoFromString(t[21]);
    if (start) {
      doc.event.start = start;
      const span = spanNanos(t[21], start, t[2], time);
      if (span !== undefined) doc.event.duration = span;
    }
  } else if (conn !== undefined) {
    const start = isoFromMillis(Date.parse(time) - conn);
    if (start) doc.event.start = start;
  }
  doc.aws = { elb };
  return doc;
}

/**
 * Classic: `timestamp elb client:port backend:port request_processing_time
 * backend_processing_time response_processing_time elb_status_code backend_status_code
 * received_bytes sent_bytes "request" "user_agent" ssl_cipher ssl_protocol` (older lines stop
 * after the request or the byte counts; TCP/SSL listeners log `"- - - "` and `-` statuses).
 */
function classic(t: string[]): Fields | ParseError {
  if (t.length < 11) return new ParseError(`Classic ELB access log line has ${t.length} fields, expected at least 11`);
  const time = isoFromString(t[0]);
  if (!time) return new ParseError(badTimeMessage('Classic ELB timestamp', t[0]));
  const elb: Elb = { type: 'classic' };
  if (!absent(t[1])) elb.name = t[1];
  const doc: Doc = { '@timestamp': time, event: { start: time } };
  addEndpoints(doc, elb, t[2], t[3], 'target');
  const times = processingTimes(t, 4, elb);
  if (times instanceof ParseError) return times;
  const es = status('elb_status_code', t[7]);
  if (es instanceof ParseError) return es;
  const bs = status('backend_status_code', t[8]);
  if (bs instanceof ParseError) return bs;
  const rx = count('received_bytes', t[9]);
  if (rx instanceof ParseError) return rx;
  const tx = count('sent_bytes', t[10]);
  if (tx instanceof ParseError) return tx;
  const isHttp = addHttp(doc, t[11], t[12]);
  if (isHttp) {
    doc.event.category = ['web'];
    doc.event.type = ['access'];
    const http: NonNullable<Fields['http']> = (doc.http ??= {});
    if (rx !== undefined) (http.request ??= {}).bytes = rx;
    if (es !== undefined) (http.response ??= {}).status_code = es;
    if (tx !== undefined) (http.response ??= {}).bytes = tx;
    elb.protocol = doc.url?.scheme === 'https' ? 'https' : 'http';
    doc.network = { protocol: 'http', transport: 'tcp' };
  } else {
    // TCP/SSL listener: no HTTP layer, bytes are connection totals.
    doc.event.category = ['network'];
    doc.event.type = ['connection'];
    if (rx !== undefined) (doc.source ??= {}).bytes = rx;
    if (tx !== undefined) (doc.destination ??= {}).bytes = tx;
    elb.protocol = absent(t[13]) ? 'tcp' : 'ssl';
    doc.network = { transport: 'tcp' };
    if (!absent(t[13])) doc.network.protocol = 'tls';
  }
  if (es !== undefined) elb.elb_status_code = es;
  if (bs !== undefined) elb.target_status_code = bs;
  timing(doc, times, es, true);
  addTls(doc, t[13], t[14]);
  doc.aws = { elb };
  return doc;
}

/** `CN=a,OU=b,O=c` → every CN value (RFC 4514: `\,` escapes a comma inside a value). */
function commonNames(dn: string): string[] | undefined {
  const out: string[] = [];
  for (const m of dn.matchAll(/(?:^|,)\s*CN=((?:\\.|[^,])*)/gi)) if (m[1]) out.push(m[1].trim().replace(/\\(.)/g, '$1'));
  return out.length ? out : undefined;
}

/** `NotBefore=2024-01-01T00:00:00Z;NotAfter=2025-01-01T00:00:00Z` → the two times (each when valid). */
function validity(s: string): { notBefore?: string; notAfter?: string } {
  const out: { notBefore?: string; notAfter?: string } = {};
  for (const part of s.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const key = part.slice(0, eq).trim().toLowerCase();
    const iso = isoFromString(part.slice(eq + 1).trim());
    if (iso === undefined) continue;
    if (key === 'notbefore') out.notBefore = iso;
    else if (key === 'notafter') out.notAfter = iso;
  }
  return out;
}

/**
 * ALB connection log (mutual TLS listeners, one line per TLS connection attempt):
 * `timestamp client_ip client_port listener_port tls_protocol tls_cipher tls_handshake_latency
 * "leaf_client_cert_subject" leaf_client_cert_validity leaf_client_cert_serial_number
 * tls_verify_status conn_trace_id` (trailing fields AWS adds later are ignored). The trace id is the
 * access log's `conn_trace_id`: the join key between a request and its TLS connection.
 * Docs: https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-connection-logs.html
 */
function connection(t: string[]): Fields | ParseError {
  if (t.length < 12) return new ParseError(`ALB connection log line has ${t.length} fields, expected at least 12`);
  const time = isoFromString(t[0]);
  if (!time) return new ParseError(badTimeMessage('ALB connection log timestamp', t[0]));
  const elb: Elb = { type: 'alb', log_type: 'connection' };
  const doc: Doc = { '@timestamp': time, event: { category: ['network'], type: ['connection'] } };
  const source: NonNullable<Fields['source']> = {};
  if (!absent(t[1])) {
    if (isIP(t[1]) !== 0 && !t[1].includes('%')) {
      source.ip = t[1];
      doc.related = { ip: [t[1]] };
    } else source.address = t[1];
  }
  const clientPort = int(t[2]);
  if (!absent(t[2]) && !(clientPort >= 0 && clientPort <= 65535)) return new ParseError(`client_port is not a port: ${JSON.stringify(t[2].slice(0, 64))}`);
  if (clientPort >= 0) source.port = clientPort;
  if (Object.keys(source).length) {
    doc.source = source;
    doc.client = { ...source };
  }
  const listenerPort = int(t[3]);
  if (!absent(t[3]) && !(listenerPort >= 0 && listenerPort <= 65535)) return new ParseError(`listener_port is not a port: ${JSON.stringify(t[3].slice(0, 64))}`);
  if (listenerPort >= 0) {
    elb.listener_port = listenerPort;
    doc.destination = { port: listenerPort };
    doc.server = { port: listenerPort };
  }
  addTls(doc, t[5], t[4]);
  const latency = seconds('tls_handshake_latency', t[6]);
  if (latency instanceof ParseError) return latency;
  if (latency !== undefined) {
    elb.tls_handshake_latency = latency;
    if (latency >= 0) doc.event.duration = Math.round(latency * 1e9);
  }
  const client: NonNullable<NonNullable<Fields['tls']>['client']> = {};
  const x509: NonNullable<typeof client.x509> = {};
  if (!absent(t[7])) {
    client.subject = t[7];
    x509.subject = { distinguished_name: t[7] };
    const cn = commonNames(t[7]);
    if (cn) x509.subject.common_name = cn;
  }
  if (!absent(t[8])) {
    const v = validity(t[8]);
    if (v.notBefore) client.not_before = v.notBefore;
    if (v.notAfter) client.not_after = v.notAfter;
  }
  if (!absent(t[9])) x509.serial_number = t[9];
  if (Object.keys(x509).length) client.x509 = x509;
  const status = t[10];
  if (!absent(status)) {
    elb.tls_verify_status = status;
    const ok = status === 'Success';
    doc.event.outcome = ok ? 'success' : 'failure';
    if (!ok && status.startsWith('Failed:')) doc.event.reason = status.slice(7);
    (doc.tls ??= {}).established = ok;
  }
  if (Object.keys(client).length) (doc.tls ??= {}).client = client;
  if (!absent(t[11])) elb.conn_trace_id = t[11];
  doc.network = { transport: 'tcp', protocol: 'tls' };
  doc.aws = { elb };
  return doc;
}

const isDigit = (c: number) => c >= 48 && c <= 57;

/**
 * One access log line of any ELB type.
 * @example parseElbLine('2015-05-13T23:39:43.945958Z my-loadbalancer 192.168.131.39:2817 10.0.0.1:80 0.000073 0.001048 0.000057 200 200 0 29 "GET http://www.example.com:80/ HTTP/1.1" "curl/7.38.0" - -')
 */
export function parseElbLine(line: string): LineResult {
  if (line.trim() === '') return skip('blank');
  const t = tokenize(line);
  if (!t) return new ParseError('unterminated quoted field in ELB access log line');
  if (t.length < 3) return new ParseError(`not an ELB access log line: only ${t.length} fields`);
  const first = t[0];
  if (first === 'tls' && (t[1] === '2.0' || t[1] === '1.0' || t[3]?.startsWith('net/'))) return nlb(t);
  if (ALB_TYPES.has(first) || t[2].startsWith('app/')) return alb(t);
  if (isDigit(first.charCodeAt(0)) && first.length >= 19 && first[4] === '-' && first[10] === 'T') {
    // Both start with a timestamp; a Classic line's second field is the load balancer name, an ALB
    // connection log's the bare client IP (no port).
    if (isIP(t[1]) !== 0) return connection(t);
    return classic(t);
  }
  return new ParseError(`not an ELB access log line: unknown type ${JSON.stringify(first.slice(0, 32))}`);
}

/**
 * ELB access logs (S3 delivery, one line per request or TLS connection).
 * @example elbParser.parse([{ message: 'tls 2.0 2018-12-20T02:59:40 net/my-network-loadbalancer/c6e77e28c25b2234 g3d4b5e8bb8464cd 72.21.218.154:51341 172.100.100.185:443 5 2 98 246 - arn:aws:acm:us-east-2:671290407336:certificate/2a108f19-aded-46b0-8493-c63eb1ef4a99 - ECDHE-RSA-AES128-SHA tlsv12 - my-network-loadbalancer-c6e77e28c25b2234.elb.us-east-2.amazonaws.com - - -', key: 'k' }], {})
 */
export const elbParser: Parser = lineParser('elb', (line) => parseElbLine(line));

/** What this parser handles, the docs it follows and examples that run as tests (test/unit/parser-meta.test.ts). */
export const meta: ParserMeta = {
  id: 'elb',
  dataset: DATASETS.elb,
  title: 'Elastic Load Balancing access logs (Application, Network and Classic Load Balancers) and ALB connection logs',
  docs: [
    'https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-access-logs.html',
    'https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-connection-logs.html',
    'https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-access-logs.html',
    'https://docs.aws.amazon.com/elasticloadbalancing/latest/classic/access-log-collection.html',
  ],
  examples: [
    {
      title: 'Application Load Balancer: HTTP request forwarded to a target',
      input:
        'http 2018-07-02T22:23:00.186641Z app/my-loadbalancer/50dc6c495c0c9188 192.168.131.39:2817 10.0.0.1:80 0.000 0.001 0.000 200 200 34 366 ' +
        '"GET http://www.example.com:80/ HTTP/1.1" "curl/7.46.0" - - arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067 ' +
        '"Root=1-58337262-36d228ad5d99923122bbe354" "-" "-" 0 2018-07-02T22:22:48.364000Z "forward" "-" "-" "10.0.0.1:80" "200" "-" "-"',
      fields: {
        '@timestamp': '2018-07-02T22:23:00.186Z',
        // 12 s from the request's arrival (request_creation_time) to the response, 1 ms of it processing.
        event: { category: ['web'], outcome: 'success', start: '2018-07-02T22:22:48.364Z', end: '2018-07-02T22:23:00.186Z', duration: 11_822_641_000 },
        source: { ip: '192.168.131.39', port: 2817 },
        client: { ip: '192.168.131.39', port: 2817 },
        related: { ip: ['192.168.131.39', '10.0.0.1'] },
        http: { request: { method: 'GET' }, response: { status_code: 200, bytes: 366 } },
        url: { original: 'http://www.example.com:80/', domain: 'www.example.com' },
        user_agent: { original: 'curl/7.46.0' },
        trace: { id: '1-58337262-36d228ad5d99923122bbe354' },
        aws: { elb: { type: 'alb', name: 'my-loadbalancer', actions_executed: ['forward'], backend: { ip: '10.0.0.1', port: 80 } } },
      },
    },
    {
      title: 'Network Load Balancer: TLS connection',
      input:
        'tls 2.0 2018-12-20T02:59:40 net/my-network-loadbalancer/c6e77e28c25b2234 g3d4b5e8bb8464cd 72.21.218.154:51341 172.100.100.185:443 5 2 98 246 - ' +
        'arn:aws:acm:us-east-2:671290407336:certificate/2a108f19-aded-46b0-8493-c63eb1ef4a99 - ECDHE-RSA-AES128-SHA tlsv12 - ' +
        'my-network-loadbalancer-c6e77e28c25b2234.elb.us-east-2.amazonaws.com - - - 2018-12-20T02:59:30',
      fields: {
        event: { category: ['network'], type: ['connection'] },
        source: { ip: '72.21.218.154', port: 51341, bytes: 98 },
        destination: { ip: '172.100.100.185', port: 443, bytes: 246 },
        server: { ip: '172.100.100.185', port: 443 },
        tls: { cipher: 'ECDHE-RSA-AES128-SHA', version: '1.2' },
        aws: { elb: { type: 'nlb', name: 'my-network-loadbalancer', listener_id: 'g3d4b5e8bb8464cd' } },
      },
    },
    {
      title: 'Classic Load Balancer: HTTP request',
      input:
        '2015-05-13T23:39:43.945958Z my-loadbalancer 192.168.131.39:2817 10.0.0.1:80 0.000073 0.001048 0.000057 200 200 0 29 ' +
        '"GET http://www.example.com:80/ HTTP/1.1" "curl/7.38.0" - -',
      fields: {
        '@timestamp': '2015-05-13T23:39:43.945Z',
        source: { ip: '192.168.131.39' },
        http: { request: { method: 'GET' }, response: { status_code: 200, bytes: 29 } },
        aws: { elb: { type: 'classic', name: 'my-loadbalancer', elb_status_code: 200 } },
      },
    },
    {
      title: 'Application Load Balancer connection log (mutual TLS): client certificate that failed verification',
      input:
        '2024-06-10T08:15:02.123456Z 203.0.113.10 50123 443 TLSv1.3 TLS_AES_128_GCM_SHA256 0.004 "CN=client-a,O=Example Test" ' +
        'NotBefore=2024-01-01T00:00:00Z;NotAfter=2025-01-01T00:00:00Z 0A1B2C3D4E5F Failed:ClientCertUntrusted TID_0123456789abcdef0123456789abcdef',
      fields: {
        '@timestamp': '2024-06-10T08:15:02.123Z',
        event: { category: ['network'], type: ['connection'], outcome: 'failure', reason: 'ClientCertUntrusted', duration: 4e6 },
        source: { ip: '203.0.113.10', port: 50123 },
        destination: { port: 443 },
        tls: {
          version: '1.3',
          established: false,
          client: { subject: 'CN=client-a,O=Example Test', not_after: '2025-01-01T00:00:00.000Z', x509: { serial_number: '0A1B2C3D4E5F', subject: { common_name: ['client-a'] } } },
        },
        aws: { elb: { type: 'alb', log_type: 'connection', tls_verify_status: 'Failed:ClientCertUntrusted', conn_trace_id: 'TID_0123456789abcdef0123456789abcdef' } },
      },
    },
  ],
};
