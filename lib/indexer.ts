/**
 * The indexer use case: archive objects (`normalized/…ndjson.gz`, named by S3 notifications, or by
 * replay) are streamed line by line into the bulk core (`lib/io/bulk.ts`) and indexed into
 * `indexName(doc, prefix)` with `_id` = `documentId(doc)` (`event.id` namespaced by the attributed account).
 *
 * Per object, every document ends as exactly one of:
 * - indexed (after retries of retryable item errors),
 * - dead-lettered: a non-retryable answer (mapping conflict, 400), a line that is not a JSON
 *   document, or a line over `maxLineBytes` (`line_too_long`, its first bytes kept), written to `errors/indexer/<partition of the object>/<object name>-<id>.ndjson.gz` as
 *   `{reason, status, error, index, document}` — the name is derived from the archive object, so a
 *   re-run overwrites its own dead letters instead of duplicating them,
 * - failed: OpenSearch unreachable or still pushing back after the bounded retries. The SQS message
 *   is reported in `batchItemFailures`: SQS re-delivers it (then its DLQ). Documents already indexed
 *   are overwritten by the re-run (same `_id`), and this run's dead letters are discarded (the re-run
 *   writes them again), so a retry neither loses nor duplicates anything.
 *
 * Identity per invocation (asserted by the tests): `documents = indexed + dead_lettered + failed`.
 *
 * Deadline: the handler passes the invocation's remaining time; the use case stops
 * `INDEXER_DEADLINE_MARGIN_MS` before the end (`lib/core/deadline.ts`). No message is started after
 * that, no `_bulk` attempt or backoff runs past it (`lib/io/bulk.ts`), and what is left is handed
 * back in `batchItemFailures` (its documents counted `failed`, as for an unavailable cluster).
 * Messages handed back before they started are made visible again at once (`releaseForRetry`); a
 * message stopped mid-object waits for the visibility timeout, since a slow cluster is the usual
 * reason it ran out of time.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { documentId } from './core/attribution';
import { deadlineBefore, DeadlineError, type Invocation } from './core/deadline';
import { deadLetterKey, deadLetterName, normalizedObject } from './core/archive';
import { indexName } from './core/indices';
import type { Tally } from './core/tally';
import { ArchiveWriter } from './io/archive-writer';
import { type BulkOptions, type BulkTransport, BulkUnavailableError, BulkWriter, type DeadLetter } from './io/bulk';
import type { IndexerConfig } from './io/config';
import { bulkTransport, createOpenSearchClient, omitIdsFor } from './io/opensearch';
import { DEFAULT_LIMITS, isUnreadable } from './core/limits';
import { createS3Client, readLineItems } from './io/s3';
import { createSqsReleaseClient, forEachNotifiedObject, type MessagesOutcome, releaseForRetry, type SqsRecordLike } from './io/sqs';
import { bucketStores, type ObjectStore } from './io/store';

export interface IndexObjectDeps {
  /** Where dead letters go (the archive). */
  archive: ObjectStore;
  transport: BulkTransport;
  bulk: Omit<BulkOptions, 'onDeadLetter'>;
  indexPrefix: string;
  /** `MAX_LINE_BYTES` (default 8 MiB): a longer line is dead-lettered with its first bytes, never held whole. */
  maxLineBytes?: number;
}

/** One archive object: the store it is read from (the archive, or replay's staging) and its key. */
export interface ArchiveObject {
  store: ObjectStore;
  key: string;
}

export interface IndexObjectResult {
  tally: Tally;
  deadLetterKey?: string;
  ignored?: string;
}

interface Doc {
  '@timestamp'?: string;
  event?: { id?: string; dataset?: string };
  cloud?: { account?: { id?: string } };
  tributary?: { merge?: boolean; source?: string; claimed?: { account?: string } };
}

/**
 * Indexes one archive object. Throws `IndexObjectError` (with the partial tally) when OpenSearch fails.
 * @example await indexObject({ store: archive, key: 'normalized/source=elb/…/x.ndjson.gz' }, { archive, transport, bulk: DEFAULT_BULK, indexPrefix: 'logs' })
 */
export async function indexObject(input: ArchiveObject, deps: IndexObjectDeps): Promise<IndexObjectResult> {
  // Also a `normalized/` key whose partition does not parse (`year=-29719/` from before the time
  // window applied to partitions): its documents are indexed, not ignored.
  const parsed = normalizedObject(input.key);
  if (!parsed) return { tally: { ignored_objects: 1 }, ignored: 'not a normalized archive object' };
  let documents = 0;
  const name = deadLetterName(parsed.name, input.store.bucket, input.store.absoluteKey(input.key));
  const deadLetters = new ArchiveWriter(deps.archive, name, deadLetterKey);
  const onDeadLetter = (d: DeadLetter) => deadLetters.write(parsed.partition, [JSON.stringify(d)]);
  const writer = new BulkWriter(deps.transport, { ...deps.bulk, onDeadLetter });
  const body = await input.store.get(input.key);
  try {
    for await (const line of readLineItems(body, deps.maxLineBytes ?? DEFAULT_LIMITS.maxLineBytes)) {
      if (isUnreadable(line)) {
        documents++;
        writer.stats.deadLettered++;
        await onDeadLetter({ reason: line.type, status: 0, error: line.reason, index: null, document: line.head });
        continue;
      }
      if (!line.trim()) continue;
      documents++;
      let doc: Doc;
      try {
        doc = JSON.parse(line) as Doc;
        if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new SyntaxError('line is not a JSON object');
      } catch (e) {
        writer.stats.deadLettered++;
        await onDeadLetter({ reason: 'invalid_json', status: 0, error: (e as Error).message, index: null, document: line });
        continue;
      }
      // The line is the document's JSON already: the bulk body reuses it (`json`).
      await writer.add({ index: indexName(doc, deps.indexPrefix), id: documentId(doc), merge: doc.tributary?.merge === true, doc, json: line });
    }
    await writer.flush();
    await deadLetters.close();
  } catch (e) {
    body.destroy();
    await writer.settle();
    await deadLetters.abort();
    const s = writer.stats;
    const tally: Tally = { objects: 1, documents, indexed: s.indexed, retried: s.retried, dead_lettered: 0, failed: documents - s.indexed };
    throw new IndexObjectError(e, tally);
  }
  const s = writer.stats;
  return {
    tally: { objects: 1, documents, indexed: s.indexed, retried: s.retried, dead_lettered: s.deadLettered, failed: 0 },
    deadLetterKey: deadLetters.keys[0],
  };
}

/** An object that could not be indexed completely; `tally` says how far it got. */
export class IndexObjectError extends Error {
  constructor(
    override readonly cause: unknown,
    readonly tally: Tally,
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
    this.name = cause instanceof BulkUnavailableError ? 'OpenSearchUnavailable' : cause instanceof DeadlineError ? 'DeadlineReached' : 'IndexObjectError';
  }
}

export interface IndexBatchOutcome extends MessagesOutcome<IndexObjectResult> {
  /** Handed-back messages that could not be made visible early (they return after the visibility timeout). */
  releaseErrors?: string[];
}

/** What the SQS adapter needs: the S3 client, the archive bucket, and how to index. */
export interface IndexerDeps extends Omit<IndexObjectDeps, 'archive'> {
  s3: S3Client;
  archiveBucket: string;
  /** Makes messages handed back before they started visible again at once; without it they wait for the visibility timeout. */
  sqs?: SQSClient;
  /** Default `INDEXER_DEADLINE_MARGIN_MS`. */
  deadlineMarginMs?: number;
}

/**
 * Stop this long before the invocation ends: the `_bulk` request in flight is already cut to the
 * deadline, so what remains is abandoning dead letters and returning; 10 s of the 120 s timeout.
 */
export const INDEXER_DEADLINE_MARGIN_MS = 10_000;

/**
 * Indexes an SQS batch of archive notifications with partial batch responses, within the
 * invocation's time (see the module comment).
 * @example const out = await indexMessages(event.Records, deps, { remainingMs: () => context.getRemainingTimeInMillis() }); return { batchItemFailures: out.batchItemFailures };
 */
export async function indexMessages(records: readonly SqsRecordLike[], deps: IndexerDeps, invocation?: Invocation): Promise<IndexBatchOutcome> {
  const storeOf = bucketStores(deps.s3);
  const deadline = invocation ? deadlineBefore(invocation.remainingMs, deps.deadlineMarginMs ?? INDEXER_DEADLINE_MARGIN_MS) : undefined;
  const objectDeps: IndexObjectDeps = { ...deps, archive: storeOf(deps.archiveBucket), bulk: { ...deps.bulk, deadline } };
  const out: IndexBatchOutcome = await forEachNotifiedObject(
    records,
    (ref) => indexObject({ store: storeOf(ref.bucket), key: ref.key }, objectDeps),
    (e) => (e instanceof IndexObjectError ? e.tally : undefined),
    deadline,
  );
  const unstarted = new Set(out.results.filter((r) => r.handedBack === 'unstarted').map((r) => r.messageId));
  if (deps.sqs && unstarted.size) {
    const errors = await releaseForRetry(deps.sqs, records.filter((r) => unstarted.has(r.messageId)), 0);
    if (errors.length) out.releaseErrors = errors;
  }
  return out;
}

/** The indexer function's dependencies from its configuration (clients are created once per cold start). */
export function indexerDepsFromConfig(config: IndexerConfig): IndexerDeps {
  return {
    s3: createS3Client(),
    sqs: createSqsReleaseClient(),
    archiveBucket: config.archiveBucket,
    transport: bulkTransport(createOpenSearchClient(config.opensearch)),
    bulk: { ...config.bulk, omitIds: omitIdsFor(config.opensearch) },
    indexPrefix: config.indexPrefix,
    maxLineBytes: config.maxLineBytes,
  };
}
