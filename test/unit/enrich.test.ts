/**
 * GeoIP/ASN and user-agent enrichment (lib/core/enrich/, lib/io/enrich.ts) with the real data of
 * the installed packages (@ip-location-db/geo-whois-asn-country-mmdb and @ip-location-db/asn, pinned
 * to one version in package.json, so the answers below are stable) and the real ua-parser-js 1.x.
 * Public addresses of well-known resolvers: their country and AS do not move.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { runs } from '../helpers/fuzz';
import { AsnTable, awsUserAgent, buildAsnTable, countryName, createEnricher, Lru, publicIp, userAgentReader, type Enricher } from '../../lib/core/enrich';
import { normalize } from '../../lib/core/pipeline';
import { runNormalize } from '../../bin/commands/normalize';
import { ConfigError, loadConfig } from '../../lib/io/config';
import { COUNTRY_FILE, COUNTRY_PACKAGE, dataRoots, loadAsnTable, loadEnricher, mmdbTree, openGeoDatabase, uaParserBrowser } from '../../lib/io/enrich';
import type { TributaryDocument } from '../../schemas/generated/document';

const ROOT = path.resolve(__dirname, '../..');
let enricher: Enricher;

beforeAll(() => {
  enricher = loadEnricher({ enabled: true }, [ROOT])!.enricher;
});

const doc = (fields: Partial<TributaryDocument>): TributaryDocument => ({ '@timestamp': '2026-03-01T10:00:00.000Z', event: { kind: 'event' }, ...fields });

describe('publicIp', () => {
  test.each(['8.8.8.8', '1.1.1.1', '9.9.9.9', '2606:4700:4700::1111', '::ffff:8.8.8.8', '2a00:1450:4001:80b::200e'])('%s is public', (ip) => {
    expect(publicIp(ip)).toBeDefined();
  });
  test.each([
    '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '127.0.0.1', '169.254.169.254', '100.64.0.1', '0.0.0.0',
    '192.0.2.10', '198.51.100.7', '203.0.113.9', '198.18.0.1', '224.0.0.251', '255.255.255.255', '240.0.0.1',
    '::1', '::', 'fe80::1', 'fd00::1', 'ff02::1', '2001:db8::1', '2001::1', '2002:c000:204::1', '3fff::1', '::ffff:10.0.0.1', '64:ff9b::808:808', 'fe80::1%eth0',
  ])('%s is skipped (private or reserved)', (ip) => {
    expect(publicIp(ip)).toBeUndefined();
  });
  test.each(['999.10.10.10', '1.2.3', 'not-an-ip', '', '8.8.8.8 ', '::g', 'x'.repeat(1000)])('%j is not an address', (ip) => {
    expect(publicIp(ip)).toBeUndefined();
  });
  test('the numeric forms', () => {
    expect(publicIp('8.8.8.8')).toEqual({ v: 4, n: 0x08080808 });
    expect(publicIp('::ffff:1.1.1.1')).toEqual({ v: 4, n: 0x01010101 });
    expect(publicIp('2606:4700:4700::1111')).toEqual({ v: 6, hi: 0x2606470047000000n, lo: 0x1111n });
    expect(publicIp('2606:4700:4700:0:0:0:0:1111')).toEqual(publicIp('2606:4700:4700::1111'));
  });
  test('IPv4 numbers equal the arithmetic of the four parts, up to 255.x and across the reserved blocks', () => {
    let seed = 7;
    const byte = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 16) % 256;
    for (let i = 0; i < 5000; i++) {
      const p = [byte(), byte(), byte(), byte()];
      if (i === 0) p.splice(0, 4, 223, 255, 255, 254);
      const ip = p.join('.');
      const r = publicIp(ip);
      if (r) expect(r).toEqual({ v: 4, n: p[0] * 2 ** 24 + p[1] * 2 ** 16 + p[2] * 2 ** 8 + p[3] });
    }
    expect(publicIp('223.255.255.254')).toEqual({ v: 4, n: 0xdffffffe });
  });
});

describe('ASN table', () => {
  test('built from CSV: ranges, merged neighbours, quoted organizations, IPv6, misses', () => {
    const v4 = ['16777216,16777471,13335,"Cloudflare, Inc."', '134744064,134744191,15169,Google LLC', '134744192,134744319,15169,Google LLC', 'garbage', '5,4,1,backwards'].join('\n');
    const v6 = `${0x2606470000000000n << 64n},${(0x2606470000000000n << 64n) + (1n << 96n) - 1n},13335,"Cloudflare, Inc."\n`;
    const table = new AsnTable(buildAsnTable(v4, v6));
    expect(table.size).toEqual({ v4: 2, v6: 1, organizations: 2 });
    expect(table.lookup(publicIp('8.8.8.8')!)).toEqual({ number: 15169, organization: 'Google LLC' });
    expect(table.lookup(publicIp('8.8.8.255')!)).toEqual({ number: 15169, organization: 'Google LLC' });
    expect(table.lookup(publicIp('8.8.9.0')!)).toBeUndefined();
    expect(table.lookup(publicIp('1.0.0.1')!)).toEqual({ number: 13335, organization: 'Cloudflare, Inc.' });
    expect(table.lookup(publicIp('2606:4700:4700::1111')!)).toEqual({ number: 13335, organization: 'Cloudflare, Inc.' });
    expect(table.lookup(publicIp('2606:4800::1')!)).toBeUndefined();
  });
  test('IPv4 lookups through the /16 index agree with a scan of the ranges (ranges across blocks, gaps, the ends of the space)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 0x3ffff }), fc.integer({ min: 1, max: 6 })), { minLength: 1, maxLength: 40 }),
        fc.array(fc.integer({ min: 0, max: 0xffffffff }), { minLength: 1, maxLength: 50 }),
        (spans, probes) => {
          // Disjoint ranges: each starts after the previous one ends.
          const ranges: Array<[number, number, number]> = [];
          let at = 0;
          for (const [gap, len, asn] of spans.sort((a, b) => a[0] - b[0])) {
            const s = Math.max(at, gap);
            if (s > 0xffffffff) break;
            const e = Math.min(0xffffffff, s + len);
            ranges.push([s, e, asn]);
            at = e + 1;
          }
          const table = new AsnTable(buildAsnTable(ranges.map(([s, e, a]) => `${s},${e},${a},AS ${a}`).join('\n'), ''));
          for (const n of [...probes, ...ranges.flatMap(([s, e]) => [s, e, s - 1, e + 1])].filter((x) => x >= 0 && x <= 0xffffffff)) {
            const hit = ranges.find(([s, e]) => s <= n && n <= e);
            expect(table.lookup({ v: 4, n })).toEqual(hit ? { number: hit[2], organization: `AS ${hit[2]}` } : undefined);
          }
        },
      ),
      { numRuns: runs(300) },
    );
  });
  test('bytes at any offset of a larger buffer (read in place when aligned, copied when not) give the same answers', () => {
    const table = buildAsnTable('16777216,16777471,13335,"Cloudflare, Inc."\n134744064,134744319,15169,Google LLC\n', `${0x2606470000000000n << 64n},${(0x2606470000000000n << 64n) + (1n << 96n) - 1n},13335,"Cloudflare, Inc."\n`);
    for (const offset of [0, 1, 3, 8, 16]) {
      const big = new Uint8Array(table.length + 32);
      big.set(table, offset);
      const t = new AsnTable(big.subarray(offset, offset + table.length));
      expect(t.lookup(publicIp('8.8.8.8')!)).toEqual({ number: 15169, organization: 'Google LLC' });
      expect(t.lookup(publicIp('1.0.0.9')!)).toEqual({ number: 13335, organization: 'Cloudflare, Inc.' });
      expect(t.lookup(publicIp('2606:4700::1')!)).toEqual({ number: 13335, organization: 'Cloudflare, Inc.' });
      expect(t.lookup(publicIp('9.9.9.9')!)).toBeUndefined();
    }
  });
  test('one frozen answer per AS, shared by its addresses', () => {
    const table = new AsnTable(buildAsnTable('134744064,134744191,15169,Google LLC\n134744320,134744575,15169,Google LLC\n', ''));
    const a = table.lookup(publicIp('8.8.8.8')!);
    expect(a).toBe(table.lookup(publicIp('8.8.9.1')!));
    expect(Object.isFrozen(a)).toBe(true);
  });
  test('refuses bytes that are not a table', () => {
    expect(() => new AsnTable(new Uint8Array(64))).toThrow(/not a Tributary ASN table/);
    const ok = buildAsnTable('134744064,134744319,15169,Google LLC\n', '');
    expect(() => new AsnTable(ok.subarray(0, ok.length - 1))).toThrow(/size does not match/);
  });
  test('the table of the installed package (built file or CSV) gives the same answers', () => {
    const { table, version } = loadAsnTable([ROOT]);
    expect(version).toBe(JSON.parse(readFileSync(path.join(ROOT, 'node_modules/@ip-location-db/asn/package.json'), 'utf8')).version);
    expect(table.size.v4).toBeGreaterThan(300_000);
    expect(table.size.v6).toBeGreaterThan(50_000);
    expect(table.lookup(publicIp('8.8.8.8')!)).toEqual({ number: 15169, organization: 'Google LLC' });
  });
});

describe('GeoIP and ASN of documents (real databases)', () => {
  test.each([
    ['8.8.8.8', 'US', 'United States', 15169, 'Google LLC'],
    ['1.1.1.1', 'AU', 'Australia', 13335, 'Cloudflare, Inc.'],
    ['9.9.9.9', 'US', 'United States', 19281, 'Quad9'],
    ['81.2.69.142', 'GB', 'United Kingdom', 20712, 'Andrews & Arnold Ltd'],
    ['2606:4700:4700::1111', 'US', 'United States', 13335, 'Cloudflare, Inc.'],
    ['2a00:1450:4001:80b::200e', 'IE', 'Ireland', 15169, 'Google LLC'],
  ])('%s → %s, AS%d', (ip, iso, name, asn, org) => {
    const d = doc({ source: { ip } });
    enricher.enrich(d);
    expect(d.source).toEqual({ ip, geo: { country_iso_code: iso, country_name: name }, as: { number: asn, organization: { name: org } } });
  });

  test('destination and client are enriched too; private and documentation addresses are not', () => {
    const d = doc({ source: { ip: '10.0.1.17' }, destination: { ip: '9.9.9.9' }, client: { ip: '203.0.113.9' } });
    enricher.enrich(d);
    expect(d.source).toEqual({ ip: '10.0.1.17' });
    expect(d.client).toEqual({ ip: '203.0.113.9' });
    expect(d.destination?.as?.number).toBe(19281);
  });

  test('invalid addresses are left alone (no throw, nothing added)', () => {
    for (const ip of ['999.10.10.10', 'ec2.amazonaws.com', '', '8.8.8.8:443']) {
      const d = doc({ source: { ip, address: ip } });
      expect(() => enricher.enrich(d)).not.toThrow();
      expect(d.source).toEqual({ ip, address: ip });
    }
    const d = doc({ source: { address: 'lambda.amazonaws.com' } });
    enricher.enrich(d);
    expect(d.source).toEqual({ address: 'lambda.amazonaws.com' });
  });

  test('a country the source logged (AWS WAF) is kept; its name and the AS are added', () => {
    const d = doc({ source: { ip: '8.8.8.8', geo: { country_iso_code: 'DE' } } });
    enricher.enrich(d);
    expect(d.source).toEqual({ ip: '8.8.8.8', geo: { country_iso_code: 'DE', country_name: 'Germany' }, as: { number: 15169, organization: { name: 'Google LLC' } } });
  });

  test('a throwing lookup adds nothing and does not fail the document', () => {
    const broken = createEnricher({ ip: { geo: () => { throw new Error('corrupt'); }, asn: () => { throw new Error('corrupt'); } }, userAgents: false });
    const d = doc({ source: { ip: '8.8.8.8' } });
    broken.enrich(d);
    expect(d.source).toEqual({ ip: '8.8.8.8' });
  });

  test('addresses are looked up once while cached (source and client of one line, repeated clients)', () => {
    const seen: string[] = [];
    const e = createEnricher({ ip: { asn: (p) => (seen.push(String(p.v === 4 ? p.n : p.hi)), { number: 64496 }) }, ipCacheSize: 2, userAgents: false });
    for (const ip of ['8.8.8.8', '8.8.8.8', '9.9.9.9', '1.1.1.1', '8.8.8.8']) e.enrich(doc({ source: { ip }, client: { ip } }));
    // 8.8.8.8 once, 9.9.9.9, 1.1.1.1 (evicts 8.8.8.8: size 2), then 8.8.8.8 again.
    expect(seen).toHaveLength(4);
    expect(e.stats.ip).toEqual({ hits: 6, misses: 4 });
    expect(e.stats.documents).toBe(5);
  });

  test('country names are CLDR’s, pinned (not the running ICU’s); unknown codes get none', () => {
    expect(countryName('DE')).toBe('Germany');
    expect(countryName('TR')).toBe('Türkiye');
    expect(countryName('XK')).toBe('Kosovo');
    for (const code of ['ZZ', 'XA', 'XB', 'de', 'DEU', '', 'toString', '__proto__', 'constructor']) expect(countryName(code)).toBeUndefined();
  });

  test('the bundled database reads as the @ip-location-db country format', () => {
    const file = path.join(ROOT, 'node_modules', COUNTRY_PACKAGE, COUNTRY_FILE);
    const db = openGeoDatabase(readFileSync(file));
    expect(db.databaseType).toBe('country ipvAll');
    expect(db.lookup('8.8.8.8', publicIp('8.8.8.8')!)).toEqual({ country_iso_code: 'US' });
  });

  test('the IPv4 tree walk and its answers per record agree with mmdb-lib on 30,000 addresses', () => {
    const bytes = readFileSync(path.join(ROOT, 'node_modules', COUNTRY_PACKAGE, COUNTRY_FILE));
    const db = openGeoDatabase(bytes);
    const { Reader } = require('mmdb-lib') as typeof import('mmdb-lib');
    const reference = new Reader<Record<string, unknown>>(bytes);
    const tree = mmdbTree(bytes, reference.metadata)!;
    const answers = new Map<number, unknown>();
    const n = runs(30_000);
    let found = 0;
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (n) => {
        const ip = `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
        const expected = reference.get(ip) as { country_code?: string } | null;
        const pointer = tree.v4(n);
        expect(pointer >= 0).toBe(expected !== null);
        const parsed = { v: 4 as const, n };
        const answer = db.lookup(ip, parsed);
        expect(answer).toEqual(expected?.country_code ? { country_iso_code: expected.country_code } : expected ? {} : undefined);
        // One answer object per data record, and never one record's answer for another's.
        if (pointer >= 0) {
          found++;
          // Every country the bundled database answers has a name.
          if (expected?.country_code) expect(countryName(expected.country_code)).toBeDefined();
          if (answers.has(pointer)) expect(answers.get(pointer)).toBe(answer);
          answers.set(pointer, answer);
          expect(Object.isFrozen(answer)).toBe(true);
          // The text as logged does not matter: an IPv4-mapped address gets the same answer.
          expect(db.lookup(`::ffff:${ip}`, parsed)).toBe(answer);
        }
      }),
      { numRuns: runs(30_000) },
    );
    // Most of the space has data, and records are shared by many addresses.
    expect(found).toBeGreaterThan(n / 2);
    if (n >= 10_000) expect(answers.size).toBeLessThan(found / 10);
    // IPv6 goes through mmdb-lib.
    expect(db.lookup('2001:4860:4860::8888', publicIp('2001:4860:4860::8888')!)).toEqual({ country_iso_code: 'US' });
  });

  test('the tree walk reads 24-, 28- and 32-bit records as mmdb-lib does, and refuses other sizes', () => {
    // mmdb-lib's own record reader (its internal module) is the reference for the bit layout.
    const walker = (require('mmdb-lib/lib/reader/walker') as { default: (db: Buffer, size: number) => { left(o: number): number; right(o: number): number } }).default;
    for (const recordSize of [24, 28, 32]) {
      const nodeBytes = recordSize / 4;
      // A chain of 40 nodes: node i's left and right records point to i + 1 or a data pointer, as random
      // bits decide; the bytes are written by flipping random bits until the reference reads the values wanted.
      const nodeCount = 40;
      const db = Buffer.alloc(nodeCount * nodeBytes);
      const ref = walker(db, recordSize);
      const write = (node: number, side: 'left' | 'right', value: number) => {
        const o = node * nodeBytes;
        if (recordSize === 32) db.writeUInt32BE(value, o + (side === 'left' ? 0 : 4));
        else if (recordSize === 24) db.writeUIntBE(value, o + (side === 'left' ? 0 : 3), 3);
        else if (side === 'left') {
          db.writeUIntBE(value & 0xffffff, o, 3);
          db[o + 3] = (db[o + 3] & 0x0f) | ((value >>> 24) << 4);
        } else {
          db.writeUIntBE(value & 0xffffff, o + 4, 3);
          db[o + 3] = (db[o + 3] & 0xf0) | (value >>> 24);
        }
        expect(ref[side](o)).toBe(value); // the layout written is the one mmdb-lib reads
      };
      const big = recordSize === 24 ? 0xfffff0 : recordSize === 28 ? 0xffffff0 : 0xfffffff0;
      for (let i = 0; i < nodeCount; i++) {
        write(i, 'left', i + 1);
        write(i, 'right', big - i);
      }
      const tree = mmdbTree(db, { nodeCount, recordSize, ipVersion: 4 })!;
      // The first 1 bit of the address leaves the chain at its depth.
      for (let depth = 0; depth < 32; depth++) expect(tree.v4((0x80000000 >>> depth) >>> 0)).toBe(big - depth);
      // All zeros: 32 lefts, ending on node 32, still a node: no data.
      expect(tree.v4(0)).toBe(-1);
    }
    expect(mmdbTree(Buffer.alloc(64), { nodeCount: 1, recordSize: 20, ipVersion: 4 })).toBeUndefined();
    // A node count the bytes cannot hold (a corrupt file) gives no tree rather than reads past the end.
    expect(mmdbTree(Buffer.alloc(60), { nodeCount: 11, recordSize: 32, ipVersion: 4 })).toBeUndefined();
  });
});

describe('user agents', () => {
  const read = (ua: string) => {
    const d = doc({ user_agent: { original: ua } });
    enricher.enrich(d);
    const { original, ...rest } = d.user_agent!;
    expect(original).toBe(ua);
    return rest;
  };

  test('desktop browser', () => {
    expect(read('Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36')).toEqual({
      name: 'Chrome',
      version: '120.0.0.0',
      os: { name: 'Windows', version: '10', full: 'Windows 10' },
    });
    expect(read('Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0')).toEqual({ name: 'Firefox', version: '128.0', os: { name: 'Linux', full: 'Linux' } });
  });

  test('mobile browser with its device', () => {
    expect(read('Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1')).toEqual({
      name: 'Mobile Safari',
      version: '17.1',
      os: { name: 'iOS', version: '17.1', full: 'iOS 17.1' },
      device: { name: 'Apple iPhone' },
    });
  });

  test('command-line clients name themselves with their first product token', () => {
    expect(read('curl/8.5.0')).toEqual({ name: 'curl', version: '8.5.0' });
    expect(read('python-requests/2.31.0')).toEqual({ name: 'python-requests', version: '2.31.0' });
    expect(read('ELB-HealthChecker/2.0')).toEqual({ name: 'ELB-HealthChecker', version: '2.0' });
  });

  test('AWS CLI, SDKs and tools (CloudTrail userAgent)', () => {
    expect(read('aws-cli/2.15.0 Python/3.11.6 Linux/5.15.0-1051-aws exe/x86_64.ubuntu.22 prompt/off command/s3.ls')).toEqual({
      name: 'aws-cli',
      version: '2.15.0',
      os: { name: 'Linux', version: '5.15.0-1051-aws', full: 'Linux 5.15.0-1051-aws' },
    });
    expect(read('[aws-cli/2.13.5 Python/3.11.4 Darwin/23.1.0 exe/x86_64 prompt/off command/iam.list-users]')).toEqual({
      name: 'aws-cli',
      version: '2.13.5',
      os: { name: 'Darwin', version: '23.1.0', full: 'Darwin 23.1.0' },
    });
    expect(read('Boto3/1.34.11 md/Botocore#1.34.11 ua/2.0 os/linux#5.10.205-195.807.amzn2.x86_64 md/arch#x86_64 lang/python#3.11.6 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.11')).toEqual({
      name: 'Boto3',
      version: '1.34.11',
      os: { name: 'Linux', version: '5.10.205-195.807.amzn2.x86_64', full: 'Linux 5.10.205-195.807.amzn2.x86_64' },
    });
    expect(read('Boto3/1.26.90 Python/3.9.16 Linux/4.14.255-301-238.520.amzn2.x86_64 exec-env/AWS_Lambda_python3.9 Botocore/1.29.90')).toMatchObject({ name: 'Boto3', version: '1.26.90', os: { name: 'Linux' } });
    expect(read('aws-sdk-java/2.20.162 Linux/5.10.196-185.743.amzn2.x86_64 OpenJDK_64-Bit_Server_VM/17.0.8+7-LTS Java/17.0.8 vendor/Amazon.com_Inc. io/sync http/Apache cfg/retry-mode/legacy')).toMatchObject({
      name: 'aws-sdk-java',
      version: '2.20.162',
      os: { name: 'Linux' },
    });
    expect(read('aws-sdk-js/3.470.0 ua/2.0 os/linux#5.10.201-213.748.amzn2.x86_64 lang/js md/nodejs#20.10.0 api/s3#3.470.0')).toMatchObject({ name: 'aws-sdk-js', version: '3.470.0', os: { name: 'Linux' } });
    expect(read('aws-sdk-go/1.44.300 (go1.20.6; linux; amd64)')).toEqual({ name: 'aws-sdk-go', version: '1.44.300', os: { name: 'Linux', full: 'Linux' } });
    expect(read('APN/1.0 HashiCorp/1.0 Terraform/1.6.6 (+https://www.terraform.io) terraform-provider-aws/5.31.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go/1.49.8 (go1.21.5; darwin; arm64)')).toMatchObject({
      name: 'Terraform',
      version: '1.6.6',
    });
  });

  test('console, AWS internal and AWS services', () => {
    expect(read('console.amazonaws.com')).toEqual({ name: 'AWS Management Console' });
    expect(read('signin.amazonaws.com')).toEqual({ name: 'AWS Management Console' });
    expect(read('AWS Internal')).toEqual({ name: 'AWS Internal' });
    expect(read('aws-internal/3 aws-sdk-java/1.12.596 Linux/5.10.199-168.748.amzn2int.x86_64 OpenJDK_64-Bit_Server_VM/25.392-b09 java/1.8.0_392')).toEqual({ name: 'AWS Internal' });
    expect(read('cloudformation.amazonaws.com')).toEqual({ name: 'cloudformation.amazonaws.com' });
  });

  test('values the parser set are kept', () => {
    const d = doc({ user_agent: { original: 'curl/8.5.0', name: 'kept' } });
    enricher.enrich(d);
    expect(d.user_agent).toEqual({ original: 'curl/8.5.0', name: 'kept', version: '8.5.0' });
  });

  test('unrecognizable strings add nothing', () => {
    expect(read('-')).toEqual({});
    expect(read('Amazon CloudFront')).toEqual({});
  });

  test('bounds: an over-long user agent is not parsed, and costs nothing', () => {
    const reader = userAgentReader(uaParserBrowser(), { maxLength: 1024 });
    const huge = 'Mozilla/5.0 (' + 'a;'.repeat(500_000) + ') Chrome/1.0';
    const t0 = process.hrtime.bigint();
    expect(reader.read(huge)).toBeUndefined();
    expect(reader.stats).toEqual({ hits: 0, misses: 0, skipped: 1 });
    // Skipped before any regular expression runs (a loose bound; the point is "not parsed").
    expect(Number(process.hrtime.bigint() - t0) / 1e6).toBeLessThan(50);
    const d = doc({ user_agent: { original: huge } });
    enricher.enrich(d);
    expect(Object.keys(d.user_agent!)).toEqual(['original']);
  });

  test('cache: repeats are hits, what was not used lately is computed again', () => {
    const calls: string[] = [];
    // 4 entries: generations of 2.
    const reader = userAgentReader((ua) => (calls.push(ua), { name: ua.toUpperCase() }), { cacheSize: 4 });
    for (const ua of ['a', 'b', 'a', 'c', 'a', 'b']) reader.read(ua);
    // a, b miss (the young generation is full: it becomes the old one); a hits (moved back to the
    // young one); c misses (full again: {a, c} old, {a, b} dropped); a hits; b misses again.
    expect(calls).toEqual(['a', 'b', 'c', 'b']);
    expect(reader.stats).toEqual({ hits: 2, misses: 4, skipped: 0 });
    expect(reader.read('a')).toEqual({ name: 'A' });
  });

  test('a full young generation becomes the old one, the old one is dropped whole, and the cache never exceeds its size', () => {
    const cache = new Lru<string, string | undefined>(64);
    const computed: string[] = [];
    const get = (k: string) => cache.get(k, (x) => (computed.push(x), x === 'none' ? undefined : x.toUpperCase()));
    for (let i = 0; i < 32; i++) get(`k${i}`); // the 32nd fills the young generation: k0..k31 are now old
    expect(cache.size).toBe(32);
    expect(get('k0')).toBe('K0'); // a hit in the old generation, moved to the young one
    expect(computed).toHaveLength(32);
    for (let i = 0; i < 31; i++) get(`n${i}`); // young full again: {k0, n0..n30} old, k1..k31 dropped
    computed.length = 0;
    for (const k of ['k0', 'n0', 'n30']) get(k);
    expect(computed).toEqual([]);
    get('k1');
    get('k31');
    expect(computed).toEqual(['k1', 'k31']);
    // A stored undefined is a hit too.
    get('none');
    get('none');
    expect(computed).toEqual(['k1', 'k31', 'none']);
    for (let i = 0; i < 10_000; i++) {
      get(`x${i}`);
      expect(cache.size).toBeLessThanOrEqual(64);
    }
    expect(cache.hits + cache.misses).toBe(32 + 1 + 31 + 3 + 2 + 2 + 10_000);
    expect(cache.hits).toBe(1 + 3 + 1);
  });

  test('a cache of size 0 computes every time and holds nothing; size 1 holds one entry', () => {
    const calls: string[] = [];
    const zero = new Lru<string, number>(0);
    for (const k of ['a', 'a']) zero.get(k, (x) => (calls.push(x), 1));
    expect(calls).toEqual(['a', 'a']);
    expect(zero.size).toBe(0);
    const one = new Lru<string, number>(1);
    for (const k of ['a', 'a', 'b', 'a']) one.get(k, (x) => (calls.push(x), 1));
    expect(calls).toEqual(['a', 'a', 'a', 'b', 'a']);
    expect(one.size).toBe(1);
  });

  test('a throwing browser parser counts as nothing recognized', () => {
    const reader = userAgentReader(() => { throw new Error('bug'); });
    expect(reader.read('Mozilla/5.0 (X11)')).toBeUndefined();
    expect(reader.read('curl/8.5.0')).toEqual({ name: 'curl', version: '8.5.0' });
  });

  test('awsUserAgent ignores browsers and tokens after the first', () => {
    expect(awsUserAgent('Mozilla/5.0 (Windows NT 10.0) aws-sdk-js/2.1500.0')).toBeUndefined();
    expect(awsUserAgent('my-tool/1.0 Boto3/1.34.0')).toBeUndefined();
  });
});

describe('in the pipeline', () => {
  const ALB =
    'https 2026-03-01T10:00:01.500120Z app/shop-prod/50dc6c495c0c9188 8.8.8.8:52311 10.0.1.18:8443 0.001 0.120 0.000 200 200 512 20480 "GET https://shop.example.com:443/api/products?category=books&page=2 HTTP/1.1" "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/shop-web/73e2d6bc24d8a067 "Root=1-69a40d51-89abcdef0123456789abcdef;Sampled=1" "shop.example.com" "arn:aws:acm:us-east-1:123456789012:certificate/0e1d2c3b-4a59-4687-9a1b-2c3d4e5f6a7b" 3 2026-03-01T10:00:01.378000Z "waf,forward" "-" "-" "10.0.1.18:8443" "200" "Acceptable" "-" TID_1a2b3c4d5e6f708192a3b4c5d6e7f809 "-" "-" "-"';
  const input = { events: [{ message: ALB, key: 'k1' }, { message: 'not an alb line', key: 'k2' }], context: {}, source: 'elb' as const };

  test('normalize() enriches finished documents (not failures) when given an enricher, and only then', () => {
    const plain = normalize(input, { now: new Date('2026-03-01T10:05:00Z') });
    const rich = normalize(input, { now: new Date('2026-03-01T10:05:00Z'), enricher });
    expect(plain.documents[0].source?.geo).toBeUndefined();
    expect(plain.documents[0].user_agent).toEqual({ original: 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0' });
    expect(rich.documents[0].source).toMatchObject({ ip: '8.8.8.8', geo: { country_iso_code: 'US' }, as: { number: 15169 } });
    expect(rich.documents[0].user_agent).toMatchObject({ name: 'Firefox', version: '128.0' });
    expect(rich.documents[0].destination?.geo).toBeUndefined(); // 10.0.1.18: private
    expect(rich.counts).toEqual(plain.counts);
    expect(rich.failures).toEqual(plain.failures);
    // Nothing else differs: same id, same fields but the added ones.
    const strip = (d: TributaryDocument) => ({
      ...d,
      source: { ...d.source, geo: undefined, as: undefined },
      client: d.client && { ...d.client, geo: undefined, as: undefined },
      user_agent: { original: d.user_agent?.original },
    });
    expect(JSON.parse(JSON.stringify(strip(rich.documents[0])))).toEqual(JSON.parse(JSON.stringify(strip(plain.documents[0]))));
  });

  test('the enriched document is valid against the schema (geo_point and all)', () => {
    // Validated like every golden: the JSON Schema generated from schemas/.
    const Ajv2020 = require('ajv/dist/2020').default;
    const addFormats = require('ajv-formats').default;
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(ajv);
    const validate = ajv.compile(JSON.parse(readFileSync(path.join(ROOT, 'schemas/generated/event.schema.json'), 'utf8')));
    const d = normalize(input, { now: new Date('2026-03-01T10:05:00Z'), enricher }).documents[0];
    d.source!.geo!.city_name = 'Mountain View';
    d.source!.geo!.location = { lat: 37.386, lon: -122.0838 };
    expect(validate(d) ? [] : validate.errors).toEqual([]);
    d.source!.geo!.location = { lat: 137, lon: 0 };
    expect(validate(d)).toBe(false);
  });
});

describe('hostile input', () => {
  test('any string as an address or user agent: no throw, and only valid addresses are looked up', () => {
    const text = fc.oneof(fc.string({ maxLength: 60 }), fc.ipV4(), fc.ipV6(), fc.ipV4Extended(), fc.string({ unit: 'binary', maxLength: 2000 }));
    fc.assert(
      fc.property(text, text, (ip, ua) => {
        const parsed = publicIp(ip);
        if (parsed) expect(isIP(ip)).not.toBe(0);
        const d = doc({ source: { ip }, destination: { ip: ua }, user_agent: { original: ua } });
        enricher.enrich(d);
        if (!parsed) expect(d.source).toEqual({ ip });
      }),
      { numRuns: runs(2000) },
    );
  });
});

describe('the CLI', () => {
  test('`tributary normalize` enriches by default (commander sets enrich: true) and not with --no-enrich', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'enrich-cli-'));
    const file = path.join(dir, 'alb.log');
    writeFileSync(file, 'http 2026-03-01T10:00:00.186641Z app/shop-prod/50dc6c495c0c9188 9.9.9.9:52310 10.0.1.17:80 0.000 0.004 0.000 200 200 134 1045 "GET http://shop.example.com:80/index.html HTTP/1.1" "curl/8.5.0" - - arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/shop-web/73e2d6bc24d8a067 "Root=1-69a40d50-0123456789abcdef01234567" "-" "-" 0 2026-03-01T10:00:00.182000Z "forward" "-" "-" "10.0.1.17:80" "200" "-" "-"\n');
    const run = async (enrich: boolean | undefined) => {
      const out: string[] = [];
      await runNormalize([file], { source: 'elb', enrich }, (l) => out.push(l), new Date('2026-03-01T10:05:00Z'));
      return JSON.parse(out[0]) as TributaryDocument;
    };
    const on = await run(true);
    expect(on.source).toMatchObject({ ip: '9.9.9.9', geo: { country_iso_code: 'US' }, as: { number: 19281, organization: { name: 'Quad9' } } });
    expect(on.user_agent).toEqual({ original: 'curl/8.5.0', name: 'curl', version: '8.5.0' });
    for (const off of [await run(false), await run(undefined)]) {
      expect(off.source?.geo).toBeUndefined();
      expect(off.user_agent).toEqual({ original: 'curl/8.5.0' });
    }
  });
});

describe('configuration', () => {
  const base = { AWS_REGION: 'eu-west-1', ARCHIVE_BUCKET: 'archive-bucket' };
  test('on by default, off with ENRICHMENT=false', () => {
    expect(loadConfig(base, 'transform').enrichment).toEqual({ enabled: true });
    expect(loadConfig({ ...base, ENRICHMENT: 'false' }, 's3ingest').enrichment).toEqual({ enabled: false });
    expect(loadEnricher({ enabled: false })).toBeUndefined();
  });
  test('GEOIP_DATABASE must be a readable MMDB, and needs enrichment on', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'geoip-'));
    const notMmdb = path.join(dir, 'city.mmdb');
    writeFileSync(notMmdb, 'not a database');
    expect(() => loadConfig({ ...base, GEOIP_DATABASE: notMmdb }, 'transform')).toThrow(/GEOIP_DATABASE .* is not a MaxMind DB/);
    expect(() => loadConfig({ ...base, GEOIP_DATABASE: path.join(dir, 'missing.mmdb') }, 'transform')).toThrow(/GEOIP_DATABASE .* cannot be read \(ENOENT\)/);
    const own = path.join(ROOT, 'node_modules', COUNTRY_PACKAGE, COUNTRY_FILE);
    expect(() => loadConfig({ ...base, GEOIP_DATABASE: own, ENRICHMENT: 'off' }, 'transform')).toThrow(ConfigError);
    const config = loadConfig({ ...base, GEOIP_DATABASE: own }, 's3ingest');
    expect(config.enrichment).toEqual({ enabled: true, geoipDatabase: own });
    const loaded = loadEnricher(config.enrichment, [ROOT])!;
    expect(loaded.description.geo).toMatch(/^own:geo-whois-asn-country\.mmdb/);
    expect(loaded.enricher.id).toMatch(/^geo=own:/);
  });
  test('packaging stops when the data the functions need is missing (deploy/check-params.js)', () => {
    const { enrichmentDataProblems } = require('../../deploy/check-params.js') as { enrichmentDataProblems: (p: Record<string, string>, root: string) => string[] };
    expect(enrichmentDataProblems({ enrichment: 'true' }, mkdtempSync(path.join(tmpdir(), 'pkg-')))).toEqual([
      'enrichment data missing: @ip-location-db/asn is not installed (run npm ci), or set enrichment=false',
      'enrichment data missing: node_modules/@ip-location-db/geo-whois-asn-country-mmdb/geo-whois-asn-country.mmdb (run npm ci), or set enrichment=false',
    ]);
    expect(enrichmentDataProblems({ enrichment: 'false' }, '/nonexistent')).toEqual([]);
  });

  test('the data is found from the repository root', () => {
    expect(dataRoots()).toContain(ROOT);
    expect(loadEnricher({ enabled: true })!.description.asn).toMatch(/^@ip-location-db\/asn@\S+ \(\d+ IPv4 \+ \d+ IPv6 ranges/);
  });
});
