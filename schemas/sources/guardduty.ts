/**
 * Fields under `aws.guardduty`: Amazon GuardDuty findings, from `GuardDuty Finding` EventBridge events
 * (`detail` is the finding) or the S3 export (one finding per line).
 * Format: https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_findings.html,
 * https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_findings_cloudwatch.html,
 * https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_exportfindings.html
 *
 * Severity: GuardDuty's own number (0.1–10) is kept as `aws.guardduty.severity.code`, its band as
 * `aws.guardduty.severity.label` (Low 1.0–3.9, Medium 4.0–6.9, High 7.0–8.9, Critical 9.0–10.0;
 * below 1.0 Informational), and `event.severity` is the number × 10, rounded: the same 0–100 scale and
 * the same bands as Security Hub's `Severity.Normalized` (LOW 1–39, MEDIUM 40–69, HIGH 70–89,
 * CRITICAL 90–100), so `event.severity >= 70` means high or critical for every finding source.
 *
 * Identity: as for Security Hub (`schemas/sources/securityhub.ts`): every update of a finding
 * (`updatedAt`, `service.count`) is its own document, `event.id` = hash of (`id`, `updatedAt`), the same
 * on the EventBridge path, the S3 export and replay.
 */
import { f } from '../dsl';

const kw = (description: string, example?: string) => f.keyword(description, example === undefined ? {} : { example });

export const guardduty = f.group({
  finding_id: kw('Finding `id`; stable across the updates of a finding.', '16afba5c5c43e07c9e3e5e2e544e95df'),
  arn: kw('Finding `arn`.'),
  type: kw('Finding `type` (`ThreatPurpose:ResourceTypeAffected/ThreatFamilyName.DetectionMechanism!Artifact`).', 'Recon:IAMUser/MaliciousIPCaller.Custom'),
  schema_version: kw('`schemaVersion`.', '2.0'),
  detector_id: kw('`service.detectorId`.'),
  severity: f.group({
    code: f.float('GuardDuty severity number (0.1–10).', { example: 8 }),
    label: kw('Band of the number: Informational, Low, Medium, High or Critical.', 'High'),
  }),
  count: f.long('`service.count`: how many times the activity was seen (grows with each update).'),
  archived: f.boolean('`service.archived`.'),
  created_at: f.date('`createdAt`.'),
  updated_at: f.date('`updatedAt` (also `@timestamp`).'),
  resource_type: kw('`resource.resourceType`.', 'Instance'),
  resource_role: kw('`service.resourceRole`: TARGET or ACTOR.', 'TARGET'),
  action_type: kw('`service.action.actionType`.', 'NETWORK_CONNECTION'),
  connection_direction: kw('`networkConnectionAction.connectionDirection`: INBOUND, OUTBOUND or UNKNOWN.'),
  instance_id: kw('`resource.instanceDetails.instanceId`.'),
  access_key_id: kw('`resource.accessKeyDetails.accessKeyId`.'),
  bucket_names: f.keyword('`resource.s3BucketDetails[].name`.', { array: true }),
  remote_country: kw('Country of the remote address.'),
  remote_org: kw('Organization (ISP) of the remote address.'),
  threat_list_name: kw('`service.additionalInfo.threatListName`.'),
  event_type: kw('EventBridge `detail-type` when the finding came in an EventBridge event.', 'GuardDuty Finding'),
});
