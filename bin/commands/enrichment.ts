/**
 * `--no-enrich` and `--geoip-database <file>`: the enrichment step (`lib/core/enrich/`) as the
 * deployed functions run it (`ENRICHMENT`, `GEOIP_DATABASE`): on by default, with the bundled
 * country and ASN data, or the operator's own GeoLite2/GeoIP2 City database.
 */
import { InvalidArgumentError, Option } from 'commander';
import { enrichmentConfig } from '../../lib/io/config';
import { loadEnricher } from '../../lib/io/enrich';
import type { Enricher } from '../../lib/core/enrich';

export interface EnrichmentFlags {
  /** `--no-enrich` sets false; commander's default is true. Undefined (a programmatic caller) = off. */
  enrich?: boolean;
  geoipDatabase?: string;
}

const parseDatabase = (v: string): string => {
  const problems: string[] = [];
  enrichmentConfig(true, v, problems);
  if (problems.length) throw new InvalidArgumentError(problems.join('; '));
  return v;
};

/** The two options; `--geoip-database` defaults to `$GEOIP_DATABASE` like the functions. */
export function enrichmentOptions(scope = ''): Option[] {
  return [
    new Option('--no-enrich', `${scope}do not add GeoIP/ASN (source/destination/client .geo, .as) and parsed user agents (user_agent.name, .os, .device)`),
    new Option('--geoip-database <file>', `${scope}your own GeoLite2/GeoIP2 City or Country .mmdb instead of the bundled country database (adds city and geo.location)`)
      .env('GEOIP_DATABASE')
      .argParser(parseDatabase),
  ];
}

/**
 * The enricher the flags ask for, or undefined.
 * @example cliEnricher({ enrich: true })?.id // 'geo=@ip-location-db/geo-whois-asn-country-mmdb@2.3.2026061719;asn=2.3.2026061719;ua=1.0.41'
 */
export function cliEnricher(flags: EnrichmentFlags): Enricher | undefined {
  if (flags.enrich !== true) return undefined;
  return loadEnricher({ enabled: true, geoipDatabase: flags.geoipDatabase })?.enricher;
}
