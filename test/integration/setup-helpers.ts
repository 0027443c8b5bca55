/* eslint-disable @typescript-eslint/no-explicit-any -- untyped JSON from OpenSearch and fixture files */
/** Shared by the setup and detection integration tests: a real OpenSearch, a unique prefix per run. */
import { Client } from '@opensearch-project/opensearch';
import { CHANNEL_TYPES, NOTIFICATIONS_PLUGIN, channelId } from '../../lib/setup/alerts';
import { ALERTING_PLUGIN, ISM_PLUGIN, listPlugins } from '../../lib/setup/apply';
import { DETECTIONS, monitorName } from '../../lib/setup/detections';
import { fromClient, type SearchHttp } from '../../lib/setup/http';
import { policyId } from '../../lib/setup/ism';

export function openSearchUrl(): string {
  const url = process.env.OPENSEARCH_URL;
  if (!url) throw new Error('OPENSEARCH_URL is not set: start the services (npm run services start) or point it at a test cluster');
  return url;
}

export interface Cluster {
  client: Client;
  http: SearchHttp;
  plugins: string[];
  hasIsm: boolean;
  hasAlerting: boolean;
  hasNotifications: boolean;
}

export async function connect(): Promise<Cluster> {
  const client = new Client({ node: openSearchUrl() });
  const http = fromClient(client);
  const plugins = await listPlugins(http);
  return { client, http, plugins, hasIsm: plugins.includes(ISM_PLUGIN), hasAlerting: plugins.includes(ALERTING_PLUGIN), hasNotifications: plugins.includes(NOTIFICATIONS_PLUGIN) };
}

/** Lower-case, dash-free, unique per run: other suites share the server. */
export const uniquePrefix = (tag: string) => `t${tag}${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;

/** Says loudly that an assertion did not run, and why. */
export function skipped(what: string, reason: string): void {
  console.warn(`SKIPPED: ${what} — ${reason}`);
}

/** Shifts the times of a fixture document so that `reference` maps to `now`, keeping the gaps. */
export function shiftTimes<T>(doc: T, reference: string, now: number): T {
  const delta = now - Date.parse(reference);
  const copy = JSON.parse(JSON.stringify(doc)) as Record<string, any>;
  const shift = (v: unknown) => (typeof v === 'string' && !Number.isNaN(Date.parse(v)) ? new Date(Date.parse(v) + delta).toISOString() : v);
  copy['@timestamp'] = shift(copy['@timestamp']);
  for (const k of ['ingested', 'created', 'start', 'end']) if (copy.event?.[k] !== undefined) copy.event[k] = shift(copy.event[k]);
  return copy as T;
}

export interface BulkItemError {
  index: string;
  id?: string;
  type: string;
  reason: string;
}

/** Indexes documents (index per document) with refresh; returns the per-item errors. */
export async function bulkIndex(client: Client, docs: { index: string; id?: string; doc: unknown }[]): Promise<BulkItemError[]> {
  if (!docs.length) return [];
  const body = docs.flatMap((d) => [{ index: { _index: d.index, ...(d.id ? { _id: d.id } : {}) } }, d.doc]);
  const res = await client.bulk({ body: body as never, refresh: 'true' as never });
  const items = (res.body as { items: Record<string, { _index: string; _id: string; error?: { type: string; reason: string } }>[] }).items;
  return items
    .map((i) => Object.values(i)[0])
    .filter((i) => i.error)
    .map((i) => ({ index: i._index, id: i._id, type: i.error!.type, reason: i.error!.reason }));
}

/** Removes everything a run created under its prefix. */
export async function cleanup(c: Cluster, prefix: string): Promise<void> {
  await c.http.request('DELETE', `/${prefix}-*?expand_wildcards=all`);
  const it = await c.http.request('GET', `/_index_template/${prefix}-*`);
  for (const t of it.body?.index_templates ?? []) await c.http.request('DELETE', `/_index_template/${t.name}`);
  const ct = await c.http.request('GET', `/_component_template/${prefix}-*`);
  for (const t of ct.body?.component_templates ?? []) await c.http.request('DELETE', `/_component_template/${t.name}`);
  if (c.hasIsm) await c.http.request('DELETE', `/_plugins/_ism/policies/${policyId(prefix)}`);
  if (c.hasAlerting) {
    for (const d of DETECTIONS) {
      const res = await c.http.request('POST', '/_plugins/_alerting/monitors/_search', { size: 20, query: { match_phrase: { 'monitor.name': monitorName(prefix, d) } } });
      for (const h of res.body?.hits?.hits ?? []) await c.http.request('DELETE', `/_plugins/_alerting/monitors/${h._id}`);
    }
  }
  // After the monitors that name them.
  if (c.hasNotifications) for (const t of CHANNEL_TYPES) await c.http.request('DELETE', `/_plugins/_notifications/configs/${channelId(prefix, t)}`);
}
