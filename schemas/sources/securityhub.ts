/**
 * Fields under `aws.securityhub`: AWS Security Hub findings in the AWS Security Finding Format (ASFF),
 * from `Security Hub Findings - Imported` EventBridge events (one finding per event) or exported findings.
 * Format: https://docs.aws.amazon.com/securityhub/latest/userguide/securityhub-findings-format.html,
 * https://docs.aws.amazon.com/securityhub/latest/userguide/securityhub-cwe-event-formats.html
 *
 * Severity, shared with `aws.guardduty` (and the other finding sources): `event.severity` is the
 * 0–100 scale of ASFF `Severity.Normalized` (when a finding has only `Severity.Label`, the label's
 * documented value: INFORMATIONAL 0, LOW 1, MEDIUM 40, HIGH 70, CRITICAL 90), so one range query
 * (`event.severity >= 70`) finds high and critical findings of every source; the label is
 * `aws.securityhub.severity.label`.
 *
 * Identity: a finding is updated in place many times (same `Id`, newer `UpdatedAt`). Each update is
 * its own document, `event.id` = hash of (`Id`, `UpdatedAt`): the archive keeps every state the
 * finding went through (evidence), a redelivered or replayed update gets the same id on every path,
 * and no delivery can replace a document with an older or another account's version (the `_id` is
 * namespaced by the attributed account, `lib/core/attribution.ts`). The latest state of a finding is
 * a query (`aws.securityhub.finding_id` + the newest `@timestamp`).
 */
import { f } from '../dsl';

const kw = (description: string, example?: string) => f.keyword(description, example === undefined ? {} : { example });

export const securityhub = f.group({
  finding_id: kw('ASFF `Id` (the finding ARN for control findings); stable across the updates of a finding.', 'arn:aws:securityhub:eu-west-1:111122223333:security-control/S3.8/finding/1b2c3d4e-0000-4000-8000-000000000001'),
  product_arn: kw('ASFF `ProductArn`: which product produced the finding (`product/aws/<service>` for AWS services).', 'arn:aws:securityhub:eu-west-1::product/aws/securityhub'),
  product_name: kw('ASFF `ProductName`.', 'Security Hub'),
  company_name: kw('ASFF `CompanyName`.', 'AWS'),
  generator_id: kw('ASFF `GeneratorId`: the rule or control that generated the finding.', 'security-control/S3.8'),
  types: f.keyword('ASFF `Types` (`namespace/category/classifier`).', { array: true, example: ['Software and Configuration Checks/Industry and Regulatory Standards'] }),
  severity: f.group({
    label: kw('`Severity.Label`: INFORMATIONAL, LOW, MEDIUM, HIGH or CRITICAL (from `Normalized` when absent).', 'HIGH'),
    normalized: f.long('`Severity.Normalized` (0–100, deprecated by AWS but still sent); `event.severity` holds the same scale.'),
    original: kw('`Severity.Original`: the producing product\'s own severity.'),
  }),
  compliance: f.group({
    status: kw('`Compliance.Status`: PASSED, WARNING, FAILED or NOT_AVAILABLE.', 'FAILED'),
    security_control_id: kw('`Compliance.SecurityControlId`.', 'S3.8'),
    related_requirements: f.keyword('`Compliance.RelatedRequirements`.', { array: true }),
  }),
  workflow_status: kw('`Workflow.Status`: NEW, NOTIFIED, RESOLVED or SUPPRESSED.', 'NEW'),
  record_state: kw('`RecordState`: ACTIVE or ARCHIVED.', 'ACTIVE'),
  created_at: f.date('`CreatedAt`: when the finding was first created.'),
  updated_at: f.date('`UpdatedAt`: when this version of the finding was last updated (also `@timestamp`).'),
  resource_types: f.keyword('`Resources[].Type`.', { array: true, example: ['AwsS3Bucket'] }),
  resource_ids: f.keyword('`Resources[].Id` (ARNs or ids of the affected resources).', { array: true }),
  vulnerability_ids: f.keyword('Every `Vulnerabilities[].Id` (`vulnerability.*` describes the first).', { array: true }),
  fix_available: kw('`Vulnerabilities[].FixAvailable` of the first vulnerability: YES, NO or PARTIAL.'),
  vulnerable_packages: f.keyword('`Vulnerabilities[].VulnerablePackages[]` as `name@version`.', { array: true }),
  fixed_in_versions: f.keyword('`VulnerablePackages[].FixedInVersion`.', { array: true }),
  event_type: kw('EventBridge `detail-type` when the finding came in an EventBridge event.', 'Security Hub Findings - Imported'),
});
