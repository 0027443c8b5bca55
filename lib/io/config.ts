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
 * | `ARCHIVE_BUCKET` | s3ingest, indexer, replay (required) | | bucket of the normalized archive and dead letters |
 * | `OPENSEARCH_URL` | indexer (one of the two required), setup | | full URL, e.g. `http://127.0.0.1:9200` |
 * | `OPENSEARCH_ENDPOINT` | indexer, setup | | host name of a domain/collection; `https://` is implied |
 * | `OPENSEARCH_AUTH` | indexer, setup | `none` | `none`, `basic` (self-managed clusters), `sigv4-es` (OpenSearch Service) or `sigv4-aoss` (Serverless) |
 * | `OPENSEARCH_USERNAME`, `OPENSEARCH_PASSWORD` | indexer, setup | | HTTP basic credentials, required when `OPENSEARCH_AUTH=basic` |
 * | `OPENSEARCH_CA_FILE` | indexer, setup | (the system's CAs) | PEM file of the CAs to trust instead, for a cluster with a private CA |
 * | `OPENSEARCH_ROLE_ARN` | setup | | sign SigV4 as this IAM role (sts:AssumeRole), e.g. the domain's master role |
 * | `OPENSEARCH_REGION` | indexer, setup | (the endpoint's Region, else `AWS_REGION`) | Region SigV4 signs for; only needed for a custom endpoint name in another Region than the function (`lib/core/endpoints.ts`) |
 * | `INDEXER_BACKEND_ROLES`, `READER_BACKEND_ROLES`, `ADMIN_BACKEND_ROLES` | setup | (mapping left alone) | comma-separated IAM role/user ARNs or SAML groups mapped to `<prefix>_indexer` / `_reader` / `_admin` (`lib/setup/security.ts`); set but empty = nobody |
 * | `ALERT_SNS_TOPIC_ARN`, `ALERT_SNS_ROLE_ARN` | setup | (channel left alone) | SNS topic for detection alerts and the IAM role OpenSearch assumes to publish to it (`lib/setup/alerts.ts`); topic set but empty = remove setup's SNS channel |
 * | `ALERT_SLACK_WEBHOOK_URL`, `ALERT_CHIME_WEBHOOK_URL`, `ALERT_WEBHOOK_URL` | setup | (channel left alone) | secret https webhook URLs for Slack, Chime, a custom webhook (never logged or echoed); set but empty = remove that channel |
 * | `ALERT_SLACK_WEBHOOK_FILE`, `ALERT_CHIME_WEBHOOK_FILE`, `ALERT_WEBHOOK_FILE` | setup | | the same URL read from a file instead (keeps it out of the environment and process list) |
 * | `ALERT_THROTTLE_MINUTES` | setup | (each detection's window) | minutes between two notifications of one active alert; 0 = every run |
 * | `INDEX_PREFIX` | indexer | `logs` | index names are `<prefix>-<dataset>-YYYY.MM.DD` |
 * | `SOURCE_MAPPINGS` | transform, s3ingest | `[]` | JSON `[{"pattern":"/app/payments*","source":"app"}]` |
 * | `SOURCE_OPTIONS` | transform, s3ingest | `{}` | JSON `{"vpcFormat":"${version} ${account-id} ...","cloudfrontFields":"timestamp c-ip sc-status ..."}` (CloudFront real-time log fields, in the order CloudFront emits them) |
 * | `AGGREGATOR_ACCOUNTS` | transform, s3ingest | (none) | comma-separated account ids whose logs may name other accounts (organization trail owner, log-archive/audit, Security Hub admin, central flow logs); anyone else's claims about another account are flagged `mismatch` |
 * | `INCLUDE_ORIGINAL` | transform, s3ingest | `false` | keep `event.original` on every document |
 * | `REDACTION_RULES` | transform, s3ingest | (the default rules) | JSON `{"defaults": true, "disable": ["cookie"], "rules": [{"name": "ssn", "pattern": "\\d{3}-\\d{2}-\\d{4}"}, {"name": "email", "fields": ["user.email"]}, {"name": "internal", "keys": ["x-internal-token"], "hash": true}]}` (`lib/core/redact.ts`; patterns are RE2) |
 * | `REDACT_EVENT_ORIGINAL` | transform, s3ingest | `false` | redact `event.original` too (failure documents included) |
 * | `ENRICHMENT` | transform, s3ingest | `true` | GeoIP/ASN and user-agent enrichment of every document (`lib/core/enrich/`) |
 * | `GEOIP_DATABASE` | transform, s3ingest | (the bundled country database) | path of your own GeoLite2/GeoIP2 City (or Country) MMDB: adds city and `geo.location` (`lib/io/enrich.ts`) |
 * | `BULK_MAX_BYTES` | indexer | 5242880 | upper bound of one `_bulk` body |
 * | `BULK_MAX_DOCS` | indexer | 2000 | upper bound of documents per `_bulk` request |
 * | `BULK_MAX_ATTEMPTS` | indexer | 5 | attempts per document on retryable errors before the message fails |
 * | `BULK_BACKOFF_MS` | indexer | 200 | first backoff (doubles per attempt, full jitter) |
 * | `OPENSEARCH_TIMEOUT_MS` | indexer | 30000 | per request |
 * | `INGEST_CHUNK_LINES` | s3ingest | 500 | lines normalized per chunk (bounds memory; small chunks also keep GC cheap, `DEFAULT_CHUNK`) |
 * | `CLOUDTRAIL_INTEGRITY` | s3ingest | `true` | verify CloudTrail digest files (`lib/integrity.ts`); `false` skips them |
 * | `CLOUDTRAIL_PUBLIC_KEYS_FILE` | s3ingest | (the `ListPublicKeys` API) | JSON key file for offline validation (`lib/io/cloudtrail.ts`) |
 * | `RESPONSE_MAX_BYTES` | transform | 5767168 (5.5 MiB) | budget of the Firehose response (hard limit 6 MB) |
 * | `MAX_DECOMPRESSED_BYTES` | transform, s3ingest | 8388608 (8 MiB) | bound of one decompressed Firehose record / CloudWatch Logs payload; larger → failure with the reason (`lib/core/limits.ts`) |
 * | `MAX_LINE_BYTES` | s3ingest, indexer | 8388608 (8 MiB) | longest line or CloudTrail record read from a stream; longer → one failure document (or dead letter) with its first bytes |
 * | `INDEX_QUEUE_URL` | replay | | the indexer's queue, where replay pages send archive objects |
 * | `AWS_REGION` | all | set by Lambda | the function's Region: of CWL deliveries, of STS, and SigV4's when the endpoint names none |
 *
 * Each function gets its own validated type (`TransformConfig`, `IngestConfig`, `IndexerConfig`,
 * `ReplayConfig`, `SetupConfig`): a field a function needs is never optional in its type.
 */
import { readFileSync } from 'node:fs';
import type { SourceMapping } from '../../parsers/detect';
import { SOURCE_IDS, type SourceId, type SourceOptions } from '../../parsers/types';
import { endpointSigning, signingRegion } from '../core/endpoints';
import { DEFAULT_INDEX_PREFIX } from '../core/indices';
import { DEFAULT_CHUNK, DEFAULT_LIMITS } from '../core/limits';
import { DEFAULT_BULK } from './bulk';
import type { Redactor } from '../core/redact';
import { redactionFromJson } from './redaction';
import type { EnrichmentConfig } from './enrich';

export type OpenSearchAuth = 'none' | 'basic' | 'sigv4-es' | 'sigv4-aoss';

/** Every `OPENSEARCH_AUTH` value, in the order messages and `--help` list them. */
export const OPENSEARCH_AUTHS: readonly OpenSearchAuth[] = ['none', 'basic', 'sigv4-es', 'sigv4-aoss'];

export interface OpenSearchConfig {
  /** Full node URL (from `OPENSEARCH_URL`, or `https://` + `OPENSEARCH_ENDPOINT`). */
  node: string;
  /** `basic`: the user name and password (never logged; `describeConfig` drops them). */
  username?: string;
  password?: string;
  /** PEM of the CAs to trust instead of the system's (a self-managed cluster's private CA). */
  ca?: string;
  /** SigV4 only: sign as this role, assumed with sts:AssumeRole (the setup function signs as the master role). */
  roleArn?: string;
  auth: OpenSearchAuth;
  /** SigV4: the Region signed for (`OPENSEARCH_REGION`, else the endpoint's, else `AWS_REGION`). */
  region?: string;
  /** With `roleArn`: the Region of the STS endpoint (the function's own) when it is not `region`. */
  stsRegion?: string;
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
  /** Accounts whose deliveries may speak for other accounts (`lib/core/attribution.ts`). */
  aggregatorAccounts: string[];
  /** Secret redaction of every document (`REDACTION_RULES`, `REDACT_EVENT_ORIGINAL`): the default rules unless configured. */
  redaction: Redactor;
  region?: string;
  /** GeoIP/ASN and user-agent enrichment (`ENRICHMENT`, `GEOIP_DATABASE`). */
  enrichment: EnrichmentConfig;
}

export interface TransformConfig extends NormalizeConfig {
  responseMaxBytes: number;
  /** `MAX_DECOMPRESSED_BYTES` (`lib/core/limits.ts`). */
  maxDecompressedBytes: number;
}

export interface IngestConfig extends NormalizeConfig {
  archiveBucket: string;
  ingestChunkLines: number;
  /** `MAX_DECOMPRESSED_BYTES` and `MAX_LINE_BYTES` (`lib/core/limits.ts`). */
  maxDecompressedBytes: number;
  maxLineBytes: number;
  /** Verify CloudTrail digest files (`CLOUDTRAIL_INTEGRITY`, default on). */
  cloudtrailIntegrity: boolean;
  /** Public keys from this file instead of the CloudTrail `ListPublicKeys` API. */
  cloudtrailPublicKeysFile?: string;
}

export interface IndexerConfig {
  archiveBucket: string;
  opensearch: OpenSearchConfig;
  indexPrefix: string;
  bulk: BulkConfig;
  /** `MAX_LINE_BYTES` (`lib/core/limits.ts`): a longer archive line is dead-lettered. */
  maxLineBytes: number;
  region?: string;
}

export interface ReplayConfig {
  /** The only bucket the replay function may read. */
  archiveBucket: string;
  /** Default queue of replay pages (an event may name another). */
  indexQueueUrl?: string;
  region: string;
}

/** Who is mapped to the security roles setup creates; a list left undefined leaves its mapping alone. */
export interface RoleMappingLists {
  indexer?: string[];
  readers?: string[];
  admins?: string[];
}

/**
 * The setup function (and `tributary setup`): where the cluster is and who to map to its roles.
 * @example loadConfig({ OPENSEARCH_ENDPOINT: 'search-logs.eu-west-1.es.amazonaws.com', OPENSEARCH_AUTH: 'sigv4-es', AWS_REGION: 'eu-west-1', INDEXER_BACKEND_ROLES: 'arn:aws:iam::111122223333:role/tributary-prod-indexer' }, 'setup')
 */
/**
 * Where detection alerts go, per channel: undefined leaves setup's channel as it is, null removes it,
 * a value creates or updates it. Webhook URLs are secrets: never logged (`describeConfig` drops them).
 */
export interface AlertDestinations {
  sns?: { topicArn: string; roleArn?: string } | null;
  slack?: string | null;
  chime?: string | null;
  webhook?: string | null;
}

export interface AlertConfig {
  destinations: AlertDestinations;
  /** Minutes between two notifications of one active alert; undefined = each detection's window; 0 = every run. */
  throttleMinutes?: number;
}

export interface SetupConfig {
  opensearch: OpenSearchConfig;
  indexPrefix: string;
  roleMappings: RoleMappingLists;
  alerts: AlertConfig;
}

/** The configuration type of each function. */
export interface ConfigByFunction {
  transform: TransformConfig;
  s3ingest: IngestConfig;
  indexer: IndexerConfig;
  replay: ReplayConfig;
  setup: SetupConfig;
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
  if (fn !== 'transform' && fn !== 'setup' && archiveBucket === undefined) problems.push('ARCHIVE_BUCKET is required');

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
    typeof v === 'object' &&
    v !== null &&
    !Array.isArray(v) &&
    ((v as SourceOptions).vpcFormat === undefined || typeof (v as SourceOptions).vpcFormat === 'string') &&
    ((v as SourceOptions).cloudfrontFields === undefined || typeof (v as SourceOptions).cloudfrontFields === 'string')
      ? undefined
      : 'must be a JSON object like {"vpcFormat": "${version} ${account-id} ...", "cloudfrontFields": "timestamp c-ip ..."}',
  );

  const indexPrefix = str('INDEX_PREFIX') ?? DEFAULT_INDEX_PREFIX;
  if (!/^[a-z0-9][a-z0-9._-]*$/.test(indexPrefix)) problems.push(`INDEX_PREFIX must be lowercase [a-z0-9._-] (got "${indexPrefix}")`);

  let opensearch: OpenSearchConfig | undefined;
  const url = str('OPENSEARCH_URL');
  const endpoint = str('OPENSEARCH_ENDPOINT');
  const authRaw = str('OPENSEARCH_AUTH') ?? 'none';
  if (!OPENSEARCH_AUTHS.includes(authRaw as OpenSearchAuth)) problems.push(`OPENSEARCH_AUTH must be ${OPENSEARCH_AUTHS.join(', ')} (got "${authRaw}")`);
  const auth = authRaw as OpenSearchAuth;
  const username = str('OPENSEARCH_USERNAME');
  // Not trimmed: a password is whatever its owner typed.
  const password = env.OPENSEARCH_PASSWORD || undefined;
  if (auth === 'basic' && (!username || !password)) problems.push('OPENSEARCH_USERNAME and OPENSEARCH_PASSWORD are required when OPENSEARCH_AUTH=basic');
  if (auth !== 'basic' && (username || password)) problems.push('OPENSEARCH_USERNAME / OPENSEARCH_PASSWORD are only used with OPENSEARCH_AUTH=basic');
  const caFile = str('OPENSEARCH_CA_FILE');
  let ca: string | undefined;
  if (caFile !== undefined) {
    try {
      ca = readFileSync(caFile, 'utf8');
      if (!ca.includes('-----BEGIN CERTIFICATE-----')) problems.push(`OPENSEARCH_CA_FILE ${caFile} holds no PEM certificate`);
    } catch (e) {
      problems.push(`OPENSEARCH_CA_FILE ${caFile} cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
  }
  const roleArn = str('OPENSEARCH_ROLE_ARN');
  if (roleArn !== undefined && !/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/.test(roleArn)) problems.push(`OPENSEARCH_ROLE_ARN is not an IAM role ARN (got "${roleArn}")`);
  if (roleArn !== undefined && auth !== 'sigv4-es' && auth !== 'sigv4-aoss') problems.push('OPENSEARCH_ROLE_ARN needs OPENSEARCH_AUTH=sigv4-es or sigv4-aoss');
  // Comma-separated principals (IAM ARNs or SAML group names, which may hold spaces); unset = undefined.
  const principals = (name: string): string[] | undefined => {
    const raw = env[name];
    if (raw === undefined) return undefined;
    const list = raw.split(',').map((p) => p.trim()).filter(Boolean);
    const bad = list.filter((p) => p.length > 512 || /[\u0000-\u001f"\\]/.test(p) || (p.startsWith('arn:') && !/^arn:aws[a-z-]*:iam::\d{12}:(role|user)\/[\w+=,.@/*-]+$/.test(p)));
    if (bad.length) problems.push(`${name}: not an IAM role/user ARN or group name: ${bad.map((b) => `"${b.slice(0, 80)}"`).join(', ')}`);
    return list;
  };
  const alerts = alertConfig(env, problems);
  const roleMappings: RoleMappingLists = {
    indexer: principals('INDEXER_BACKEND_ROLES'),
    readers: principals('READER_BACKEND_ROLES'),
    admins: principals('ADMIN_BACKEND_ROLES'),
  };
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
  } else if (fn === 'indexer' || fn === 'setup') problems.push('OPENSEARCH_URL or OPENSEARCH_ENDPOINT is required');
  // SigV4 signs for the domain's Region, which need not be the function's (several Regions, one domain).
  const osRegion = str('OPENSEARCH_REGION');
  if (osRegion !== undefined && !/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/.test(osRegion)) problems.push(`OPENSEARCH_REGION is not a Region name (got "${osRegion}")`);
  const sigv4 = auth === 'sigv4-es' || auth === 'sigv4-aoss';
  const signing = signingRegion({ explicit: osRegion, endpoint: node, fallback: region });
  if (sigv4 && node !== undefined) {
    if (signing.problem) problems.push(`OPENSEARCH_REGION: ${signing.problem}`);
    if (!signing.region) problems.push(`AWS_REGION (or OPENSEARCH_REGION) is required when OPENSEARCH_AUTH=${auth} and the endpoint names no Region`);
    const service = endpointSigning(node)?.service;
    if (service && service !== (auth === 'sigv4-aoss' ? 'aoss' : 'es'))
      problems.push(`OPENSEARCH_AUTH=${auth} does not fit the endpoint, an ${service === 'aoss' ? 'OpenSearch Serverless collection (sigv4-aoss)' : 'OpenSearch Service domain (sigv4-es)'}`);
  }
  const requestTimeoutMs = int('OPENSEARCH_TIMEOUT_MS', 30_000, 100, 900_000);
  if (node !== undefined) {
    opensearch = { node, auth, region: sigv4 ? signing.region : region, requestTimeoutMs };
    // Only the fields that are set: a config compares equal to the hand-written one it stands for.
    if (auth === 'basic') Object.assign(opensearch, { username, password });
    if (ca !== undefined) opensearch.ca = ca;
    if (roleArn !== undefined) opensearch.roleArn = roleArn;
    // AssumeRole goes to the function's own Region (its STS endpoint, VPC endpoint included).
    if (roleArn !== undefined && region !== undefined && region !== opensearch.region) opensearch.stsRegion = region;
  }

  const bulk: BulkConfig = {
    maxBytes: int('BULK_MAX_BYTES', DEFAULT_BULK.maxBytes, 1024, 100 * 1024 * 1024),
    maxDocs: int('BULK_MAX_DOCS', DEFAULT_BULK.maxDocs, 1, 100_000),
    maxAttempts: int('BULK_MAX_ATTEMPTS', DEFAULT_BULK.maxAttempts, 1, 20),
    backoffMs: int('BULK_BACKOFF_MS', DEFAULT_BULK.backoffMs, 0, 60_000),
  };
  const includeOriginal = bool('INCLUDE_ORIGINAL');
  const enrichment = enrichmentConfig(str('ENRICHMENT') === undefined ? true : bool('ENRICHMENT'), str('GEOIP_DATABASE'), problems);
  const aggregatorAccounts = (str('AGGREGATOR_ACCOUNTS') ?? '')
    .split(/[\s,]+/)
    .filter(Boolean);
  const badAccounts = aggregatorAccounts.filter((a) => !/^\d{12}$/.test(a));
  if (badAccounts.length) problems.push(`AGGREGATOR_ACCOUNTS must be 12-digit account ids separated by commas (got "${badAccounts.join(',')}")`);
  // Validated for every function (a bad rule fails the deployment's first invocation of any of them);
  // compiled once per cold start.
  const redactionResult = redactionFromJson(env.REDACTION_RULES, bool('REDACT_EVENT_ORIGINAL'), 'REDACTION_RULES');
  if (redactionResult.problems) problems.push(...redactionResult.problems);
  const redaction = redactionResult.redactor!;
  const ingestChunkLines = int('INGEST_CHUNK_LINES', DEFAULT_CHUNK.lines, 1, 1_000_000);
  // On unless switched off: a digest file is only worth anything when someone checks it.
  const cloudtrailIntegrity = str('CLOUDTRAIL_INTEGRITY') === undefined ? true : bool('CLOUDTRAIL_INTEGRITY');
  const cloudtrailPublicKeysFile = str('CLOUDTRAIL_PUBLIC_KEYS_FILE');
  const responseMaxBytes = int('RESPONSE_MAX_BYTES', 5.5 * 1024 * 1024, 1024, 6 * 1000 * 1000);
  // At most 256 MiB: half of V8's longest string, so a text within the bound can always be decoded.
  const maxDecompressedBytes = int('MAX_DECOMPRESSED_BYTES', DEFAULT_LIMITS.maxDecompressedBytes, 64 * 1024, 256 * 1024 * 1024);
  const maxLineBytes = int('MAX_LINE_BYTES', DEFAULT_LIMITS.maxLineBytes, 64 * 1024, 256 * 1024 * 1024);
  const indexQueueUrl = str('INDEX_QUEUE_URL');
  if (fn === 'replay' && !region) problems.push('AWS_REGION is required');
  if (problems.length) throw new ConfigError(problems);
  const configs: { [K in FunctionName]: () => ConfigByFunction[K] } = {
    transform: () => ({ sourceMappings, sourceOptions, includeOriginal, aggregatorAccounts, redaction, responseMaxBytes, maxDecompressedBytes, region, enrichment }),
    s3ingest: () => ({
      archiveBucket: archiveBucket!,
      sourceMappings,
      sourceOptions,
      includeOriginal,
      aggregatorAccounts,
      redaction,
      ingestChunkLines,
      maxDecompressedBytes,
      maxLineBytes,
      cloudtrailIntegrity,
      cloudtrailPublicKeysFile,
      region,
      enrichment,
    }),
    indexer: () => ({ archiveBucket: archiveBucket!, opensearch: opensearch!, indexPrefix, bulk, maxLineBytes, region }),
    replay: () => ({ archiveBucket: archiveBucket!, indexQueueUrl, region: region! }),
    setup: () => ({ opensearch: opensearch!, indexPrefix, roleMappings, alerts }),
  };
  return configs[fn]();
}

const SNS_TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/;
const IAM_ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/;

/**
 * The alert destinations of the setup function. A webhook comes from `<NAME>_URL` or from the file
 * named by `<NAME>_FILE` (one line: the URL), never both; problems name the variable, never the value.
 */
function alertConfig(env: Env, problems: string[]): AlertConfig {
  // undefined: not set; null: set but empty (remove); else the trimmed value.
  const given = (name: string): string | null | undefined => (env[name] === undefined ? undefined : env[name]!.trim() || null);
  const webhook = (name: string): string | null | undefined => {
    const direct = given(`${name}_URL`);
    const file = given(`${name}_FILE`);
    if (direct !== undefined && file !== undefined) {
      problems.push(`set only one of ${name}_URL and ${name}_FILE`);
      return undefined;
    }
    let url = direct;
    if (file) {
      try {
        url = readFileSync(file, 'utf8').trim();
      } catch (e) {
        problems.push(`${name}_FILE ${file} cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
        return undefined;
      }
      // An empty file is a mistake, not a request to remove the channel (that is <NAME>_URL='').
      if (!url) {
        problems.push(`${name}_FILE ${file} is empty`);
        return undefined;
      }
    }
    if (!url) return url; // undefined (leave alone) or null (remove)
    let ok: boolean;
    try {
      const u = new URL(url);
      ok = u.protocol === 'https:' && !!u.hostname;
    } catch {
      ok = false;
    }
    // Not echoed: the URL is the credential. https only: it travels over the internet with the message.
    if (!ok) problems.push(`${name}_${file ? 'FILE holds' : 'URL is'} not an https URL`);
    return url;
  };
  const topicArn = given('ALERT_SNS_TOPIC_ARN');
  const roleArn = given('ALERT_SNS_ROLE_ARN');
  if (topicArn && !SNS_TOPIC_ARN.test(topicArn)) problems.push(`ALERT_SNS_TOPIC_ARN is not an SNS topic ARN (got "${topicArn}")`);
  if (roleArn && !IAM_ROLE_ARN.test(roleArn)) problems.push(`ALERT_SNS_ROLE_ARN is not an IAM role ARN (got "${roleArn}")`);
  if (roleArn && !topicArn) problems.push('ALERT_SNS_ROLE_ARN needs ALERT_SNS_TOPIC_ARN');
  const destinations: AlertDestinations = {
    sns: topicArn === undefined ? undefined : topicArn === null ? null : { topicArn, ...(roleArn ? { roleArn } : {}) },
    slack: webhook('ALERT_SLACK_WEBHOOK'),
    chime: webhook('ALERT_CHIME_WEBHOOK'),
    webhook: webhook('ALERT_WEBHOOK'),
  };
  const rawThrottle = env.ALERT_THROTTLE_MINUTES?.trim();
  let throttleMinutes: number | undefined;
  if (rawThrottle) {
    throttleMinutes = Number(rawThrottle);
    // Alerting refuses throttles above plugins.alerting.action_throttle_max_value (24 h by default).
    if (!Number.isInteger(throttleMinutes) || throttleMinutes < 0 || throttleMinutes > 1440) {
      problems.push(`ALERT_THROTTLE_MINUTES must be a whole number of minutes between 0 and 1440 (got "${rawThrottle}")`);
      throttleMinutes = undefined;
    }
  }
  return { destinations, throttleMinutes };
}

/**
 * The enrichment settings, checked: an own GeoIP database must be a readable file (it is opened at
 * cold start; a wrong path should fail here with the other variables, not later).
 * @example enrichmentConfig(true, undefined, []) // { enabled: true }
 */
export function enrichmentConfig(enabled: boolean, geoipDatabase: string | undefined, problems: string[]): EnrichmentConfig {
  if (geoipDatabase === undefined) return { enabled };
  if (!enabled) problems.push('GEOIP_DATABASE is set but ENRICHMENT is off');
  else {
    try {
      const head = readFileSync(geoipDatabase).subarray(-128 * 1024);
      // Every MMDB ends with its metadata, introduced by this marker.
      if (!head.includes(Buffer.from('\xab\xcd\xefMaxMind.com', 'latin1'))) problems.push(`GEOIP_DATABASE ${geoipDatabase} is not a MaxMind DB (.mmdb) file`);
    } catch (e) {
      problems.push(`GEOIP_DATABASE ${geoipDatabase} cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
  }
  return { enabled, geoipDatabase };
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
  // Rule names only: a configured pattern may itself describe what a secret looks like.
  if ('redaction' in c) out.redaction = c.redaction.describe();
  // Queue URLs name the account; harmless, but keep only what identifies the queue.
  if ('indexQueueUrl' in c && c.indexQueueUrl) out.indexQueueUrl = c.indexQueueUrl.split('/').pop();
  // Webhook URLs are credentials (whoever has one can post to the channel): only whether each is set.
  if ('alerts' in c) {
    const d = c.alerts.destinations;
    const state = (v: unknown) => (v === undefined ? 'unchanged' : v === null ? 'remove' : 'set');
    out.alerts = { sns: d.sns ? d.sns.topicArn : state(d.sns), slack: state(d.slack), chime: state(d.chime), webhook: state(d.webhook), throttleMinutes: c.alerts.throttleMinutes };
  }
  return out;
}
