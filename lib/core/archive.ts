/**
 * The S3 archive layout, defined in ONE place: the Firehose prefixes, S3 ingest, the indexer's
 * dead letters and replay all build and parse keys with these functions.
 *
 * ```text
 * normalized/source=<source>/account=<account>/region=<region>/year=YYYY/month=MM/day=DD/hour=HH/<name>.ndjson.gz
 * raw/firehose/year=YYYY/month=MM/day=DD/hour=HH/<firehose object>           Firehose source backup (raw CWL records)
 * errors/firehose/<error-output-type>/year=YYYY/month=MM/day=DD/hour=HH/<...> Firehose error records (processing-failed, activePartitionExceeded, ...)
 * errors/indexer/source=<source>/account=…/hour=HH/<name>.ndjson.gz          indexer dead letters
 * checkpoints/s3ingest/<name>.json                                            where S3 ingest stopped in a large object
 * ```
 *
 * - `normalized/` objects are gzipped NDJSON, one Tributary document per line. The time partition
 *   is the EVENT time (UTC) of the object's earliest event, not the delivery time, so replaying an
 *   hour finds the events of that hour (and a delivery never lands in a partition after its events).
 *   The Firehose transformer returns these values as `metadata.partitionKeys`, S3 ingest writes the
 *   same layout itself, so the indexer and replay see one layout whatever the delivery path.
 * - Partition values are sanitized to `[A-Za-z0-9._-]` (anything else becomes `_`); an unknown
 *   account or region is `unknown`.
 * - Dead letters (`errors/indexer/`) are gzipped NDJSON of `{reason, status, error, index, document}`
 *   under the partition of the archive object they came from; fix the cause, then replay them.
 * - Raw backups and Firehose error objects are partitioned by ARRIVAL hour (Firehose's own prefixes).
 * - Firehose names its own objects (`<stream>-<version>-<date>-<uuid>`); with `FileExtension`
 *   `.ndjson.gz` they end like ours. `parseArchiveKey` accepts any name.
 * - S3 ingest writes one object per partition per SEGMENT of its input (`segmentName`): segment 0
 *   keeps the input's name, later segments add `-s<n>`. Segments are cut at fixed line counts, so a
 *   run that stops at its deadline and resumes (`checkpoints/s3ingest/`) writes the same keys as one
 *   that never stopped.
 */
import { stableId } from '../../parsers/ids';
import { inEventWindow } from '../../parsers/time';

export interface Partition {
  source: string;
  account: string;
  region: string;
  year: string;
  month: string;
  day: string;
  hour: string;
}

/** Order of the partition keys in a key (also the order replay enumerates them). */
export const PARTITION_KEYS: readonly (keyof Partition)[] = ['source', 'account', 'region', 'year', 'month', 'day', 'hour'];

export const NORMALIZED_PREFIX = 'normalized/';
export const DEAD_LETTER_PREFIX = 'errors/indexer/';
/** Firehose source-record backup (raw CloudWatch Logs records), by arrival hour. */
export const RAW_PREFIX = 'raw/firehose/';
/** S3 ingest's checkpoints: how far it got in an object when a deadline stopped it (`lib/ingest.ts`). */
export const INGEST_CHECKPOINT_PREFIX = 'checkpoints/s3ingest/';
/**
 * Firehose error output, `errors/firehose/<error-output-type>/<arrival hour>/`. EVERY object under it
 * is re-ingested by S3 ingest (the bucket notification and its IAM read cover the whole prefix, not
 * a list of types), so an error type Firehose adds later is not silently left behind.
 */
export const FIREHOSE_ERRORS_PREFIX = 'errors/firehose/';

/**
 * The `!{firehose:error-output-type}` values Firehose documents: the five of the S3 prefixes page
 * (processing-failed, AmazonOpenSearchService-failed, splunk-failed, format-conversion-failed,
 * http-endpoint-failed) and the dynamic-partitioning one (`activePartitionExceeded`, the buffering
 * page: records past the active-partition limit). With this stack's S3 destination, Lambda processor
 * and dynamic partitioning, `processing-failed` and `activePartitionExceeded` can occur; the others
 * belong to destinations or features it does not use and are listed so the tests cover every one.
 */
export const FIREHOSE_ERROR_OUTPUT_TYPES = [
  'processing-failed',
  'activePartitionExceeded',
  'format-conversion-failed',
  'AmazonOpenSearchService-failed',
  'splunk-failed',
  'http-endpoint-failed',
] as const;

/**
 * The error output type of a key under `FIREHOSE_ERRORS_PREFIX` (its first segment), else undefined.
 * @example firehoseErrorType('errors/firehose/activePartitionExceeded/year=2026/month=03/day=01/hour=10/x') // 'activePartitionExceeded'
 */
export function firehoseErrorType(key: string): string | undefined {
  if (!key.startsWith(FIREHOSE_ERRORS_PREFIX)) return undefined;
  const type = key.slice(FIREHOSE_ERRORS_PREFIX.length).split('/')[0];
  return type || undefined;
}

/**
 * Whether Firehose wrote the records of this error type BEFORE the transform returned them: only
 * `processing-failed` (the transform returned `ProcessingFailed`; `rawData` is the source record,
 * which the transform counted as failed). Every other type is written after the transform returned
 * the record `Ok` and counted its documents, so S3 ingest only recovers them (`recovered`).
 */
export const isBeforeTransformErrorType = (type: string | undefined): boolean => type === 'processing-failed';
export const ARCHIVE_EXTENSION = '.ndjson.gz';

/** Firehose `Prefix` for dynamic partitioning with the transformer's `partitionKeys`. */
export const FIREHOSE_PREFIX =
  NORMALIZED_PREFIX + PARTITION_KEYS.map((k) => `${k}=!{partitionKeyFromLambda:${k}}/`).join('');
/** Firehose `ErrorOutputPrefix` (partition keys are not allowed there; arrival time is). */
export const FIREHOSE_ERROR_PREFIX =
  'errors/firehose/!{firehose:error-output-type}/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/hour=!{timestamp:HH}/';
/** Firehose source-record backup prefix (raw CWL gzip records, by arrival time). */
export const FIREHOSE_BACKUP_PREFIX = 'raw/firehose/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/hour=!{timestamp:HH}/';
/** Firehose `FileExtension` so its objects end like the ones S3 ingest writes. */
export const FIREHOSE_FILE_EXTENSION = ARCHIVE_EXTENSION;

const UNSAFE = /[^A-Za-z0-9._-]/g;

/** A partition value safe in an S3 key and in a Firehose partition key. */
export function sanitizePartitionValue(v: string | undefined): string {
  const s = (v ?? '').replace(UNSAFE, '_').slice(0, 128);
  return s === '' || s === '.' || s === '..' ? 'unknown' : s;
}

const pad = (n: number) => (n < 10 ? `0${n}` : `${n}`);

/**
 * The `year=/month=/day=/hour=/` path of a UTC hour (epoch ms), as Firehose writes its `!{timestamp:…}`
 * prefixes and as the normalized partitions end.
 * @example hourPath(Date.UTC(2026, 2, 1, 10, 59)) // 'year=2026/month=03/day=01/hour=10/'
 */
export function hourPath(t: number): string {
  const d = new Date(t);
  return `year=${String(d.getUTCFullYear()).padStart(4, '0')}/month=${pad(d.getUTCMonth() + 1)}/day=${pad(d.getUTCDate())}/hour=${pad(d.getUTCHours())}/`;
}

/** Key of a Firehose raw backup object (what Firehose writes under `FIREHOSE_BACKUP_PREFIX`). */
export const rawBackupKey = (arrival: number, name: string): string => RAW_PREFIX + hourPath(arrival) + name;

/** Key of a Firehose error object (what Firehose writes under `FIREHOSE_ERROR_PREFIX`). */
export const firehoseErrorKey = (errorType: string, arrival: number, name: string): string =>
  `${FIREHOSE_ERRORS_PREFIX}${errorType}/${hourPath(arrival)}${name}`;

/**
 * Whether a key is the archive's own output (normalized documents, raw backups, dead letters, S3
 * ingest's checkpoints): S3 ingest must never read it back (it would loop). Firehose error objects are NOT output: they are
 * records to ingest.
 */
export const isArchiveOutput = (key: string): boolean => /^(normalized|raw|errors\/indexer|checkpoints)\//.test(key);

/**
 * Name of the archive objects made from one input (an S3 object, a local file): its base name (up to
 * 100 characters, extensions dropped) and a hash of its identity, so re-ingesting the same input
 * overwrites the same objects.
 * @example sourceObjectName('AWSLogs/1/elasticloadbalancing/us-east-1/2026/03/01/x.log.gz', 's3ingest', 'bucket', 'key', 'etag') // 'x-<27 chars>'
 */
export function sourceObjectName(inputPath: string, ...identity: string[]): string {
  const base = inputPath.split(/[\\/]/).pop()!.replace(/\.(gz|log|json|txt|ndjson)$/g, '').replace(/\.(gz|log|json|txt|ndjson)$/g, '');
  return `${base.slice(0, 100)}-${stableId(...identity)}`;
}

/**
 * Name of the archive objects of one segment of an input (S3 ingest cuts large inputs in segments,
 * see the module comment): segment 0 is `name` itself, segment n is `name` + `-s<n>`, shortening the
 * readable part of the name (never its hash) so the result stays within the 128 characters a name
 * may have.
 * @example segmentName('x-AbC', 0) // 'x-AbC'; segmentName('x-AbC', 2) // 'x-AbC-s2'
 */
export function segmentName(name: string, segment: number): string {
  if (segment === 0) return name;
  const suffix = `-s${segment}`;
  const room = 128 - suffix.length;
  if (name.length <= room) return name + suffix;
  // `sourceObjectName` ends with `-<27-character hash>`: cut from the readable base before it.
  const tail = name.slice(-28);
  return name.slice(0, room - tail.length) + tail + suffix;
}

/**
 * Key of S3 ingest's checkpoint of one input (named like its archive objects: `sourceObjectName`).
 * @example ingestCheckpointKey('x-AbC') // 'checkpoints/s3ingest/x-AbC.json'
 */
export const ingestCheckpointKey = (name: string): string => `${INGEST_CHECKPOINT_PREFIX}${sanitizePartitionValue(name)}.json`;

/**
 * Name of the dead-letter object of one archive object: the archive object's name and a hash of its
 * location, so re-indexing the same object overwrites its own dead letters instead of adding more.
 */
export function deadLetterName(archiveName: string, bucket: string, key: string): string {
  return `${archiveName.replace(/\.ndjson\.gz$|\.gz$/, '')}-${stableId('indexer', bucket, key)}`;
}

/** What the partition rule needs of a normalized batch. */
export interface PartitionInput {
  source: string;
  /** Delivery origin (CloudWatch Logs owner and region, or the S3 key's account and region). */
  context: { account?: string; region?: string };
  /** Envelope times of the batch's events (CloudWatch Logs `timestamp`), when the delivery has them. */
  events: ReadonlyArray<{ timestamp?: number }>;
  /** Documents, failures included; the first gives account and region. */
  documents: ReadonlyArray<{ '@timestamp'?: string; cloud?: { account?: { id?: string }; region?: string } }>;
  /** Time when neither events nor documents have one (Firehose arrival time). */
  fallbackTime?: number;
}

/**
 * THE partition rule of every delivery path (transformer, S3 ingest, Firehose error records, replay
 * from raw, local files), so one event is archived under the same partition whichever way it came:
 * - account and region: the first document's (the origin the pipeline attributed), else the delivery's;
 * - hour: of the earliest envelope time (CloudWatch Logs `timestamp`, the producer's event time and
 *   always present), else of the earliest document `@timestamp`, else `fallbackTime`, else 1970. So an
 *   object never lands in an hour after its events, and replaying an hour finds them.
 * @example batchPartition({ source: 'vpcflow', context: { account: '123456789012', region: 'eu-west-1' }, events: [{ timestamp: Date.UTC(2026, 2, 1, 10) }], documents: [] }).hour // '10'
 */
export function batchPartition(b: PartitionInput): Partition {
  let earliest = Infinity;
  // An envelope time outside the event window (a producer's -1e15) says nothing about the events.
  for (const e of b.events) if (e.timestamp !== undefined && e.timestamp < earliest && inEventWindow(e.timestamp)) earliest = e.timestamp;
  if (!Number.isFinite(earliest))
    for (const d of b.documents) {
      const t = Date.parse(d['@timestamp'] ?? '');
      if (t < earliest) earliest = t;
    }
  const first = b.documents[0];
  return partitionOf({
    source: b.source,
    account: first?.cloud?.account?.id ?? b.context.account,
    region: first?.cloud?.region ?? b.context.region,
    time: Number.isFinite(earliest) ? earliest : (b.fallbackTime ?? 0),
  });
}

/**
 * The partition of an event: source, origin and the UTC hour of its time (epoch ms or ISO string;
 * an unusable time falls in 1970-01-01T00, where it is easy to find). Unusable = not a time, or
 * outside the event time window of `parsers/time.ts`: -1e15 would otherwise be `year=-29719`, a key
 * that `parseArchiveKey`, the indexer and replay cannot read.
 * @example partitionOf({ source: 'vpcflow', account: '123456789012', region: 'eu-west-1', time: '2026-03-01T10:59:59Z' })
 * // { source: 'vpcflow', account: '123456789012', region: 'eu-west-1', year: '2026', month: '03', day: '01', hour: '10' }
 */
export function partitionOf(p: { source: string; account?: string; region?: string; time?: number | string }): Partition {
  let ms = typeof p.time === 'string' ? Date.parse(p.time) : p.time;
  if (ms === undefined || !inEventWindow(ms)) ms = 0;
  const t = new Date(ms);
  return {
    source: sanitizePartitionValue(p.source),
    account: sanitizePartitionValue(p.account),
    region: sanitizePartitionValue(p.region),
    year: String(t.getUTCFullYear()).padStart(4, '0'),
    month: pad(t.getUTCMonth() + 1),
    day: pad(t.getUTCDate()),
    hour: pad(t.getUTCHours()),
  };
}

/**
 * The key prefix of a (partial) partition: the leading known values, stopping at the first missing
 * one, so `{ source: 'elb' }` lists every ELB object and a full partition lists one hour.
 * @example partitionPrefix('normalized', { source: 'elb', account: '123456789012' }) // 'normalized/source=elb/account=123456789012/'
 */
export function partitionPrefix(area: 'normalized' | 'errors/indexer', p: Partial<Partition>): string {
  let prefix = `${area}/`;
  for (const k of PARTITION_KEYS) {
    const v = p[k];
    if (v === undefined) break;
    prefix += `${k}=${k === 'source' || k === 'account' || k === 'region' ? sanitizePartitionValue(v) : v}/`;
  }
  return prefix;
}

/** Key of a normalized archive object. `name` is sanitized and gets the `.ndjson.gz` extension. */
export function archiveKey(p: Partition, name: string): string {
  return partitionPrefix('normalized', p) + objectName(name);
}

/** Key of an indexer dead-letter object, under the partition of the object the documents came from. */
export function deadLetterKey(p: Partition, name: string): string {
  return partitionPrefix('errors/indexer', p) + objectName(name);
}

function objectName(name: string): string {
  const base = name.endsWith(ARCHIVE_EXTENSION) ? name.slice(0, -ARCHIVE_EXTENSION.length) : name;
  return sanitizePartitionValue(base) + ARCHIVE_EXTENSION;
}

/** Partition values encoded in Firehose dynamic-partitioning keys (all strings, as Firehose requires). */
export const firehosePartitionKeys = (p: Partition): Record<string, string> => ({ ...p });

export interface ParsedArchiveKey {
  area: 'normalized' | 'errors/indexer';
  partition: Partition;
  name: string;
}

/**
 * Parses a `normalized/` or `errors/indexer/` key back into its partition values; undefined for any
 * other key (raw backups, Firehose errors, foreign objects), which the indexer must not index.
 * @example parseArchiveKey('normalized/source=elb/account=123456789012/region=us-east-1/year=2026/month=03/day=01/hour=10/x.ndjson.gz')
 */
export function parseArchiveKey(key: string): ParsedArchiveKey | undefined {
  let area: ParsedArchiveKey['area'];
  let rest: string;
  if (key.startsWith(NORMALIZED_PREFIX)) {
    area = 'normalized';
    rest = key.slice(NORMALIZED_PREFIX.length);
  } else if (key.startsWith(DEAD_LETTER_PREFIX)) {
    area = 'errors/indexer';
    rest = key.slice(DEAD_LETTER_PREFIX.length);
  } else return undefined;
  const parts = rest.split('/');
  if (parts.length !== PARTITION_KEYS.length + 1) return undefined;
  const partition = {} as Partition;
  for (let i = 0; i < PARTITION_KEYS.length; i++) {
    const k = PARTITION_KEYS[i];
    const seg = parts[i];
    if (!seg.startsWith(`${k}=`)) return undefined;
    partition[k] = seg.slice(k.length + 1);
  }
  const name = parts[PARTITION_KEYS.length];
  if (!name) return undefined;
  if (!/^\d{4}$/.test(partition.year) || !/^\d\d$/.test(partition.month) || !/^\d\d$/.test(partition.day) || !/^\d\d$/.test(partition.hour))
    return undefined;
  return { area, partition, name };
}

/**
 * Partition and name of an object under `normalized/`, also when its key does not parse: archives
 * written before out-of-window times were mapped to 1970 hold keys like `year=-29719/`. The documents
 * in such an object are still documents, so the indexer indexes them instead of counting the object
 * as ignored; the partition (where its dead letters go) keeps the key's source, account and region
 * and falls in the unusable-time hour 1970-01-01T00. Undefined for any key outside `normalized/`.
 * @example normalizedObject('normalized/source=app/account=1/region=r/year=-29719/month=04/day=05/hour=22/x.ndjson.gz')?.partition.year // '1970'
 */
export function normalizedObject(key: string): { partition: Partition; name: string } | undefined {
  const parsed = parseArchiveKey(key);
  if (parsed) return parsed.area === 'normalized' ? { partition: parsed.partition, name: parsed.name } : undefined;
  if (!key.startsWith(NORMALIZED_PREFIX) || key.endsWith('/')) return undefined;
  const value = (k: string) => new RegExp(`(?:^|/)${k}=([^/]*)/`).exec(key)?.[1];
  return {
    partition: partitionOf({ source: value('source') ?? 'unknown', account: value('account'), region: value('region') }),
    name: key.slice(key.lastIndexOf('/') + 1),
  };
}
