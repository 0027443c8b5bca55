/* eslint-disable @typescript-eslint/no-explicit-any -- untyped JSON from OpenSearch and fixture files */
/**
 * `tributary setup` against a real OpenSearch: idempotency, templates on new indices, every source's
 * documents (the parsers' golden outputs plus one sample per saved search) indexing without mapping
 * errors, saved searches and visualizations finding them, and ISM attaching its policy (when the
 * index-management plugin is loaded; skipped with a printed reason otherwise).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { applySetup, type SetupOptions } from '../../lib/setup/apply';
import { savedObjects } from '../../lib/setup/dashboards';
import { channelId } from '../../lib/setup/alerts';
import { DETECTIONS, monitorName } from '../../lib/setup/detections';
import { policyId } from '../../lib/setup/ism';
import { luceneQuery, objectQuery } from '../../lib/setup/saved-objects';
import { indexName } from '../../lib/core/indices';
import { DATASET_VALUES } from '../../schemas/source-list';
import { expectValid } from '../helpers/schema';
import { expandEntries, type FixtureEntry } from '../helpers/fixture-entries';
import { bulkIndex, cleanup, connect, shiftTimes, skipped, uniquePrefix, type Cluster } from './setup-helpers';

const FIXTURES = join(__dirname, '..', 'fixtures');
const SAMPLES = JSON.parse(readFileSync(join(__dirname, '..', 'fixtures-detections', 'saved-searches.json'), 'utf8')) as {
  reference_time: string;
  searches: Record<string, FixtureEntry[]>;
};

/** Every document and failure document the parsers' golden files expect, whatever exists today. */
function goldenDocuments(): Record<string, any>[] {
  if (!existsSync(FIXTURES)) return [];
  const docs: Record<string, any>[] = [];
  for (const source of readdirSync(FIXTURES)) {
    for (const f of readdirSync(join(FIXTURES, source)).filter((x) => x.endsWith('.expected.json'))) {
      const results = JSON.parse(readFileSync(join(FIXTURES, source, f), 'utf8')) as { documents?: unknown[]; failures?: unknown[] }[];
      for (const r of results) docs.push(...((r.documents ?? []) as Record<string, any>[]), ...((r.failures ?? []) as Record<string, any>[]));
    }
  }
  return docs;
}

jest.setTimeout(180_000);

let c: Cluster;
const prefix = uniquePrefix('setup');
const options: SetupOptions = { prefix, detections: true, ism: { hotDays: 2, warmDays: 3, deleteDays: 10 } };

beforeAll(async () => {
  c = await connect();
});
afterAll(async () => {
  await cleanup(c, prefix);
  await c.client.close();
});

describe('tributary setup against OpenSearch', () => {
  it('creates everything on the first run and changes nothing on the second', async () => {
    const first = await applySetup(c.http, options);
    const byKind = (r: typeof first, kind: string) => r.changes.filter((x) => x.kind === kind);
    expect(byKind(first, 'component_template').map((x) => x.status)).toEqual(Array(DATASET_VALUES.length + 1).fill('created')); // base + one per source
    expect(byKind(first, 'index_template').map((x) => x.status)).toEqual(Array(DATASET_VALUES.length).fill('created'));

    const second = await applySetup(c.http, options);
    const notSkipped = second.changes.filter((x) => x.status !== 'skipped');
    expect(notSkipped.length).toBeGreaterThanOrEqual(15);
    expect(notSkipped.filter((x) => x.status !== 'unchanged')).toEqual([]);

    if (c.hasIsm) {
      expect(byKind(first, 'ism_policy')[0].status).toBe('created');
      expect(byKind(second, 'ism_policy')[0].status).toBe('unchanged');
    } else {
      expect(byKind(second, 'ism_policy')[0]).toMatchObject({ status: 'skipped', detail: expect.stringContaining('not installed') });
      skipped('ISM policy create/unchanged', 'opensearch-index-management plugin not loaded on this cluster');
    }
    if (c.hasAlerting) {
      expect(byKind(first, 'monitor').map((x) => x.status)).toEqual(DETECTIONS.map(() => 'created'));
      expect(byKind(second, 'monitor').map((x) => x.status)).toEqual(DETECTIONS.map(() => 'unchanged'));
    } else {
      expect(byKind(second, 'monitor').every((x) => x.status === 'skipped')).toBe(true);
      skipped('monitor create/unchanged', 'opensearch-alerting plugin not loaded on this cluster');
    }
    // Without a Dashboards URL the saved objects are reported, never silently dropped.
    expect(byKind(second, 'saved_object')).toEqual([{ kind: 'saved_object', name: `${savedObjects(prefix).length} objects`, status: 'skipped', detail: 'no --dashboards-url' }]);
  });

  it('reports a changed setting as updated in a dry run without writing it, then applies it', async () => {
    const changed = { ...options, templates: { refreshInterval: '5s' } };
    const dry = await applySetup(c.http, { ...changed, dryRun: true });
    expect(dry.changes.filter((x) => x.status === 'updated').map((x) => x.name)).toEqual([`${prefix}-base`]);
    const stored = await c.http.request('GET', `/_component_template/${prefix}-base`);
    expect(stored.body.component_templates[0].component_template.template.settings.index.refresh_interval).toBe('30s');

    const real = await applySetup(c.http, changed);
    expect(real.changes.filter((x) => x.status === 'updated').map((x) => x.name)).toEqual([`${prefix}-base`]);
    const back = await applySetup(c.http, options);
    expect(back.changes.filter((x) => x.status === 'updated').map((x) => x.name)).toEqual([`${prefix}-base`]);
  });

  it('applies the templates to a newly created daily index', async () => {
    const index = `${prefix}-aws.vpcflow-2026.03.01`;
    expect((await c.http.request('PUT', `/${index}`)).status).toBe(200);
    const mapping = (await c.http.request('GET', `/${index}/_mapping`)).body[index].mappings;
    expect(mapping.dynamic).toBe('false');
    expect(mapping._meta).toMatchObject({ tributary_schema_version: '1' });
    expect(mapping.properties.source.properties.ip.type).toBe('ip');
    expect(mapping.properties.aws.properties.vpcflow.properties.interface_id.type).toBe('keyword');
    // Only the vpcflow component: other sources' fields are not in this index.
    expect(mapping.properties.aws.properties.cloudtrail).toBeUndefined();
    const settings = (await c.http.request('GET', `/${index}/_settings`)).body[index].settings.index;
    expect(settings).toMatchObject({ number_of_shards: '1', refresh_interval: '30s', auto_expand_replicas: '0-1', codec: 'best_compression' });
    expect(settings.mapping.total_fields.limit).toBe('2000');
  });

  it('indexes every source\'s documents without mapping errors, and the saved searches and visualizations find them', async () => {
    const now = Date.now();
    const golden = goldenDocuments();
    const samples = Object.entries(SAMPLES.searches).flatMap(([search, docs]) =>
      expandEntries(docs, SAMPLES.reference_time).map((d, i) => ({ search, id: `sample-${search}-${i}`, doc: shiftTimes(d, SAMPLES.reference_time, now) })),
    );
    for (const s of samples) expectValid(s.doc);
    const all = [
      // One index per dataset for the golden corpus (its dates span years: one index per day would
      // only test index creation speed); the name still matches the dataset's template pattern.
      ...golden.map((doc, i) => ({ index: `${prefix}-${doc.event.dataset}-golden`, id: `golden-${i}`, doc })),
      ...samples.map((s) => ({ index: indexName(s.doc, prefix), id: s.id, doc: s.doc })),
    ];
    const datasets = new Set(all.map((d) => (d.doc as { event: { dataset: string } }).event.dataset));
    // Every source's documents: a new source without golden fixtures fails here.
    expect([...datasets].sort()).toEqual([...DATASET_VALUES].sort());
    console.log(`indexing ${golden.length} golden documents and ${samples.length} saved-search samples`);

    expect(await bulkIndex(c.client, all)).toEqual([]);

    const objects = savedObjects(prefix);
    const titles = new Map(objects.filter((o) => o.type === 'index-pattern').map((o) => [o.id, String(o.attributes.title)]));
    const empty: string[] = [];
    for (const o of objects.filter((x) => x.type === 'search' || x.type === 'visualization')) {
      const q = objectQuery(o)!;
      const body: Record<string, unknown> = { size: 100, query: luceneQuery(q.query), _source: false };
      if (o.type === 'visualization') {
        // The visualization's own aggregations: a terms on a text field or a metric on a keyword fails here.
        const vis = JSON.parse(String(o.attributes.visState)) as { aggs: { id: string; type: string; params: Record<string, any> }[] };
        const aggs: Record<string, unknown> = {};
        for (const a of vis.aggs.filter((x) => x.params.field)) {
          if (a.type === 'date_histogram') aggs[a.id] = { auto_date_histogram: { field: a.params.field, buckets: 50 } }; // Dashboards' interval: auto
          else if (a.type === 'terms') aggs[a.id] = { terms: { field: a.params.field, size: a.params.size } };
          else if (a.type === 'percentiles') aggs[a.id] = { percentiles: { field: a.params.field, percents: a.params.percents } };
          else aggs[a.id] = { [a.type]: { field: a.params.field } };
        }
        body.aggs = aggs;
      }
      const res = await c.http.request('POST', `/${titles.get(q.indexPattern)}/_search`, body);
      expect({ object: o.id, status: res.status, error: res.body.error }).toEqual({ object: o.id, status: 200, error: undefined });
      const ids: string[] = res.body.hits.hits.map((h: { _id: string }) => h._id);
      if (!ids.length) empty.push(o.id);
      if (o.type === 'search') {
        const name = o.id.slice(`tributary-${prefix}-search-`.length);
        const wanted = samples.filter((s) => s.search === name).map((s) => s.id);
        expect(wanted.length).toBeGreaterThan(0);
        expect({ search: name, found: wanted.filter((w) => ids.includes(w)) }).toEqual({ search: name, found: wanted });
      }
    }
    expect(empty).toEqual([]);
  });

  it('attaches the ISM policy to a new index (index-management plugin only)', async () => {
    if (!c.hasIsm) {
      skipped('ISM policy attached to a new index', 'opensearch-index-management plugin not loaded on this cluster');
      return;
    }
    const index = `${prefix}-aws.lambda-2026.04.01`;
    expect((await c.http.request('PUT', `/${index}`)).status).toBe(200);
    const explain = await c.http.request('GET', `/_plugins/_ism/explain/${index}`);
    expect(explain.body[index]['index.plugins.index_state_management.policy_id'] ?? explain.body[index].policy_id).toBe(policyId(prefix));
  });

  it('gives every monitor an action per channel, idempotently, and removes a channel given as none (Notifications and Alerting plugins only)', async () => {
    if (!c.hasAlerting || !c.hasNotifications) {
      skipped('notification channels and monitor actions on a real cluster', 'opensearch-alerting / opensearch-notifications plugins not loaded (unit-tested against a stand-in)');
      return;
    }
    // Creating a channel contacts nothing: these URLs are never called (no monitor fires here).
    const alerts = { destinations: { slack: 'https://hooks.slack.com/services/T0/B0/tributary-test', webhook: 'https://alerts.example.com/tributary-test' } };
    const first = await applySetup(c.http, { ...options, alerts });
    expect(first.changes.filter((x) => x.kind === 'notification_channel').map((x) => [x.name, x.status])).toEqual([
      [channelId(prefix, 'slack'), 'created'],
      [channelId(prefix, 'webhook'), 'created'],
    ]);
    const again = await applySetup(c.http, { ...options, alerts });
    expect(again.changes.filter((x) => ['notification_channel', 'monitor'].includes(x.kind) && x.status !== 'unchanged')).toEqual([]);
    const found = await c.http.request('POST', '/_plugins/_alerting/monitors/_search', { size: 1, query: { match_phrase: { 'monitor.name': monitorName(prefix, DETECTIONS[0]) } } });
    const stored = await c.http.request('GET', `/_plugins/_alerting/monitors/${found.body.hits.hits[0]._id}`);
    const trigger = stored.body.monitor.triggers[0].query_level_trigger ?? stored.body.monitor.triggers[0];
    expect(trigger.actions.map((a: { destination_id: string }) => a.destination_id)).toEqual([channelId(prefix, 'slack'), channelId(prefix, 'webhook')]);
    const removed = await applySetup(c.http, { ...options, alerts: { destinations: { slack: null, webhook: null } } });
    expect(removed.changes.filter((x) => x.kind === 'notification_channel').map((x) => x.status)).toEqual(['deleted', 'deleted']);
  });

  it('disables the monitors with --detections off, and keeps them so (Alerting plugin only)', async () => {
    if (!c.hasAlerting) {
      skipped('monitors enabled/disabled by parameter', 'opensearch-alerting plugin not loaded on this cluster');
      return;
    }
    const off = await applySetup(c.http, { ...options, detections: false });
    expect(off.changes.filter((x) => x.kind === 'monitor').map((x) => [x.status, x.detail])).toEqual(DETECTIONS.map(() => ['updated', 'disabled']));
    const again = await applySetup(c.http, { ...options, detections: false });
    expect(again.changes.filter((x) => x.kind === 'monitor').map((x) => x.status)).toEqual(DETECTIONS.map(() => 'unchanged'));
    const res = await c.http.request('POST', '/_plugins/_alerting/monitors/_search', { size: 50, query: { match_phrase: { 'monitor.name': monitorName(prefix, DETECTIONS[0]) } } });
    expect(res.body.hits.hits.length).toBe(1);
  });
});
