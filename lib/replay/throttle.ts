/**
 * Adaptive throttling of replay's `_bulk` requests: every request passes through an AIMD throttle.
 * When OpenSearch answers 429 (whole request or items) concurrency is halved and a documents/s cap is
 * set at half the observed rate; both recover additively while no 429 is seen, never above
 * `--concurrency` and `--rate`. The bulk core itself retries the 429s (backoff with jitter).
 */
import type { BulkTransport } from '../io/bulk';


export interface ThrottleOptions {
  maxConcurrency: number;
  /** User cap in documents/s (undefined = none). */
  rate?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Quiet time before one step of recovery (default 5 s). */
  recoverMs?: number;
}

/**
 * AIMD driven by OpenSearch 429s: the first reaction halves concurrency; once at one object in
 * flight, a documents/s cap is set at half the rate sent over the last 10 s. While no 429 is seen
 * for `recoverMs`, the cap grows by half (lifted when far above what is sent) and concurrency comes
 * back one slot at a time, never above `--concurrency` and `--rate`. `acquire` paces `_bulk`
 * requests to the cap in force.
 */
export class AdaptiveThrottle {
  concurrency: number;
  /** Current cap in documents/s (Infinity = none). */
  rateCap: number;
  throttleEvents = 0;
  private nextFree = 0;
  private lastThrottle = -Infinity;
  private lastStep = -Infinity;
  /** (time, docs) of recent requests, for the rate over the last window. */
  private recent: Array<[number, number]> = [];
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  static readonly WINDOW_MS = 10_000;
  static readonly MIN_RATE = 20;

  constructor(private readonly o: ThrottleOptions) {
    this.concurrency = Math.max(1, o.maxConcurrency);
    this.rateCap = this.userRate;
    this.now = o.now ?? Date.now;
    this.sleep = o.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  private get userRate(): number {
    return this.o.rate && this.o.rate > 0 ? this.o.rate : Infinity;
  }

  /** Documents per second sent over the last window. */
  windowRate(): number {
    const t = this.now();
    while (this.recent.length && this.recent[0][0] < t - AdaptiveThrottle.WINDOW_MS) this.recent.shift();
    return this.recent.reduce((a, [, n]) => a + n, 0) / (AdaptiveThrottle.WINDOW_MS / 1000);
  }

  /** Waits until `docs` documents may be sent under the current cap. */
  async acquire(docs: number): Promise<void> {
    this.recover();
    const t = this.now();
    let start = t;
    if (Number.isFinite(this.rateCap)) {
      start = Math.max(t, this.nextFree);
      this.nextFree = start + (docs / this.rateCap) * 1000;
      if (start > t) await this.sleep(start - t);
    }
    this.recent.push([start, docs]);
  }

  /** OpenSearch pushed back (one reaction per second, however many 429s a burst brings). */
  onThrottle(): void {
    const t = this.now();
    if (t - this.lastThrottle < 1000) return;
    this.lastThrottle = t;
    this.lastStep = t;
    this.throttleEvents++;
    if (this.concurrency > 1) {
      this.concurrency = Math.max(1, Math.floor(this.concurrency / 2));
      return;
    }
    this.rateCap = Math.max(AdaptiveThrottle.MIN_RATE, Math.min(this.rateCap, this.windowRate()) / 2);
  }

  /** One step of recovery after a quiet period: first the rate cap, then concurrency. */
  recover(): void {
    const t = this.now();
    const every = this.o.recoverMs ?? 5000;
    if (this.throttleEvents === 0 || t - this.lastThrottle < every || t - this.lastStep < every) return;
    this.lastStep = t;
    if (this.rateCap < this.userRate) {
      this.rateCap *= 1.5;
      if (this.rateCap >= this.userRate || (!Number.isFinite(this.userRate) && this.rateCap > 4 * Math.max(this.windowRate(), AdaptiveThrottle.MIN_RATE)))
        this.rateCap = this.userRate;
      return;
    }
    this.concurrency = Math.min(this.o.maxConcurrency, this.concurrency + 1);
  }
}

export interface IndexingCounters {
  /** Bulk item results: new documents vs overwrites of documents already indexed. */
  created: number;
  updated: number;
  noop: number;
  /** `_bulk` answers with 429 (whole or items). */
  throttledResponses: number;
}

/** Wraps a `_bulk` transport: paces requests, watches for 429s and counts created/updated items. */
export function throttledTransport(inner: BulkTransport, throttle: AdaptiveThrottle, counters: IndexingCounters): BulkTransport {
  return {
    async send(body) {
      let lines = 0;
      for (let i = body.indexOf('\n'); i >= 0; i = body.indexOf('\n', i + 1)) lines++;
      await throttle.acquire(Math.max(1, lines >> 1));
      const res = await inner.send(body);
      let throttled = res.status === 429;
      const items = (res.body as { items?: Array<Record<string, { status?: number; result?: string }>> } | undefined)?.items;
      if (Array.isArray(items))
        for (const it of items) {
          const r = Object.values(it ?? {})[0];
          if (r?.status === 429) throttled = true;
          else if (r?.result === 'created') counters.created++;
          else if (r?.result === 'updated') counters.updated++;
          else if (r?.result === 'noop') counters.noop++;
        }
      if (throttled) {
        counters.throttledResponses++;
        throttle.onThrottle();
      }
      return res;
    },
  };
}
