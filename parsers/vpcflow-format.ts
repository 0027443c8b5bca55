/**
 * VPC and Transit Gateway Flow Logs formats: the field catalogue, the known layouts, and the
 * compiler that turns a `LogFormat` (`${version} ${account-id} ...`, or a header line
 * `version account-id ...`) into a field table the line parser indexes into; and, for headerless
 * lines without a configured format, the inference of the documented layout from the values
 * (`inferLayout`) with the caller-owned, bounded per-log-group memory (`VpcLayoutMemory`).
 *
 * Sources: https://docs.aws.amazon.com/vpc/latest/userguide/flow-log-records.html (fields, versions),
 * https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-records-examples.html (custom formats),
 * https://docs.aws.amazon.com/vpc/latest/tgw/tgw-flow-logs.html#flow-log-records (Transit Gateway).
 */

/** How the line parser treats one field's value. */
export const Kind = {
  /** Copied as-is (string) to `aws.vpcflow.<name>`. */
  Keyword: 0,
  /** Integer copied to `aws.vpcflow.<name>`; a non-numeric value fails the line. */
  Long: 1,
  /** Read by the line parser itself (5-tuple, times, action...). */
  Core: 2,
} as const;
export type Kind = (typeof Kind)[keyof typeof Kind];

/** Positions (token indexes) of the fields the line parser maps itself; -1 when not in the format. */
export interface CorePositions {
  version: number;
  accountId: number;
  interfaceId: number;
  srcaddr: number;
  dstaddr: number;
  srcport: number;
  dstport: number;
  protocol: number;
  packets: number;
  bytes: number;
  start: number;
  end: number;
  action: number;
  logStatus: number;
  instanceId: number;
  tcpFlags: number;
  type: number;
  pktSrcaddr: number;
  pktDstaddr: number;
  region: number;
  azId: number;
  flowDirection: number;
  trafficPath: number;
  rejectReason: number;
}

type CoreKey = keyof CorePositions;

interface FieldDef {
  /** Version that introduced the field (6 = Transit Gateway). */
  version: number;
  kind: Kind;
  core?: CoreKey;
}

const core = (version: number, key: CoreKey): FieldDef => ({ version, kind: Kind.Core, core: key });
const kw = (version: number): FieldDef => ({ version, kind: Kind.Keyword });
const long = (version: number): FieldDef => ({ version, kind: Kind.Long });

/** Every field AWS documents, by its flow log name. Fields not listed here land in `aws.vpcflow.extra`. */
export const FIELDS: Readonly<Record<string, FieldDef>> = {
  version: core(2, 'version'),
  'account-id': core(2, 'accountId'),
  'interface-id': core(2, 'interfaceId'),
  srcaddr: core(2, 'srcaddr'),
  dstaddr: core(2, 'dstaddr'),
  srcport: core(2, 'srcport'),
  dstport: core(2, 'dstport'),
  protocol: core(2, 'protocol'),
  packets: core(2, 'packets'),
  bytes: core(2, 'bytes'),
  start: core(2, 'start'),
  end: core(2, 'end'),
  action: core(2, 'action'),
  'log-status': core(2, 'logStatus'),
  'vpc-id': kw(3),
  'subnet-id': kw(3),
  'instance-id': core(3, 'instanceId'),
  'tcp-flags': core(3, 'tcpFlags'),
  type: core(3, 'type'),
  'pkt-srcaddr': core(3, 'pktSrcaddr'),
  'pkt-dstaddr': core(3, 'pktDstaddr'),
  region: core(4, 'region'),
  'az-id': core(4, 'azId'),
  'sublocation-type': kw(4),
  'sublocation-id': kw(4),
  'pkt-src-aws-service': kw(5),
  'pkt-dst-aws-service': kw(5),
  'flow-direction': core(5, 'flowDirection'),
  'traffic-path': core(5, 'trafficPath'),
  'ecs-cluster-arn': kw(7),
  'ecs-cluster-name': kw(7),
  'ecs-container-instance-arn': kw(7),
  'ecs-container-instance-id': kw(7),
  'ecs-container-id': kw(7),
  'ecs-second-container-id': kw(7),
  'ecs-service-name': kw(7),
  'ecs-task-definition-arn': kw(7),
  'ecs-task-arn': kw(7),
  'ecs-task-id': kw(7),
  'reject-reason': core(8, 'rejectReason'),
  // Transit Gateway flow logs (version 6).
  'resource-type': kw(6),
  'tgw-id': kw(6),
  'tgw-attachment-id': kw(6),
  'tgw-src-vpc-account-id': kw(6),
  'tgw-dst-vpc-account-id': kw(6),
  'tgw-src-vpc-id': kw(6),
  'tgw-dst-vpc-id': kw(6),
  'tgw-src-subnet-id': kw(6),
  'tgw-dst-subnet-id': kw(6),
  'tgw-src-eni': kw(6),
  'tgw-dst-eni': kw(6),
  'tgw-src-az-id': kw(6),
  'tgw-dst-az-id': kw(6),
  'tgw-pair-attachment-id': kw(6),
  'packets-lost-no-route': long(6),
  'packets-lost-blackhole': long(6),
  'packets-lost-mtu-exceeded': long(6),
  'packets-lost-ttl-expired': long(6),
};

/** The default format (version 2 fields, fixed order). */
export const DEFAULT_V2 =
  'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status';

/**
 * Every VPC field in the order of the docs' field table, which is the order the console writes
 * when every field is selected. A headerless line of exactly the first 14/21/25/29/39/40 of them,
 * with the matching version number, is recognised without configuration.
 */
export const ALL_VPC_FIELDS = [
  ...DEFAULT_V2.split(' '),
  'vpc-id', 'subnet-id', 'instance-id', 'tcp-flags', 'type', 'pkt-srcaddr', 'pkt-dstaddr',
  'region', 'az-id', 'sublocation-type', 'sublocation-id',
  'pkt-src-aws-service', 'pkt-dst-aws-service', 'flow-direction', 'traffic-path',
  'ecs-cluster-arn', 'ecs-cluster-name', 'ecs-container-instance-arn', 'ecs-container-instance-id', 'ecs-container-id',
  'ecs-second-container-id', 'ecs-service-name', 'ecs-task-definition-arn', 'ecs-task-arn', 'ecs-task-id',
  'reject-reason',
];

/** The Transit Gateway default format: all TGW fields (`--log-format` unset includes every field). */
export const TGW_DEFAULT =
  'version resource-type account-id tgw-id tgw-attachment-id tgw-src-vpc-account-id tgw-dst-vpc-account-id ' +
  'tgw-src-vpc-id tgw-dst-vpc-id tgw-src-subnet-id tgw-dst-subnet-id tgw-src-eni tgw-dst-eni tgw-src-az-id ' +
  'tgw-dst-az-id tgw-pair-attachment-id srcaddr dstaddr srcport dstport protocol packets bytes start end ' +
  'log-status type packets-lost-no-route packets-lost-blackhole packets-lost-mtu-exceeded packets-lost-ttl-expired ' +
  'tcp-flags region flow-direction pkt-src-aws-service pkt-dst-aws-service';

/** A compiled format: what every token index of a line means. */
export interface CompiledFormat {
  /** The normalized format, `version account-id ...`. */
  readonly text: string;
  readonly fieldCount: number;
  readonly pos: Readonly<CorePositions>;
  /** `[tokenIndex, aws.vpcflow key]` of fields copied as strings. */
  readonly keywords: ReadonlyArray<readonly [number, string]>;
  /** `[tokenIndex, aws.vpcflow key, flow log name]` of integer fields copied as numbers. */
  readonly longs: ReadonlyArray<readonly [number, string, string]>;
  /** `[tokenIndex, flow log name]` of fields this parser does not know. */
  readonly unknown: ReadonlyArray<readonly [number, string]>;
}

const NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/** Splits a format or header into field names: accepts `${a} ${b}`, `a b`, extra whitespace. */
export function formatFields(format: string): string[] | undefined {
  const names = format
    .trim()
    .split(/\s+/)
    .map((t) => (t.startsWith('${') && t.endsWith('}') ? t.slice(2, -1) : t));
  if (!names.length || names.some((n) => !NAME.test(n))) return undefined;
  return names;
}

const cache = new Map<string, CompiledFormat | Error>();
const CACHE_MAX = 256;

function emptyPositions(): CorePositions {
  return {
    version: -1, accountId: -1, interfaceId: -1, srcaddr: -1, dstaddr: -1, srcport: -1, dstport: -1, protocol: -1,
    packets: -1, bytes: -1, start: -1, end: -1, action: -1, logStatus: -1, instanceId: -1, tcpFlags: -1, type: -1,
    pktSrcaddr: -1, pktDstaddr: -1, region: -1, azId: -1, flowDirection: -1, trafficPath: -1, rejectReason: -1,
  };
}

/**
 * Compiles a format once (cached by its text) into a field table.
 * @example compileFormat('${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status}')
 * @returns the table, or an Error saying why the format is unusable.
 */
export function compileFormat(format: string): CompiledFormat | Error {
  const hit = cache.get(format);
  if (hit) return hit;
  const result = compile(format);
  if (cache.size >= CACHE_MAX) cache.clear(); // formats are few per deployment; bound memory anyway
  cache.set(format, result);
  return result;
}

function compile(format: string): CompiledFormat | Error {
  const names = formatFields(format);
  if (!names) return new Error(`invalid VPC flow log format ${JSON.stringify(format.slice(0, 200))}: expected field names like \${version} \${account-id} ...`);
  const seen = new Set<string>();
  const pos = emptyPositions();
  const keywords: [number, string][] = [];
  const longs: [number, string, string][] = [];
  const unknown: [number, string][] = [];
  names.forEach((name, i) => {
    if (seen.has(name)) return; // a repeated field keeps its first position
    seen.add(name);
    const def = Object.prototype.hasOwnProperty.call(FIELDS, name) ? FIELDS[name] : undefined;
    const key = name.replace(/-/g, '_');
    if (!def) unknown.push([i, name]);
    else if (def.kind === Kind.Core) pos[def.core!] = i;
    else if (def.kind === Kind.Long) longs.push([i, key, name]);
    else keywords.push([i, key]);
  });
  return { text: names.join(' '), fieldCount: names.length, pos, keywords, longs, unknown };
}

/** Known field names only flow logs use: hyphenated ones (`account-id`, `log-status`...) and the address/port columns. */
const FLOW_ONLY = (name: string) => name.includes('-') || name === 'srcaddr' || name === 'dstaddr' || name === 'srcport' || name === 'dstport';

/**
 * The LogFormat a VPC Flow Logs header line declares (`${version} ${account-id} ...`), or undefined
 * when the line is not a header. S3-delivered flow logs start each object with a header of field
 * names (https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-s3.html). A line is a header when,
 * split on whitespace runs (leading/trailing whitespace ignored):
 * - it has at least two tokens, every one a field-name-shaped word (`[a-z][a-z0-9]*(-[a-z0-9]+)*`);
 * - at least half of them are fields this parser knows (a header may name fields AWS added later);
 * - at least one known field is a name only flow logs use (hyphenated, or `srcaddr`/`dstaddr`/
 *   `srcport`/`dstport`), so lower-case prose such as `start end action` is no header.
 * The one definition of a header: source detection, the VPC parser (a header governs the lines
 * after it) and S3 ingest (the format of an object's later chunks) all use it.
 * @example headerFormat('version account-id interface-id srcaddr') // '${version} ${account-id} ${interface-id} ${srcaddr}'
 * @example headerFormat('2 123456789010 eni-1235b8ca123456789 172.31.16.139 ...') // undefined
 */
export function headerFormat(line: string): string | undefined {
  let i = 0;
  while (line.charCodeAt(i) === 32 || line.charCodeAt(i) === 9) i++;
  const c = line.charCodeAt(i);
  if (!(c >= 97 && c <= 122)) return undefined; // a header starts with a field name (lower-case letter); records mostly with a digit
  const names = line.trim().split(/\s+/);
  if (names.length < 2) return undefined;
  let known = 0;
  let flowOnly = false;
  for (const name of names) {
    if (!NAME.test(name)) return undefined;
    if (Object.prototype.hasOwnProperty.call(FIELDS, name)) {
      known++;
      flowOnly ||= FLOW_ONLY(name);
    }
  }
  if (!flowOnly || known * 2 < names.length) return undefined;
  return names.map((name) => '${' + name + '}').join(' ');
}

// ---------------------------------------------------------------------------------------------
// Headerless lines: layout inference
//
// Flow logs delivered to CloudWatch Logs carry no header, and a custom LogFormat is known only from
// configuration (`vpcFormat`). Without one, the layout is inferred from the values, among the layouts
// AWS documents, and only when exactly one of them fits: a wrong guess would file wrong addresses
// and ports as evidence, so anything else is a failure naming the `vpcFormat` setting.

/** A documented layout a headerless line may have. */
export interface Layout {
  /** Short name used in messages and tests (`v2-default`, `v5-all`, `doc-21`, `tgw-default`...). */
  readonly id: string;
  /** The format, `version account-id ...`. */
  readonly text: string;
  readonly fields: readonly string[];
  /** The value of `version` a line of this layout carries (the highest field version), if it has the field. */
  readonly version?: string;
  /**
   * AWS appends new fields at the end: a longer line whose version is at least this may be the
   * layout plus fields added later (set for the newest "all fields" layout and the TGW default).
   */
  readonly openFrom?: number;
}

function layout(id: string, fields: readonly string[], openFrom?: number): Layout {
  const versions = fields.map((f) => FIELDS[f]?.version ?? 2);
  const has = fields.includes('version');
  return { id, text: fields.join(' '), fields, version: has ? String(Math.max(...versions)) : undefined, openFrom };
}

const split = (s: string) => s.split(' ');

/**
 * The layouts a headerless line is matched against:
 * - the default (v2) and the console's "all fields" selections for v3, v4, v5, v7 (ECS) and v8
 *   (https://docs.aws.amazon.com/vpc/latest/userguide/flow-log-records.html#flow-logs-fields, table order);
 * - the Transit Gateway default (every TGW field, https://docs.aws.amazon.com/vpc/latest/tgw/tgw-flow-logs.html#flow-log-records);
 * - the custom formats of the AWS examples page (https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-records-examples.html):
 *   NAT gateway (6 fields, no version), Transit Gateway traffic (v3, 17), tcp-flags (v3, 21), traffic path (v5, 29).
 */
export const LAYOUTS: readonly Layout[] = [
  layout('v2-default', ALL_VPC_FIELDS.slice(0, 14)),
  layout('v3-all', ALL_VPC_FIELDS.slice(0, 21)),
  layout('v4-all', ALL_VPC_FIELDS.slice(0, 25)),
  layout('v5-all', ALL_VPC_FIELDS.slice(0, 29)),
  layout('v7-all', ALL_VPC_FIELDS.slice(0, 39)),
  layout('v8-all', ALL_VPC_FIELDS.slice(0, 40), 9),
  layout('tgw-default', split(TGW_DEFAULT), 6),
  layout('doc-6-nat-gateway', split('instance-id interface-id srcaddr dstaddr pkt-srcaddr pkt-dstaddr')),
  layout('doc-17-transit-gateway', split('version interface-id account-id vpc-id subnet-id instance-id srcaddr dstaddr srcport dstport protocol tcp-flags type pkt-srcaddr pkt-dstaddr action log-status')),
  layout('doc-21-tcp-flags', split('version vpc-id subnet-id instance-id interface-id account-id type srcaddr dstaddr srcport dstport pkt-srcaddr pkt-dstaddr protocol bytes packets start end action tcp-flags log-status')),
  layout('doc-29-traffic-path', split('version srcaddr dstaddr srcport dstport protocol start end type packets bytes account-id vpc-id subnet-id instance-id interface-id region az-id sublocation-type sublocation-id action tcp-flags pkt-srcaddr pkt-dstaddr pkt-src-aws-service pkt-dst-aws-service traffic-path flow-direction log-status')),
];

const BY_COUNT = new Map<number, Layout[]>();
for (const l of LAYOUTS) BY_COUNT.set(l.fields.length, [...(BY_COUNT.get(l.fields.length) ?? []), l]);
const OPEN = LAYOUTS.filter((l) => l.openFrom !== undefined);

/** How well a value fits a field: 2 a distinctive match, 1 a plain match, 0 says nothing (`-`, free text), -1 a mismatch. */
type Fit = 2 | 1 | 0 | -1;

const isDigits = (v: string, max: number) => {
  if (v.length === 0 || v.length > max) return false;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
};
const upTo = (v: string, max: number): Fit => (isDigits(v, 5) && +v <= max ? 1 : -1);
const prefixed = (re: RegExp) => (v: string): Fit => (re.test(v) ? 2 : -1);
const oneOf = (...values: string[]) => (v: string): Fit => (values.includes(v) ? 2 : -1);
/** An IPv4 or IPv6 literal, cheaply: digits and dots, or hex digits and colons (the parser validates it fully). */
const ip = (v: string): Fit => (/^\d{1,3}(\.\d{1,3}){3}$/.test(v) || (v.includes(':') && /^[0-9a-fA-F:.]{2,45}$/.test(v)) ? 1 : -1);
const account = (v: string): Fit => (isDigits(v, 12) ? (v.length === 12 ? 2 : 1) : v === 'unknown' ? 2 : -1);
const count = (v: string): Fit => (isDigits(v, 20) ? 1 : -1);
const epoch = (v: string): Fit => (v.length === 10 && isDigits(v, 10) ? 2 : -1);
const any = (): Fit => 0;

const AZ_ID = /^[a-z]{2,6}\d{1,2}-[a-z0-9-]*[a-z]\d{1,2}$/;

const SHAPES: Readonly<Record<string, (v: string) => Fit>> = {
  'account-id': account,
  'tgw-src-vpc-account-id': account,
  'tgw-dst-vpc-account-id': account,
  'interface-id': prefixed(/^eni-[0-9a-f]+$/),
  'tgw-src-eni': prefixed(/^eni-[0-9a-f]+$/),
  'tgw-dst-eni': prefixed(/^eni-[0-9a-f]+$/),
  'vpc-id': prefixed(/^vpc-[0-9a-f]+$/),
  'tgw-src-vpc-id': prefixed(/^vpc-[0-9a-f]+$/),
  'tgw-dst-vpc-id': prefixed(/^vpc-[0-9a-f]+$/),
  'subnet-id': prefixed(/^subnet-[0-9a-f]+$/),
  'tgw-src-subnet-id': prefixed(/^subnet-[0-9a-f]+$/),
  'tgw-dst-subnet-id': prefixed(/^subnet-[0-9a-f]+$/),
  'instance-id': prefixed(/^i-[0-9a-f]+$/),
  'tgw-id': prefixed(/^tgw-[0-9a-f]+$/),
  'tgw-attachment-id': prefixed(/^tgw-attach-[0-9a-f]+$/),
  'tgw-pair-attachment-id': prefixed(/^tgw-attach-[0-9a-f]+$/),
  'resource-type': oneOf('TransitGateway', 'TransitGatewayAttachment'),
  srcaddr: ip,
  dstaddr: ip,
  'pkt-srcaddr': ip,
  'pkt-dstaddr': ip,
  srcport: (v) => upTo(v, 65535),
  dstport: (v) => upTo(v, 65535),
  protocol: (v) => upTo(v, 255),
  'tcp-flags': (v) => upTo(v, 255),
  packets: count,
  bytes: count,
  'packets-lost-no-route': count,
  'packets-lost-blackhole': count,
  'packets-lost-mtu-exceeded': count,
  'packets-lost-ttl-expired': count,
  start: epoch,
  end: epoch,
  action: oneOf('ACCEPT', 'REJECT'),
  'log-status': oneOf('OK', 'NODATA', 'SKIPDATA'),
  type: oneOf('IPv4', 'IPv6', 'EFA'),
  'flow-direction': oneOf('ingress', 'egress'),
  'traffic-path': (v) => (/^[1-8]$/.test(v) ? 1 : -1),
  region: prefixed(/^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$/),
  // Zone ids: `use1-az2`, `apse2-az3`, Local Zones `usw2-lax1-az1`, Wavelength `use1-wl1-bos-wlz1`.
  'az-id': prefixed(AZ_ID),
  'tgw-src-az-id': prefixed(AZ_ID),
  'tgw-dst-az-id': prefixed(AZ_ID),
  'sublocation-type': oneOf('wavelength', 'outpost', 'localzone'),
  'pkt-src-aws-service': (v) => (/^[A-Z][A-Z0-9_]*$/.test(v) ? 1 : -1),
  'pkt-dst-aws-service': (v) => (/^[A-Z][A-Z0-9_]*$/.test(v) ? 1 : -1),
  'ecs-cluster-arn': prefixed(/^arn:aws[a-z-]*:ecs:[^:]*:\d*:cluster\//),
  'ecs-container-instance-arn': prefixed(/^arn:aws[a-z-]*:ecs:[^:]*:\d*:container-instance\//),
  'ecs-task-definition-arn': prefixed(/^arn:aws[a-z-]*:ecs:[^:]*:\d*:task-definition\//),
  'ecs-task-arn': prefixed(/^arn:aws[a-z-]*:ecs:[^:]*:\d*:task\//),
  // Names and ids of ECS objects are free text, but never an ARN or an address.
  'ecs-cluster-name': (v) => (v.startsWith('arn:') ? -1 : 0),
  'ecs-service-name': (v) => (v.startsWith('arn:') ? -1 : 0),
  'reject-reason': (v) => (/^[A-Z][A-Za-z_]*$/.test(v) ? 1 : -1),
};

/** How a line fits one layout: undefined when some value rules it out, else the evidence for it. */
function fit(tokens: readonly string[], l: Layout, prefix: boolean): number | undefined {
  let score = 0;
  const fields = l.fields;
  for (let i = 0; i < fields.length; i++) {
    const v = tokens[i];
    const name = fields[i];
    if (name === 'version') {
      // The version is the highest field version: the layout's, or, for a longer line read as an
      // open layout plus fields AWS added later, at least `openFrom`.
      if (prefix ? !(isDigits(v, 2) && +v >= l.openFrom!) : v !== l.version) return undefined;
      score += 2;
      continue;
    }
    if (v === '-') continue;
    const shape = SHAPES[name];
    const f = shape ? shape(v) : any();
    if (f < 0) return undefined;
    score += f;
  }
  return score;
}

/** The least evidence (two distinctive values, or four plain ones) that lets a line decide its layout alone. */
const MIN_EVIDENCE = 4;

/** What the values of one headerless line say about its layout. */
export type Inference =
  /** Exactly one documented layout fits (`extra` values past its fields are kept by the parser). */
  | { kind: 'match'; layout: Layout }
  /** Several layouts fit, or one on too little evidence (a line of mostly `-`): decided only by the log group's other lines. */
  | { kind: 'ambiguous'; layouts: readonly Layout[] }
  /** No documented layout fits. */
  | { kind: 'none' };

/**
 * The documented layout of a headerless line, from its field count and the shape of its values
 * (version, account ids, `eni-`/`vpc-`/`subnet-`/`i-`/`tgw-` ids, addresses, ports, protocol numbers,
 * epoch seconds, ACCEPT/REJECT, OK/NODATA/SKIPDATA, ingress/egress, regions, ECS ARNs...). A layout
 * is ruled out by any value that cannot be its field (`-` fits every field); a line matches when
 * exactly one layout with its field count is left. A longer line of a version above 8 may be the v8
 * "all fields" layout followed by fields AWS added later (a TGW line: the TGW default and more):
 * the layout is taken and the parser keeps the extra values.
 * @example inferLayout('2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK'.split(' '))
 * // → { kind: 'match', layout: { id: 'v2-default', ... } }
 */
export function inferLayout(tokens: readonly string[]): Inference {
  const n = tokens.length;
  if (n < 6) return { kind: 'none' };
  const exact = BY_COUNT.get(n);
  if (exact) {
    const fits: Layout[] = [];
    let evidence = 0;
    for (const l of exact) {
      const score = fit(tokens, l, false);
      if (score !== undefined) {
        fits.push(l);
        evidence = score;
      }
    }
    // One layout left, with enough values that say so: a line of dashes fits too, but proves nothing.
    if (fits.length === 1 && evidence >= MIN_EVIDENCE) return { kind: 'match', layout: fits[0] };
    if (fits.length) return { kind: 'ambiguous', layouts: fits };
  }
  for (const l of OPEN) if (l.fields.length < n && fit(tokens, l, true) !== undefined) return { kind: 'match', layout: l };
  return { kind: 'none' };
}

/** Layout ids of a log group by field count; `CONFLICT` once two different layouts of one count were seen. */
const CONFLICT = '';

/**
 * What the parser learned about the layouts of headerless flow log lines, per log group, across
 * batches: a NODATA line (mostly `-`) fits several layouts of its field count, and is parsed with
 * the layout that decisive lines of the same log group had. Owned by the caller (one per Lambda
 * container, per CLI run, per replay), passed in `ParseContext.vpcLayouts`, so the parser stays
 * pure. Bounded: at most `maxGroups` log groups (least recently used first out) of a few counts each.
 * Two different layouts seen with one field count in one log group make that count unusable for
 * ambiguous lines (they fail, naming the `vpcFormat` setting) rather than guessed.
 * @example const memory = new VpcLayoutMemory(); vpcflowParser.parse(events, { logGroup: '/flow/prod', vpcLayouts: memory });
 */
export class VpcLayoutMemory {
  private readonly groups = new Map<string, Map<number, string>>();

  constructor(private readonly maxGroups = 1024) {}

  /** Records the layout a decisive line of `group` had. */
  remember(group: string, fieldCount: number, layout: Layout): void {
    let counts = this.groups.get(group);
    if (counts) this.groups.delete(group);
    else {
      if (this.groups.size >= this.maxGroups) this.groups.delete(this.groups.keys().next().value!);
      counts = new Map();
    }
    this.groups.set(group, counts); // most recently used last
    const prev = counts.get(fieldCount);
    if (prev === undefined) {
      if (counts.size < 16) counts.set(fieldCount, layout.id);
    } else if (prev !== layout.id) counts.set(fieldCount, CONFLICT);
  }

  /** The one layout `group` had for lines of `fieldCount` values, if it had exactly one. */
  recall(group: string, fieldCount: number): Layout | 'conflict' | undefined {
    const id = this.groups.get(group)?.get(fieldCount);
    if (id === undefined) return undefined;
    return id === CONFLICT ? 'conflict' : LAYOUTS.find((l) => l.id === id);
  }

  /** How many log groups are remembered (for tests of the bound). */
  get size(): number {
    return this.groups.size;
  }
}
