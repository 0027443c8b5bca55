/**
 * A bounded least-recently-used cache on a `Map` (its insertion order: re-inserting on a hit makes
 * the first key the least recently used). The enrichment caches use it: user agents and addresses
 * repeat heavily in logs, so most documents cost one map lookup instead of a parse or a tree walk.
 */
export class Lru<K, V> {
  private readonly map = new Map<K, V>();
  hits = 0;
  misses = 0;

  constructor(private readonly max: number) {}

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
      if (this.map.size >= this.max) this.map.delete(this.map.keys().next().value as K);
      this.map.set(key, v);
    }
    return v;
  }
}
