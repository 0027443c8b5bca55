/**
 * VPC and Transit Gateway Flow Logs formats: the field catalogue, the known layouts, and the
 * compiler that turns a `LogFormat` (`${version} ${account-id} ...`, or a header line
 * `version account-id ...`) into a field table the line parser indexes into.
 *
 * Sources: https://docs.aws.amazon.com/vpc/latest/userguide/flow-log-records.html (fields, versions),
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

const ALL_FIELDS_BOUNDARIES: ReadonlyArray<readonly [number, string]> = [
  [14, '2'],
  [21, '3'],
  [25, '4'],
  [29, '5'],
  [39, '7'],
  [40, '8'],
];

const ALL_FIELDS_FORMATS = new Map(ALL_FIELDS_BOUNDARIES.map(([n, v]) => [n, [v, ALL_VPC_FIELDS.slice(0, n).join(' ')] as const]));
const TGW_FIELD_COUNT = TGW_DEFAULT.split(' ').length;

/**
 * The format of a headerless line, when its shape says it unambiguously: the default v2 layout, a
 * console "all fields" layout (version number must match the field count), or the TGW default.
 */
export function detectFormat(tokens: readonly string[]): string | undefined {
  const n = tokens.length;
  if (n === TGW_FIELD_COUNT && tokens[0] === '6' && (tokens[1] === 'TransitGateway' || tokens[1] === 'TransitGatewayAttachment'))
    return TGW_DEFAULT;
  const all = ALL_FIELDS_FORMATS.get(n);
  if (all && tokens[0] === all[0] && (tokens[2].startsWith('eni-') || tokens[2] === '-')) return all[1];
  return undefined;
}
