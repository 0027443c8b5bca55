/**
 * A bounded least-recently-used cache on a `Map` (its insertion order: re-inserting on a hit makes
 * the first key the least recently used). The enrichment caches use it: user agents and addresses
 * repeat heavily in logs, so most documents cost one map lookup instead of a parse or a tree walk.
 *
 * When full, it evicts the eighth of its entries least recently used at once (one entry below 16).
 * Why in batches: a `Map` keeps deleted entries as holes until it rehashes, and `keys().next()` walks
 * every hole at its front, so evicting one entry per miss costs a walk over up to `max` holes: with
 * every address new (a VPC flow log of public addresses), 0.9 µs per miss instead of 0.1 µs at 4,096
 * entries, 16% of `tributary normalize` on VPC Flow Logs.
 */
export class Lru<K, V> {
  private readonly map = new Map<K, V>();
  private readonly evict: number;
  hits = 0;
  misses = 0;

  constructor(private readonly max: number) {
    this.evict = Math.max(1, max >> 3);
  }

  /**
   * The cached value of `key`, else `compute(key)` cached (a size of 0 caches nothing).
   * @example new Lru<string, number>(2).get('a', (k) => k.length) // 1
   */
  get(key: K, compute: (key: K) => V): V {
    if (this.map.has(key)) {
      const v = this.map.get(key) as V;
      this.hits++;
      this.map.delete(key);
      this.map.set(key, v);
      return v;
    }
    this.misses++;
    const v = compute(key);
    if (this.max > 0) {
      if (this.map.size >= this.max) {
        // One iterator for the whole batch: its walk over the front holes is paid once.
        let n = this.evict;
        for (const k of this.map.keys()) {
          this.map.delete(k);
          if (--n === 0) break;
        }
      }
      this.map.set(key, v);
    }
    return v;
  }

  /** Entries held (at most `max`). */
  get size(): number {
    return this.map.size;
  }
}
