/**
 * Object stores behind one small interface, so replay, `tributary ingest` and the local demo work the
 * same on an S3 archive (`s3://bucket[/prefix]`) and on a local directory (`file:///path`).
 *
 * - Keys are RELATIVE to the store root: an archive at `s3://central-logs/org-a` holds
 *   `normalized/source=elb/...` at `org-a/normalized/source=elb/...`, and callers only ever see the
 *   relative key, so the layout functions of `lib/archive.ts` apply unchanged.
 * - Listing is by prefix, paginated (S3 `ListObjectsV2` semantics: lexicographic order, an opaque
 *   continuation token, optional `/` delimiter for "sub-folders"). Every List call is counted in
 *   `stats`, which is how the tests prove replay never scans a whole bucket.
 * - A local `put` writes a temporary file and renames it: readers never see half an object, and a
 *   crash leaves no partial file under the real key (temporaries are never listed).
 * - A `put` of a stream can be abandoned with `signal`: nothing becomes visible (the multipart upload
 *   is aborted, the temporary file removed). The archive writer (`archive-writer.ts`) relies on it.
 * - This is the ONLY storage abstraction: the S3-ingest, indexer and replay cores take stores, and
 *   the SQS adapters (`sqs.ts`) open an `S3Store` per notified bucket.
 * - User metadata (S3 `x-amz-meta-*`, which CloudTrail digest validation needs: the signature is
 *   there) is read with `metadata` and written with `put`'s `metadata`; a local store keeps it in a
 *   `<key>.metadata.json` file next to the object (`{"signature": "…"}`, as `aws s3api head-object
 *   --query Metadata` prints it).
 */
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, promises as fsp } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { S3Client } from '@aws-sdk/client-s3';

import { s3Sdk } from './s3';

// The multipart upload module, loaded by the first upload (see lib/io/lazy.ts: evaluating the SDK is most of a cold start).
const storage = (): typeof import('@aws-sdk/lib-storage') => require('@aws-sdk/lib-storage');

export interface StoredObject {
  /** Key relative to the store root. */
  key: string;
  size: number;
  /** ETag without quotes (S3) or `mtime-size` (local). */
  etag?: string;
}

export interface ListPage {
  objects: StoredObject[];
  /** With a delimiter: the "sub-folders" (relative, ending with the delimiter). */
  prefixes: string[];
  /** Continuation token of the next page; undefined on the last page. */
  next?: string;
}

export interface ListOptions {
  token?: string;
  delimiter?: string;
  /** Page size (S3 caps it at 1000). */
  limit?: number;
}

export interface PutOptions {
  contentType?: string;
  /** Aborting it abandons the write: nothing becomes visible under the key. */
  signal?: AbortSignal;
  /** User metadata (names without `x-amz-meta-`). */
  metadata?: Record<string, string>;
}

export interface StoreStats {
  listCalls: number;
  /** Every prefix listed, in order (tests assert which partitions were touched). */
  listedPrefixes: string[];
}

export interface ObjectStore {
  /** `s3://bucket/prefix` or `file:///abs/path`. */
  readonly url: string;
  /** The S3 bucket, or the name a local store stands for (ids of S3-delivered files, default `local`). */
  readonly bucket: string;
  readonly stats: StoreStats;
  listPage(prefix: string, options?: ListOptions): Promise<ListPage>;
  /** The object's bytes as stored (compressed objects stay compressed). Rejects with `code: 'NoSuchKey'`. */
  get(key: string): Promise<Readable>;
  /** User metadata of an object (names lower case, without `x-amz-meta-`). Rejects with `code: 'NoSuchKey'`. */
  metadata(key: string): Promise<Record<string, string>>;
  /** Writes an object; a stream is uploaded as it comes (bounded memory), abandoned when `signal` aborts. */
  put(key: string, body: Readable | Buffer | string, options?: PutOptions): Promise<void>;
  /** Absolute S3 key of a relative key (for S3 notifications); the relative key for local stores. */
  absoluteKey(key: string): string;
}

/** Every object under a prefix, page by page (bounded memory: one page). */
export async function* listAll(store: ObjectStore, prefix: string): AsyncGenerator<StoredObject> {
  let token: string | undefined;
  for (let page = 0; page < 10_000_000; page++) {
    const res = await store.listPage(prefix, { token });
    yield* res.objects;
    if (!res.next) return;
    token = res.next;
  }
}

/** The immediate "sub-folders" of a prefix (`normalized/` → `normalized/source=elb/`, ...). */
export async function listPrefixes(store: ObjectStore, prefix: string): Promise<string[]> {
  const out: string[] = [];
  let token: string | undefined;
  for (let page = 0; page < 1_000_000; page++) {
    const res = await store.listPage(prefix, { token, delimiter: '/' });
    out.push(...res.prefixes);
    if (!res.next) return out;
    token = res.next;
  }
  return out;
}

/** Suffix of the file holding a local object's user metadata. */
export const LOCAL_METADATA_SUFFIX = '.metadata.json';

const notFound = (what: string): Error => Object.assign(new Error(`${what} does not exist`), { code: 'NoSuchKey', name: 'NoSuchKey' });

/** An S3 bucket (optionally below a key prefix). */
export class S3Store implements ObjectStore {
  readonly stats: StoreStats = { listCalls: 0, listedPrefixes: [] };
  readonly root: string;

  constructor(
    readonly s3: S3Client,
    readonly bucket: string,
    root = '',
  ) {
    this.root = root && !root.endsWith('/') ? `${root}/` : root;
  }

  get url(): string {
    return `s3://${this.bucket}/${this.root}`.replace(/\/$/, '');
  }

  absoluteKey(key: string): string {
    return this.root + key;
  }

  async listPage(prefix: string, options: ListOptions = {}): Promise<ListPage> {
    this.stats.listCalls++;
    this.stats.listedPrefixes.push(prefix);
    const res = await this.s3.send(
      new (s3Sdk().ListObjectsV2Command)({
        Bucket: this.bucket,
        Prefix: this.root + prefix,
        Delimiter: options.delimiter,
        ContinuationToken: options.token,
        MaxKeys: options.limit,
      }),
    );
    const strip = (k: string) => k.slice(this.root.length);
    return {
      objects: (res.Contents ?? [])
        .filter((o) => o.Key !== undefined && !o.Key.endsWith('/'))
        .map((o) => ({ key: strip(o.Key!), size: o.Size ?? 0, etag: o.ETag?.replace(/"/g, '') })),
      prefixes: (res.CommonPrefixes ?? []).map((p) => strip(p.Prefix ?? '')).filter((p) => p !== ''),
      next: res.IsTruncated ? res.NextContinuationToken : undefined,
    };
  }

  async get(key: string): Promise<Readable> {
    const res = await this.s3.send(new (s3Sdk().GetObjectCommand)({ Bucket: this.bucket, Key: this.root + key }));
    if (!res.Body) throw notFound(`s3://${this.bucket}/${this.root + key}`);
    return res.Body as Readable;
  }

  async metadata(key: string): Promise<Record<string, string>> {
    try {
      const res = await this.s3.send(new (s3Sdk().HeadObjectCommand)({ Bucket: this.bucket, Key: this.root + key }));
      return Object.fromEntries(Object.entries(res.Metadata ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
    } catch (e) {
      // HEAD has no body, so a missing key is a bare 404 (`NotFound`), not `NoSuchKey`: same meaning.
      if ((e as { name?: string }).name === 'NotFound' || (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404)
        throw notFound(`s3://${this.bucket}/${this.root + key}`);
      throw e;
    }
  }

  async put(key: string, body: Readable | Buffer | string, options: PutOptions = {}): Promise<void> {
    const params = { Bucket: this.bucket, Key: this.root + key, Body: body, ContentType: options.contentType, Metadata: options.metadata };
    if (!(body instanceof Readable)) {
      await this.s3.send(new (s3Sdk().PutObjectCommand)(params), { abortSignal: options.signal });
      return;
    }
    // Streams of unknown length: multipart when large, bounded memory (two 5 MB parts). Aborting
    // makes lib-storage abort the multipart upload, so no partial object appears.
    const upload = new (storage().Upload)({ client: this.s3, params, queueSize: 2 });
    const onAbort = () => void upload.abort().catch(() => undefined);
    options.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      await upload.done();
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
    }
  }
}

const TMP_MARK = '.tributary-tmp-';

/** A local directory; keys are `/`-separated paths below it. */
export class LocalStore implements ObjectStore {
  readonly stats: StoreStats = { listCalls: 0, listedPrefixes: [] };
  readonly dir: string;

  constructor(
    dir: string,
    readonly bucket = 'local',
  ) {
    this.dir = path.resolve(dir);
  }

  get url(): string {
    return pathToFileURL(this.dir).href;
  }

  absoluteKey(key: string): string {
    return key;
  }

  private file(key: string): string {
    const p = path.resolve(this.dir, ...key.split('/'));
    if (p !== this.dir && !p.startsWith(this.dir + path.sep)) throw new Error(`key ${JSON.stringify(key)} escapes ${this.dir}`);
    return p;
  }

  async listPage(prefix: string, options: ListOptions = {}): Promise<ListPage> {
    this.stats.listCalls++;
    this.stats.listedPrefixes.push(prefix);
    const limit = Math.min(Math.max(options.limit ?? 1000, 1), 1000);
    const cut = prefix.lastIndexOf('/');
    const base = prefix.slice(0, cut + 1); // directory part, '' or ending with '/'
    const entries: Array<{ key: string; isPrefix: boolean; size: number; etag?: string }> = [];
    const walk = async (rel: string, recurse: boolean): Promise<void> => {
      let dirents;
      try {
        dirents = await fsp.readdir(this.file(rel || '.'), { withFileTypes: true });
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') return;
        throw e;
      }
      for (const d of dirents) {
        const key = rel + d.name;
        if (d.name.includes(TMP_MARK)) continue;
        if (d.isDirectory()) {
          // Only descend where the prefix can still match.
          const k = key + '/';
          if (!(k.startsWith(prefix) || prefix.startsWith(k))) continue;
          if (options.delimiter === '/' && k.startsWith(prefix)) entries.push({ key: k, isPrefix: true, size: 0 });
          else if (recurse) await walk(k, recurse);
        } else if (d.isFile() && key.startsWith(prefix)) {
          const st = await fsp.stat(this.file(key));
          entries.push({ key, isPrefix: false, size: st.size, etag: `${Math.floor(st.mtimeMs)}-${st.size}` });
        }
      }
    };
    await walk(base, true);
    entries.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const start = options.token ? entries.findIndex((e) => e.key > options.token!) : 0;
    const page = start < 0 ? [] : entries.slice(start, start + limit);
    const more = start >= 0 && start + limit < entries.length;
    return {
      objects: page.filter((e) => !e.isPrefix).map((e) => ({ key: e.key, size: e.size, etag: e.etag })),
      prefixes: page.filter((e) => e.isPrefix).map((e) => e.key),
      next: more ? page[page.length - 1].key : undefined,
    };
  }

  async get(key: string): Promise<Readable> {
    const file = this.file(key);
    try {
      await fsp.access(file);
    } catch {
      throw notFound(`${this.url}/${key}`);
    }
    return createReadStream(file);
  }

  async metadata(key: string): Promise<Record<string, string>> {
    const file = this.file(key);
    try {
      await fsp.access(file);
    } catch {
      throw notFound(`${this.url}/${key}`);
    }
    let text: string;
    try {
      text = await fsp.readFile(file + LOCAL_METADATA_SUFFIX, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw e;
    }
    const doc: unknown = JSON.parse(text);
    if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new Error(`${file}${LOCAL_METADATA_SUFFIX} is not a JSON object`);
    return Object.fromEntries(Object.entries(doc).filter(([, v]) => typeof v === 'string').map(([k, v]) => [k.toLowerCase(), v as string]));
  }

  async put(key: string, body: Readable | Buffer | string, options: PutOptions = {}): Promise<void> {
    const file = this.file(key);
    await fsp.mkdir(path.dirname(file), { recursive: true });
    if (options.metadata) await fsp.writeFile(file + LOCAL_METADATA_SUFFIX, JSON.stringify(options.metadata));
    const tmp = `${file}${TMP_MARK}${randomBytes(6).toString('hex')}`;
    try {
      if (body instanceof Readable) await pipeline(body, createWriteStream(tmp), { signal: options.signal });
      else await fsp.writeFile(tmp, body, { signal: options.signal });
      await fsp.rename(tmp, file);
    } catch (e) {
      await fsp.rm(tmp, { force: true });
      throw e;
    }
  }
}

/** Parses `s3://bucket[/prefix]`, `file:///abs/path` or a plain directory path. */
export function parseStoreUrl(url: string): { kind: 's3'; bucket: string; prefix: string } | { kind: 'file'; dir: string } {
  if (url.startsWith('s3://')) {
    const rest = url.slice(5);
    const slash = rest.indexOf('/');
    const bucket = slash < 0 ? rest : rest.slice(0, slash);
    if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) throw new Error(`invalid bucket name in ${url}`);
    const prefix = slash < 0 ? '' : rest.slice(slash + 1).replace(/^\/+|\/+$/g, '');
    return { kind: 's3', bucket, prefix };
  }
  if (url.startsWith('file://')) return { kind: 'file', dir: fileURLToPath(url) };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) throw new Error(`unsupported store URL ${url} (use s3://bucket[/prefix] or file:///path)`);
  return { kind: 'file', dir: path.resolve(url) };
}

/** Opens a store from its URL; S3 stores need a client (endpoint and credentials from the SDK environment). */
export function openStore(url: string, s3?: () => S3Client): ObjectStore {
  const p = parseStoreUrl(url);
  if (p.kind === 'file') return new LocalStore(p.dir);
  if (!s3) throw new Error('an S3 client is needed for s3:// stores');
  return new S3Store(s3(), p.bucket, p.prefix);
}

/**
 * One `S3Store` per bucket root on one client, created on first use: what the SQS adapters open for
 * the buckets that notifications name.
 */
export function bucketStores(s3: S3Client): (bucket: string) => S3Store {
  const stores = new Map<string, S3Store>();
  return (bucket) => {
    let s = stores.get(bucket);
    if (!s) stores.set(bucket, (s = new S3Store(s3, bucket)));
    return s;
  };
}
