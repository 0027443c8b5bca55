/* eslint-disable @typescript-eslint/no-explicit-any -- untyped JSON from OpenSearch and fixture files */
/**
 * Golden tests of the shipped detections against a real OpenSearch. For every detection of
 * `lib/setup/detections.ts` and every case of `test/fixtures-detections/<id>.json`, the case's
 * documents are indexed on their own (times shifted so `reference_time` is now), then:
 *  - the monitor's search body runs directly (`_search`), and its Painless trigger condition runs on the
 *    real response with the Painless execute API (`lang-painless`, which scripts/services.sh installs:
 *    the integ-test distribution leaves it out) — always; `fires`, its TypeScript mirror, must agree;
 *  - the whole monitor runs through Alerting's `_execute` API (dry run), painless trigger included —
 *    only when the Alerting plugin is loaded; otherwise this is printed as skipped.
 * Fire cases must trigger, quiet (near-miss) cases must not. For every case also:
 *  - the Lucene query an alert message shows and links to (`detectionLucene` + the window) runs with
 *    `query_string` and finds exactly the documents the monitor's query found;
 *  - every variable of the alert messages that reads the search response (`ctx.results.0…`) is looked
 *    up in the real response: counts are numbers, sections are lists (not empty when the case fires),
 *    and the fields read inside them are there. (No Mustache renderer is a dependency; with the
 *    Alerting plugin, `_execute` renders the real messages and they are checked too.)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { applySetup } from '../../lib/setup/apply';
import { actionsFor, alertMessage, webhookMessage } from '../../lib/setup/alerts';
import { alertWindowMinutes, DETECTIONS, detectionLucene, detectionSearch, fires, monitorFor, triggerScript, windowLucene, type Detection } from '../../lib/setup/detections';
import { lookup, templateVariables } from '../helpers/mustache-vars';
import { indexPattern } from '../../lib/core/indices';
import { expectValid } from '../helpers/schema';
import { expandEntries, type FixtureEntry } from '../helpers/fixture-entries';
import { bulkIndex, cleanup, connect, shiftTimes, skipped, uniquePrefix, type Cluster } from './setup-helpers';

jest.setTimeout(300_000);

interface Case {
  name: string;
  docs: FixtureEntry[];
}
interface Fixture {
  reference_time: string;
  fires: Case[];
  quiet: Case[];
}

const fixture = (d: Detection): Fixture => JSON.parse(readFileSync(join(__dirname, '..', 'fixtures-detections', `${d.id}.json`), 'utf8'));
const slug = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, '');

let c: Cluster;
const prefix = uniquePrefix('det');
const ran = { direct: 0, painless: 0, execute: 0, lucene: 0, variables: 0 };

beforeAll(async () => {
  c = await connect();
  // The real templates, so every field has its real type (ip, boolean, flat_object...).
  await applySetup(c.http, { prefix, detections: true });
  if (!c.hasAlerting) skipped('Alerting _execute runs of every detection', 'opensearch-alerting plugin not loaded; the monitor search body still runs directly');
});
afterAll(async () => {
  console.log(
    `detections: ${ran.direct} cases ran as direct searches, ${ran.painless} trigger conditions in Painless, ${ran.lucene} as the alert's Lucene query, ` +
      `${ran.variables} message variables looked up in real responses, ${ran.execute} through Alerting _execute`,
  );
  await cleanup(c, prefix);
  await c.client.close();
});

const table = DETECTIONS.flatMap((d) => {
  const fx = fixture(d);
  return [
    ...fx.fires.map((k) => [d.id, 'fires', k.name, d, fx, k, true] as const),
    ...fx.quiet.map((k) => [d.id, 'stays quiet on', k.name, d, fx, k, false] as const),
  ];
});

describe('shipped detections', () => {
  it.each(table)('%s %s %s', async (_id, _verb, _name, d, fx, k, shouldFire) => {
    const now = Date.now();
    const docs = expandEntries(k.docs, fx.reference_time).map((doc) => shiftTimes(doc, fx.reference_time, now));
    for (const doc of docs) expectValid(doc);
    // One index per case; `<prefix>-<dataset>-<case>-<day>` still matches the dataset's template.
    const caseIndex = (dataset: string) => `${prefix}-${dataset}-${slug(d.id)}${slug(k.name)}`;
    const errors = await bulkIndex(
      c.client,
      docs.map((doc) => ({ index: `${caseIndex(doc.event.dataset)}-${String(doc['@timestamp']).slice(0, 10).replace(/-/g, '.')}`, doc })),
    );
    expect(errors).toEqual([]);
    const indices = d.datasets.map((ds) => `${caseIndex(ds)}-*`);
    // Monitors search `<prefix>-<dataset>-*`; the case pattern is that pattern narrowed to the case.
    for (const [ds, i] of d.datasets.map((x, n) => [x, indices[n]] as const)) expect(i.startsWith(indexPattern(ds, prefix).slice(0, -1))).toBe(true);

    // A quiet case must be quiet because of its documents, not because nothing was indexed.
    const count = await c.http.request('POST', `/${indices.join(',')}/_count?allow_no_indices=true&ignore_unavailable=true`, { query: { match_all: {} } });
    expect(count.body.count).toBe(docs.filter((doc) => d.datasets.includes(doc.event.dataset)).length);
    expect(count.body.count).toBeGreaterThan(0);

    const periodEnd = Date.now();
    const res = await c.http.request('POST', `/${indices.join(',')}/_search?allow_no_indices=true&ignore_unavailable=true`, detectionSearch(d, String(periodEnd)));
    expect(res.status).toBe(200);
    expect({ case: k.name, fired: fires(d, res.body) }).toEqual({ case: k.name, fired: shouldFire });
    ran.direct++;

    // The trigger condition itself, in Painless on this cluster, over this response (Alerting binds the
    // search responses to ctx.results; the Painless execute API binds params, hence the first statement).
    const trigger = await c.http.request('POST', '/_scripts/painless/_execute', {
      script: { source: `def ctx = params.ctx; ${triggerScript(d)}`, params: { ctx: { results: [res.body] } } },
    });
    expect({ case: k.name, status: trigger.status, result: trigger.body.result }).toEqual({ case: k.name, status: 200, result: String(shouldFire) });
    ran.painless++;

    // The alert's Lucene query, with ctx.periodEnd as Alerting renders it (Instant.toString(): microseconds).
    const isoEnd = new Date(periodEnd).toISOString().replace('Z', '000Z');
    const lucene = `${detectionLucene(d)} AND ${windowLucene(alertWindowMinutes(d), isoEnd)}`;
    const viaLucene = await c.http.request('POST', `/${indices.join(',')}/_count?allow_no_indices=true&ignore_unavailable=true`, { query: { query_string: { query: lucene } } });
    // A newValue detection searches its history: the window's events are its `recent` aggregation. A
    // silence alert's query shows the history (its window is empty by definition), like the search.
    const inWindow = d.threshold.newValue ? res.body.aggregations.recent.doc_count : res.body.hits.total.value;
    expect({ case: k.name, status: viaLucene.status, count: viaLucene.body.count }).toEqual({ case: k.name, status: 200, count: inWindow });
    ran.lucene++;

    // The messages' variables that read the search response, looked up in this real response.
    const context = { ctx: { results: [res.body] } };
    for (const template of [alertMessage(d, prefix, { dashboardsUrl: 'https://dashboards.example.com' }), webhookMessage(d, prefix)]) {
      const vars = templateVariables(template);
      for (const v of vars.filter((x) => x.sections.length === 0 && x.name.startsWith('ctx.results.0.'))) {
        const value = lookup(context, v.name);
        if (v.kind === 'variable') expect({ variable: v.name, type: typeof value }).toEqual({ variable: v.name, type: 'number' });
        else {
          expect({ section: v.name, list: Array.isArray(value) }).toEqual({ section: v.name, list: true });
          const items = value as Record<string, unknown>[];
          if (shouldFire) expect({ section: v.name, empty: items.length === 0 }).toEqual({ section: v.name, empty: false });
          for (const inner of vars.filter((x) => x.sections[x.sections.length - 1] === v.name && x.name !== '.'))
            for (const item of items) {
              // A document field may be absent (rendered empty); the hit or bucket keys themselves may not.
              const path = inner.name.startsWith('_source.') ? '_source' : inner.name;
              expect({ variable: inner.name, present: lookup(item, path) !== undefined }).toEqual({ variable: inner.name, present: true });
            }
        }
        ran.variables++;
      }
    }

    if (c.hasAlerting) {
      // With actions: a dry run renders their messages (and sends nothing, so the channels need not exist).
      const monitor = monitorFor(d, prefix, true, actionsFor(d, prefix, ['slack', 'webhook'], { destinations: {} }));
      monitor.inputs[0].search.indices = indices;
      const exec = await c.http.request('POST', '/_plugins/_alerting/monitors/_execute?dryrun=true', monitor);
      expect(exec.status).toBe(200);
      expect(exec.body.input_results?.error ?? null).toBeNull();
      const triggers = Object.values(exec.body.trigger_results ?? {}) as { triggered: boolean; error?: unknown }[];
      expect(triggers).toHaveLength(1);
      expect({ case: k.name, triggered: triggers[0].triggered, error: triggers[0].error ?? null }).toEqual({ case: k.name, triggered: shouldFire, error: null });
      if (shouldFire) {
        const outputs = Object.values((triggers[0] as { action_results?: Record<string, { output?: { message?: string } }> }).action_results ?? {}).map((a) => a.output?.message ?? '');
        expect(outputs).toHaveLength(2);
        const [text, json] = outputs;
        expect(text).toContain(d.name);
        expect(text).not.toContain('{{');
        expect(JSON.parse(json)).toMatchObject({ detection: d.id, severity: d.severity });
      }
      ran.execute++;
    }
  });
});

/**
 * The same detections over what the CloudTrail parser really emits (its reviewed golden outputs),
 * so a field renamed on either side shows up here. Cases are looked up by name; a missing golden
 * file is reported as skipped.
 */
describe('shipped detections over the CloudTrail parser\'s golden output', () => {
  const golden = join(__dirname, '..', 'fixtures', 'cloudtrail');
  const expectations: [file: string, fired: string[]][] = [
    // Root signs in without MFA and creates an access key (no MFA session: also an IAM change without MFA).
    ['root-activity', ['console-signin-without-mfa', 'root-user-activity', 'iam-changes', 'iam-changes-without-mfa']],
    ['iam-user-console-login-mfa', []],
  ];
  it.each(expectations)('%s fires exactly %j', async (file, fired) => {
    const path = join(golden, `${file}.expected.json`);
    let results: { documents: Record<string, any>[] }[];
    try {
      results = JSON.parse(readFileSync(path, 'utf8'));
    } catch {
      skipped(`detections over cloudtrail/${file}`, `${path} does not exist`);
      return;
    }
    const now = Date.now();
    const docs = results.flatMap((r) => r.documents).map((doc) => shiftTimes(doc, doc.event.ingested ?? doc['@timestamp'], now));
    expect(docs.length).toBeGreaterThan(0);
    const index = `${prefix}-aws.cloudtrail-golden${slug(file)}`;
    expect(await bulkIndex(c.client, docs.map((doc) => ({ index, doc })))).toEqual([]);
    const actual: string[] = [];
    for (const d of DETECTIONS.filter((x) => x.datasets.includes('aws.cloudtrail'))) {
      const res = await c.http.request('POST', `/${index}/_search`, detectionSearch(d, String(Date.now())));
      expect(res.status).toBe(200);
      if (fires(d, res.body)) actual.push(d.id);
    }
    expect(actual.sort()).toEqual([...fired].sort());
  });
});
