/**
 * Conformance over the shared corpus of real published samples (skipped when `../shared/corpus` is
 * absent: a user's clone does not have it). Each input is decoded and normalized like
 * `tributary normalize --source auto`; the detected source must be the expected one, and the Lambda
 * and app parsers must produce no pipeline errors. Genuinely malformed items are listed explicitly.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { cloudWatchBatch, isCloudWatchPayload, type Batch } from '../../lib/core/envelopes';
import { decodeInput } from '../../lib/core/inputs';
import { normalize } from '../../lib/core/pipeline';
import type { RawEvent, SourceId } from '../../parsers/types';
import { expectValid } from '../helpers/schema';

const CORPUS = join(__dirname, '..', '..', '..', 'shared', 'corpus');
const NOW = new Date('2026-01-01T00:00:00.000Z');
const available = existsSync(CORPUS);

/**
 * Items that are not Lambda/app log lines as the folder suggests, with the source they must get.
 * - Function error payloads returned by Invoke (not log lines): plain JSON app records.
 * - Documentation examples that are not valid JSON as published (or two documents back to back):
 *   decoded line by line, they are fragments of text, i.e. application text.
 * - Lambda trigger events and Firehose/SQS test payloads: JSON objects, application records.
 */
const EXPECTED: Record<string, SourceId> = {
  'lambda/awsdocs-aws-lambda-developer-guide/java-error-inputlengthexception.json': 'app',
  'lambda/awsdocs-aws-lambda-developer-guide/java-error-nested-cause.json': 'app', // not valid JSON as published
  'lambda/awsdocs-aws-lambda-developer-guide/nodejs-error-referenceerror.json': 'app',
  'lambda/awsdocs-aws-lambda-developer-guide/python-error-keyerror.json': 'app',
  'lambda/awsdocs-aws-lambda-developer-guide/python-error-runtime-importmoduleerror.json': 'app',
  'lambda/awsdocs-aws-lambda-developer-guide/get-log-events-output.txt': 'app', // two concatenated CLI outputs
  'lambda/awsdocs-aws-lambda-developer-guide/logs-api-06-platform.start.json': 'app', // invalid JSON as published
  'lambda/awsdocs-aws-lambda-developer-guide/logs-api-10-platform.logsSubscription.json': 'app', // invalid JSON
  'lambda/awsdocs-aws-lambda-developer-guide/logs-api-11-platform.logsDropped.json': 'app', // invalid JSON
  'lambda/awsdocs-aws-lambda-developer-guide/telemetry-api-04-platform.initRuntimeDone.json': 'app', // invalid JSON
  'lambda/awsdocs-aws-lambda-developer-guide/telemetry-api-12-platform.report.json': 'app', // invalid JSON
  // Decoded CloudWatch Logs payloads: the source follows the log group.
  // (their CloudTrail messages are truncated in the published docs: failures there are the CloudTrail parser's to list)
  'envelopes/awsdocs-amazon-cloudwatch-logs-user-guide/subscription-data-message-decoded.json': 'cloudtrail',
  'envelopes/awsdocs-amazon-cloudwatch-logs-user-guide/validate-log-event-flow-decoded.json': 'cloudtrail',
  'envelopes/awsdocs-aws-lambda-developer-guide/cloudwatch-logs-decoded-payload.json': 'lambda',
  'envelopes/powertools-lambda-typescript/cloudwatch-base.decoded.json': 'lambda',
  'envelopes/powertools-lambda-typescript/kinesis-stream-cloudwatch-logs.decoded.json': 'lambda',
  'envelopes/powertools-lambda-python/kinesisStreamCloudWatchLogsEvent.decoded.json': 'lambda',
  'envelopes/powertools-lambda-python/cloudWatchLogEvent.decoded.json': 'app', // group `testLogGroup`, `[ERROR] First test message`
  'envelopes/powertools-lambda-python/cloudWatchLogEventWithPolicyLevel.decoded.json': 'app',
  // The event a subscription hands a Lambda function, `{"awslogs":{"data":...}}`, is decoded to its payload
  // (issue #16). Powertools Python's WithPolicyLevel sample is zlib, not gzip, and an AWS docs sample is truncated: unusable.
  'envelopes/powertools-lambda-typescript/cloudwatch-base.json': 'lambda',
  'envelopes/powertools-lambda-python/cloudWatchLogEvent.json': 'app', // group `testLogGroup`
  'envelopes/awsdocs-aws-lambda-developer-guide/java-events-cloudwatch-logs.json': 'app',
};

function* walk(dir: string): Generator<string> {
  for (const f of readdirSync(dir).sort()) {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) yield* walk(p);
    else if (!f.endsWith('.md')) yield p;
  }
}

/** Batches of one corpus file: `.lambda-messages.jsonl` are captured CloudWatch events (one JSON per line, with group and stream). */
function batches(file: string, rel: string): Batch[] {
  const bytes = readFileSync(file);
  if (file.endsWith('.lambda-messages.jsonl')) {
    const byStream = new Map<string, Batch>();
    bytes
      .toString('utf8')
      .split('\n')
      .filter((l) => l.trim())
      .forEach((line, i) => {
        const o = JSON.parse(line) as { logGroup: string; logStream: string; timestamp: number; message: string };
        const k = `${o.logGroup}\u0000${o.logStream}`;
        if (!byStream.has(k)) byStream.set(k, { context: { logGroup: o.logGroup, logStream: o.logStream }, events: [] });
        byStream.get(k)!.events.push({ message: o.message, timestamp: o.timestamp, key: `${rel}:${i}` } satisfies RawEvent);
      });
    return [...byStream.values()];
  }
  // A list of decoded CloudWatch Logs payloads (what a Kinesis event decodes to).
  const text = bytes.toString('utf8').trimStart();
  if (text.startsWith('[')) {
    try {
      const list = JSON.parse(text) as unknown[];
      if (list.length && list.every(isCloudWatchPayload)) return list.flatMap((p) => cloudWatchBatch(p as never) ?? []);
    } catch {
      /* not one JSON document */
    }
  }
  return decodeInput(bytes, rel).batches;
}

const files = available
  ? ['lambda', 'applogs', 'envelopes'].flatMap((d) => (existsSync(join(CORPUS, d)) ? [...walk(join(CORPUS, d))] : []))
  : [];
const expectedSource = (rel: string): SourceId | undefined =>
  EXPECTED[rel] ?? (rel.startsWith('lambda/') ? 'lambda' : rel.startsWith('applogs/') ? 'app' : undefined);

(available ? describe : describe.skip)('corpus conformance: lambda, applogs, envelopes', () => {
  test('corpus present', () => expect(files.length).toBeGreaterThan(0));

  test.each(files.map((f) => [relative(CORPUS, f), f] as const))('%s', (rel, file) => {
    const want = expectedSource(rel);
    for (const b of batches(file, rel)) {
      const r = normalize({ events: b.events, context: b.context, source: 'auto' }, { now: NOW, includeOriginal: true });
      expect(r.counts.received).toBe(r.counts.documents + r.counts.dropped + r.counts.failed);
      if (want) expect(`${rel}: ${r.source}`).toBe(`${rel}: ${want}`);
      // Envelope items such as S3/Kinesis notifications go wherever detection sends them, but never to Lambda.
      else expect(r.source).not.toBe('lambda');
      if (r.source === 'lambda' || r.source === 'app') {
        expect(r.failures.map((f) => f.error?.message)).toEqual([]);
        for (const d of r.documents) expectValid(d);
      }
    }
  });

  test('Lambda corpus maps the documented fields', () => {
    const rel = 'lambda/awsdocs-aws-lambda-developer-guide/nodejs-console-output.log';
    const [b] = batches(join(CORPUS, rel), rel);
    const r = normalize({ events: b.events, context: { logGroup: '/aws/lambda/my-function' }, source: 'auto' }, { now: NOW });
    const report = r.documents.find((d) => d.aws?.lambda?.platform_type === 'platform.report');
    expect(report?.aws?.lambda?.report).toEqual({ duration_ms: 128.83, billed_duration_ms: 200, memory_size_mb: 128, max_memory_used_mb: 74, init_duration_ms: 166.62 });
    expect(report?.trace?.id).toBe('1-5d9d007f-0a8c7fd02xmpl480aed55ef0');
    const warn = r.documents.find((d) => d.log?.level === 'warn');
    expect(warn).toMatchObject({ message: 'Event not processed.', '@timestamp': '2019-06-07T19:11:20.564Z', aws: { lambda: { request_id: 'c793869b-ee49-115b-a5b6-4fd21e8dedac', function_name: 'my-function' } } });
    // The pretty-printed environment object stays with the line that printed it.
    expect(r.documents.find((d) => d.message?.startsWith('ENVIRONMENT VARIABLES'))?.message).toContain('"AWS_LAMBDA_FUNCTION_NAME": "my-function"');
  });
});
