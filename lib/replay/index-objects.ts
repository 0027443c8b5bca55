/**
 * The engine that indexes a list of archive objects with the indexer's own code path
 * (`indexObject`), used by `tributary replay`, `tributary ingest --opensearch` and the local run: a
 * pool of workers bounded by `concurrency`, every `_bulk` request paced by the adaptive throttle,
 * per-object and per-source counts, an optional checkpoint, progress lines, and a stop as soon as
 * OpenSearch stays unavailable (the rest can be resumed). The same object always gets the same index
 * and `_id`s, so indexing it again overwrites instead of duplicating.
 */
import { addTally, type Tally } from '../core/tally';
import { type BulkOptions, type BulkTransport, BulkUnavailableError } from '../io/bulk';
import { Progress, type ProgressOptions, type ProgressState } from '../io/progress';
import type { ObjectStore } from '../io/store';
import { type IndexObjectDeps, IndexObjectError, indexObject } from '../indexer';
import type { Checkpoint } from './checkpoint';
import type { ReplayObject } from './plan';
import { AdaptiveThrottle, type IndexingCounters, throttledTransport } from './throttle';

/** What indexing one object gave: its tally, and per source. */
export interface ObjectOutcome {
  tally: Tally;
  bySource: Record<string, Tally>;
}

export interface IndexObjectsOptions {
  /** Where the objects are read from (unless `indexOne` says otherwise) and dead letters go. */
  archive: ObjectStore;
  objects: readonly ReplayObject[];
  indexPrefix: string;
  transport: BulkTransport;
  bulk: Omit<BulkOptions, 'onDeadLetter'>;
  concurrency: number;
  /** Upper bound of documents per second. */
  rate?: number;
  /** Objects it has are skipped; every object done is recorded in it. */
  checkpoint?: Checkpoint;
  /** Stops taking new objects (SIGINT); objects in flight finish. */
  signal?: AbortSignal;
  progress?: ProgressOptions | false;
  /** Called after each object (tests interrupt with it; the local run attributes counts with it). */
  onObject?: (o: { key: string; tally: Tally; error?: string }) => void;
  /** How one object is indexed (default: `indexObject` on the archive; replay from raw stages first). */
  indexOne?: (obj: ReplayObject, deps: IndexObjectDeps) => Promise<ObjectOutcome>;
}

export interface IndexObjectsResult {
  objects: number;
  bytes: number;
  /** Objects skipped because the checkpoint had them. */
  skipped: number;
  processed: number;
  tally: Tally;
  bySource: Record<string, Tally>;
  counters: IndexingCounters;
  throttleEvents: number;
  failedObjects: Array<{ key: string; error: string }>;
  interrupted: boolean;
  /** OpenSearch stayed unavailable: indexing stopped early (resume later). */
  aborted?: string;
  elapsedMs: number;
}

/**
 * Indexes the objects (see the module comment).
 * @example await indexObjects({ archive, objects, indexPrefix: 'logs', transport, bulk: DEFAULT_BULK, concurrency: 4 })
 */
export async function indexObjects(o: IndexObjectsOptions): Promise<IndexObjectsResult> {
  const t0 = Date.now();
  const { objects, checkpoint } = o;
  const throttle = new AdaptiveThrottle({ maxConcurrency: o.concurrency, rate: o.rate });
  const counters: IndexingCounters = { created: 0, updated: 0, noop: 0, throttledResponses: 0 };
  const bulk = { ...o.bulk };
  if (o.rate && o.rate > 0) bulk.maxDocs = Math.max(1, Math.min(bulk.maxDocs, Math.ceil(o.rate)));
  const deps: IndexObjectDeps = { archive: o.archive, transport: throttledTransport(o.transport, throttle, counters), bulk, indexPrefix: o.indexPrefix };
  const indexOne =
    o.indexOne ??
    (async (obj: ReplayObject): Promise<ObjectOutcome> => {
      const r = await indexObject({ store: o.archive, key: obj.key }, deps);
      return { tally: r.tally, bySource: { [obj.source ?? 'unknown']: { ...r.tally } } };
    });

  const todo = objects.filter((x) => !checkpoint?.done.has(x.key));
  const state: ProgressState = {
    objectsDone: objects.length - todo.length,
    objectsTotal: objects.length,
    bytesDone: objects.filter((x) => checkpoint?.done.has(x.key)).reduce((a, x) => a + x.size, 0),
    bytesTotal: objects.reduce((a, x) => a + x.size, 0),
    documents: 0,
    indexed: 0,
    deadLettered: 0,
    skipped: objects.length - todo.length,
  };
  const progress = o.progress === false ? undefined : new Progress(state, { label: 'replay', ...o.progress });
  progress?.start();
  const result: IndexObjectsResult = {
    objects: objects.length,
    bytes: state.bytesTotal,
    skipped: state.skipped,
    processed: 0,
    tally: {},
    bySource: {},
    counters,
    throttleEvents: 0,
    failedObjects: [],
    interrupted: false,
    elapsedMs: 0,
  };

  let next = 0;
  let stop: string | undefined;
  const worker = async (slot: number): Promise<void> => {
    for (;;) {
      if (stop || o.signal?.aborted) return;
      if (slot >= throttle.concurrency) {
        // This slot is parked by the throttle; it rejoins when concurrency recovers.
        throttle.recover();
        if (next >= todo.length) return;
        await new Promise((r) => setTimeout(r, 200));
        continue;
      }
      const obj = todo[next++];
      if (!obj) return;
      try {
        const r = await indexOne(obj, deps);
        addTally(result.tally, r.tally);
        for (const [s, t] of Object.entries(r.bySource)) addTally((result.bySource[s] ??= {}), t);
        state.documents += r.tally.documents ?? 0;
        state.indexed += r.tally.indexed ?? 0;
        state.deadLettered += r.tally.dead_lettered ?? 0;
        checkpoint?.markDone(obj.key, r.tally);
        checkpoint?.save();
        o.onObject?.({ key: obj.key, tally: r.tally });
      } catch (e) {
        const msg = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
        result.failedObjects.push({ key: obj.key, error: msg });
        if (e instanceof IndexObjectError) addTally(result.tally, e.tally);
        if (e instanceof IndexObjectError && e.cause instanceof BulkUnavailableError) stop = `OpenSearch unavailable: ${msg}`;
        o.onObject?.({ key: obj.key, tally: e instanceof IndexObjectError ? e.tally : {}, error: msg });
      }
      result.processed++;
      state.objectsDone++;
      state.bytesDone += obj.size;
      state.concurrency = throttle.concurrency;
      state.rateLimit = throttle.rateCap;
      state.throttled = throttle.throttleEvents;
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, o.concurrency) }, (_, i) => worker(i)));
  } finally {
    progress?.stop();
  }
  result.interrupted = o.signal?.aborted === true && next < todo.length;
  result.aborted = stop;
  result.throttleEvents = throttle.throttleEvents;
  result.elapsedMs = Date.now() - t0;
  return result;
}
