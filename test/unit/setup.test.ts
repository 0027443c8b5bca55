/* eslint-disable @typescript-eslint/no-explicit-any -- untyped JSON from OpenSearch and fixture files */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import mappings from '../../schemas/generated/mappings.json';
import { sourceGroups, SCHEMA_VERSION } from '../../schemas/index';
import { toMappings } from '../../schemas/codegen';
import { containsJson, sameJson } from '../../lib/setup/compare';
import { DASHBOARDS_NDJSON, dashboardFiles, savedObjects } from '../../lib/setup/dashboards';
import { DETECTIONS, detectionSearch, fires, monitorFor, triggerScript } from '../../lib/setup/detections';
import { AGGREGATABLE, NUMERIC, fieldType, mappedFields } from '../../lib/setup/fields';
import { ismAges, ismPolicy } from '../../lib/setup/ism';
import { componentTemplates, datasetPatterns, indexTemplates, type Mappings } from '../../lib/setup/templates';
import type { SavedObject } from '../../lib/setup/saved-objects';
import { expandEntries, type FixtureEntry } from '../helpers/fixture-entries';
import { expectValid } from '../helpers/schema';

type FixtureCase = { name: string; docs: FixtureEntry[] };
import { optionsFromFlags } from '../../bin/commands/setup';
import { resolveProperties } from '../../lib/setup/custom-resource';

const root = join(__dirname, '../..');
const fields = mappedFields(mappings as Mappings);

/** Field names in a Lucene query: `name:` outside quoted strings. */
function luceneFields(query: string): string[] {
  const bare = query.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  return [...bare.matchAll(/(?:^|[\s(!+-])([A-Za-z_@][\w.@]*)\s*:/g)].map((m) => m[1]);
}

interface Ref {
  object: string;
  field: string;
  use: 'query' | 'column' | 'sort' | 'time' | 'terms' | 'metric' | 'date_histogram';
}

/** Every field a saved object refers to, read back from the NDJSON as Dashboards would. */
function fieldRefs(o: SavedObject): Ref[] {
  const refs: Ref[] = [];
  const name = `${o.type}:${o.id}`;
  const a = o.attributes as Record<string, unknown>;
  if (o.type === 'index-pattern') refs.push({ object: name, field: String(a.timeFieldName), use: 'time' });
  const meta = a.kibanaSavedObjectMeta as { searchSourceJSON?: string } | undefined;
  if (meta?.searchSourceJSON) {
    const src = JSON.parse(meta.searchSourceJSON) as { query?: { query?: string }; filter?: { meta?: { key?: string } }[] };
    for (const f of luceneFields(src.query?.query ?? '')) refs.push({ object: name, field: f, use: 'query' });
    for (const f of src.filter ?? []) if (f.meta?.key) refs.push({ object: name, field: f.meta.key, use: 'query' });
  }
  if (o.type === 'search') {
    for (const c of a.columns as string[]) refs.push({ object: name, field: c, use: 'column' });
    for (const [f] of a.sort as [string, string][]) refs.push({ object: name, field: f, use: 'sort' });
  }
  if (o.type === 'visualization') {
    const vis = JSON.parse(String(a.visState)) as { aggs: { type: string; params: { field?: string } }[] };
    for (const agg of vis.aggs) {
      if (!agg.params.field) continue;
      // A cardinality (unique count) needs an aggregatable field, like terms, not a number.
      const use = agg.type === 'terms' || agg.type === 'cardinality' ? 'terms' : agg.type === 'date_histogram' ? 'date_histogram' : 'metric';
      refs.push({ object: name, field: agg.params.field, use });
    }
  }
  return refs;
}

const ndjson = readFileSync(join(root, DASHBOARDS_NDJSON), 'utf8');
const committed: SavedObject[] = ndjson.trim().split('\n').map((l) => JSON.parse(l));

describe('component and index templates', () => {
  it('builds base plus one component per source family, each holding the generated mapping unchanged', () => {
    const t = componentTemplates({ prefix: 'logs' }) as Record<string, { template: { mappings: unknown; settings?: unknown } }>;
    expect(Object.keys(t).sort()).toEqual(['logs-base', ...Object.keys(sourceGroups).map((s) => `logs-${s}`)].sort());
    expect(t['logs-base'].template.mappings).toBe((mappings as Mappings).base);
    for (const s of Object.keys(sourceGroups)) expect(t[`logs-${s}`].template.mappings).toBe((mappings as Mappings)[s]);
    expect(t['logs-base'].template.settings).toEqual({
      index: { number_of_shards: 1, auto_expand_replicas: '0-1', refresh_interval: '30s', codec: 'best_compression', mapping: { total_fields: { limit: 2000 } } },
    });
  });

  it('uses the committed mappings.json, which is what the schema generates', () => {
    expect(JSON.parse(JSON.stringify(toMappings()))).toEqual(mappings);
  });

  it('composes one index template per dataset from base and its source component, with the schema version', () => {
    const t = indexTemplates({ prefix: 'acme' }) as Record<string, { index_patterns: string[]; composed_of: string[]; _meta: Record<string, string>; priority: number }>;
    expect(t['acme-linux.audit']).toEqual({
      index_patterns: ['acme-linux.audit-*'],
      composed_of: ['acme-base', 'acme-auditd'],
      priority: 200,
      _meta: { managed_by: 'tributary', tributary_schema_version: SCHEMA_VERSION, dataset: 'linux.audit' },
    });
    expect(Object.keys(t)).toHaveLength(Object.keys(sourceGroups).length);
    expect(Object.values(t).flatMap((x) => x.index_patterns).sort()).toEqual(datasetPatterns('acme').sort());
  });

  it('sets explicit replicas when asked, instead of auto-expand', () => {
    const t = componentTemplates({ prefix: 'logs', replicas: 2, shards: 3 }) as Record<string, { template: { settings: { index: Record<string, unknown> } } }>;
    expect(t['logs-base'].template.settings.index).toMatchObject({ number_of_replicas: 2, number_of_shards: 3 });
    expect(t['logs-base'].template.settings.index.auto_expand_replicas).toBeUndefined();
  });

  it('leaves index settings out for OpenSearch Serverless, which rejects them', () => {
    const t = componentTemplates({ prefix: 'logs', serverless: true }) as Record<string, { template: Record<string, unknown> }>;
    expect(Object.keys(t['logs-base'].template)).toEqual(['mappings']);
    expect(optionsFromFlags({ auth: 'sigv4-aoss', indexPrefix: 'logs', detections: 'on' }).templates).toMatchObject({ serverless: true });
  });

  it('refuses mappings that would exceed the field limit or lack a component', () => {
    expect(() => componentTemplates({ prefix: 'logs', totalFieldsLimit: 10 })).toThrow(/total_fields.limit 10/);
    const { vpcflow: _drop, ...partial } = mappings as Mappings;
    expect(() => componentTemplates({ prefix: 'logs' }, partial)).toThrow(/lacks components vpcflow/);
  });
});

describe('ISM policy', () => {
  it('goes hot → warm (force merge, fewer replicas) → delete at the given ages, attached to every dataset pattern', () => {
    const p = ismPolicy({ prefix: 'logs', hotDays: 3, warmDays: 10, deleteDays: 30, warmReplicas: 0 }).policy as Record<string, any>;
    expect(p.default_state).toBe('hot');
    expect(p.states.map((s: { name: string }) => s.name)).toEqual(['hot', 'warm', 'delete']);
    expect(p.states[0].transitions).toEqual([{ state_name: 'warm', conditions: { min_index_age: '3d' } }]);
    expect(p.states[1].actions).toEqual([{ replica_count: { number_of_replicas: 0 } }, { force_merge: { max_num_segments: 1 } }]);
    expect(p.states[1].transitions).toEqual([{ state_name: 'delete', conditions: { min_index_age: '30d' } }]);
    expect(p.states[2].actions).toEqual([{ delete: {} }]);
    expect(p.ism_template).toEqual([{ index_patterns: datasetPatterns('logs'), priority: 100 }]);
  });

  it('skips warm when warm days is 0 and defaults deletion to hot + warm', () => {
    const p = ismPolicy({ prefix: 'logs', hotDays: 14, warmDays: 0 }).policy as Record<string, any>;
    expect(p.states.map((s: { name: string }) => s.name)).toEqual(['hot', 'delete']);
    expect(p.states[0].transitions[0].conditions.min_index_age).toBe('14d');
    expect(ismAges({})).toEqual({ hotDays: 7, warmDays: 23, deleteDays: 30 });
  });

  it('rejects impossible ages with a readable reason', () => {
    expect(() => ismAges({ hotDays: 10, warmDays: 10, deleteDays: 15 })).toThrow(/before the end of hot \+ warm/);
    expect(() => ismAges({ hotDays: 0 })).toThrow(/at least 1/);
    expect(() => ismAges({ hotDays: 1.5 })).toThrow(/whole number/);
    expect(() => optionsFromFlags({ auth: 'none', indexPrefix: 'logs', detections: 'on', ismHotDays: 30, ismDeleteDays: 7 })).toThrow(RangeError);
  });
});

describe('comparing wanted and stored objects', () => {
  it('treats OpenSearch echoing numbers as strings and reordering keys as unchanged', () => {
    expect(sameJson({ a: 1, b: { c: true, d: [1, 'x'] } }, { b: { d: ['1', 'x'], c: 'true' }, a: '1' })).toBe(true);
    expect(sameJson({ a: 1 }, { a: 1, b: 2 })).toBe(false);
    expect(sameJson({ a: [1, 2] }, { a: [1] })).toBe(false);
  });

  it('ignores server bookkeeping keys only when asked for containment', () => {
    const stored = { states: [{ name: 'hot', actions: [{ retry: { count: 3 }, force_merge: { max_num_segments: 1 } }] }], last_updated_time: 5 };
    expect(containsJson(stored, { states: [{ name: 'hot', actions: [{ force_merge: { max_num_segments: 1 } }] }] })).toBe(true);
    expect(containsJson(stored, { states: [{ name: 'hot', actions: [{ force_merge: { max_num_segments: 2 } }] }] })).toBe(false);
    expect(containsJson(stored, { states: [] })).toBe(false);
  });
});

describe('Dashboards saved objects', () => {
  it('are committed exactly as npm run generate writes them', () => {
    expect(ndjson).toBe(dashboardFiles()[DASHBOARDS_NDJSON]);
  });

  it('have an index pattern per dataset plus the catch-all, all timed by @timestamp', () => {
    const patterns = committed.filter((o) => o.type === 'index-pattern').map((o) => o.attributes);
    expect(patterns.map((p) => p.title).sort()).toEqual(['logs-*', ...datasetPatterns('logs')].sort());
    for (const p of patterns) expect(p.timeFieldName).toBe('@timestamp');
  });

  it('only refer to fields of the generated mapping, with types fit for their use', () => {
    const problems: string[] = [];
    const refs = committed.flatMap(fieldRefs);
    expect(refs.length).toBeGreaterThan(150);
    for (const r of refs) {
      const type = fieldType(fields, r.field);
      if (!type) problems.push(`${r.object}: ${r.field} (${r.use}) is not in mappings.json`);
      else if (type.endsWith('(not indexed)') && r.use !== 'column') problems.push(`${r.object}: ${r.field} is not indexed`);
      else if (r.use === 'terms' && !AGGREGATABLE.has(type)) problems.push(`${r.object}: terms on ${r.field} of type ${type}`);
      else if (r.use === 'metric' && !NUMERIC.has(type)) problems.push(`${r.object}: metric on ${r.field} of type ${type}`);
      else if ((r.use === 'date_histogram' || r.use === 'time') && type !== 'date') problems.push(`${r.object}: ${r.field} is not a date`);
    }
    expect(problems).toEqual([]);
  });

  it('reject a reference to a field the mapping does not have (the check above can fail)', () => {
    const bogus = { ...committed.find((o) => o.type === 'search')! };
    bogus.attributes = { ...bogus.attributes, columns: ['aws.cloudtrail.no_such_field'] };
    expect(fieldRefs(bogus).filter((r) => !fieldType(fields, r.field)).map((r) => r.field)).toEqual(['aws.cloudtrail.no_such_field']);
    expect(luceneFields('a.b:x AND NOT (c:"d:e" OR -f.g:[1 TO 2])')).toEqual(['a.b', 'c', 'f.g']);
  });

  it('resolve every reference to an object in the same file, with unique ids', () => {
    const ids = committed.map((o) => `${o.type}:${o.id}`);
    expect(new Set(ids).size).toBe(ids.length);
    for (const o of committed) for (const r of o.references) expect(ids).toContain(`${r.type}:${r.id}`);
    for (const d of committed.filter((o) => o.type === 'dashboard')) {
      const panels = JSON.parse(String(d.attributes.panelsJSON)) as { panelRefName: string; gridData: { x: number; w: number } }[];
      expect(panels.map((p) => p.panelRefName)).toEqual(d.references.map((r) => r.name));
      for (const p of panels) expect(p.gridData.x + p.gridData.w).toBeLessThanOrEqual(48);
    }
  });

  it('cover every source with a dashboard and follow the index prefix', () => {
    const titles = committed.filter((o) => o.type === 'dashboard').map((o) => o.attributes.title);
    expect(titles).toEqual(expect.arrayContaining(['Tributary: overview', 'Tributary: CloudTrail', 'Tributary: VPC Flow Logs', 'Tributary: Load balancers', 'Tributary: API Gateway', 'Tributary: Lambda', 'Tributary: SELinux and Linux audit']));
    const other = savedObjects('acme');
    expect(other.filter((o) => o.type === 'index-pattern').map((o) => o.attributes.title)).toContain('acme-aws.vpcflow-*');
    expect(other.every((o) => o.id.startsWith('tributary-acme-'))).toBe(true);
  });
});

describe('detections', () => {
  it('each refer only to mapped, indexed fields', () => {
    const problems: string[] = [];
    const visit = (node: unknown, id: string) => {
      if (Array.isArray(node)) return node.forEach((n) => visit(n, id));
      if (!node || typeof node !== 'object') return;
      for (const [k, v] of Object.entries(node)) {
        if (['term', 'terms', 'range', 'exists', 'wildcard'].includes(k)) {
          for (const field of k === 'exists' ? [(v as { field: string }).field] : Object.keys(v as object)) {
            const t = fieldType(fields, field);
            if (!t || t.endsWith('(not indexed)')) problems.push(`${id}: ${field} ${t ?? 'unmapped'}`);
          }
        } else visit(v, id);
      }
    };
    for (const d of DETECTIONS) {
      visit(detectionSearch(d).query, d.id);
      if (d.threshold.groupBy && !AGGREGATABLE.has(fieldType(fields, d.threshold.groupBy) ?? '')) problems.push(`${d.id}: cannot group by ${d.threshold.groupBy}`);
      if (d.threshold.distinct && !AGGREGATABLE.has(fieldType(fields, d.threshold.distinct) ?? '')) problems.push(`${d.id}: cannot count distinct ${d.threshold.distinct}`);
    }
    expect(problems).toEqual([]);
  });

  it('each have a golden fixture with events that fire and near misses that must not', () => {
    for (const d of DETECTIONS) {
      const file = join(root, 'test/fixtures-detections', `${d.id}.json`);
      expect(existsSync(file)).toBe(true);
      const fx = JSON.parse(readFileSync(file, 'utf8')) as { reference_time: string; fires: FixtureCase[]; quiet: FixtureCase[] };
      expect(fx.fires.length).toBeGreaterThan(0);
      expect(fx.quiet.length).toBeGreaterThan(0);
      for (const c of [...fx.fires, ...fx.quiet]) {
        const docs = expandEntries(c.docs, fx.reference_time);
        expect(docs.length).toBeGreaterThan(0);
        for (const doc of docs) expectValid(doc);
      }
    }
  });

  it('ship saved-search samples that are valid documents, one set per saved search', () => {
    const samples = JSON.parse(readFileSync(join(root, 'test/fixtures-detections/saved-searches.json'), 'utf8')) as {
      reference_time: string;
      searches: Record<string, FixtureEntry[]>;
    };
    const searches = committed.filter((o) => o.type === 'search').map((o) => o.id.replace('tributary-logs-search-', ''));
    expect(Object.keys(samples.searches).sort()).toEqual(searches.sort());
    for (const docs of Object.values(samples.searches)) for (const d of expandEntries(docs, samples.reference_time)) expectValid(d);
  });

  it('become query-level monitors over their dataset patterns, enabled or disabled by parameter', () => {
    const d = DETECTIONS.find((x) => x.id === 'vpc-reject-burst')!;
    const m = monitorFor(d, 'logs', false) as Record<string, any>;
    expect(m).toMatchObject({ type: 'monitor', monitor_type: 'query_level_monitor', enabled: false, schedule: { period: { interval: 5, unit: 'MINUTES' } } });
    expect(m.inputs[0].search.indices).toEqual(['logs-aws.vpcflow-*']);
    expect(JSON.stringify(m.inputs[0].search.query)).toContain('{{period_end}}||-10m');
    expect(m.inputs[0].search.query.aggs.by_group.terms).toEqual({ field: 'source.ip', size: 20, min_doc_count: 50 });
    expect(m.triggers[0].condition.script.source).toBe(triggerScript(d));
    expect(fires(d, { hits: { total: { value: 49 } }, aggregations: { by_group: { buckets: [] } } })).toBe(false);
    expect(fires(d, { hits: { total: { value: 50 } }, aggregations: { by_group: { buckets: [{}] } } })).toBe(true);
  });
});

describe('custom resource properties', () => {
  it('fall back to the function environment and accept CloudFormation strings', () => {
    const r = resolveProperties({ IsmHotDays: '3', IsmWarmDays: '0', Replicas: 'auto', Detections: 'off' }, { OPENSEARCH_ENDPOINT: 'search-x.eu-west-1.es.amazonaws.com', OPENSEARCH_AUTH: 'sigv4-es', AWS_REGION: 'eu-west-1' });
    expect(r).toMatchObject({ url: 'https://search-x.eu-west-1.es.amazonaws.com', auth: 'sigv4-es', region: 'eu-west-1' });
    expect(r.options).toMatchObject({ prefix: 'logs', detections: false, ism: { hotDays: 3, warmDays: 0 }, templates: { replicas: 'auto', serverless: false } });
  });

  it('name the bad property', () => {
    expect(() => resolveProperties({}, {})).toThrow(/no OpenSearch/);
    expect(() => resolveProperties({ OpenSearchUrl: 'http://x', Shards: 'two' }, {})).toThrow(/Shards must be a whole number/);
    expect(() => resolveProperties({ OpenSearchUrl: 'http://x', IndexPrefix: 'Logs' }, {})).toThrow(/IndexPrefix "Logs"/);
    expect(() => resolveProperties({ OpenSearchUrl: 'http://x', OpenSearchAuth: 'basic' }, {})).toThrow(/OpenSearchAuth/);
  });
});
