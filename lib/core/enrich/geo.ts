/**
 * GeoIP and ASN for the addresses of a document: `source`, `destination` and `client` (`<role>.ip`),
 * public addresses only (`./ip.ts`). The lookups are passed in (`lib/io/enrich.ts` opens the
 * databases): the bundled country database, or the operator's GeoLite2/GeoIP2 City database, which
 * also gives the city and `geo.location`; and the ASN table (`./asn.ts`).
 */
import { COUNTRY_NAMES } from './country-names';
import { publicIp, type ParsedIp } from './ip';
import type { AsInfo } from './asn';
import { Lru } from './lru';

/** ECS `<role>.geo` fields a lookup can give. */
export interface GeoInfo {
  country_iso_code?: string;
  city_name?: string;
  location?: { lat: number; lon: number };
}

/** Geo lookup of one public address (text as logged, and parsed). */
export type GeoLookup = (ip: string, parsed: ParsedIp) => GeoInfo | undefined;
/** ASN lookup of one public address. */
export type AsnLookup = (parsed: ParsedIp) => AsInfo | undefined;

export interface IpLookups {
  geo?: GeoLookup;
  asn?: AsnLookup;
}

/** The roles whose `ip` is enriched. */
export const ENRICHED_ROLES = ['source', 'destination', 'client'] as const;

/** The address fields of one role (`source`, `destination`, `client`). */
export interface Endpoint {
  ip?: string;
  geo?: GeoInfo & { country_name?: string };
  as?: { number?: number; organization?: { name?: string } };
}

/**
 * English name of an ISO 3166-1 alpha-2 code (`./country-names.ts`: CLDR's, pinned); undefined for a
 * code it does not name.
 * @example countryName('DE') // 'Germany'
 */
export function countryName(code: string): string | undefined {
  return Object.hasOwn(COUNTRY_NAMES, code) ? COUNTRY_NAMES[code] : undefined;
}

/** What the databases say about one address (shared by every document naming it: never mutated). */
export interface IpInfo {
  geo?: Readonly<GeoInfo & { country_name?: string }>;
  as?: Readonly<AsInfo>;
}

/** Default addresses kept by the resolver's cache. */
export const IP_CACHE_SIZE = 4096;

/**
 * Looks an address up in the databases, once per address while it stays in the cache (`./lru.ts`): addresses
 * repeat heavily (a client's requests, a flow's both directions, `source` and `client` of one line).
 * Undefined for anything that is not a public unicast address; a throwing lookup (a corrupt
 * database) counts as no answer.
 * @example ipResolver({ asn: () => ({ number: 15169, organization: 'Google LLC' }) }).resolve('8.8.8.8') // { as: { number: 15169, organization: 'Google LLC' } }
 */
export function ipResolver(lookups: IpLookups, cacheSize = IP_CACHE_SIZE): { resolve(ip: string): IpInfo | undefined; cache: Lru<string, IpInfo | null> } {
  const cache = new Lru<string, IpInfo | null>(cacheSize);
  // A database answers many addresses with one record (`openGeoDatabase` returns the same object for
  // them): its `geo` (country name added) is built once per answer, not once per address.
  const built = new WeakMap<GeoInfo, Readonly<GeoInfo & { country_name?: string }> | null>();
  const geoOf = (g: GeoInfo): Readonly<GeoInfo & { country_name?: string }> | null => {
    let geo = built.get(g);
    if (geo !== undefined) return geo;
    geo = null;
    if (g.country_iso_code || g.city_name || g.location) {
      const out: GeoInfo & { country_name?: string } = {};
      if (g.country_iso_code) {
        out.country_iso_code = g.country_iso_code;
        const name = countryName(g.country_iso_code);
        if (name) out.country_name = name;
      }
      if (g.city_name) out.city_name = g.city_name;
      if (g.location) out.location = { lat: g.location.lat, lon: g.location.lon };
      geo = out;
    }
    built.set(g, geo);
    return geo;
  };
  const lookup = (ip: string): IpInfo | null => {
    const parsed = publicIp(ip);
    if (!parsed) return null;
    const info: IpInfo = {};
    let g: GeoInfo | undefined;
    try {
      g = lookups.geo?.(ip, parsed);
    } catch {
      g = undefined;
    }
    const geo = g && typeof g === 'object' ? geoOf(g) : null;
    if (geo) info.geo = geo;
    try {
      const a = lookups.asn?.(parsed);
      if (a) info.as = a;
    } catch {
      // no answer
    }
    return info.geo || info.as ? info : null;
  };
  return { cache, resolve: (ip) => (ip.length > 45 ? undefined : (cache.get(ip, lookup) ?? undefined)) };
}

/**
 * Fills `<role>.geo` and `<role>.as` of one endpoint in place from the resolver's answer (copied:
 * answers are shared). A country the source logged (AWS WAF) is evidence of what the source saw: the
 * `geo` object is then left as logged (only its country name is added); the AS is added either way.
 * @example const s = { ip: '8.8.8.8' }; enrichEndpoint(s, () => ({ as: { number: 15169, organization: 'Google LLC' } })); s.as // { number: 15169, organization: { name: 'Google LLC' } }
 */
export function enrichEndpoint(endpoint: Endpoint, resolve: (ip: string) => IpInfo | undefined): boolean {
  const ip = endpoint.ip;
  if (typeof ip !== 'string') return false;
  let changed = false;
  const logged = endpoint.geo?.country_iso_code;
  if (logged !== undefined && endpoint.geo!.country_name === undefined) {
    const name = countryName(logged);
    if (name) {
      endpoint.geo!.country_name = name;
      changed = true;
    }
  }
  const info = resolve(ip);
  if (!info) return changed;
  const g = info.geo;
  if (g && logged === undefined) {
    // Field by field, no spread: this runs for most documents, and copies (answers are shared).
    const geo = endpoint.geo ?? (endpoint.geo = {});
    if (g.country_iso_code !== undefined) geo.country_iso_code = g.country_iso_code;
    if (g.country_name !== undefined) geo.country_name = g.country_name;
    if (g.city_name !== undefined) geo.city_name = g.city_name;
    if (g.location !== undefined) geo.location = { lat: g.location.lat, lon: g.location.lon };
    changed = true;
  }
  if (info.as && endpoint.as === undefined) {
    endpoint.as = info.as.organization ? { number: info.as.number, organization: { name: info.as.organization } } : { number: info.as.number };
    changed = true;
  }
  return changed;
}
