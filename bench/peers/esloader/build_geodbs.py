#!/usr/bin/env python3
"""Build GeoLite2-City.mmdb and GeoLite2-ASN.mmdb for es-loader from the data
Tributary enriches with, so that both sides of the peer benchmark do the same
lookups (bench/README.md, "Peers"; driver.py's GEOIP_DIR).

Usage: python build_geodbs.py [OUT_DIR]   (default <repo>/.cache/peers/geodb)
Run it with the peer venv (.cache/peers/esloader-venv: maxminddb, geoip2 and
mmdb-writer from requirements.txt) after `npm ci` in the repository.

- GeoLite2-City.mmdb: every network of
  @ip-location-db/geo-whois-asn-country-mmdb (records {country_code}) as a
  MaxMind City record
  {"country": {"iso_code": "DE", "names": {"en": "Germany"}}}. The data has no
  city and no location, so neither has the database. English names are
  Tributary's (lib/core/enrich/country-names.ts: CLDR's, pinned); a code it
  does not name gets no names.
- GeoLite2-ASN.mmdb: the ranges of @ip-location-db/asn's asn-ipv4-num.csv and
  asn-ipv6-num.csv, as CIDRs, with records {autonomous_system_number,
  autonomous_system_organization}. Rows are read as Tributary's table is built
  (lib/core/enrich/asn.ts): the organization of an AS is the first one seen
  for it, and an address belongs to the last range starting at or before it
  (ranges overlap once: 215.0.0.0/16, in AS749's and AS721's).
Both are IPv6 trees with IPv4 at ::/96 as MaxMind's (no ::ffff:0:0/96 or
2002::/16 aliases), database_type 'GeoLite2-City' / 'GeoLite2-ASN', so that
geoip2's Reader.city() / .asn() accept them. Building takes about a minute
(the writer is pure Python; 600 MB peak RSS); the result is then checked with
geoip2 against the source data on random addresses.
"""
import bisect
import csv
import json
import os
import random
import re
import sys
import time
from collections import defaultdict
from pathlib import Path

import geoip2.database
import geoip2.errors
import maxminddb
from mmdb_writer import MMDBWriter
from netaddr import IPAddress, IPSet, iprange_to_cidrs

ROOT = Path(__file__).resolve().parents[3]
MODULES = ROOT / 'node_modules' / '@ip-location-db'
COUNTRY_MMDB = (MODULES / 'geo-whois-asn-country-mmdb'
                / 'geo-whois-asn-country.mmdb')
ASN_CSV = {4: MODULES / 'asn' / 'asn-ipv4-num.csv',
           6: MODULES / 'asn' / 'asn-ipv6-num.csv'}
MAX = {4: (1 << 32) - 1, 6: (1 << 128) - 1}

# Tributary's table (lib/core/enrich/country-names.ts), read as the data it is.
NAMES_TS = ROOT / 'lib' / 'core' / 'enrich' / 'country-names.ts'


def package_version(name):
    with open(MODULES / name / 'package.json') as f:
        return json.load(f)['version']


def country_names(codes):
    text = NAMES_TS.read_text(encoding='utf-8')
    table = dict(re.findall(r"\b([A-Z]{2}): '([^'\\]*)'", text))
    assert len(table) > 250, 'country-names.ts not read'
    return {c: table[c] for c in codes if c in table}


def writer(database_type, description):
    # ip_version 6 + ipv4_compatible: IPv4 networks go to ::a.b.c.d/96+n.
    return MMDBWriter(ip_version=6, ipv4_compatible=True,
                      database_type=database_type, languages=['en'],
                      description={'en': description}, int_type='u32')


def build_city(path):
    by_code = defaultdict(list)
    with maxminddb.open_database(str(COUNTRY_MMDB)) as src:
        for network, record in src:   # skips the source's IPv4 aliases
            code = (record or {}).get('country_code')
            if isinstance(code, str) and len(code) == 2 and code.isupper():
                by_code[code].append(str(network))
    names = country_names(sorted(by_code))
    w = writer('GeoLite2-City', 'Built by Tributary bench/peers/esloader/'
               'build_geodbs.py from @ip-location-db/geo-whois-asn-country-'
               'mmdb %s (CC0; data NRO, CC BY 4.0)'
               % package_version('geo-whois-asn-country-mmdb'))
    networks = 0
    for code, nets in sorted(by_code.items()):
        country = {'iso_code': code}
        if code in names:
            country['names'] = {'en': names[code]}
        networks += len(nets)
        w.insert_network(IPSet(nets), {'country': country})
    w.to_db_file(str(path))
    return networks, len(by_code), len(names)


def read_asn_ranges():
    """{4|6: [(start, end, asn)]} sorted, overlaps clipped, and {asn: org}."""
    orgs, ranges = {}, {}
    for v, path in ASN_CSV.items():
        rows = []
        with open(path, newline='', encoding='utf-8') as f:
            for r in csv.reader(f):
                if len(r) < 4:
                    continue
                try:
                    s, e, asn = int(r[0]), int(r[1]), int(r[2])
                except ValueError:
                    continue
                if not (0 <= s <= e <= MAX[v] and 0 < asn <= 0xffffffff):
                    continue
                org = r[3].strip()
                if org and asn not in orgs:
                    orgs[asn] = org
                rows.append((s, e, asn))
        rows.sort(key=lambda x: x[0])
        # Tributary looks up the last range starting at or before the address:
        # a range ends where the next one starts.
        ranges[v] = [(s, min(e, rows[i + 1][0] - 1) if i + 1 < len(rows)
                      else e, asn) for i, (s, e, asn) in enumerate(rows)]
        ranges[v] = [r for r in ranges[v] if r[0] <= r[1]]
    return ranges, orgs


def build_asn(path, ranges, orgs):
    by_asn = defaultdict(list)
    networks = 0
    for v, rows in ranges.items():
        for s, e, asn in rows:
            cidrs = iprange_to_cidrs(IPAddress(s, v), IPAddress(e, v))
            networks += len(cidrs)
            by_asn[asn].extend(cidrs)
    w = writer('GeoLite2-ASN', 'Built by Tributary bench/peers/esloader/'
               'build_geodbs.py from @ip-location-db/asn %s (RouteViews, NRO, '
               'DB-IP: CC BY 4.0)' % package_version('asn'))
    for asn, cidrs in sorted(by_asn.items()):
        record = {'autonomous_system_number': asn}
        if asn in orgs:
            record['autonomous_system_organization'] = orgs[asn]
        w.insert_network(IPSet(cidrs), record)
    w.to_db_file(str(path))
    return networks, len(by_asn)


def verify(city_path, asn_path, ranges, samples=20000):
    """geoip2 on the built files vs the source data, on random addresses."""
    import ipaddress
    city = geoip2.database.Reader(str(city_path))
    asn_db = geoip2.database.Reader(str(asn_path))
    assert city.metadata().database_type == 'GeoLite2-City'
    assert asn_db.metadata().database_type == 'GeoLite2-ASN'
    g = city.city('8.8.8.8')
    a = asn_db.asn('8.8.8.8')
    print('8.8.8.8: %s %s / AS%s %s' % (
        g.country.iso_code, g.country.name, a.autonomous_system_number,
        a.autonomous_system_organization), file=sys.stderr)
    assert g.country.iso_code == 'US' and a.autonomous_system_number == 15169

    rng = random.Random(1)
    starts = {v: [r[0] for r in rows] for v, rows in ranges.items()}
    addrs = [ipaddress.IPv4Address(rng.getrandbits(32))
             for _ in range(samples)]
    for v, rows in ranges.items():   # bounds of random ranges, both families
        for s, e, _ in rng.sample(rows, samples // 4):
            addrs += [ipaddress.IPv6Address(x) if v == 6 else
                      ipaddress.IPv4Address(x) for x in (s, e, (s + e) // 2)]
    checked = mismatches = 0
    with maxminddb.open_database(str(COUNTRY_MMDB)) as src:
        for ip in addrs:
            want_cc = (src.get(ip) or {}).get('country_code')
            v = ip.version
            i = bisect.bisect_right(starts[v], int(ip)) - 1
            want_as = (ranges[v][i][2] if i >= 0 and int(ip) <= ranges[v][i][1]
                       else None)
            try:
                got_cc = city.city(ip).country.iso_code
            except geoip2.errors.AddressNotFoundError:
                got_cc = None
            try:
                got_as = asn_db.asn(ip).autonomous_system_number
            except geoip2.errors.AddressNotFoundError:
                got_as = None
            checked += 1
            if (got_cc, got_as) != (want_cc, want_as):
                mismatches += 1
                if mismatches <= 10:
                    print('MISMATCH %s: got %s/%s want %s/%s' % (
                        ip, got_cc, got_as, want_cc, want_as), file=sys.stderr)
    print('verified %d addresses against the source data: %d mismatches'
          % (checked, mismatches), file=sys.stderr)
    return mismatches == 0


def main():
    out = Path(sys.argv[1] if len(sys.argv) > 1
               else ROOT / '.cache' / 'peers' / 'geodb')
    out.mkdir(parents=True, exist_ok=True)
    city_path, asn_path = out / 'GeoLite2-City.mmdb', out / 'GeoLite2-ASN.mmdb'

    t = time.perf_counter()
    tmp = city_path.with_suffix('.mmdb.tmp')
    networks, countries, named = build_city(tmp)
    os.replace(tmp, city_path)
    print('%s: %d networks, %d countries (%d named), %d bytes, %.1f s' % (
        city_path, networks, countries, named, city_path.stat().st_size,
        time.perf_counter() - t), file=sys.stderr)

    t = time.perf_counter()
    ranges, orgs = read_asn_ranges()
    tmp = asn_path.with_suffix('.mmdb.tmp')
    networks, asns = build_asn(tmp, ranges, orgs)
    os.replace(tmp, asn_path)
    print('%s: %d networks (%d IPv4 + %d IPv6 ranges), %d ASes, %d bytes, '
          '%.1f s' % (asn_path, networks, len(ranges[4]), len(ranges[6]),
                      asns, asn_path.stat().st_size,
                      time.perf_counter() - t), file=sys.stderr)

    t = time.perf_counter()
    ok = verify(city_path, asn_path, ranges)
    print('verification: %.1f s' % (time.perf_counter() - t), file=sys.stderr)
    sys.exit(0 if ok else 1)


if __name__ == '__main__':
    main()
