/**
 * Replay: re-index a time range of the archive into OpenSearch — after a lost cluster, a mapping
 * change or a parser fix — with the indexer's own code path, so a replayed event gets the same index
 * (`lib/core/indices.ts`) and the same `_id` (`documentId`: `event.id` namespaced by account) as the first time: replaying twice, or
 * replaying what is already indexed, overwrites instead of duplicating.
 *
 * The parts, one file each in `lib/replay/`: `plan.ts` (which partitions, never a bucket scan),
 * `index-objects.ts` (the indexing engine), `throttle.ts` (adaptive 429 handling), `checkpoint.ts`
 * (resume), `raw.ts` (`--from raw`: re-normalize the Firehose backup), `estimate.ts` (`--dry-run`),
 * `remote.ts` (the Lambda fan-out to the indexer queue).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArchiveKey } from '../core/archive';
import { addTally, type Tally } from '../core/tally';
import type { BulkOptions, BulkTransport } from '../io/bulk';
import type { ProgressOptions } from '../io/progress';
import { LocalStore, type ObjectStore } from '../io/store';
import { indexObject } from '../indexer';
import { Checkpoint, replayFingerprint } from './checkpoint';
import { indexObjects, type IndexObjectsResult, type ObjectOutcome } from './index-objects';
import { enumerateObjects, planPrefixes, type ReplayFilter, type ReplayFrom, type ReplayObject } from './plan';
import { type RawOptions, stageRawObject } from './raw';
import { VpcLayoutMemory } from '../../parsers/vpcflow-format';

export interface ReplayOptions extends RawOptions {
  archive: ObjectStore;
  from: ReplayFrom;
  filter: ReplayFilter;
  indexPrefix: string;
  transport: BulkTransport;
  bulk: Omit<BulkOptions, 'onDeadLetter'>;
  concurrency: number;
  rate?: number;
  checkpointPath?: string;
  resume?: boolean;
  /** Stops taking new objects (SIGINT); objects in flight finish, the checkpoint is written. */
  signal?: AbortSignal;
  progress?: ProgressOptions | false;
  rawSlackHours?: number;
  /** Called after each object (tests interrupt with it). */
  onObject?: (o: { key: string; tally: Tally; error?: string }) => void;
}

export interface ReplayResult extends IndexObjectsResult {
  prefixes: number;
  listCalls: number;
  checkpoint?: string;
}

/**
 * Runs a replay (see the module comment).
 * @example await runReplay({ archive, from: 'normalized', filter: { since: parseTimeArg('2026-03-01'), until: parseTimeArg('2026-03-07', true) }, indexPrefix: 'logs', transport, bulk: DEFAULT_BULK, concurrency: 4 })
 */
export async function runReplay(o: ReplayOptions): Promise<ReplayResult> {
  const t0 = Date.now();
  const store = o.archive;
  const calls0 = store.stats.listCalls;
  const plan = await planPrefixes(store, o.from, o.filter, o.rawSlackHours);
  const objects: ReplayObject[] = [];
  for await (const obj of enumerateObjects(store, o.from, o.filter, plan)) objects.push(obj);
  let checkpoint: Checkpoint | undefined;
  if (o.checkpointPath) {
    checkpoint = new Checkpoint(o.checkpointPath, {
      fingerprint: replayFingerprint(store.url, o.from, o.filter, o.indexPrefix),
      archive: store.url,
      from: o.from,
      filter: o.filter,
    });
    if (o.resume) checkpoint.load();
  }
  const stagingDir = o.from === 'raw' ? mkdtempSync(path.join(tmpdir(), 'tributary-replay-')) : undefined;
  let indexed: IndexObjectsResult;
  try {
    indexed = await indexObjects({
      archive: store,
      objects,
      indexPrefix: o.indexPrefix,
      transport: o.transport,
      bulk: o.bulk,
      concurrency: o.concurrency,
      rate: o.rate,
      checkpoint,
      signal: o.signal,
      progress: o.progress,
      onObject: o.onObject,
      indexOne: stagingDir ? rawIndexOne(store, new LocalStore(stagingDir, 'tributary-replay-staging'), o) : undefined,
    });
  } finally {
    if (stagingDir) rmSync(stagingDir, { recursive: true, force: true });
  }
  const complete = !indexed.interrupted && !indexed.aborted && indexed.failedObjects.length === 0;
  checkpoint?.save(complete, true);
  return { ...indexed, prefixes: plan.length, listCalls: store.stats.listCalls - calls0, checkpoint: o.checkpointPath, elapsedMs: Date.now() - t0 };
}

/** `--from raw`: one raw backup object is re-normalized into staging, then its staged objects indexed. */
function rawIndexOne(archive: ObjectStore, staging: LocalStore, o: ReplayOptions): NonNullable<Parameters<typeof indexObjects>[0]['indexOne']> {
  // One memory for the run: raw objects are replayed oldest first, as the transformer saw them.
  const raw: ReplayOptions = { ...o, vpcLayouts: o.vpcLayouts ?? new VpcLayoutMemory() };
  return async (obj, deps): Promise<ObjectOutcome> => {
    const staged = await stageRawObject(archive, obj.key, staging, o.filter, raw);
    // Pipeline counts (received, dropped) from the re-normalization; documents, indexed and
    // dead_lettered from indexing the staged lines, exactly as for a normalized object.
    const pick = (t: Tally): Tally => ({ received: t.received ?? 0, dropped: t.dropped ?? 0 });
    const tally = pick(staged.tally);
    const bySource: Record<string, Tally> = {};
    for (const [s, t] of Object.entries(staged.bySource)) bySource[s] = pick(t);
    try {
      for (const key of staged.staged) {
        const r = await indexObject({ store: staging, key }, deps);
        const rest: Tally = { ...r.tally };
        delete rest.objects;
        addTally(tally, rest);
        addTally((bySource[parseArchiveKey(key)?.partition.source ?? 'unknown'] ??= {}), rest);
      }
    } finally {
      for (const key of staged.staged) rmSync(path.join(staging.dir, ...key.split('/')), { force: true });
    }
    tally.objects = 1;
    return { tally, bySource };
  };
}
