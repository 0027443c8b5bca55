/* eslint-disable @typescript-eslint/no-explicit-any -- request bodies are untyped JSON once sent */
/**
 * Alerts that reach people (issue #14 item 5): notification channel bodies, monitor actions and their
 * message templates, checked against the documented Notifications and Alerting API shapes (the
 * plugins cannot run here: not on Maven Central); the configuration that carries the destinations
 * (webhook URLs are secrets); and setup's channel and monitor logic, driven through a stand-in of
 * the two plugins' REST API (`test/helpers/alerting-standin.ts`).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Types } from '@opensearch-project/opensearch';
import mappings from '../../schemas/generated/mappings.json';
import { Command } from 'commander';
import { registerSetup, setupConfigFromFlags } from '../../bin/commands/setup';
import { ConfigError, describeConfig, loadConfig } from '../../lib/io/config';
import {
  CHANNEL_TYPES,
  countVariable,
  NEW_VALUES_SECTION,
  GROUPS_SECTION,
  HITS_SECTION,
  actionsFor,
  alertMessage,
  alertSubject,
  applyChannels,
  channelBody,
  channelId,
  discoverUrl,
  redact,
  webhookMessage,
  type AlertOptions,
} from '../../lib/setup/alerts';
import { applyMonitors } from '../../lib/setup/apply';
import { resolveProperties } from '../../lib/setup/custom-resource';
import { DETECTIONS, detectionSearch, monitorFor, type Detection } from '../../lib/setup/detections';
import { fieldType, mappedFields } from '../../lib/setup/fields';
import { ismPolicy } from '../../lib/setup/ism';
import type { Mappings } from '../../lib/setup/templates';
import { ACTION_FIELDS, AlertingStandIn } from '../helpers/alerting-standin';
import { templateVariables, type TemplateVariable } from '../helpers/mustache-vars';

const fields = mappedFields(mappings as Mappings);
const URLS = { slack: 'https://hooks.slack.com/services/T000/B000/secret-slack-token', chime: 'https://hooks.chime.aws/incomingwebhooks/abc?token=secret-chime', webhook: 'https://alerts.example.com/hook?key=secret-hook' };
const SNS = { topicArn: 'arn:aws:sns:eu-west-1:111122223333:tributary-prod-detections', roleArn: 'arn:aws:iam::111122223333:role/tributary-prod-DetectionPublishRole-1A2B' };
const ALL: AlertOptions = { destinations: { sns: SNS, ...URLS }, dashboardsUrl: 'https://search-logs.eu-west-1.es.amazonaws.com/_dashboards' };

// ---------------------------------------------------------------------------------------------------
// The documented trigger context of a query-level monitor's actions (OpenSearch Alerting: "Available
// variables", "Actions variables"); `ctx.results` is the monitor's search response, used as
// `ctx.results.0` (Mustache cannot read `[0]`).
const CONTEXT = new Set([
  'ctx.monitor.name', 'ctx.monitor.type', 'ctx.monitor.enabled', 'ctx.monitor.enabled_time', 'ctx.monitor.schedule', 'ctx.monitor.inputs', 'ctx.monitor.last_update_time',
  'ctx.trigger.id', 'ctx.trigger.name', 'ctx.trigger.severity', 'ctx.trigger.condition', 'ctx.trigger.actions',
  'ctx.periodStart', 'ctx.periodEnd', 'ctx.error', 'ctx.alert', 'ctx.alert.id', 'ctx.alert.version', 'ctx.alert.isAcknowledged', 'ctx.action.name',
]);

/** Problems of one template variable of a detection's message: undocumented context, a path its search response cannot have, an unmapped field. */
function variableProblems(d: Detection, v: TemplateVariable): string[] {
  const body = detectionSearch(d) as { size: number; track_total_hits?: boolean; aggs?: { by_group?: unknown; recent?: unknown } };
  const enclosing = v.sections[v.sections.length - 1];
  const problems: string[] = [];
  const bad = (why: string) => problems.push(`${d.id}: {{${v.kind === 'section' ? '#' : ''}${v.name}}} ${why}`);
  if (enclosing === undefined) {
    if (v.name.startsWith('ctx.results.0.')) {
      const path = v.name.slice('ctx.results.0.'.length);
      if (path === 'hits.total.value') {
        if (!body.track_total_hits) bad('needs track_total_hits (else the total stops at 10000)');
      } else if (path === 'hits.hits') {
        if (!body.size) bad('iterates hits, but the search asks for none (size 0)');
      } else if (path === 'aggregations.recent.doc_count') {
        if (!body.aggs?.recent) bad('reads the window count, but the search has no recent aggregation');
      } else if (path === 'aggregations.by_group.buckets') {
        if (!body.aggs?.by_group) bad('iterates groups, but the search has no by_group aggregation');
      } else bad('is not a path of the search response used here');
    } else if (!CONTEXT.has(v.name)) bad('is not a documented trigger context variable');
    return problems;
  }
  if (v.name === '.') return problems;
  if (enclosing === HITS_SECTION) {
    if (['_index', '_id', '_score'].includes(v.name)) return problems;
    const field = v.name.startsWith('_source.') ? v.name.slice('_source.'.length) : undefined;
    if (!field || !fieldType(fields, field)) bad('is not a field of a hit (_index, _id, _source.<mapped field>)');
  } else if (enclosing === GROUPS_SECTION) {
    // distinct.value: the cardinality sub-aggregation of a detection counting distinct values;
    // by_value.buckets: the new values of a newValue detection's group.
    // last_seen.value_as_string: the latest ingestion of a silence detection's group.
    const bucketFields = d.threshold.distinct
      ? ['key', 'doc_count', 'distinct.value']
      : d.threshold.newValue
        ? ['key', 'doc_count', NEW_VALUES_SECTION]
        : d.threshold.silence
          ? ['key', 'doc_count', 'last_seen.value_as_string']
          : ['key', 'doc_count'];
    if (!bucketFields.includes(v.name)) bad(`is not a field of a terms bucket (${bucketFields.join(', ')})`);
  } else if (enclosing === NEW_VALUES_SECTION && d.threshold.newValue) {
    if (!['key', 'doc_count', 'first_seen.value_as_string'].includes(v.name)) bad('is not a field of a new value bucket (key, doc_count, first_seen.value_as_string)');
  } else bad(`inside {{#${enclosing}}} may only be {{.}} (the section's own value)`);
  return problems;
}

const templatesOf = (d: Detection, o: AlertOptions) => actionsFor(d, 'logs', CHANNEL_TYPES, o).flatMap((a) => [a.message_template.source, a.subject_template?.source ?? '']);

describe('alert message templates', () => {
  it('use only documented context variables, response paths the search has, and mapped fields', () => {
    const problems: string[] = [];
    let checked = 0;
    for (const d of DETECTIONS)
      for (const t of templatesOf(d, ALL))
        for (const v of templateVariables(t)) {
          checked++;
          problems.push(...variableProblems(d, v));
        }
    expect(problems).toEqual([]);
    expect(checked).toBeGreaterThan(DETECTIONS.length * 20);
  });

  it('are checked by a check that fails on a misspelt variable, a bracket index or a wrong section field', () => {
    const d = DETECTIONS.find((x) => x.threshold.groupBy)!;
    const wrong = ['{{ctx.monitor.nmae}}', '{{ctx.results[0].hits.total.value}}', `{{#${GROUPS_SECTION}}}{{count}}{{/${GROUPS_SECTION}}}`, `{{#${HITS_SECTION}}}{{_id}}{{/${HITS_SECTION}}}`];
    for (const t of wrong) expect(templateVariables(t).flatMap((v) => variableProblems(d, v))).not.toEqual([]);
    expect(() => templateVariables('{{#a}}{{/b}}')).toThrow(/closes/);
  });

  it('say which detection fired, how bad, how many, the search and the period', () => {
    for (const d of DETECTIONS) {
      const m = alertMessage(d, 'logs', ALL);
      expect(m).toContain(d.name);
      expect(m).toContain(`Severity ${d.severity}`);
      expect(m).toContain(`MITRE ATT&CK ${d.attack.id} ${d.attack.name} (https://attack.mitre.org/techniques/`);
      expect(m).toContain(`Runbook: ${d.runbook}`);
      expect(m).toContain(`{{${countVariable(d)}}}`);
      expect(m).toContain(d.threshold.groupBy ? `{{#${GROUPS_SECTION}}}` : `{{#${HITS_SECTION}}}`);
      expect(m).toContain('{{ctx.periodStart}} to {{ctx.periodEnd}}');
      expect(m).toContain(d.description);
      expect(m).toMatch(/Open in Discover: https:\/\/search-logs\.eu-west-1\.es\.amazonaws\.com\/_dashboards\/app\/discover#\/\?_g=/);
      // No Dashboards URL known: the query is still there to paste.
      expect(alertMessage(d, 'logs', {})).not.toContain('Open in Discover');
    }
  });

  it('give SNS an ASCII one-line subject under its 100-character limit', () => {
    for (const d of DETECTIONS)
      for (const prefix of ['logs', 'a_very_long.index_prefix_of_someone']) {
        const s = alertSubject(d, prefix);
        expect(s).toMatch(/^[\x20-\x7e]{1,99}$/);
        expect(s).toContain(`severity ${d.severity}`);
      }
  });

  it('give the custom webhook a JSON document whatever Alerting renders into it', () => {
    for (const d of DETECTIONS) {
      const t = webhookMessage(d, 'logs', ALL);
      // Every tag inside a JSON string: with the tags removed (any value, JSON-escaped, fits there) it parses.
      const doc = JSON.parse(t.replace(/\{\{[^}]*\}\}/g, ''));
      expect(doc).toMatchObject({ source: 'tributary', detection: d.id, name: d.name, severity: d.severity, index_prefix: 'logs' });
      expect(doc).toMatchObject({ attack_technique_id: d.attack.id, attack_technique: d.attack.name, runbook: d.runbook });
      expect(doc.discover_url).toMatch(/^https:\/\//);
      // A section's body repeats: it must hold no quote, so a repetition never leaves its string.
      for (const m of t.matchAll(/\{\{#([^}]+)\}\}([\s\S]*?)\{\{\/\1\}\}/g)) expect(m[2]).not.toContain('"');
      // And a tag never sits outside a string: replacing tags by a quote-free text keeps it valid JSON.
      expect(() => JSON.parse(t.replace(/\{\{[^}]*\}\}/g, 'x y'))).not.toThrow();
    }
  });

  it('link to Discover with the detection index pattern, the query and the monitor window', () => {
    const d = DETECTIONS.find((x) => x.id === 'root-user-activity')!;
    const url = new URL(discoverUrl(d, 'logs', 'https://dash.example.com/_dashboards/'));
    expect(`${url.origin}${url.pathname}`).toBe('https://dash.example.com/_dashboards/app/discover');
    const state = new URLSearchParams(url.hash.replace(/^#\/\?/, ''));
    expect(state.get('_g')).toBe('(time:(from:now-30d,to:now))');
    const a = state.get('_a')!;
    expect(a).toContain("index:'tributary-logs-ip-aws.cloudtrail'");
    expect(a).toContain('language:lucene');
    expect(a).toContain('aws.cloudtrail.user_identity.type:"Root"');
    expect(a).toContain('event.ingested:["{{ctx.periodEnd}}||-10m" TO "{{ctx.periodEnd}}"]');
    // A detection over every dataset links to the pattern of all of them.
    const all = new URL(discoverUrl(DETECTIONS.find((x) => x.id === 'attribution-mismatch')!, 'acme', 'https://d'));
    expect(new URLSearchParams(all.hash.slice(3)).get('_a')).toContain("index:'tributary-acme-ip-all'");
  });
});

describe('monitor actions', () => {
  it('have only the fields the Alerting parser accepts, mustache templates and a valid throttle', () => {
    for (const d of DETECTIONS) {
      const actions = actionsFor(d, 'logs', CHANNEL_TYPES, ALL);
      expect(actions.map((a) => a.destination_id)).toEqual(CHANNEL_TYPES.map((t) => channelId('logs', t)));
      for (const a of actions) {
        for (const k of Object.keys(a)) expect(ACTION_FIELDS).toContain(k);
        expect(a.message_template.lang).toBe('mustache');
        expect(a.throttle_enabled).toBe(true);
        // Alerting accepts MINUTES only, a positive value, at most plugins.alerting.action_throttle_max_value (24 h).
        expect(a.throttle).toEqual({ value: d.windowMinutes, unit: 'MINUTES' });
      }
      expect(actions.filter((a) => a.subject_template).map((a) => a.destination_id)).toEqual([channelId('logs', 'sns')]);
    }
  });

  it('throttle to the detection window by default, to a given value, or not at all with 0', () => {
    const d = DETECTIONS.find((x) => x.id === 'lambda-timeouts-spike')!;
    expect(actionsFor(d, 'logs', ['slack'], { destinations: {} })[0].throttle).toEqual({ value: 15, unit: 'MINUTES' });
    expect(actionsFor(d, 'logs', ['slack'], { destinations: {}, throttleMinutes: 60 })[0].throttle).toEqual({ value: 60, unit: 'MINUTES' });
    const none = actionsFor(d, 'logs', ['slack'], { destinations: {}, throttleMinutes: 0 })[0];
    expect(none.throttle_enabled).toBe(false);
    expect(none).not.toHaveProperty('throttle');
  });

  it('belong to a query-level monitor body of the documented shape', () => {
    const m = monitorFor(DETECTIONS[0], 'logs', true, actionsFor(DETECTIONS[0], 'logs', ['sns'], ALL)) as unknown as Record<string, any>;
    // ui_metadata: the free-form object Alerting stores with a monitor (its own UI keeps its state there).
    expect(Object.keys(m).sort()).toEqual(['enabled', 'inputs', 'monitor_type', 'name', 'schedule', 'triggers', 'type', 'ui_metadata']);
    // What the detection is evidence of and what to do travel with the monitor.
    expect(m.ui_metadata.tributary).toEqual({
      detection: DETECTIONS[0].id,
      attack: { ...DETECTIONS[0].attack, url: expect.stringMatching(/^https:\/\/attack\.mitre\.org\/techniques\/T\d{4}\/(\d{3}\/)?$/) },
      runbook: DETECTIONS[0].runbook,
    });
    expect(Object.keys(m.triggers[0]).sort()).toEqual(['actions', 'condition', 'name', 'severity']);
    expect(m.triggers[0].actions).toHaveLength(1);
    // Without channels the monitor is what setup installed before alerts existed (same definition hash).
    expect(monitorFor(DETECTIONS[0], 'logs', true).triggers[0].actions).toEqual([]);
  });
});

describe('notification channels', () => {
  it('follow the documented Notifications config shapes and the client specification types', () => {
    const bodies = CHANNEL_TYPES.map((t) => channelBody('logs', t, ALL.destinations));
    // Compile-time: each config is a NotificationsConfig of the specification (webhook headers aside, see alerting-api.ts).
    const typed: Types.Notifications_Common.NotificationsConfigItem[] = bodies.map((b) => ({ ...b.config, webhook: undefined }));
    expect(typed).toHaveLength(4);
    expect(bodies.map((b) => b.config_id)).toEqual(['tributary-logs-sns', 'tributary-logs-slack', 'tributary-logs-chime', 'tributary-logs-webhook']);
    for (const b of bodies) {
      expect(Object.keys(b).sort()).toEqual(['config', 'config_id']);
      expect(Object.keys(b.config).sort()).toEqual(['config_type', 'description', 'is_enabled', 'name', b.config.config_type].sort());
    }
    expect(bodies[0].config.sns).toEqual({ topic_arn: SNS.topicArn, role_arn: SNS.roleArn });
    expect(bodies[1].config.slack).toEqual({ url: URLS.slack });
    expect(bodies[2].config.chime).toEqual({ url: URLS.chime });
    expect(bodies[3].config.webhook).toEqual({ url: URLS.webhook, method: 'POST', header_params: { 'Content-Type': 'application/json' } });
    // Without a role the plugin publishes with the node's credentials (self-managed clusters).
    expect(channelBody('logs', 'sns', { sns: { topicArn: SNS.topicArn } }).config.sns).toEqual({ topic_arn: SNS.topicArn });
  });
});

describe('alert configuration', () => {
  const base = { OPENSEARCH_URL: 'http://127.0.0.1:9200' };
  const problems = (env: Record<string, string>) => {
    try {
      loadConfig({ ...base, ...env }, 'setup');
      return [];
    } catch (e) {
      if (e instanceof ConfigError) return e.problems;
      throw e;
    }
  };
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'tributary-alerts-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('leaves channels alone when nothing is set, removes on empty, reads URLs from the environment or a file', () => {
    expect(loadConfig(base, 'setup').alerts).toEqual({ destinations: { sns: undefined, slack: undefined, chime: undefined, webhook: undefined }, throttleMinutes: undefined });
    const file = join(dir, 'slack');
    writeFileSync(file, `${URLS.slack}\n`);
    const c = loadConfig({ ...base, ALERT_SNS_TOPIC_ARN: SNS.topicArn, ALERT_SNS_ROLE_ARN: SNS.roleArn, ALERT_SLACK_WEBHOOK_FILE: file, ALERT_CHIME_WEBHOOK_URL: '', ALERT_WEBHOOK_URL: URLS.webhook, ALERT_THROTTLE_MINUTES: '30' }, 'setup');
    expect(c.alerts).toEqual({ destinations: { sns: SNS, slack: URLS.slack, chime: null, webhook: URLS.webhook }, throttleMinutes: 30 });
    expect(loadConfig({ ...base, ALERT_SNS_TOPIC_ARN: '' }, 'setup').alerts.destinations.sns).toBeNull();
  });

  it('names every bad value without ever echoing a webhook URL', () => {
    const empty = join(dir, 'empty');
    writeFileSync(empty, '\n');
    const secret = 'http://hooks.slack.com/services/T0/B0/leaky-token';
    const p = problems({
      ALERT_SLACK_WEBHOOK_URL: secret,
      ALERT_CHIME_WEBHOOK_URL: 'https://x', ALERT_CHIME_WEBHOOK_FILE: empty,
      ALERT_WEBHOOK_FILE: empty,
      ALERT_SNS_ROLE_ARN: 'arn:aws:iam::111122223333:user/alice',
      ALERT_THROTTLE_MINUTES: '2000',
    });
    expect(p).toEqual([
      'ALERT_SNS_ROLE_ARN is not an IAM role ARN (got "arn:aws:iam::111122223333:user/alice")',
      'ALERT_SNS_ROLE_ARN needs ALERT_SNS_TOPIC_ARN',
      'ALERT_SLACK_WEBHOOK_URL is not an https URL',
      'set only one of ALERT_CHIME_WEBHOOK_URL and ALERT_CHIME_WEBHOOK_FILE',
      `ALERT_WEBHOOK_FILE ${empty} is empty`,
      'ALERT_THROTTLE_MINUTES must be a whole number of minutes between 0 and 1440 (got "2000")',
    ]);
    expect(p.join(' ')).not.toContain('leaky-token');
    expect(problems({ ALERT_SNS_TOPIC_ARN: 'arn:aws:sqs:eu-west-1:111122223333:q' })).toEqual([expect.stringMatching(/^ALERT_SNS_TOPIC_ARN is not an SNS topic ARN/)]);
  });

  it('keeps webhook URLs out of what may be logged', () => {
    const c = loadConfig({ ...base, ALERT_SNS_TOPIC_ARN: SNS.topicArn, ALERT_SLACK_WEBHOOK_URL: URLS.slack, ALERT_WEBHOOK_URL: '' }, 'setup');
    const logged = JSON.stringify(describeConfig(c));
    expect(logged).not.toContain('secret-slack-token');
    expect(JSON.parse(logged).alerts).toEqual({ sns: SNS.topicArn, slack: 'set', chime: 'unchanged', webhook: 'remove' });
  });

  it('come from the CLI flags (a file, or none) over the environment, and from the custom resource properties', () => {
    const file = join(dir, 'hook');
    writeFileSync(file, URLS.webhook);
    const flags = { opensearch: 'http://127.0.0.1:9200', auth: 'none' as const, indexPrefix: 'logs', detections: 'on' as const };
    const c = setupConfigFromFlags({ ...flags, alertSnsTopicArn: 'none', alertWebhookFile: file, alertSlackWebhookFile: 'none', alertThrottleMinutes: 0 }, { ALERT_WEBHOOK_URL: 'https://env.example.com/other', ALERT_SLACK_WEBHOOK_URL: URLS.slack, ALERT_CHIME_WEBHOOK_URL: URLS.chime });
    expect(c.alerts).toEqual({ destinations: { sns: null, slack: null, chime: URLS.chime, webhook: URLS.webhook }, throttleMinutes: 0 });
    const r = resolveProperties({ OpenSearchUrl: 'https://search-x.eu-west-1.es.amazonaws.com', OpenSearchAuth: 'sigv4-es', AlertSnsTopicArn: SNS.topicArn, AlertSnsRoleArn: SNS.roleArn, AlertThrottleMinutes: '', DashboardsUrl: 'https://d/_dashboards' }, { AWS_REGION: 'eu-west-1' });
    expect(r.options.alerts).toEqual({ destinations: { sns: SNS, slack: undefined, chime: undefined, webhook: undefined }, throttleMinutes: undefined, dashboardsUrl: 'https://d/_dashboards' });
    // The stack passes an empty topic when it has none: setup's SNS channel goes.
    expect(resolveProperties({ OpenSearchUrl: 'https://x', AlertSnsTopicArn: '' }, {}).options.alerts?.destinations.sns).toBeNull();
  });

  it('is what `tributary setup --help` documents', () => {
    const program = new Command().exitOverride();
    registerSetup(program);
    const help = program.commands.find((c) => c.name() === 'setup')!.helpInformation();
    for (const flag of ['--alert-sns-topic-arn <arn|none>', '--alert-sns-role-arn <arn>', '--alert-slack-webhook-file <file|none>', '--alert-chime-webhook-file <file|none>', '--alert-webhook-file <file|none>', '--alert-throttle-minutes <n>'])
      expect(help).toContain(flag);
  });
});

describe('setup with the Notifications and Alerting plugins (stand-in)', () => {
  const prefix = 'logs';
  const run = async (http: AlertingStandIn, o: AlertOptions, dryRun = false) => {
    const plan = await applyChannels(http, prefix, o, http.plugins, dryRun);
    const monitors = await applyMonitors(http, { prefix, detections: true, alerts: o, dryRun }, http.plugins, plan.active);
    return { channels: [...plan.changes, ...(await plan.finish())], monitors, active: plan.active };
  };
  const statuses = (cs: { name: string; status: string }[]) => Object.fromEntries(cs.map((c) => [c.name, c.status]));
  const triggerActions = (http: AlertingStandIn) => [...http.monitors.values()].map((m) => m.monitor.triggers[0].query_level_trigger.actions as any[]);

  it('creates channels and actions once, then changes nothing', async () => {
    const http = new AlertingStandIn();
    const dry = await run(http, ALL, true);
    expect(dry.channels.map((c) => c.status)).toEqual(['created', 'created', 'created', 'created']);
    expect(http.calls.filter((c) => !c.startsWith('GET') && !c.includes('_search'))).toEqual([]);

    const first = await run(http, ALL);
    expect(first.active).toEqual([...CHANNEL_TYPES]);
    expect(first.monitors.map((m) => m.status)).toEqual(DETECTIONS.map(() => 'created'));
    for (const actions of triggerActions(http)) expect(actions.map((a) => a.destination_id)).toEqual(CHANNEL_TYPES.map((t) => channelId(prefix, t)));
    const second = await run(http, ALL);
    expect([...second.channels, ...second.monitors].map((c) => c.status).filter((s) => s !== 'unchanged')).toEqual([]);
  });

  it('updates a changed destination, leaves one not given alone, deletes one given as none after the monitors let go of it', async () => {
    const http = new AlertingStandIn();
    await run(http, ALL);
    const next: AlertOptions = { ...ALL, destinations: { sns: { topicArn: SNS.topicArn }, slack: undefined, chime: null, webhook: URLS.webhook } };
    const r = await run(http, next);
    expect(statuses(r.channels)).toEqual({ 'tributary-logs-sns': 'updated', 'tributary-logs-slack': 'unchanged', 'tributary-logs-webhook': 'unchanged', 'tributary-logs-chime': 'deleted' });
    expect(http.channels.get('tributary-logs-sns')!.config.sns).toEqual({ topic_arn: SNS.topicArn });
    expect(http.channels.has('tributary-logs-chime')).toBe(false);
    expect(r.active).toEqual(['sns', 'slack', 'webhook']);
    for (const actions of triggerActions(http)) expect(actions.map((a) => a.destination_id)).toEqual(['tributary-logs-sns', 'tributary-logs-slack', 'tributary-logs-webhook']);
    // The stand-in refuses to delete a channel a monitor names: the deletion above came after the update.
    const lastMonitorUpdate = http.calls.map((c, i) => (c.startsWith('PUT /_plugins/_alerting/monitors/') ? i : -1)).reduce((a, b) => Math.max(a, b));
    expect(http.calls.indexOf('DELETE /_plugins/_notifications/configs/tributary-logs-chime')).toBeGreaterThan(lastMonitorUpdate);
  });

  it('keeps actions people attached to their own channels, and restores a deleted action of setup', async () => {
    const http = new AlertingStandIn();
    await run(http, { ...ALL, destinations: { sns: SNS } });
    await http.request('POST', '/_plugins/_notifications/configs', { config_id: 'oncall-pager', config: { name: 'pager', config_type: 'webhook', webhook: { url: 'https://pager.example.com/x' } } });
    const [id, stored] = [...http.monitors.entries()][0];
    const monitor = stored.monitor;
    const trigger = monitor.triggers[0].query_level_trigger;
    const mine = { name: 'page the on-call', destination_id: 'oncall-pager', message_template: { source: 'look', lang: 'mustache' }, throttle_enabled: false };
    // Someone adds their own action and removes setup's in Alerting.
    await http.request('PUT', `/_plugins/_alerting/monitors/${id}`, { ...monitor, triggers: [{ ...trigger, actions: [mine] }] });
    const r = await run(http, { ...ALL, destinations: { sns: SNS, slack: URLS.slack } });
    expect(r.monitors.every((m) => m.status === 'updated')).toBe(true);
    const actions = http.monitors.get(id)!.monitor.triggers[0].query_level_trigger.actions as any[];
    expect(actions.map((a) => a.destination_id)).toEqual(['tributary-logs-sns', 'tributary-logs-slack', 'oncall-pager']);
    expect(actions[2]).toMatchObject(mine);
    // Nothing to do on the next run, the person's action included.
    expect((await run(http, { ...ALL, destinations: { sns: SNS, slack: URLS.slack } })).monitors.every((m) => m.status === 'unchanged')).toBe(true);
  });

  it('says when the Notifications plugin is missing, and that monitors then notify nobody', async () => {
    const http = new AlertingStandIn();
    http.plugins = ['opensearch-alerting'];
    const r = await run(http, ALL);
    expect(r.channels).toEqual([{ kind: 'notification_channel', name: 'tributary-logs-sns, tributary-logs-slack, tributary-logs-chime, tributary-logs-webhook', status: 'skipped', detail: 'opensearch-notifications plugin not installed: monitors notify nobody' }]);
    expect(triggerActions(http).every((a) => a.length === 0)).toBe(true);
  });

  it('never lets a webhook URL out in a change, or in an error the cluster sends back', async () => {
    const http = new AlertingStandIn();
    const r = await run(http, ALL);
    expect(JSON.stringify(r)).not.toMatch(/secret-/);
    const rejected = 'https://reject.example.com/hook?token=secret-rejected';
    const err = await applyChannels(http, prefix, { destinations: { webhook: rejected } }, http.plugins, false).catch((e: Error) => e);
    expect((err as Error).message).toMatch(/PUT \/_plugins\/_notifications\/configs\/tributary-logs-webhook -> 400: status_exception: Invalid URL or unresolvable host <redacted>/);
    expect((err as Error).message).not.toContain('secret-rejected');
    expect(redact('a x b x', ['x', null])).toBe('a <redacted> b <redacted>');
  });
});

describe('ISM policy types', () => {
  it('is the PutPolicyRequest of the client specification (checked by the typecheck)', () => {
    const request: Types.Ism_Common.PutPolicyRequest = ismPolicy({ prefix: 'logs' });
    expect(request.policy?.states?.map((s) => s.name)).toEqual(['hot', 'warm', 'delete']);
    // @ts-expect-error a misspelt action is not an ISM action: the specification types reject it
    const misspelt: Types.Ism_Common.Action = { force_merges: { max_num_segments: 1 } };
    expect(misspelt).toBeDefined();
  });
});
