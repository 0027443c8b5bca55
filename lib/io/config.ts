/**
 * Runtime configuration of the Lambda functions, read once at cold start from environment
 * variables and validated as a whole: a bad deployment fails on its first invocation with ONE error
 * naming every bad variable, never halfway through a batch.
 *
 * SDK endpoints are not configured here: the AWS SDK reads the standard `AWS_ENDPOINT_URL` /
 * `AWS_ENDPOINT_URL_S3` variables itself (that is how tests point it at a local S3), so there is no
 * test-only code path.
 *
 * | Variable | Used by | Default | Meaning |
 * |---|---|---|---|
 * | `ARCHIVE_BUCKET` | s3ingest, indexer (required) | | bucket of the normalized archive and dead letters |
 * | `OPENSEARCH_URL` | indexer (one of the two required) | | full URL, e.g. `http://127.0.0.1:9200` |
 * | `OPENSEARCH_ENDPOINT` | indexer | | host name of a domain/collection; `https://` is implied |
 * | `OPENSEARCH_AUTH` | indexer | `none` | `none`, `sigv4-es` (OpenSearch Service) or `sigv4-aoss` (Serverless) |
 * | `INDEX_PREFIX` | indexer | `logs` | index names are `<prefix>-<dataset>-YYYY.MM.DD` |
 * | `SOURCE_MAPPINGS` | transform, s3ingest | `[]` | JSON `[{"pattern":"/app/payments*","source":"app"}]` |
 * | `SOURCE_OPTIONS` | transform, s3ingest | `{}` | JSON `{"vpcFormat":"${version} ${account-id} ..."}` |
 * | `INCLUDE_ORIGINAL` | transform, s3ingest | `false` | keep `event.original` on every document |
 * | `BULK_MAX_BYTES` | indexer | 5242880 | upper bound of one `_bulk` body |
 * | `BULK_MAX_DOCS` | indexer | 2000 | upper bound of documents per `_bulk` request |
 * | `BULK_MAX_ATTEMPTS` | indexer | 5 | attempts per document on retryable errors before the message fails |
 * | `BULK_BACKOFF_MS` | indexer | 200 | first backoff (doubles per attempt, full jitter) |
 * | `OPENSEARCH_TIMEOUT_MS` | indexer | 30000 | per request |
 * | `INGEST_CHUNK_LINES` | s3ingest | 5000 | lines normalized per chunk (bounds memory) |
 * | `RESPONSE_MAX_BYTES` | transform | 5767168 (5.5 MiB) | budget of the Firehose response (hard limit 6 MB) |
 * | `INDEX_QUEUE_URL` | replay | | the indexer's queue, where replay pages send archive objects |
 * | `AWS_REGION` | all | set by Lambda | region of the OpenSearch endpoint for SigV4 and of CWL deliveries |
 *
 * Each function gets its own validated type (`TransformConfig`, `IngestConfig`, `IndexerConfig`,
 * `ReplayConfig`): a field a function needs is never optional in its type.
 */
import type { SourceMapping } from '../../parsers/detect';
import { SOURCE_IDS, type SourceId, type SourceOptions } from '../../parsers/types';
import { DEFAULT_INDEX_PREFIX } from '../core/indices';
import { DEFAULT_BULK } from './bulk';

export type OpenSearchAuth = 'none' | 'sigv4-es' | 'sigv4-aoss';

export interface OpenSearchConfig {
  /** Full node URL (from `OPENSEARCH_URL`, or `https://` + `OPENSEARCH_ENDPOINT`). */
  node: string;
  auth: OpenSearchAuth;
  region?: string;
  requestTimeoutMs: number;
}

export interface BulkConfig {
  maxBytes: number;
  maxDocs: number;
  maxAttempts: number;
  backoffMs: number;
}

/** How raw logs are normalized (transform, s3ingest). */
interface NormalizeConfig {
  sourceMappings: SourceMapping[];
  sourceOptions: SourceOptions;
  includeOriginal: boolean;
  region?: string;
}

export interface TransformConfig extends NormalizeConfig {
  responseMaxBytes: number;
}

export interface IngestConfig extends NormalizeConfig {
  archiveBucket: string;
  ingestChunkLines: number;
}

export interface IndexerConfig {
  archiveBucket: string;
  opensearch: OpenSearchConfig;
  indexPrefix: string;
  bulk: BulkConfig;
  region?: string;
}

export interface ReplayConfig {
  /** The only bucket the replay function may read. */
  archiveBucket: string;
  /** Default queue of replay pages (an event may name another). */
  indexQueueUrl?: string;
  region: string;
}

/** The configuration type of each function. */
export interface ConfigByFunction {
  transform: TransformConfig;
  s3ingest: IngestConfig;
  indexer: IndexerConfig;
  replay: ReplayConfig;
}

/** Which function the configuration is for: decides which variables are read and required. */
export type FunctionName = keyof ConfigByFunction;
export type AnyConfig = ConfigByFunction[FunctionName];

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration: ${problems.join('; ')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

/**
 * Reads and validates the configuration of one function. Throws a `ConfigError` listing every bad
 * variable. Values are never echoed for variables that could hold secrets (URLs may embed basic auth).
 * @example loadConfig({ ARCHIVE_BUCKET: 'central-logs', OPENSEARCH_URL: 'http://127.0.0.1:9200' }, 'indexer')
 */
export function loadConfig<F extends FunctionName>(env: Env, fn: F): ConfigByFunction[F] {
  const problems: string[] = [];
  const str = (name: string) => {
    const v = env[name]?.trim();
    return v ? v : undefined;
  };
  const int = (name: string, def: number, min: number, max: number): number => {
    const raw = str(name);
    if (raw === undefined) return def;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) {
      problems.push(`${name} must be an integer between ${min} and ${max} (got "${raw}")`);
      return def;
    }
    return n;
  };
  const bool = (name: string): boolean => {
    const raw = str(name)?.toLowerCase();
    if (raw === undefined) return false;
    if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
    if (['0', 'false', 'no', 'off'].includes(raw)) return false;
    problems.push(`${name} must be true or false (got "${raw}")`);
    return false;
  };
  const json = <T>(name: string, def: T, check: (v: unknown) => string | undefined): T => {
    const raw = str(name);
    if (raw === undefined) return def;
    let v: unknown;
    try {
      v = JSON.parse(raw);
    } catch {
      problems.push(`${name} is not valid JSON`);
      return def;
    }
    const err = check(v);
    if (err) {
      problems.push(`${name} ${err}`);
      return def;
    }
    return v as T;
  };

  const region = str('AWS_REGION') ?? str('AWS_DEFAULT_REGION');
  const archiveBucket = str('ARCHIVE_BUCKET');
  if (archiveBucket !== undefined && !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(archiveBucket))
    problems.push(`ARCHIVE_BUCKET is not a valid bucket name (got "${archiveBucket}")`);
  if (fn !== 'transform' && archiveBucket === undefined) problems.push('ARCHIVE_BUCKET is required');

  const sourceMappings = json<SourceMapping[]>('SOURCE_MAPPINGS', [], (v) =>
    Array.isArray(v) &&
    v.every(
      (m) =>
        typeof m === 'object' && m !== null && typeof m.pattern === 'string' && m.pattern !== '' && SOURCE_IDS.includes(m.source as SourceId),
    )
      ? undefined
      : `must be a JSON array of {"pattern": string, "source": one of ${SOURCE_IDS.join('|')}}`,
  );
  const sourceOptions = json<SourceOptions>('SOURCE_OPTIONS', {}, (v) =>
    typeof v === 'object' && v !== null && !Array.isArray(v) && ((v as SourceOptions).vpcFormat === undefined || typeof (v as SourceOptions).vpcFormat === 'string')
      ? undefined
      : 'must be a JSON object like {"vpcFormat": "${version} ${account-id} ..."}',
  );

  const indexPrefix = str('INDEX_PREFIX') ?? DEFAULT_INDEX_PREFIX;
  if (!/^[a-z0-9][a-z0-9._-]*$/.test(indexPrefix)) problems.push(`INDEX_PREFIX must be lowercase [a-z0-9._-] (got "${indexPrefix}")`);

  let opensearch: OpenSearchConfig | undefined;
  const url = str('OPENSEARCH_URL');
  const endpoint = str('OPENSEARCH_ENDPOINT');
  const authRaw = str('OPENSEARCH_AUTH') ?? 'none';
  if (!['none', 'sigv4-es', 'sigv4-aoss'].includes(authRaw)) problems.push(`OPENSEARCH_AUTH must be none, sigv4-es or sigv4-aoss (got "${authRaw}")`);
  const auth = authRaw as OpenSearchAuth;
  if (url && endpoint) problems.push('set only one of OPENSEARCH_URL and OPENSEARCH_ENDPOINT');
  const node = url ?? (endpoint ? `https://${endpoint.replace(/^https?:\/\//, '').replace(/\/+$/, '')}` : undefined);
  if (node !== undefined) {
    let ok: boolean;
    try {
      ok = ['http:', 'https:'].includes(new URL(node).protocol);
    } catch {
      ok = false;
    }
    // The value is not echoed: a URL may carry basic-auth credentials.
    if (!ok) problems.push(`${url ? 'OPENSEARCH_URL' : 'OPENSEARCH_ENDPOINT'} is not an http(s) URL`);
    if ((auth === 'sigv4-es' || auth === 'sigv4-aoss') && !region) problems.push(`AWS_REGION is required when OPENSEARCH_AUTH=${auth}`);
  } else if (fn === 'indexer') problems.push('OPENSEARCH_URL or OPENSEARCH_ENDPOINT is required');
  const requestTimeoutMs = int('OPENSEARCH_TIMEOUT_MS', 30_000, 100, 900_000);
  if (node !== undefined) opensearch = { node, auth, region, requestTimeoutMs };

  const bulk: BulkConfig = {
    maxBytes: int('BULK_MAX_BYTES', DEFAULT_BULK.maxBytes, 1024, 100 * 1024 * 1024),
    maxDocs: int('BULK_MAX_DOCS', DEFAULT_BULK.maxDocs, 1, 100_000),
    maxAttempts: int('BULK_MAX_ATTEMPTS', DEFAULT_BULK.maxAttempts, 1, 20),
    backoffMs: int('BULK_BACKOFF_MS', DEFAULT_BULK.backoffMs, 0, 60_000),
  };
  const includeOriginal = bool('INCLUDE_ORIGINAL');
  const ingestChunkLines = int('INGEST_CHUNK_LINES', 5000, 1, 1_000_000);
  const responseMaxBytes = int('RESPONSE_MAX_BYTES', 5.5 * 1024 * 1024, 1024, 6 * 1000 * 1000);
  const indexQueueUrl = str('INDEX_QUEUE_URL');
  if (fn === 'replay' && !region) problems.push('AWS_REGION is required');
  if (problems.length) throw new ConfigError(problems);
  const configs: { [K in FunctionName]: () => ConfigByFunction[K] } = {
    transform: () => ({ sourceMappings, sourceOptions, includeOriginal, responseMaxBytes, region }),
    s3ingest: () => ({ archiveBucket: archiveBucket!, sourceMappings, sourceOptions, includeOriginal, ingestChunkLines, region }),
    indexer: () => ({ archiveBucket: archiveBucket!, opensearch: opensearch!, indexPrefix, bulk, region }),
    replay: () => ({ archiveBucket: archiveBucket!, indexQueueUrl, region: region! }),
  };
  return configs[fn]();
}

/** What may be logged about the configuration: no URLs with credentials, no values of unknown shape. */
export function describeConfig(c: AnyConfig): Record<string, unknown> {
  const out: Record<string, unknown> = { ...c };
  if ('opensearch' in c) {
    delete out.opensearch;
    try {
      out.opensearchHost = new URL(c.opensearch.node).host;
    } catch {
      out.opensearchHost = undefined;
    }
    out.opensearchAuth = c.opensearch.auth;
  }
  if ('sourceMappings' in c) out.sourceMappings = c.sourceMappings.length;
  // Queue URLs name the account; harmless, but keep only what identifies the queue.
  if ('indexQueueUrl' in c && c.indexQueueUrl) out.indexQueueUrl = c.indexQueueUrl.split('/').pop();
  return out;
}
