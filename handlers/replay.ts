/**
 * Replay fan-out Lambda: for ranges too large to replay from one machine. Given the range and
 * filters, it enumerates the archive partitions (same plan as `tributary replay`, no bucket scan)
 * and sends one S3-notification-shaped message per archive object to the indexer queue, so the
 * indexer fleet (bounded by its reserved concurrency) does the indexing with its own code path.
 *
 * Pages: at most `maxObjects` objects per invocation (and it stops early when less than 30 s of its
 * time remain). When more is left it either re-invokes itself asynchronously with the cursor
 * (`selfInvoke: true`, started by `tributary replay --remote --detach`) or returns the cursor as
 * `continuation` for the caller to send back (`tributary replay --remote` drives the pages and
 * prints progress). Counts are in the response, in the log and as EMF metrics.
 *
 * Event: `{ archive: "s3://bucket", since, until, sources?, accounts?, regions?, queueUrl?,
 * maxObjects?, selfInvoke?, cursor?, totals? }` (`since`/`until` as accepted by the CLI).
 * Environment: `INDEX_QUEUE_URL` (default queue), `ARCHIVE_BUCKET` (the only bucket it may read).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Context } from 'aws-lambda';
import { createS3Client } from '../lib/io/s3';
import { type EnumerationCursor, enqueuePage, parseTimeArg, planPrefixes, type ReplayFilter } from '../lib/replay';
import { parseStoreUrl, S3Store } from '../lib/io/store';

export interface RemoteReplayEvent {
  archive: string;
  since: string;
  until: string;
  sources?: string[];
  accounts?: string[];
  regions?: string[];
  queueUrl?: string;
  maxObjects?: number;
  selfInvoke?: boolean;
  cursor?: EnumerationCursor;
  totals?: RemoteReplayTotals;
}

export interface RemoteReplayTotals {
  objects: number;
  bytes: number;
  invocations: number;
}

export interface RemoteReplayResponse {
  enqueued: number;
  bytes: number;
  listCalls: number;
  totals: RemoteReplayTotals;
  done: boolean;
  continuation: EnumerationCursor | null;
  /** True when this invocation handed the rest to an asynchronous invocation of itself. */
  continuedAsync: boolean;
}

const logger = new Logger({ serviceName: 'tributary-replay' });
const metrics = new Metrics({ namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'Tributary', serviceName: 'tributary-replay' });
let s3: ReturnType<typeof createS3Client> | undefined;
let sqs: SQSClient | undefined;
let lambda: LambdaClient | undefined;

/** Sends bodies with SendMessageBatch (≤ 10); throws if SQS rejects any entry (the page is retried whole: duplicates are idempotent). */
export async function sendBatch(client: SQSClient, queueUrl: string, bodies: string[]): Promise<void> {
  const res = await client.send(
    new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: bodies.map((MessageBody, i) => ({ Id: String(i), MessageBody })) }),
  );
  if (res.Failed?.length) throw new Error(`SQS rejected ${res.Failed.length} messages: ${res.Failed[0].Code} ${res.Failed[0].Message ?? ''}`);
}

export const MAX_OBJECTS_PER_INVOCATION = 50_000;

/** The handler's core, with its clients injected (the tests run it against moto). */
export async function replayPage(
  event: RemoteReplayEvent,
  deps: { s3: ReturnType<typeof createS3Client>; sqs: SQSClient; region: string; allowedBucket?: string; queueUrl?: string; remainingMs?: () => number },
): Promise<{ response: RemoteReplayResponse; cursor?: EnumerationCursor }> {
  const loc = parseStoreUrl(event.archive);
  if (loc.kind !== 's3') throw new Error('the replay function reads s3:// archives only');
  if (loc.prefix) throw new Error('the indexer reads archive keys at the bucket root: a prefixed archive cannot be replayed remotely');
  if (deps.allowedBucket && loc.bucket !== deps.allowedBucket) throw new Error(`archive bucket ${loc.bucket} is not this deployment's (${deps.allowedBucket})`);
  const queueUrl = event.queueUrl ?? deps.queueUrl;
  if (!queueUrl) throw new Error('no queue: pass queueUrl or set INDEX_QUEUE_URL');
  const filter: ReplayFilter = {
    since: parseTimeArg(event.since),
    until: parseTimeArg(event.until, true),
    sources: event.sources,
    accounts: event.accounts,
    regions: event.regions,
  };
  if (!(filter.since < filter.until)) throw new Error('since must be before until');
  const store = new S3Store(deps.s3, loc.bucket);
  const cursor = event.cursor ?? { prefixes: await planPrefixes(store, 'normalized', filter), index: 0 };
  const max = Math.min(Math.max(1, event.maxObjects ?? 10_000), MAX_OBJECTS_PER_INVOCATION);
  const page = await enqueuePage(store, cursor, filter, max, (b) => sendBatch(deps.sqs, queueUrl, b), deps.region, () => (deps.remainingMs?.() ?? Infinity) < 30_000);
  const prev = event.totals ?? { objects: 0, bytes: 0, invocations: 0 };
  const totals = { objects: prev.objects + page.objects, bytes: prev.bytes + page.bytes, invocations: prev.invocations + 1 };
  return {
    response: {
      enqueued: page.objects,
      bytes: page.bytes,
      listCalls: store.stats.listCalls,
      totals,
      done: !page.next,
      continuation: page.next ?? null,
      continuedAsync: false,
    },
    cursor: page.next,
  };
}

export async function handler(event: RemoteReplayEvent, context?: Context): Promise<RemoteReplayResponse> {
  const region = process.env.AWS_REGION ?? 'us-east-1';
  s3 ??= createS3Client();
  sqs ??= new SQSClient({});
  const { response, cursor } = await replayPage(event, {
    s3,
    sqs,
    region,
    allowedBucket: process.env.ARCHIVE_BUCKET,
    queueUrl: process.env.INDEX_QUEUE_URL,
    remainingMs: context ? () => context.getRemainingTimeInMillis() : undefined,
  });
  if (cursor && event.selfInvoke && context) {
    lambda ??= new LambdaClient({});
    const next: RemoteReplayEvent = { ...event, cursor, totals: response.totals };
    await lambda.send(new InvokeCommand({ FunctionName: context.invokedFunctionArn, InvocationType: 'Event', Payload: Buffer.from(JSON.stringify(next)) }));
    response.continuedAsync = true;
    response.continuation = null;
  }
  metrics.addMetric('replay_enqueued_objects', MetricUnit.Count, response.enqueued);
  metrics.addMetric('replay_enqueued_bytes', MetricUnit.Bytes, response.bytes);
  metrics.addMetric('replay_list_calls', MetricUnit.Count, response.listCalls);
  metrics.publishStoredMetrics();
  logger.info('replay page', {
    archive: event.archive,
    since: event.since,
    until: event.until,
    filters: { sources: event.sources, accounts: event.accounts, regions: event.regions },
    enqueued: response.enqueued,
    bytes: response.bytes,
    totals: response.totals,
    done: response.done,
    continuedAsync: response.continuedAsync,
  });
  return response;
}
