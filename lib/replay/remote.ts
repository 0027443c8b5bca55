/**
 * Replay in AWS, for ranges too large to replay from one machine: the replay function enumerates
 * the archive partitions of a range (same plan as `tributary replay`, no bucket scan) and sends one
 * S3-notification-shaped message per archive object to the indexer queue, so the indexer fleet
 * (bounded by its reserved concurrency) does the indexing with its own code path.
 *
 * Pages: at most `maxObjects` objects per invocation (and it stops early when less than 30 s of its
 * time remain). When more is left it either re-invokes itself asynchronously with the cursor
 * (`selfInvoke: true`, started by `tributary replay --remote --detach`) or returns the cursor as
 * `continuation` for the caller to send back (`tributary replay --remote` drives the pages and
 * prints progress).
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { parseArchiveKey } from '../core/archive';
import type { ReplayConfig } from '../io/config';
import { createLambdaClient, invokeFunction, type LambdaClient } from '../io/lambda';
import { createS3Client } from '../io/s3';
import { createSqsClient, sendBatch } from '../io/sqs';
import { type ObjectStore, parseStoreUrl, S3Store } from '../io/store';
import { parseTimeArg, partitionSelected, planPrefixes, type ReplayFilter } from './plan';

/** Where a paged enumeration stands: remaining prefixes and the S3 continuation token of the current one. */
export interface EnumerationCursor {
  prefixes: string[];
  index: number;
  token?: string;
}

/**
 * An SQS message body the indexer reads exactly like an S3 "object created" notification.
 * @example s3NotificationBody('central-logs', 'normalized/source=elb/…/x.ndjson.gz', 1234, 'etag', 'eu-west-1')
 */
export function s3NotificationBody(bucket: string, key: string, size: number, etag: string | undefined, region: string, now = new Date()): string {
  return JSON.stringify({
    Records: [
      {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        awsRegion: region,
        eventTime: now.toISOString(),
        eventName: 'ObjectCreated:Put',
        userIdentity: { principalId: 'tributary-replay' },
        s3: {
          s3SchemaVersion: '1.0',
          bucket: { name: bucket, arn: `arn:aws:s3:::${bucket}` },
          // S3 URL-encodes keys in notifications, with spaces as '+'.
          object: { key: encodeURIComponent(key).replace(/%2F/g, '/').replace(/%20/g, '+'), size, eTag: etag ?? '' },
        },
      },
    ],
  });
}

export interface EnqueueResult {
  objects: number;
  bytes: number;
  messages: number;
  listCalls: number;
  next?: EnumerationCursor;
}

/**
 * One page of a remote replay: lists from the cursor and sends up to `maxObjects` notification
 * bodies through `send` (batches of at most 10, the SQS batch limit). Returns the cursor to continue
 * from, or no cursor when the range is exhausted.
 */
export async function enqueuePage(
  store: ObjectStore,
  cursor: EnumerationCursor,
  filter: ReplayFilter,
  maxObjects: number,
  send: (bodies: string[]) => Promise<void>,
  region: string,
  shouldStop: () => boolean = () => false,
): Promise<EnqueueResult> {
  const calls0 = store.stats.listCalls;
  const out: EnqueueResult = { objects: 0, bytes: 0, messages: 0, listCalls: 0 };
  const cur: EnumerationCursor = { ...cursor, prefixes: cursor.prefixes };
  let batch: string[] = [];
  const flush = async () => {
    if (!batch.length) return;
    await send(batch);
    out.messages += batch.length;
    batch = [];
  };
  while (cur.index < cur.prefixes.length && out.objects < maxObjects && !shouldStop()) {
    const page = await store.listPage(cur.prefixes[cur.index], { token: cur.token, limit: Math.min(1000, maxObjects - out.objects) });
    for (const obj of page.objects) {
      const parsed = parseArchiveKey(obj.key);
      if (!parsed || parsed.area !== 'normalized' || !partitionSelected(parsed.partition, filter)) continue;
      batch.push(s3NotificationBody(store.bucket, store.absoluteKey(obj.key), obj.size, obj.etag, region));
      out.objects++;
      out.bytes += obj.size;
      if (batch.length === 10) await flush();
    }
    if (page.next) cur.token = page.next;
    else {
      cur.index++;
      cur.token = undefined;
    }
  }
  await flush();
  out.listCalls = store.stats.listCalls - calls0;
  if (cur.index < cur.prefixes.length) out.next = cur;
  return out;
}


/** The replay function's event: `since`/`until` as accepted by the CLI. */
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

export const MAX_OBJECTS_PER_INVOCATION = 50_000;

export interface ReplayPageDeps {
  s3: S3Client;
  sqs: SQSClient;
  region: string;
  /** The only bucket this deployment may read. */
  allowedBucket?: string;
  /** Default queue (an event may name another). */
  queueUrl?: string;
  remainingMs?: () => number;
}

/**
 * One page: validates the event, enqueues up to `maxObjects` objects from its cursor (or the start).
 * @example await replayPage({ archive: 's3://central-logs', since: '2026-03-01', until: '2026-03-07' }, { s3, sqs, region: 'eu-west-1', queueUrl })
 */
export async function replayPage(event: RemoteReplayEvent, deps: ReplayPageDeps): Promise<{ response: RemoteReplayResponse; cursor?: EnumerationCursor }> {
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

/** The replay function's use case: one page, then (with `selfInvoke`) the rest handed to itself. */
export interface RemoteReplay {
  (event: RemoteReplayEvent, invocation?: { functionArn: string; remainingMs: () => number }): Promise<RemoteReplayResponse>;
}

/** The replay function from its configuration (clients are created once per cold start). */
export function remoteReplayFromConfig(config: ReplayConfig): RemoteReplay {
  const s3 = createS3Client();
  const sqs = createSqsClient();
  let lambda: LambdaClient | undefined;
  return async (event, invocation) => {
    const { response, cursor } = await replayPage(event, {
      s3,
      sqs,
      region: config.region,
      allowedBucket: config.archiveBucket,
      queueUrl: config.indexQueueUrl,
      remainingMs: invocation?.remainingMs,
    });
    if (cursor && event.selfInvoke && invocation) {
      lambda ??= createLambdaClient();
      const next: RemoteReplayEvent = { ...event, cursor, totals: response.totals };
      await invokeFunction(lambda, invocation.functionArn, next, 'Event');
      response.continuedAsync = true;
      response.continuation = null;
    }
    return response;
  };
}
