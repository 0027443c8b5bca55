/**
 * What OpenSearch does to `_source` on `update` with `doc` (+ `doc_as_upsert`): the partial document
 * is deep-merged into the stored one (XContentHelper.update): objects merge key by key, recursively;
 * every other value (scalars AND arrays) in the partial document replaces the stored value. A
 * missing stored document is created from the partial document (upsert).
 * Used to test documents written with `merge: true` (auditd events split across batches).
 */
export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const isObject = (v: unknown): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Applies a partial update to a stored `_source` (or upserts when `stored` is undefined). */
export function opensearchMerge(stored: Json | undefined, partial: Json): Json {
  if (stored === undefined) return structuredClone(partial);
  if (!isObject(stored) || !isObject(partial)) return structuredClone(partial);
  const out: Record<string, Json> = { ...stored };
  for (const [k, v] of Object.entries(partial)) out[k] = isObject(out[k]) && isObject(v) ? opensearchMerge(out[k], v) : structuredClone(v);
  return out;
}
