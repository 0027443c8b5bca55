/**
 * Comparing what setup wants with what the cluster has, so a re-run changes nothing. OpenSearch
 * echoes settings as strings (`"1"` for 1) and reorders keys; ISM and Alerting add their own
 * bookkeeping fields (`last_updated_time`, retry defaults). Scalars are compared as strings.
 */

function scalar(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/** Exact structural equality, modulo key order and scalar representation. */
export function sameJson(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => sameJson(x, b[i]));
  }
  if (isObject(a) || isObject(b)) {
    if (!isObject(a) || !isObject(b)) return false;
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => k in b && sameJson(a[k], b[k]));
  }
  if (a === undefined || a === null || b === undefined || b === null) return a === b || (a == null && b == null);
  return scalar(a) === scalar(b);
}

/**
 * Every key of `wanted` is in `actual` with the same value (recursively); extra keys in `actual`
 * objects are server bookkeeping and ignored. Arrays must have the same length. Used where the
 * server enriches what it stores (ISM policies, monitors).
 */
export function containsJson(actual: unknown, wanted: unknown): boolean {
  if (Array.isArray(wanted)) {
    return Array.isArray(actual) && actual.length === wanted.length && wanted.every((w, i) => containsJson(actual[i], w));
  }
  if (isObject(wanted)) {
    if (!isObject(actual)) return false;
    return Object.entries(wanted).every(([k, w]) => w === undefined || containsJson(actual[k], w));
  }
  if (wanted === null || wanted === undefined) return actual === null || actual === undefined;
  return actual !== undefined && actual !== null && scalar(actual) === scalar(wanted);
}
