/**
 * Fields under `aws.inspector`: Amazon Inspector (v2) finding detail that has no ECS home. The CVE,
 * its score and severity are in `vulnerability.*`, the vulnerable packages in `package.*`, the
 * numeric severity in `event.severity` (see `parsers/inspector.ts`).
 * Field meanings: https://docs.aws.amazon.com/inspector/v2/APIReference/API_Finding.html
 */
import { f } from '../dsl';

const kw = (description: string, example?: string) => f.keyword(description, example === undefined ? {} : { example });

export const inspector = f.group({
  finding_arn: kw('The finding: one ARN for the life of the finding, across its updates.', 'arn:aws:inspector2:us-east-1:111122223333:finding/0a1b2c3d4e5f60718293a4b5c6d7e8f9'),
  type: kw('`PACKAGE_VULNERABILITY`, `NETWORK_REACHABILITY` or `CODE_VULNERABILITY`.', 'PACKAGE_VULNERABILITY'),
  status: kw('`ACTIVE`, `SUPPRESSED` or `CLOSED` (at this version of the finding).', 'ACTIVE'),
  severity: kw('Severity label as Inspector states it: `INFORMATIONAL`, `LOW`, `MEDIUM`, `HIGH`, `CRITICAL`, `UNTRIAGED`.', 'CRITICAL'),
  title: f.keyword('Finding title.', { textSubfield: true, example: 'CVE-2023-38545 - curl, libcurl' }),
  inspector_score: f.float('Amazon Inspector score (the CVSS base score adjusted to the environment).', { example: 9.8 }),
  fix_available: kw('Whether an update fixes every vulnerable package: `YES`, `NO` or `PARTIAL`.', 'YES'),
  exploit_available: kw('Whether a public exploit is known: `YES` or `NO`.', 'NO'),
  last_known_exploit_at: f.date('When an exploit of the vulnerability was last seen.'),
  epss_score: f.float('EPSS score: the probability the vulnerability is exploited in the next 30 days.', { example: 0.00044 }),
  first_observed_at: f.date('When Inspector first observed the finding.'),
  last_observed_at: f.date('When Inspector last observed the finding.'),
  updated_at: f.date('When the finding was last updated: with `finding_arn`, the version this document is.'),
  new_finding: f.boolean('This version is the finding\'s first: `updatedAt` within a minute of `firstObservedAt` (later versions are updates of a known finding). What "a new critical CVE" detects.'),
  remediation: f.keyword('Recommended remediation text.', { textSubfield: true }),
  remediation_url: kw('Remediation reference URL.'),
  vulnerability_source: kw('Vulnerability feed of the finding (`NVD`, `UBUNTU_CVE`, `ALAS_KERNEL`, `GITHUB`...).', 'NVD'),
  vendor_severity: kw('Severity the feed gives.', 'HIGH'),
  vendor_created_at: f.date('When the feed published the vulnerability.'),
  related_vulnerabilities: f.keyword('Related advisories (USN, ALAS, GHSA...).', { array: true, example: ['ALAS2-2023-2287'] }),
  reference_urls: f.keyword('Reference URLs of the vulnerability.', { array: true }),
  cvss_vector: kw('CVSS vector of the score in `vulnerability.score.base`.', 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H'),
  package_managers: f.keyword('Package managers of the vulnerable packages.', { array: true, example: ['OS'] }),
  resource: f.group({
    id: f.keyword('Ids of the affected resources (instance id, image ARN, function ARN), in the finding\'s order.', { array: true, example: ['i-0c2a343f1948d5205'] }),
    type: f.keyword('Their types: `AWS_EC2_INSTANCE`, `AWS_ECR_CONTAINER_IMAGE`, `AWS_LAMBDA_FUNCTION`...', { array: true, example: ['AWS_EC2_INSTANCE'] }),
    region: f.keyword('Their regions.', { array: true }),
    image_id: kw('AMI of the EC2 instance.'),
    platform: kw('Platform of the EC2 instance or image (`AMAZON_LINUX_2`, `UBUNTU_22_04`...).'),
    vpc_id: kw('VPC of the EC2 instance.'),
    subnet_id: kw('Subnet of the EC2 instance.'),
    repository_name: kw('ECR repository of the image.'),
    image_tags: f.keyword('ECR image tags.', { array: true }),
    image_hash: kw('ECR image digest.'),
    function_name: kw('Lambda function name.'),
    runtime: kw('Lambda runtime.'),
    tags: f.flat('Tags of the first resource (bounded flat object).'),
  }),
  network: f.group({
    protocol: kw('Protocol of a network reachability finding.', 'TCP'),
    port_begin: f.long('First port of the open range.', { example: 22 }),
    port_end: f.long('Last port of the open range.', { example: 22 }),
  }),
  code: f.group({
    detector_name: kw('Code scanning detector.'),
    rule_id: kw('Code scanning rule.'),
    cwes: f.keyword('CWEs of a code vulnerability.', { array: true }),
    file_path: kw('File of a code vulnerability.'),
  }),
  event_type: kw('EventBridge `detail-type` when the record came in an EventBridge event (as in `aws.securityhub.event_type`).', 'Inspector2 Finding'),
});
