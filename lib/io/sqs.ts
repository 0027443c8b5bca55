/**
 * SQS: batches of S3 object notifications with partial batch responses, shared by s3ingest and the
 * indexer: a message fails (and SQS redelivers it, then dead-letters it) when any of its objects
 * fails; the objects it already finished keep their counts, since re-running them is idempotent.
 * Also the batch sender of replay pages (`lib/replay/remote.ts`).
 */
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { addTally, type Tally } from '../core/tally';
import { parseS3Notification, type S3ObjectRef } from './s3';

/** The part of an SQS record the handlers use. */
export interface SqsRecordLike {
  messageId: string;
  body: string;
}

export interface MessagesOutcome<R> {
  batchItemFailures: Array<{ itemIdentifier: string }>;
  tally: Tally;
  results: Array<{ messageId: string; objects: R[]; error?: string }>;
}

/**
 * Runs `handle` on every object of every notification, in order.
 * `failureTally` lets a handler count what a failing object did before it failed.
 */
export async function forEachNotifiedObject<R extends { tally: Tally }>(
  records: readonly SqsRecordLike[],
  handle: (ref: S3ObjectRef) => Promise<R>,
  failureTally: (e: unknown) => Tally | undefined = () => undefined,
): Promise<MessagesOutcome<R>> {
  const out: MessagesOutcome<R> = { batchItemFailures: [], tally: {}, results: [] };
  for (const r of records) {
    const objects: R[] = [];
    try {
      const n = parseS3Notification(r.body);
      if (n.ignored) addTally(out.tally, { ignored_objects: n.ignored });
      for (const ref of n.objects) objects.push(await handle(ref));
      out.results.push({ messageId: r.messageId, objects });
    } catch (e) {
      const t = failureTally(e);
      if (t) addTally(out.tally, t);
      out.batchItemFailures.push({ itemIdentifier: r.messageId });
      out.results.push({ messageId: r.messageId, objects, error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) });
    }
    for (const o of objects) addTally(out.tally, o.tally);
  }
  return out;
}

/** A client from the standard SDK environment (region, endpoint, credentials). */
export const createSqsClient = (): SQSClient => new SQSClient({});

/**
 * Sends bodies with SendMessageBatch (≤ 10); throws if SQS rejects any entry (the caller retries the
 * whole page: duplicates are idempotent).
 */
export async function sendBatch(client: SQSClient, queueUrl: string, bodies: string[]): Promise<void> {
  const res = await client.send(
    new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: bodies.map((MessageBody, i) => ({ Id: String(i), MessageBody })) }),
  );
  if (res.Failed?.length) throw new Error(`SQS rejected ${res.Failed.length} messages: ${res.Failed[0].Code} ${res.Failed[0].Message ?? ''}`);
}
