/**
 * The ONE writer of archive objects: gzipped NDJSON, one object per partition, streamed into any
 * `ObjectStore` (multipart on S3, temp file + rename locally), so memory stays bounded by the gzip
 * and part buffers whatever the object size. S3 ingest, the indexer's dead letters, replay's raw
 * staging and `tributary ingest` of local files all write through it; where an object goes and what
 * it is called come from `lib/core/archive.ts` only.
 *
 * All objects of one writer share a name (derived from the identity of what they were made from, so
 * a re-run overwrites the same keys) and differ by partition. `abort` abandons every object: nothing
 * half-written ever becomes visible, which is what makes retries of an S3 notification safe.
 */
import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import { createGzip, type Gzip } from 'node:zlib';
import { archiveKey, type Partition } from '../core/archive';
import type { ObjectStore } from './store';

interface OpenObject {
  key: string;
  gzip: Gzip;
  done: Promise<void>;
  controller: AbortController;
  failure?: unknown;
}

export class ArchiveWriter {
  private readonly objects = new Map<string, OpenObject>();

  /**
   * @param keyOf where a partition's object goes: `archiveKey` (normalized/) or `deadLetterKey`.
   * @example new ArchiveWriter(archive, 'elb-log-Xyz').write(partitionOf({ source: 'elb', time: 0 }), ['{"a":1}'])
   */
  constructor(
    private readonly store: ObjectStore,
    private readonly name: string,
    private readonly keyOf: (p: Partition, name: string) => string = archiveKey,
  ) {}

  /** Keys of the objects opened so far. */
  get keys(): string[] {
    return [...this.objects.values()].map((o) => o.key);
  }

  /**
   * Appends to the partition's object, waiting for back-pressure. `data` is either lines (each one
   * JSON document without newline) or NDJSON text that already ends with a newline.
   */
  async write(partition: Partition, data: readonly string[] | string): Promise<void> {
    const text = typeof data === 'string' ? data : data.length ? data.join('\n') + '\n' : '';
    if (!text) return;
    const o = this.open(partition);
    if (o.failure) throw o.failure;
    if (!o.gzip.write(text)) await Promise.race([once(o.gzip, 'drain'), o.done]);
    if (o.failure) throw o.failure;
  }

  /** Finishes every object; resolves with their keys once the store has them all. */
  async close(): Promise<string[]> {
    for (const o of this.objects.values()) o.gzip.end();
    await Promise.all([...this.objects.values()].map((o) => o.done));
    return this.keys;
  }

  /** Abandons every object: nothing becomes visible under their keys. */
  async abort(): Promise<void> {
    for (const o of this.objects.values()) {
      o.controller.abort();
      o.gzip.destroy();
    }
    await Promise.all([...this.objects.values()].map((o) => o.done.catch(() => undefined)));
  }

  private open(partition: Partition): OpenObject {
    const key = this.keyOf(partition, this.name);
    let o = this.objects.get(key);
    if (o) return o;
    const gzip = createGzip();
    const body = new PassThrough();
    gzip.pipe(body);
    const controller = new AbortController();
    const opened: OpenObject = { key, gzip, controller, done: Promise.resolve() };
    opened.done = this.store.put(key, body, { contentType: 'application/x-ndjson', signal: controller.signal });
    opened.done.catch((e) => {
      opened.failure = e;
      gzip.destroy();
      body.destroy();
    });
    this.objects.set(key, (o = opened));
    return o;
  }
}
