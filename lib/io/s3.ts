/**
 * S3 specifics with bounded memory: the client, S3 notifications (as SQS message bodies) and
 * streaming reads of plain or gzip objects (concatenated gzip members included), line by line or
 * record by record, every line and record bounded (`lib/core/limits.ts`). The client's
 * endpoint, region and credentials come from the standard SDK environment only (`AWS_ENDPOINT_URL`,
 * `AWS_REGION`, ...). Objects are read and written through `store.ts`.
 */
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { S3Client } from '@aws-sdk/client-s3';
import { isRecordsEnvelope, JsonRecordScanner } from '../core/json-records';
import { DEFAULT_LIMITS, isUnreadable, type ReadItem } from '../core/limits';
import { LineSplitter } from '../core/lines';
import { lazyObject } from './lazy';

/** The S3 SDK module, loaded by the first S3 call (see lib/io/lazy.ts; `store.ts` uses it too). */
export const s3Sdk = (): typeof import('@aws-sdk/client-s3') => require('@aws-sdk/client-s3');

/**
 * The S3 client of the functions. Path-style addressing works with every endpoint (AWS, VPC
 * endpoints, S3-compatible local servers) and costs nothing on AWS, so it is always on. The SDK
 * module is loaded and the client built on first use (`lazyObject`): a cold start pays for neither.
 * @example await bucketStores(createS3Client())('central-logs').get('normalized/…/part.ndjson.gz')
 */
export function createS3Client(): S3Client {
  return lazyObject(() => new (s3Sdk().S3Client)({ forcePathStyle: true }));
}

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

/**
 * Lines of a (possibly gzipped) stream, LF or CRLF, without loading it: memory is one line of at most
 * `maxLineBytes`. A longer line is not held: it is yielded as an `Unreadable` (its first bytes, its
 * size, the reason), and reading goes on with the next line. (Node's readline, used before, buffers a
 * line without bound and kills the process with a RangeError on a 300 MB line.)
 * @example for await (const l of readLineItems(await store.get(key))) if (isUnreadable(l)) fail(l.reason); else use(l);
 */
export async function* readLineItems(body: Readable, maxLineBytes: number = DEFAULT_LIMITS.maxLineBytes): AsyncGenerator<ReadItem> {
  const splitter = new LineSplitter(maxLineBytes);
  for await (const chunk of await decompressedStream(body)) yield* splitter.push(toBuffer(chunk));
  yield* splitter.end();
}

/**
 * Lines of a stream whose lines are all expected to fit (tests, tools): like `readLineItems`, but a
 * line over `maxLineBytes` ends the read with an Error saying so.
 */
export async function* readLines(body: Readable, maxLineBytes: number = DEFAULT_LIMITS.maxLineBytes): AsyncGenerator<string> {
  for await (const l of readLineItems(body, maxLineBytes)) {
    if (isUnreadable(l)) throw new Error(l.reason);
    yield l;
  }
}

/**
 * The records of a `{"Records":[...]}` file (CloudTrail; also AWS Config history/snapshot files and
 * Inspector reports, `ENVELOPE_KEYS`), each bounded by `maxBytes`, split without parsing the file
 * (`lib/core/json-records.ts`), so one bad record is one failure; any other content (it starts
 * differently) is read line by line like `readLineItems`, unless `json`: then every top-level JSON
 * value is one record however it is laid out (a pretty-printed AWS Config oversized-item notification),
 * and a line that is not JSON one record. Memory: one record or line.
 */
export async function* readRecordsOrLines(body: Readable, maxBytes: number = DEFAULT_LIMITS.maxLineBytes, json = false): AsyncGenerator<ReadItem> {
  let splitter: JsonRecordScanner | LineSplitter | undefined;
  const head: Buffer[] = [];
  let headBytes = 0;
  const choose = (h: Buffer) => (json || isRecordsEnvelope(h) ? new JsonRecordScanner(maxBytes) : new LineSplitter(maxBytes));
  for await (const chunk of await decompressedStream(body)) {
    if (splitter) {
      yield* splitter.push(toBuffer(chunk));
      continue;
    }
    // The first bytes decide (`{"Records":[` after optional whitespace).
    const b = toBuffer(chunk);
    head.push(b);
    headBytes += b.length;
    if (headBytes < 256) continue;
    const h = Buffer.concat(head);
    splitter = choose(h);
    yield* splitter.push(h);
  }
  if (!splitter) {
    const h = Buffer.concat(head);
    splitter = choose(h);
    yield* splitter.push(h);
  }
  yield* splitter.end();
}

const toBuffer = (c: unknown): Buffer => (Buffer.isBuffer(c) ? c : Buffer.from(c as Uint8Array));
