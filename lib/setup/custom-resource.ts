/**
 * CloudFormation custom resource running `tributary setup` at deploy time: Create and Update apply
 * the templates, ISM policy, monitors (and saved objects when `DashboardsUrl` is set) with the same
 * code as the CLI; Delete is a no-op (indices, templates and dashboards hold or describe user data,
 * and a stack rollback must never drop them).
 *
 * CloudFormation waits up to an hour for an answer, so the handler ALWAYS answers the pre-signed
 * `ResponseURL`: SUCCESS, or FAILED with the reason — including when setup throws, when the
 * properties are invalid, and shortly before the Lambda itself would time out.
 *
 * Properties (all strings, all optional): `OpenSearchUrl` (default `$OPENSEARCH_URL`, or `https://`
 * + `$OPENSEARCH_ENDPOINT`), `OpenSearchAuth` (`none` | `sigv4-es` | `sigv4-aoss`, default
 * `$OPENSEARCH_AUTH`), `IndexPrefix` (default `$INDEX_PREFIX` or `logs`), `IsmHotDays`,
 * `IsmWarmDays`, `IsmDeleteDays`, `IsmWarmReplicas`, `Shards`, `Replicas` (`auto` or a number),
 * `Detections` (`on` | `off`, default `on`), `DashboardsUrl`, `OpenSearchRoleArn` (sign as this role,
 * assumed with sts:AssumeRole: the created domain's master role), `IndexerBackendRoles`,
 * `ReaderBackendRoles`, `AdminBackendRoles` (comma-separated IAM ARNs / SAML groups mapped to the
 * security roles, `security.ts`; a property that is absent leaves its mapping alone, an empty one
 * maps nobody), `AlertSnsTopicArn` and `AlertSnsRoleArn` (the SNS topic of detection alerts and the
 * role OpenSearch assumes to publish to it, `alerts.ts`; absent leaves setup's SNS channel alone, an
 * empty topic removes it), `AlertThrottleMinutes`, and `SchemaVersion` — pass `SCHEMA_VERSION` there
 * so a schema upgrade changes the properties and re-runs setup on deploy. Mapping lists and alert
 * destinations are properties, not only environment variables, for the same reason: a change must
 * re-run setup. Webhook URLs are not properties (CloudFormation would show them in the stack's
 * events and template): `tributary setup` reads them from a file or the environment.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Logger } from '@aws-lambda-powertools/logger';
import type { Client } from '@opensearch-project/opensearch';
import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import { loadConfig, type OpenSearchAuth, type OpenSearchConfig, type SetupConfig } from '../io/config';
import { DEFAULT_INDEX_PREFIX } from '../core/indices';
import { createOpenSearchClient } from '../io/opensearch';
import { applySetup, formatResult, type SetupOptions, type SetupResult } from './apply';
import { dashboardsClient } from './dashboards-client';
import { fromClient, type SearchHttp } from './http';
import { ismAges } from './ism';

export const logger = new Logger({ serviceName: 'tributary-setup' });

/** Time kept back from the Lambda timeout to answer CloudFormation before being killed. */
export const ANSWER_MARGIN_MS = 10_000;

export interface CfnResponse {
  Status: 'SUCCESS' | 'FAILED';
  Reason?: string;
  PhysicalResourceId: string;
  StackId: string;
  RequestId: string;
  LogicalResourceId: string;
  Data?: Record<string, string>;
}

type Props = Record<string, string | undefined>;

class PropertyError extends Error {}

function int(props: Props, key: string): number | undefined {
  const v = props[key];
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new PropertyError(`${key} must be a whole number >= 0, got "${v}"`);
  return n;
}

/** Setup options and connection from the resource properties and the environment; throws PropertyError. */
export function resolveProperties(props: Props, env: NodeJS.ProcessEnv = process.env) {
  const url = props.OpenSearchUrl || env.OPENSEARCH_URL || (env.OPENSEARCH_ENDPOINT ? `https://${env.OPENSEARCH_ENDPOINT}` : undefined);
  if (!url) throw new PropertyError('no OpenSearch: set the OpenSearchUrl property, or OPENSEARCH_URL / OPENSEARCH_ENDPOINT on the function');
  const auth = (props.OpenSearchAuth || env.OPENSEARCH_AUTH || 'none') as OpenSearchAuth;
  if (!['none', 'sigv4-es', 'sigv4-aoss'].includes(auth)) throw new PropertyError(`OpenSearchAuth must be none, sigv4-es or sigv4-aoss, got "${auth}"`);
  const prefix = props.IndexPrefix || env.INDEX_PREFIX || DEFAULT_INDEX_PREFIX;
  if (!/^[a-z0-9][a-z0-9_.]*$/.test(prefix)) throw new PropertyError(`IndexPrefix "${prefix}": lower-case letters, digits, _ and . only`);
  const detections = props.Detections ?? 'on';
  if (detections !== 'on' && detections !== 'off') throw new PropertyError(`Detections must be on or off, got "${detections}"`);
  const replicas = props.Replicas === 'auto' ? 'auto' : int(props, 'Replicas');
  const ism = { hotDays: int(props, 'IsmHotDays'), warmDays: int(props, 'IsmWarmDays'), deleteDays: int(props, 'IsmDeleteDays'), warmReplicas: int(props, 'IsmWarmReplicas') };
  try {
    ismAges(ism);
  } catch (e) {
    throw new PropertyError((e as Error).message);
  }
  // The connection and the mapping lists go through the setup function's validated configuration
  // (lib/io/config.ts); the properties win over the function's environment.
  const merged: NodeJS.ProcessEnv = { ...env, OPENSEARCH_URL: url, OPENSEARCH_ENDPOINT: undefined, OPENSEARCH_AUTH: auth, INDEX_PREFIX: prefix };
  if (props.OpenSearchRoleArn !== undefined) merged.OPENSEARCH_ROLE_ARN = props.OpenSearchRoleArn || undefined;
  for (const [prop, name] of [...MAPPING_PROPERTIES, ...ALERT_PROPERTIES]) if (props[prop] !== undefined) merged[name] = props[prop];
  let cfg: SetupConfig;
  try {
    cfg = loadConfig(merged, 'setup');
  } catch (e) {
    throw new PropertyError((e as Error).message);
  }
  const options: SetupOptions = {
    prefix,
    detections: detections === 'on',
    ism,
    templates: { shards: int(props, 'Shards'), replicas, serverless: auth === 'sigv4-aoss' },
    security: cfg.roleMappings,
    // Messages link to Discover on the Dashboards this resource imports into, when it knows one.
    alerts: { ...cfg.alerts, dashboardsUrl: props.DashboardsUrl || undefined },
  };
  return { url, auth, region: env.AWS_REGION, opensearch: cfg.opensearch, options, dashboardsUrl: props.DashboardsUrl || undefined };
}

/** Resource property → setup function variable of each mapping list. */
const MAPPING_PROPERTIES = [
  ['IndexerBackendRoles', 'INDEXER_BACKEND_ROLES'],
  ['ReaderBackendRoles', 'READER_BACKEND_ROLES'],
  ['AdminBackendRoles', 'ADMIN_BACKEND_ROLES'],
] as const;

/** Resource property → setup function variable of the alert settings (`lib/io/config.ts`). */
const ALERT_PROPERTIES = [
  ['AlertSnsTopicArn', 'ALERT_SNS_TOPIC_ARN'],
  ['AlertSnsRoleArn', 'ALERT_SNS_ROLE_ARN'],
  ['AlertThrottleMinutes', 'ALERT_THROTTLE_MINUTES'],
] as const;

/** PUTs the answer to the pre-signed S3 URL (empty content type: it is part of the signature). */
export function sendResponse(url: string, body: CfnResponse, attempts = 3): Promise<void> {
  const payload = JSON.stringify(body);
  const once = () =>
    new Promise<void>((resolve, reject) => {
      const u = new URL(url);
      const req = (u.protocol === 'http:' ? httpRequest : httpsRequest)(
        u,
        { method: 'PUT', headers: { 'content-type': '', 'content-length': Buffer.byteLength(payload) }, timeout: 15_000 },
        (res) => {
          res.resume();
          res.on('end', () => (res.statusCode && res.statusCode < 300 ? resolve() : reject(new Error(`response URL answered ${res.statusCode}`))));
        },
      );
      req.on('timeout', () => req.destroy(new Error('response URL timed out')));
      req.on('error', reject);
      req.end(payload);
    });
  return (async () => {
    for (let i = 1; ; i++) {
      try {
        return await once();
      } catch (e) {
        if (i >= attempts) throw e;
        await new Promise((r) => setTimeout(r, 500 * 2 ** i));
      }
    }
  })();
}

export interface Deps {
  /** Builds the cluster connection; the default uses `lib/io/opensearch.ts` (plain URL or SigV4). */
  connect?: (cfg: OpenSearchConfig) => { http: SearchHttp; dashboards: (url: string) => Client; close: () => Promise<void> };
  respond?: (url: string, body: CfnResponse) => Promise<void>;
  env?: NodeJS.ProcessEnv;
}

const defaultConnect: NonNullable<Deps['connect']> = (cfg) => {
  const client = createOpenSearchClient(cfg);
  const others: Client[] = [];
  const dashboards = (node: string) => {
    const c = createOpenSearchClient({ ...cfg, node, requestTimeoutMs: 60_000 });
    others.push(c);
    return c;
  };
  return { http: fromClient(client), dashboards, close: async () => void (await Promise.all([client, ...others].map((c) => c.close()))) };
};

const clip = (s: string, n = 900) => (s.length > n ? s.slice(0, n) + '…' : s);

/** Handles one custom resource event and answers CloudFormation; resolves with what it answered. */
export async function handleSetupEvent(event: CloudFormationCustomResourceEvent, context: Pick<Context, 'getRemainingTimeInMillis' | 'logStreamName'>, deps: Deps = {}): Promise<CfnResponse> {
  const props = (event.ResourceProperties ?? {}) as unknown as Props;
  const prefix = props.IndexPrefix || (deps.env ?? process.env).INDEX_PREFIX || DEFAULT_INDEX_PREFIX;
  const answer: CfnResponse = {
    Status: 'SUCCESS',
    // Keep the id CloudFormation knows; a new one on Update would make it Delete the "old" resource.
    PhysicalResourceId: event.RequestType === 'Create' ? `tributary-setup-${prefix}` : event.PhysicalResourceId,
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
  };
  try {
    if (event.RequestType === 'Delete') {
      logger.info('delete: nothing to remove (templates, policies, monitors and indices are kept)', { prefix });
    } else {
      const r = resolveProperties(props, deps.env);
      const budget = Math.max(1000, context.getRemainingTimeInMillis() - ANSWER_MARGIN_MS);
      const conn = (deps.connect ?? defaultConnect)(r.opensearch);
      let timer: NodeJS.Timeout | undefined;
      try {
        const result = await Promise.race<SetupResult>([
          applySetup(conn.http, { ...r.options, dashboards: r.dashboardsUrl ? dashboardsClient(conn.dashboards(r.dashboardsUrl)) : undefined }),
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new Error(`setup did not finish within ${Math.round(budget / 1000)} s (Lambda timeout minus a margin); raise the function timeout`)), budget);
          }),
        ]);
        const lines = formatResult(result);
        logger.info('setup applied', { prefix: r.options.prefix, changes: result.changes, plugins: result.plugins });
        const count = (s: string) => String(result.changes.filter((c) => c.status === s).length);
        answer.Data = { Created: count('created'), Updated: count('updated'), Unchanged: count('unchanged'), Skipped: count('skipped'), Summary: lines[lines.length - 1] };
        // Saved objects that could not be imported do not fail the stack (templates are in place):
        // the reason is logged and returned in Data.Warning.
        const failed = result.changes.find((c) => c.status === 'failed');
        if (failed) {
          logger.error('Dashboards saved objects not imported', { detail: failed.detail });
          answer.Data.Warning = clip(`saved objects not imported: ${failed.detail}`, 500);
        }
      } finally {
        clearTimeout(timer);
        // Not awaited: after a timeout a request may still hang, and the answer must not wait for it.
        void conn.close().catch(() => undefined);
      }
    }
  } catch (e) {
    const message = (e as Error).message ?? String(e);
    logger.error('setup failed', { error: e as Error });
    answer.Status = 'FAILED';
    answer.Reason = clip(`${message} (log stream ${context.logStreamName})`);
  }
  try {
    await (deps.respond ?? sendResponse)(event.ResponseURL, answer);
  } catch (e) {
    // Nothing else can tell CloudFormation: log loudly; the stack waits for its own timeout.
    logger.error('could not answer CloudFormation', { error: e as Error, responseUrl: event.ResponseURL.split('?')[0] });
  }
  return answer;
}
