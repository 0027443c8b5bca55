/**
 * The bulk indexing core, shared by the indexer Lambda, replay and the CLI: one code path decides
 * what an OpenSearch answer means for each document.
 *
 * - Actions: `index` with `_id` = the caller's id, `documentId(doc)` (`lib/core/attribution.ts`)
 *   (idempotent overwrite: a replay after a parser fix updates the document), or `update` + `doc_as_upsert` for documents flagged
 *   `tributary.merge` (parts of one audit event arriving in different batches merge into one
 *   document). With `omitIds` (OpenSearch Serverless time-series collections reject custom ids)
 *   every document is a plain `index` without `_id`: re-deliveries then duplicate documents and
 *   merge parts stay separate documents — use a search collection or a managed domain to avoid it.
 * - Requests are bounded by bytes and documents, and go out one at a time, in order; the next one is
 *   prepared while one is in flight (so at most two are in memory). HTTP 413 splits the request in halves (a single
 *   document that is still too large is dead-lettered with reason `too_large`).
 * - Per item: 2xx = indexed; 429, 5xx and 409 (update race) are retried, only those items, with
 *   exponential backoff and full jitter; anything else (mapping conflicts, 400s) is dead-lettered
 *   with its status and error, never retried.
 * - 401/403 (per item or for the whole request) mean the cluster refuses this identity — a role
 *   mapping or a permission is missing (the security plugin fails every item of a shard request
 *   when one action of it is not allowed), or SigV4 credentials are being refreshed. The documents
 *   are not at fault, so they are never dead-lettered: they are retried like 429, then handed back
 *   with the cluster's reason; once the mapping is fixed, redriving the queue indexes them.
 * - Connection errors and whole-request 429/5xx are retried the same way; after `maxAttempts` a
 *   `BulkUnavailableError` (with the last reason) is thrown so the caller hands the work back to
 *   its queue (SQS retry, then DLQ). Nothing is dropped: every document ends indexed,
 *   dead-lettered, or in that error.
 * - With a `deadline` (the indexer Lambda's, `lib/core/deadline.ts`) no attempt starts after it,
 *   each request's timeout is cut to the time left, and a backoff that would sleep past it is not
 *   slept: a `DeadlineError` is thrown instead, and the caller hands the work back the same way.
 *   Without it, `maxAttempts` 30 s requests plus backoff could outlast the function's timeout, which
 *   kills the invocation and brings the whole SQS batch back, finished messages included.
 */
import { type Deadline, DeadlineError } from '../core/deadline';

/**
 * The bulk settings every caller starts from (the indexer function, replay, `tributary ingest`, the
 * local run); the function's can be changed with the `BULK_*` variables (`config.ts`).
 */
export const DEFAULT_BULK: Readonly<Pick<BulkOptions, 'maxBytes' | 'maxDocs' | 'maxAttempts' | 'backoffMs'>> = {
  maxBytes: 5 * 1024 * 1024,
  maxDocs: 2000,
  maxAttempts: 5,
  backoffMs: 200,
};

export interface BulkDocument {
  index: string;
  /** `_id`; omitted when `omitIds` is set. */
  id?: string;
  /** Merge-on-index (`update` + `doc_as_upsert`). */
  merge?: boolean;
  doc: unknown;
  /**
   * `doc` as JSON text, when the caller already has it (the indexer reads archive lines): sent as it
   * is instead of serializing `doc` again, which was the indexer's largest cost after `JSON.parse`.
   * Must be the JSON of `doc`, on one line.
   */
  json?: string;
}

/** One dead letter, as written to `errors/indexer/…ndjson.gz`. */
export interface DeadLetter {
  reason: string;
  status: number;
  error: unknown;
  index: string | null;
  document: unknown;
}

/**
 * How the core talks to OpenSearch: POST `/_bulk` with an NDJSON body. Throws on connection errors
 * (a request that outlives `timeoutMs`, when given, is one).
 */
export interface BulkTransport {
  send(body: string, options?: { timeoutMs?: number }): Promise<{ status: number; body: unknown }>;
}

export interface BulkOptions {
  maxBytes: number;
  maxDocs: number;
  maxAttempts: number;
  backoffMs: number;
  /** OpenSearch Serverless: no `_id`, no upserts. */
  omitIds?: boolean;
  /** Called for each non-retryable document (awaited: the caller may stream them to S3). */
  onDeadLetter: (d: DeadLetter) => Promise<void> | void;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** Stop before it (see the module comment); none = only `maxAttempts` bounds the retries. */
  deadline?: Deadline;
}

export interface BulkStats {
  indexed: number;
  /** Document retries (one document retried twice counts 2). */
  retried: number;
  deadLettered: number;
  requests: number;
}

export class BulkUnavailableError extends Error {
  constructor(
    message: string,
    /** Documents of the failing request still not indexed. */
    readonly pending: number,
  ) {
    super(message);
    this.name = 'BulkUnavailableError';
  }
}

interface Entry {
  doc: BulkDocument;
  lines: string;
}

interface BulkItemResult {
  status?: number;
  error?: { type?: string; reason?: string };
}

const MAX_BACKOFF_MS = 20_000;

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Item statuses worth another attempt: back-pressure, server errors, update races. */
export const isRetryableStatus = (status: number): boolean => status === 429 || status === 409 || status >= 500;

/**
 * The cluster refuses the caller (authentication or authorization): hand back, never dead-letter.
 * @example isRefusedStatus(403) // true: a missing permission or role mapping, not the document's fault
 */
export const isRefusedStatus = (status: number): boolean => status === 401 || status === 403;

/** `type: reason` of an OpenSearch error (item error or whole-response body), for messages. */
function reasonOf(error: unknown): string {
  const e = (error as { error?: unknown })?.error ?? error;
  if (e === undefined || e === null || e === '') return 'no details';
  if (typeof e === 'object') {
    const { type, reason } = e as { type?: string; reason?: string };
    if (type || reason) return [type, reason].filter(Boolean).join(': ');
  }
  return (typeof e === 'string' ? e : (JSON.stringify(e) ?? String(e))).slice(0, 500);
}

/**
 * Buffers documents into bounded `_bulk` requests and sends them.
 * @example
 * const w = new BulkWriter(transport, { maxBytes: 5 << 20, maxDocs: 2000, maxAttempts: 5, backoffMs: 200, onDeadLetter: (d) => dls.push(d) });
 * await w.add({ index: 'logs-aws.vpcflow-2026.03.01', id: 'abc', doc });
 * await w.flush();
 */
export class BulkWriter {
  readonly stats: BulkStats = { indexed: 0, retried: 0, deadLettered: 0, requests: 0 };
  private buffer: Entry[] = [];
  private bytes = 0;
  /** The request being sent while the caller reads and parses the next one's documents. */
  private inflight?: Promise<void>;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;

  constructor(
    private readonly transport: BulkTransport,
    private readonly options: BulkOptions,
  ) {
    this.sleep = options.sleep ?? defaultSleep;
    this.random = options.random ?? Math.random;
  }

  /** Documents accepted but not yet sent. */
  get buffered(): number {
    return this.buffer.length;
  }

  async add(doc: BulkDocument): Promise<void> {
    const lines = this.serialize(doc);
    const size = Buffer.byteLength(lines);
    if (this.buffer.length && (this.bytes + size > this.options.maxBytes || this.buffer.length >= this.options.maxDocs)) await this.dispatch();
    this.buffer.push({ doc, lines });
    this.bytes += size;
    if (this.buffer.length >= this.options.maxDocs || this.bytes >= this.options.maxBytes) await this.dispatch();
  }

  /**
   * Starts sending the buffered documents and returns once the previous request is done: one request
   * in flight while the caller prepares the next (reading, `JSON.parse`), so the two overlap instead
   * of the caller idling on every round trip. Requests still go out one after the other, in order;
   * memory is two requests. A failure of the request in flight is thrown here (or by `flush`), before
   * anything else is sent.
   */
  private async dispatch(): Promise<void> {
    const previous = this.inflight;
    this.inflight = undefined;
    if (previous) await previous;
    if (!this.buffer.length) return;
    const entries = this.buffer;
    this.buffer = [];
    this.bytes = 0;
    const sending = this.send(entries);
    // Observed by the next dispatch/flush/settle; until then its rejection is not "unhandled".
    sending.catch(() => undefined);
    this.inflight = sending;
  }

  /** Sends everything buffered and waits until every request is answered (or throws its failure). */
  async flush(): Promise<void> {
    await this.dispatch();
    const last = this.inflight;
    this.inflight = undefined;
    if (last) await last;
  }

  /**
   * Waits for the request in flight to end, ignoring its outcome: a caller giving up for its own
   * reason (its input failed) calls it before abandoning what the requests write (dead letters).
   */
  async settle(): Promise<void> {
    await this.inflight?.catch(() => undefined);
  }

  private serialize(d: BulkDocument): string {
    const meta: Record<string, unknown> = { _index: d.index };
    const json = d.json ?? JSON.stringify(d.doc);
    if (this.options.omitIds || d.id === undefined) return `${JSON.stringify({ index: meta })}\n${json}\n`;
    meta._id = d.id;
    if (d.merge) {
      meta.retry_on_conflict = 3;
      // The same as JSON.stringify({ doc, doc_as_upsert: true }), without serializing doc again.
      return `${JSON.stringify({ update: meta })}\n{"doc":${json},"doc_as_upsert":true}\n`;
    }
    return `${JSON.stringify({ index: meta })}\n${json}\n`;
  }

  private async backoff(attempt: number, pending: number, reason: string): Promise<void> {
    const cap = Math.min(MAX_BACKOFF_MS, this.options.backoffMs * 2 ** (attempt - 1));
    const ms = Math.floor(this.random() * cap);
    // Sleeping past the deadline would only end in the same hand-back, later.
    const left = this.options.deadline?.remainingMs() ?? Infinity;
    if (ms >= left) throw new DeadlineError(`deadline reached before attempt ${attempt + 1} (last: ${reason}); ${pending} documents handed back`, pending);
    await this.sleep(ms);
  }

  private async deadLetter(e: Entry, reason: string, status: number, error: unknown): Promise<void> {
    this.stats.deadLettered++;
    await this.options.onDeadLetter({ reason, status, error, index: e.doc.index, document: e.doc.doc });
  }

  private async send(entries: Entry[]): Promise<void> {
    let pending = entries;
    for (let attempt = 1; ; attempt++) {
      let res: { status: number; body: unknown } | undefined;
      let failure: string | undefined;
      const left = this.options.deadline?.remainingMs() ?? Infinity;
      if (left <= 0) throw new DeadlineError(`deadline reached before attempt ${attempt}; ${pending.length} documents handed back`, pending.length);
      try {
        this.stats.requests++;
        res = await this.transport.send(pending.map((e) => e.lines).join(''), Number.isFinite(left) ? { timeoutMs: Math.ceil(left) } : undefined);
      } catch (e) {
        failure = `connection error: ${e instanceof Error ? e.message : String(e)}`;
      }
      if (res && res.status === 413) {
        if (pending.length === 1) {
          await this.deadLetter(pending[0], 'too_large', 413, 'request entity too large even as a single document');
          return;
        }
        const mid = Math.ceil(pending.length / 2);
        await this.send(pending.slice(0, mid));
        await this.send(pending.slice(mid));
        return;
      }
      if (res && (res.status === 429 || isRefusedStatus(res.status) || res.status >= 500)) failure = `HTTP ${res.status} on _bulk: ${reasonOf(res.body)}`;
      else if (res && res.status >= 300) {
        // A whole-request 4xx other than those is a request we built wrong: retrying cannot help,
        // dead-letter each document with the answer so nothing disappears.
        for (const e of pending) await this.deadLetter(e, 'bulk_rejected', res.status, res.body);
        return;
      }
      if (failure !== undefined) {
        if (attempt >= this.options.maxAttempts) throw new BulkUnavailableError(`${failure} after ${attempt} attempts`, pending.length);
        await this.backoff(attempt, pending.length, failure);
        this.stats.retried += pending.length;
        continue;
      }
      const items = (res!.body as { items?: Array<Record<string, BulkItemResult>> })?.items;
      if (!Array.isArray(items) || items.length !== pending.length) {
        if (attempt >= this.options.maxAttempts)
          throw new BulkUnavailableError(`malformed _bulk response after ${attempt} attempts`, pending.length);
        await this.backoff(attempt, pending.length, 'malformed _bulk response');
        this.stats.retried += pending.length;
        continue;
      }
      const retry: Entry[] = [];
      let last = '';
      for (let i = 0; i < pending.length; i++) {
        // Items come back in request order, one per action.
        const item = Object.values(items[i] ?? {})[0] ?? {};
        const status = item.status ?? 0;
        if (status >= 200 && status < 300) this.stats.indexed++;
        else if (isRetryableStatus(status) || isRefusedStatus(status)) {
          retry.push(pending[i]);
          last = `${status} ${reasonOf(item.error)}`;
        } else await this.deadLetter(pending[i], item.error?.type ?? `http_${status}`, status, item.error ?? null);
      }
      if (!retry.length) return;
      if (attempt >= this.options.maxAttempts)
        throw new BulkUnavailableError(`${retry.length} documents still rejected after ${attempt} attempts (last: ${last})`, retry.length);
      pending = retry;
      await this.backoff(attempt, retry.length, last);
      this.stats.retried += retry.length;
    }
  }
}
