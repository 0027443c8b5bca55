/**
 * AWS Security Hub findings (ASFF) → documents: `Security Hub Findings - Imported` (and `- Custom
 * Action`) EventBridge events, one finding per event; bare ASFF findings; exports holding many
 * (`{"Findings":[...]}`, a JSON array), split into one event per finding first (`splitFindings`).
 *
 * Mapping (Elastic's AWS integration where sensible, see `schemas/sources/securityhub.ts` for the
 * severity scale and the id scheme): `event.kind: alert`, `event.severity` 0–100, `message` = `Title`,
 * `rule.*` from `GeneratorId` / `Compliance.SecurityControlId` / `Title`, `event.outcome` from
 * `Compliance.Status`, `vulnerability.*` from the first of `Vulnerabilities[]`, `@timestamp` =
 * `UpdatedAt`. `cloud.account.id` = `AwsAccountId` and `cloud.region` = `Region` are CLAIMS: the
 * pipeline keeps them only when the delivering account is that account or a configured aggregator
 * (the Security Hub delegated administrator), else flags the mismatch (`lib/core/attribution.ts`).
 */
import { stableId } from './ids';
import { eventBridge, type EventBridgeEvent, isObj, type Obj } from './aws-json';
import { accountId, labelOfNormalized, NORMALIZED_OF_LABEL, num, objects, parseObject, regionName, splitFindings, str, strings } from './findings';
import { badTimeMessage, isoFromString } from './time';
import { DATASETS, lineParser, ParseError, type Fields, type LineResult, type Parser, type ParserMeta } from './types';

/** EventBridge detail types whose `detail.findings[]` are ASFF findings. */
export const SECURITYHUB_DETAIL_TYPES: readonly string[] = ['Security Hub Findings - Imported', 'Security Hub Findings - Custom Action'];

/**
 * Whether a parsed object is a bare ASFF finding (its required `SchemaVersion`, `Id`, `ProductArn`, `AwsAccountId`).
 * @example isAsffFinding({ SchemaVersion: '2018-10-08', Id: 'x', ProductArn: 'arn:aws:securityhub:us-east-1::product/aws/guardduty', AwsAccountId: '111122223333' }) // true
 */
export function isAsffFinding(o: Obj): boolean {
  return typeof o.SchemaVersion === 'string' && typeof o.Id === 'string' && typeof o.ProductArn === 'string' && 'AwsAccountId' in o;
}

const COMPLIANCE_OUTCOME: Record<string, 'success' | 'failure' | 'unknown'> = { PASSED: 'success', FAILED: 'failure', WARNING: 'failure', NOT_AVAILABLE: 'unknown' };

/** The finding of a record: an EventBridge event's single `detail.findings[0]`, or a bare finding. */
function findingOf(o: Obj): { finding: Obj; envelope?: EventBridgeEvent } | ParseError {
  const envelope = eventBridge(o);
  if (envelope) {
    const findings = (o.detail as Obj).findings;
    if (!Array.isArray(findings) || findings.length === 0) return new ParseError(`EventBridge event "${envelope.detailType.slice(0, 80)}" holds no detail.findings`, 'no_finding');
    if (!isObj(findings[0])) return new ParseError('detail.findings[0] is not an object', 'no_finding');
    return { finding: findings[0], envelope };
  }
  if (isAsffFinding(o)) return { finding: o };
  return new ParseError('record is neither a Security Hub EventBridge event nor an ASFF finding (SchemaVersion, Id, ProductArn, AwsAccountId)', 'not_a_finding');
}

/**
 * One record → one document.
 * @example parseSecurityHubRecord('{"SchemaVersion":"2018-10-08","Id":"f1","ProductArn":"arn:aws:securityhub:us-east-1::product/aws/securityhub","AwsAccountId":"111122223333","UpdatedAt":"2026-03-01T10:00:00Z","Severity":{"Label":"HIGH"},"Title":"S3 bucket is public"}')
 */
export function parseSecurityHubRecord(line: string, given?: unknown): LineResult {
  if (!line.trim()) return null;
  // `given`: the record as `splitFindings` parsed it (`RawEvent.parsed`), the value of `line`.
  const parsed = given ?? parseObject(line);
  if (parsed instanceof ParseError) return parsed;
  if (!isObj(parsed)) return new ParseError('a Security Hub record is a JSON object', 'not_a_finding');
  const got = findingOf(parsed);
  if (got instanceof ParseError) return got;
  const { finding: x, envelope } = got;
  const id = str(x.Id);
  if (id === undefined) return new ParseError('ASFF finding without Id', 'no_finding_id');
  const updatedRaw = str(x.UpdatedAt) ?? str(x.CreatedAt);
  if (updatedRaw === undefined) return new ParseError('ASFF finding without UpdatedAt', 'no_timestamp');
  const updated = isoFromString(updatedRaw);
  if (updated === undefined) return new ParseError(badTimeMessage('UpdatedAt', updatedRaw), 'bad_timestamp');

  const sh: NonNullable<NonNullable<Fields['aws']>['securityhub']> = { finding_id: id };
  const event: NonNullable<Fields['event']> = {
    kind: 'alert',
    // ECS expects only `indicator` under threat: a finding is threat + intrusion_detection / info (as GuardDuty's);
    // a control (compliance) finding is configuration / info; a vulnerability, vulnerability / info (below).
    category: isObj(x.Compliance) ? ['configuration'] : ['threat', 'intrusion_detection'],
    type: ['info'],
    // One document per finding VERSION (schemas/sources/securityhub.ts): the same on every path.
    id: stableId(DATASETS.securityhub, id, updated),
    provider: 'securityhub',
  };
  const doc: Fields = { '@timestamp': updated, event, aws: { securityhub: sh } };

  const productArn = str(x.ProductArn);
  if (productArn) sh.product_arn = productArn;
  if (str(x.ProductName)) sh.product_name = str(x.ProductName);
  if (str(x.CompanyName)) sh.company_name = str(x.CompanyName);
  const generator = str(x.GeneratorId);
  if (generator) sh.generator_id = generator;
  const types = strings(x.Types);
  if (types) sh.types = types;
  sh.updated_at = updated;
  const created = str(x.CreatedAt) ? isoFromString(str(x.CreatedAt)!) : undefined;
  if (created) {
    sh.created_at = created;
    event.created = created;
  }
  const first = str(x.FirstObservedAt) ? isoFromString(str(x.FirstObservedAt)!) : undefined;
  const last = str(x.LastObservedAt) ? isoFromString(str(x.LastObservedAt)!) : undefined;
  if (first) event.start = first;
  if (last) event.end = last;

  // Severity: Label preferred (Normalized is deprecated), Normalized kept, one 0–100 scale.
  const sev = isObj(x.Severity) ? x.Severity : {};
  const label = str(sev.Label)?.toUpperCase();
  const normalized = num(sev.Normalized);
  const severity: NonNullable<typeof sh.severity> = {};
  if (normalized !== undefined && normalized >= 0 && normalized <= 100) severity.normalized = Math.round(normalized);
  if (label !== undefined && label in NORMALIZED_OF_LABEL) severity.label = label;
  else if (severity.normalized !== undefined) severity.label = labelOfNormalized(severity.normalized);
  if (str(sev.Original)) severity.original = str(sev.Original);
  if (Object.keys(severity).length) sh.severity = severity;
  const score = severity.normalized ?? (severity.label !== undefined ? NORMALIZED_OF_LABEL[severity.label] : undefined);
  if (score !== undefined) event.severity = score;

  const title = str(x.Title);
  if (title) doc.message = title;
  const compliance = isObj(x.Compliance) ? x.Compliance : undefined;
  const controlId = compliance ? str(compliance.SecurityControlId) : undefined;
  const rule: NonNullable<Fields['rule']> = {};
  if (generator) rule.id = generator;
  else if (controlId) rule.id = controlId;
  if (title) rule.name = title;
  if (str(x.Description)) rule.description = str(x.Description)!.slice(0, 4096);
  if (types?.[0]) rule.category = types[0].split('/')[0];
  const remediation = isObj(x.Remediation) && isObj(x.Remediation.Recommendation) ? str(x.Remediation.Recommendation.Url) : undefined;
  if (remediation) rule.reference = remediation;
  if (Object.keys(rule).length) doc.rule = rule;

  if (compliance) {
    const c: NonNullable<typeof sh.compliance> = {};
    const status = str(compliance.Status);
    if (status) {
      c.status = status;
      event.outcome = COMPLIANCE_OUTCOME[status] ?? 'unknown';
    }
    if (controlId) c.security_control_id = controlId;
    const reqs = strings(compliance.RelatedRequirements);
    if (reqs) {
      c.related_requirements = reqs;
      rule.ruleset = reqs[0];
      doc.rule = rule;
    }
    if (Object.keys(c).length) sh.compliance = c;
  }
  if (isObj(x.Workflow) && str(x.Workflow.Status)) sh.workflow_status = str(x.Workflow.Status);
  else if (str(x.WorkflowState)) sh.workflow_status = str(x.WorkflowState);
  if (str(x.RecordState)) sh.record_state = str(x.RecordState);

  const resources = objects(x.Resources);
  const rTypes = resources.map((r) => str(r.Type)).filter((t): t is string => t !== undefined).slice(0, 100);
  const rIds = resources.map((r) => str(r.Id)).filter((t): t is string => t !== undefined).slice(0, 100);
  if (rTypes.length) sh.resource_types = rTypes;
  if (rIds.length) sh.resource_ids = rIds;
  const instance = resources.find((r) => str(r.Type) === 'AwsEc2Instance');
  const instanceId = instance ? str(instance.Id)?.split('/').pop() : undefined;
  if (instanceId) doc.cloud = { instance: { id: instanceId } };

  const vulns = objects(x.Vulnerabilities);
  if (vulns.length) {
    const v = vulns[0];
    const ids = vulns.map((u) => str(u.Id)).filter((t): t is string => t !== undefined).slice(0, 100);
    if (ids.length) sh.vulnerability_ids = ids;
    const vuln: NonNullable<Fields['vulnerability']> = { scanner: { vendor: str(x.ProductName) ?? str(x.CompanyName) ?? 'AWS Security Hub' } };
    const vid = str(v.Id);
    if (vid) {
      vuln.id = vid;
      if (/^CVE-/i.test(vid)) vuln.enumeration = 'CVE';
    }
    const cvss = objects(v.Cvss).sort((a, b) => (num(b.BaseScore) ?? -1) - (num(a.BaseScore) ?? -1))[0];
    const base = cvss ? num(cvss.BaseScore) : undefined;
    if (base !== undefined) {
      vuln.score = { base };
      if (str(cvss.Version)) vuln.score.version = str(cvss.Version);
      vuln.classification = 'CVSS';
    }
    const vendor = isObj(v.Vendor) ? v.Vendor : undefined;
    if (vendor && str(vendor.VendorSeverity)) vuln.severity = str(vendor.VendorSeverity);
    else if (severity.label) vuln.severity = severity.label;
    const ref = strings(v.ReferenceUrls)?.[0] ?? (vendor ? str(vendor.Url) : undefined);
    if (ref) vuln.reference = ref;
    if (str(x.Description)) vuln.description = str(x.Description)!.slice(0, 4096);
    doc.vulnerability = vuln;
    if (str(v.FixAvailable)) sh.fix_available = str(v.FixAvailable);
    const pkgs = objects(v.VulnerablePackages).slice(0, 100);
    const names = pkgs.map((p) => (str(p.Name) ? `${str(p.Name)}${str(p.Version) ? '@' + str(p.Version) : ''}` : undefined)).filter((t): t is string => t !== undefined);
    const fixed = pkgs.map((p) => str(p.FixedInVersion)).filter((t): t is string => t !== undefined);
    if (names.length) sh.vulnerable_packages = names;
    if (fixed.length) sh.fixed_in_versions = fixed;
    event.category = ['vulnerability'];
  }

  // Claims (the pipeline decides whether they stand): the finding's own account and region.
  const account = accountId(x.AwsAccountId);
  const region = regionName(x.Region) ?? regionName(resources[0]?.Region);
  if (account || region) {
    doc.cloud = { ...doc.cloud };
    if (account) doc.cloud.account = { id: account };
    if (region) doc.cloud.region = region;
  }
  if (envelope) sh.event_type = envelope.detailType;
  return doc;
}

export const securityhubParser: Parser = {
  ...lineParser('securityhub', (line, _ctx, event) => parseSecurityHubRecord(line, event.parsed)),
  split: splitFindings(isAsffFinding),
};

const ASFF_FAILED_CONTROL = {
  SchemaVersion: '2018-10-08',
  Id: 'arn:aws:securityhub:eu-west-1:111122223333:security-control/S3.8/finding/1b2c3d4e-5f60-4718-9abc-def012345678',
  ProductArn: 'arn:aws:securityhub:eu-west-1::product/aws/securityhub',
  ProductName: 'Security Hub',
  CompanyName: 'AWS',
  Region: 'eu-west-1',
  GeneratorId: 'security-control/S3.8',
  AwsAccountId: '111122223333',
  Types: ['Software and Configuration Checks/Industry and Regulatory Standards'],
  FirstObservedAt: '2026-03-01T09:58:12.000Z',
  LastObservedAt: '2026-03-04T05:06:00.000Z',
  CreatedAt: '2026-03-01T09:58:12.000Z',
  UpdatedAt: '2026-03-04T05:06:00.000Z',
  Severity: { Label: 'HIGH', Normalized: 70, Original: 'HIGH' },
  Title: 'S3 general purpose buckets should block public access',
  Description: 'This control checks whether an S3 general purpose bucket blocks public access at the bucket level.',
  Remediation: { Recommendation: { Text: 'For information on how to correct this issue, consult the AWS Security Hub controls documentation.', Url: 'https://docs.aws.amazon.com/console/securityhub/S3.8/remediation' } },
  Resources: [{ Type: 'AwsS3Bucket', Id: 'arn:aws:s3:::example-reports-bucket', Partition: 'aws', Region: 'eu-west-1' }],
  Compliance: { Status: 'FAILED', SecurityControlId: 'S3.8', RelatedRequirements: ['NIST.800-53.r5 AC-21'] },
  WorkflowState: 'NEW',
  Workflow: { Status: 'NEW' },
  RecordState: 'ACTIVE',
};

export const meta: ParserMeta = {
  id: 'securityhub',
  dataset: DATASETS.securityhub,
  title: 'AWS Security Hub findings (ASFF): EventBridge "Security Hub Findings - Imported" events, bare and exported findings',
  docs: [
    'https://docs.aws.amazon.com/securityhub/latest/userguide/securityhub-findings-format.html',
    'https://docs.aws.amazon.com/securityhub/latest/userguide/securityhub-cwe-event-formats.html',
    'https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_Severity.html',
  ],
  examples: [
    {
      title: 'A failed control as an EventBridge event: alert, severity 70, rule from the control',
      input: JSON.stringify({
        version: '0',
        id: '8e5622f9-d81c-4d81-612a-9319e7ee2506',
        'detail-type': 'Security Hub Findings - Imported',
        source: 'aws.securityhub',
        account: '111122223333',
        time: '2026-03-04T05:06:07Z',
        region: 'eu-west-1',
        resources: [ASFF_FAILED_CONTROL.Id],
        detail: { findings: [ASFF_FAILED_CONTROL] },
      }),
      fields: {
        '@timestamp': '2026-03-04T05:06:00.000Z',
        message: 'S3 general purpose buckets should block public access',
        event: { kind: 'alert', severity: 70, outcome: 'failure', created: '2026-03-01T09:58:12.000Z' },
        rule: { id: 'security-control/S3.8', ruleset: 'NIST.800-53.r5 AC-21' },
        cloud: { account: { id: '111122223333' }, region: 'eu-west-1' },
        aws: {
          securityhub: {
            severity: { label: 'HIGH', normalized: 70 },
            compliance: { status: 'FAILED', security_control_id: 'S3.8' },
            resource_ids: ['arn:aws:s3:::example-reports-bucket'],
            event_type: 'Security Hub Findings - Imported',
          },
        },
      },
    },
    {
      title: 'An Inspector vulnerability in ASFF: vulnerability.* from Vulnerabilities[0], label only',
      input: JSON.stringify({
        SchemaVersion: '2018-10-08',
        Id: 'arn:aws:inspector2:us-east-1:444455556666:finding/0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e',
        ProductArn: 'arn:aws:securityhub:us-east-1::product/aws/inspector',
        ProductName: 'Inspector',
        CompanyName: 'Amazon',
        Region: 'us-east-1',
        GeneratorId: 'AWSInspector',
        AwsAccountId: '444455556666',
        Types: ['Software and Configuration Checks/Vulnerabilities/CVE'],
        CreatedAt: '2026-02-27T11:02:40Z',
        UpdatedAt: '2026-03-02T08:15:31Z',
        Severity: { Label: 'CRITICAL' },
        Title: 'CVE-2023-4863 - libwebp',
        Description: 'Heap buffer overflow in libwebp allows a remote attacker to write out of bounds memory via a crafted HTML page.',
        Resources: [{ Type: 'AwsEc2Instance', Id: 'arn:aws:ec2:us-east-1:444455556666:instance/i-0abcd1234ef567890', Partition: 'aws', Region: 'us-east-1' }],
        Vulnerabilities: [
          {
            Id: 'CVE-2023-4863',
            VulnerablePackages: [{ Name: 'libwebp', Version: '1.0.2', Epoch: '0', Release: '7.amzn2.0.1', Architecture: 'X86_64', PackageManager: 'OS', FixedInVersion: '0:1.0.2-7.amzn2.0.2' }],
            Cvss: [{ Version: '3.1', BaseScore: 8.8, BaseVector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H', Source: 'NVD' }],
            Vendor: { Name: 'NVD', Url: 'https://nvd.nist.gov/vuln/detail/CVE-2023-4863', VendorSeverity: 'HIGH' },
            ReferenceUrls: ['https://nvd.nist.gov/vuln/detail/CVE-2023-4863'],
            FixAvailable: 'YES',
          },
        ],
        RecordState: 'ACTIVE',
        Workflow: { Status: 'NEW' },
      }),
      fields: {
        event: { kind: 'alert', severity: 90, category: ['vulnerability'] },
        vulnerability: { id: 'CVE-2023-4863', enumeration: 'CVE', score: { base: 8.8, version: '3.1' }, severity: 'HIGH', scanner: { vendor: 'Inspector' } },
        cloud: { account: { id: '444455556666' }, region: 'us-east-1', instance: { id: 'i-0abcd1234ef567890' } },
        aws: { securityhub: { severity: { label: 'CRITICAL' }, fix_available: 'YES', vulnerable_packages: ['libwebp@1.0.2'], fixed_in_versions: ['0:1.0.2-7.amzn2.0.2'] } },
      },
    },
    {
      title: 'An EventBridge event without findings is a failure, not a silent drop',
      input: '{"version":"0","id":"x","detail-type":"Security Hub Findings - Imported","source":"aws.securityhub","account":"111122223333","time":"2026-03-04T05:06:07Z","region":"eu-west-1","resources":[],"detail":{"findings":[]}}',
      failure: { type: 'no_finding' },
    },
  ],
};
