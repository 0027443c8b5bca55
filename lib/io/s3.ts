/**
 * S3 I/O with bounded memory: S3 notifications (as SQS message bodies), streaming line reads of
 * plain or gzip objects (concatenated gzip members included), and streaming gzip NDJSON uploads
 * (multipart via `@aws-sdk/lib-storage`). The client's endpoint, region and credentials come from
 * the standard SDK environment only (`AWS_ENDPOINT_URL`, `AWS_REGION`, ...).
 */
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { PassThrough, Readable } from 'node:stream';
import { createGunzip, createGzip } from 'node:zlib';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';

/**
 * The S3 client of the functions. Path-style addressing works with every endpoint (AWS, VPC
 * endpoints, S3-compatible local servers) and costs nothing on AWS, so it is always on.
 */
export function createS3Client(): S3Client {
  return new S3Client({ forcePathStyle: true });
}

/**
 * Byte I/O by bucket and key, the alternative to an `S3Client` the ingest and indexer cores accept
 * (replay and the local demo run the same cores over a local directory through `lib/store.ts io()`).
 */
export interface ObjectIO {
  getStream(bucket: string, key: string): Promise<Readable>;
  putStream(bucket: string, key: string, body: Readable, contentType?: string): Promise<void>;
}

/** What the cores read and write objects with: the SDK client in Lambda, or an `ObjectIO`. */
export type ObjectClient = S3Client | ObjectIO;

const isObjectIO = (c: ObjectClient): c is ObjectIO => typeof (c as ObjectIO).getStream === 'function';

/** One object named by an S3 "object created" notification. */
export interface S3ObjectRef {
  bucket: string;
  /** URL-decoded key. */
  key: string;
  /** Version id when the bucket is versioned, else the ETag (without quotes), else ''. */
  version: string;
  size?: number;
  eventName?: string;
}

export interface S3Notification {
  objects: S3ObjectRef[];
  /** `s3:TestEvent` and non-create events: nothing to do. */
  ignored: number;
}

/**
 * Decodes an S3 notification key: URL-encoded, with spaces as `+`.
 * @example decodeS3Key('AWSLogs/123456789012/elasticloadbalancing/us-east-1/2026/03/01/my+file%3D1.log.gz') // 'AWSLogs/…/my file=1.log.gz'
 */
export function decodeS3Key(key: string): string {
  const plus = key.replace(/\+/g, ' ');
  try {
    return decodeURIComponent(plus);
  } catch {
    return plus; // malformed escapes: the key as sent is the best guess
  }
}

interface S3EventRecord {
  eventSource?: string;
  eventName?: string;
  s3?: { bucket?: { name?: string }; object?: { key?: string; size?: number; eTag?: string; versionId?: string } };
}

/**
 * The objects of one SQS message body holding an S3 event notification (directly, or wrapped in an
 * SNS notification). `s3:TestEvent` and non-`ObjectCreated` events are ignored. Throws on a body
 * that is not a notification at all (the message then goes to the DLQ, where someone looks at it).
 */
export function parseS3Notification(body: string): S3Notification {
  let doc = JSON.parse(body) as { Records?: S3EventRecord[]; Event?: string; Type?: string; Message?: string };
  if (doc?.Type === 'Notification' && typeof doc.Message === 'string') doc = JSON.parse(doc.Message);
  if (doc?.Event === 's3:TestEvent') return { objects: [], ignored: 1 };
  if (!Array.isArray(doc?.Records)) throw new Error('message is not an S3 event notification');
  const out: S3Notification = { objects: [], ignored: 0 };
  for (const r of doc.Records) {
    const bucket = r.s3?.bucket?.name;
    const key = r.s3?.object?.key;
    if (r.eventSource !== 'aws:s3' || !bucket || typeof key !== 'string') throw new Error('S3 notification record without bucket/key');
    if (!r.eventName?.startsWith('ObjectCreated:')) {
      out.ignored++;
      continue;
    }
    const o = r.s3!.object!;
    out.objects.push({
      bucket,
      key: decodeS3Key(key),
      version: o.versionId ?? (o.eTag ?? '').replace(/"/g, ''),
      size: o.size,
      eventName: r.eventName,
    });
  }
  return out;
}

/** Plain bytes of a possibly gzipped stream: the first two bytes decide, all gzip members are read. */
export async function decompressedStream(body: Readable): Promise<Readable> {
  const it = body[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  let head = Buffer.alloc(0);
  const pending: Buffer[] = [];
  while (head.length < 2) {
    const n = await it.next();
    if (n.done) break;
    const chunk = Buffer.isBuffer(n.value) ? n.value : Buffer.from(n.value);
    pending.push(chunk);
    head = Buffer.concat([head, chunk]);
  }
  async function* replay() {
    for (const p of pending) yield p;
    for (;;) {
      const n = await it.next();
      if (n.done) return;
      yield n.value;
    }
  }
  const raw = Readable.from(replay(), { objectMode: false });
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) {
    const gunzip = createGunzip();
    raw.on('error', (e) => gunzip.destroy(e));
    return raw.pipe(gunzip);
  }
  return raw;
}

/** Lines of a (possibly gzipped) stream, LF or CRLF, without loading it: memory is one line. */
export async function* readLines(body: Readable): AsyncGenerator<string> {
  const text = await decompressedStream(body);
  const rl = createInterface({ input: text, crlfDelay: Infinity });
  try {
    for await (const line of rl) yield line;
  } finally {
    rl.close();
  }
}

/** Streams an object's body (throws the SDK error, e.g. `NoSuchKey`). */
export async function getObjectStream(s3: ObjectClient, ref: { bucket: string; key: string; version?: string }): Promise<Readable> {
  if (isObjectIO(s3)) return s3.getStream(ref.bucket, ref.key);
  const res = await s3.send(new GetObjectCommand({ Bucket: ref.bucket, Key: ref.key }));
  if (!res.Body) throw new Error(`s3://${ref.bucket}/${ref.key} has no body`);
  return res.Body as Readable;
}

/**
 * A gzip NDJSON object written as a stream (multipart when it grows past 5 MB), so memory stays
 * bounded by the part buffers whatever the object size.
 */
export class NdjsonGzUpload {
  private readonly gzip = createGzip();
  private readonly done: Promise<unknown>;
  private readonly upload?: Upload;
  private readonly body = new PassThrough();
  private failure: unknown;
  lines = 0;

  constructor(s3: ObjectClient, readonly bucket: string, readonly key: string) {
    const body = this.body;
    this.gzip.pipe(body);
    if (isObjectIO(s3)) this.done = s3.putStream(bucket, key, body, 'application/x-ndjson');
    else {
      this.upload = new Upload({
        client: s3,
        params: { Bucket: bucket, Key: key, Body: body, ContentType: 'application/x-ndjson' },
        queueSize: 2,
      });
      this.done = this.upload.done();
    }
    this.done.catch((e) => {
      this.failure = e;
      this.gzip.destroy();
    });
  }

  /** Writes lines (each must be one JSON document, without newline), waiting for back-pressure. */
  async write(lines: string[]): Promise<void> {
    if (!lines.length) return;
    if (this.failure) throw this.failure;
    this.lines += lines.length;
    if (!this.gzip.write(lines.join('\n') + '\n')) await Promise.race([once(this.gzip, 'drain'), this.done]);
    if (this.failure) throw this.failure;
  }

  /** Finishes the object; resolves when S3 has it. */
  async close(): Promise<void> {
    this.gzip.end();
    await this.done;
  }

  /** Abandons the object (aborts the multipart upload, nothing becomes visible). */
  async abort(): Promise<void> {
    try {
      await this.upload?.abort();
    } catch {
      /* already finished or never started: nothing to clean */
    }
    this.gzip.destroy();
    // An ObjectIO put reads the body to its end: an error makes it discard the object instead.
    if (!this.upload) this.body.destroy(new Error('upload aborted'));
    await this.done.catch(() => undefined);
  }
}
