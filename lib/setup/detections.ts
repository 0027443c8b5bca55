/**
 * Shipped detections. Each is defined once here (filter + window + threshold); `setup` turns it
 * into an OpenSearch Alerting query-level monitor, and the golden tests run the very same search
 * body against real documents (`test/integration/detections.test.ts`, fixtures in
 * `test/fixtures-detections/<id>.json`, the parsers' output of the real-format lines in
 * `test/fixtures-detections/input/<id>.json`). Every detection names its MITRE ATT&CK technique and
 * one line of runbook: the type requires both, every alert shows them.
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
/** A numeric field at or above `min` (finding severities: `event.severity` >= 70). */
const atLeast = (field: string, min: number): Query => ({ range: { [field]: { gte: min } } });
/** A keyword field matching a pattern with `*` (any characters): for names other tools extend (Config rules). */
const wildcard = (field: string, pattern: string): Query => ({ wildcard: { [field]: pattern } });

/**
 * A MITRE ATT&CK (Enterprise) technique or sub-technique: what the detection is evidence of, the
 * reference an analyst looks up and a SOC reports by.
 * @example { id: 'T1562.008', name: 'Impair Defenses: Disable or Modify Cloud Logs' }
 */
export interface AttackTechnique {
  /** `T` + 4 digits, `.` + 3 digits for a sub-technique. */
  id: string;
  /** The technique's name as ATT&CK writes it (a sub-technique as `Technique: Sub-technique`). */
  name: string;
}

export interface Detection {
  /** Stable id: monitor name suffix and fixture file name. */
  id: string;
  name: string;
  description: string;
  /** Alerting severity, 1 (highest) to 5. */
  severity: '1' | '2' | '3' | '4' | '5';
  /** Required: every alert names the technique (`alerts.ts`), and the monitor carries it (`monitorFor`). */
  attack: AttackTechnique;
  /** Required: one line, what the analyst does first when it fires. Shown in every alert. */
  runbook: string;
  datasets: string[];
  /** Every clause must match (a `bool.filter`). */
  filter: Query[];
  /** Look-back window; the monitor runs every `intervalMinutes`. */
  windowMinutes: number;
  /**
   * Fires when at least `count` matching events fall in the window, per `groupBy` value when set.
   * With `distinct`, `count` counts distinct values of that field per group instead of documents
   * (one occurrence logged as several records, e.g. a Lambda timeout, counts once).
   * With `newValue`, a group fires when an event of the window carries a `newValue.field` value that
   * group's events of the previous `historyDays` never carried (`count` is then 1, `groupBy` required).
   * With `silence`, a group fires when it had events in the `historyHours` before the window and has
   * none in the window (`count` is then 1, `groupBy` required).
   */
  threshold: { count: number; groupBy?: string; distinct?: string; newValue?: NewValue; silence?: Silence };
}

/**
 * "Went silent": a group (an account) that delivered events in the last `historyHours` and none in
 * the window. A group silent for longer than the history is no longer reported: the alert stays in
 * Alerting's history until acknowledged, and the search window of the next alert starts over.
 * @example { historyHours: 24 }
 */
export interface Silence {
  historyHours: number;
}

/** Whether a detection searches a history longer than its window (the window's count is then `aggregations.recent`). */
export const searchesHistory = (d: Detection): boolean => Boolean(d.threshold.newValue ?? d.threshold.silence);

/**
 * The minutes before the period's end that the search an alert shows (Lucene, Discover) covers: the
 * detection's window, except for a silence detection, whose window is empty by definition: its history.
 */
export const alertWindowMinutes = (d: Detection): number => (d.threshold.silence ? d.threshold.silence.historyHours * 60 : d.windowMinutes);

/**
 * "New for that principal": the value (a country) appears in the window and nowhere in the group's
 * history, and the group has a history (events before the window), so a first-ever event, with no
 * baseline to differ from, does not fire. History is by event time (`@timestamp`), the window by
 * ingestion time like every detection.
 * @example { field: 'source.geo.country_iso_code', historyDays: 90 }
 */
export interface NewValue {
  field: string;
  historyDays: number;
}

/**
 * The ATT&CK page of a technique.
 * @example attackUrl({ id: 'T1562.008', name: 'Impair Defenses: Disable or Modify Cloud Logs' }) // 'https://attack.mitre.org/techniques/T1562/008/'
 */
export const attackUrl = (t: AttackTechnique): string => `https://attack.mitre.org/techniques/${t.id.replace('.', '/')}/`;

/** How often every monitor runs. Windows are longer so a late run never leaves a gap. */
export const INTERVAL_MINUTES = 5;

/** At least `count` matching documents (or distinct `distinct` values) with the same `groupBy` value within `minutes`. */
const burst = (count: number, groupBy: string, minutes: number, distinct?: string): Pick<Detection, 'windowMinutes' | 'threshold'> => ({
  windowMinutes: minutes,
  threshold: distinct ? { count, groupBy, distinct } : { count, groupBy },
});

/** A `field` value new for its `groupBy` value: seen within `minutes`, not in the `historyDays` before (`NewValue`). */
const newValue = (groupBy: string, field: string, historyDays: number, minutes: number): Pick<Detection, 'windowMinutes' | 'threshold'> => ({
  windowMinutes: minutes,
  threshold: { count: 1, groupBy, newValue: { field, historyDays } },
});

/** A `groupBy` value with events in the `historyHours` before the last `minutes` and none in them (`Silence`). */
const silence = (groupBy: string, historyHours: number, minutes: number): Pick<Detection, 'windowMinutes' | 'threshold'> => ({
  windowMinutes: minutes,
  threshold: { count: 1, groupBy, silence: { historyHours } },
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

/** CloudTrail calls that stop, delete or narrow what is recorded (trails and CloudTrail Lake). */
const CLOUDTRAIL_TAMPERING = [
  'StopLogging', 'DeleteTrail', 'UpdateTrail', 'PutEventSelectors', 'PutInsightSelectors',
  'DeleteEventDataStore', 'StopEventDataStoreIngestion', 'UpdateEventDataStore', 'DeleteChannel',
];

/**
 * AWS Config managed rules that check a security control (public access, encryption at rest, MFA,
 * root keys, audit logging, open ports, threat detection). Security Hub controls and conformance packs
 * deploy them under longer names (`securityhub-restricted-ssh-a1b2c3`,
 * `restricted-ssh-conformance-pack-x1y2z3`), hence matched anywhere in `rule.name`.
 * https://docs.aws.amazon.com/config/latest/developerguide/managed-rules-by-aws-config.html
 */
export const SECURITY_CONFIG_RULES = [
  's3-bucket-public-read-prohibited', 's3-bucket-public-write-prohibited', 's3-account-level-public-access-blocks',
  's3-bucket-server-side-encryption-enabled', 's3-bucket-ssl-requests-only', 'restricted-ssh', 'restricted-common-ports',
  'vpc-sg-open-only-to-authorized-ports', 'vpc-default-security-group-closed', 'ec2-instance-no-public-ip',
  'iam-root-access-key-check', 'root-account-mfa-enabled', 'iam-user-mfa-enabled', 'mfa-enabled-for-iam-console-access',
  'iam-policy-no-statements-with-admin-access', 'iam-password-policy', 'access-keys-rotated',
  'cloudtrail-enabled', 'multi-region-cloudtrail-enabled', 'cloud-trail-log-file-validation-enabled', 'cloud-trail-encryption-enabled',
  'vpc-flow-logs-enabled', 'guardduty-enabled-centralized', 'securityhub-enabled', 'encrypted-volumes', 'rds-storage-encrypted',
  'rds-instance-public-access-check', 'rds-snapshots-public-prohibited', 'lambda-function-public-access-prohibited',
  'kms-cmk-not-scheduled-for-deletion',
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
    attack: { id: 'T1078.004', name: 'Valid Accounts: Cloud Accounts' },
    runbook:
      'Ask the user (out of band) whether they signed in from that IP; if not, disable the login profile and keys, then enforce MFA for the user.',
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
    id: 'console-signin-new-country',
    name: 'Console sign-in from a new country',
    description:
      'A successful AWS Management Console sign-in from a country (of source.ip, by the GeoIP enrichment) that the same principal ' +
      '(aws.cloudtrail.user_identity.arn: root, IAM user or assumed-role session) has not signed in from in the previous 90 days, ' +
      'although it has signed in before: a first-ever sign-in has no baseline and does not fire. Stolen passwords and session ' +
      'cookies are used from elsewhere; so are VPNs and travel, which the runbook rules out first.',
    severity: '2',
    attack: { id: 'T1078.004', name: 'Valid Accounts: Cloud Accounts' },
    runbook:
      'Ask the person whether they signed in from that country (travel, VPN, a new egress); if not, revoke their sessions, reset the password and MFA, and review what the session did in CloudTrail (same user_identity.arn).',
    datasets: ['aws.cloudtrail'],
    filter: [
      term('event.provider', 'signin.amazonaws.com'),
      term('event.action', 'ConsoleLogin'),
      term('event.outcome', 'success'),
      exists('source.geo.country_iso_code'),
    ],
    ...newValue('aws.cloudtrail.user_identity.arn', 'source.geo.country_iso_code', 90, 10),
  },
  {
    id: 'root-user-activity',
    name: 'Root user activity',
    description: 'Any call made with root credentials (service-initiated events and calls made by AWS on root\'s behalf excluded).',
    severity: '1',
    attack: { id: 'T1078.004', name: 'Valid Accounts: Cloud Accounts' },
    runbook:
      'Confirm with the account owner that root was used on purpose; if not, reset the root password and MFA, delete root access keys and review what was called.',
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
    attack: { id: 'T1098', name: 'Account Manipulation' },
    runbook: 'Check the change against a ticket or deployment; revert unexplained policies, users or keys and review the principal\'s other calls.',
    datasets: ['aws.cloudtrail'],
    filter: [term('event.provider', 'iam.amazonaws.com'), terms('event.action', IAM_WRITES), term('event.outcome', 'success')],
    ...anyMatch(10),
  },
  {
    id: 'iam-changes-without-mfa',
    name: 'IAM change by a user without MFA',
    description:
      'A successful IAM write (as in "IAM policy, user or access key change") by an IAM user or root whose session was not ' +
      'MFA-authenticated (userIdentity.sessionContext.attributes.mfaAuthenticated false, or no session at all: long-term ' +
      'access keys never carry MFA). Roles are left out: automation never has MFA, and SSO sessions authenticate MFA at the ' +
      'identity provider, so CloudTrail reports false for every one of them.',
    severity: '2',
    attack: { id: 'T1098', name: 'Account Manipulation' },
    runbook:
      'Ask the user whether they made the change; if not, deactivate their access keys and console password, revert the change, and require MFA for IAM writes (an aws:MultiFactorAuthPresent condition).',
    datasets: ['aws.cloudtrail'],
    filter: [
      term('event.provider', 'iam.amazonaws.com'),
      terms('event.action', IAM_WRITES),
      term('event.outcome', 'success'),
      terms('aws.cloudtrail.user_identity.type', ['IAMUser', 'Root']),
      not(term('aws.cloudtrail.user_identity.session_context.mfa_authenticated', true)),
    ],
    ...anyMatch(10),
  },
  {
    id: 'cloudtrail-stopped',
    name: 'CloudTrail logging stopped or trail deleted',
    description:
      'A call that stops, deletes or narrows CloudTrail recording, successful or not (an attempt to blind the audit trail matters ' +
      'either way): StopLogging, DeleteTrail, UpdateTrail (another bucket, no log file validation, single-Region), PutEventSelectors ' +
      'and PutInsightSelectors (fewer events recorded), and for CloudTrail Lake DeleteEventDataStore, StopEventDataStoreIngestion, ' +
      'UpdateEventDataStore and DeleteChannel. The monitor keeps its first name so existing installs update it in place.',
    severity: '1',
    attack: { id: 'T1562.008', name: 'Impair Defenses: Disable or Modify Cloud Logs' },
    runbook:
      'Restore logging at once (StartLogging, revert the trail or selectors, recreate the store), then investigate the principal: its other calls are in this archive.',
    datasets: ['aws.cloudtrail'],
    filter: [term('event.provider', 'cloudtrail.amazonaws.com'), terms('event.action', CLOUDTRAIL_TAMPERING)],
    ...anyMatch(10),
  },
  {
    id: 'security-group-open-to-world',
    name: 'Security group opened to 0.0.0.0/0',
    description:
      'A rule allowing 0.0.0.0/0 or ::/0 added or changed: AuthorizeSecurityGroupIngress, AuthorizeSecurityGroupEgress (an open ' +
      'egress rule added back lets a compromised host send data anywhere) or ModifySecurityGroupRules (an existing rule rewritten ' +
      'to CidrIpv4 0.0.0.0/0), any rule of the request. requestParameters is a flat_object, so a term on the field itself matches ' +
      'a value at any depth.',
    severity: '2',
    attack: { id: 'T1562.007', name: 'Impair Defenses: Disable or Modify Cloud Firewall' },
    runbook:
      'Check which ports the rule opens and whether the group is internet-facing by design; revoke the rule if not and ask the principal why.',
    datasets: ['aws.cloudtrail'],
    filter: [
      terms('event.action', ['AuthorizeSecurityGroupIngress', 'AuthorizeSecurityGroupEgress', 'ModifySecurityGroupRules']),
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
    attack: { id: 'T1580', name: 'Cloud Infrastructure Discovery' },
    runbook:
      'Look at which actions were denied: enumeration of many services from an unusual IP points to stolen credentials (rotate them); one action repeated is usually broken automation.',
    datasets: ['aws.cloudtrail'],
    filter: [anyOf(terms('error.code', ACCESS_DENIED), terms('aws.cloudtrail.error_code', ACCESS_DENIED))],
    ...burst(10, 'aws.cloudtrail.user_identity.arn', 10),
  },
  {
    id: 'vpc-reject-burst',
    name: 'Burst of rejected VPC flows from one source',
    description: 'At least 50 rejected flow records from the same source IP within 10 minutes: a scan or a misconfigured client.',
    severity: '3',
    attack: { id: 'T1046', name: 'Network Service Discovery' },
    runbook:
      'Identify the source (internal instance or internet): an internal source scanning many ports is a possibly compromised host to isolate; an external one is blocked already, check nothing else accepted it.',
    datasets: ['aws.vpcflow'],
    filter: [term('event.action', 'reject')],
    ...burst(50, 'source.ip', 10),
  },
  {
    id: 'selinux-avc-denied-enforcing',
    name: 'SELinux AVC denial in enforcing mode',
    description: 'An SELinux AVC denial that was enforced (permissive=0, or no permissive= field): something was actually blocked.',
    severity: '2',
    attack: { id: 'T1068', name: 'Exploitation for Privilege Escalation' },
    runbook:
      'Read the denied access (scontext, tcontext, permission): a service reaching outside its domain may be exploited; a new deployment missing a policy module is fixed by a module, never by permissive mode.',
    datasets: ['linux.audit'],
    // Kernels before 4.17 do not log permissive=: a denial without it was enforced.
    filter: [term('auditd.avc.result', 'denied'), not(term('auditd.avc.permissive', true))],
    ...anyMatch(10),
  },
  {
    id: 'selinux-permissive',
    name: 'SELinux switched to permissive or disabled',
    description:
      'The kernel recorded SELinux leaving enforcing mode (MAC_STATUS: `setenforce 0`, or SELinux disabled at run time): ' +
      'from then on the host\'s mandatory access control only logs what it used to block. auditd.selinux.old_mode and mode ' +
      'say what changed, process.name and user.audit.id who did it (auid, the login uid).',
    severity: '1',
    attack: { id: 'T1562.001', name: 'Impair Defenses: Disable or Modify Tools' },
    runbook:
      'Ask the host owner (user.audit.id is the login uid) why; if unexplained, set it back (setenforce 1), look at what ran on the host since (process and AVC events) and treat it as compromised.',
    datasets: ['linux.audit'],
    filter: [
      term('event.action', 'changed-selinux-enforcement'),
      terms('auditd.selinux.mode', ['permissive', 'disabled']),
      // A repeated `setenforce 0` on a host already permissive changes nothing; an absent old mode still alerts.
      not(term('auditd.selinux.old_mode', 'permissive'), term('auditd.selinux.old_mode', 'disabled'), term('event.outcome', 'failure')),
    ],
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
    attack: { id: 'T1565', name: 'Data Manipulation' },
    runbook:
      'Check whether the delivering account is a legitimate aggregator (then add it to AGGREGATOR_ACCOUNTS); otherwise treat the logs as forged and investigate who can write to that delivery path.',
    datasets: Object.values(DATASETS),
    filter: [term('tributary.attribution', 'mismatch')],
    ...anyMatch(10),
  },
  {
    id: 'cloudtrail-account-silent',
    name: 'CloudTrail of an account went silent',
    description:
      'An account whose CloudTrail events reached the pipeline in the previous 24 hours delivered none in the last 60 minutes ' +
      '(by ingestion time; CloudTrail reaches S3 within about 15 minutes, and every account has a steady stream of management ' +
      'events from AWS services themselves). The trail may have been stopped, deleted or redirected (also a cloudtrail-stopped ' +
      'alert, unless its events were lost with it), its bucket policy or KMS key changed, or s3ingest is failing for that bucket.',
    severity: '2',
    attack: { id: 'T1562.008', name: 'Impair Defenses: Disable or Modify Cloud Logs' },
    runbook:
      "Check the account's trail (aws cloudtrail get-trail-status: IsLogging, LatestDeliveryError), the log bucket's policy and KMS key, and the s3ingest dead-letter queue and errors; if the trail was changed on purpose, find who changed it.",
    datasets: ['aws.cloudtrail'],
    // Digest validation results are Tributary's own state documents, not deliveries of the account.
    filter: [term('event.kind', 'event')],
    ...silence('cloud.account.id', 24, 60),
  },
  {
    id: 'lambda-timeouts-spike',
    name: 'Lambda timeouts spike',
    description:
      'At least 3 timed-out invocations (distinct request ids) of the same function within 15 minutes. One timeout is logged ' +
      'on two records (the "Task timed out" line and REPORT Status: timeout, or platform.runtimeDone and platform.report ' +
      'in the JSON log format), so invocations are counted, not records.',
    severity: '3',
    attack: { id: 'T1499.003', name: 'Endpoint Denial of Service: Application Exhaustion Flood' },
    runbook:
      "Check the function's invocations and duration: a traffic surge (possibly hostile) or a slow dependency; raise the timeout or fix the dependency, and throttle the caller if the traffic is abusive.",
    datasets: ['aws.lambda'],
    filter: [term('aws.lambda.report.status', 'timeout')],
    ...burst(3, 'aws.lambda.function_name', 15, 'aws.lambda.request_id'),
  },
  {
    id: 'cloudtrail-integrity-failed',
    name: 'CloudTrail log file integrity validation failed',
    description:
      'A CloudTrail log file or digest failed digest validation (`lib/integrity.ts`): modified, deleted or moved after delivery, ' +
      'a replaced or deleted previous digest, or a digest not signed by a CloudTrail key. The audit trail may have been tampered with; ' +
      '`tributary.integrity.reason` says how, `tributary.integrity.log_file.key` which file (its events carry it in `tributary.s3.key`).',
    severity: '1',
    attack: { id: 'T1070', name: 'Indicator Removal' },
    runbook:
      'Treat the named log file as tampered evidence: compare it with the normalized archive copy, find who wrote to the trail bucket (S3 data events, bucket policy) and secure the bucket.',
    datasets: ['aws.cloudtrail'],
    // The window is on event.ingested = when the digest was verified (up to an hour after delivery).
    filter: [term('event.kind', 'state'), term('tributary.integrity.status', 'failed')],
    ...anyMatch(10),
  },
  {
    id: 'inspector-new-critical-cve-with-fix',
    name: 'New critical CVE with a fix available',
    description:
      'Amazon Inspector found a new critical package vulnerability (the first version of the finding: aws.inspector.new_finding) ' +
      'on an EC2 instance, container image or Lambda function, and an update fixes it (fixAvailable YES): the patch can go out now. ' +
      'Later updates of the same finding (rescans) do not fire again.',
    severity: '2',
    attack: { id: 'T1190', name: 'Exploit Public-Facing Application' },
    runbook:
      'Patch the resource to package.fixed_version (aws.inspector.resource.id names it), or rebuild the image; if it is internet-facing and exploit_available is YES, restrict access until it is patched.',
    datasets: [DATASETS.inspector],
    filter: [
      term('vulnerability.severity', 'CRITICAL'),
      term('aws.inspector.fix_available', 'YES'),
      term('aws.inspector.status', 'ACTIVE'),
      term('aws.inspector.new_finding', true),
    ],
    ...anyMatch(10),
  },
  {
    id: 'finding-high-critical',
    name: 'High or critical Security Hub or GuardDuty finding',
    description:
      'A Security Hub or GuardDuty finding of severity 70 or more on the shared 0-100 scale (Security Hub HIGH/CRITICAL, GuardDuty 7.0+) ' +
      'that is active: not ARCHIVED, RESOLVED or SUPPRESSED in Security Hub, not archived in GuardDuty. Every update of a finding is ' +
      'its own document, so an active high finding that is updated fires again (rule.name and threat.tactic.name say what it is).',
    severity: '1',
    // Most high GuardDuty and Security Hub threat findings are use of stolen or misused cloud credentials
    // (MaliciousIPCaller, InstanceCredentialExfiltration, root or unrestricted access): the finding's own tactic is in threat.tactic.name.
    attack: { id: 'T1078.004', name: 'Valid Accounts: Cloud Accounts' },
    runbook:
      'Open the finding in Security Hub or GuardDuty (aws.*.finding_id) and follow its remediation; for credentials or instances it names, rotate the keys or isolate the instance before investigating.',
    datasets: [DATASETS.securityhub, DATASETS.guardduty],
    filter: [
      term('event.kind', 'alert'),
      atLeast('event.severity', 70),
      not(terms('aws.securityhub.record_state', ['ARCHIVED']), terms('aws.securityhub.workflow_status', ['RESOLVED', 'SUPPRESSED']), term('aws.guardduty.archived', true)),
    ],
    ...anyMatch(10),
  },
  {
    id: 'config-security-rule-noncompliant',
    name: 'A security Config rule turned NON_COMPLIANT',
    description:
      'An AWS Config rule that checks a security control (public buckets, open SSH and ports, root keys and MFA, audit logging, ' +
      'encryption: SECURITY_CONFIG_RULES, also as deployed by Security Hub and conformance packs) turned NON_COMPLIANT for a resource. ' +
      'A resource that was already NON_COMPLIANT does not fire again.',
    severity: '2',
    attack: { id: 'T1562', name: 'Impair Defenses' },
    runbook:
      'Open the resource (aws.config.resource_id) and the rule\'s annotation: find who changed it in CloudTrail around @timestamp, revert the change unless it is an approved exception.',
    datasets: [DATASETS.config],
    filter: [
      term('aws.config.compliance.type', 'NON_COMPLIANT'),
      not(term('aws.config.compliance.previous_type', 'NON_COMPLIANT')),
      anyOf(...SECURITY_CONFIG_RULES.map((r) => wildcard('rule.name', `*${r}*`))),
    ],
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
  if (d.threshold.newValue) return newValueSearch(d, d.threshold.newValue, periodEnd);
  if (d.threshold.silence) return silenceSearch(d, d.threshold.silence, periodEnd);
  const body: Query = {
    size: d.threshold.groupBy ? 0 : 5,
    track_total_hits: true,
    query: { bool: { filter: [windowClause(periodEnd, d.windowMinutes), ...d.filter] } },
    sort: [{ '@timestamp': { order: 'desc' } }],
  };
  const { groupBy, count, distinct } = d.threshold;
  if (groupBy && distinct) {
    // Distinct values per group, most first: the cardinality is exact far above any threshold here
    // (precision_threshold), and the trigger compares it with the threshold. No script in the search
    // (a bucket_selector would need Painless in the search path too): min_doc_count is a first cut, a
    // group has at least as many documents as distinct values.
    body.aggs = {
      by_group: {
        terms: { field: groupBy, size: 20, min_doc_count: count, order: [{ distinct: 'desc' }, { _key: 'asc' }] },
        aggs: { distinct: { cardinality: { field: distinct, precision_threshold: 1000 } } },
      },
    };
  } else if (groupBy) {
    // min_doc_count keeps only the groups over the threshold: the trigger just checks for any bucket.
    body.aggs = { by_group: { terms: { field: groupBy, size: 20, min_doc_count: count } } };
  }
  return body;
}

/**
 * The search of a `newValue` detection: its filter over the history, groups with activity in the
 * window first, and per group the values whose events all fall in the window (the `bucket_selector`s
 * run in the search, in Painless, so the response holds only what fires: the trigger checks for any
 * group, like the other grouped detections). `recent` at the top counts the window's events: what the
 * alert reports and its Lucene query finds.
 */
function newValueSearch(d: Detection, nv: NewValue, periodEnd: string): Query {
  const groupBy = d.threshold.groupBy;
  if (!groupBy) throw new Error(`${d.id}: a newValue detection needs threshold.groupBy`);
  const recent = { filter: windowClause(periodEnd, d.windowMinutes) };
  const history = { range: { '@timestamp': { gte: `${periodEnd}||-${nv.historyDays}d`, format: 'epoch_millis' } } };
  return {
    size: 0,
    track_total_hits: true,
    query: { bool: { filter: [history, ...d.filter] } },
    aggs: {
      recent,
      by_group: {
        // Groups active in the window sort first, so a busy history cannot push them out of the 100.
        terms: { field: groupBy, size: 100, order: [{ recent: 'desc' }, { _key: 'asc' }] },
        aggs: {
          recent,
          by_value: {
            terms: { field: nv.field, size: 20, order: [{ recent: 'desc' }, { _key: 'asc' }] },
            aggs: {
              recent,
              first_seen: { min: { field: '@timestamp' } },
              // Every event of this value is in the window: the value is new for the group.
              new_value: { bucket_selector: { buckets_path: { recent: 'recent>_count', total: '_count' }, script: 'params.recent > 0 && params.recent == params.total' } },
            },
          },
          // A new value, and events before the window (a baseline).
          with_baseline: {
            bucket_selector: { buckets_path: { values: 'by_value._bucket_count', recent: 'recent>_count', total: '_count' }, script: 'params.values > 0 && params.total > params.recent' },
          },
        },
      },
    },
  };
}

/**
 * The search of a `silence` detection: the filter over the history (by ingestion time, like the
 * window), groups with the fewest events in the window first, and a `bucket_selector` keeping the
 * groups with none (so the response holds only what fires). `last_seen`: the group's latest
 * ingestion, for the alert.
 */
function silenceSearch(d: Detection, s: Silence, periodEnd: string): Query {
  const groupBy = d.threshold.groupBy;
  if (!groupBy) throw new Error(`${d.id}: a silence detection needs threshold.groupBy`);
  const recent = { filter: windowClause(periodEnd, d.windowMinutes) };
  return {
    size: 0,
    track_total_hits: true,
    query: { bool: { filter: [windowClause(periodEnd, s.historyHours * 60), ...d.filter] } },
    aggs: {
      recent,
      by_group: {
        terms: { field: groupBy, size: 500, order: [{ recent: 'asc' }, { _key: 'asc' }] },
        aggs: {
          recent,
          last_seen: { max: { field: 'event.ingested' } },
          silent: { bucket_selector: { buckets_path: { recent: 'recent>_count' }, script: 'params.recent == 0' } },
        },
      },
    },
  };
}

/** Painless trigger condition; `fires` is the same rule in TypeScript. */
export function triggerScript(d: Detection): string {
  if (d.threshold.groupBy && d.threshold.distinct)
    return `for (def b : ctx.results[0].aggregations.by_group.buckets) { if (b.distinct.value >= ${d.threshold.count}) { return true; } } return false;`;
  return d.threshold.groupBy
    ? 'ctx.results[0].aggregations.by_group.buckets.size() > 0'
    : `ctx.results[0].hits.total.value >= ${d.threshold.count}`;
}

/** Whether a search response of {@link detectionSearch} fires the detection (mirror of {@link triggerScript}). */
export function fires(d: Detection, response: { hits: { total: { value: number } }; aggregations?: Record<string, { buckets: unknown[] }> }): boolean {
  const buckets = response.aggregations?.by_group?.buckets ?? [];
  if (d.threshold.groupBy && d.threshold.distinct)
    return buckets.some((b) => ((b as { distinct?: { value?: number } }).distinct?.value ?? 0) >= d.threshold.count);
  return d.threshold.groupBy ? buckets.length > 0 : response.hits.total.value >= d.threshold.count;
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
  if (kind === 'range') {
    const [field, bounds] = Object.entries(body)[0] as [string, Record<string, unknown>];
    if (Object.keys(bounds).length === 1 && typeof bounds.gte === 'number') return `${field}:>=${bounds.gte}`;
  }
  if (kind === 'wildcard') {
    const [field, pattern] = Object.entries(body)[0] as [string, string];
    // Every query_string special character escaped except the `*` wildcard itself.
    return `${field}:${pattern.replace(/[+\-=&|><!(){}[\]^"~?:\\/ ]/g, (c) => `\\${c}`)}`;
  }
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
    // What the detection is evidence of and what to do, kept with the monitor for whoever reads it in
    // Alerting or through the API (apply.ts adds its definition hash next to them).
    ui_metadata: { tributary: { detection: d.id, attack: { ...d.attack, url: attackUrl(d.attack) }, runbook: d.runbook } },
  };
}
