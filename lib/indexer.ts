/**
 * Core of the indexer: archive objects (`normalized/…ndjson.gz`, named by S3 notifications) are
 * streamed line by line into the bulk core (`lib/bulk.ts`) and indexed into
 * `indexName(doc, prefix)` with `_id` = `event.id`.
 *
 * Per object, every document ends as exactly one of:
 * - indexed (after retries of retryable item errors),
 * - dead-lettered: a non-retryable answer (mapping conflict, 400) or a line that is not a JSON
 *   document, written to `errors/indexer/<partition of the object>/<object name>-<id>.ndjson.gz` as
 *   `{reason, status, error, index, document}` — the name is derived from the archive object, so a
 *   re-run overwrites its own dead letters instead of duplicating them,
 * - failed: OpenSearch unreachable or still pushing back after the bounded retries. The SQS message
 *   is reported in `batchItemFailures`: SQS re-delivers it (then its DLQ). Documents already indexed
 *   are overwritten by the re-run (same `_id`), and this run's dead letters are discarded (the re-run
 *   writes them again), so a retry neither loses nor duplicates anything.
 *
 * Identity per invocation (asserted by the tests): `documents = indexed + dead_lettered + failed`.
 */
import { deadLetterKey, parseArchiveKey } from './core/archive';
import { type BulkOptions, type BulkTransport, BulkUnavailableError, BulkWriter, type DeadLetter } from './io/bulk';
import { stableId } from '../parsers/ids';
import { indexName } from './core/indices';
import type { Tally } from './io/observability';
import { getObjectStream, NdjsonGzUpload, type ObjectClient, readLines, type S3ObjectRef } from './io/s3';
import { forEachNotifiedObject, type MessagesOutcome, type SqsRecordLike } from './io/sqs';

export interface IndexerDeps {
  /** S3 client (Lambda), or any `ObjectIO` (replay and the demo over a local directory). */
  s3: ObjectClient;
  /** Bucket of the dead letters (the archive bucket). */
  archiveBucket: string;
  transport: BulkTransport;
  bulk: Omit<BulkOptions, 'onDeadLetter'>;
  indexPrefix: string;
}

export interface IndexObjectResult {
  tally: Tally;
  deadLetterKey?: string;
  ignored?: string;
}

interface Doc {
  '@timestamp'?: string;
  event?: { id?: string; dataset?: string };
  tributary?: { merge?: boolean; source?: string };
}

/** Indexes one archive object. Throws `BulkUnavailableError` (with the partial tally) when OpenSearch fails. */
export async function indexObject(ref: S3ObjectRef, deps: IndexerDeps): Promise<IndexObjectResult> {
  const parsed = parseArchiveKey(ref.key);
  if (!parsed || parsed.area !== 'normalized') return { tally: { ignored_objects: 1 }, ignored: 'not a normalized archive object' };
  let documents = 0;
  let deadLetters: NdjsonGzUpload | undefined;
  const dlKey = deadLetterKey(parsed.partition, `${parsed.name.replace(/\.ndjson\.gz$|\.gz$/, '')}-${stableId('indexer', ref.bucket, ref.key)}`);
  const onDeadLetter = async (d: DeadLetter) => {
    deadLetters ??= new NdjsonGzUpload(deps.s3, deps.archiveBucket, dlKey);
    await deadLetters.write([JSON.stringify(d)]);
  };
  const writer = new BulkWriter(deps.transport, { ...deps.bulk, onDeadLetter });
  const body = await getObjectStream(deps.s3, ref);
  try {
    for await (const line of readLines(body)) {
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
      await writer.add({ index: indexName(doc, deps.indexPrefix), id: doc.event?.id, merge: doc.tributary?.merge === true, doc });
    }
    await writer.flush();
    if (deadLetters) await deadLetters.close();
  } catch (e) {
    body.destroy();
    if (deadLetters) await deadLetters.abort();
    const s = writer.stats;
    const tally: Tally = { objects: 1, documents, indexed: s.indexed, retried: s.retried, dead_lettered: 0, failed: documents - s.indexed };
    throw new IndexObjectError(e, tally);
  }
  const s = writer.stats;
  return {
    tally: { objects: 1, documents, indexed: s.indexed, retried: s.retried, dead_lettered: s.deadLettered, failed: 0 },
    deadLetterKey: deadLetters ? dlKey : undefined,
  };
}

/** An object that could not be indexed completely; `tally` says how far it got. */
export class IndexObjectError extends Error {
  constructor(
    override readonly cause: unknown,
    readonly tally: Tally,
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
    this.name = cause instanceof BulkUnavailableError ? 'OpenSearchUnavailable' : 'IndexObjectError';
  }
}

export type IndexBatchOutcome = MessagesOutcome<IndexObjectResult>;

/** Indexes an SQS batch of archive notifications with partial batch responses. */
export function indexMessages(records: readonly SqsRecordLike[], deps: IndexerDeps): Promise<IndexBatchOutcome> {
  return forEachNotifiedObject(records, (ref) => indexObject(ref, deps), (e) => (e instanceof IndexObjectError ? e.tally : undefined));
}
