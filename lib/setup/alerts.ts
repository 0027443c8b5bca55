/**
 * Detection alerts that reach people: the Notifications channels setup owns (Amazon SNS, Slack, Amazon
 * Chime, a custom webhook) and the action each detection monitor's trigger gets per channel.
 *
 * Channels. Setup owns one channel per type and index prefix, with a fixed `config_id`
 * (`tributary-<prefix>-<type>`), so it finds its own again: a destination given is created or
 * updated (read first, written only when it differs, like the rest of setup), one given as "none"
 * is deleted (after the monitors no longer name it), one not given is left as it is — so the stack's
 * setup, which only knows the SNS topic, never removes a Slack channel an operator added with the CLI.
 *
 * Actions. Every monitor trigger gets one action per channel in effect; actions pointing at other
 * channels (added by people in Alerting) are kept on update. Each action carries the detection's
 * name, severity, the number of matching events (and the groups over the threshold, or the latest
 * events), the period, what the detection means, the Lucene query that fired (with a Discover link
 * when the Dashboards URL is known) and is throttled: by default to the detection's window, the time
 * one event keeps the trigger firing (a query-level alert stays active, and notifies on every run,
 * while the condition holds), so an event is announced once and a later one is announced again.
 *
 * Secrets. Webhook URLs are credentials: they are never put in a change's detail, a log line or an
 * error (an OpenSearch error that echoes one is redacted). The Notifications plugin itself stores them
 * in plain text in its config index, readable by whoever may read channels (its documentation says
 * so): grant `cluster:admin/opensearch/notifications/*` only to administrators.
 */
import type { AlertConfig, AlertDestinations } from '../io/config';
import type { AlertingAction, ChannelBody, ChannelConfig, ChannelType, MustacheScript } from './alerting-api';
import { containsJson, sameJson } from './compare';
import { indexPatternId } from './dashboards';
import { INTERVAL_MINUTES, alertWindowMinutes, attackUrl, detectionLucene, searchesHistory, windowLucene, type Detection } from './detections';
import { OpenSearchError, expectOk, type SearchHttp } from './http';

export type { AlertDestinations } from '../io/config';

/** `_cat/plugins` component of the Notifications plugin (Alerting sends through it since OpenSearch 2.0). */
export const NOTIFICATIONS_PLUGIN = 'opensearch-notifications';

/** Every channel type setup manages, in the order it writes them. */
export const CHANNEL_TYPES: readonly ChannelType[] = ['sns', 'slack', 'chime', 'webhook'];

/** Alert options of one setup run: the destinations and throttle from the configuration, and where Dashboards is. */
export interface AlertOptions extends AlertConfig {
  /** OpenSearch Dashboards base URL (on Amazon OpenSearch Service `https://<endpoint>/_dashboards`): messages link to Discover. */
  dashboardsUrl?: string;
}

/**
 * The `config_id` of setup's channel of one type.
 * @example channelId('logs', 'sns') // 'tributary-logs-sns'
 */
export const channelId = (prefix: string, type: ChannelType): string => `tributary-${prefix}-${type}`;

const CHANNEL_NAMES: Record<ChannelType, string> = { sns: 'Amazon SNS', slack: 'Slack', chime: 'Amazon Chime', webhook: 'custom webhook' };

/**
 * The channel body setup writes for a destination (`POST /_plugins/_notifications/configs`).
 * @example channelBody('logs', 'sns', { sns: { topicArn: 'arn:aws:sns:eu-west-1:111122223333:tributary-prod-detections', roleArn: 'arn:aws:iam::111122223333:role/tributary-prod-publish' } })
 */
export function channelBody(prefix: string, type: ChannelType, d: AlertDestinations): ChannelBody {
  const config: ChannelConfig = {
    name: `Tributary detections (${prefix}): ${CHANNEL_NAMES[type]}`,
    description: `Detection alerts of the ${prefix}-* indices; managed by tributary setup from its parameters, changes are overwritten`,
    config_type: type,
    is_enabled: true,
  };
  const url = (v: string | null | undefined) => {
    if (!v) throw new Error(`no ${type} URL given`);
    return v;
  };
  if (type === 'sns') {
    if (!d.sns) throw new Error('no SNS topic given');
    // Without role_arn the plugin publishes with the node's own credentials (a self-managed cluster on EC2).
    config.sns = { topic_arn: d.sns.topicArn, ...(d.sns.roleArn ? { role_arn: d.sns.roleArn } : {}) };
  } else if (type === 'slack') config.slack = { url: url(d.slack) };
  else if (type === 'chime') config.chime = { url: url(d.chime) };
  // The webhook message is a JSON document (webhookMessage), so the receiver is told so.
  else config.webhook = { url: url(d.webhook), method: 'POST', header_params: { 'Content-Type': 'application/json' } };
  return { config_id: channelId(prefix, type), config };
}

// ---------------------------------------------------------------------------------------------------
// Messages. Mustache, rendered by Alerting with the documented trigger context: ctx.monitor.name,
// ctx.trigger.{name,severity}, ctx.periodStart/End, ctx.results.0 (the monitor's search response:
// `ctx.results.0`, not `ctx.results[0]`), ctx.error. Values are JSON-escaped by Alerting's Mustache
// (its default content type), which keeps the webhook's JSON valid. Every variable used here is
// checked against the documented context (unit) and against real search responses (integration).

const SEVERITY_LABEL: Record<Detection['severity'], string> = { '1': 'highest', '2': 'high', '3': 'medium', '4': 'low', '5': 'lowest' };

/** The Mustache path of the matching-event count in the monitor's search response. */
export const COUNT_VARIABLE = 'ctx.results.0.hits.total.value';
/** A `newValue` detection searches its whole history: the window's events are its `recent` count. */
export const RECENT_COUNT_VARIABLE = 'ctx.results.0.aggregations.recent.doc_count';
/** Inside a group of a `newValue` detection: the values new for that group. */
export const NEW_VALUES_SECTION = 'by_value.buckets';
/** The number of matching events in the window, as the messages read it from the search response. */
export const countVariable = (d: Detection): string => (searchesHistory(d) ? RECENT_COUNT_VARIABLE : COUNT_VARIABLE);
/** The sections the messages iterate: the groups over the threshold, or the latest matching documents. */
export const GROUPS_SECTION = 'ctx.results.0.aggregations.by_group.buckets';
export const HITS_SECTION = 'ctx.results.0.hits.hits';

/** The index pattern a person searches for a detection: its dataset's, or all of the prefix's. */
function patternOf(d: Detection, prefix: string): { id: string; title: string } {
  if (d.datasets.length === 1) return { id: indexPatternId(prefix, d.datasets[0]), title: `${prefix}-${d.datasets[0]}-*` };
  return { id: indexPatternId(prefix, 'all'), title: `${prefix}-*` };
}

/** The search that fired: the detection's filter within the monitor period's window, periodEnd left to Alerting. */
export function alertLucene(d: Detection): string {
  return `${detectionLucene(d)} AND ${windowLucene(alertWindowMinutes(d), '{{ctx.periodEnd}}')}`;
}

const MUSTACHE_TAG = /(\{\{[^}]*\}\})/;

/** Percent-encodes a URL part, leaving Mustache tags for Alerting to fill (their values are ISO times: URL-safe). */
function encodeKeepingTags(s: string): string {
  return s
    .split(MUSTACHE_TAG)
    .map((part, i) => (i % 2 ? part : encodeURIComponent(part)))
    .join('');
}

/** A Rison string literal (the URL state format of Dashboards): `'` and `!` escaped with `!`. */
const rison = (s: string) => `'${s.replace(/[!']/g, (c) => `!${c}`)}'`;

/**
 * A Discover link that runs the alert's search on the detection's index pattern. The time picker
 * covers the last 30 days (Discover filters on `@timestamp`, which may be well before ingestion); the
 * query itself pins the monitor's window on `event.ingested`, so the link shows exactly what fired.
 * @example discoverUrl(DETECTIONS[0], 'logs', 'https://search-logs.eu-west-1.es.amazonaws.com/_dashboards')
 */
export function discoverUrl(d: Detection, prefix: string, dashboardsUrl: string): string {
  const g = '(time:(from:now-30d,to:now))';
  const a = `(index:${rison(patternOf(d, prefix).id)},query:(language:lucene,query:${rison(alertLucene(d))}))`;
  return `${dashboardsUrl.replace(/\/+$/, '')}/app/discover#/?_g=${encodeKeepingTags(g)}&_a=${encodeKeepingTags(a)}`;
}

/** Minutes between two notifications of one active alert (0: none). */
export const throttleOf = (d: Detection, o: Pick<AlertOptions, 'throttleMinutes'> | undefined): number => o?.throttleMinutes ?? d.windowMinutes;

/**
 * The SNS subject (also the e-mail subject of SNS e-mail subscriptions): plain ASCII, one line, under
 * SNS's 100 characters, no variables (it must read well in a mail list).
 * @example alertSubject(DETECTIONS[1], 'logs') // 'Tributary [logs] severity 1: Root user activity'
 */
export function alertSubject(d: Detection, prefix: string): string {
  const s = `Tributary [${prefix}] severity ${d.severity}: ${d.name}`.replace(/[^\x20-\x7e]/g, '?');
  return s.length > 99 ? `${s.slice(0, 98)}~` : s;
}

/**
 * The human message (SNS, Slack, Chime): what fired, how bad, how many, which ones, what it means,
 * and the search to run.
 * @example alertMessage(DETECTIONS[0], 'logs', { destinations: {}, dashboardsUrl: 'https://dashboards.example.com' })
 */
export function alertMessage(d: Detection, prefix: string, o?: Pick<AlertOptions, 'throttleMinutes' | 'dashboardsUrl'>): string {
  const pattern = patternOf(d, prefix);
  const { count, groupBy, distinct, newValue, silence } = d.threshold;
  const throttle = throttleOf(d, o);
  const lines = [
    `Tributary detection fired: ${d.name}`,
    `Severity ${d.severity} (${SEVERITY_LABEL[d.severity]}), index prefix ${prefix}`,
    `MITRE ATT&CK ${d.attack.id} ${d.attack.name} (${attackUrl(d.attack)})`,
    `Runbook: ${d.runbook}`,
    '',
    `Matching events ingested in the ${d.windowMinutes} minutes before {{ctx.periodEnd}}: {{${countVariable(d)}}}`,
  ];
  if (groupBy && silence) {
    lines.push(
      `${groupBy} values with events in the previous ${silence.historyHours} hours and none in the last ${d.windowMinutes} minutes:`,
      `{{#${GROUPS_SECTION}}}- {{key}}: last ingested {{last_seen.value_as_string}} ({{doc_count}} events in ${silence.historyHours} hours)`,
      `{{/${GROUPS_SECTION}}}`,
    );
  } else if (groupBy && newValue) {
    lines.push(
      `${groupBy} values with a ${newValue.field} not seen in their previous ${newValue.historyDays} days:`,
      `{{#${GROUPS_SECTION}}}- {{key}} ({{doc_count}} events in ${newValue.historyDays} days), new: ` +
        `{{#${NEW_VALUES_SECTION}}}{{key}} (first {{first_seen.value_as_string}}, {{doc_count}} events) {{/${NEW_VALUES_SECTION}}}`,
      `{{/${GROUPS_SECTION}}}`,
    );
  } else if (groupBy && distinct) {
    lines.push(
      `${groupBy} values by distinct ${distinct} (${count} or more fire):`,
      `{{#${GROUPS_SECTION}}}- {{key}}: {{distinct.value}} distinct ({{doc_count}} events)`,
      `{{/${GROUPS_SECTION}}}`,
    );
  } else if (groupBy) {
    lines.push(
      `${groupBy} values with ${count} or more of them:`,
      `{{#${GROUPS_SECTION}}}- {{key}}: {{doc_count}} events`,
      `{{/${GROUPS_SECTION}}}`,
    );
  } else {
    lines.push(
      'Latest (at most 5):',
      `{{#${HITS_SECTION}}}- {{_source.@timestamp}} account {{_source.cloud.account.id}} {{_source.cloud.region}} {{_source.event.action}}` +
        '{{#_source.user.name}} by {{.}}{{/_source.user.name}}{{#_source.source.ip}} from {{.}}{{/_source.source.ip}} ({{_index}}, _id {{_id}})',
      `{{/${HITS_SECTION}}}`,
    );
  }
  lines.push(
    `What it means: ${d.description}`,
    '',
    `Search it (Lucene, index pattern ${pattern.title}):`,
    alertLucene(d),
    ...(o?.dashboardsUrl ? [`Open in Discover: ${discoverUrl(d, prefix, o.dashboardsUrl)}`] : []),
    '',
    `Monitor "{{ctx.monitor.name}}" (every ${INTERVAL_MINUTES} minutes), period {{ctx.periodStart}} to {{ctx.periodEnd}}.`,
    '{{#ctx.error}}The monitor reported an error: {{.}}{{/ctx.error}}',
    throttle
      ? `While the alert stays active it is repeated at most every ${throttle} minutes; acknowledge it in Alerting to stop the reminders.`
      : 'While the alert stays active it is repeated on every run; acknowledge it in Alerting to stop the reminders.',
  );
  return lines.join('\n');
}

/** What the webhook's `groups` field says of one group, by the kind of threshold. */
function groupValue(t: Detection['threshold']): string {
  if (t.silence) return '{{last_seen.value_as_string}}';
  if (t.newValue) return `{{#${NEW_VALUES_SECTION}}}{{key}},{{/${NEW_VALUES_SECTION}}}`;
  if (t.distinct) return '{{distinct.value}}';
  return '{{doc_count}}';
}

/** A JSON string literal's content: what JSON.stringify writes between the quotes (Mustache tags are unaffected). */
const jsonText = (s: string) => JSON.stringify(s).slice(1, -1);

/**
 * The custom webhook's message: one JSON object. Every Mustache tag sits inside a JSON string and
 * Alerting JSON-escapes the values it inserts, so any rendering is valid JSON.
 * @example JSON.parse(webhookMessage(DETECTIONS[0], 'logs').replace(/\{\{[^}]*\}\}/g, '')).detection // 'console-signin-without-mfa'
 */
export function webhookMessage(d: Detection, prefix: string, o?: Pick<AlertOptions, 'dashboardsUrl'>): string {
  const field = (k: string, v: string) => `"${k}":"${v}"`;
  const list = d.threshold.groupBy
    ? `{{#${GROUPS_SECTION}}}{{key}}=${groupValue(d.threshold)} {{/${GROUPS_SECTION}}}`
    : `{{#${HITS_SECTION}}}{{_index}}/{{_id}} {{/${HITS_SECTION}}}`;
  const fields = [
    field('source', 'tributary'),
    field('detection', jsonText(d.id)),
    field('name', jsonText(d.name)),
    field('severity', d.severity),
    field('attack_technique_id', jsonText(d.attack.id)),
    field('attack_technique', jsonText(d.attack.name)),
    field('runbook', jsonText(d.runbook)),
    field('index_prefix', jsonText(prefix)),
    field('monitor', '{{ctx.monitor.name}}'),
    field('period_start', '{{ctx.periodStart}}'),
    field('period_end', '{{ctx.periodEnd}}'),
    // A string, not a number: when the context carries no results the document must still parse.
    field('matching_events', `{{${countVariable(d)}}}`),
    field(d.threshold.groupBy ? 'groups' : 'latest', list),
    field('query', jsonText(alertLucene(d))),
    field('index_pattern', jsonText(patternOf(d, prefix).title)),
    ...(o?.dashboardsUrl ? [field('discover_url', jsonText(discoverUrl(d, prefix, o.dashboardsUrl)))] : []),
    field('error', '{{ctx.error}}'),
  ];
  return `{${fields.join(',')}}`;
}

const mustache = (source: string): MustacheScript => ({ source, lang: 'mustache' });

/**
 * The actions of a detection's trigger: one per channel in effect, each throttled (`throttleOf`).
 * @example actionsFor(DETECTIONS[0], 'logs', ['sns'], { destinations: {} })[0].destination_id // 'tributary-logs-sns'
 */
export function actionsFor(d: Detection, prefix: string, channels: readonly ChannelType[], o?: AlertOptions): AlertingAction[] {
  const throttle = throttleOf(d, o);
  return CHANNEL_TYPES.filter((t) => channels.includes(t)).map((type) => ({
    name: `Tributary: notify ${CHANNEL_NAMES[type]}`,
    destination_id: channelId(prefix, type),
    // Only SNS (and e-mail through it) shows a subject; chat channels show the message alone.
    ...(type === 'sns' ? { subject_template: mustache(alertSubject(d, prefix)) } : {}),
    message_template: mustache(type === 'webhook' ? webhookMessage(d, prefix, o) : alertMessage(d, prefix, o)),
    throttle_enabled: throttle > 0,
    ...(throttle > 0 ? { throttle: { value: throttle, unit: 'MINUTES' as const } } : {}),
  }));
}

/** Whether an action's channel is one of setup's (for any type) under this prefix: those actions are setup's to replace. */
export const isSetupAction = (prefix: string, a: { destination_id?: string }): boolean =>
  CHANNEL_TYPES.some((t) => a.destination_id === channelId(prefix, t));

// ---------------------------------------------------------------------------------------------------
// Applying the channels.

/** One change of the channel part, in the shape of `apply.ts`'s `Change`. */
export interface ChannelChange {
  kind: 'notification_channel';
  name: string;
  status: 'created' | 'updated' | 'unchanged' | 'skipped' | 'deleted';
  detail?: string;
}

/** What `applyChannels` did, the channels monitors should notify, and the deletions to run once no monitor names them. */
export interface ChannelPlan {
  changes: ChannelChange[];
  /** Channel types in effect after this run (given now, or setup's and left as they are). */
  active: ChannelType[];
  /** Deletes the channels given as "none"; call after the monitors were updated. */
  finish(): Promise<ChannelChange[]>;
}

const API = '/_plugins/_notifications/configs';

/** Replaces every secret in a message (an OpenSearch error may echo the URL it refused). */
export function redact(message: string, secrets: readonly (string | null | undefined)[]): string {
  return secrets.filter((x): x is string => !!x).reduce((m, x) => m.split(x).join('<redacted>'), message);
}

/** What a channel's change may say about its destination: the topic (not secret), never a webhook URL. */
function describe(type: ChannelType, d: AlertDestinations): string {
  if (type === 'sns') return `topic ${d.sns?.topicArn}${d.sns?.roleArn ? `, published as ${d.sns.roleArn}` : ''}`;
  return `${CHANNEL_NAMES[type]} webhook (URL not shown)`;
}

/**
 * Creates, updates or (in `finish`) deletes setup's channels as the destinations ask; reports each.
 * @example const plan = await applyChannels(http, 'logs', { destinations: { sns: { topicArn: 'arn:aws:sns:eu-west-1:111122223333:alerts' } } }, plugins, false)
 */
export async function applyChannels(http: SearchHttp, prefix: string, o: AlertOptions | undefined, plugins: string[], dryRun: boolean): Promise<ChannelPlan> {
  const d = o?.destinations ?? {};
  const given = CHANNEL_TYPES.filter((t) => d[t] !== undefined);
  const none: ChannelPlan = { changes: [], active: [], finish: async () => [] };
  if (!plugins.includes(NOTIFICATIONS_PLUGIN)) {
    none.changes.push({
      kind: 'notification_channel',
      name: given.length ? given.map((t) => channelId(prefix, t)).join(', ') : `${channelId(prefix, 'sns')}, -slack, -chime, -webhook`,
      status: 'skipped',
      detail: `${NOTIFICATIONS_PLUGIN} plugin not installed: monitors notify nobody`,
    });
    return none;
  }
  const secrets = [d.slack, d.chime, d.webhook];
  const call = async (method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown, allowed: number[] = []) => {
    try {
      const res = await http.request(method, path, body);
      expectOk(res, method, path, allowed);
      return res;
    } catch (e) {
      if (e instanceof OpenSearchError) throw new OpenSearchError(e.status, e.method, e.path, JSON.parse(redact(JSON.stringify(e.body) ?? 'null', secrets)));
      throw new Error(redact((e as Error).message, secrets), { cause: e });
    }
  };

  const changes: ChannelChange[] = [];
  const active: ChannelType[] = [];
  const toDelete: ChannelType[] = [];
  for (const type of CHANNEL_TYPES) {
    const id = channelId(prefix, type);
    const path = `${API}/${encodeURIComponent(id)}`;
    // 404: no such channel, or no channel at all yet (the plugin's config index is created by the first one).
    const res = await call('GET', path, undefined, [404]);
    const stored = res.status === 200 ? (res.body?.config_list as { config?: unknown }[] | undefined)?.[0]?.config : undefined;
    const wantedType = d[type];
    if (wantedType === undefined) {
      if (stored !== undefined) {
        active.push(type);
        changes.push({ kind: 'notification_channel', name: id, status: 'unchanged', detail: 'not given: left as it is' });
      }
      continue;
    }
    if (wantedType === null) {
      if (stored !== undefined) toDelete.push(type);
      else changes.push({ kind: 'notification_channel', name: id, status: 'unchanged', detail: 'none asked, none present' });
      continue;
    }
    active.push(type);
    const wanted = channelBody(prefix, type, d);
    // The plugin may add bookkeeping to a config, but the destination itself must be exactly the
    // wanted one: a role or header that is no longer wanted is a difference too.
    if (stored !== undefined && containsJson(stored, wanted.config) && sameJson((stored as Record<string, unknown>)[type], wanted.config[type])) {
      changes.push({ kind: 'notification_channel', name: id, status: 'unchanged', detail: describe(type, d) });
      continue;
    }
    if (!dryRun) {
      if (stored === undefined) await call('POST', API, wanted);
      else await call('PUT', path, { config: wanted.config });
    }
    changes.push({ kind: 'notification_channel', name: id, status: stored === undefined ? 'created' : 'updated', detail: describe(type, d) });
  }
  if (!given.length && !active.length)
    changes.push({
      kind: 'notification_channel',
      name: `${channelId(prefix, 'sns')}, -slack, -chime, -webhook`,
      status: 'skipped',
      detail: 'no alert destinations given (--alert-sns-topic-arn, --alert-*-webhook-file): monitors notify nobody',
    });
  const finish = async (): Promise<ChannelChange[]> => {
    const out: ChannelChange[] = [];
    for (const type of toDelete) {
      const id = channelId(prefix, type);
      if (!dryRun) await call('DELETE', `${API}/${encodeURIComponent(id)}`, undefined, [404]);
      out.push({ kind: 'notification_channel', name: id, status: 'deleted', detail: 'given as none' });
    }
    return out;
  };
  return { changes, active, finish };
}
