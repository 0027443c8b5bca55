/* eslint-disable @typescript-eslint/no-explicit-any -- OpenSearch and NDJSON answers are untyped JSON in these helpers */
/**
 * Helpers of the pipeline/indexer integration tests: real OpenSearch (OPENSEARCH_URL) and real S3 +
 * SQS on moto (AWS_ENDPOINT_URL), unique names per test, and a faithful stand-in for the one part
 * moto cannot run: Firehose's S3 delivery with dynamic partitioning (records grouped by their
 * `partitionKeys`, concatenated, gzipped, written under FIREHOSE_PREFIX; ProcessingFailed records
 * written as error records with their raw data under the error prefix).
 */
import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import {
  CreateBucketCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutBucketNotificationConfigurationCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { CreateQueueCommand, DeleteMessageBatchCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { FIREHOSE_ERRORS_PREFIX, FIREHOSE_PREFIX } from '../../lib/core/archive';
import type { FirehoseTransformEvent } from '../../lib/core/envelopes';
import type { IndexerDeps } from '../../lib/indexer';
import { loadConfig } from '../../lib/io/config';
import { bulkTransport, createOpenSearchClient } from '../../lib/io/opensearch';
import { readLines } from '../../lib/io/s3';
import { S3Store } from '../../lib/io/store';
import type { FirehoseTransformResponse } from '../../lib/transform';
import mappingsJson from '../../schemas/generated/mappings.json';
import { awsEndpoint, opensearchUrl } from '../helpers/services';

// The servers `scripts/services.sh` started (or the user's OPENSEARCH_URL / AWS_ENDPOINT_URL).
export const OPENSEARCH_URL = opensearchUrl();
awsEndpoint();
process.env.AWS_ACCESS_KEY_ID ??= 'test';
process.env.AWS_SECRET_ACCESS_KEY ??= 'test';
process.env.AWS_REGION ??= 'us-east-1';

export const uid = () => randomUUID().slice(0, 8);

/** Env of a handler process pointed at the test servers. */
export const serviceEnv = () => ({
  AWS_ENDPOINT_URL: process.env.AWS_ENDPOINT_URL,
  AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID,
  AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY,
  AWS_REGION: process.env.AWS_REGION,
});

export async function os(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(OPENSEARCH_URL + path, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

export async function countDocs(pattern: string, query?: unknown): Promise<number> {
  await os('POST', `/${pattern}/_refresh?ignore_unavailable=true&allow_no_indices=true`);
  const r = await os('POST', `/${pattern}/_count?ignore_unavailable=true&allow_no_indices=true`, query ? { query } : undefined);
  return r.body.count;
}

export async function allIds(pattern: string): Promise<string[]> {
  await os('POST', `/${pattern}/_refresh?ignore_unavailable=true&allow_no_indices=true`);
  const ids: string[] = [];
  let r = await os('POST', `/${pattern}/_search?scroll=1m&ignore_unavailable=true&allow_no_indices=true`, { size: 5000, _source: false, sort: ['_doc'] });
  for (let i = 0; i < 1000 && r.body.hits.hits.length; i++) {
    for (const h of r.body.hits.hits) ids.push(h._id);
    r = await os('POST', '/_search/scroll', { scroll: '1m', scroll_id: r.body._scroll_id });
  }
  if (r.body._scroll_id) await os('DELETE', '/_search/scroll', { scroll_id: r.body._scroll_id });
  return ids.sort();
}

function deepMerge(a: Record<string, any>, b: Record<string, any>): Record<string, any> {
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = v && typeof v === 'object' && !Array.isArray(v) && out[k] && typeof out[k] === 'object' ? deepMerge(out[k], v) : v;
  return out;
}

/** An index template for `<prefix>-*` with the generated Tributary mappings (dynamic: false). */
export async function installTemplate(prefix: string): Promise<void> {
  const m = mappingsJson as Record<string, { properties: Record<string, unknown> }>;
  let properties: Record<string, any> = {};
  for (const part of Object.values(m)) properties = deepMerge(properties, part.properties);
  const r = await os('PUT', `/_index_template/${prefix}`, {
    index_patterns: [`${prefix}-*`],
    priority: 500,
    template: { settings: { number_of_shards: 1, number_of_replicas: 0 }, mappings: { dynamic: false, properties } },
  });
  if (r.status !== 200) throw new Error(`template: ${JSON.stringify(r.body)}`);
}

export async function dropIndices(prefix: string): Promise<void> {
  await os('DELETE', `/${prefix}-*?ignore_unavailable=true&allow_no_indices=true`);
  await os('DELETE', `/_index_template/${prefix}`);
}

export async function createBucket(s3: S3Client, name: string): Promise<void> {
  await s3.send(new CreateBucketCommand({ Bucket: name }));
}

export const sqs = () => new SQSClient({});

export async function createQueue(client: SQSClient, name: string): Promise<{ url: string; arn: string }> {
  const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName: name }));
  const attrs = await client.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
  return { url: QueueUrl!, arn: attrs.Attributes!.QueueArn! };
}

/** S3 → SQS notifications, as deployed: `[queueArn, prefix]` pairs. */
export async function notify(s3: S3Client, bucket: string, targets: Array<[string, string]>): Promise<void> {
  await s3.send(
    new PutBucketNotificationConfigurationCommand({
      Bucket: bucket,
      NotificationConfiguration: {
        QueueConfigurations: targets.map(([arn, prefix]) => ({
          QueueArn: arn,
          Events: ['s3:ObjectCreated:*'],
          Filter: prefix ? { Key: { FilterRules: [{ Name: 'prefix', Value: prefix }] } } : undefined,
        })),
      },
    }),
  );
}

export interface Wiring {
  q: SQSClient;
  ingestQueue: { url: string; arn: string };
  indexQueue: { url: string; arn: string };
  indexer: IndexerDeps;
}

/**
 * The deployed wiring on moto + OpenSearch: the archive bucket's `normalized/` notifies the indexer
 * queue and its `errors/firehose/` the ingest queue; a log bucket (when named) notifies the ingest
 * queue for every key; the index template of `prefix` is installed; the indexer's deps come from
 * `loadConfig` as the function builds them (retries 10 ms apart).
 */
export async function wirePipeline(s3: S3Client, o: { archive: string; logs?: string; prefix: string; tag: string; bulkMaxDocs?: number }): Promise<Wiring> {
  const q = sqs();
  await createBucket(s3, o.archive);
  if (o.logs) await createBucket(s3, o.logs);
  const ingestQueue = await createQueue(q, `${o.tag}-ingest`);
  const indexQueue = await createQueue(q, `${o.tag}-index`);
  await notify(s3, o.archive, [
    [indexQueue.arn, 'normalized/'],
    [ingestQueue.arn, FIREHOSE_ERRORS_PREFIX],
  ]);
  if (o.logs) await notify(s3, o.logs, [[ingestQueue.arn, '']]);
  await drain(q, ingestQueue.url, 0); // moto's s3:TestEvent messages, if any
  await drain(q, indexQueue.url, 0);
  await installTemplate(o.prefix);
  const env: Record<string, string> = { ARCHIVE_BUCKET: o.archive, OPENSEARCH_URL, INDEX_PREFIX: o.prefix };
  if (o.bulkMaxDocs) env.BULK_MAX_DOCS = String(o.bulkMaxDocs);
  const config = loadConfig(env, 'indexer');
  const indexer: IndexerDeps = { s3, archiveBucket: o.archive, transport: bulkTransport(createOpenSearchClient(config.opensearch!)), bulk: { ...config.bulk, backoffMs: 10 }, indexPrefix: o.prefix };
  return { q, ingestQueue, indexQueue, indexer };
}

/** Receives (and deletes) every message of a queue, as the Lambda event source would hand them over. */
export async function drain(client: SQSClient, url: string, atLeast = 1): Promise<Array<{ messageId: string; body: string }>> {
  const out: Array<{ messageId: string; body: string }> = [];
  for (let i = 0; i < 20; i++) {
    const r = await client.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: out.length >= atLeast ? 0 : 1 }));
    const msgs = r.Messages ?? [];
    if (!msgs.length && out.length >= atLeast) break;
    for (const m of msgs) out.push({ messageId: m.MessageId!, body: m.Body! });
    if (msgs.length)
      await client.send(new DeleteMessageBatchCommand({ QueueUrl: url, Entries: msgs.map((m, k) => ({ Id: String(k), ReceiptHandle: m.ReceiptHandle! })) }));
  }
  return out;
}

/** An SQS record as Lambda builds it from an S3 notification (for tests that skip the queue). */
export function sqsRecord(bucket: string, key: string, eTag = 'etag-1') {
  return {
    messageId: randomUUID(),
    body: JSON.stringify({
      Records: [
        {
          eventVersion: '2.1',
          eventSource: 'aws:s3',
          awsRegion: 'us-east-1',
          eventName: 'ObjectCreated:Put',
          s3: { bucket: { name: bucket }, object: { key: encodeURIComponent(key).replace(/%2F/g, '/').replace(/%20/g, '+'), eTag, size: 1 } },
        },
      ],
    }),
  };
}

/** Writes gzip NDJSON lines (test input for the indexer). */
export async function putNdjsonGz(s3: S3Client, bucket: string, key: string, lines: string[]): Promise<void> {
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: gzipSync(lines.map((l) => l + '\n').join('')) }));
}

export async function readNdjson(s3: S3Client, bucket: string, key: string): Promise<any[]> {
  const out: any[] = [];
  for await (const l of readLines(await new S3Store(s3, bucket).get(key))) if (l.trim()) out.push(JSON.parse(l));
  return out;
}

export async function listKeys(s3: S3Client, bucket: string, prefix = ''): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const r = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    for (const o of r.Contents ?? []) keys.push(o.Key!);
    token = r.IsTruncated ? r.NextContinuationToken : undefined;
  } while (token);
  return keys.sort();
}

export async function objectBytes(s3: S3Client, bucket: string, key: string): Promise<Buffer> {
  const r = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from(await r.Body!.transformToByteArray());
}

/**
 * What Firehose does with a transformation response on an S3 destination with dynamic
 * partitioning: `Ok` records are grouped by partition keys and concatenated (the transformer adds
 * the newlines) into one gzip object per partition; `ProcessingFailed` records go to the error
 * prefix as JSON error records carrying the ORIGINAL data (base64) in `rawData`.
 */
export async function firehoseDeliver(
  s3: S3Client,
  bucket: string,
  event: FirehoseTransformEvent,
  response: FirehoseTransformResponse,
  stream = 'tributary',
): Promise<{ normalized: string[]; errors: string[] }> {
  const groups = new Map<string, Buffer[]>();
  const failed: string[] = [];
  const stamp = new Date(event.records[0]?.approximateArrivalTimestamp ?? 0);
  const name = `${stream}-1-${stamp.toISOString().slice(0, 19).replace(/[T:]/g, '-')}-${randomUUID()}.ndjson.gz`;
  for (const out of response.records) {
    const input = event.records.find((r) => r.recordId === out.recordId)!;
    if (out.result === 'Ok') {
      const keys = out.metadata!.partitionKeys;
      const prefix = FIREHOSE_PREFIX.replace(/!\{partitionKeyFromLambda:(\w+)\}/g, (_, k: string) => keys[k]);
      groups.set(prefix, [...(groups.get(prefix) ?? []), Buffer.from(out.data!, 'base64')]);
    } else if (out.result === 'ProcessingFailed') {
      failed.push(
        JSON.stringify({
          attemptsMade: 1,
          arrivalTimestamp: input.approximateArrivalTimestamp,
          errorCode: 'Lambda.ProcessingFailed',
          errorMessage: 'The data could not be decoded as UTF-8 or the response was marked ProcessingFailed',
          attemptEndingTimestamp: input.approximateArrivalTimestamp + 1000,
          rawData: input.data,
          lambdaArn: 'arn:aws:lambda:us-east-1:123456789012:function:tributary-transform:$LATEST',
        }),
      );
    }
  }
  const normalized: string[] = [];
  for (const [prefix, parts] of groups) {
    const key = prefix + name;
    // CompressionFormat UNCOMPRESSED: records (each already a gzip member) are concatenated as they are.
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: Buffer.concat(parts) }));
    normalized.push(key);
  }
  const errors: string[] = [];
  if (failed.length) {
    const d = stamp;
    const p2 = (n: number) => String(n).padStart(2, '0');
    const key = `errors/firehose/processing-failed/year=${d.getUTCFullYear()}/month=${p2(d.getUTCMonth() + 1)}/day=${p2(d.getUTCDate())}/hour=${p2(d.getUTCHours())}/${stream}-1-${randomUUID()}`;
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: failed.map((l) => l + '\n').join('') }));
    errors.push(key);
  }
  return { normalized, errors };
}
