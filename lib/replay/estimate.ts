/**
 * `replay --dry-run`: lists the range and estimates documents from a few objects spread over it.
 */
import { decodeCloudWatchPayload } from '../core/envelopes';
import { isUnreadable } from '../core/limits';
import { decompressedStream, readLineItems } from '../io/s3';
import type { ObjectStore } from '../io/store';
import { enumerateObjects, planPrefixes, type ReplayFilter, type ReplayFrom, type ReplayObject } from './plan';
import { splitConcatenatedJson } from './raw';


export interface ReplayEstimate {
  prefixes: number;
  listCalls: number;
  objects: number;
  bytes: number;
  sampled: number;
  /** Estimated documents (normalized: lines; raw: CloudWatch log events), from the sample. */
  estimatedDocuments: number;
  bySource: Record<string, { objects: number; bytes: number }>;
}

/** Lists the range and estimates documents from `sample` objects spread over it. */
export async function estimateReplay(store: ObjectStore, from: ReplayFrom, filter: ReplayFilter, sample = 5, rawSlackHours = 1): Promise<ReplayEstimate> {
  const calls0 = store.stats.listCalls;
  const prefixes = await planPrefixes(store, from, filter, rawSlackHours);
  const objects: ReplayObject[] = [];
  for await (const o of enumerateObjects(store, from, filter, prefixes)) objects.push(o);
  const bySource: ReplayEstimate['bySource'] = {};
  let bytes = 0;
  for (const o of objects) {
    bytes += o.size;
    const s = (bySource[o.source ?? 'raw'] ??= { objects: 0, bytes: 0 });
    s.objects++;
    s.bytes += o.size;
  }
  const picks = new Set<number>();
  const n = Math.min(sample, objects.length);
  for (let i = 0; i < n; i++) picks.add(Math.floor((i * objects.length) / n));
  let sampleBytes = 0;
  let sampleDocs = 0;
  for (const i of picks) {
    const o = objects[i];
    sampleBytes += o.size;
    if (from === 'raw') {
      for await (const json of splitConcatenatedJson(await decompressedStream(await store.get(o.key)))) {
        if (isUnreadable(json)) {
          sampleDocs++;
          continue;
        }
        try {
          const p = decodeCloudWatchPayload(Buffer.from(json));
          if (p.messageType === 'DATA_MESSAGE') sampleDocs += p.logEvents.length;
        } catch {
          sampleDocs++;
        }
      }
    } else for await (const line of readLineItems(await store.get(o.key))) if (isUnreadable(line) || line.trim()) sampleDocs++;
  }
  const estimatedDocuments = picks.size === objects.length ? sampleDocs : sampleBytes > 0 ? Math.round((sampleDocs / sampleBytes) * bytes) : 0;
  return { prefixes: prefixes.length, listCalls: store.stats.listCalls - calls0, objects: objects.length, bytes, sampled: picks.size, estimatedDocuments, bySource };
}
