/**
 * AWS Network Firewall logs: alert, flow and TLS logs of the stateful engine, one JSON object per
 * event, from CloudWatch Logs (any log group name), S3
 * (`AWSLogs/<account>/network-firewall/<alert|flow|tls>/<region>/<firewall>/...`) or Firehose. The
 * record wraps a Suricata EVE JSON `event`: `{firewall_name, availability_zone, event_timestamp, event}`.
 *
 * Mapping, as Elastic's AWS integration does: `@timestamp` ← `event.timestamp` (ISO 8601 with a
 * `+0000` offset), else `event_timestamp` (epoch seconds as a string, when the log was written, also
 * `event.created`); `observer.*` is the firewall; `cloud.availability_zone` and `cloud.region` (the
 * zone without its letter); `source.*` / `destination.*`; `network.transport` ← `proto`,
 * `network.protocol` ← `app_proto`. Alerts: `event.kind: alert`, `event.action` ← `alert.action`
 * (`blocked` → `event.type: denied`), `rule.{id,name,category,version}` ← the signature,
 * `event.severity` ← `alert.severity`. Flows: `event.action: netflow`, bytes and packets (one record per
 * direction), `event.start`/`end`. TLS: `tls.client.server_name` ← `sni`, the certificate under
 * `aws.networkfirewall.tls`, revocation checks, TLS errors in `error.message`.
 * `flow_id` is a 64-bit integer: it is read from the text so no digit is lost to a JavaScript number.
 *
 * Docs: https://docs.aws.amazon.com/network-firewall/latest/developerguide/firewall-logging-contents.html
 */
import { IANA, int, ip, ipType, isObj, items, parseJsonObject, port, pushUnique, str, type Obj } from './json-line';
import { badTimeMessage, isoFromSeconds, isoFromString } from './time';
import { DATASETS, lineParser, ParseError, skip, type Fields, type LineResult, type Parser, type ParserMeta } from './types';

type Nfw = NonNullable<NonNullable<Fields['aws']>['networkfirewall']>;

const AZ = /^([a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d{1,2})[a-z]$/;
/** TLS versions as Suricata writes them: `TLS 1.2`, `TLSv1.3`, `SSLv3`. */
const TLS_VERSION = /^(TLS|SSL)\s?v?(\d(?:\.\d)?)$/i;

/** The digits of `flow_id` as written, when the text holds exactly one (a number past 2^53 loses digits in JSON.parse). */
function flowId(line: string, parsed: unknown): string | undefined {
  const at = line.indexOf('"flow_id"');
  if (at >= 0 && line.indexOf('"flow_id"', at + 9) < 0) {
    const m = /^"flow_id"\s*:\s*(-?\d{1,20})\s*[,}]/.exec(line.slice(at, at + 40));
    if (m) return m[1];
  }
  return typeof parsed === 'number' && Number.isSafeInteger(parsed) ? String(parsed) : typeof parsed === 'string' && /^-?\d{1,20}$/.test(parsed) ? parsed : undefined;
}

function endpoints(e: Obj, doc: Fields): void {
  const related: string[] = [];
  const side = (addrKey: string, portKey: string): NonNullable<Fields['source']> | undefined => {
    const raw = str(e[addrKey], 64);
    const p = port(e[portKey]);
    if (raw === undefined && p === undefined) return undefined;
    const out: NonNullable<Fields['source']> = {};
    const addr = ip(raw);
    if (addr) {
      out.ip = addr;
      pushUnique(related, addr);
    } else if (raw) out.address = raw;
    if (p !== undefined) out.port = p;
    return out;
  };
  const s = side('src_ip', 'src_port');
  if (s) doc.source = s;
  const d = side('dest_ip', 'dest_port');
  if (d) doc.destination = d;
  if (related.length) doc.related = { ip: related };
  const network: NonNullable<Fields['network']> = {};
  const proto = str(e.proto, 16)?.toLowerCase();
  if (proto) {
    network.transport = proto;
    const iana = IANA[proto];
    if (iana) network.iana_number = iana;
  }
  const family = s?.ip ?? d?.ip;
  if (family) network.type = ipType(family);
  const app = str(e.app_proto, 32);
  if (app && app !== 'unknown' && app !== 'failed') network.protocol = app.toLowerCase();
  if (Object.keys(network).length) doc.network = network;
}

function alert(a: Obj, doc: Fields, nfw: Nfw): void {
  const action = str(a.action, 32);
  nfw.alert = {};
  if (action) {
    nfw.alert.action = action;
    doc.event!.action = action;
    if (action === 'blocked') doc.event!.type = ['connection', 'denied'];
    else if (action === 'allowed') doc.event!.type = ['connection', 'allowed'];
  }
  const rule: NonNullable<Fields['rule']> = {};
  const sid = int(a.signature_id);
  if (sid !== undefined) {
    nfw.alert.signature_id = sid;
    rule.id = String(sid);
  }
  const signature = str(a.signature, 1024);
  if (signature) rule.name = signature;
  const category = str(a.category, 256);
  if (category) rule.category = category;
  const rev = int(a.rev);
  if (rev !== undefined) rule.version = String(rev);
  if (Object.keys(rule).length) doc.rule = rule;
  const severity = int(a.severity, 0, 255);
  if (severity !== undefined) {
    nfw.alert.severity = severity;
    doc.event!.severity = severity;
  }
}

function netflow(n: Obj, doc: Fields, nfw: Nfw): void {
  const bytes = int(n.bytes);
  const pkts = int(n.pkts);
  // Network Firewall flow records are one direction each: what the source sent.
  if (bytes !== undefined || pkts !== undefined) {
    doc.network ??= {};
    doc.source ??= {};
    if (bytes !== undefined) doc.network.bytes = doc.source.bytes = bytes;
    if (pkts !== undefined) doc.network.packets = doc.source.packets = pkts;
  }
  const start = typeof n.start === 'string' ? isoFromString(n.start) : undefined;
  const end = typeof n.end === 'string' ? isoFromString(n.end) : undefined;
  if (start) doc.event!.start = start;
  if (end) doc.event!.end = end;
  if (start && end && end >= start) doc.event!.duration = (Date.parse(end) - Date.parse(start)) * 1_000_000;
  const out: NonNullable<Nfw['netflow']> = {};
  const age = int(n.age);
  if (age !== undefined) out.age = age;
  const minTtl = int(n.min_ttl, 0, 255);
  if (minTtl !== undefined) out.min_ttl = minTtl;
  const maxTtl = int(n.max_ttl, 0, 255);
  if (maxTtl !== undefined) out.max_ttl = maxTtl;
  if (Object.keys(out).length) nfw.netflow = out;
}

function tls(t: Obj, doc: Fields, nfw: Nfw): void {
  const out: NonNullable<Nfw['tls']> = {};
  const subject = str(t.subject, 1024);
  if (subject) out.subject = subject;
  const issuer = str(t.issuerdn, 1024) ?? str(t.issuer, 1024);
  if (issuer) out.issuer = issuer;
  const serial = str(t.serial, 256);
  if (serial) out.serial = serial;
  const fingerprint = str(t.fingerprint, 256);
  if (fingerprint) out.fingerprint = fingerprint;
  const ja3 = isObj(t.ja3) ? str(t.ja3.hash, 64) : undefined;
  if (ja3) out.ja3 = ja3;
  const ja3s = isObj(t.ja3s) ? str(t.ja3s.hash, 64) : undefined;
  if (ja3s) out.ja3s = ja3s;
  if (typeof t.session_resumed === 'boolean') out.session_resumed = t.session_resumed;
  if (Object.keys(out).length) nfw.tls = out;
  const sni = str(t.sni, 1024);
  const version = typeof t.version === 'string' ? TLS_VERSION.exec(t.version.trim()) : null;
  if (sni || version) {
    doc.tls ??= {};
    if (sni) doc.tls.client = { server_name: sni };
    if (version) {
      doc.tls.version = version[2].includes('.') ? version[2] : `${version[2]}.0`;
      doc.tls.version_protocol = version[1].toLowerCase();
    }
  }
}

function http(h: Obj, doc: Fields): void {
  const host = str(h.hostname, 1024);
  const u = str(h.url);
  if (host || u) {
    const url: NonNullable<Fields['url']> = {};
    if (host) url.domain = host;
    if (u) {
      url.original = u;
      if (u.startsWith('/')) {
        const q = u.indexOf('?');
        url.path = q < 0 ? u : u.slice(0, q);
        if (q >= 0 && q < u.length - 1) url.query = u.slice(q + 1);
      }
    }
    doc.url = url;
  }
  const ua = str(h.http_user_agent, 2048);
  if (ua) doc.user_agent = { original: ua };
  const out: NonNullable<Fields['http']> = {};
  const method = str(h.http_method, 32);
  if (method) out.request = { method };
  const status = int(h.status, 100, 999);
  if (status !== undefined) out.response = { status_code: status };
  const v = typeof h.protocol === 'string' ? /^HTTP\/(\d(?:\.\d)?)$/i.exec(h.protocol) : null;
  if (v) out.version = v[1];
  if (Object.keys(out).length) doc.http = out;
}

/**
 * One Network Firewall log record → document fields, or why it is not one.
 * @example parseNetworkFirewallLine('{"firewall_name":"egress-fw","availability_zone":"eu-west-1a","event_timestamp":"1772359200","event":{...}}')
 */
export function parseNetworkFirewallLine(line: string): LineResult {
  if (!line.trim()) return skip('blank');
  const o = parseJsonObject(line, 'Network Firewall log record');
  if (o instanceof ParseError) return o;
  if (!isObj(o.event)) return new ParseError('not a Network Firewall log record: no "event" object', 'invalid_record');
  const e = o.event;
  const written = typeof o.event_timestamp === 'string' || typeof o.event_timestamp === 'number' ? String(o.event_timestamp) : undefined;
  const created = written !== undefined && /^\d{1,12}(\.\d{1,9})?$/.test(written) ? isoFromSeconds(Number(written)) : undefined;
  const eventTime = typeof e.timestamp === 'string' ? e.timestamp : undefined;
  const at = (eventTime === undefined ? undefined : isoFromString(eventTime)) ?? created;
  if (at === undefined) {
    if (eventTime !== undefined) return new ParseError(badTimeMessage('event.timestamp', eventTime), 'invalid_record');
    return new ParseError(
      written === undefined ? 'Network Firewall record without event.timestamp or event_timestamp' : `event_timestamp is not epoch seconds in the event time window: ${JSON.stringify(written.slice(0, 64))}`,
      'invalid_record',
    );
  }
  const type = str(e.event_type, 32);
  const nfw: Nfw = {};
  const doc: Fields = {
    '@timestamp': at,
    event: { kind: type === 'alert' ? 'alert' : 'event', category: type === 'alert' ? ['network', 'intrusion_detection'] : ['network'], type: ['connection'] },
  };
  if (created && created !== at) doc.event!.created = created;
  if (type) {
    nfw.event_type = type;
    doc.event!.action = type;
  }
  const firewall = str(o.firewall_name, 256);
  doc.observer = { type: 'firewall', vendor: 'AWS', product: 'Network Firewall' };
  if (firewall) {
    nfw.firewall_name = firewall;
    doc.observer.name = firewall;
  }
  const cloud: NonNullable<Fields['cloud']> = { service: { name: 'network-firewall' } };
  const az = str(o.availability_zone, 32);
  if (az) {
    cloud.availability_zone = az;
    const region = AZ.exec(az)?.[1];
    if (region) cloud.region = region;
  }
  doc.cloud = cloud;
  endpoints(e, doc);
  const flow = flowId(line, e.flow_id);
  if (flow) nfw.flow_id = flow;
  const app = str(e.app_proto, 32);
  if (app) nfw.app_proto = app;
  if (typeof e.tls_inspected === 'boolean') nfw.tls_inspected = e.tls_inspected;
  const categories: string[] = [];
  for (const c of items(o.aws_category, 50)) pushUnique(categories, str(c, 256));
  if (categories.length) nfw.aws_category = categories;
  if (isObj(e.alert)) alert(e.alert, doc, nfw);
  if (isObj(e.netflow)) netflow(e.netflow, doc, nfw);
  if (isObj(e.tcp)) {
    const flags = str(e.tcp.tcp_flags, 8);
    if (flags) nfw.tcp_flags = flags;
  }
  if (isObj(e.tls)) tls(e.tls, doc, nfw);
  const sni = str(e.sni, 1024);
  if (sni) (doc.tls ??= {}).client = { server_name: sni };
  if (isObj(e.tls_error)) {
    const m = str(e.tls_error.error_message, 2048);
    if (m) doc.error = { message: m, type: 'tls_error' };
    // ECS network types have no `error`: the error is in `error.*` and the outcome.
    doc.event!.outcome = 'failure';
  }
  if (isObj(e.revocation_check)) {
    const rc: NonNullable<Nfw['revocation_check']> = {};
    const fpr = str(e.revocation_check.leaf_cert_fpr, 256);
    if (fpr) rc.leaf_cert_fpr = fpr;
    const action = str(e.revocation_check.action, 32);
    if (action) rc.action = action;
    const status = str(e.revocation_check.status, 32);
    if (status) rc.status = status;
    if (Object.keys(rc).length) nfw.revocation_check = rc;
    if (action === 'drop' || action === 'reject') doc.event!.type = ['connection', 'denied'];
  }
  if (isObj(e.http)) http(e.http, doc);
  doc.aws = { networkfirewall: nfw };
  return doc;
}

export const networkfirewallParser: Parser = lineParser('networkfirewall', (line) => parseNetworkFirewallLine(line));

/** What this parser handles, the docs it follows and examples that run as tests (test/unit/parser-meta.test.ts). */
export const meta: ParserMeta = {
  id: 'networkfirewall',
  dataset: DATASETS.networkfirewall,
  title: 'AWS Network Firewall alert, flow and TLS logs',
  docs: ['https://docs.aws.amazon.com/network-firewall/latest/developerguide/firewall-logging-contents.html'],
  examples: [
    {
      title: 'Alert: a drop rule blocked a TLS connection (with the attached TLS details)',
      input:
        '{"firewall_name":"egress-fw","availability_zone":"eu-west-1a","event_timestamp":"1772359201","event":{"timestamp":"2026-03-01T10:00:00.512345+0000",' +
        '"flow_id":1845769312331125,"event_type":"alert","src_ip":"10.0.1.25","src_port":40123,"dest_ip":"203.0.113.80","dest_port":443,"proto":"TCP","app_proto":"tls",' +
        '"alert":{"action":"blocked","signature_id":5,"rev":1,"signature":"deny TLS to bad.example.com","category":"","severity":3},' +
        '"tls":{"sni":"bad.example.com","version":"UNDETERMINED"}}}',
      fields: {
        '@timestamp': '2026-03-01T10:00:00.512Z',
        event: { kind: 'alert', action: 'blocked', type: ['connection', 'denied'], severity: 3 },
        rule: { id: '5', name: 'deny TLS to bad.example.com', version: '1' },
        source: { ip: '10.0.1.25', port: 40123 },
        destination: { ip: '203.0.113.80', port: 443 },
        tls: { client: { server_name: 'bad.example.com' } },
        observer: { name: 'egress-fw', type: 'firewall' },
        cloud: { availability_zone: 'eu-west-1a', region: 'eu-west-1' },
        aws: { networkfirewall: { event_type: 'alert', flow_id: '1845769312331125' } },
      },
    },
    {
      title: 'Flow: one direction of a connection, with a 64-bit flow id kept digit for digit',
      input:
        '{"firewall_name":"egress-fw","availability_zone":"us-east-1b","event_timestamp":"1772359260","event":{"timestamp":"2026-03-01T10:00:59.000001+0000",' +
        '"flow_id":9007199254740993123,"event_type":"netflow","src_ip":"10.0.2.9","src_port":51000,"dest_ip":"198.51.100.53","dest_port":53,"proto":"UDP","app_proto":"dns",' +
        '"netflow":{"pkts":2,"bytes":156,"start":"2026-03-01T10:00:30.000001+0000","end":"2026-03-01T10:00:30.020001+0000","age":0,"min_ttl":63,"max_ttl":63}}}',
      fields: {
        event: { kind: 'event', action: 'netflow', start: '2026-03-01T10:00:30.000Z' },
        network: { transport: 'udp', protocol: 'dns', bytes: 156, packets: 2 },
        aws: { networkfirewall: { flow_id: '9007199254740993123', netflow: { min_ttl: 63 } } },
      },
    },
    {
      title: 'A record without the Suricata event fails with the reason',
      input: '{"firewall_name":"egress-fw","availability_zone":"eu-west-1a","event_timestamp":"1772359201"}',
      failure: { type: 'invalid_record', message: 'no "event" object' },
    },
  ],
};
