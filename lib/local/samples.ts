/**
 * The demo's input: realistic logs of every source from the seeded generator (`samples/generate.ts`),
 * wrapped exactly as AWS delivers them:
 *
 * - CloudWatch Logs sources (VPC Flow Logs v2, Lambda, API Gateway access logs, auditd, application
 *   logs) as subscription payloads (gzip) inside Firehose data-transformation events, one event per
 *   source and a separate event holding the CloudWatch Logs CONTROL_MESSAGE every new subscription sends;
 * - S3-delivered sources as gzip objects under the AWS delivery keys
 *   `AWSLogs/<account>/<service>/<region>/YYYY/MM/DD/<name>`: ALB access logs, CloudTrail log files
 *   (`{"Records":[…]}`) and VPC Flow Logs v5 in a custom format with its header line, AWS Config
 *   history files (`AWSLogs/<account>/Config/<region>/<y>/<m>/<d>/ConfigHistory/…`), CloudFront standard log
 *   files (`cloudfront/<distribution-id>.YYYY-MM-DD-HH.<unique>.gz`) and S3 server access logs in the
 *   partitioned layout (`s3-access-logs/<account>/<region>/<bucket>/YYYY/MM/DD/<time>-<unique>`);
 * - WAF logs to CloudWatch Logs (`aws-waf-logs-orders`) and to S3 (`AWSLogs/<account>/WAFLogs/...`), Route 53
 *   Resolver query logs to CloudWatch Logs, Network Firewall alert and flow logs to S3
 *   (`AWSLogs/<account>/network-firewall/<alert|flow>/<region>/<firewall>/...`);
 * - EventBridge events put into Firehose directly (direct PUT, one event per record): Amazon Inspector
 *   findings and AWS Config rule compliance changes, Security Hub and GuardDuty findings; GuardDuty's S3
 *   export (`AWSLogs/<account>/GuardDuty/<region>/...jsonl.gz`, one finding per line).
 *
 * Same seed → same bytes → same ids, so a second demo run overwrites instead of adding documents.
 */
import { gzipSync } from 'node:zlib';
import type { FirehoseTransformEvent } from '../core/envelopes';
import {
  ACCOUNTS,
  albLines,
  apiGatewayAccess,
  appLines,
  auditLines,
  cloudfrontLines,
  cloudTrailRecords,
  cloudWatchPayload,
  configComplianceEvents,
  configHistoryFile,
  CONTROL_PAYLOAD,
  directPutFirehoseEvent,
  firehoseEvent,
  guardDutyFindingEvents,
  guardDutyFindings,
  inspectorFindingEvents,
  lambdaLines,
  networkFirewallRecords,
  REGIONS,
  resolverQueries,
  Rng,
  s3AccessLines,
  securityHubFindingEvents,
  type SampleEvent,
  vpcFlowV2,
  vpcFlowV5,
  wafRecords,
} from '../../samples/generate';

/** Event time of the demo data: fixed, so every run lands in the same daily indices. */
export const DEMO_START = Date.parse('2026-03-01T10:00:00Z');
export const DEMO_SEED = 20260301;
/** The bucket name S3-delivered demo logs pretend to come from (part of their ids). */
export const DEMO_LOGS_BUCKET = 'tributary-demo-logs';

export interface DemoFirehoseDelivery {
  /** Row label in the summary. */
  label: string;
  event: FirehoseTransformEvent;
  /** CloudWatch log events inside (0 for the control message). */
  events: number;
}

export interface DemoS3Object {
  label: string;
  key: string;
  body: Buffer;
  /** Lines or records inside. */
  events: number;
}

export interface DemoSamples {
  firehose: DemoFirehoseDelivery[];
  s3: DemoS3Object[];
}

/** Splits events into CloudWatch Logs payloads of at most `size` events (CWL batches per stream). */
function payloads(rng: Rng, logGroup: string, stream: (i: number) => string, owner: string, events: SampleEvent[], size: number) {
  const out = [];
  for (let i = 0; i * size < events.length; i++) out.push(cloudWatchPayload(rng, logGroup, stream(i), owner, events.slice(i * size, (i + 1) * size)));
  return out;
}

const ymd = (t: number) => new Date(t).toISOString().slice(0, 10).replace(/-/g, '/');
const stamp = (t: number) => new Date(t).toISOString().slice(0, 16).replace(/[-:]/g, '') + 'Z';

/**
 * Builds the demo input. `scale` multiplies the volumes (1 ≈ 13 000 events in total: hundreds to a
 * few thousand per source).
 */
export function demoSamples(scale = 1): DemoSamples {
  const rng = new Rng(DEMO_SEED);
  const n = (x: number) => Math.max(1, Math.round(x * scale));
  const t0 = DEMO_START;
  const [acctA, acctB] = ACCOUNTS;
  const [us, eu] = REGIONS;
  const firehose: DemoFirehoseDelivery[] = [];
  const cwl = (label: string, ps: ReturnType<typeof payloads>, region: string = us) => {
    firehose.push({ label, event: firehoseEvent(rng, ps, region), events: ps.reduce((a, p) => a + p.logEvents.length, 0) });
  };

  // VPC Flow Logs published to CloudWatch Logs (default v2 format), two accounts.
  const flowsA = vpcFlowV2(rng, n(1500), t0, acctA);
  const flowsB = vpcFlowV2(rng, n(700), t0 + 600_000, acctB);
  cwl('vpcflow (CloudWatch Logs)', [
    ...payloads(rng, '/aws/vpc/flowlogs/prod', (i) => `eni-0a1b2c3d4e5f6a7b${i % 10}-all`, acctA, flowsA, 500),
    ...payloads(rng, '/aws/vpc/flowlogs/prod', (i) => `eni-0f9e8d7c6b5a4f3e${i % 10}-all`, acctB, flowsB, 500),
  ]);
  const lambda = lambdaLines(rng, n(350), t0);
  cwl('lambda', payloads(rng, '/aws/lambda/orders', (i) => `2026/03/01/[$LATEST]${'0123456789abcdef0123456789abcde'}${i % 10}`, acctA, lambda, 400));
  const apigw = apiGatewayAccess(rng, n(900), t0);
  // One Firehose stream (us-east-1) receives every CloudWatch Logs source, as in a central deployment;
  // its region is the region of these events (the raw backup does not record it: `replay --from raw --stream-region`).
  cwl('apigateway', payloads(rng, '/aws/apigateway/orders-api/access', () => 'a1b2c3d4e5_prod', acctA, apigw, 450));
  const audit = auditLines(rng, n(400), t0).map((message, i) => ({ timestamp: t0 + i * 60, message }));
  cwl('auditd', payloads(rng, '/var/log/audit/audit.log', () => 'i-0123456789abcdef0', acctB, audit, 600));
  const app = appLines(rng, n(1200), t0);
  cwl('app', payloads(rng, '/app/orders', (i) => `orders-${i % 3}`, acctA, app, 400));
  firehose.push({ label: 'control message', event: firehoseEvent(rng, [CONTROL_PAYLOAD], us), events: 0 });

  const s3: DemoS3Object[] = [];
  const put = (label: string, key: string, text: string, events: number) => s3.push({ label, key, body: gzipSync(text), events });
  for (const [i, [acct, region]] of ([[acctA, us], [acctB, eu]] as const).entries()) {
    const t = t0 + i * 300_000;
    const alb = albLines(rng, n(1000), t, acct, region);
    put('elb (S3)', `AWSLogs/${acct}/elasticloadbalancing/${region}/${ymd(t)}/${acct}_elasticloadbalancing_${region}_app.orders-alb.${rng.hex(16)}_${stamp(t)}_52.1.${i}.7_${rng.hex(8)}.log.gz`, alb.join('\n') + '\n', alb.length);
    const trail = cloudTrailRecords(rng, n(800), t, acct, region);
    put('cloudtrail (S3)', `AWSLogs/${acct}/CloudTrail/${region}/${ymd(t)}/${acct}_CloudTrail_${region}_${stamp(t)}_${rng.hex(16)}.json.gz`, `{"Records":[${trail.join(',')}]}`, trail.length);
    const v5 = vpcFlowV5(rng, n(1000), t, acct, region);
    put('vpcflow (S3, v5 + header)', `AWSLogs/${acct}/vpcflowlogs/${region}/${ymd(t)}/${acct}_vpcflowlogs_${region}_fl-0${rng.hex(16)}_${stamp(t)}_${rng.hex(8)}.log.gz`, v5.join('\n') + '\n', v5.length);
  }
  // Findings (issue #15): Inspector findings and Config compliance changes as EventBridge rules put them
  // into Firehose (direct PUT: one event JSON per record), and a Config delivery-channel history file.
  const inspector = [...inspectorFindingEvents(rng, n(120), t0, acctA, us), ...inspectorFindingEvents(rng, n(60), t0 + 900_000, acctB, eu)];
  firehose.push({ label: 'inspector (EventBridge)', event: directPutFirehoseEvent(rng, inspector, us, t0), events: inspector.length });
  const compliance = [...configComplianceEvents(rng, n(80), t0, acctA, us), ...configComplianceEvents(rng, n(40), t0 + 900_000, acctB, eu)];
  firehose.push({ label: 'config (EventBridge)', event: directPutFirehoseEvent(rng, compliance, us, t0), events: compliance.length });
  for (const [acct, region] of [[acctA, us], [acctB, eu]] as const) {
    const history = configHistoryFile(rng, n(150), t0, acct, region);
    const d = new Date(t0);
    // Config writes unpadded month and day folders (`2026/3/1`).
    const folder = `${d.getUTCFullYear()}/${d.getUTCMonth() + 1}/${d.getUTCDate()}`;
    put('config (S3 ConfigHistory)', `AWSLogs/${acct}/Config/${region}/${folder}/ConfigHistory/${acct}_Config_${region}_ConfigHistory_AWS::EC2::SecurityGroup_${stamp(t0)}_${stamp(t0 + 3_600_000)}_1.json.gz`, history.text, history.items);
  }
  // CloudFront standard log files (legacy: `<prefix>/<distribution-id>.YYYY-MM-DD-HH.<unique>.gz`, no account in
  // the key) and S3 server access logs in the partitioned layout (`<prefix>/<account>/<region>/<bucket>/YYYY/MM/DD/...`).
  const cfTime = new Date(t0).toISOString().slice(0, 13).replace('T', '-');
  const cf = cloudfrontLines(rng, n(900), t0);
  put('cloudfront (S3)', `cloudfront/EMLARXS9EXAMPLE.${cfTime}.${rng.hex(8)}.gz`, cf.join('\n') + '\n', cf.length);
  for (const [i, [acct, region]] of ([[acctA, us], [acctB, eu]] as const).entries()) {
    const t = t0 + i * 300_000;
    const bucket = i === 0 ? 'orders-data' : 'invoices-archive';
    const lines = s3AccessLines(rng, n(500), t, bucket, acct, region);
    const name = new Date(t).toISOString().slice(0, 19).replace(/[T:]/g, '-');
    put('s3access (S3)', `s3-access-logs/${acct}/${region}/${bucket}/${ymd(t)}/${name}-${rng.hex(16).toUpperCase()}`, lines.join('\n') + '\n', lines.length);
  }
  // WAF, Route 53 Resolver and Network Firewall (issue #16): WAF to CloudWatch Logs (`aws-waf-logs-*`) in
  // one account and straight to S3 (`AWSLogs/<account>/WAFLogs/<region>/<acl>/YYYY/MM/DD/HH/mm/`) in the
  // other; Resolver query logs to a freely named log group (detected by content); Network Firewall
  // alert and flow logs to S3 (`AWSLogs/<account>/network-firewall/<alert|flow>/<region>/<firewall>/YYYY/MM/DD/HH/`).
  const wafCwl = wafRecords(rng, n(800), t0, acctA, us);
  cwl('waf (CloudWatch Logs)', payloads(rng, 'aws-waf-logs-orders', (i) => `${us}_orders-acl_${i % 3}`, acctA, wafCwl, 400));
  const dnsQueries = resolverQueries(rng, n(900), t0, acctB, us);
  cwl('route53resolver', payloads(rng, '/org/dns/resolver-query-logs', () => 'vpc-query-log-config', acctB, dnsQueries, 450));
  const hm = (t: number) => new Date(t).toISOString().slice(11, 16).replace(':', '/');
  const wafS3 = wafRecords(rng, n(400), t0 + 300_000, acctB, eu).map((e) => e.message);
  put(
    'waf (S3)',
    `AWSLogs/${acctB}/WAFLogs/${eu}/orders-acl/${ymd(t0 + 300_000)}/${hm(t0 + 300_000)}/${acctB}_waflogs_${eu}_orders-acl_${stamp(t0 + 300_000)}_${rng.hex(8)}.log.gz`,
    wafS3.join('\n') + '\n',
    wafS3.length,
  );
  const nfw = networkFirewallRecords(rng, n(600), t0, us).map((e) => e.message);
  for (const type of ['alert', 'flow'] as const) {
    const records = nfw.filter((m) => m.includes('"event_type":"alert"') === (type === 'alert'));
    const hh = new Date(t0).toISOString().slice(11, 13);
    put(
      'networkfirewall (S3)',
      `AWSLogs/${acctA}/network-firewall/${type}/${us}/egress-fw/${ymd(t0)}/${hh}/${acctA}_network-firewall_${type}_${us}_egress-fw_${stamp(t0)}_${rng.hex(8)}.log.gz`,
      records.join('\n') + '\n',
      records.length,
    );
  }
  // Security Hub and GuardDuty findings (issue #15): EventBridge events put into Firehose directly, and
  // GuardDuty's S3 export (one finding per line under `AWSLogs/<account>/GuardDuty/<region>/`).
  const hub = [...securityHubFindingEvents(rng, n(100), t0, acctA, us), ...securityHubFindingEvents(rng, n(50), t0 + 600_000, acctB, eu)];
  firehose.push({ label: 'securityhub (EventBridge)', event: directPutFirehoseEvent(rng, hub, us, t0), events: hub.length });
  const guard = guardDutyFindingEvents(rng, guardDutyFindings(rng, n(120), t0, acctA, us));
  firehose.push({ label: 'guardduty (EventBridge)', event: directPutFirehoseEvent(rng, guard, us, t0), events: guard.length });
  const exported = guardDutyFindings(rng, n(100), t0 + 300_000, acctB, eu).map((f) => JSON.stringify(f));
  put('guardduty (S3 export)', `AWSLogs/${acctB}/GuardDuty/${eu}/${ymd(t0)}/${rng.uuid()}.jsonl.gz`, exported.join('\n') + '\n', exported.length);
  return { firehose, s3 };
}
