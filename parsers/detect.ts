/**
 * Source detection: envelope metadata first (configured mappings, log group names, S3 key layout),
 * then content. Anything unrecognised is an application log: detection never fails.
 *
 * Rules, in order (first match wins):
 * 1. Configured mappings (`pattern` against the log group, or the S3 key for S3 deliveries).
 * 2. Log group conventions: `/aws/lambda/<fn>` → lambda; `API-Gateway-Execution-Logs_<api>/<stage>`,
 *    `/aws/apigateway/...` → apigateway; `/aws/vpc/...` or names containing `vpc-flow`, `flowlogs` → vpcflow;
 *    names containing `cloudtrail` → cloudtrail; containing `auditd`, `/var/log/audit`, `audit.log` or `selinux` → auditd;
 *    `elasticloadbalancing` or a `/aws/elb` prefix → elb. Checked first: an `aws-waf-logs-` prefix → waf;
 *    names containing `route53resolver`, `route53-resolver`, `resolver-query-log` → route53resolver;
 *    `network-firewall` or `networkfirewall` → networkfirewall.
 * 3. S3 key layout `AWSLogs/[o-org/]<acct>/{elasticloadbalancing|CloudTrail|vpcflowlogs}/...`, and the
 *    vended layouts `AWSLogs/<acct>/{WAFLogs|network-firewall|vpcdnsquerylogs}/...` (waf, networkfirewall, route53resolver).
 *    File names: CloudFront standard logs `<distribution-id>.YYYY-MM-DD-HH.<unique>[.gz]` (or a v2
 *    `AWSLogs/<acct>/CloudFront/` key) → cloudfront; S3 server access logs `YYYY-MM-DD-hh-mm-ss-<16 upper-case letters or digits>` → s3access.
 * 4. Content of the first non-blank events (JSON keys are checked on the parsed object, never by
 *    searching the text, so an app log whose message mentions "eventVersion" stays `app`).
 * 5. `app`.
 */
import { isConfigurationItem } from './config';
import { eventBridge, isObj } from './aws-json';

import { GUARDDUTY_DETAIL_TYPE, isGuardDutyFinding } from './guardduty';
import { isInspectorFinding } from './inspector';
import { tooManyContainers } from './json';
import { isAsffFinding, SECURITYHUB_DETAIL_TYPES } from './securityhub';
import type { ParseContext, RawEvent, SourceId, SourceOptions } from './types';
import { headerFormat, inferLayout } from './vpcflow-format';

/**
 * A configured override: log groups (or S3 keys) matching `pattern` (a prefix, or a glob with `*`)
 * are `source`; `vpcFormat` is the custom VPC Flow Logs format of those groups (headerless lines).
 * @example { pattern: '/org/network/flow-*', source: 'vpcflow', vpcFormat: '${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr}' }
 */
export interface SourceMapping {
  pattern: string;
  source: SourceId;
  vpcFormat?: string;
  /** The CloudFront real-time log fields of those keys (a Firehose prefix, say), in the order CloudFront emits them. */
  cloudfrontFields?: string;
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
  // WAF refuses any destination not named `aws-waf-logs-*`; Resolver and Network Firewall groups are
  // named freely, so only unmistakable names are taken (before the VPC rule: `/aws/network-firewall/flow-logs`).
  if (g.startsWith('aws-waf-logs-')) return 'waf';
  if (g.includes('route53resolver') || g.includes('route53-resolver') || g.includes('resolver-query-log') || g.includes('resolverquerylog'))
    return 'route53resolver';
  if (g.includes('network-firewall') || g.includes('networkfirewall')) return 'networkfirewall';
  if (g.startsWith('/aws/lambda/')) return 'lambda';
  if (g.startsWith('api-gateway-execution-logs_') || g.startsWith('/aws/apigateway/') || g.includes('apigateway-access') || g.includes('api-gateway-access'))
    return 'apigateway';
  if (g.startsWith('/aws/vpc/') || g.includes('vpc-flow') || g.includes('vpcflow') || g.includes('flowlogs') || g.includes('flow-logs'))
    return 'vpcflow';
  if (g.includes('cloudtrail')) return 'cloudtrail';
  if (g.includes('auditd') || g.includes('/var/log/audit') || g.includes('audit.log') || g.includes('selinux')) return 'auditd';
  if (g.includes('elasticloadbalancing') || g.startsWith('/aws/elb') || g.includes('alb-access') || g.includes('elb-access'))
    return 'elb';
  // EventBridge rules that target a log group (`/aws/events/guardduty`, `/aws/events/securityhub-findings`).
  if (g.includes('guardduty')) return 'guardduty';
  if (g.includes('securityhub') || g.includes('security-hub')) return 'securityhub';
  return undefined;
}

/**
 * Source from an S3 key in the AWS delivery layouts (`AWSLogs/<account>/<service>/<region>/...`).
 * @example sourceFromS3Key('AWSLogs/123456789012/elasticloadbalancing/us-east-1/2026/03/01/x.log.gz') // 'elb'
 */
export function sourceFromS3Key(key: string): SourceId | undefined {
  // Vended-log layouts, anchored at `AWSLogs/<account>/` (WAF: `WAFLogs/<region>/<acl>/`, Network
  // Firewall: `network-firewall/<alert|flow|tls>/<region>/`, Resolver: `vpcdnsquerylogs/<vpc-id>/`).
  const vended = VENDED_KEY.exec(key)?.[1];
  if (vended === 'WAFLogs') return 'waf';
  if (vended === 'network-firewall') return 'networkfirewall';
  if (vended === 'vpcdnsquerylogs') return 'route53resolver';
  const k = key.toLowerCase();
  if (k.includes('/elasticloadbalancing/')) return 'elb';
  if (k.includes('/cloudtrail/') || k.includes('/cloudtrail-insight/')) return 'cloudtrail';
  if (k.includes('/vpcflowlogs/')) return 'vpcflow';
  if (k.includes('/guardduty/')) return 'guardduty';
  // AWS Config delivery channel: `AWSLogs/<account>/Config/<region>/<yyyy>/<m>/<d>/ConfigHistory|ConfigSnapshot/...`.
  if (CONFIG_KEY.test(key)) return 'config';
  // CloudFront and S3 server access logs are not under AWSLogs/ (v2 CloudFront aside): their file names say it.
  if (CLOUDFRONT_KEY.test(key)) return 'cloudfront';
  if (S3ACCESS_KEY.test(key)) return 's3access';
  return undefined;
}

const CLOUDFRONT_KEY = /(?:(?:^|\/)AWSLogs\/(?:\d{12}|aws-account-id=\d{12})\/(?:aws-service=)?CloudFront\/|(?:^|\/)[A-Z0-9]{6,32}\.\d{4}-\d{2}-\d{2}-\d{2}\.[A-Za-z0-9]{4,}(?:\.gz)?$)/;
const S3ACCESS_KEY = /(?:^|\/)\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}-[0-9A-Z]{16}$/;
// CloudFront: a `#Fields` directive naming CloudFront's own fields (IIS writes W3C headers too), a
// standard log line (TAB-separated date, time, edge location, bytes), a real-time record (epoch seconds, c-ip).
const CLOUDFRONT_FIELDS = /^#Fields:.*\bx-edge-(location|request-id)\b/;
const CLOUDFRONT_LINE = /^\d{4}-\d{2}-\d{2}\t\d{2}:\d{2}:\d{2}\t[A-Z]{3}\d{1,3}(?:-[A-Z0-9]{1,4})?\t\d+\t/;
const CLOUDFRONT_REALTIME = /^\d{10}\.\d{3}\t[0-9A-Fa-f.:]{3,45}\t/;
// S3 server access logs: canonical owner id, bucket, bracketed time.
const S3_ACCESS = /^(?:[0-9a-f]{64}|-) \S+ \[\d{2}\/[A-Za-z]{3}\/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4}\] /;

const CONFIG_KEY = /(?:^|\/)AWSLogs\/(?:o-[a-z0-9]{10,32}\/)?\d{12}\/Config\//;

const CONFIG_MESSAGE = /^(?:ConfigurationItemChangeNotification|OversizedConfigurationItemChangeNotification|ComplianceChangeNotification)$/;
const VENDED_KEY = /(?:^|\/)AWSLogs\/(?:o-[a-z0-9]{10,32}\/)?\d{12}\/(WAFLogs|network-firewall|vpcdnsquerylogs)\//;
// An account id keeps its place even when it is not 12 digits (leading zeros lost upstream).
const VPC_V2 = /^\d+ (\d{1,12}|-|unknown) (eni-|tgw-|-)/;
// Transit Gateway flow logs' default layout starts `6 TransitGateway <account> tgw-...`.
const VPC_TGW = /^\d+ TransitGateway(Attachment)? \d{12} tgw-/;
const ALB_OR_CLASSIC = /^(https?|h2|grpcs|wss?|tls) \S+Z \S+ \S+ /;
const NLB = /^tls \d\.\d \d{4}-\d{2}-\d{2}T\S+ net\//;
const CLASSIC_ELB = /^\d{4}-\d{2}-\d{2}T\S+Z \S+ \d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}:\d+ /;
// ALB connection logs: timestamp, bare client IP, client port, listener port (Classic: name, then ip:port).
const ALB_CONNECTION = /^\d{4}-\d{2}-\d{2}T\S+Z [0-9A-Fa-f:.]+ \d{1,5} \d{1,5} /;
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

/**
 * Finding sources of a parsed record: an AWS EventBridge event of a finding detail type (only from
 * an `aws.` source: custom `PutEvents` cannot use one), a bare ASFF or GuardDuty finding, or an
 * export of them (`{"Findings":[...]}`, judged by its first finding).
 * @example findingSource({ 'detail-type': 'GuardDuty Finding', source: 'aws.guardduty', detail: {} }) // 'guardduty'
 */
export function findingSource(o: Record<string, unknown>): SourceId | undefined {
  const envelope = eventBridge(o);
  if (envelope) {
    if (envelope.source === 'aws.securityhub' && SECURITYHUB_DETAIL_TYPES.includes(envelope.detailType)) return 'securityhub';
    if (envelope.source === 'aws.guardduty' && envelope.detailType === GUARDDUTY_DETAIL_TYPE) return 'guardduty';
    // Every `Inspector2 *` event and every Config event: their parsers map findings, items and
    // compliance changes, and keep the other types as plain events.
    if (envelope.source === 'aws.inspector2' && envelope.detailType.startsWith('Inspector2 ')) return 'inspector';
    if (envelope.source === 'aws.config' && envelope.detailType.startsWith('Config ')) return 'config';
    return undefined;
  }
  if (isAsffFinding(o)) return 'securityhub';
  if (isGuardDutyFinding(o)) return 'guardduty';
  if (isInspectorFinding(o)) return 'inspector';
  if (isConfigurationItem(o) || (typeof o.messageType === 'string' && CONFIG_MESSAGE.test(o.messageType) && ('configurationItem' in o || 'configRuleName' in o || 'configurationItemSummary' in o)))
    return 'config';
  // An SNS notification (Config's delivery channel topic): judged by its message.
  if (o.Type === 'Notification' && typeof o.Message === 'string' && o.Message.startsWith('{') && o.Message.length < 1 << 20 && !tooManyContainers(o.Message)) {
    try {
      const inner: unknown = JSON.parse(o.Message);
      if (isObj(inner) && !('Message' in inner)) return findingSource(inner);
    } catch {
      /* not JSON */
    }
  }
  const list = Array.isArray(o.Findings) ? o.Findings : undefined;
  if (list && isObj(list[0])) return isAsffFinding(list[0]) ? 'securityhub' : isGuardDutyFinding(list[0]) ? 'guardduty' : undefined;
  return undefined;
}

/**
 * WAF, Route 53 Resolver and Network Firewall records by their required shape (several keys of each,
 * never one: an application log may well have an `action` or an `event`).
 * @example vendedJsonSource({ firewall_name: 'fw', event: { event_type: 'alert' } }) // 'networkfirewall'
 */
export function vendedJsonSource(o: Record<string, unknown>): SourceId | undefined {
  if (typeof o.webaclId === 'string' && typeof o.httpRequest === 'object' && o.httpRequest !== null && ('terminatingRuleId' in o || 'action' in o))
    return 'waf';
  if (typeof o.query_name === 'string' && typeof o.query_timestamp === 'string' && ('rcode' in o || 'query_type' in o) && ('vpc_id' in o || 'srcaddr' in o))
    return 'route53resolver';
  const e = o.event as Record<string, unknown> | null | undefined;
  if (typeof o.firewall_name === 'string' && typeof e === 'object' && e !== null && !Array.isArray(e) && typeof e.event_type === 'string')
    return 'networkfirewall';
  return undefined;
}

/** Source of a parsed JSON record, by its keys. */
export function sourceFromJson(o: Record<string, unknown>): SourceId {
  const finding = findingSource(o);
  if (finding) return finding;
  const vended = vendedJsonSource(o);
  if (vended) return vended;
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
  // A JSON array of findings (an export): judged by its first element.
  if (m.startsWith('[{') && !tooManyContainers(m)) {
    try {
      const a: unknown = JSON.parse(m);
      if (Array.isArray(a) && isObj(a[0])) return findingSource(a[0]);
    } catch {
      /* not JSON */
    }
  }
  const c = m.charCodeAt(0);
  if (c >= 48 && c <= 57) {
    if (VPC_V2.test(m) || VPC_TGW.test(m)) return 'vpcflow';
    if (CLASSIC_ELB.test(m) || ALB_CONNECTION.test(m)) return 'elb';
    if (LAMBDA_NODE.test(m)) return 'lambda';
  }
  if (LAMBDA_PLATFORM.test(m) || LAMBDA_PYTHON.test(m)) return 'lambda';
  if (ALB_OR_CLASSIC.test(m) || NLB.test(m)) return 'elb';
  if (CLOUDFRONT_FIELDS.test(m) || CLOUDFRONT_LINE.test(m) || CLOUDFRONT_REALTIME.test(m)) return 'cloudfront';
  if (S3_ACCESS.test(m)) return 's3access';
  if (headerFormat(m) !== undefined) return 'vpcflow';
  // Headerless custom layouts of the AWS examples (`3 vpc-...`, `5 10.0.1.25 ...`, `- eni-...`): only an unambiguous fit.
  if (m.length < 4096 && inferLayout(m.trim().split(/\s+/)).kind === 'match') return 'vpcflow';
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
    if (mapped.cloudfrontFields) options.cloudfrontFields = mapped.cloudfrontFields;
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
