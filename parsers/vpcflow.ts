/**
 * VPC and Transit Gateway Flow Logs parser (versions 2-8, default and custom formats).
 *
 * A flow record is one line of space-separated values in the order of the flow log's `LogFormat`.
 * The format comes from, in order: an S3 header line in the same batch (it is dropped as `header`
 * and governs the lines after it), `ctx.options.vpcFormat` (CLI `--vpc-format`), or, for headerless
 * lines (CloudWatch Logs delivery) without configuration, the documented layout the values fit
 * (default v2, console "all fields" v3-v8, Transit Gateway default, the AWS example formats:
 * `inferLayout` in `vpcflow-format.ts`), decided per line, by the batch or by the log group's
 * earlier lines (`ctx.vpcLayouts`), never guessed.
 * Formats are compiled once into a field table (see `vpcflow-format.ts`); a line is one
 * `split(' ')` plus indexing. `-` means absent. Fields AWS adds later, and values past the end
 * of the format (`field-<n>`), are kept under `aws.vpcflow.extra` instead of failing the line.
 *
 * Docs: https://docs.aws.amazon.com/vpc/latest/userguide/flow-log-records.html
 */
import { isIP } from 'node:net';
import { EVENT_TIME_WINDOW, inEventWindow, isoFromMillis } from './time';
import { compileFormat, headerFormat, inferLayout, type CompiledFormat, type Layout } from './vpcflow-format';
import { DATASETS, ParseError, type Fields, type Outcome, type ParseContext, type Parser, type ParserMeta, type ParseSession, type RawEvent } from './types';
import { uint } from './tokenize';

/** IANA protocol numbers → ECS `network.transport` names (the common ones in VPC traffic). */
const TRANSPORTS: Record<number, string> = {
  0: 'hopopt', 1: 'icmp', 2: 'igmp', 4: 'ipv4', 6: 'tcp', 17: 'udp', 27: 'rdp', 41: 'ipv6', 43: 'ipv6-route',
  44: 'ipv6-frag', 46: 'rsvp', 47: 'gre', 50: 'esp', 51: 'ah', 58: 'ipv6-icmp', 59: 'ipv6-nonxt', 60: 'ipv6-opts',
  88: 'eigrp', 89: 'ospf', 94: 'ipip', 103: 'pim', 112: 'vrrp', 115: 'l2tp', 132: 'sctp', 136: 'udplite', 137: 'mpls-in-ip',
};

const TCP_FLAGS: ReadonlyArray<readonly [number, string]> = [
  [1, 'fin'], [2, 'syn'], [4, 'rst'], [8, 'psh'], [16, 'ack'], [32, 'urg'], [64, 'ece'], [128, 'cwr'],
];

/** traffic-path codes (egress traffic) from the flow log records documentation. */
const TRAFFIC_PATHS: Record<number, string> = {
  1: 'same-vpc',
  2: 'internet-gateway-or-gateway-endpoint',
  3: 'virtual-private-gateway',
  4: 'vpc-peering-intra-region',
  5: 'vpc-peering-inter-region',
  6: 'local-gateway',
  7: 'gateway-vpc-endpoint',
  8: 'internet-gateway',
};

const ACCOUNT_ID = /^\d{12}$/;
/** At most this many values past the format are kept (`aws.vpcflow.extra`); a line is bounded anyway. */
const MAX_EXTRA_VALUES = 64;


const validIp = (s: string) => isIP(s) !== 0 && !s.includes('%');

function shortFormat(f: CompiledFormat): string {
  return f.text.length > 120 ? f.text.slice(0, 117) + '...' : f.text;
}

/** Token `i` of a record, undefined when the field is not in the format or is `-`. */
function val(t: readonly string[], i: number): string | undefined {
  return i < 0 || t[i] === '-' ? undefined : t[i];
}

function bad(t: readonly string[], field: string, i: number, what: string): ParseError {
  return new ParseError(`${field} is not ${what}: ${JSON.stringify(t[i].slice(0, 64))}`);
}

const PAD2 = Array.from({ length: 60 }, (_, i) => (i < 10 ? '0' : '') + i);
let cachedDay = NaN;
let cachedPrefix = '';

/**
 * ISO 8601 of whole epoch seconds without a `Date` per record: flow records of a batch share a
 * few days, so the `YYYY-MM-DDT` prefix is cached and the time of day is built from a table.
 */
function isoFromEpochSeconds(s: number): string | undefined {
  if (!inEventWindow(s * 1000)) return undefined; // the event time window of time.ts
  const day = Math.floor(s / 86400);
  if (day !== cachedDay) {
    const iso = isoFromMillis(day * 86400000);
    if (iso === undefined) return undefined;
    cachedPrefix = iso.slice(0, 11);
    cachedDay = day;
  }
  const sec = s - day * 86400;
  const h = Math.floor(sec / 3600);
  const m = Math.floor((sec - h * 3600) / 60);
  return `${cachedPrefix}${PAD2[h]}:${PAD2[m]}:${PAD2[sec - h * 3600 - m * 60]}.000Z`;
}

/** Splits on runs of whitespace, for the rare line with stray spaces (one AWS docs example has a double space). */
const looseSplit = (line: string) => line.trim().split(/\s+/);

/**
 * Maps one record of a known format to document fields.
 * @example mapRecord('2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK', compiled)
 */
export function mapRecord(line: string, format: CompiledFormat): Fields | ParseError {
  return mapTokens(line.split(' '), line, format);
}

function mapTokens(split: string[], line: string, format: CompiledFormat): Fields | ParseError {
  let t = split;
  if (t.length !== format.fieldCount) t = looseSplit(line);
  if (t.length < format.fieldCount)
    return new ParseError(`expected ${format.fieldCount} fields for VPC flow log format "${shortFormat(format)}", got ${t.length}`);
  const p = format.pos;

  const aws: Record<string, unknown> = {};
  const event: NonNullable<Fields['event']> = { category: ['network'] };
  const doc: Fields = { event };
  const cloud: NonNullable<Fields['cloud']> = {};
  const network: NonNullable<Fields['network']> = {};
  const related: string[] = [];
  let source: NonNullable<Fields['source']> | undefined;
  let destination: NonNullable<Fields['destination']> | undefined;

  let s = val(t, p.version);
  if (s !== undefined) aws.version = s;
  s = val(t, p.accountId);
  if (s !== undefined) {
    if (ACCOUNT_ID.test(s)) cloud.account = { id: s };
    else aws.account_id = s;
  }
  s = val(t, p.interfaceId);
  if (s !== undefined) aws.interface_id = s;

  let family: 4 | 6 | undefined;
  s = val(t, p.srcaddr);
  if (s !== undefined) {
    const fam = isIP(s);
    if (fam === 0 || s.includes('%')) return bad(t, 'srcaddr', p.srcaddr, 'an IP address');
    family = fam as 4 | 6;
    source = { ip: s };
    related.push(s);
  }
  s = val(t, p.dstaddr);
  if (s !== undefined) {
    const fam = isIP(s);
    if (fam === 0 || s.includes('%')) return bad(t, 'dstaddr', p.dstaddr, 'an IP address');
    family ??= fam as 4 | 6;
    destination = { ip: s };
    if (!related.includes(s)) related.push(s);
  }
  s = val(t, p.srcport);
  if (s !== undefined) {
    const n = uint(s);
    if (!(n <= 65535)) return bad(t, 'srcport', p.srcport, 'a port number');
    (source ??= {}).port = n;
  }
  s = val(t, p.dstport);
  if (s !== undefined) {
    const n = uint(s);
    if (!(n <= 65535)) return bad(t, 'dstport', p.dstport, 'a port number');
    (destination ??= {}).port = n;
  }
  s = val(t, p.protocol);
  if (s !== undefined) {
    const n = uint(s);
    if (!(n <= 255)) return bad(t, 'protocol', p.protocol, 'an IANA protocol number');
    network.iana_number = s;
    const name = TRANSPORTS[n];
    if (name) network.transport = name;
  }
  s = val(t, p.packets);
  if (s !== undefined) {
    const n = uint(s);
    if (Number.isNaN(n)) return bad(t, 'packets', p.packets, 'a number');
    (source ??= {}).packets = n;
    network.packets = n;
  }
  s = val(t, p.bytes);
  if (s !== undefined) {
    const n = uint(s);
    if (Number.isNaN(n)) return bad(t, 'bytes', p.bytes, 'a number');
    (source ??= {}).bytes = n;
    network.bytes = n;
  }

  let start: number | undefined;
  let end: number | undefined;
  s = val(t, p.start);
  if (s !== undefined) {
    start = uint(s);
    const iso = isoFromEpochSeconds(start);
    if (iso === undefined) return bad(t, 'start', p.start, Number.isNaN(start) ? 'epoch seconds' : `a time in ${EVENT_TIME_WINDOW}`);
    event.start = iso;
  }
  s = val(t, p.end);
  if (s !== undefined) {
    end = uint(s);
    const iso = isoFromEpochSeconds(end);
    if (iso === undefined) return bad(t, 'end', p.end, Number.isNaN(end) ? 'epoch seconds' : `a time in ${EVENT_TIME_WINDOW}`);
    event.end = iso;
  }
  if (event.start !== undefined || event.end !== undefined) doc['@timestamp'] = event.start ?? event.end;
  if (start !== undefined && end !== undefined && end >= start) event.duration = (end - start) * 1e9;

  s = val(t, p.action);
  if (s !== undefined) {
    const action = s.toLowerCase();
    event.action = action;
    if (action === 'accept') {
      event.type = ['connection', 'allowed'];
      event.outcome = 'success';
    } else if (action === 'reject') {
      event.type = ['connection', 'denied'];
      event.outcome = 'failure';
    } else event.type = ['connection'];
  }
  s = val(t, p.logStatus);
  if (s !== undefined) aws.log_status = s;
  // A record with traffic but no action column (Transit Gateway, custom formats) is still a connection.
  if (event.type === undefined && (source !== undefined || destination !== undefined) && s !== 'NODATA' && s !== 'SKIPDATA')
    event.type = ['connection'];
  // NODATA (no traffic in the window) and SKIPDATA (records skipped): a statement about the interface, no connection.
  if (event.type === undefined) event.type = ['info'];

  s = val(t, p.instanceId);
  if (s !== undefined) cloud.instance = { id: s };
  s = val(t, p.tcpFlags);
  if (s !== undefined) {
    const n = uint(s);
    if (!(n <= 255)) return bad(t, 'tcp-flags', p.tcpFlags, 'a TCP flags bitmask');
    aws.tcp_flags = n;
    const names: string[] = [];
    for (const [bit, name] of TCP_FLAGS) if (n & bit) names.push(name);
    if (names.length) aws.tcp_flags_array = names;
  }
  s = val(t, p.type);
  if (s !== undefined) {
    aws.type = s;
    if (s === 'IPv4') network.type = 'ipv4';
    else if (s === 'IPv6') network.type = 'ipv6';
  } else if (family !== undefined) network.type = family === 4 ? 'ipv4' : 'ipv6';
  s = val(t, p.pktSrcaddr);
  if (s !== undefined) {
    if (!validIp(s)) return bad(t, 'pkt-srcaddr', p.pktSrcaddr, 'an IP address');
    aws.pkt_srcaddr = s;
    if (!related.includes(s)) related.push(s);
  }
  s = val(t, p.pktDstaddr);
  if (s !== undefined) {
    if (!validIp(s)) return bad(t, 'pkt-dstaddr', p.pktDstaddr, 'an IP address');
    aws.pkt_dstaddr = s;
    if (!related.includes(s)) related.push(s);
  }
  s = val(t, p.region);
  if (s !== undefined) cloud.region = s;
  s = val(t, p.azId);
  if (s !== undefined) cloud.availability_zone = s;
  s = val(t, p.flowDirection);
  if (s !== undefined) {
    aws.flow_direction = s;
    if (s === 'ingress' || s === 'egress') network.direction = s;
  }
  s = val(t, p.trafficPath);
  if (s !== undefined) {
    const n = uint(s);
    if (Number.isNaN(n)) return bad(t, 'traffic-path', p.trafficPath, 'a number');
    aws.traffic_path = n;
    const name = TRAFFIC_PATHS[n];
    if (name) aws.traffic_path_name = name;
  }
  s = val(t, p.rejectReason);
  if (s !== undefined) {
    aws.reject_reason = s;
    event.reason = s;
  }

  for (const [i, key] of format.keywords) {
    const x = t[i];
    if (x !== '-') aws[key] = x;
  }
  for (const [i, key, name] of format.longs) {
    const x = t[i];
    if (x === '-') continue;
    const n = uint(x);
    if (Number.isNaN(n)) return bad(t, name, i, 'a number');
    aws[key] = n;
  }
  if (format.unknown.length || t.length > format.fieldCount) {
    let extra: Record<string, string> | undefined;
    for (const [i, name] of format.unknown) if (t[i] !== '-') (extra ??= {})[name] = t[i];
    // Values past the format (a field AWS added after the format was written down, or a format
    // that changed): kept by their 1-based position, `field-15`, rather than failing the line.
    for (let i = format.fieldCount; i < t.length && i < format.fieldCount + MAX_EXTRA_VALUES; i++)
      if (t[i] !== '-') (extra ??= {})[`field-${i + 1}`] = t[i].slice(0, 1024);
    if (extra) aws.extra = extra;
  }

  if (cloud.account || cloud.instance || cloud.region || cloud.availability_zone) doc.cloud = cloud;
  if (source) doc.source = source;
  if (destination) doc.destination = destination;
  if (network.iana_number !== undefined || network.packets !== undefined || network.bytes !== undefined || network.type || network.direction)
    doc.network = network;
  if (related.length) doc.related = { ip: related };
  doc.aws = { vpcflow: aws };
  return doc;
}

function configuredFormat(ctx: ParseContext): CompiledFormat | Error | undefined {
  const f = ctx.options?.vpcFormat;
  return f === undefined || f.trim() === '' ? undefined : compileFormat(f);
}

/** How to give the format of headerless lines: the settings that carry `vpcFormat`. */
const VPC_FORMAT_HINT =
  "set the flow log's LogFormat as vpcFormat (SOURCE_OPTIONS or a source mapping's vpcFormat; --vpc-format on the CLI)";

/** A line whose layout its values alone do not decide: settled after the batch, by the log group's other lines. */
interface Pending {
  index: number;
  tokens: string[];
  line: string;
  layouts: readonly Layout[];
}

/** Lines too short or too long are not worth explaining value by value. */
function unknownFormat(index: number, tokens: readonly string[]): Outcome {
  return {
    kind: 'failure',
    index,
    message:
      `unknown VPC flow log format: no header line in this batch, no configured format, and the ${tokens.length} values fit none ` +
      `of the documented layouts (default v2, "all fields" v3-v8, Transit Gateway default, the AWS example formats); ${VPC_FORMAT_HINT}`,
    type: 'unknown_format',
  };
}

function document(index: number, r: Fields | ParseError): Outcome {
  return r instanceof ParseError ? { kind: 'failure', index, message: r.message, type: r.type } : { kind: 'document', fields: r, indices: [index] };
}

/**
 * The parse of one batch as a session over its slices (`Parser.session`): lines in order, a header
 * line or a configured format applying to the lines after it; a headerless line takes the documented
 * layout its values fit (`inferLayout`), and a line that fits several (mostly `-`, NODATA) is held
 * back until `end`, when the decisive lines of the whole batch, else of the log group
 * (`ctx.vpcLayouts`), decide it, or it fails naming the `vpcFormat` setting.
 */
function vpcSession(ctx: ParseContext): ParseSession {
  const configured = configuredFormat(ctx);
  const group = ctx.logGroup ?? (ctx.s3 ? `s3://${ctx.s3.bucket}/${ctx.s3.key}` : '');
  let header: CompiledFormat | undefined;
  // Layouts the decisive lines of this batch had, by field count (`conflict`: two different ones).
  const seen = new Map<number, Layout | 'conflict'>();
  const pending: Pending[] = [];
  return {
    parse(events, offset) {
      const out: Outcome[] = [];
      for (let i = 0; i < events.length; i++) {
        const index = offset + i;
        const line = events[i].message;
        if (line.trim() === '') {
          out.push({ kind: 'drop', index, reason: 'blank' });
          continue;
        }
        const h = headerFormat(line);
        if (h !== undefined) {
          header = compileFormat(h) as CompiledFormat; // a header's names are valid: compiling cannot fail
          out.push({ kind: 'drop', index, reason: 'header' });
          continue;
        }
        const split = line.split(' ');
        const format: CompiledFormat | Error | undefined = header ?? configured;
        if (format instanceof Error) {
          out.push({ kind: 'failure', index, message: format.message, type: 'invalid_format' });
          continue;
        }
        if (format !== undefined) {
          out.push(document(index, mapTokens(split, line, format)));
          continue;
        }
        const tokens = split.includes('') ? looseSplit(line) : split;
        const inferred = inferLayout(tokens);
        if (inferred.kind === 'none') out.push(unknownFormat(index, tokens));
        else if (inferred.kind === 'ambiguous') pending.push({ index, tokens, line, layouts: inferred.layouts });
        else {
          const n = tokens.length;
          const prev = seen.get(n);
          if (prev === undefined) seen.set(n, inferred.layout);
          else if (prev !== inferred.layout) seen.set(n, 'conflict');
          ctx.vpcLayouts?.remember(group, n, inferred.layout);
          out.push(document(index, mapTokens(tokens, line, compileFormat(inferred.layout.text) as CompiledFormat)));
        }
      }
      return out;
    },
    end() {
      return pending.map((p): Outcome => {
        const n = p.tokens.length;
        const known = seen.get(n) ?? ctx.vpcLayouts?.recall(group, n);
        if (known !== undefined && known !== 'conflict' && p.layouts.includes(known))
          return document(p.index, mapTokens(p.tokens, p.line, compileFormat(known.text) as CompiledFormat));
        return {
          kind: 'failure',
          index: p.index,
          message:
            `ambiguous VPC flow log format: the ${n} values fit ${p.layouts.map((l) => l.id).join(' and ')}` +
            (known === 'conflict' ? `, and this log group's lines had both` : ', and no other line of this log group decided it') +
            `; ${VPC_FORMAT_HINT}`,
          type: 'ambiguous_format',
        };
      });
    },
  };
}

const outcomeIndex = (o: Outcome) => (o.kind === 'document' ? o.indices[0] : o.index);

/**
 * Parses one batch (a CloudWatch Logs delivery, or one S3 object) of flow records in order (see
 * `vpcSession`): outcomes in event order.
 * @example vpcflowParser.parse([{ message: '2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK', key: 'k' }], {})
 */
export const vpcflowParser: Parser = {
  source: 'vpcflow',
  parse(events: readonly RawEvent[], ctx: ParseContext): Outcome[] {
    const session = vpcSession(ctx);
    const out: Outcome[] = new Array(events.length);
    for (const o of session.parse(events, 0)) out[outcomeIndex(o)] = o;
    for (const o of session.end()) out[outcomeIndex(o)] = o;
    return out;
  },
  session: vpcSession,
};

/** What this parser handles, the docs it follows and examples that run as tests (test/unit/parser-meta.test.ts). */
export const meta: ParserMeta = {
  id: 'vpcflow',
  dataset: DATASETS.vpcflow,
  title: 'VPC and Transit Gateway Flow Logs (versions 2-8, default and custom formats)',
  docs: [
    'https://docs.aws.amazon.com/vpc/latest/userguide/flow-log-records.html',
    'https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-records-examples.html',
    'https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-s3.html',
    'https://docs.aws.amazon.com/vpc/latest/tgw/tgw-flow-logs.html#flow-log-records',
  ],
  examples: [
    {
      title: 'Default format (version 2): accepted SSH traffic',
      input: '2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK',
      fields: {
        '@timestamp': '2014-12-14T04:06:50.000Z',
        event: { action: 'accept', outcome: 'success', type: ['connection', 'allowed'], duration: 60e9 },
        source: { ip: '172.31.16.139', port: 20641, packets: 20, bytes: 4249 },
        destination: { ip: '172.31.16.21', port: 22 },
        network: { transport: 'tcp', iana_number: '6' },
        cloud: { account: { id: '123456789010' } },
        aws: { vpcflow: { version: '2', interface_id: 'eni-1235b8ca123456789', log_status: 'OK' } },
      },
    },
    {
      title: 'S3 delivery: the header line (dropped as `header`) gives the custom format of the records after it',
      input: [
        'version vpc-id subnet-id instance-id interface-id account-id type srcaddr dstaddr srcport dstport pkt-srcaddr pkt-dstaddr protocol bytes packets start end action tcp-flags log-status',
        '3 vpc-abcdefab012345678 subnet-aaaaaaaa012345678 i-01234567890123456 eni-1235b8ca123456789 123456789010 IPv4 52.213.180.42 10.0.0.62 43416 5001 52.213.180.42 10.0.0.62 6 568 8 1566848875 1566848933 ACCEPT 2 OK',
      ],
      fields: {
        source: { ip: '52.213.180.42', port: 43416, bytes: 568, packets: 8 },
        destination: { ip: '10.0.0.62', port: 5001 },
        cloud: { instance: { id: 'i-01234567890123456' } },
        aws: { vpcflow: { version: '3', vpc_id: 'vpc-abcdefab012345678', tcp_flags: 2, tcp_flags_array: ['syn'] } },
      },
    },
    {
      title: 'CloudWatch Logs delivery (no header): the custom tcp-flags layout of the AWS examples is inferred from the values',
      input: '3 vpc-abcdefab012345678 subnet-aaaaaaaa012345678 i-01234567890123456 eni-1235b8ca123456789 123456789010 IPv4 52.213.180.42 10.0.0.62 43416 5001 52.213.180.42 10.0.0.62 6 568 8 1566848875 1566848933 ACCEPT 2 OK',
      fields: {
        source: { ip: '52.213.180.42', port: 43416, bytes: 568, packets: 8 },
        cloud: { account: { id: '123456789010' }, instance: { id: 'i-01234567890123456' } },
        aws: { vpcflow: { version: '3', vpc_id: 'vpc-abcdefab012345678', tcp_flags: 2 } },
      },
    },
    {
      title: 'A headerless line no documented layout fits fails, naming the vpcFormat setting',
      input: '3 10.0.0.62 52.213.180.42 43416 5001 6 568 8 ACCEPT',
      failure: { type: 'unknown_format', message: 'vpcFormat' },
    },
  ],
};
