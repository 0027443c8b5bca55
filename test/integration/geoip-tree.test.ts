/**
 * The IPv4 search of an operator's own GeoIP database (`GEOIP_DATABASE`, lib/io/enrich.ts
 * `openGeoDatabase`) in the three record sizes of the MMDB format (24, 28 and 32 bits: MaxMind's City
 * files use 28; the bundled country database, tested in test/unit/enrich.test.ts, uses 24). The
 * databases are in the GeoLite2 City layout, written for the test by an independent writer
 * (test/helpers/write-city-mmdb.py, mmdb-writer from the test venv), and every answer is checked
 * against mmdb-lib's own lookup of the same address.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { publicIp } from '../../lib/core/enrich';
import { runs } from '../helpers/fuzz';
import { mmdbTree, openGeoDatabase } from '../../lib/io/enrich';

const dir = mkdtempSync(join(tmpdir(), 'tributary-tree-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface CityRecord {
  country?: { iso_code?: string };
  city?: { names?: { en?: string } };
  location?: { latitude?: number; longitude?: number };
}

/** What the lookup must answer for mmdb-lib's record. */
const expected = (r: CityRecord | null) =>
  r && {
    country_iso_code: r.country!.iso_code,
    city_name: r.city!.names!.en,
    location: { lat: r.location!.latitude, lon: r.location!.longitude },
  };

const dotted = (n: number) => `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;

test.each([24, 28, 32])('record size %d: every IPv4 answer is mmdb-lib’s', (recordSize) => {
  const venv = process.env.TRIBUTARY_VENV_BIN;
  if (!venv) throw new Error('TRIBUTARY_VENV_BIN is not set: start the services with scripts/services.sh (it builds the test venv)');
  const file = join(dir, `city-${recordSize}.mmdb`);
  execFileSync(join(venv, 'python'), [join(__dirname, '..', 'helpers', 'write-city-mmdb.py'), file, String(recordSize)]);
  const bytes = readFileSync(file);
  const { Reader } = require('mmdb-lib') as typeof import('mmdb-lib');
  const reference = new Reader<import('mmdb-lib').CityResponse>(bytes);
  expect(reference.metadata.recordSize).toBe(recordSize);
  const db = openGeoDatabase(bytes);
  const tree = mmdbTree(bytes, reference.metadata)!;
  const check = (n: number) => {
    const ip = dotted(n);
    const want = expected(reference.get(ip) as CityRecord | null);
    expect(tree.v4(n) >= 0).toBe(want !== null);
    expect(db.lookup(ip, { v: 4, n }) ?? null).toEqual(want);
  };
  // The edges of every network of the database and their neighbours, then random addresses.
  const edges = ['81.2.69.0', '193.99.144.0', '8.8.8.0', '8.8.4.0', '1.1.1.0', '1.0.0.0', '255.255.255.0'].flatMap((base) => {
    const n = base.split('.').reduce((a, b) => a * 256 + Number(b), 0);
    return [n - 1, n, n + 1, n + 255, n + 256].filter((x) => x <= 0xffffffff);
  });
  for (const n of [...edges, 0x80000000 - 1, 0x80000000, 0x807fffff, 0x80800000, 0, 0xffffffff]) check(n);
  fc.assert(fc.property(fc.integer({ min: 0, max: 0xffffffff }), (n) => check(n)), { numRuns: runs(5_000) });
  // Known answers, so that an agreement on nothing cannot pass.
  expect(db.lookup('8.8.4.4', publicIp('8.8.4.4')!)).toEqual({ country_iso_code: 'US', city_name: 'Ashburn', location: { lat: 39.0437, lon: -77.4875 } });
  expect(db.lookup('128.100.1.1', publicIp('128.100.1.1')!)).toMatchObject({ country_iso_code: 'FR', city_name: 'Paris' });
  expect(db.lookup('8.8.5.1', publicIp('8.8.5.1')!)).toBeUndefined();
});
