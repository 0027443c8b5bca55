/**
 * An in-memory stand-in for the REST API of the Notifications and Alerting plugins, used where no
 * cluster can run them (their zips are not on Maven Central): `test/unit/setup-alerts.test.ts`
 * drives setup's channel and monitor logic through it. It follows the documented API (Notifications
 * API: `config_list` answers, 404 for an unknown `config_id`; Alerting API: monitors stored with
 * triggers wrapped as `query_level_trigger`, action ids assigned, `if_seq_no` concurrency) and
 * refuses what the plugins' parsers refuse (an unknown action field, a non-mustache template, a
 * throttle that is not positive MINUTES or enabled without a value, an unknown channel type).
 * It is stricter than the plugins in two places, on purpose, to catch ordering mistakes: a monitor
 * may only name an existing channel, and a channel named by a monitor cannot be deleted.
 * Wherever the real plugins are loaded, `test/integration/setup.test.ts` runs the same flow on them.
 */
import type { HttpResponse, SearchHttp } from '../../lib/setup/http';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON bodies of a REST API
type Json = any;

/** The fields `Action.parse` (OpenSearch common-utils) accepts; any other is "Unexpected field". */
export const ACTION_FIELDS = ['id', 'name', 'destination_id', 'subject_template', 'message_template', 'throttle_enabled', 'throttle', 'action_execution_policy'];
const CONFIG_TYPES = ['sns', 'slack', 'chime', 'webhook', 'microsoft_teams', 'email', 'email_group', 'smtp_account', 'ses_account'];

const error = (status: number, reason: string): HttpResponse => ({ status, body: { error: { type: 'status_exception', reason }, status } });

export class AlertingStandIn implements SearchHttp {
  readonly channels = new Map<string, { config: Json; created: number }>();
  readonly monitors = new Map<string, { monitor: Json; seqNo: number }>();
  readonly calls: string[] = [];
  plugins = ['opensearch-alerting', 'opensearch-notifications', 'opensearch-notifications-core'];
  private nextId = 1;
  private seqNo = 0;

  async request<T = Json>(method: string, path: string, body?: unknown): Promise<HttpResponse<T>> {
    this.calls.push(`${method} ${path}`);
    return this.handle(method, path, JSON.parse(JSON.stringify(body ?? null))) as HttpResponse<T>;
  }

  private handle(method: string, fullPath: string, body: Json): HttpResponse {
    const [path, query = ''] = fullPath.split('?');
    const params = new URLSearchParams(query);
    if (method === 'GET' && path === '/_cat/plugins') return { status: 200, body: this.plugins.map((component) => ({ component })) };

    const channel = path.match(/^\/_plugins\/_notifications\/configs(?:\/([^/]+))?\/?$/);
    if (channel) {
      const id = channel[1] && decodeURIComponent(channel[1]);
      const stored = id ? this.channels.get(id) : undefined;
      if (method === 'GET') {
        if (!stored) return error(404, `Config ${id} not found`);
        return { status: 200, body: { start_index: 0, total_hits: 1, total_hit_relation: 'eq', config_list: [{ config_id: id, created_time_ms: stored.created, last_updated_time_ms: Date.now(), config: stored.config }] } };
      }
      if (method === 'POST' && !id) {
        const problem = this.badConfig(body?.config);
        if (problem) return error(400, problem);
        const newId = body.config_id ?? `generated-${this.nextId++}`;
        if (this.channels.has(newId)) return error(409, `config ${newId} already exists`);
        this.channels.set(newId, { config: { ...body.config, is_enabled: body.config.is_enabled ?? true }, created: Date.now() });
        return { status: 200, body: { config_id: newId } };
      }
      if (method === 'PUT' && id) {
        if (!stored) return error(404, `Config ${id} not found`);
        const problem = this.badConfig(body?.config);
        if (problem) return error(400, problem);
        this.channels.set(id, { config: { ...body.config, is_enabled: body.config.is_enabled ?? true }, created: stored.created });
        return { status: 200, body: { config_id: id } };
      }
      if (method === 'DELETE' && id) {
        if (!stored) return error(404, `Config ${id} not found`);
        const user = [...this.monitors.values()].find((m) => this.actionsOf(m.monitor).some((a: Json) => a.destination_id === id));
        if (user) return error(409, `channel ${id} is used by monitor ${user.monitor.name}`);
        this.channels.delete(id);
        return { status: 200, body: { delete_response_list: { [id]: 'OK' } } };
      }
    }

    if (method === 'POST' && path === '/_plugins/_alerting/monitors/_search') {
      // Before the first monitor the config index does not exist.
      if (!this.monitors.size) return error(404, 'no such index [.opendistro-alerting-config]');
      const phrase: string = body?.query?.match_phrase?.['monitor.name'] ?? '';
      const hits = [...this.monitors.entries()].filter(([, m]) => m.monitor.name.includes(phrase)).map(([id, m]) => ({ _id: id, _source: { monitor: m.monitor } }));
      return { status: 200, body: { hits: { total: { value: hits.length }, hits } } };
    }
    const monitor = path.match(/^\/_plugins\/_alerting\/monitors(?:\/([^/]+))?$/);
    if (monitor) {
      const id = monitor[1] && decodeURIComponent(monitor[1]);
      if (method === 'GET' && id) {
        const m = this.monitors.get(id);
        if (!m) return error(404, 'Monitor not found.');
        return { status: 200, body: { _id: id, _version: 1, _seq_no: m.seqNo, _primary_term: 1, monitor: m.monitor } };
      }
      if ((method === 'POST' && !id) || (method === 'PUT' && id)) {
        if (id) {
          const m = this.monitors.get(id);
          if (!m) return error(404, 'Monitor not found.');
          if (params.has('if_seq_no') && Number(params.get('if_seq_no')) !== m.seqNo) return error(409, 'version conflict');
        }
        const problem = this.badMonitor(body);
        if (problem) return error(400, problem);
        const newId = id ?? `monitor-${this.nextId++}`;
        this.monitors.set(newId, { monitor: this.stored(body), seqNo: ++this.seqNo });
        return { status: id ? 200 : 201, body: { _id: newId, monitor: this.stored(body) } };
      }
    }
    return error(400, `no handler found for uri [${fullPath}] and method [${method}]`);
  }

  private actionsOf(monitor: Json): Json[] {
    return (monitor.triggers ?? []).flatMap((t: Json) => (t.query_level_trigger ?? t).actions ?? []);
  }

  /** As Alerting stores a monitor: triggers wrapped by type, every action with an id. */
  private stored(body: Json): Json {
    return {
      ...body,
      triggers: body.triggers.map((t: Json) => ({
        query_level_trigger: { id: `trigger-${this.nextId++}`, ...t, actions: t.actions.map((a: Json) => ({ id: a.id ?? `action-${this.nextId++}`, ...a })) },
      })),
    };
  }

  private badConfig(c: Json): string | undefined {
    if (!c || typeof c.name !== 'string' || !c.name) return 'config.name is required';
    if (!CONFIG_TYPES.includes(c.config_type)) return `unknown config_type ${c.config_type}`;
    const detail = c[c.config_type];
    if (!detail) return `config.${c.config_type} is required for config_type ${c.config_type}`;
    if (c.config_type === 'sns' && typeof detail.topic_arn !== 'string') return 'sns.topic_arn is required';
    if (['slack', 'chime', 'webhook', 'microsoft_teams'].includes(c.config_type)) {
      if (typeof detail.url !== 'string') return 'url is required';
      // The plugin validates the URL and (like many servers) echoes what it refused.
      if (detail.url.includes('reject')) return `Invalid URL or unresolvable host ${detail.url}`;
    }
    return undefined;
  }

  private badMonitor(m: Json): string | undefined {
    if (m.monitor_type !== 'query_level_monitor' || m.type !== 'monitor') return 'not a query-level monitor';
    for (const t of m.triggers ?? []) {
      if (!['1', '2', '3', '4', '5'].includes(t.severity)) return `severity ${t.severity}`;
      for (const a of t.actions ?? []) {
        const unexpected = Object.keys(a).find((k) => !ACTION_FIELDS.includes(k));
        if (unexpected) return `Unexpected field: ${unexpected}, while parsing action`;
        if (typeof a.name !== 'string' || typeof a.destination_id !== 'string') return 'Action name / Destination id is null';
        if (a.message_template?.lang !== 'mustache') return 'message_template must be a mustache script';
        if (a.subject_template && a.subject_template.lang !== 'mustache') return 'subject_template must be a mustache script';
        if (a.throttle_enabled && !a.throttle) return 'Action throttle enabled but not set throttle value';
        if (a.throttle && (a.throttle.unit !== 'MINUTES' || !(Number.isInteger(a.throttle.value) && a.throttle.value > 0)))
          return 'Only support MINUTES throttle unit currently / Can only set positive throttle period';
        if (!this.channels.has(a.destination_id)) return `channel ${a.destination_id} does not exist`;
      }
    }
    return undefined;
  }
}
