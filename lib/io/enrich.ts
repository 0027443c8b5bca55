/**
 * Opens what the enrichment step (`lib/core/enrich/`) reads: the GeoIP database, the ASN table and
 * the browser user-agent parser, once per process.
 *
 * Bundled data (redistributable with an Apache-2.0 product; attribution in NOTICE and README):
 * - country: `@ip-location-db/geo-whois-asn-country-mmdb` (CC0 package; data from NRO, CC BY 4.0), an
 *   MMDB read with `mmdb-lib`;
 * - ASN: `@ip-location-db/asn` (RouteViews, NRO, DB-IP: CC BY 4.0), CSV turned into the compact
 *   table of `lib/core/enrich/asn.ts` by `npm run build` (`dist/enrich/asn-<version>.bin`); when that
 *   file is missing (a checkout that never built) it is built in memory from the CSV (about a second).
 * - user agents: `ua-parser-js` 1.x (MIT; 2.x is AGPL and must not be used).
 *
 * `GEOIP_DATABASE` (`--geoip-database`) names the operator's own GeoLite2/GeoIP2 City (or Country)
 * MMDB instead of the bundled country database: MaxMind's EULA forbids redistributing it, so it is
 * never bundled; with a City database documents also get `geo.city_name` and `geo.location`.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Response } from 'mmdb-lib';
import type UAParserType from 'ua-parser-js';
import { AsnTable, buildAsnTable, createEnricher, type BrowserParser, type Enricher, type GeoInfo, type GeoLookup } from '../core/enrich';

/** How documents are enriched (`ENRICHMENT`, `GEOIP_DATABASE`; CLI `--no-enrich`, `--geoip-database`). */
export interface EnrichmentConfig {
  /** Default true. */
  enabled: boolean;
  /** The operator's GeoLite2/GeoIP2 City or Country MMDB, used instead of the bundled country database. */
  geoipDatabase?: string;
}

export const COUNTRY_PACKAGE = '@ip-location-db/geo-whois-asn-country-mmdb';
export const COUNTRY_FILE = 'geo-whois-asn-country.mmdb';
export const ASN_PACKAGE = '@ip-location-db/asn';
const ASN_CSV = ['asn-ipv4-num.csv', 'asn-ipv6-num.csv'] as const;

/**
 * Folders that may hold `node_modules/` and `dist/`: the Lambda task root (the function's zip), the
 * repository (this file is `lib/io/enrich.ts`; the CLI bundle keeps source folders), the working directory.
 */
export function dataRoots(): string[] {
  const roots = [process.env.LAMBDA_TASK_ROOT, path.resolve(__dirname, '../..'), process.cwd()].filter((r): r is string => !!r);
  return [...new Set(roots)];
}

function find(roots: readonly string[], rel: string): string | undefined {
  for (const r of roots) {
    const p = path.join(r, rel);
    if (existsSync(p)) return p;
  }
  return undefined;
}

function packageVersion(roots: readonly string[], pkg: string): string {
  const p = find(roots, path.join('node_modules', pkg, 'package.json'));
  if (!p) return 'unknown';
  return String((JSON.parse(readFileSync(p, 'utf8')) as { version?: unknown }).version ?? 'unknown');
}

/** Repository-relative path of the built ASN table for an `@ip-location-db/asn` version. */
export function asnTablePath(version: string): string {
  return path.join('dist', 'enrich', `asn-${version.replace(/[^\w.-]/g, '_')}.bin`);
}

/** The ASN table bytes built from the installed package's CSV files. */
export function buildAsnTableFromPackage(roots: readonly string[] = dataRoots()): Uint8Array {
  const files = ASN_CSV.map((f) => find(roots, path.join('node_modules', ASN_PACKAGE, f)));
  if (files.some((f) => f === undefined)) throw new Error(`enrichment: ${ASN_PACKAGE} is not installed (npm ci)`);
  return buildAsnTable(readFileSync(files[0]!, 'utf8'), readFileSync(files[1]!, 'utf8'));
}

/**
 * `npm run build`: writes the ASN table next to the CLI bundle (`dist/enrich/`), where the functions'
 * packages and the CLI find it. Returns the path and size.
 * @example writeAsnTable('/work/main') // { file: '/work/main/dist/enrich/asn-2.3.2026061719.bin', bytes: 9876543 }
 */
export function writeAsnTable(root: string): { file: string; bytes: number } {
  const bytes = buildAsnTableFromPackage([root]);
  const file = path.join(root, asnTablePath(packageVersion([root], ASN_PACKAGE)));
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file + '.tmp', bytes);
  renameSync(file + '.tmp', file);
  return { file, bytes: bytes.length };
}

/** The ASN table: the built file of the installed package version, else built from its CSV now. */
export function loadAsnTable(roots: readonly string[] = dataRoots()): { table: AsnTable; version: string; built: boolean } {
  const version = packageVersion(roots, ASN_PACKAGE);
  const file = find(roots, asnTablePath(version));
  if (file) return { table: new AsnTable(readFileSync(file)), version, built: true };
  return { table: new AsnTable(buildAsnTableFromPackage(roots)), version, built: false };
}

interface MmdbRecord {
  country_code?: string;
  country?: { iso_code?: string };
  city?: { names?: Record<string, string> };
  location?: { latitude?: number; longitude?: number };
}

/** Decoded answers kept by data pointer (`openGeoDatabase`); cleared when full. */
const GEO_MEMO = 20_000;

/**
 * A geo lookup over MMDB bytes: the @ip-location-db country format (`country_code`) and MaxMind's
 * GeoIP2/GeoLite2 City and Country formats (`country.iso_code`, `city.names.en`, `location`).
 *
 * IPv4 addresses are walked here, from their number (`ParsedIp`), over the search tree the MMDB
 * format documents (https://maxmind.github.io/MaxMind-DB/: nodes of two `record_size`-bit records,
 * IPv4 under 96 zero bits of an IPv6 tree), and the answer is kept per data record: a country
 * database has a few hundred records for millions of addresses, so a record is decoded (by mmdb-lib,
 * public API) and converted once, not once per address. Why: mmdb-lib parses the address text again
 * (a split and four parseInts), walks the tree and decodes per lookup, 1.9 µs per new address in the
 * ALB pipeline. IPv6 addresses go through mmdb-lib.
 * @example openGeoDatabase(readFileSync('GeoLite2-City.mmdb')).lookup('81.2.69.142', publicIp('81.2.69.142')!) // { country_iso_code: 'GB', city_name: 'London', location: { lat: 51.5142, lon: -0.0931 } }
 */
export function openGeoDatabase(bytes: Buffer): { lookup: GeoLookup; databaseType: string; buildEpoch: Date } {
  // Decoded records by offset: without this cache every IPv6 lookup decodes its record again. Bounded: cleared when full.
  const records = new Map<string | number, unknown>();
  const cache = {
    get: (k: string | number) => records.get(k),
    set: (k: string | number, v: unknown) => {
      if (records.size >= 20_000) records.clear();
      records.set(k, v);
    },
  };
  // Loaded here, not at import: a command or function that never enriches (`tributary --help`) skips them.
  const { Reader } = require('mmdb-lib') as typeof import('mmdb-lib');
  const reader = new Reader<Response>(bytes, { cache });
  const convert = (r: MmdbRecord | null): Readonly<GeoInfo> | undefined => {
    if (!r) return undefined;
    const out: GeoInfo = {};
    const country = r.country?.iso_code ?? r.country_code;
    if (typeof country === 'string' && /^[A-Z]{2}$/.test(country)) out.country_iso_code = country;
    const city = r.city?.names?.en;
    if (typeof city === 'string' && city) out.city_name = city;
    const lat = r.location?.latitude;
    const lon = r.location?.longitude;
    if (typeof lat === 'number' && typeof lon === 'number' && Math.abs(lat) <= 90 && Math.abs(lon) <= 180) out.location = Object.freeze({ lat, lon });
    return Object.freeze(out);
  };
  const tree = mmdbTree(bytes, reader.metadata);
  const answers = new Map<number, Readonly<GeoInfo> | undefined>();
  const lookup: GeoLookup = (ip, parsed) => {
    if (parsed.v !== 4 || !tree) return convert(reader.get(ip) as MmdbRecord | null);
    const pointer = tree.v4(parsed.n);
    if (pointer < 0) return undefined;
    if (answers.has(pointer)) return answers.get(pointer);
    // Decoded by mmdb-lib from the dotted quad of the number (the text as logged may be `::ffff:…`).
    const n = parsed.n;
    const answer = convert(reader.get(`${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`) as MmdbRecord | null);
    if (answers.size >= GEO_MEMO) answers.clear();
    answers.set(pointer, answer);
    return answer;
  };
  return { lookup, databaseType: reader.metadata.databaseType, buildEpoch: reader.metadata.buildEpoch };
}

/**
 * The IPv4 search of an MMDB file's tree: `v4(n)` is the data pointer (a record value above the
 * node count) of address `n`, or -1 when the tree holds no data for it. Undefined for a record size
 * the format does not define (mmdb-lib then rejects the file anyway).
 * @example mmdbTree(bytes, new Reader(bytes).metadata)!.v4(0x08080808) // 1306688 (8.8.8.8's record in the bundled country database)
 */
export function mmdbTree(db: Buffer, meta: { nodeCount: number; recordSize: number; ipVersion: number }): { v4(n: number): number } | undefined {
  const { nodeCount, recordSize } = meta;
  const nodeBytes = recordSize / 4;
  let left: (node: number) => number;
  let right: (node: number) => number;
  if (recordSize === 24) {
    left = (node) => db.readUIntBE(node * 6, 3);
    right = (node) => db.readUIntBE(node * 6 + 3, 3);
  } else if (recordSize === 28) {
    // The middle byte holds the high nibbles: left's in its upper half, right's in its lower.
    left = (node) => ((db[node * 7 + 3] & 0xf0) * 0x100000 + db.readUIntBE(node * 7, 3));
    right = (node) => ((db[node * 7 + 3] & 0x0f) * 0x1000000 + db.readUIntBE(node * 7 + 4, 3));
  } else if (recordSize === 32) {
    left = (node) => db.readUInt32BE(node * 8);
    right = (node) => db.readUInt32BE(node * 8 + 4);
  } else return undefined;
  if (nodeCount * nodeBytes > db.length) return undefined;
  let start = 0;
  if (meta.ipVersion === 6) for (let i = 0; i < 96 && start < nodeCount; i++) start = left(start);
  return {
    v4(n) {
      let node = start;
      for (let bit = 31; bit >= 0 && node < nodeCount; bit--) node = (n >>> bit) & 1 ? right(node) : left(node);
      return node > nodeCount ? node : -1;
    },
  };
}

/**
 * ua-parser-js 1.x reduced to ECS: browser name and version, OS, and device vendor + model
 * (`Apple iPhone`). One parser object is reused (`setUA`), which is what the library intends.
 */
export function uaParserBrowser(): BrowserParser {
  const UAParser = require('ua-parser-js') as typeof UAParserType;
  const parser = new UAParser();
  return (ua) => {
    const r = parser.setUA(ua).getResult();
    const device = [r.device.vendor, r.device.model].filter(Boolean).join(' ');
    const osName = r.os.name;
    const osVersion = r.os.version;
    return {
      name: r.browser.name || undefined,
      version: r.browser.version || undefined,
      os: osName ? (osVersion ? { name: osName, version: osVersion, full: `${osName} ${osVersion}` } : { name: osName, full: osName }) : undefined,
      device: device ? { name: device } : undefined,
    };
  };
}

/** What `loadEnricher` opened, for the cold-start log line. */
export interface EnricherDescription {
  geo: string;
  asn: string;
  userAgents: string;
}

const cache = new Map<string, { enricher: Enricher; description: EnricherDescription }>();

/**
 * The enrichment step of a configuration, opened once per process (the same configuration returns
 * the same enricher, so its user-agent cache lives as long as the container). Undefined when
 * disabled. Throws when a database cannot be read: a deployment without its data is broken, and
 * saying so at cold start beats documents silently missing fields.
 * @example loadEnricher({ enabled: true })?.enricher.id // 'geo=@ip-location-db/geo-whois-asn-country-mmdb@2.3.2026061719;asn=…'
 */
export function loadEnricher(config: EnrichmentConfig, roots: readonly string[] = dataRoots()): { enricher: Enricher; description: EnricherDescription } | undefined {
  if (!config.enabled) return undefined;
  const key = `${config.geoipDatabase ?? ''}|${roots.join(':')}`;
  const hit = cache.get(key);
  if (hit) return hit;
  let geoFile: string;
  let geoName: string;
  if (config.geoipDatabase) {
    geoFile = config.geoipDatabase;
    geoName = `own:${path.basename(config.geoipDatabase)}`;
  } else {
    const f = find(roots, path.join('node_modules', COUNTRY_PACKAGE, COUNTRY_FILE));
    if (!f) throw new Error(`enrichment: ${COUNTRY_PACKAGE} is not installed (npm ci), or set ENRICHMENT=false`);
    geoFile = f;
    geoName = `${COUNTRY_PACKAGE}@${packageVersion(roots, COUNTRY_PACKAGE)}`;
  }
  let geo: ReturnType<typeof openGeoDatabase>;
  try {
    geo = openGeoDatabase(readFileSync(geoFile));
  } catch (e) {
    throw new Error(`enrichment: cannot read the GeoIP database ${geoFile} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { cause: e });
  }
  const asn = loadAsnTable(roots);
  const uaVersion = packageVersion(roots, 'ua-parser-js');
  const description: EnricherDescription = {
    geo: `${geoName} (${geo.databaseType}, built ${geo.buildEpoch.toISOString().slice(0, 10)})`,
    asn: `${ASN_PACKAGE}@${asn.version} (${asn.table.size.v4} IPv4 + ${asn.table.size.v6} IPv6 ranges${asn.built ? '' : ', built from CSV at start'})`,
    userAgents: `ua-parser-js@${uaVersion} + AWS tools`,
  };
  const enricher = createEnricher({
    id: `geo=${geoName};asn=${asn.version};ua=${uaVersion}`,
    ip: { geo: geo.lookup, asn: (ip) => asn.table.lookup(ip) },
    browser: uaParserBrowser(),
  });
  const out = { enricher, description };
  cache.set(key, out);
  return out;
}
