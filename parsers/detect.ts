/**
 * Source detection: envelope metadata first (configured mappings, log group names, S3 key layout),
 * then content. Anything unrecognised is an application log: detection never fails.
 *
 * Rules, in order (first match wins):
 * 1. Configured mappings (`pattern` against the log group, or the S3 key for S3 deliveries).
 * 2. Log group conventions: `/aws/lambda/<fn>` → lambda; `API-Gateway-Execution-Logs_<api>/<stage>`,
 *    `/aws/apigateway/...` → apigateway; `/aws/vpc/...` or names containing `vpc-flow`, `flowlogs` → vpcflow;
 *    names containing `cloudtrail` → cloudtrail; containing `auditd`, `/var/log/audit`, `audit.log` or `selinux` → auditd;
 *    `elasticloadbalancing` or a `/aws/elb` prefix → elb.
 * 3. S3 key layout `AWSLogs/[o-org/]<acct>/{elasticloadbalancing|CloudTrail|vpcflowlogs}/...`.
 * 4. Content of the first non-blank events (JSON keys are checked on the parsed object, never by
 *    searching the text, so an app log whose message mentions "eventVersion" stays `app`).
 * 5. `app`.
 */
import { tooManyContainers } from './json';
import type { ParseContext, RawEvent, SourceId, SourceOptions } from './types';
import { headerFormat } from './vpcflow-format';

/**
 * A configured override: log groups (or S3 keys) matching `pattern` (a prefix, or a glob with `*`)
 * are `source`; `vpcFormat` is the custom VPC Flow Logs format of those groups (headerless lines).
 * @example { pattern: '/org/network/flow-*', source: 'vpcflow', vpcFormat: '${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr}' }
 */
export interface SourceMapping {
  pattern: string;
  source: SourceId;
  vpcFormat?: string;
}

const globCache = new Map<string, RegExp>();

/** Whether `value` matches `pattern`: a prefix, or a `*` glob over the whole value. */
export function globMatch(pattern: string, value: string): boolean {
  if (!pattern.includes('*')) return value.startsWith(pattern);
  let re = globCache.get(pattern);
  if (!re) {
    re = new RegExp('^' + pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*') + '$', 's');
    if (globCache.size > 1000) globCache.clear();
    globCache.set(pattern, re);
  }
  return re.test(value);
}

/**
 * Source from a log group name, by AWS naming conventions.
 * @example sourceFromLogGroup('/aws/lambda/orders-api') // 'lambda'
 */
export function sourceFromLogGroup(logGroup: string): SourceId | undefined {
  const g = logGroup.toLowerCase();
  if (g.startsWith('/aws/lambda/')) return 'lambda';
  if (g.startsWith('api-gateway-execution-logs_') || g.startsWith('/aws/apigateway/') || g.includes('apigateway-access') || g.includes('api-gateway-access'))
    return 'apigateway';
  if (g.startsWith('/aws/vpc/') || g.includes('vpc-flow') || g.includes('vpcflow') || g.includes('flowlogs') || g.includes('flow-logs'))
    return 'vpcflow';
  if (g.includes('cloudtrail')) return 'cloudtrail';
  if (g.includes('auditd') || g.includes('/var/log/audit') || g.includes('audit.log') || g.includes('selinux')) return 'auditd';
  if (g.includes('elasticloadbalancing') || g.startsWith('/aws/elb') || g.includes('alb-access') || g.includes('elb-access'))
    return 'elb';
  return undefined;
}

/**
 * Source from an S3 key in the AWS delivery layouts (`AWSLogs/<account>/<service>/<region>/...`).
 * @example sourceFromS3Key('AWSLogs/123456789012/elasticloadbalancing/us-east-1/2026/03/01/x.log.gz') // 'elb'
 */
export function sourceFromS3Key(key: string): SourceId | undefined {
  const k = key.toLowerCase();
  if (k.includes('/elasticloadbalancing/')) return 'elb';
  if (k.includes('/cloudtrail/') || k.includes('/cloudtrail-insight/')) return 'cloudtrail';
  if (k.includes('/vpcflowlogs/')) return 'vpcflow';
  return undefined;
}

const VPC_V2 = /^\d+ (\d{12}|-|unknown) (eni-|tgw-|-)/;
// Transit Gateway flow logs' default layout starts `6 TransitGateway <account> tgw-...`.
const VPC_TGW = /^\d+ TransitGateway(Attachment)? \d{12} tgw-/;
const ALB_OR_CLASSIC = /^(https?|h2|grpcs|wss?|tls) \S+Z \S+ \S+ /;
const NLB = /^tls \d\.\d \d{4}-\d{2}-\d{2}T\S+ net\//;
const CLASSIC_ELB = /^\d{4}-\d{2}-\d{2}T\S+Z \S+ \d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}:\d+ /;
const AUDIT = /(^|\s)type=[A-Z_]+(\[\d+\])? msg=audit\(\d+\.\d+:\d+\)/;
const LAMBDA_PLATFORM = /^(?:(?:START|END|REPORT) RequestId: |INIT_START Runtime Version: |INIT_REPORT Init Duration: |(?:EXTENSION|TELEMETRY|LOGS)\tName: )/;
const LAMBDA_NODE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z\t(?:[0-9a-z]{8}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{12}|undefined)\t[A-Z]{4,5}\t/;
const LAMBDA_PYTHON = /^\[[A-Z]{4,8}\]\t\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{1,6}Z\t[0-9a-z]{8}-[0-9a-z]{4}-/;
const APIGW_EXECUTION = /^\([0-9a-zA-Z-]{8,64}\) /;

/** Keys of a JSON object, lower-cased without `_`, so `request_id` and `requestId` compare equal. */
function keySet(o: Record<string, unknown>): Set<string> {
  const s = new Set<string>();
  for (const k of Object.keys(o)) s.add(k.toLowerCase().replace(/_/g, ''));
  return s;
}

/** Source of a parsed JSON record, by its keys. */
export function sourceFromJson(o: Record<string, unknown>): SourceId {
  const k = keySet(o);
  // CloudTrail's eventSource is a service endpoint (`s3.amazonaws.com`); S3/Kinesis/SQS notification
  // records share the key names but say `aws:s3`, `aws:kinesis`.
  if (
    typeof o.eventVersion === 'string' &&
    typeof o.eventSource === 'string' &&
    o.eventSource.endsWith('.amazonaws.com') &&
    typeof o.eventName === 'string' &&
    ('userIdentity' in o || 'eventTime' in o)
  )
    return 'cloudtrail';
  // CloudTrail Insights records carry no eventSource.
  if (typeof o.eventVersion === 'string' && typeof o.insightDetails === 'object' && o.insightDetails !== null) return 'cloudtrail';
  // JSON log format / Telemetry API records: `{time, type: "platform.*" | "function" | "extension", record}`.
  if (typeof o.type === 'string' && 'record' in o && (o.type.startsWith('platform.') || ((o.type === 'function' || o.type === 'extension') && 'time' in o)))
    return 'lambda';
  if (typeof o.requestId === 'string' && 'level' in o && 'timestamp' in o) return 'lambda';
  const request = k.has('requestid') || k.has('apiid') || k.has('extendedrequestid');
  const route = k.has('httpmethod') || k.has('routekey') || k.has('resourcepath');
  const result = k.has('status') || k.has('statuscode') || k.has('responselength') || k.has('protocol') || k.has('integrationstatus');
  if (request && route && result) return 'apigateway';
  return 'app';
}

/**
 * Source from the content of one message, or undefined when it says nothing.
 * @example sourceFromContent('2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK') // 'vpcflow'
 */
export function sourceFromContent(message: string): SourceId | undefined {
  const m = message.trimStart();
  if (m.startsWith('{')) {
    if (tooManyContainers(m)) return 'app'; // not parsed: see MAX_JSON_CONTAINERS
    try {
      const o: unknown = JSON.parse(m);
      if (typeof o === 'object' && o !== null && !Array.isArray(o)) return sourceFromJson(o as Record<string, unknown>);
    } catch {
      /* broken JSON: an application line */
    }
    return 'app';
  }
  const c = m.charCodeAt(0);
  if (c >= 48 && c <= 57) {
    if (VPC_V2.test(m) || VPC_TGW.test(m)) return 'vpcflow';
    if (CLASSIC_ELB.test(m)) return 'elb';
    if (LAMBDA_NODE.test(m)) return 'lambda';
  }
  if (LAMBDA_PLATFORM.test(m) || LAMBDA_PYTHON.test(m)) return 'lambda';
  if (ALB_OR_CLASSIC.test(m) || NLB.test(m)) return 'elb';
  if (headerFormat(m) !== undefined) return 'vpcflow';
  if (APIGW_EXECUTION.test(m)) return 'apigateway';
  if (m.length < 65536 && AUDIT.test(m)) return 'auditd';
  return undefined;
}

function mappingFor(ctx: ParseContext, mappings: readonly SourceMapping[]): SourceMapping | undefined {
  for (const m of mappings) {
    if (ctx.logGroup !== undefined && globMatch(m.pattern, ctx.logGroup)) return m;
    if (ctx.s3 && globMatch(m.pattern, ctx.s3.key)) return m;
  }
  return undefined;
}

/** Picks the source of a batch: configured mappings, then envelope metadata, then content, then `app`. */
export function detectSource(ctx: ParseContext, events: readonly RawEvent[], mappings: readonly SourceMapping[] = []): SourceId {
  return resolveSource(ctx, events, mappings).source;
}

/**
 * Source and parser options of a batch, for handlers: the matching mapping's `vpcFormat` overrides
 * `ctx.options.vpcFormat` (a per-log-group setting is more specific than the global `SOURCE_OPTIONS`).
 * @example resolveSource({ logGroup: '/org/flow-a' }, events, [{ pattern: '/org/flow-*', source: 'vpcflow', vpcFormat: '${srcaddr} ${dstaddr}' }])
 * // → { source: 'vpcflow', options: { vpcFormat: '${srcaddr} ${dstaddr}' } }
 */
export function resolveSource(
  ctx: ParseContext,
  events: readonly RawEvent[],
  mappings: readonly SourceMapping[] = [],
): { source: SourceId; options: SourceOptions } {
  const options: SourceOptions = { ...ctx.options };
  const mapped = mappingFor(ctx, mappings);
  if (mapped) {
    if (mapped.vpcFormat) options.vpcFormat = mapped.vpcFormat;
    return { source: mapped.source, options };
  }
  const fromGroup = ctx.logGroup ? sourceFromLogGroup(ctx.logGroup) : undefined;
  if (fromGroup) return { source: fromGroup, options };
  const fromKey = ctx.s3 ? sourceFromS3Key(ctx.s3.key) : undefined;
  if (fromKey) return { source: fromKey, options };
  let seen = 0;
  for (const e of events) {
    if (seen >= 20) break;
    if (!e.message.trim()) continue;
    seen++;
    const fromContent = sourceFromContent(e.message);
    // A JSON line that is only an app log says little; a later line may still be a CloudTrail record.
    if (fromContent && fromContent !== 'app') return { source: fromContent, options };
  }
  return { source: 'app', options };
}
