/**
 * Shipped detections. Each is defined once here (filter + window + threshold); `setup` turns it
 * into an OpenSearch Alerting query-level monitor, and the golden tests run the very same search
 * body against real documents (`test/integration/detections.test.ts`, fixtures in
 * `test/fixtures-detections/<id>.json`).
 *
 * Time window: monitors look at `event.ingested` (when Tributary normalized the event), not
 * `@timestamp`. CloudTrail reaches S3 5-15 minutes after the call and VPC flow records aggregate
 * up to 10 minutes, so a window on event time would miss late events; documents without
 * `event.ingested` fall back to `@timestamp`.
 */
import { DATASETS } from '../../parsers/types';
import { indexPattern } from '../core/indices';
import type { AlertingAction, QueryLevelMonitor } from './alerting-api';

type Query = Record<string, unknown>;

const term = (field: string, value: string | boolean | number): Query => ({ term: { [field]: value } });
const terms = (field: string, values: (string | number)[]): Query => ({ terms: { [field]: values } });
const anyOf = (...qs: Query[]): Query => ({ bool: { should: qs, minimum_should_match: 1 } });
const not = (...qs: Query[]): Query => ({ bool: { must_not: qs } });
const exists = (field: string): Query => ({ exists: { field } });

export interface Detection {
  /** Stable id: monitor name suffix and fixture file name. */
  id: string;
  name: string;
  description: string;
  /** Alerting severity, 1 (highest) to 5. */
  severity: '1' | '2' | '3' | '4' | '5';
  datasets: string[];
  /** Every clause must match (a `bool.filter`). */
  filter: Query[];
  /** Look-back window; the monitor runs every `intervalMinutes`. */
  windowMinutes: number;
  /** Fires when at least `count` matching events fall in the window, per `groupBy` value when set. */
  threshold: { count: number; groupBy?: string };
}

/** How often every monitor runs. Windows are longer so a late run never leaves a gap. */
export const INTERVAL_MINUTES = 5;

/** At least `count` matching documents with the same `groupBy` value within `minutes`. */
const burst = (count: number, groupBy: string, minutes: number): Pick<Detection, 'windowMinutes' | 'threshold'> => ({
  windowMinutes: minutes,
  threshold: { count, groupBy },
});

/** Any one matching document within `minutes`. */
const anyMatch = (minutes: number): Pick<Detection, 'windowMinutes' | 'threshold'> => ({ windowMinutes: minutes, threshold: { count: 1 } });

const IAM_WRITES = [
  'CreateUser', 'DeleteUser', 'UpdateUser', 'CreateLoginProfile', 'UpdateLoginProfile', 'DeleteLoginProfile',
  'CreateAccessKey', 'UpdateAccessKey', 'DeleteAccessKey',
  'AttachUserPolicy', 'DetachUserPolicy', 'PutUserPolicy', 'DeleteUserPolicy',
  'AttachGroupPolicy', 'DetachGroupPolicy', 'PutGroupPolicy', 'DeleteGroupPolicy', 'AddUserToGroup', 'RemoveUserFromGroup',
  'AttachRolePolicy', 'DetachRolePolicy', 'PutRolePolicy', 'DeleteRolePolicy', 'CreateRole', 'DeleteRole', 'UpdateAssumeRolePolicy',
  'CreatePolicy', 'DeletePolicy', 'CreatePolicyVersion', 'DeletePolicyVersion', 'SetDefaultPolicyVersion',
  'DeactivateMFADevice', 'DeleteVirtualMFADevice',
];

const ACCESS_DENIED = ['AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation', 'Client.UnauthorizedOperation', 'UnauthorizedAccess'];

export const DETECTIONS: Detection[] = [
  {
    id: 'console-signin-without-mfa',
    name: 'Console sign-in without MFA',
    description:
      'A successful AWS console sign-in by an IAM user or root without MFA. Federated (SAML/SSO) sign-ins are excluded: ' +
      'CloudTrail always reports MFAUsed: No for them because MFA happens at the identity provider.',
    severity: '2',
    datasets: ['aws.cloudtrail'],
    filter: [
      term('event.action', 'ConsoleLogin'),
      term('aws.cloudtrail.mfa_used', false),
      term('event.outcome', 'success'),
      terms('aws.cloudtrail.user_identity.type', ['IAMUser', 'Root']),
    ],
    ...anyMatch(10),
  },
  {
    id: 'root-user-activity',
    name: 'Root user activity',
    description: 'Any call made with root credentials (service-initiated events and calls made by AWS on root\'s behalf excluded).',
    severity: '1',
    datasets: ['aws.cloudtrail'],
    filter: [
      term('aws.cloudtrail.user_identity.type', 'Root'),
      not(term('aws.cloudtrail.event_type', 'AwsServiceEvent'), exists('aws.cloudtrail.user_identity.invoked_by')),
    ],
    ...anyMatch(10),
  },
  {
    id: 'iam-changes',
    name: 'IAM policy, user or access key change',
    description: 'A successful write to IAM users, groups, roles, policies, access keys, login profiles or MFA devices.',
    severity: '3',
    datasets: ['aws.cloudtrail'],
    filter: [term('event.provider', 'iam.amazonaws.com'), terms('event.action', IAM_WRITES), term('event.outcome', 'success')],
    ...anyMatch(10),
  },
  {
    id: 'cloudtrail-stopped',
    name: 'CloudTrail logging stopped or trail deleted',
    description: 'StopLogging or DeleteTrail, successful or not: an attempt to blind the audit trail matters either way.',
    severity: '1',
    datasets: ['aws.cloudtrail'],
    filter: [term('event.provider', 'cloudtrail.amazonaws.com'), terms('event.action', ['StopLogging', 'DeleteTrail'])],
    ...anyMatch(10),
  },
  {
    id: 'security-group-open-to-world',
    name: 'Security group opened to 0.0.0.0/0',
    description:
      'AuthorizeSecurityGroupIngress whose request parameters contain 0.0.0.0/0 or ::/0 (any rule in the request). ' +
      'requestParameters is a flat_object, so a term on the field itself matches a value at any depth.',
    severity: '2',
    datasets: ['aws.cloudtrail'],
    filter: [
      term('event.action', 'AuthorizeSecurityGroupIngress'),
      not(term('event.outcome', 'failure')),
      anyOf(term('aws.cloudtrail.request_parameters', '0.0.0.0/0'), term('aws.cloudtrail.request_parameters', '::/0')),
    ],
    ...anyMatch(10),
  },
  {
    id: 'access-denied-burst',
    name: 'Burst of AccessDenied for one principal',
    description: 'At least 10 denied calls by the same principal (ARN) within 10 minutes: probing, or broken automation.',
    severity: '3',
    datasets: ['aws.cloudtrail'],
    filter: [anyOf(terms('error.code', ACCESS_DENIED), terms('aws.cloudtrail.error_code', ACCESS_DENIED))],
    ...burst(10, 'aws.cloudtrail.user_identity.arn', 10),
  },
  {
    id: 'vpc-reject-burst',
    name: 'Burst of rejected VPC flows from one source',
    description: 'At least 50 rejected flow records from the same source IP within 10 minutes: a scan or a misconfigured client.',
    severity: '3',
    datasets: ['aws.vpcflow'],
    filter: [term('event.action', 'reject')],
    ...burst(50, 'source.ip', 10),
  },
  {
    id: 'selinux-avc-denied-enforcing',
    name: 'SELinux AVC denial in enforcing mode',
    description: 'An SELinux AVC denial that was enforced (permissive=0, or no permissive= field): something was actually blocked.',
    severity: '2',
    datasets: ['linux.audit'],
    // Kernels before 4.17 do not log permissive=: a denial without it was enforced.
    filter: [term('auditd.avc.result', 'denied'), not(term('auditd.avc.permissive', true))],
    ...anyMatch(10),
  },
  {
    id: 'attribution-mismatch',
    name: 'Logs claiming another account',
    description:
      'Logs whose content names another AWS account than the account that delivered them, which is not a configured ' +
      'aggregator (AGGREGATOR_ACCOUNTS): a forged or misrouted log, or an aggregator missing from the configuration. ' +
      'The document is filed under the delivering account (tributary.delivery.account); the claim is in tributary.claimed.account.',
    severity: '2',
    datasets: Object.values(DATASETS),
    filter: [term('tributary.attribution', 'mismatch')],
    ...anyMatch(10),
  },
  {
    id: 'lambda-timeouts-spike',
    name: 'Lambda timeouts spike',
    description: 'At least 3 timed-out invocations of the same function within 15 minutes (REPORT Status: timeout).',
    severity: '3',
    datasets: ['aws.lambda'],
    filter: [term('aws.lambda.report.status', 'timeout')],
    ...burst(3, 'aws.lambda.function_name', 15),
  },
  {
    id: 'cloudtrail-integrity-failed',
    name: 'CloudTrail log file integrity validation failed',
    description:
      'A CloudTrail log file or digest failed digest validation (`lib/integrity.ts`): modified, deleted or moved after delivery, ' +
      'a replaced or deleted previous digest, or a digest not signed by a CloudTrail key. The audit trail may have been tampered with; ' +
      '`tributary.integrity.reason` says how, `tributary.integrity.log_file.key` which file (its events carry it in `tributary.s3.key`).',
    severity: '1',
    datasets: ['aws.cloudtrail'],
    // The window is on event.ingested = when the digest was verified (up to an hour after delivery).
    filter: [term('event.kind', 'state'), term('tributary.integrity.status', 'failed')],
    ...anyMatch(10),
  },
];

/** The placeholder Alerting replaces with the end of the monitor period (epoch millis). */
export const PERIOD_END = '{{period_end}}';

function windowClause(periodEnd: string, minutes: number): Query {
  const range = { gte: `${periodEnd}||-${minutes}m`, lte: periodEnd, format: 'epoch_millis' };
  return anyOf(
    { range: { 'event.ingested': range } },
    { bool: { must_not: [exists('event.ingested')], filter: [{ range: { '@timestamp': range } }] } },
  );
}

/**
 * The search body of a detection. With the default `periodEnd` it is the monitor's input; tests
 * pass a concrete epoch-millis value to run it directly.
 */
export function detectionSearch(d: Detection, periodEnd: string = PERIOD_END): Query {
  const body: Query = {
    size: d.threshold.groupBy ? 0 : 5,
    track_total_hits: true,
    query: { bool: { filter: [windowClause(periodEnd, d.windowMinutes), ...d.filter] } },
    sort: [{ '@timestamp': { order: 'desc' } }],
  };
  if (d.threshold.groupBy) {
    // min_doc_count keeps only the groups over the threshold: the trigger just checks for any bucket.
    body.aggs = { by_group: { terms: { field: d.threshold.groupBy, size: 20, min_doc_count: d.threshold.count } } };
  }
  return body;
}

/** Painless trigger condition; `fires` is the same rule in TypeScript. */
export function triggerScript(d: Detection): string {
  return d.threshold.groupBy
    ? 'ctx.results[0].aggregations.by_group.buckets.size() > 0'
    : `ctx.results[0].hits.total.value >= ${d.threshold.count}`;
}

/** Whether a search response of {@link detectionSearch} fires the detection (mirror of {@link triggerScript}). */
export function fires(d: Detection, response: { hits: { total: { value: number } }; aggregations?: Record<string, { buckets: unknown[] }> }): boolean {
  return d.threshold.groupBy ? (response.aggregations?.by_group?.buckets.length ?? 0) > 0 : response.hits.total.value >= d.threshold.count;
}

export const monitorName = (prefix: string, d: Detection) => `Tributary [${prefix}] ${d.name}`;

/** A Lucene phrase or bare value: strings quoted (Lucene's special characters need no escaping inside quotes but `"` and `\`). */
function luceneValue(v: unknown): string {
  if (typeof v === 'boolean' || typeof v === 'number') return String(v);
  return `"${String(v).replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/**
 * One clause of the detection DSL above (term, terms, exists, any-of, none-of) in Lucene query-string
 * syntax. `nested`: the clause is not a direct member of the top-level conjunction, where a purely
 * negative group would match nothing in Lucene, so it gets an explicit `*:*` to subtract from.
 */
function luceneClause(q: Query, nested: boolean): string {
  const [kind, body] = Object.entries(q)[0] as [string, Record<string, unknown>];
  if (kind === 'term') {
    const [field, value] = Object.entries(body)[0];
    return `${field}:${luceneValue(value)}`;
  }
  if (kind === 'terms') {
    const [field, values] = Object.entries(body)[0] as [string, unknown[]];
    return `${field}:(${values.map(luceneValue).join(' OR ')})`;
  }
  if (kind === 'exists') return `_exists_:${String(body.field)}`;
  if (kind === 'bool' && Array.isArray(body.should) && body.minimum_should_match === 1 && Object.keys(body).length === 2)
    return `(${(body.should as Query[]).map((x) => luceneClause(x, true)).join(' OR ')})`;
  if (kind === 'bool' && Array.isArray(body.must_not) && Object.keys(body).length === 1) {
    const negated = (body.must_not as Query[]).map((x) => `NOT ${luceneClause(x, true)}`).join(' AND ');
    return nested ? `(*:* AND ${negated})` : negated;
  }
  // Only the helpers above build detections: anything else is a new construct that needs a translation here.
  throw new Error(`no Lucene translation for ${JSON.stringify(q)}`);
}

/**
 * The detection's filter as a Lucene query string (no time window): what an alert message shows and
 * links to in Discover, so a person can run the very search that fired. The integration tests run it
 * with `query_string` against the same documents as the monitor's own query and expect the same hits.
 * @example detectionLucene(DETECTIONS.find((d) => d.id === 'vpc-reject-burst')!) // 'event.action:"reject"'
 */
export function detectionLucene(d: Detection): string {
  return d.filter.map((q) => luceneClause(q, false)).join(' AND ');
}

/**
 * The Lucene form of the monitor's window: events ingested in the `windowMinutes` before `periodEnd`
 * (an ISO timestamp, or the Mustache variable of one), or, for documents without `event.ingested`,
 * with `@timestamp` in it — the same rule as the monitor's query (`windowClause`).
 * @example windowLucene(10, '{{ctx.periodEnd}}')
 */
export function windowLucene(windowMinutes: number, periodEnd: string): string {
  const range = `["${periodEnd}||-${windowMinutes}m" TO "${periodEnd}"]`;
  return `(event.ingested:${range} OR (NOT _exists_:event.ingested AND @timestamp:${range}))`;
}

/**
 * The Alerting monitor (`POST _plugins/_alerting/monitors`) of a detection, with the trigger's
 * actions (one per notification channel, `alerts.ts`); setup keeps actions people add on update.
 * @example monitorFor(DETECTIONS[0], 'logs', true, []).triggers[0].condition.script.source
 */
export function monitorFor(d: Detection, prefix: string, enabled: boolean, actions: AlertingAction[] = []): QueryLevelMonitor {
  return {
    type: 'monitor',
    monitor_type: 'query_level_monitor',
    name: monitorName(prefix, d),
    enabled,
    schedule: { period: { interval: INTERVAL_MINUTES, unit: 'MINUTES' } },
    inputs: [{ search: { indices: d.datasets.map((ds) => indexPattern(ds, prefix)), query: detectionSearch(d) } }],
    triggers: [
      {
        name: d.name,
        severity: d.severity,
        condition: { script: { source: triggerScript(d), lang: 'painless' } },
        actions,
      },
    ],
  };
}
