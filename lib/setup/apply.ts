/**
 * `tributary setup`: installs, idempotently, everything OpenSearch needs before the first document
 * arrives — component and index templates, least-privilege security roles and their role mappings
 * (`security.ts`), the ISM retention policy, the notification channels of detection alerts
 * (`alerts.ts`), the detection monitors with one action per channel, and the Dashboards saved
 * objects. Each object is read first and written only when it differs, and
 * every object is reported as created / updated / unchanged / skipped (with the reason). Used by
 * the CLI and by the CloudFormation custom resource (`handlers/setup.ts`).
 *
 * Schema upgrades: see `lib/setup/templates.ts` (new daily indices pick up new templates; existing
 * indices keep their mapping). A changed ISM policy is switched onto already managed indices with
 * `change_policy` (takes effect after their current state), so retention changes apply to old days too.
 */
import { actionsFor, applyChannels, channelId, isSetupAction, type AlertOptions } from './alerts';
import type { AlertingAction, ChannelType } from './alerting-api';
import { containsJson, sameJson } from './compare';
import { savedObjects } from './dashboards';
import { DETECTIONS, monitorFor, monitorName } from './detections';
import { expectOk, type SearchHttp } from './http';
import { ismPolicy, policyId, type IsmOptions } from './ism';
import { applySecurity, type SecurityOptions } from './security';
import type { SavedObject } from './saved-objects';
import { componentTemplates, datasetPatterns, indexTemplates, type TemplateOptions } from './templates';
import { createHash } from 'node:crypto';
import { SCHEMA_VERSION } from '../../schemas/index';
import type { DashboardsClient } from './dashboards-client';

/**
 * `failed` is only used for Dashboards saved objects: templates and policies throw instead; `deleted`
 * only for notification channels given as "none".
 */
export type Status = 'created' | 'updated' | 'unchanged' | 'skipped' | 'deleted' | 'failed';

export interface Change {
  kind: 'component_template' | 'index_template' | 'security_role' | 'role_mapping' | 'ism_policy' | 'notification_channel' | 'monitor' | 'saved_object';
  name: string;
  status: Status;
  detail?: string;
}

export interface SetupOptions {
  prefix: string;
  templates?: Omit<TemplateOptions, 'prefix'>;
  ism?: Omit<IsmOptions, 'prefix'>;
  /** Security roles and the role mappings to apply (lists not given are left alone); see `security.ts`. */
  security?: SecurityOptions;
  /** Install the detection monitors enabled (true) or disabled (false). */
  detections: boolean;
  /** Where detection alerts go (`alerts.ts`); without it setup's channels are left as they are. */
  alerts?: AlertOptions;
  /** Compute and report, write nothing. */
  dryRun?: boolean;
  /** Where to import saved objects; without it they are reported as skipped. */
  dashboards?: DashboardsClient;
}

export interface SetupResult {
  changes: Change[];
  plugins: string[];
  dryRun: boolean;
}

/** Plugin component names from `_cat/plugins` (empty on clusters that hide it, e.g. Serverless). */
export async function listPlugins(http: SearchHttp): Promise<string[]> {
  const res = await http.request<{ component: string }[]>('GET', '/_cat/plugins?format=json');
  if (res.status !== 200 || !Array.isArray(res.body)) return [];
  return [...new Set(res.body.map((p) => p.component))].sort();
}

export const ISM_PLUGIN = 'opensearch-index-management';
export const ALERTING_PLUGIN = 'opensearch-alerting';

async function putIfChanged(
  http: SearchHttp,
  kind: 'component_template' | 'index_template',
  name: string,
  wanted: unknown,
  dryRun: boolean,
): Promise<Change> {
  const base = kind === 'component_template' ? '/_component_template/' : '/_index_template/';
  const path = base + encodeURIComponent(name);
  const res = await http.request('GET', path);
  let status: Status = 'created';
  if (res.status === 200) {
    const list = (res.body.component_templates ?? res.body.index_templates) as { name: string; component_template?: unknown; index_template?: unknown }[];
    const current = list?.find((t) => t.name === name);
    const body = current?.component_template ?? current?.index_template;
    if (body !== undefined && sameJson(body, wanted)) return { kind, name, status: 'unchanged' };
    status = 'updated';
  } else expectOk(res, 'GET', path, [404]);
  if (!dryRun) expectOk(await http.request('PUT', path, wanted), 'PUT', path);
  return { kind, name, status };
}

async function applyIsm(http: SearchHttp, o: SetupOptions, plugins: string[]): Promise<Change[]> {
  const id = policyId(o.prefix);
  if (!plugins.includes(ISM_PLUGIN))
    return [{ kind: 'ism_policy', name: id, status: 'skipped', detail: `${ISM_PLUGIN} plugin not installed: indices are kept until deleted by hand` }];
  const wanted = ismPolicy({ prefix: o.prefix, ...o.ism });
  const path = `/_plugins/_ism/policies/${encodeURIComponent(id)}`;
  const res = await http.request('GET', path);
  let status: Status = 'created';
  let query = '';
  if (res.status === 200) {
    if (containsJson(res.body.policy, wanted.policy)) return [{ kind: 'ism_policy', name: id, status: 'unchanged' }];
    status = 'updated';
    query = `?if_seq_no=${res.body._seq_no}&if_primary_term=${res.body._primary_term}`;
  } else expectOk(res, 'GET', path, [404]);
  if (o.dryRun) return [{ kind: 'ism_policy', name: id, status }];
  expectOk(await http.request('PUT', path + query, wanted), 'PUT', path);

  // ism_template only catches indices created from now on: attach the policy to existing unmanaged
  // daily indices, and move already managed ones to the new version of the policy.
  const targets = datasetPatterns(o.prefix).map(encodeURIComponent).join(',');
  const added = await http.request('POST', `/_plugins/_ism/add/${targets}`, { policy_id: id });
  const details = [`attached to ${added.body?.updated_indices ?? 0} existing indices`];
  if (status === 'updated') {
    const changed = await http.request('POST', `/_plugins/_ism/change_policy/${targets}`, { policy_id: id });
    details.push(`switched ${changed.body?.updated_indices ?? 0} managed indices to the new version`);
  }
  return [{ kind: 'ism_policy', name: id, status, detail: details.join('; ') }];
}

type StoredAction = Partial<AlertingAction>;
type StoredTrigger = { name?: string; actions?: StoredAction[] };

interface StoredMonitor {
  _id: string;
  _seq_no?: number;
  _primary_term?: number;
  // Triggers come back wrapped by type (`{ query_level_trigger: {...} }`) or bare, depending on the version.
  monitor: { name: string; enabled?: boolean; ui_metadata?: { tributary?: { hash?: string } }; triggers?: (StoredTrigger & { query_level_trigger?: StoredTrigger })[] };
}

const hashOf = (v: unknown) => createHash('sha256').update(JSON.stringify(v)).digest('hex').slice(0, 16);

async function findMonitor(http: SearchHttp, name: string): Promise<StoredMonitor | undefined> {
  const res = await http.request('POST', '/_plugins/_alerting/monitors/_search', {
    size: 20,
    query: { match_phrase: { 'monitor.name': name } },
  });
  // The config index does not exist before the first monitor: a 404 means "none yet".
  if (res.status === 404) return undefined;
  const hits = (expectOk(res, 'POST', '/_plugins/_alerting/monitors/_search').hits?.hits ?? []) as { _id: string; _source?: Record<string, unknown> }[];
  // Hits carry the monitor either bare or under `monitor`, depending on the plugin version.
  const hit = hits.find((h) => ((h._source?.monitor as { name?: string } | undefined)?.name ?? h._source?.name) === name);
  if (!hit) return undefined;
  // The GET API gives seq_no/primary_term for a conditional update, and the full stored monitor.
  const path = `/_plugins/_alerting/monitors/${encodeURIComponent(hit._id)}`;
  return expectOk(await http.request<StoredMonitor>('GET', path), 'GET', path);
}

/**
 * Creates or updates the detection monitors, each trigger with one action per channel in `channels`
 * (setup's own actions are replaced, others kept); reports each monitor.
 * @example await applyMonitors(http, { prefix: 'logs', detections: true }, ['opensearch-alerting'], ['sns'])
 */
export async function applyMonitors(http: SearchHttp, o: SetupOptions, plugins: string[], channels: ChannelType[]): Promise<Change[]> {
  if (!plugins.includes(ALERTING_PLUGIN)) {
    return DETECTIONS.map((d) => ({
      kind: 'monitor' as const,
      name: monitorName(o.prefix, d),
      status: 'skipped' as const,
      detail: `${ALERTING_PLUGIN} plugin not installed`,
    }));
  }
  const out: Change[] = [];
  const state = o.detections ? 'enabled' : 'disabled';
  const detail = channels.length ? `${state}; notifies ${channels.map((t) => channelId(o.prefix, t)).join(', ')}` : state;
  for (const d of DETECTIONS) {
    const name = monitorName(o.prefix, d);
    const monitor = monitorFor(d, o.prefix, o.detections, actionsFor(d, o.prefix, channels, o.alerts));
    // The stored monitor comes back re-serialized (query defaults filled in, triggers wrapped), so
    // the definition's hash, kept in ui_metadata, is what tells "same definition" apart. Without
    // channels the definition (actions: []) hashes as it did before channels existed.
    const { enabled: _enabled, ...definition } = monitor;
    const hash = hashOf({ definition, schema: SCHEMA_VERSION });
    const wanted = { ...monitor, ui_metadata: { tributary: { ...(monitor.ui_metadata?.tributary as object | undefined), hash, detection: d.id } } };
    const existing = await findMonitor(http, name);
    const stored = (existing?.monitor.triggers ?? []).map((t) => t.query_level_trigger ?? t);
    // Setup's own actions as stored: someone deleting one in Alerting makes the monitor differ too.
    const ownStored = stored.flatMap((t) => t.actions ?? []).filter((a) => isSetupAction(o.prefix, a)).map((a) => String(a.destination_id)).sort();
    const ownWanted = monitor.triggers.flatMap((t) => t.actions).map((a) => a.destination_id).sort();
    if (existing && existing.monitor.ui_metadata?.tributary?.hash === hash && existing.monitor.enabled === o.detections && sameJson(ownStored, ownWanted)) {
      out.push({ kind: 'monitor', name, status: 'unchanged', detail });
      continue;
    }
    const status: Status = existing ? 'updated' : 'created';
    if (!o.dryRun) {
      if (existing) {
        // Setup's actions are replaced by the wanted ones; actions people attached to other channels are kept.
        const triggers = monitor.triggers.map((t) => ({
          ...t,
          actions: [...t.actions, ...(stored.find((s) => s.name === t.name)?.actions ?? []).filter((a) => !isSetupAction(o.prefix, a))],
        }));
        const q = existing._seq_no !== undefined ? `?if_seq_no=${existing._seq_no}&if_primary_term=${existing._primary_term}` : '';
        const path = `/_plugins/_alerting/monitors/${encodeURIComponent(existing._id)}${q}`;
        expectOk(await http.request('PUT', path, { ...wanted, triggers }), 'PUT', path);
      } else {
        expectOk(await http.request('POST', '/_plugins/_alerting/monitors?refresh=true', wanted), 'POST', '/_plugins/_alerting/monitors');
      }
    }
    out.push({ kind: 'monitor', name, status, detail });
  }
  return out;
}

async function applySavedObjects(o: SetupOptions): Promise<Change[]> {
  const objects = savedObjects(o.prefix);
  if (!o.dashboards) {
    return [{ kind: 'saved_object', name: `${objects.length} objects`, status: 'skipped', detail: 'no --dashboards-url' }];
  }
  // Dashboards trouble (auth, tenant, not reachable) must not undo the templates already applied:
  // it is reported as `failed` with the reason, and the caller decides (the CLI exits 1).
  try {
    return await importChanged(o.dashboards, objects, !!o.dryRun);
  } catch (e) {
    return [{ kind: 'saved_object', name: `${objects.length} objects`, status: 'failed', detail: (e as Error).message }];
  }
}

async function importChanged(dashboards: DashboardsClient, objects: SavedObject[], dryRun: boolean): Promise<Change[]> {
  const current = await dashboards.bulkGet(objects.map((x) => ({ type: x.type, id: x.id })));
  const changes: Change[] = [];
  const toImport: SavedObject[] = [];
  objects.forEach((obj, i) => {
    const cur = current[i];
    const name = `${obj.type}:${obj.id}`;
    if (!cur) {
      changes.push({ kind: 'saved_object', name, status: 'created' });
      toImport.push(obj);
      // Dashboards adds `fields` to index patterns and may add defaults: wanted ⊆ stored is "same".
    } else if (containsJson(cur.attributes, obj.attributes) && sameJson(cur.references ?? [], obj.references)) {
      changes.push({ kind: 'saved_object', name, status: 'unchanged' });
    } else {
      changes.push({ kind: 'saved_object', name, status: 'updated' });
      toImport.push(obj);
    }
  });
  if (toImport.length && !dryRun) await dashboards.importObjects(toImport);
  return changes;
}

/** Applies everything; throws on the first error the cluster reports (with its reason). */
export async function applySetup(http: SearchHttp, o: SetupOptions): Promise<SetupResult> {
  const dryRun = !!o.dryRun;
  const plugins = await listPlugins(http);
  const changes: Change[] = [];
  for (const [name, body] of Object.entries(componentTemplates({ prefix: o.prefix, ...o.templates })))
    changes.push(await putIfChanged(http, 'component_template', name, body, dryRun));
  // Index templates after their components: OpenSearch rejects a template composed of a missing one.
  for (const [name, body] of Object.entries(indexTemplates({ prefix: o.prefix, ...o.templates })))
    changes.push(await putIfChanged(http, 'index_template', name, body, dryRun));
  // After the templates: a mapped indexer must never create a day's index before its template exists.
  changes.push(...(await applySecurity(http, o.prefix, o.security, dryRun)));
  changes.push(...(await applyIsm(http, o, plugins)));
  // Channels before the monitors that name them; channels given as "none" are deleted once no monitor does.
  const channels = await applyChannels(http, o.prefix, o.alerts, plugins, dryRun);
  changes.push(...channels.changes);
  changes.push(...(await applyMonitors(http, o, plugins, channels.active)));
  changes.push(...(await channels.finish()));
  changes.push(...(await applySavedObjects(o)));
  return { changes, plugins, dryRun };
}

/** One line per object plus a summary, for the CLI and the custom resource's log. */
export function formatResult(r: SetupResult): string[] {
  const verb: Record<Status, string> = r.dryRun
    ? { created: 'would create', updated: 'would update', unchanged: 'unchanged', skipped: 'skipped', deleted: 'would delete', failed: 'FAILED' }
    : { created: 'created', updated: 'updated', unchanged: 'unchanged', skipped: 'skipped', deleted: 'deleted', failed: 'FAILED' };
  const lines = r.changes.map((c) => `${verb[c.status].padEnd(12)} ${c.kind.padEnd(20)} ${c.name}${c.detail ? `  (${c.detail})` : ''}`);
  const count = (s: Status) => r.changes.filter((c) => c.status === s).length;
  lines.push(
    `${r.dryRun ? 'dry run: ' : ''}${count('created')} created, ${count('updated')} updated, ${count('unchanged')} unchanged, ${count('skipped')} skipped` +
      (count('deleted') ? `, ${count('deleted')} deleted` : '') +
      (count('failed') ? `, ${count('failed')} FAILED` : ''),
  );
  return lines;
}
