/**
 * Source detection: envelope metadata first (configured mappings, log group names, S3 key layout),
 * then content. Anything unrecognised is an application log: detection never fails.
 */
import type { ParseContext, RawEvent, SourceId } from './types';

/** A configured override: log groups matching `pattern` (prefix, or `*` glob) are `source`. */
export interface SourceMapping {
  pattern: string;
  source: SourceId;
}

function globMatch(pattern: string, value: string): boolean {
  if (!pattern.includes('*')) return value.startsWith(pattern);
  const re = new RegExp('^' + pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*') + '$');
  return re.test(value);
}

/**
 * Source from a log group name, by AWS naming conventions.
 * @example sourceFromLogGroup('/aws/lambda/orders-api') // 'lambda'
 */
export function sourceFromLogGroup(logGroup: string): SourceId | undefined {
  const g = logGroup.toLowerCase();
  if (g.startsWith('/aws/lambda/')) return 'lambda';
  if (g.startsWith('api-gateway-execution-logs_') || g.startsWith('/aws/apigateway/') || g.includes('apigateway-access'))
    return 'apigateway';
  if (g.startsWith('/aws/vpc/') || g.includes('vpc-flow') || g.includes('vpcflow') || g.includes('flowlogs') || g.includes('flow-logs'))
    return 'vpcflow';
  if (g.includes('cloudtrail')) return 'cloudtrail';
  if (g.includes('audit') || g.includes('selinux')) return 'auditd';
  if (g.includes('elasticloadbalancing') || g.includes('/aws/elb') || g.includes('alb-access') || g.includes('elb-access'))
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

const VPC_V2 = /^\d+ (\d{12}|-) (eni-|tgw-|-)/;
const ALB_OR_CLASSIC = /^(https?|h2|grpcs|wss?|tls) \S+Z \S+ \S+ /;
const CLASSIC_ELB = /^\d{4}-\d{2}-\d{2}T\S+Z \S+ \d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}:\d+ /;
const AUDIT = /(^|\s)type=[A-Z_]+(\[\d+\])? msg=audit\(\d+\.\d+:\d+\)/;
const LAMBDA_PLATFORM = /^(START|END|REPORT|INIT_START|INIT_REPORT|INIT_RUNTIME_DONE|EXTENSION|TELEMETRY|LOGS) /;
const VPC_HEADER = /^version account-id |^\S+(-\S+)* (srcaddr|interface-id|account-id) /;

/**
 * Source from the content of the first meaningful message.
 * @example sourceFromContent('2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK') // 'vpcflow'
 */
export function sourceFromContent(message: string): SourceId | undefined {
  const m = message.trimStart();
  if (m.startsWith('{')) {
    if (m.includes('"eventVersion"') && m.includes('"eventSource"')) return 'cloudtrail';
    if (/"(apiId|requestId|httpMethod|routeKey)"/.test(m) && /"(stage|resourcePath|routeKey|status)"/.test(m)) return 'apigateway';
    if (/"type"\s*:\s*"platform\./.test(m) || (m.includes('"requestId"') && m.includes('"level"'))) return 'lambda';
    return 'app';
  }
  if (AUDIT.test(m)) return 'auditd';
  if (VPC_V2.test(m) || VPC_HEADER.test(m)) return 'vpcflow';
  if (ALB_OR_CLASSIC.test(m) || CLASSIC_ELB.test(m)) return 'elb';
  if (LAMBDA_PLATFORM.test(m)) return 'lambda';
  if (/^\(\w[\w-]*\) /.test(m)) return 'apigateway';
  return undefined;
}

/** Picks the source of a batch: configured mappings, then envelope metadata, then content, then `app`. */
export function detectSource(ctx: ParseContext, events: readonly RawEvent[], mappings: readonly SourceMapping[] = []): SourceId {
  if (ctx.logGroup) {
    for (const m of mappings) if (globMatch(m.pattern, ctx.logGroup)) return m.source;
    const fromGroup = sourceFromLogGroup(ctx.logGroup);
    if (fromGroup) return fromGroup;
  }
  if (ctx.s3) {
    const fromKey = sourceFromS3Key(ctx.s3.key);
    if (fromKey) return fromKey;
  }
  for (const e of events.slice(0, 20)) {
    if (!e.message.trim()) continue;
    const fromContent = sourceFromContent(e.message);
    if (fromContent) return fromContent;
  }
  return 'app';
}
