/**
 * The benchmark's data: per source, deterministic Firehose events (gzipped CloudWatch Logs payloads of
 * about `payloadBytes` uncompressed each, as CloudWatch Logs batches them) built with the seeded
 * generator of `samples/generate.ts`, so every run and every scenario measures the same bytes.
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { createGzip } from 'node:zlib';
import type { SourceMapping } from '../parsers/detect';
import type { RawEvent, SourceId } from '../parsers/types';
import { cloudWatchBatch, decodeCloudWatchPayload, type Batch, type FirehoseTransformEvent } from '../lib/core/envelopes';
import {
  albLines,
  apiGatewayAccess,
  appLines,
  auditLines,
  cloudfrontLines,
  cloudTrailRecords,
  cloudWatchPayload,
  configComplianceEvents,
  firehoseEvent,
  guardDutyFindingEvents,
  guardDutyFindings,
  inspectorFindingEvents,
  lambdaLines,
  networkFirewallRecords,
  resolverQueries,
  Rng,
  s3AccessLines,
  securityHubFindingEvents,
  type SampleEvent,
  VPC_V5_FIELDS,
  vpcFlowV2,
  vpcFlowV5,
  wafRecords,
} from '../samples/generate';

/** 2026-03-01T10:00:00Z: generated data starts here. */
export const START = Date.UTC(2026, 2, 1, 10);

export const VPC_V5_FORMAT = VPC_V5_FIELDS.split(' ').map((f) => '${' + f + '}').join(' ');

/** How the transformer is configured for the bench (the v5 group carries its custom format, as deployed). */
export const BENCH_MAPPINGS: SourceMapping[] = [
  { pattern: '/bench/vpc-v5', source: 'vpcflow', vpcFormat: VPC_V5_FORMAT },
  { pattern: '/bench/cloudfront', source: 'cloudfront' },
  { pattern: '/bench/s3access', source: 's3access' },
];

export interface SourceSpec {
  /** Scenario name part. */
  name: string;
  source: SourceId;
  logGroup: string;
  /** `n` raw events starting at `start`. */
  events(rng: Rng, n: number, start: number): SampleEvent[];
}

/** Timestamps of line-only generators: parsed from the line where cheap, else spaced like the generator. */
const spaced = (lines: string[], start: number, step: number): SampleEvent[] => lines.map((message, i) => ({ timestamp: start + i * step, message }));

export const SOURCES: SourceSpec[] = [
  { name: 'vpc-v2', source: 'vpcflow', logGroup: '/aws/vpc/flow-logs-bench', events: (rng, n, s) => vpcFlowV2(rng, n, s) },
  { name: 'vpc-v5', source: 'vpcflow', logGroup: '/bench/vpc-v5', events: (rng, n, s) => spaced(vpcFlowV5(rng, n, s).slice(1), s, 50) },
  { name: 'alb', source: 'elb', logGroup: '/aws/elb/orders-alb', events: (rng, n, s) => spaced(albLines(rng, n, s), s, 20) },
  { name: 'cloudtrail', source: 'cloudtrail', logGroup: 'aws-cloudtrail-logs-111122223333', events: (rng, n, s) => spaced(cloudTrailRecords(rng, n, s), s, 100) },
  { name: 'lambda', source: 'lambda', logGroup: '/aws/lambda/orders-api', events: (rng, n, s) => lambdaLines(rng, Math.ceil(n / 4), s).slice(0, n) },
  // n is in audit RECORDS (lines): one generated event is ~4 records on average.
  { name: 'audit', source: 'auditd', logGroup: '/ec2/auditd', events: (rng, n, s) => spaced(auditLines(rng, Math.ceil(n / 4), s).slice(0, n), s, 60) },
  { name: 'json-app', source: 'app', logGroup: '/app/orders', events: (rng, n, s) => appLines(rng, n, s) },
  { name: 'apigateway', source: 'apigateway', logGroup: '/aws/apigateway/access-logs-prod', events: (rng, n, s) => apiGatewayAccess(rng, n, s) },
  // EventBridge events (findings, compliance changes) as a rule's CloudWatch Logs target delivers them.
  { name: 'inspector', source: 'inspector', logGroup: '/aws/events/inspector-findings', events: (rng, n, s) => spaced(inspectorFindingEvents(rng, n, s), s, 45_000) },
  { name: 'config', source: 'config', logGroup: '/aws/events/config-compliance', events: (rng, n, s) => spaced(configComplianceEvents(rng, n, s), s, 30_000) },
  { name: 'securityhub', source: 'securityhub', logGroup: '/aws/events/securityhub-findings', events: (rng, n, s) => spaced(securityHubFindingEvents(rng, n, s), s, 40_000) },
  { name: 'guardduty', source: 'guardduty', logGroup: '/aws/events/guardduty-findings', events: (rng, n, s) => spaced(guardDutyFindingEvents(rng, guardDutyFindings(rng, n, s)), s, 50_000) },
  // S3-delivered in production (the groups are mapped, BENCH_MAPPINGS): CloudFront standard log lines (header lines
  // left out: the legacy field order applies to dated lines) and S3 server access log lines.
  { name: 'cloudfront', source: 'cloudfront', logGroup: '/bench/cloudfront', events: (rng, n, s) => spaced(cloudfrontLines(rng, n, s).slice(2), s, 200) },
  { name: 's3access', source: 's3access', logGroup: '/bench/s3access', events: (rng, n, s) => spaced(s3AccessLines(rng, n, s), s, 150) },
  // JSON vended logs (issue #16), as their CloudWatch Logs groups deliver them (Resolver and Network Firewall: detected by content).
  { name: 'waf', source: 'waf', logGroup: 'aws-waf-logs-bench', events: (rng, n, s) => wafRecords(rng, n, s) },
  { name: 'route53resolver', source: 'route53resolver', logGroup: '/bench/dns-queries', events: (rng, n, s) => resolverQueries(rng, n, s) },
  { name: 'networkfirewall', source: 'networkfirewall', logGroup: '/bench/egress-fw', events: (rng, n, s) => networkFirewallRecords(rng, n, s) },
];

export interface SourceData {
  spec: SourceSpec;
  /** One Firehose event holding `records` records. */
  event: FirehoseTransformEvent;
  /** The same events, decoded, for the parser-alone scenario (one batch per record). */
  batches: Batch[];
  events: number;
  /** UTF-8 bytes of the log messages (+1 per event for its newline): what "MB" means in MB/s. */
  rawBytes: number;
  /** Size of the Firehose event (JSON) as Lambda receives it. */
  eventBytes: number;
}

/**
 * Builds one source's data: `records` CloudWatch payloads whose messages add up to about
 * `payloadBytes` each (CloudWatch Logs caps a PutLogEvents batch at 1 MB).
 */
export function buildSource(spec: SourceSpec, records: number, payloadBytes: number, seed = 42): SourceData {
  const rng = new Rng(seed);
  // Size a record by sampling the generator once.
  const sample = spec.events(new Rng(seed + 1), 200, START);
  const avg = sample.reduce((a, e) => a + Buffer.byteLength(e.message) + 1, 0) / sample.length;
  const perRecord = Math.max(1, Math.floor(payloadBytes / (avg + 90))); // + JSON envelope of each log event
  const payloads = [];
  let rawBytes = 0;
  let events = 0;
  for (let r = 0; r < records; r++) {
    const evs = spec.events(rng, perRecord, START + r * 60_000);
    for (const e of evs) rawBytes += Buffer.byteLength(e.message) + 1;
    events += evs.length;
    payloads.push(cloudWatchPayload(rng, spec.logGroup, `bench-stream-${r}`, '111122223333', evs));
  }
  const event = firehoseEvent(rng, payloads);
  const batches = event.records.map((r) => cloudWatchBatch(decodeCloudWatchPayload(Buffer.from(r.data, 'base64')), event.region)!);
  return { spec, event, batches, events, rawBytes, eventBytes: Buffer.byteLength(JSON.stringify(event)) };
}

/** Raw events of all batches (parser-alone scenario input). */
export const allEvents = (d: SourceData): RawEvent[] => d.batches.flatMap((b) => b.events);

/**
 * Writes a gzip ALB access log of about `targetBytes` uncompressed to `file` (streamed: memory stays
 * small whatever the size); returns its line count and uncompressed bytes.
 */
export async function writeAlbFile(file: string, targetBytes: number, seed = 7): Promise<{ lines: number; rawBytes: number }> {
  const gz = createGzip({ level: 6 });
  const out = createWriteStream(file);
  gz.pipe(out);
  const rng = new Rng(seed);
  let lines = 0;
  let rawBytes = 0;
  while (rawBytes < targetBytes) {
    const chunk = albLines(rng, 5000, START + lines * 20).join('\n') + '\n';
    rawBytes += Buffer.byteLength(chunk);
    lines += 5000;
    if (!gz.write(chunk)) await once(gz, 'drain');
  }
  gz.end();
  await once(out, 'finish');
  return { lines, rawBytes };
}
