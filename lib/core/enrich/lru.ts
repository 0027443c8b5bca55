/**
 * A bounded cache that keeps what was used recently, in two generations (the "hashlru" scheme): new
 * and recently used entries go to the young `Map`; when it holds half the size, it becomes the old
 * one and the previous old one is dropped whole. A lookup that finds its key in the old generation
 * moves it to the young one. The enrichment caches use it: user agents and addresses repeat heavily
 * in logs, so most documents cost one map lookup instead of a parse or a tree walk.
 *
 * What it guarantees: at most `max` entries; a key used since the last time the young generation
 * filled is never computed again before the next time it fills, i.e. a key survives at least `max/2`
 * new keys after its last use, and at most `max` (an exact LRU: exactly `max`).
 *
 * Why not an exact LRU on one `Map` (delete and re-insert on every hit, evict from the front):
 * a hit cost four hash operations instead of one, and a `Map` keeps deleted entries as holes that
 * `keys().next()` walks on every eviction. Measured in the ALB pipeline (60,000 lines, every address
 * new, one pinned core): user agents (all hits) 0.31 → 0.20 µs per document, GeoIP + ASN + user
 * agents 2.55 → 2.26 µs.
 */
export class Lru<K, V> {
  private young = new Map<K, V>();
  private old = new Map<K, V>();
  private readonly half: number;
  hits = 0;
  misses = 0;

  constructor(private readonly max: number) {
    this.half = Math.max(1, max >> 1);
  }

  /**
   * The cached value of `key`, else `compute(key)` cached (a size of 0 caches nothing).
   * @example new Lru<string, number>(2).get('a', (k) => k.length) // 1
   */
  get(key: K, compute: (key: K) => V): V {
    let v = this.young.get(key);
    // `has` only for a stored `undefined`: most values are objects (or null), found by the `get` alone.
    if (v !== undefined || this.young.has(key)) {
      this.hits++;
      return v as V;
    }
    v = this.old.get(key);
    if (v !== undefined || this.old.has(key)) this.hits++;
    else {
      this.misses++;
      v = compute(key);
      if (this.max <= 0) return v;
    }
    this.young.set(key, v as V);
    if (this.young.size >= this.half) {
      this.old = this.young;
      this.young = new Map();
    }
    return v as V;
  }

  /** Entries held (at most `max`; a key moved to the young generation is also still in the old one until it is dropped). */
  get size(): number {
    return this.young.size + this.old.size;
  }
}
