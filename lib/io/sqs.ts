/**
 * SQS: batches of S3 object notifications with partial batch responses, shared by s3ingest and the
 * indexer: a message fails (and SQS redelivers it, then dead-letters it) when any of its objects
 * fails; the objects it already finished keep their counts, since re-running them is idempotent.
 * With a deadline (`lib/core/deadline.ts`), a message is not started once it has passed: it is
 * handed back the same way, untouched, and so is a message whose work stopped at the deadline.
 * Also the batch sender of replay pages (`lib/replay/remote.ts`).
 */
import type { SQSClient } from '@aws-sdk/client-sqs';
import { normalizedObject } from '../core/archive';
import { type Deadline, DeadlineError, passed } from '../core/deadline';
import { addTally, type Tally } from '../core/tally';
import { lazyObject } from './lazy';
import { parseS3Notification, type S3ObjectRef } from './s3';

// The SDK module, loaded by the first SQS call (see lib/io/lazy.ts).
const sqsSdk = (): typeof import('@aws-sdk/client-sqs') => require('@aws-sdk/client-sqs');

/** The part of an SQS record the handlers use. */
export interface SqsRecordLike {
  messageId: string;
  body: string;
  /** To make a handed-back message visible again early (`releaseForRetry`). */
  receiptHandle?: string;
  /** `arn:aws:sqs:<region>:<account>:<queue>`, the queue the message came from. */
  eventSourceARN?: string;
  /** `ApproximateReceiveCount` > 1: SQS delivered it before (s3ingest then looks for a checkpoint). */
  attributes?: { ApproximateReceiveCount?: string };
}

/**
 * Whether SQS delivered this message before (a retry or a hand-back).
 * @example redelivered({ messageId: 'm', body: '', attributes: { ApproximateReceiveCount: '2' } }) // true
 */
export const redelivered = (r: SqsRecordLike): boolean => Number(r.attributes?.ApproximateReceiveCount ?? 1) > 1;

export interface MessagesOutcome<R> {
  batchItemFailures: Array<{ itemIdentifier: string }>;
  tally: Tally;
  /**
   * `tally` by source, for the per-source metrics (`lib/io/observability.ts`): an object's result
   * `source` when it has one (s3ingest), else the source of its `normalized/` key (indexer). What no
   * source can be given to is left out (the metrics count it as `unknown`).
   */
  bySource: Record<string, Tally>;
  /**
   * `handedBack`: the deadline passed before the message was started (`unstarted`) or while its work
   * ran (`stopped`); handed back through `batchItemFailures`, not an error of its own.
   */
  results: Array<{ messageId: string; objects: R[]; error?: string; handedBack?: 'unstarted' | 'stopped' }>;
}

/** The source an object's counts belong to (see `MessagesOutcome.bySource`). */
function sourceOf(ref: S3ObjectRef, result?: { source?: unknown }): string | undefined {
  if (typeof result?.source === 'string') return result.source;
  return normalizedObject(ref.key)?.partition.source;
}

function addBySource(into: Record<string, Tally>, source: string | undefined, t: Tally): void {
  if (source !== undefined) addTally((into[source] ??= {}), t);
}

/**
 * Runs `handle` on every object of every notification, in order.
 * `failureTally` lets a handler count what a failing object did before it failed. Once `deadline`
 * has passed, the remaining messages are handed back without being started.
 */
export async function forEachNotifiedObject<R extends { tally: Tally }>(
  records: readonly SqsRecordLike[],
  handle: (ref: S3ObjectRef, message: SqsRecordLike) => Promise<R>,
  failureTally: (e: unknown) => Tally | undefined = () => undefined,
  deadline?: Deadline,
): Promise<MessagesOutcome<R>> {
  const out: MessagesOutcome<R> = { batchItemFailures: [], tally: {}, bySource: {}, results: [] };
  for (const r of records) {
    if (passed(deadline)) {
      out.batchItemFailures.push({ itemIdentifier: r.messageId });
      out.results.push({ messageId: r.messageId, objects: [], error: 'DeadlineReached: not started before the deadline', handedBack: 'unstarted' });
      continue;
    }
    const objects: R[] = [];
    const refs: S3ObjectRef[] = [];
    try {
      const n = parseS3Notification(r.body);
      if (n.ignored) addTally(out.tally, { ignored_objects: n.ignored });
      for (const ref of n.objects) {
        refs.push(ref);
        objects.push(await handle(ref, r));
      }
      out.results.push({ messageId: r.messageId, objects });
    } catch (e) {
      const t = failureTally(e);
      if (t) {
        addTally(out.tally, t);
        // the object that failed is the one after the finished ones
        if (refs.length > objects.length) addBySource(out.bySource, sourceOf(refs[objects.length]), t);
      }
      out.batchItemFailures.push({ itemIdentifier: r.messageId });
      const stopped = e instanceof DeadlineError || (e instanceof Error && e.cause instanceof DeadlineError);
      out.results.push({ messageId: r.messageId, objects, error: e instanceof Error ? `${e.name}: ${e.message}` : String(e), ...(stopped ? { handedBack: 'stopped' as const } : {}) });
    }
    objects.forEach((o, i) => {
      addTally(out.tally, o.tally);
      addBySource(out.bySource, sourceOf(refs[i], o as { source?: unknown }), o.tally);
    });
  }
  return out;
}

/** A client from the standard SDK environment (region, endpoint, credentials), built on first use. */
export const createSqsClient = (): SQSClient => lazyObject(() => new (sqsSdk().SQSClient)({}));

/**
 * The client `releaseForRetry` uses: the queues are the function's own event sources, in its Region,
 * so requests go to the SDK's endpoint for that Region (or `AWS_ENDPOINT_URL`), never to the host of
 * the URL built from the queue ARN (the SDK would otherwise prefer that host). Built on first use:
 * most invocations hand nothing back and never need it.
 */
export const createSqsReleaseClient = (): SQSClient => lazyObject(() => new (sqsSdk().SQSClient)({ useQueueUrlAsEndpoint: false }));

/**
 * The queue URL of a queue ARN (`eventSourceARN` of SQS events), or undefined when it is not one.
 * @example queueUrlOfArn('arn:aws:sqs:eu-west-1:111122223333:tributary-prod-IngestQueue-X') // 'https://sqs.eu-west-1.amazonaws.com/111122223333/tributary-prod-IngestQueue-X'
 */
export function queueUrlOfArn(arn: string): string | undefined {
  const m = /^arn:(aws[a-z-]*):sqs:([a-z0-9-]+):(\d{12}):([\w-]{1,80}(?:\.fifo)?)$/.exec(arn);
  if (!m) return undefined;
  const [, partition, region, account, name] = m;
  return `https://sqs.${region}.${partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com'}/${account}/${name}`;
}

/**
 * Makes handed-back messages visible again after `delaySeconds` instead of after the queue's
 * visibility timeout (30 minutes for s3ingest): work stopped by a deadline goes on within seconds.
 * Best effort: a message it cannot release still comes back after the visibility timeout, so the
 * errors are returned for the log, never thrown. Needs `sqs:ChangeMessageVisibility` on the queue.
 */
export async function releaseForRetry(client: SQSClient, records: readonly SqsRecordLike[], delaySeconds: number): Promise<string[]> {
  const errors: string[] = [];
  const byQueue = new Map<string, SqsRecordLike[]>();
  for (const r of records) {
    const url = r.eventSourceARN ? queueUrlOfArn(r.eventSourceARN) : undefined;
    if (!url || !r.receiptHandle) {
      errors.push(`${r.messageId}: no queue ARN or receipt handle`);
      continue;
    }
    byQueue.set(url, [...(byQueue.get(url) ?? []), r]);
  }
  for (const [QueueUrl, list] of byQueue)
    for (let i = 0; i < list.length; i += 10) {
      const batch = list.slice(i, i + 10);
      try {
        const res = await client.send(
          new (sqsSdk().ChangeMessageVisibilityBatchCommand)({
            QueueUrl,
            Entries: batch.map((r, j) => ({ Id: String(j), ReceiptHandle: r.receiptHandle!, VisibilityTimeout: delaySeconds })),
          }),
        );
        for (const f of res.Failed ?? []) errors.push(`${batch[Number(f.Id)]?.messageId}: ${f.Code} ${f.Message ?? ''}`.trim());
      } catch (e) {
        errors.push(`${batch.map((r) => r.messageId).join(',')}: ${(e as Error).message}`);
      }
    }
  return errors;
}

/**
 * Sends bodies with SendMessageBatch (≤ 10); throws if SQS rejects any entry (the caller retries the
 * whole page: duplicates are idempotent).
 */
export async function sendBatch(client: SQSClient, queueUrl: string, bodies: string[]): Promise<void> {
  const res = await client.send(
    new (sqsSdk().SendMessageBatchCommand)({ QueueUrl: queueUrl, Entries: bodies.map((MessageBody, i) => ({ Id: String(i), MessageBody })) }),
  );
  if (res.Failed?.length) throw new Error(`SQS rejected ${res.Failed.length} messages: ${res.Failed[0].Code} ${res.Failed[0].Message ?? ''}`);
}
