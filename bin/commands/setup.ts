/**
 * `tributary setup`: prepares an OpenSearch cluster (templates, least-privilege security roles and
 * role mappings, ISM retention, detection monitors) and OpenSearch Dashboards (index patterns, saved
 * searches, dashboards). Safe to re-run: it compares before writing and prints created / updated /
 * unchanged / skipped per object. The connection goes through the setup function's configuration
 * (`loadConfig(…, 'setup')`), so the CLI and the deployed custom resource validate it alike.
 */
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { DEFAULT_INDEX_PREFIX } from '../../lib/core/indices';
import { createOpenSearchClient } from '../../lib/io/opensearch';
import { applySetup, formatResult, type SetupOptions, type SetupResult } from '../../lib/setup/apply';
import { DASHBOARDS_NDJSON, savedObjects } from '../../lib/setup/dashboards';
import { dashboardsClient } from '../../lib/setup/dashboards-client';
import { fromClient } from '../../lib/setup/http';
import { ismAges } from '../../lib/setup/ism';
import { toNdjson } from '../../lib/setup/saved-objects';
import { ConfigError, loadConfig, OPENSEARCH_AUTHS, type OpenSearchAuth, type SetupConfig } from '../../lib/io/config';

export interface SetupFlags {
  opensearch?: string;
  auth: OpenSearchAuth;
  region?: string;
  indexPrefix: string;
  ismHotDays?: number;
  ismWarmDays?: number;
  ismDeleteDays?: number;
  ismWarmReplicas?: number;
  shards?: number;
  replicas?: number | 'auto';
  detections: 'on' | 'off';
  dashboardsUrl?: string;
  dashboardsOut?: string;
  dryRun?: boolean;
  caFile?: string;
  roleArn?: string;
  indexerBackendRoles?: string;
  readerBackendRoles?: string;
  adminBackendRoles?: string;
  alertSnsTopicArn?: string;
  alertSnsRoleArn?: string;
  alertSlackWebhookFile?: string;
  alertChimeWebhookFile?: string;
  alertWebhookFile?: string;
  alertThrottleMinutes?: number;
}

/** Variables of the environment the CLI honours (the rest of a shell's environment is not its business). */
const ENV_PASSED = [
  'OPENSEARCH_USERNAME', 'OPENSEARCH_PASSWORD', 'OPENSEARCH_CA_FILE', 'OPENSEARCH_ROLE_ARN', 'OPENSEARCH_REGION', 'OPENSEARCH_TIMEOUT_MS', 'INDEXER_BACKEND_ROLES', 'READER_BACKEND_ROLES', 'ADMIN_BACKEND_ROLES',
  'ALERT_SNS_TOPIC_ARN', 'ALERT_SNS_ROLE_ARN', 'ALERT_THROTTLE_MINUTES',
  'ALERT_SLACK_WEBHOOK_URL', 'ALERT_SLACK_WEBHOOK_FILE', 'ALERT_CHIME_WEBHOOK_URL', 'ALERT_CHIME_WEBHOOK_FILE', 'ALERT_WEBHOOK_URL', 'ALERT_WEBHOOK_FILE',
];

/** Webhook flags and the variables behind them: a flag names a file holding the URL (never the URL: shells keep history, `ps` shows arguments). */
const WEBHOOK_FLAGS = [
  ['alertSlackWebhookFile', 'ALERT_SLACK_WEBHOOK'],
  ['alertChimeWebhookFile', 'ALERT_CHIME_WEBHOOK'],
  ['alertWebhookFile', 'ALERT_WEBHOOK'],
] as const;

/**
 * The setup function's configuration from the flags (which win) and the honoured environment.
 * Throws `ConfigError` naming every bad value.
 * @example setupConfigFromFlags({ opensearch: 'https://127.0.0.1:9201', auth: 'basic', indexPrefix: 'logs', detections: 'on', caFile: 'root-ca.pem' }, { OPENSEARCH_USERNAME: 'admin', OPENSEARCH_PASSWORD: 'secret' })
 */
export function setupConfigFromFlags(flags: SetupFlags, env: NodeJS.ProcessEnv = process.env): SetupConfig {
  const picked: NodeJS.ProcessEnv = Object.fromEntries(ENV_PASSED.filter((k) => env[k] !== undefined).map((k) => [k, env[k]]));
  Object.assign(picked, {
    OPENSEARCH_URL: flags.opensearch ?? env.OPENSEARCH_URL,
    OPENSEARCH_AUTH: flags.auth,
    // SigV4 signs for --region, else the endpoint's Region, else this shell's (lib/core/endpoints.ts).
    AWS_REGION: env.AWS_REGION ?? env.AWS_DEFAULT_REGION,
    INDEX_PREFIX: flags.indexPrefix,
  });
  const set = (name: string, v: string | undefined) => v !== undefined && (picked[name] = v);
  set('OPENSEARCH_REGION', flags.region);
  set('OPENSEARCH_CA_FILE', flags.caFile);
  set('OPENSEARCH_ROLE_ARN', flags.roleArn);
  set('INDEXER_BACKEND_ROLES', flags.indexerBackendRoles);
  set('READER_BACKEND_ROLES', flags.readerBackendRoles);
  set('ADMIN_BACKEND_ROLES', flags.adminBackendRoles);
  // `none` removes setup's channel: the variable set but empty, as for the mapping lists.
  set('ALERT_SNS_TOPIC_ARN', flags.alertSnsTopicArn === 'none' ? '' : flags.alertSnsTopicArn);
  set('ALERT_SNS_ROLE_ARN', flags.alertSnsRoleArn);
  set('ALERT_THROTTLE_MINUTES', flags.alertThrottleMinutes === undefined ? undefined : String(flags.alertThrottleMinutes));
  for (const [flag, name] of WEBHOOK_FLAGS) {
    const v = flags[flag];
    if (v === undefined) continue;
    // The flag wins over whatever the environment says for the same channel.
    delete picked[`${name}_URL`];
    delete picked[`${name}_FILE`];
    if (v === 'none') picked[`${name}_URL`] = '';
    else picked[`${name}_FILE`] = v;
  }
  return loadConfig(picked, 'setup');
}

const days = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number of days >= 0');
  return n;
};
const count = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number >= 0');
  return n;
};
const prefixArg = (v: string): string => {
  // Index names: lower case, no wildcard/comma/space; a dash-free token keeps patterns unambiguous.
  if (!/^[a-z0-9][a-z0-9_.]*$/.test(v)) throw new InvalidArgumentError('lower-case letters, digits, _ and . only');
  return v;
};

/** Builds the setup options from CLI flags; throws RangeError on impossible ISM ages. */
export function optionsFromFlags(flags: SetupFlags): Omit<SetupOptions, 'dashboards'> {
  const ism = { hotDays: flags.ismHotDays, warmDays: flags.ismWarmDays, deleteDays: flags.ismDeleteDays, warmReplicas: flags.ismWarmReplicas };
  ismAges(ism); // validate before touching the cluster
  return {
    prefix: flags.indexPrefix,
    templates: { shards: flags.shards, replicas: flags.replicas, serverless: flags.auth === 'sigv4-aoss' },
    ism,
    detections: flags.detections === 'on',
    dryRun: flags.dryRun,
  };
}

export function registerSetup(program: Command): void {
  program
    .command('setup')
    .description(
      'Install index templates, the ISM retention policy, detection monitors and Dashboards saved objects. ' +
        'Idempotent: compares before writing and reports created/updated/unchanged/skipped per object.',
    )
    .option('--opensearch <url>', 'OpenSearch URL (default: $OPENSEARCH_URL)')
    .addOption(
      new Option('--auth <auth>', 'how to authenticate: basic reads $OPENSEARCH_USERNAME / $OPENSEARCH_PASSWORD')
        .choices([...OPENSEARCH_AUTHS])
        .default('none'),
    )
    .option('--region <region>', "region SigV4 signs for (default: $OPENSEARCH_REGION, else the endpoint's, e.g. eu-west-1 of search-x.eu-west-1.es.amazonaws.com, else $AWS_REGION)")
    .option('--ca-file <pem>', 'trust only these CAs (a cluster with a private CA; default: $OPENSEARCH_CA_FILE, else the system CAs)')
    .option('--role-arn <arn>', 'SigV4: sign as this role, assumed with sts:AssumeRole (e.g. the DomainMasterRoleArn output)')
    .option('--indexer-backend-roles <list>', "comma-separated IAM role ARNs mapped to <prefix>_indexer (the IndexerRoleArn output); '' maps nobody; omitted: left as is")
    .option('--reader-backend-roles <list>', 'comma-separated IAM role ARNs / SAML groups of people who search (<prefix>_reader)')
    .option('--admin-backend-roles <list>', 'comma-separated IAM role ARNs / SAML groups of people who run the indices (<prefix>_admin)')
    .option('--alert-sns-topic-arn <arn|none>', 'detection alerts to this SNS topic (default: $ALERT_SNS_TOPIC_ARN); none removes setup\'s SNS channel; omitted: left as is')
    .option('--alert-sns-role-arn <arn>', 'the IAM role OpenSearch assumes to publish to the topic (Amazon OpenSearch Service: required, and you need iam:PassRole on it)')
    .option('--alert-slack-webhook-file <file|none>', 'file holding the Slack webhook URL (a secret: never on the command line; or $ALERT_SLACK_WEBHOOK_URL)')
    .option('--alert-chime-webhook-file <file|none>', 'file holding the Amazon Chime webhook URL (or $ALERT_CHIME_WEBHOOK_URL)')
    .option('--alert-webhook-file <file|none>', 'file holding a custom https webhook URL, posted a JSON document per alert (or $ALERT_WEBHOOK_URL)')
    .option('--alert-throttle-minutes <n>', 'minutes between two notifications of one active alert; 0 = every run (default: each detection\'s window)', (v) => {
      const n = count(v);
      if (n > 1440) throw new InvalidArgumentError('at most 1440 (Alerting\'s default maximum throttle)');
      return n;
    })
    .option('--index-prefix <prefix>', 'index prefix: indices are <prefix>-<dataset>-YYYY.MM.DD', prefixArg, DEFAULT_INDEX_PREFIX)
    .option('--ism-hot-days <n>', 'days an index stays hot (default 7)', days)
    .option('--ism-warm-days <n>', 'days in warm (force merged, optionally fewer replicas); 0 = no warm state (default 23)', days)
    .option('--ism-delete-days <n>', 'age in days at which an index is deleted (default hot + warm)', days)
    .option('--ism-warm-replicas <n>', 'replicas in warm (default: unchanged)', count)
    .option('--shards <n>', 'primary shards per daily index (default 1)', count)
    .addOption(
      new Option('--replicas <n|auto>', 'replicas per index; auto = 0-1 depending on data nodes (default auto)').argParser((v) =>
        v === 'auto' ? 'auto' : count(v),
      ),
    )
    .addOption(new Option('--detections <on|off>', 'install the detection monitors enabled or disabled').choices(['on', 'off']).default('on'))
    .option('--dashboards-url <url>', 'OpenSearch Dashboards URL: import the saved objects there (overwrite)')
    .option('--dashboards-out <file>', 'write the saved objects NDJSON for this prefix to a file')
    .option('--dry-run', 'report what would change, write nothing')
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  tributary setup --opensearch http://localhost:9200 --dashboards-url http://localhost:5601\n' +
        '  tributary setup --opensearch https://search-logs-abc.eu-west-1.es.amazonaws.com --auth sigv4-es \\\n' +
        '    --ism-hot-days 7 --ism-warm-days 23 --ism-delete-days 90 --detections on\n' +
        '  tributary setup --opensearch http://localhost:9200 --dry-run\n' +
        '  OPENSEARCH_USERNAME=admin OPENSEARCH_PASSWORD=… tributary setup --opensearch https://127.0.0.1:9201 --auth basic --ca-file root-ca.pem \\\n' +
        '    --indexer-backend-roles arn:aws:iam::111122223333:role/tributary-prod-indexer --reader-backend-roles LogReaders\n' +
        '  tributary setup --opensearch https://search-logs-abc.eu-west-1.es.amazonaws.com --auth sigv4-es \\\n' +
        '    --alert-sns-topic-arn arn:aws:sns:eu-west-1:111122223333:tributary-prod-detections \\\n' +
        '    --alert-sns-role-arn arn:aws:iam::111122223333:role/tributary-prod-DetectionPublishRole-ABC \\\n' +
        '    --alert-slack-webhook-file ~/.config/tributary/slack-webhook --dashboards-url https://search-logs-abc.eu-west-1.es.amazonaws.com/_dashboards\n\n' +
        'Alerts: one Notifications channel per destination (tributary-<prefix>-sns|slack|chime|webhook); every detection monitor\n' +
        'gets one action per channel. A destination not given is left as it is; "none" removes it.\n\n' +
        'Exit status: 0 on success, 2 on usage errors, 1 when the cluster or Dashboards refused a change (the reason is printed).',
    )
    .action(async (flags: SetupFlags) => {
      const url = flags.opensearch ?? process.env.OPENSEARCH_URL;
      const fail = (code: number, msg: string) => {
        process.stderr.write(`tributary setup: ${msg}\n`);
        process.exit(code);
      };
      if (!url) return fail(2, 'no OpenSearch URL: pass --opensearch or set OPENSEARCH_URL');
      let options: SetupOptions;
      let cfg: SetupConfig;
      try {
        options = optionsFromFlags(flags);
        cfg = setupConfigFromFlags(flags);
      } catch (e) {
        return fail(2, e instanceof ConfigError ? e.problems.join('; ') : (e as Error).message);
      }
      options.security = cfg.roleMappings;
      // Messages link to Discover on the Dashboards given (the same one saved objects go to).
      options.alerts = { ...cfg.alerts, dashboardsUrl: flags.dashboardsUrl };
      const client = createOpenSearchClient(cfg.opensearch);
      // Same credentials as the cluster: on Amazon OpenSearch Service, Dashboards is <domain>/_dashboards.
      const dashboards = flags.dashboardsUrl ? createOpenSearchClient({ ...cfg.opensearch, node: flags.dashboardsUrl, requestTimeoutMs: 60000 }) : undefined;
      if (dashboards) options.dashboards = dashboardsClient(dashboards);
      let result: SetupResult;
      try {
        result = await applySetup(fromClient(client), options);
      } catch (e) {
        return fail(1, (e as Error).message);
      } finally {
        await client.close();
        await dashboards?.close();
      }
      for (const line of formatResult(result)) process.stdout.write(line + '\n');
      const out = flags.dashboardsOut;
      if (out) writeFileSync(out, toNdjson(savedObjects(flags.indexPrefix)));
      if (!flags.dashboardsUrl) {
        const file = out
          ? resolve(out)
          : flags.indexPrefix === DEFAULT_INDEX_PREFIX
            ? resolve(__dirname, '../..', DASHBOARDS_NDJSON)
            : join(tmpdir(), `tributary-${flags.indexPrefix}.ndjson`);
        if (!out && flags.indexPrefix !== DEFAULT_INDEX_PREFIX) writeFileSync(file, toNdjson(savedObjects(flags.indexPrefix)));
        process.stdout.write(
          `\nDashboards saved objects: ${file}\n` +
            'Import them in Dashboards (Dashboards Management → Saved objects → Import, overwrite), or:\n' +
            `  curl -X POST '<dashboards-url>/api/saved_objects/_import?overwrite=true' -H 'osd-xsrf: true' --form file=@${file}\n` +
            'or re-run setup with --dashboards-url <dashboards-url>.\n',
        );
      }
      if (result.changes.some((c) => c.status === 'failed')) fail(1, 'Dashboards saved objects were not imported (reason above); templates and policies are in place');
    });
}
