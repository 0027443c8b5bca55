/**
 * Enriched documents in a real OpenSearch with the real templates (`tributary setup`): every field
 * the enrichment step adds is mapped with its type (the templates map nothing dynamically), `geo.location` is a
 * `geo_point`, and the CloudTrail dashboard's country panels find the sign-in. The GeoIP database is
 * an operator's own City database (`GEOIP_DATABASE`, `--geoip-database`): one in MaxMind's GeoLite2
 * City layout, written for the test by an independent writer (`test/helpers/write-city-mmdb.py`,
 * mmdb-writer from the test venv), since MaxMind's own files carry its EULA.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applySetup } from '../../lib/setup/apply';
import { indexPattern } from '../../lib/core/indices';
import { normalize } from '../../lib/core/pipeline';
import { loadEnricher } from '../../lib/io/enrich';
import { expectValid } from '../helpers/schema';
import { bulkIndex, cleanup, connect, uniquePrefix, type Cluster } from './setup-helpers';

jest.setTimeout(120_000);

let c: Cluster;
const prefix = uniquePrefix('enr');
const dir = mkdtempSync(join(tmpdir(), 'tributary-city-'));
const cityDatabase = join(dir, 'GeoLite2-City-test.mmdb');

beforeAll(async () => {
  c = await connect();
  await applySetup(c.http, { prefix, detections: false });
  // The test venv (scripts/requirements-test.txt) is there whenever the integration tier runs.
  const venv = process.env.TRIBUTARY_VENV_BIN;
  if (!venv) throw new Error('TRIBUTARY_VENV_BIN is not set: start the services with scripts/services.sh (it builds the test venv)');
  execFileSync(join(venv, 'python'), [join(__dirname, '..', 'helpers', 'write-city-mmdb.py'), cityDatabase]);
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await cleanup(c, prefix);
  await c.client.close();
});

const now = new Date();
const signIn = {
  eventVersion: '1.09',
  userIdentity: { type: 'IAMUser', principalId: 'AIDAJ45Q7YFFAREXAMPLE', arn: 'arn:aws:iam::111122223333:user/alice', accountId: '111122223333', userName: 'alice' },
  eventTime: now.toISOString().replace(/\.\d+Z$/, 'Z'),
  eventSource: 'signin.amazonaws.com',
  eventName: 'ConsoleLogin',
  awsRegion: 'us-east-1',
  sourceIPAddress: '81.2.69.142',
  userAgent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36',
  requestParameters: null,
  responseElements: { ConsoleLogin: 'Success' },
  additionalEventData: { LoginTo: 'https://console.aws.amazon.com/console/home', MobileVersion: 'No', MFAUsed: 'Yes' },
  eventID: '3d6f2a0e-2b5d-4c43-9a8f-1c2d3e4f5a6b',
  readOnly: false,
  eventType: 'AwsConsoleSignIn',
  managementEvent: true,
  recipientAccountId: '111122223333',
  eventCategory: 'Management',
};

test('a console sign-in enriched from a City database indexes into the real templates and the country panels find it', async () => {
  const { enricher, description } = loadEnricher({ enabled: true, geoipDatabase: cityDatabase })!;
  expect(description.geo).toMatch(/^own:GeoLite2-City-test\.mmdb \(GeoLite2-City, built /);
  const res = normalize({ events: [{ message: JSON.stringify(signIn), key: 'enrich-it-1' }], context: {}, source: 'cloudtrail' }, { now, enricher });
  expect(res.failures).toEqual([]);
  const doc = res.documents[0];
  // City and location from the City database; the AS from the bundled ASN table.
  expect(doc.source).toMatchObject({
    ip: '81.2.69.142',
    geo: { country_iso_code: 'GB', country_name: 'United Kingdom', city_name: 'London', location: { lat: 51.5142, lon: -0.0931 } },
    as: { number: 20712 },
  });
  expect(doc.user_agent).toMatchObject({ name: 'Chrome', os: { name: 'Mac OS' } });
  expectValid(doc);
  const index = indexPattern('aws.cloudtrail', prefix).replace('*', 'enrich');
  expect(await bulkIndex(c.client, [{ index, id: doc.event.id, doc }])).toEqual([]);

  const mapping = (await c.client.indices.getMapping({ index })).body as unknown as Record<string, { mappings: { properties: Record<string, { type?: string }> } }>;
  const props = Object.values(mapping)[0].mappings.properties;
  interface MappingNode {
    type?: string;
    properties?: Record<string, MappingNode>;
  }
  const typeOf = (path: string): string | undefined => path.split('.').reduce<MappingNode | undefined>((m, k) => m?.properties?.[k], { properties: props })?.type;
  const expected: Record<string, string> = { location: 'geo_point', country_iso_code: 'keyword', country_name: 'keyword', city_name: 'keyword' };
  for (const role of ['source', 'destination', 'client']) {
    for (const [f, t] of Object.entries(expected)) expect([`${role}.geo.${f}`, typeOf(`${role}.geo.${f}`)]).toEqual([`${role}.geo.${f}`, t]);
    expect(typeOf(`${role}.as.number`)).toBe('long');
    expect(typeOf(`${role}.as.organization.name`)).toBe('keyword');
  }
  for (const f of ['name', 'version', 'os.name', 'os.version', 'os.full', 'device.name']) expect([f, typeOf(`user_agent.${f}`)]).toEqual([f, 'keyword']);

  const search = await c.client.search({
    index,
    body: {
      size: 0,
      query: { bool: { filter: [{ query_string: { query: 'event.action:ConsoleLogin' } }, { geo_distance: { distance: '25km', 'source.geo.location': { lat: 51.5, lon: -0.1 } } }] } },
      aggs: {
        map: { terms: { field: 'source.geo.country_iso_code', size: 250 } },
        table: { terms: { field: 'source.geo.country_name' }, aggs: { user: { terms: { field: 'user.name' } }, as: { terms: { field: 'source.as.organization.name' } } } },
        ua: { terms: { field: 'user_agent.name' } },
      },
    } as never,
  });
  interface Bucket {
    key: string;
    doc_count: number;
    user?: { buckets: Bucket[] };
    as?: { buckets: Bucket[] };
  }
  const aggs = (search.body as unknown as { aggregations: Record<'map' | 'table' | 'ua', { buckets: Bucket[] }> }).aggregations;
  expect(aggs.map.buckets).toEqual([{ key: 'GB', doc_count: 1 }]);
  expect(aggs.table.buckets[0]).toMatchObject({ key: 'United Kingdom', user: { buckets: [{ key: 'alice', doc_count: 1 }] } });
  expect(aggs.table.buckets[0].as?.buckets[0].key).toBe('Andrews & Arnold Ltd');
  expect(aggs.ua.buckets).toEqual([{ key: 'Chrome', doc_count: 1 }]);
});
