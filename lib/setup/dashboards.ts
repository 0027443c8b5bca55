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
  // WAF, Route 53 Resolver, Network Firewall (issue #16).
  wafBlocked: 'event.dataset:aws.waf AND event.action:block',
  dnsNxdomain: 'dns.response_code:NXDOMAIN',
  dnsFirewall: 'aws.route53resolver.firewall.rule_action:(BLOCK OR ALERT OR ALLOW)',
  nfwAlerts: 'event.dataset:aws.networkfirewall AND event.kind:alert',
  // Inspector: every update of a finding is its own document; "open" = a version in the time range says ACTIVE.
  inspectorOpen: 'event.dataset:aws.inspector AND event.kind:alert AND aws.inspector.status:ACTIVE',
  inspectorCriticalFix: 'vulnerability.severity:CRITICAL AND aws.inspector.fix_available:YES AND aws.inspector.status:ACTIVE',
  configNonCompliant: 'aws.config.compliance.type:NON_COMPLIANT',
  configItems: 'event.dataset:aws.config AND event.kind:state',
  // Security Hub and GuardDuty: event.severity is one 0-100 scale (70+ = HIGH or CRITICAL, schemas/sources/*.ts);
  // every update of a finding is its own document, so findings are counted by finding id.
  findingsHighCritical:
    'event.dataset:(aws.securityhub OR aws.guardduty) AND event.kind:alert AND event.severity:>=70 ' +
    'AND NOT aws.securityhub.record_state:ARCHIVED AND NOT aws.securityhub.workflow_status:(RESOLVED OR SUPPRESSED) AND NOT aws.guardduty.archived:true',
  securityhubFailed: 'event.dataset:aws.securityhub AND aws.securityhub.compliance.status:FAILED AND aws.securityhub.record_state:ACTIVE',
  guarddutyFindings: 'event.dataset:aws.guardduty AND event.kind:alert',
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
      description: 'Timeout records: the "Task timed out" line and the REPORT Status: timeout of each timed-out invocation (platform.runtimeDone and platform.report in the JSON log format).',
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
      // user.id: a login by uid alone (`id=1000`, not enriched) has no name.
      columns: ['host.name', 'user.name', 'user.id', 'source.ip', 'event.outcome', 'process.executable'],
    },
    {
      id: s('app-errors'),
      title: 'Applications: errors',
      description: 'Application log lines at error level or above.',
      indexPattern: ip('app'),
      query: QUERIES.appErrors,
      columns: ['service.name', 'log.level', 'message', 'error.type', 'tributary.log_group'],
    },
    {
      id: s('findings-high-critical'),
      title: 'Findings: high and critical (Security Hub, GuardDuty)',
      description: 'Active Security Hub and GuardDuty findings of severity 70 or more (HIGH or CRITICAL), newest update first.',
      indexPattern: ipAll,
      query: QUERIES.findingsHighCritical,
      columns: ['event.dataset', 'event.severity', 'message', 'rule.name', 'cloud.account.id', 'cloud.region', 'source.ip'],
    },
    {
      id: s('inspector-critical-fix'),
      title: 'Inspector: open critical CVEs with a fix',
      description: 'Active critical package vulnerabilities for which an update exists: patch these first.',
      indexPattern: ip('aws.inspector'),
      query: QUERIES.inspectorCriticalFix,
      columns: ['vulnerability.id', 'package.name', 'package.version', 'package.fixed_version', 'aws.inspector.resource.id', 'cloud.account.id'],
    },
    {
      id: s('config-noncompliant'),
      title: 'Config: rules turned NON_COMPLIANT',
      description: 'Compliance changes to NON_COMPLIANT: which rule, which resource, in which account, and why (annotation).',
      indexPattern: ip('aws.config'),
      query: QUERIES.configNonCompliant,
      columns: ['rule.name', 'aws.config.resource_type', 'aws.config.resource_id', 'cloud.account.id', 'aws.config.compliance.previous_type', 'aws.config.compliance.annotation'],
    },
    {
      id: s('waf-blocked'),
      title: 'WAF: blocked requests',
      description: 'Requests a web ACL blocked: which rule (and, for rule groups, which rule inside), from which client and country, for which path.',
      indexPattern: ip('aws.waf'),
      query: QUERIES.wafBlocked,
      columns: ['rule.id', 'aws.waf.terminating_group_rule_id', 'source.ip', 'source.geo.country_iso_code', 'http.request.method', 'url.path', 'aws.waf.name', 'cloud.account.id'],
    },
    {
      id: s('dns-firewall'),
      title: 'Route 53 Resolver: DNS Firewall matches',
      description: 'Queries a DNS Firewall rule blocked or alerted on, with the instance that asked.',
      indexPattern: ip('aws.route53resolver'),
      query: QUERIES.dnsFirewall,
      columns: ['dns.question.name', 'aws.route53resolver.firewall.rule_action', 'source.ip', 'cloud.instance.id', 'aws.route53resolver.vpc_id', 'cloud.account.id'],
    },
    {
      id: s('nfw-alerts'),
      title: 'Network Firewall: alerts',
      description: 'Stateful rule alerts: signature, action, and the connection they fired on.',
      indexPattern: ip('aws.networkfirewall'),
      query: QUERIES.nfwAlerts,
      columns: ['rule.name', 'event.action', 'source.ip', 'destination.ip', 'destination.port', 'tls.client.server_name', 'observer.name'],
    },
  ];

  const vis: VisSpec[] = [
    // Overview
    { id: v('events-by-source'), title: 'Events per source', indexPattern: ipAll, kind: 'timeline', terms: [{ field: 'event.dataset' }] },
    { id: v('events-by-account'), title: 'Events per account', indexPattern: ipAll, kind: 'timeline', terms: [{ field: 'cloud.account.id', size: 20 }] },
    // Every source with a public source address (enrichment; AWS WAF's own country kept as logged).
    { id: v('source-countries-map'), title: 'Events by source country (map)', indexPattern: ipAll, kind: 'region_map', terms: [{ field: 'source.geo.country_iso_code', size: 250, label: 'Country' }] },
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
    // Where sign-ins come from (enrichment: lib/core/enrich/; the country as looked up for source.ip).
    {
      id: v('ct-console-countries-map'),
      title: 'CloudTrail: console sign-ins by country (map)',
      indexPattern: ip('aws.cloudtrail'),
      kind: 'region_map',
      query: QUERIES.ctConsoleSignIn,
      terms: [{ field: 'source.geo.country_iso_code', size: 250, label: 'Country' }],
    },
    {
      id: v('ct-console-countries'),
      title: 'CloudTrail: console sign-ins by country',
      indexPattern: ip('aws.cloudtrail'),
      kind: 'table',
      query: QUERIES.ctConsoleSignIn,
      terms: [{ field: 'source.geo.country_name', size: 50, label: 'Country' }, { field: 'user.name', size: 20 }, { field: 'event.outcome' }, { field: 'source.as.organization.name', label: 'Network (AS)' }],
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
    // One timeout is logged on two records ("Task timed out" + REPORT, or runtimeDone + report): count invocations.
    {
      id: v('lambda-timeouts'),
      title: 'Lambda: timeouts per function',
      indexPattern: ip('aws.lambda'),
      kind: 'table',
      query: QUERIES.lambdaTimeouts,
      metrics: [{ type: 'cardinality', field: 'aws.lambda.request_id', label: 'Timed-out invocations' }],
      terms: [{ field: 'aws.lambda.function_name', size: 20 }],
    },
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
    // Inspector: findings are counted by finding ARN (each update of a finding is its own document).
    ...inspectorVis(v, ip('aws.inspector')),
    // Config: non-compliant resources are counted by resource id.
    ...configVis(v, ip('aws.config')),
    // Security Hub and GuardDuty: findings by severity, type and account over time, counted by finding id.
    ...findingsVis(v, ip('aws.securityhub'), ip('aws.guardduty')),
    // CloudFront and S3 server access logs: top clients, top URIs/keys, errors by status, bytes.
    ...webAccessVis(v, ip('aws.cloudfront'), ip('aws.s3access')),
    // WAF blocks by rule, client and country; Route 53 top domains and NXDOMAIN; Network Firewall alerts by signature.
    ...networkSecurityVis(v, ip('aws.waf'), ip('aws.route53resolver'), ip('aws.networkfirewall')),
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
        panel('source-countries-map'),
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
        panel('ct-console-mfa'), panel('ct-console-users'), panel('ct-console-countries-map'), panel('ct-console-countries'),
        panel('ct-root'), panel('ct-iam-changes'),
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
    {
      id: id(prefix, 'dash-vulnerabilities'),
      title: 'Tributary: Vulnerability posture (Inspector)',
      description:
        'Open Amazon Inspector findings (a version of the finding in the time range says ACTIVE), counted by finding ARN: by severity, CVE, package, resource and account, and whether a fix is available.',
      panels: [
        panel('ins-open-severity'), panel('ins-fix-available'), panel('ins-cves'), panel('ins-packages'),
        panel('ins-resources'), panel('ins-accounts'), search('inspector-critical-fix'),
      ],
      timeFrom: 'now-30d',
    },
    {
      id: id(prefix, 'dash-config'),
      title: 'Tributary: AWS Config compliance',
      description: 'Resources whose Config rules turned NON_COMPLIANT, by rule and account, and configuration changes by resource type.',
      panels: [panel('cfg-noncompliant-rules'), panel('cfg-noncompliant-timeline'), panel('cfg-noncompliant-resources', true), panel('cfg-changes', true), search('config-noncompliant')],
      timeFrom: 'now-7d',
    },
    {
      id: id(prefix, 'dash-findings'),
      title: 'Tributary: Security Hub and GuardDuty findings',
      description:
        'Security Hub and GuardDuty findings by severity, type and account over time, each finding counted once whatever its number of updates; failed controls; GuardDuty threat sources.',
      panels: [
        panel('sh-severity'), panel('gd-severity'), panel('sh-failed-controls'), panel('gd-types'),
        panel('findings-accounts', true), panel('gd-sources'), search('findings-high-critical'),
      ],
      timeFrom: 'now-7d',
    },
    {
      id: id(prefix, 'dash-cloudfront'),
      title: 'Tributary: CloudFront',
      description: 'CloudFront requests: status codes, bytes served by cache result, top viewers and URIs, errors (status 000 = viewer left first) by detailed result.',
      panels: [panel('cf-status'), panel('cf-bytes'), panel('cf-clients'), panel('cf-uris'), panel('cf-errors', true)],
    },
    {
      id: id(prefix, 'dash-s3access'),
      title: 'Tributary: S3 server access',
      description: 'S3 requests: operations, bytes sent per bucket, top requesters and keys, errors by code and bucket.',
      panels: [panel('s3-operations'), panel('s3-bytes'), panel('s3-requesters'), panel('s3-keys'), panel('s3-errors', true)],
    },
    {
      id: id(prefix, 'dash-waf'),
      title: 'Tributary: AWS WAF',
      description: 'Requests by action; blocked requests by terminating rule, client IP and country.',
      panels: [panel('waf-actions'), panel('waf-block-rules'), panel('waf-block-clients'), panel('waf-block-countries'), search('waf-blocked')],
    },
    {
      id: id(prefix, 'dash-route53resolver'),
      title: 'Tributary: Route 53 Resolver (VPC DNS)',
      description: 'Top queried domains, failed lookups (NXDOMAIN) by name and client, response codes, DNS Firewall matches.',
      panels: [panel('dns-top-domains'), panel('dns-rcodes'), panel('dns-nxdomain'), panel('dns-firewall'), search('dns-firewall')],
    },
    {
      id: id(prefix, 'dash-networkfirewall'),
      title: 'Tributary: Network Firewall',
      description: 'Alerts by signature and action, alerting sources, and flows by destination port.',
      panels: [panel('nfw-signatures'), panel('nfw-alerts-timeline'), panel('nfw-alert-sources'), panel('nfw-flow-ports'), search('nfw-alerts')],
    },
  ];

  return [...patterns, ...searches.map(searchObject), ...vis.map(visualizationObject), ...dashboards.map(dashboardObject)];
}

/** Vulnerability posture: open Inspector findings, each counted once whatever its number of updates. */
function inspectorVis(v: (name: string) => string, ip: string): VisSpec[] {
  const findings = { type: 'cardinality' as const, field: 'aws.inspector.finding_arn', label: 'Open findings' };
  const q = QUERIES.inspectorOpen;
  return [
    { id: v('ins-open-severity'), title: 'Inspector: open findings by severity', indexPattern: ip, kind: 'timeline', query: q, metrics: [findings], terms: [{ field: 'vulnerability.severity' }] },
    { id: v('ins-fix-available'), title: 'Inspector: open findings with and without a fix', indexPattern: ip, kind: 'pie', query: q, metrics: [findings], terms: [{ field: 'aws.inspector.fix_available' }] },
    { id: v('ins-cves'), title: 'Inspector: top CVEs', indexPattern: ip, kind: 'table', query: q, metrics: [findings], terms: [{ field: 'vulnerability.id', size: 20 }, { field: 'vulnerability.severity', size: 1 }] },
    { id: v('ins-packages'), title: 'Inspector: vulnerable packages', indexPattern: ip, kind: 'table', query: q, metrics: [findings], terms: [{ field: 'package.name', size: 20 }, { field: 'aws.inspector.fix_available', size: 3 }] },
    { id: v('ins-resources'), title: 'Inspector: most exposed resources', indexPattern: ip, kind: 'table', query: q, metrics: [findings], terms: [{ field: 'aws.inspector.resource.id', size: 20 }, { field: 'aws.inspector.resource.type', size: 1 }] },
    { id: v('ins-accounts'), title: 'Inspector: open findings by account and severity', indexPattern: ip, kind: 'bars', query: q, metrics: [findings], terms: [{ field: 'cloud.account.id', size: 20 }, { field: 'vulnerability.severity' }] },
  ];
}

/** Security Hub and GuardDuty findings by severity, type and account over time (one count per finding, not per update). */
function findingsVis(v: (name: string) => string, sh: string, gd: string): VisSpec[] {
  const shFindings = { type: 'cardinality' as const, field: 'aws.securityhub.finding_id', label: 'Findings' };
  const gdFindings = { type: 'cardinality' as const, field: 'aws.guardduty.finding_id', label: 'Findings' };
  return [
    { id: v('sh-severity'), title: 'Security Hub: findings by severity', indexPattern: sh, kind: 'timeline', metrics: [shFindings], terms: [{ field: 'aws.securityhub.severity.label' }] },
    { id: v('gd-severity'), title: 'GuardDuty: findings by severity', indexPattern: gd, kind: 'timeline', query: QUERIES.guarddutyFindings, metrics: [gdFindings], terms: [{ field: 'aws.guardduty.severity.label' }] },
    { id: v('sh-failed-controls'), title: 'Security Hub: failed controls by account', indexPattern: sh, kind: 'table', query: QUERIES.securityhubFailed, metrics: [shFindings], terms: [{ field: 'aws.securityhub.compliance.security_control_id', size: 20 }, { field: 'cloud.account.id', size: 20 }] },
    { id: v('gd-types'), title: 'GuardDuty: finding types by severity', indexPattern: gd, kind: 'table', query: QUERIES.guarddutyFindings, metrics: [gdFindings], terms: [{ field: 'aws.guardduty.type', size: 20 }, { field: 'aws.guardduty.severity.label', size: 5 }] },
    { id: v('findings-accounts'), title: 'Findings: high and critical by account over time', indexPattern: sh, kind: 'bars', query: QUERIES.findingsHighCritical, metrics: [shFindings], terms: [{ field: 'cloud.account.id', size: 20 }, { field: 'aws.securityhub.severity.label' }] },
    { id: v('gd-sources'), title: 'GuardDuty: threat sources (remote addresses)', indexPattern: gd, kind: 'table', query: QUERIES.guarddutyFindings, metrics: [gdFindings], terms: [{ field: 'threat.indicator.ip', size: 20 }, { field: 'aws.guardduty.remote_country', size: 3 }] },
  ];
}

/** Config compliance: resources turned NON_COMPLIANT by rule and account, and configuration changes. */
function configVis(v: (name: string) => string, ip: string): VisSpec[] {
  const resources = { type: 'cardinality' as const, field: 'aws.config.resource_id', label: 'Non-compliant resources' };
  const q = QUERIES.configNonCompliant;
  return [
    { id: v('cfg-noncompliant-rules'), title: 'Config: non-compliant resources by rule and account', indexPattern: ip, kind: 'table', query: q, metrics: [resources], terms: [{ field: 'rule.name', size: 20 }, { field: 'cloud.account.id', size: 20 }] },
    { id: v('cfg-noncompliant-timeline'), title: 'Config: NON_COMPLIANT changes by rule', indexPattern: ip, kind: 'timeline', query: q, terms: [{ field: 'rule.name' }] },
    { id: v('cfg-noncompliant-resources'), title: 'Config: non-compliant resources', indexPattern: ip, kind: 'table', query: q, terms: [{ field: 'aws.config.resource_type', size: 10 }, { field: 'aws.config.resource_id', size: 20 }, { field: 'rule.name', size: 5 }] },
    { id: v('cfg-changes'), title: 'Config: configuration changes by resource type', indexPattern: ip, kind: 'timeline', query: QUERIES.configItems, terms: [{ field: 'aws.config.resource_type' }] },
  ];
}

/** Where the committed NDJSON lives (default prefix). */
export const DASHBOARDS_NDJSON = 'dashboards/tributary.ndjson';

/** Generated files (path → content), for `scripts/generate.ts`. */
export function dashboardFiles(): Record<string, string> {
  return { [DASHBOARDS_NDJSON]: toNdjson(savedObjects('logs')) };
}

/** CloudFront and S3 server access logs: top clients, top URIs and keys, errors by status, bytes. */
function webAccessVis(v: (name: string) => string, cf: string, s3: string): VisSpec[] {
  const bytes = { type: 'sum' as const, field: 'http.response.bytes', label: 'Bytes sent' };
  const count = { type: 'count' as const, label: 'Requests' };
  return [
    { id: v('cf-status'), title: 'CloudFront: status codes', indexPattern: cf, kind: 'timeline', terms: [{ field: 'http.response.status_code' }] },
    { id: v('cf-bytes'), title: 'CloudFront: bytes served by cache result', indexPattern: cf, kind: 'timeline', metrics: [bytes], terms: [{ field: 'aws.cloudfront.edge_result_type' }] },
    { id: v('cf-clients'), title: 'CloudFront: top viewers', indexPattern: cf, kind: 'table', metrics: [count, bytes], terms: [{ field: 'source.ip', size: 20 }] },
    { id: v('cf-uris'), title: 'CloudFront: top URIs', indexPattern: cf, kind: 'table', metrics: [count, bytes], terms: [{ field: 'url.path', size: 20 }, { field: 'url.domain', size: 1 }] },
    {
      id: v('cf-errors'),
      title: 'CloudFront: errors by status and detailed result',
      indexPattern: cf,
      kind: 'table',
      query: 'event.outcome:failure',
      terms: [{ field: 'http.response.status_code', size: 10 }, { field: 'aws.cloudfront.edge_detailed_result_type', size: 10 }, { field: 'aws.cloudfront.distribution_id', size: 5 }],
    },
    { id: v('s3-operations'), title: 'S3 access: operations', indexPattern: s3, kind: 'timeline', terms: [{ field: 'event.action' }] },
    { id: v('s3-bytes'), title: 'S3 access: bytes sent per bucket', indexPattern: s3, kind: 'timeline', metrics: [bytes], terms: [{ field: 'aws.s3access.bucket' }] },
    {
      id: v('s3-requesters'),
      title: 'S3 access: top requesters',
      indexPattern: s3,
      kind: 'table',
      metrics: [count, bytes],
      terms: [{ field: 'client.user.id', size: 20 }, { field: 'source.ip', size: 3 }],
    },
    { id: v('s3-keys'), title: 'S3 access: top keys', indexPattern: s3, kind: 'table', metrics: [count, bytes], terms: [{ field: 'aws.s3access.key', size: 20 }, { field: 'aws.s3access.bucket', size: 1 }] },
    {
      id: v('s3-errors'),
      title: 'S3 access: errors by code and bucket',
      indexPattern: s3,
      kind: 'table',
      query: 'event.outcome:failure',
      terms: [{ field: 'error.code', size: 10 }, { field: 'http.response.status_code', size: 5 }, { field: 'aws.s3access.bucket', size: 10 }],
    },
  ];
}

/** WAF blocks by rule, client and country; Route 53 top domains and NXDOMAIN; Network Firewall alerts by signature. */
function networkSecurityVis(v: (name: string) => string, waf: string, dns: string, nfw: string): VisSpec[] {
  return [
    { id: v('waf-actions'), title: 'WAF: requests by action', indexPattern: waf, kind: 'timeline', terms: [{ field: 'event.action' }] },
    {
      id: v('waf-block-rules'),
      title: 'WAF: blocks by rule',
      indexPattern: waf,
      kind: 'table',
      query: QUERIES.wafBlocked,
      terms: [{ field: 'rule.id', size: 20 }, { field: 'aws.waf.terminating_group_rule_id', size: 5 }, { field: 'aws.waf.name', size: 3 }],
    },
    { id: v('waf-block-clients'), title: 'WAF: blocked clients', indexPattern: waf, kind: 'table', query: QUERIES.wafBlocked, terms: [{ field: 'source.ip', size: 20 }, { field: 'rule.id', size: 5 }] },
    { id: v('waf-block-countries'), title: 'WAF: blocks by country', indexPattern: waf, kind: 'bars', query: QUERIES.wafBlocked, terms: [{ field: 'source.geo.country_iso_code', size: 20 }] },
    { id: v('dns-top-domains'), title: 'Route 53 Resolver: top queried domains', indexPattern: dns, kind: 'table', terms: [{ field: 'dns.question.name', size: 25 }, { field: 'dns.question.type', size: 5 }] },
    { id: v('dns-rcodes'), title: 'Route 53 Resolver: response codes', indexPattern: dns, kind: 'timeline', terms: [{ field: 'dns.response_code' }] },
    {
      id: v('dns-nxdomain'),
      title: 'Route 53 Resolver: NXDOMAIN by name and client',
      indexPattern: dns,
      kind: 'table',
      query: QUERIES.dnsNxdomain,
      terms: [{ field: 'dns.question.name', size: 20 }, { field: 'source.ip', size: 5 }],
    },
    {
      id: v('dns-firewall'),
      title: 'Route 53 Resolver: DNS Firewall matches',
      indexPattern: dns,
      kind: 'table',
      query: QUERIES.dnsFirewall,
      terms: [{ field: 'aws.route53resolver.firewall.rule_action' }, { field: 'dns.question.name', size: 20 }, { field: 'cloud.instance.id', size: 5 }],
    },
    {
      id: v('nfw-signatures'),
      title: 'Network Firewall: alerts by signature',
      indexPattern: nfw,
      kind: 'table',
      query: QUERIES.nfwAlerts,
      terms: [{ field: 'rule.name', size: 20 }, { field: 'event.action', size: 3 }, { field: 'observer.name', size: 5 }],
    },
    { id: v('nfw-alerts-timeline'), title: 'Network Firewall: alerts by action', indexPattern: nfw, kind: 'timeline', query: QUERIES.nfwAlerts, terms: [{ field: 'event.action' }] },
    { id: v('nfw-alert-sources'), title: 'Network Firewall: alerting sources', indexPattern: nfw, kind: 'table', query: QUERIES.nfwAlerts, terms: [{ field: 'source.ip', size: 20 }, { field: 'rule.name', size: 5 }] },
    {
      id: v('nfw-flow-ports'),
      title: 'Network Firewall: flows by destination port (bytes)',
      indexPattern: nfw,
      kind: 'table',
      query: 'event.action:netflow',
      metrics: [{ type: 'sum', field: 'network.bytes', label: 'Bytes' }, { type: 'count', label: 'Flows' }],
      terms: [{ field: 'destination.port', size: 20 }, { field: 'network.transport', size: 3 }],
    },
  ];
}
