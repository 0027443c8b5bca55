/**
 * What a user finds in OpenSearch Dashboards after `tributary setup`: one index pattern per dataset
 * plus `<prefix>-*`, saved searches and one dashboard per source. Written once here; `npm run
 * generate` writes `dashboards/tributary.ndjson` (default prefix `logs`) from it and `setup`
 * builds the same objects for its `--index-prefix`. Every field referenced here must exist in
 * the generated mapping (`test/unit/setup-dashboards.test.ts` checks it).
 */
// Not from ./templates: `npm run generate` loads this file, and must not need mappings.json to exist.
import { DATASETS } from '../../parsers/types';
import { allIndicesPattern, indexPattern } from '../core/indices';
import {
  dashboardObject,
  indexPatternObject,
  searchObject,
  toNdjson,
  visualizationObject,
  type DashboardSpec,
  type SavedObject,
  type SearchSpec,
  type VisSpec,
} from './saved-objects';

/** Lucene queries shared by saved searches, visualizations and the detections' documentation. */
export const QUERIES = {
  pipelineErrors: 'event.kind:pipeline_error',
  attributionMismatch: 'tributary.attribution:mismatch',
  ctFailed: 'event.outcome:failure',
  ctConsoleSignIn: 'event.action:ConsoleLogin',
  ctConsoleNoMfa: 'event.action:ConsoleLogin AND aws.cloudtrail.mfa_used:false',
  ctRoot: 'aws.cloudtrail.user_identity.type:Root',
  // Writes to IAM and to resource policies; reads (Get/List/Describe...) and sign-ins excluded.
  ctIamChanges:
    '(event.provider:iam.amazonaws.com OR event.action:(PutBucketPolicy OR DeleteBucketPolicy OR PutKeyPolicy OR SetQueueAttributes OR AddPermission OR RemovePermission)) ' +
    'AND NOT event.action:(Get* OR List* OR Describe* OR Generate* OR Simulate*) AND NOT aws.cloudtrail.read_only:true',
  vpcReject: 'event.action:reject',
  http5xx: 'http.response.status_code:[500 TO 599]',
  http4xx5xx: 'http.response.status_code:[400 TO 599]',
  lambdaReport: 'aws.lambda.platform_type:"platform.report"',
  lambdaErrors: 'log.level:(error OR fatal OR critical) OR aws.lambda.report.status:(error OR failure)',
  lambdaTimeouts: 'aws.lambda.report.status:timeout',
  auditAvcDenied: 'auditd.avc.result:denied',
  auditLogins: 'event.category:authentication',
  appErrors: 'log.level:(error OR fatal OR critical)',
} as const;

const id = (prefix: string, name: string) => `tributary-${prefix}-${name}`;

/**
 * The saved-object id of the index pattern of one dataset, or of all of them (`'all'`): alert
 * messages link to Discover with it (`alerts.ts`).
 * @example indexPatternId('logs', 'aws.cloudtrail') // 'tributary-logs-ip-aws.cloudtrail'
 */
export const indexPatternId = (prefix: string, dataset: string | 'all'): string => id(prefix, `ip-${dataset}`);

/** Every saved object, for one index prefix, in import order (index patterns first). */
export function savedObjects(prefix = 'logs'): SavedObject[] {
  const ip = (dataset: string) => indexPatternId(prefix, dataset);
  const ipAll = indexPatternId(prefix, 'all');
  const v = (name: string) => id(prefix, `vis-${name}`);
  const s = (name: string) => id(prefix, `search-${name}`);

  const patterns = [
    indexPatternObject(ipAll, allIndicesPattern(prefix)),
    ...Object.values(DATASETS).map((dataset) => indexPatternObject(ip(dataset), indexPattern(dataset, prefix))),
  ];

  const searches: SearchSpec[] = [
    {
      id: s('pipeline-errors'),
      title: 'Tributary: pipeline errors',
      description: 'Records Tributary could not parse, with the reason and where they came from.',
      indexPattern: ipAll,
      query: QUERIES.pipelineErrors,
      columns: ['tributary.source', 'error.type', 'error.message', 'tributary.log_group', 'tributary.s3.key'],
    },
    {
      id: s('attribution-mismatch'),
      title: 'Tributary: logs claiming another account',
      description:
        'Documents whose content named another account than the one that delivered them (not a configured aggregator). ' +
        'Filed under the delivering account; the claim is in tributary.claimed.account.',
      indexPattern: ipAll,
      query: QUERIES.attributionMismatch,
      columns: ['tributary.delivery.account', 'tributary.claimed.account', 'tributary.source', 'event.action', 'tributary.log_group', 'tributary.s3.key'],
    },
    {
      id: s('cloudtrail-failed'),
      title: 'CloudTrail: failed calls',
      description: 'API calls that failed (AccessDenied, UnauthorizedOperation...).',
      indexPattern: ip('aws.cloudtrail'),
      query: QUERIES.ctFailed,
      columns: ['user.name', 'event.provider', 'event.action', 'error.code', 'source.ip', 'cloud.account.id'],
    },
    {
      id: s('cloudtrail-console-no-mfa'),
      title: 'CloudTrail: console sign-ins without MFA',
      description: 'ConsoleLogin events whose additionalEventData says MFAUsed: No.',
      indexPattern: ip('aws.cloudtrail'),
      query: QUERIES.ctConsoleNoMfa,
      columns: ['user.name', 'aws.cloudtrail.user_identity.type', 'event.outcome', 'source.ip', 'cloud.account.id'],
    },
    {
      id: s('cloudtrail-root'),
      title: 'CloudTrail: root user activity',
      description: 'Everything the root user of any account did.',
      indexPattern: ip('aws.cloudtrail'),
      query: QUERIES.ctRoot,
      columns: ['event.action', 'event.provider', 'event.outcome', 'source.ip', 'cloud.account.id'],
    },
    {
      id: s('cloudtrail-iam-changes'),
      title: 'CloudTrail: IAM and policy changes',
      description: 'Writes to IAM (users, roles, policies, access keys) and to resource policies.',
      indexPattern: ip('aws.cloudtrail'),
      query: QUERIES.ctIamChanges,
      columns: ['user.name', 'event.action', 'event.outcome', 'aws.cloudtrail.resources.arn', 'cloud.account.id'],
    },
    {
      id: s('vpcflow-rejected'),
      title: 'VPC Flow: rejected traffic',
      description: 'Flows rejected by security groups or network ACLs.',
      indexPattern: ip('aws.vpcflow'),
      query: QUERIES.vpcReject,
      columns: ['source.ip', 'destination.ip', 'destination.port', 'network.transport', 'aws.vpcflow.interface_id', 'cloud.account.id'],
    },
    {
      id: s('elb-5xx'),
      title: 'ELB: 5xx responses',
      description: 'Requests answered with a server error, by the load balancer or its targets.',
      indexPattern: ip('aws.elb'),
      query: QUERIES.http5xx,
      columns: ['aws.elb.name', 'http.response.status_code', 'aws.elb.target_status_code', 'aws.elb.error_reason', 'url.original', 'source.ip'],
    },
    {
      id: s('apigateway-errors'),
      title: 'API Gateway: 4xx and 5xx responses',
      description: 'Requests answered with a client or server error.',
      indexPattern: ip('aws.apigateway'),
      query: QUERIES.http4xx5xx,
      columns: ['aws.apigateway.api_id', 'aws.apigateway.stage', 'http.response.status_code', 'aws.apigateway.response_type', 'url.path', 'source.ip'],
    },
    {
      id: s('lambda-errors'),
      title: 'Lambda: errors',
      description: 'Error log lines and failed invocations.',
      indexPattern: ip('aws.lambda'),
      query: QUERIES.lambdaErrors,
      columns: ['aws.lambda.function_name', 'log.level', 'error.type', 'message', 'aws.lambda.request_id'],
    },
    {
      id: s('lambda-timeouts'),
      title: 'Lambda: timeouts',
      description: 'Invocations whose REPORT line says Status: timeout.',
      indexPattern: ip('aws.lambda'),
      query: QUERIES.lambdaTimeouts,
      columns: ['aws.lambda.function_name', 'aws.lambda.report.duration_ms', 'aws.lambda.request_id', 'cloud.account.id'],
    },
    {
      id: s('audit-avc-denials'),
      title: 'SELinux: AVC denials',
      description: 'SELinux access vector cache denials (enforcing and permissive).',
      indexPattern: ip('linux.audit'),
      query: QUERIES.auditAvcDenied,
      columns: ['host.name', 'process.name', 'auditd.avc.permissions', 'auditd.avc.scontext.type', 'auditd.avc.tcontext.type', 'auditd.avc.tclass', 'auditd.avc.permissive', 'file.path'],
    },
    {
      id: s('audit-logins'),
      title: 'Linux audit: logins',
      description: 'Authentication events (USER_LOGIN, USER_AUTH...).',
      indexPattern: ip('linux.audit'),
      query: QUERIES.auditLogins,
      columns: ['host.name', 'user.name', 'source.ip', 'event.outcome', 'process.executable'],
    },
    {
      id: s('app-errors'),
      title: 'Applications: errors',
      description: 'Application log lines at error level or above.',
      indexPattern: ip('app'),
      query: QUERIES.appErrors,
      columns: ['service.name', 'log.level', 'message', 'error.type', 'tributary.log_group'],
    },
  ];

  const vis: VisSpec[] = [
    // Overview
    { id: v('events-by-source'), title: 'Events per source', indexPattern: ipAll, kind: 'timeline', terms: [{ field: 'event.dataset' }] },
    { id: v('events-by-account'), title: 'Events per account', indexPattern: ipAll, kind: 'timeline', terms: [{ field: 'cloud.account.id', size: 20 }] },
    { id: v('sources-pie'), title: 'Share of events per source', indexPattern: ipAll, kind: 'pie', terms: [{ field: 'event.dataset' }] },
    { id: v('pipeline-errors'), title: 'Pipeline errors per source', indexPattern: ipAll, kind: 'timeline', query: QUERIES.pipelineErrors, terms: [{ field: 'tributary.source' }] },
    {
      id: v('pipeline-errors-table'),
      title: 'Pipeline errors by source and type',
      indexPattern: ipAll,
      kind: 'table',
      query: QUERIES.pipelineErrors,
      terms: [{ field: 'tributary.source' }, { field: 'error.type' }, { field: 'tributary.log_group', size: 20 }],
    },
    // CloudTrail
    { id: v('ct-top-actions'), title: 'CloudTrail: top actions', indexPattern: ip('aws.cloudtrail'), kind: 'table', terms: [{ field: 'event.provider' }, { field: 'event.action', size: 20 }] },
    { id: v('ct-top-users'), title: 'CloudTrail: top users', indexPattern: ip('aws.cloudtrail'), kind: 'table', terms: [{ field: 'user.name', size: 20 }, { field: 'aws.cloudtrail.user_identity.type' }] },
    { id: v('ct-failed-timeline'), title: 'CloudTrail: failed calls by error', indexPattern: ip('aws.cloudtrail'), kind: 'timeline', query: QUERIES.ctFailed, terms: [{ field: 'error.code' }] },
    {
      id: v('ct-failed-table'),
      title: 'CloudTrail: failed calls by principal',
      indexPattern: ip('aws.cloudtrail'),
      kind: 'table',
      query: QUERIES.ctFailed,
      terms: [{ field: 'user.name', size: 20 }, { field: 'event.action' }, { field: 'error.code' }],
    },
    {
      id: v('ct-console-mfa'),
      title: 'CloudTrail: console sign-ins with and without MFA',
      indexPattern: ip('aws.cloudtrail'),
      kind: 'bars',
      query: QUERIES.ctConsoleSignIn,
      terms: [{ field: 'aws.cloudtrail.mfa_used', label: 'MFA used' }, { field: 'event.outcome' }],
    },
    {
      id: v('ct-console-users'),
      title: 'CloudTrail: console sign-ins by user',
      indexPattern: ip('aws.cloudtrail'),
      kind: 'table',
      query: QUERIES.ctConsoleSignIn,
      terms: [{ field: 'user.name', size: 20 }, { field: 'aws.cloudtrail.mfa_used', label: 'MFA used' }, { field: 'source.ip' }],
    },
    { id: v('ct-root'), title: 'CloudTrail: root activity', indexPattern: ip('aws.cloudtrail'), kind: 'table', query: QUERIES.ctRoot, terms: [{ field: 'cloud.account.id' }, { field: 'event.action', size: 20 }, { field: 'source.ip' }] },
    { id: v('ct-iam-changes'), title: 'CloudTrail: IAM and policy changes', indexPattern: ip('aws.cloudtrail'), kind: 'table', query: QUERIES.ctIamChanges, terms: [{ field: 'event.action', size: 20 }, { field: 'user.name' }] },
    // VPC Flow
    { id: v('vpc-rejected-timeline'), title: 'VPC Flow: rejected flows', indexPattern: ip('aws.vpcflow'), kind: 'timeline', query: QUERIES.vpcReject, terms: [{ field: 'aws.vpcflow.vpc_id' }] },
    {
      id: v('vpc-top-talkers'),
      title: 'VPC Flow: top talkers (bytes)',
      indexPattern: ip('aws.vpcflow'),
      kind: 'table',
      metrics: [{ type: 'sum', field: 'network.bytes', label: 'Bytes' }, { type: 'sum', field: 'network.packets', label: 'Packets' }],
      terms: [{ field: 'source.ip', size: 20 }, { field: 'destination.ip', size: 5 }],
    },
    { id: v('vpc-top-ports'), title: 'VPC Flow: top destination ports', indexPattern: ip('aws.vpcflow'), kind: 'bars', terms: [{ field: 'destination.port', size: 20 }, { field: 'network.transport' }] },
    {
      id: v('vpc-rejected-sources'),
      title: 'VPC Flow: rejected sources and ports',
      indexPattern: ip('aws.vpcflow'),
      kind: 'table',
      query: QUERIES.vpcReject,
      terms: [{ field: 'source.ip', size: 20 }, { field: 'destination.port', size: 5 }],
    },
    // ELB
    { id: v('elb-status'), title: 'ELB: status codes', indexPattern: ip('aws.elb'), kind: 'timeline', terms: [{ field: 'http.response.status_code' }] },
    {
      id: v('elb-latency'),
      title: 'ELB: target processing time (s)',
      indexPattern: ip('aws.elb'),
      kind: 'table',
      metrics: [
        { type: 'percentiles', field: 'aws.elb.target_processing_time', percents: [50, 95, 99] },
        { type: 'max', field: 'aws.elb.target_processing_time' },
      ],
      terms: [{ field: 'aws.elb.name' }],
    },
    { id: v('elb-clients'), title: 'ELB: top client IPs', indexPattern: ip('aws.elb'), kind: 'table', terms: [{ field: 'source.ip', size: 20 }, { field: 'http.response.status_code', size: 5 }] },
    { id: v('elb-errors'), title: 'ELB: error reasons', indexPattern: ip('aws.elb'), kind: 'table', query: QUERIES.http5xx, terms: [{ field: 'aws.elb.name' }, { field: 'aws.elb.error_reason' }] },
    // API Gateway
    { id: v('apigw-status'), title: 'API Gateway: status codes', indexPattern: ip('aws.apigateway'), kind: 'timeline', terms: [{ field: 'http.response.status_code' }] },
    {
      id: v('apigw-latency'),
      title: 'API Gateway: latency (ms)',
      indexPattern: ip('aws.apigateway'),
      kind: 'table',
      metrics: [
        { type: 'percentiles', field: 'aws.apigateway.response_latency', percents: [50, 95, 99], label: 'Response latency' },
        { type: 'avg', field: 'aws.apigateway.integration_latency', label: 'Integration latency (avg)' },
      ],
      terms: [{ field: 'aws.apigateway.api_id' }, { field: 'aws.apigateway.stage' }],
    },
    { id: v('apigw-clients'), title: 'API Gateway: top client IPs', indexPattern: ip('aws.apigateway'), kind: 'table', terms: [{ field: 'source.ip', size: 20 }, { field: 'http.response.status_code', size: 5 }] },
    // Lambda
    { id: v('lambda-errors'), title: 'Lambda: errors per function', indexPattern: ip('aws.lambda'), kind: 'timeline', query: QUERIES.lambdaErrors, terms: [{ field: 'aws.lambda.function_name' }] },
    { id: v('lambda-timeouts'), title: 'Lambda: timeouts per function', indexPattern: ip('aws.lambda'), kind: 'table', query: QUERIES.lambdaTimeouts, terms: [{ field: 'aws.lambda.function_name', size: 20 }] },
    {
      id: v('lambda-duration'),
      title: 'Lambda: duration and memory (REPORT lines)',
      indexPattern: ip('aws.lambda'),
      kind: 'table',
      query: QUERIES.lambdaReport,
      metrics: [
        { type: 'count', label: 'Invocations' },
        { type: 'avg', field: 'aws.lambda.report.duration_ms', label: 'Avg duration (ms)' },
        { type: 'max', field: 'aws.lambda.report.duration_ms', label: 'Max duration (ms)' },
        { type: 'max', field: 'aws.lambda.report.max_memory_used_mb', label: 'Max memory used (MB)' },
        { type: 'max', field: 'aws.lambda.report.memory_size_mb', label: 'Memory size (MB)' },
        { type: 'avg', field: 'aws.lambda.report.init_duration_ms', label: 'Avg init (ms, cold starts)' },
      ],
      terms: [{ field: 'aws.lambda.function_name', size: 20 }],
    },
    {
      id: v('lambda-duration-timeline'),
      title: 'Lambda: p95 duration (ms)',
      indexPattern: ip('aws.lambda'),
      kind: 'timeline',
      query: QUERIES.lambdaReport,
      metrics: [{ type: 'percentiles', field: 'aws.lambda.report.duration_ms', percents: [95] }],
      terms: [{ field: 'aws.lambda.function_name', size: 5 }],
    },
    // SELinux / audit
    {
      id: v('audit-avc-types'),
      title: 'SELinux: AVC denials by target class and permission',
      indexPattern: ip('linux.audit'),
      kind: 'bars',
      query: QUERIES.auditAvcDenied,
      terms: [{ field: 'auditd.avc.tclass', size: 15 }, { field: 'auditd.avc.permissions', size: 10 }],
    },
    {
      id: v('audit-avc-processes'),
      title: 'SELinux: AVC denials by process and context',
      indexPattern: ip('linux.audit'),
      kind: 'table',
      query: QUERIES.auditAvcDenied,
      terms: [{ field: 'process.name', size: 20 }, { field: 'auditd.avc.scontext.type', size: 5 }, { field: 'auditd.avc.tcontext.type', size: 5 }, { field: 'auditd.avc.permissive' }],
    },
    { id: v('audit-logins'), title: 'Linux audit: logins by outcome', indexPattern: ip('linux.audit'), kind: 'timeline', query: QUERIES.auditLogins, terms: [{ field: 'event.outcome' }] },
    {
      id: v('audit-logins-table'),
      title: 'Linux audit: logins by user and source',
      indexPattern: ip('linux.audit'),
      kind: 'table',
      query: QUERIES.auditLogins,
      terms: [{ field: 'user.name', size: 20 }, { field: 'source.ip', size: 10 }, { field: 'event.outcome' }],
    },
    // Applications
    { id: v('app-levels'), title: 'Applications: log levels', indexPattern: ip('app'), kind: 'timeline', terms: [{ field: 'log.level' }] },
    { id: v('app-errors'), title: 'Applications: errors by service', indexPattern: ip('app'), kind: 'table', query: QUERIES.appErrors, terms: [{ field: 'service.name', size: 20 }, { field: 'error.type' }] },
  ];

  const panel = (name: string, wide = false) => ({ id: v(name), type: 'visualization' as const, wide });
  const search = (name: string) => ({ id: s(name), type: 'search' as const, wide: true });
  const dashboards: DashboardSpec[] = [
    {
      id: id(prefix, 'dash-overview'),
      title: 'Tributary: overview',
      description: 'Events per source and account, records the pipeline could not parse, and logs claiming another account.',
      panels: [
        panel('events-by-source'),
        panel('events-by-account'),
        panel('sources-pie'),
        panel('pipeline-errors'),
        panel('pipeline-errors-table', true),
        search('pipeline-errors'),
        search('attribution-mismatch'),
      ],
    },
    {
      id: id(prefix, 'dash-cloudtrail'),
      title: 'Tributary: CloudTrail',
      description: 'Who did what: top actions and users, failed calls, console sign-ins and MFA, root activity, IAM changes.',
      panels: [
        panel('ct-top-actions'), panel('ct-top-users'), panel('ct-failed-timeline'), panel('ct-failed-table'),
        panel('ct-console-mfa'), panel('ct-console-users'), panel('ct-root'), panel('ct-iam-changes'),
        search('cloudtrail-failed'), search('cloudtrail-console-no-mfa'), search('cloudtrail-root'), search('cloudtrail-iam-changes'),
      ],
      timeFrom: 'now-7d',
    },
    {
      id: id(prefix, 'dash-vpcflow'),
      title: 'Tributary: VPC Flow Logs',
      description: 'Rejected traffic, top talkers and destination ports.',
      panels: [panel('vpc-rejected-timeline'), panel('vpc-rejected-sources'), panel('vpc-top-talkers'), panel('vpc-top-ports'), search('vpcflow-rejected')],
    },
    {
      id: id(prefix, 'dash-elb'),
      title: 'Tributary: Load balancers',
      description: 'Status codes, target latency and client IPs of ALB, NLB and Classic load balancers.',
      panels: [panel('elb-status'), panel('elb-latency'), panel('elb-clients'), panel('elb-errors'), search('elb-5xx')],
    },
    {
      id: id(prefix, 'dash-apigateway'),
      title: 'Tributary: API Gateway',
      description: 'Status codes, latency and client IPs of REST, HTTP and WebSocket APIs.',
      panels: [panel('apigw-status'), panel('apigw-latency'), panel('apigw-clients', true), search('apigateway-errors')],
    },
    {
      id: id(prefix, 'dash-lambda'),
      title: 'Tributary: Lambda',
      description: 'Errors, timeouts, and duration and memory from REPORT lines, per function.',
      panels: [panel('lambda-errors'), panel('lambda-timeouts'), panel('lambda-duration', true), panel('lambda-duration-timeline', true), search('lambda-errors'), search('lambda-timeouts')],
    },
    {
      id: id(prefix, 'dash-audit'),
      title: 'Tributary: SELinux and Linux audit',
      description: 'AVC denials by class, permission and process; logins by user, source and outcome.',
      panels: [panel('audit-avc-types'), panel('audit-avc-processes'), panel('audit-logins'), panel('audit-logins-table'), search('audit-avc-denials'), search('audit-logins')],
    },
    {
      id: id(prefix, 'dash-app'),
      title: 'Tributary: Applications',
      description: 'Log levels over time and errors per service.',
      panels: [panel('app-levels'), panel('app-errors'), search('app-errors')],
    },
  ];

  return [...patterns, ...searches.map(searchObject), ...vis.map(visualizationObject), ...dashboards.map(dashboardObject)];
}

/** Where the committed NDJSON lives (default prefix). */
export const DASHBOARDS_NDJSON = 'dashboards/tributary.ndjson';

/** Generated files (path → content), for `scripts/generate.ts`. */
export function dashboardFiles(): Record<string, string> {
  return { [DASHBOARDS_NDJSON]: toNdjson(savedObjects('logs')) };
}
