/**
 * Enrichment of finished documents: "from where" (GeoIP country, city and location, autonomous
 * system of public `source`/`destination`/`client` addresses) and "with what" (the user agent read
 * into name, version, operating system and device). Pure: the databases and the browser parser are
 * opened by `lib/io/enrich.ts` and passed in; `normalize()` (`lib/core/pipeline.ts`) calls `enrich`
 * on every document it finishes (never on failure documents: they hold what could not be read).
 *
 * Where it runs, and why: in the transformer and S3 ingest, on by default, not in an OpenSearch
 * ingest pipeline. Measured by `npm run bench` (`transformer <source> +enrichment` rows, paired with `transformer`
 * on the same data, one pinned core, 2026-12-06 22:32 UTC, bench/RESULTS.md): the transformer takes
 * 1.13x its time on CloudFront, 1.20x on CloudTrail, 1.28x on VPC flows and 1.29x on ALB (random
 * public addresses: nearly every lookup a miss, the worst case); in Lambda cost per GB of raw log text at
 * 1,024 MB that is $0.0006 → $0.0007 (CloudTrail), $0.0010 → $0.0013 (ALB), $0.0027 → $0.0034 (VPC):
 * below a cent per GB, and about 13 ms to open the databases once per container. The step itself costs
 * 0.9 µs (CloudTrail) to 2.3 µs (ALB: two endpoints and a browser user agent) per document, every
 * address new, timed inside the pipeline; the rest of the difference is the larger documents (300-400
 * bytes more each) being serialized, redacted and collected.
 *
 * For that price the archive holds the same enriched documents the index holds (Athena/DuckDB
 * queries and replays see `source.geo.*` and `user_agent.name` too) and the cluster, whose capacity
 * is dearer than Lambda's, does no per-document work. An ingest pipeline's `geoip` processor would also need the database on the
 * cluster (Amazon OpenSearch Service takes no custom one) and has no reader for AWS tool user agents.
 *
 * What a document keeps: a value the source logged (AWS WAF's country) is never overwritten; an
 * address that is not public unicast gets nothing; user agents longer than the bound are not read.
 */
import { ENRICHED_ROLES, enrichEndpoint, ipResolver, type Endpoint, type IpLookups } from './geo';
import { userAgentReader, type BrowserParser, type UserAgentInfo } from './user-agent';

export { publicIp, type ParsedIp } from './ip';
export { AsnTable, buildAsnTable, type AsInfo } from './asn';
export { countryName, enrichEndpoint, ipResolver, IP_CACHE_SIZE, type GeoInfo, type GeoLookup, type AsnLookup, type IpInfo, type IpLookups } from './geo';
export { Lru } from './lru';
export { awsUserAgent, productToken, userAgentReader, UA_CACHE_SIZE, UA_MAX_LENGTH, type BrowserParser, type UserAgentInfo, type UserAgentReader } from './user-agent';

/** What the enricher is built from; a part left out is not done. */
export interface EnricherParts {
  /** What the parts are (databases and versions): part of S3 ingest's checkpoint fingerprint. */
  id?: string;
  ip?: IpLookups;
  /** The browser user-agent parser; AWS tools are read even without one. */
  browser?: BrowserParser;
  /** Read user agents at all (default true). */
  userAgents?: boolean;
  userAgentMaxLength?: number;
  userAgentCacheSize?: number;
  /** Addresses kept in the lookup cache (default `IP_CACHE_SIZE`). */
  ipCacheSize?: number;
}

export interface EnrichmentStats {
  documents: number;
  enriched: number;
  userAgent: { hits: number; misses: number; skipped: number };
  /** Address lookups answered by the cache, and done. */
  ip: { hits: number; misses: number };
}

/**
 * The fields of a document the step reads and writes (`TributaryDocument` is one; declared here
 * because lib/core/enrich/ sits one folder below the schema's reach of the import rules).
 */
export interface EnrichableDocument {
  source?: Endpoint;
  destination?: Endpoint;
  client?: Endpoint;
  user_agent?: { original?: string } & UserAgentInfo;
}

/** One enrichment step, built once per process (its cache lives as long as it). */
export interface Enricher {
  /** What it is built from (`EnricherParts.id`). */
  readonly id: string;
  /** Adds the enrichment fields to one finished document, in place. */
  enrich(doc: EnrichableDocument): void;
  readonly stats: EnrichmentStats;
}

function applyUserAgent(doc: EnrichableDocument, info: Readonly<UserAgentInfo>): boolean {
  const ua = doc.user_agent!;
  let changed = false;
  if (info.name && ua.name === undefined) {
    ua.name = info.name;
    changed = true;
  }
  if (info.version && ua.version === undefined) {
    ua.version = info.version;
    changed = true;
  }
  if (info.os?.name && ua.os === undefined) {
    ua.os = { ...info.os };
    changed = true;
  }
  if (info.device?.name && ua.device === undefined) {
    ua.device = { name: info.device.name };
    changed = true;
  }
  return changed;
}

/**
 * The enrichment step from its parts.
 * @example
 * const enricher = createEnricher({ ip: { asn: () => ({ number: 15169, organization: 'Google LLC' }) } });
 * const doc = { '@timestamp': '2026-03-01T00:00:00.000Z', event: {}, source: { ip: '8.8.8.8' }, user_agent: { original: 'aws-cli/2.15.0 Python/3.11.6 Linux/5.15.0' } };
 * enricher.enrich(doc); // doc.source.as.number === 15169, doc.user_agent.name === 'aws-cli'
 */
export function createEnricher(parts: EnricherParts): Enricher {
  const ip = parts.ip && (parts.ip.geo || parts.ip.asn) ? ipResolver(parts.ip, parts.ipCacheSize) : undefined;
  const reader = parts.userAgents === false ? undefined : userAgentReader(parts.browser, { maxLength: parts.userAgentMaxLength, cacheSize: parts.userAgentCacheSize });
  const counts = { documents: 0, enriched: 0 };
  const stats: EnrichmentStats = {
    get documents() {
      return counts.documents;
    },
    get enriched() {
      return counts.enriched;
    },
    get userAgent() {
      return { ...(reader?.stats ?? { hits: 0, misses: 0, skipped: 0 }) };
    },
    get ip() {
      return { hits: ip?.cache.hits ?? 0, misses: ip?.cache.misses ?? 0 };
    },
  };
  return {
    id: parts.id ?? 'enrichment',
    stats,
    enrich(doc) {
      counts.documents++;
      let changed = false;
      if (ip) {
        for (const role of ENRICHED_ROLES) {
          const endpoint = doc[role];
          if (endpoint && typeof endpoint === 'object' && enrichEndpoint(endpoint, ip.resolve)) changed = true;
        }
      }
      const original = doc.user_agent?.original;
      if (reader && typeof original === 'string') {
        const info = reader.read(original);
        if (info && applyUserAgent(doc, info)) changed = true;
      }
      if (changed) counts.enriched++;
    },
  };
}
