/**
 * Amazon Inspector (v2) findings → ECS documents, one finding per document, from:
 * - EventBridge `Inspector2 Finding` events (`detail` is the finding; EventBridge → Firehose direct PUT);
 * - bare findings (the API's `Finding`), one per line or one per element of a findings report
 *   `{"findings":[...]}` (the JSON export, `CreateFindingsReport`; the envelope layer splits the file
 *   into its findings without parsing it whole, `lib/core/json-records.ts`).
 * The CSV report format is not read: it flattens the finding into columns whose names and order the
 * docs do not fix, and the JSON report carries the same findings; export JSON (`reportFormat: JSON`).
 * Other `Inspector2 *` events (scan, coverage) become plain `event` documents naming their type.
 *
 * ECS, as Elastic's AWS integration does where sensible: `event.kind: alert` (a finding asks for
 * action), `event.category: vulnerability` (package and code findings) or `network` (reachability),
 * `vulnerability.*` for the CVE (id, severity label, score, scanner, reference), `package.*` for
 * the vulnerable packages (arrays in the finding's order), `cloud.account.id` = `awsAccountId`: a
 * claim, which the pipeline believes only from the delivering account itself or a configured
 * aggregator (the Inspector delegated administrator, `lib/core/attribution.ts`).
 *
 * Severity: `event.severity` on the 0–100 scale shared with Security Hub and GuardDuty (the ASFF
 * values of the label: INFORMATIONAL 0, LOW 1, MEDIUM 40, HIGH 70, CRITICAL 90; none for UNTRIAGED),
 * so `event.severity >= 90` is "critical" for every finding source; the label is
 * `vulnerability.severity` and `aws.inspector.severity`.
 *
 * Identity: a finding keeps its `findingArn` for life and is updated in place (status, score,
 * `updatedAt`). Every update is its own document, `event.id` = hash of (`findingArn`, `updatedAt` to
 * the second): the archive keeps each state the finding went through (evidence), the EventBridge
 * event, the report and a replay of either give the same id (the EventBridge form of the time has
 * no milliseconds, hence the second), and an older version can never overwrite a newer one. The
 * current state of a finding is its newest document (`aws.inspector.finding_arn` + `@timestamp`).
 * @see https://docs.aws.amazon.com/inspector/v2/APIReference/API_Finding.html
 * @see https://docs.aws.amazon.com/inspector/latest/user/eventbridge-integration.html
 * @see https://docs.aws.amazon.com/inspector/latest/user/findings-managing-exporting-reports.html
 */
import { awsTime, boundedFlat, eventBridge, isObj, num, type Obj, parseObject, str, strings } from './aws-json';
import { stableId } from './ids';
import { badTimeMessage } from './time';
import { DATASETS, isSkip, lineParser, ParseError, type Fields, type LineResult, type Parser, type ParserMeta } from './types';

type InspectorFields = NonNullable<NonNullable<Fields['aws']>['inspector']>;

/** Label → `event.severity` (ASFF `Severity.Normalized` of the label). */
export const SEVERITY_SCORE: Readonly<Record<string, number>> = { INFORMATIONAL: 0, LOW: 1, MEDIUM: 40, HIGH: 70, CRITICAL: 90 };

/** A finding's fix: Inspector writes `NotAvailable` where no version fixes the package. */
const fixed = (v: unknown) => {
  const s = str(v);
  return s && s !== 'NotAvailable' ? s : undefined;
};

/** Whether an object looks like an Inspector v2 finding (detection uses the same test). */
export function isInspectorFinding(o: Obj): boolean {
  return typeof o.findingArn === 'string' && o.findingArn.includes(':inspector2:') && typeof o.type === 'string';
}

function mapResources(resources: unknown, ins: InspectorFields, doc: Fields): void {
  if (!Array.isArray(resources)) return;
  const res: NonNullable<InspectorFields['resource']> = { id: [], type: [], region: [] };
  for (const r of resources.slice(0, 100)) {
    if (!isObj(r)) continue;
    if (str(r.id)) res.id!.push(r.id as string);
    if (str(r.type)) res.type!.push(r.type as string);
    if (str(r.region) && !res.region!.includes(r.region as string)) res.region!.push(r.region as string);
  }
  const first = resources.find(isObj);
  if (first) {
    const d = isObj(first.details) ? first.details : {};
    const ec2 = isObj(d.awsEc2Instance) ? d.awsEc2Instance : undefined;
    const ecr = isObj(d.awsEcrContainerImage) ? d.awsEcrContainerImage : undefined;
    const fn = isObj(d.awsLambdaFunction) ? d.awsLambdaFunction : undefined;
    if (ec2) {
      if (str(ec2.imageId)) res.image_id = ec2.imageId as string;
      if (str(ec2.platform)) res.platform = ec2.platform as string;
      if (str(ec2.vpcId)) res.vpc_id = ec2.vpcId as string;
      if (str(ec2.subnetId)) res.subnet_id = ec2.subnetId as string;
      if (first.type === 'AWS_EC2_INSTANCE' && str(first.id)) doc.cloud!.instance = { id: first.id as string };
      const ips = strings(ec2.ipV4Addresses, 20);
      if (ips.length) doc.related = { ...doc.related, ip: ips };
    }
    if (ecr) {
      if (str(ecr.repositoryName)) res.repository_name = ecr.repositoryName as string;
      const tags = strings(ecr.imageTags, 50);
      if (tags.length) res.image_tags = tags;
      if (str(ecr.imageHash)) res.image_hash = ecr.imageHash as string;
      if (str(ecr.platform)) res.platform = ecr.platform as string;
    }
    if (fn) {
      if (str(fn.functionName)) res.function_name = fn.functionName as string;
      if (str(fn.runtime)) res.runtime = fn.runtime as string;
    }
    const tags = isObj(first.tags) && Object.keys(first.tags).length ? boundedFlat(first.tags) : undefined;
    if (tags) res.tags = tags.flat;
  }
  for (const k of ['id', 'type', 'region'] as const) if (!res[k]!.length) delete res[k];
  if (Object.keys(res).length) ins.resource = res;
}

function mapPackages(pvd: Obj, doc: Fields, ins: InspectorFields): void {
  const pkg: NonNullable<Fields['package']> = {};
  const names: string[] = [];
  const versions: string[] = [];
  const fixes: string[] = [];
  const archs: string[] = [];
  const paths: string[] = [];
  const managers: string[] = [];
  const list = Array.isArray(pvd.vulnerablePackages) ? pvd.vulnerablePackages.slice(0, 200) : [];
  for (const p of list) {
    if (!isObj(p)) continue;
    const name = str(p.name);
    if (!name) continue;
    names.push(name);
    // Debian/RPM versions carry an epoch and a release: `1:1.1.1k-1.amzn2` as the package manager shows it.
    const v = str(p.version);
    const epoch = num(p.epoch);
    if (v) versions.push(`${epoch ? `${epoch}:` : ''}${v}${str(p.release) ? `-${p.release as string}` : ''}`);
    const fix = fixed(p.fixedInVersion);
    if (fix) fixes.push(fix);
    if (str(p.arch)) archs.push(p.arch as string);
    const path = str(p.filePath) ?? str(p.sourceLambdaLayerArn);
    if (path) paths.push(path);
    if (str(p.packageManager) && !managers.includes(p.packageManager as string)) managers.push(p.packageManager as string);
  }
  if (names.length) pkg.name = names;
  if (versions.length) pkg.version = versions;
  if (fixes.length) pkg.fixed_version = fixes;
  if (archs.length) pkg.architecture = archs;
  if (paths.length) pkg.path = paths;
  if (managers.length) {
    pkg.type = managers;
    ins.package_managers = managers;
  }
  if (Object.keys(pkg).length) doc.package = pkg;
}

/** One Inspector finding (already unwrapped) → document fields. */
export function mapFinding(f: Obj, eventType?: string): Fields | ParseError {
  const arn = str(f.findingArn);
  if (!arn) return new ParseError('Inspector finding without findingArn', 'invalid_record');
  const rawTime = f.updatedAt ?? f.lastObservedAt ?? f.firstObservedAt;
  const ts = awsTime(rawTime);
  if (!ts) {
    return new ParseError(
      rawTime === undefined ? 'Inspector finding without updatedAt, lastObservedAt or firstObservedAt' : badTimeMessage('Inspector finding updatedAt', String(rawTime)),
      'invalid_record',
    );
  }
  const type = str(f.type);
  const severity = str(f.severity);
  const ins: InspectorFields = { finding_arn: arn };
  const event: NonNullable<Fields['event']> = {
    kind: 'alert',
    category: [type === 'NETWORK_REACHABILITY' ? 'network' : 'vulnerability'],
    type: ['info'],
    provider: 'inspector2.amazonaws.com',
    // Per finding version: see the module comment.
    id: stableId('aws.inspector', arn, ts.slice(0, 19)),
  };
  if (type) event.action = type;
  const doc: Fields = { '@timestamp': ts, event, cloud: { provider: 'aws' }, aws: { inspector: ins } };
  if (type) ins.type = type;
  if (str(f.status)) ins.status = f.status as string;
  if (severity) {
    ins.severity = severity;
    if (SEVERITY_SCORE[severity] !== undefined) event.severity = SEVERITY_SCORE[severity];
  }
  if (eventType) ins.event_type = eventType;
  const title = str(f.title);
  if (title) {
    ins.title = title;
    doc.message = title;
  }
  const score = num(f.inspectorScore);
  if (score !== undefined) ins.inspector_score = score;
  if (str(f.fixAvailable)) ins.fix_available = f.fixAvailable as string;
  if (str(f.exploitAvailable)) ins.exploit_available = f.exploitAvailable as string;
  if (isObj(f.exploitabilityDetails)) {
    const t = awsTime(f.exploitabilityDetails.lastKnownExploitAt);
    if (t) ins.last_known_exploit_at = t;
  }
  if (isObj(f.epss) && num(f.epss.score) !== undefined) ins.epss_score = f.epss.score as number;
  const first = awsTime(f.firstObservedAt);
  const last = awsTime(f.lastObservedAt);
  const updated = awsTime(f.updatedAt);
  if (first) {
    ins.first_observed_at = first;
    event.created = first;
  }
  if (last) ins.last_observed_at = last;
  if (updated) ins.updated_at = updated;
  // A new finding: its first version carries the same time in updatedAt and firstObservedAt (a rescan or a
  // status change moves updatedAt on). Within a minute: the report's times have milliseconds, EventBridge's not.
  if (first && updated) ins.new_finding = Math.abs(Date.parse(updated) - Date.parse(first)) <= 60_000;
  if (isObj(f.remediation)) {
    const rec = isObj(f.remediation.recommendation) ? f.remediation.recommendation : {};
    if (str(rec.text)) ins.remediation = (rec.text as string).slice(0, 4096);
    if (str(rec.Url)) ins.remediation_url = rec.Url as string;
  }

  const account = str(f.awsAccountId);
  if (account) doc.cloud!.account = { id: account };
  // The finding's region: its ARN's (`arn:aws:inspector2:<region>:<account>:finding/...`).
  const arnRegion = /^arn:[^:]*:inspector2:([a-z0-9-]+):/.exec(arn)?.[1];
  if (arnRegion) doc.cloud!.region = arnRegion;
  mapResources(f.resources, ins, doc);
  if (!arnRegion && ins.resource?.region?.length) doc.cloud!.region = ins.resource.region[0];

  const vuln: NonNullable<Fields['vulnerability']> = { scanner: { vendor: 'Amazon Inspector' } };
  if (severity) vuln.severity = severity;
  if (str(f.description)) vuln.description = (f.description as string).trim().slice(0, 8192);
  const pvd = isObj(f.packageVulnerabilityDetails) ? f.packageVulnerabilityDetails : undefined;
  const adjusted = isObj(f.inspectorScoreDetails) && isObj(f.inspectorScoreDetails.adjustedCvss) ? f.inspectorScoreDetails.adjustedCvss : undefined;
  if (pvd) {
    const id = str(pvd.vulnerabilityId);
    if (id) {
      vuln.id = id;
      if (/^CVE-\d{4}-\d+$/.test(id)) vuln.enumeration = 'CVE';
    }
    if (str(pvd.sourceUrl)) vuln.reference = pvd.sourceUrl as string;
    if (str(pvd.source)) ins.vulnerability_source = pvd.source as string;
    if (str(pvd.vendorSeverity)) ins.vendor_severity = pvd.vendorSeverity as string;
    const vc = awsTime(pvd.vendorCreatedAt);
    if (vc) ins.vendor_created_at = vc;
    const related = strings(pvd.relatedVulnerabilities);
    if (related.length) ins.related_vulnerabilities = related;
    const refs = strings(pvd.referenceUrls);
    if (refs.length) ins.reference_urls = refs;
    mapPackages(pvd, doc, ins);
  }
  // Score: the environment-adjusted CVSS Inspector scored the finding with, else the first CVSS it lists.
  const cvss = adjusted ?? (pvd && Array.isArray(pvd.cvss) ? pvd.cvss.find(isObj) : undefined);
  const base = cvss ? (num(cvss.score) ?? num(cvss.baseScore)) : undefined;
  if (base !== undefined || score !== undefined) {
    vuln.score = { base: base ?? score };
    if (cvss && str(cvss.version)) vuln.score.version = cvss.version as string;
    vuln.classification = 'CVSS';
    if (cvss && str(cvss.scoringVector)) ins.cvss_vector = cvss.scoringVector as string;
  }
  const nrd = isObj(f.networkReachabilityDetails) ? f.networkReachabilityDetails : undefined;
  if (nrd) {
    const net: NonNullable<InspectorFields['network']> = {};
    if (str(nrd.protocol)) {
      net.protocol = nrd.protocol as string;
      doc.network = { transport: (nrd.protocol as string).toLowerCase() };
    }
    if (isObj(nrd.openPortRange)) {
      if (num(nrd.openPortRange.begin) !== undefined) net.port_begin = nrd.openPortRange.begin as number;
      if (num(nrd.openPortRange.end) !== undefined) net.port_end = nrd.openPortRange.end as number;
    }
    if (Object.keys(net).length) ins.network = net;
  }
  const cvd = isObj(f.codeVulnerabilityDetails) ? f.codeVulnerabilityDetails : undefined;
  if (cvd) {
    const code: NonNullable<InspectorFields['code']> = {};
    if (str(cvd.detectorName)) code.detector_name = cvd.detectorName as string;
    if (str(cvd.ruleId)) code.rule_id = cvd.ruleId as string;
    const cwes = strings(cvd.cwes);
    if (cwes.length) {
      code.cwes = cwes;
      vuln.category = cwes;
    }
    if (isObj(cvd.filePath) && str(cvd.filePath.filePath)) code.file_path = cvd.filePath.filePath as string;
    if (Object.keys(code).length) ins.code = code;
  }
  doc.vulnerability = vuln;
  return doc;
}

/** Any other `Inspector2 *` event (scan, coverage): a plain event naming its type, detail not mapped. */
function otherEvent(detailType: string, time: string | undefined, account: string | undefined, region: string | undefined): Fields | ParseError {
  const ts = awsTime(time);
  if (!ts) return new ParseError(time === undefined ? `${detailType} event without time` : badTimeMessage(`${detailType} event time`, time), 'invalid_record');
  const doc: Fields = {
    '@timestamp': ts,
    event: { kind: 'event', category: ['vulnerability'], type: ['info'], action: detailType, provider: 'inspector2.amazonaws.com' },
    aws: { inspector: { event_type: detailType } },
    cloud: { provider: 'aws' },
  };
  if (account) doc.cloud!.account = { id: account };
  if (region) doc.cloud!.region = region;
  return doc;
}

/**
 * One record: an EventBridge event, or a bare finding.
 * @example parseInspectorRecord('{"findingArn":"arn:aws:inspector2:us-east-1:111122223333:finding/0a1b","type":"PACKAGE_VULNERABILITY","severity":"HIGH","updatedAt":"2023-01-19T22:46:15Z"}')
 */
export function parseInspectorRecord(line: string): LineResult {
  const o = parseObject(line, 'an Inspector finding');
  if (o instanceof ParseError || isSkip(o)) return o;
  const eb = eventBridge(o);
  if (eb) {
    if (eb.source !== 'aws.inspector2') return new ParseError(`not an Inspector event: EventBridge source ${JSON.stringify(eb.source.slice(0, 64))}`, 'invalid_record');
    if (eb.detailType === 'Inspector2 Finding') {
      if (!isInspectorFinding(eb.detail) && !str(eb.detail.findingArn))
        return new ParseError('Inspector2 Finding event whose detail is not a finding (no findingArn)', 'invalid_record');
      const doc = mapFinding(eb.detail, eb.detailType);
      // The envelope's account and region speak only when the finding does not (it always does).
      if (!(doc instanceof ParseError)) {
        if (!doc.cloud?.account && eb.account) doc.cloud!.account = { id: eb.account };
        if (!doc.cloud?.region && eb.region) doc.cloud!.region = eb.region;
      }
      return doc;
    }
    return otherEvent(eb.detailType, eb.time, eb.account, eb.region);
  }
  if (!str(o.findingArn)) return new ParseError('not an Inspector finding: no findingArn and no EventBridge envelope', 'invalid_record');
  return mapFinding(o);
}

/**
 * The Inspector parser: every event is one finding or one EventBridge event.
 * @example inspectorParser.parse([{ message: '{"findingArn":"arn:aws:inspector2:us-east-1:111122223333:finding/0a1b","type":"PACKAGE_VULNERABILITY","updatedAt":"2023-01-19T22:46:15Z"}', key: 'k' }], {})
 */
export const inspectorParser: Parser = lineParser('inspector', (line) => parseInspectorRecord(line));

const EXAMPLE_FINDING = {
  awsAccountId: '111122223333',
  description: 'A heap buffer overflow in the SOCKS5 proxy handshake of curl and libcurl lets a malicious proxy run code.',
  exploitAvailable: 'YES',
  findingArn: 'arn:aws:inspector2:us-east-1:111122223333:finding/0a1b2c3d4e5f60718293a4b5c6d7e8f9',
  firstObservedAt: 'Oct 12, 2023, 9:14:03 AM',
  fixAvailable: 'YES',
  inspectorScore: 9.8,
  inspectorScoreDetails: {
    adjustedCvss: { adjustments: [], cvssSource: 'NVD', score: 9.8, scoreSource: 'NVD', scoringVector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', version: '3.1' },
  },
  lastObservedAt: 'Oct 12, 2023, 9:14:03 AM',
  packageVulnerabilityDetails: {
    cvss: [{ baseScore: 9.8, scoringVector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', source: 'NVD', version: '3.1' }],
    referenceUrls: ['https://curl.se/docs/CVE-2023-38545.html'],
    relatedVulnerabilities: ['ALAS2-2023-2287'],
    source: 'NVD',
    sourceUrl: 'https://nvd.nist.gov/vuln/detail/CVE-2023-38545',
    vendorCreatedAt: 'Oct 18, 2023, 4:15:00 AM',
    vendorSeverity: 'CRITICAL',
    vulnerabilityId: 'CVE-2023-38545',
    vulnerablePackages: [
      { arch: 'X86_64', epoch: 0, fixedInVersion: '0:8.4.0-1.amzn2.0.1', name: 'curl', packageManager: 'OS', release: '1.amzn2.0.4', remediation: 'yum update curl', version: '8.3.0' },
      { arch: 'X86_64', epoch: 0, fixedInVersion: '0:8.4.0-1.amzn2.0.1', name: 'libcurl', packageManager: 'OS', release: '1.amzn2.0.4', remediation: 'yum update libcurl', version: '8.3.0' },
    ],
  },
  remediation: { recommendation: { text: 'None Provided' } },
  resources: [
    {
      details: { awsEc2Instance: { imageId: 'ami-0abcdef1234567890', ipV4Addresses: ['10.0.1.25'], platform: 'AMAZON_LINUX_2', subnetId: 'subnet-0a1b2c3d', type: 't3.micro', vpcId: 'vpc-0a1b2c3d' } },
      id: 'i-0c2a343f1948d5205',
      partition: 'aws',
      region: 'us-east-1',
      tags: { Name: 'web-1' },
      type: 'AWS_EC2_INSTANCE',
    },
  ],
  severity: 'CRITICAL',
  status: 'ACTIVE',
  title: 'CVE-2023-38545 - curl, libcurl',
  type: 'PACKAGE_VULNERABILITY',
  updatedAt: 'Oct 12, 2023, 9:14:03 AM',
};

/** What this parser handles, the docs it follows and examples that run as tests (test/unit/parser-meta.test.ts). */
export const meta: ParserMeta = {
  id: 'inspector',
  dataset: DATASETS.inspector,
  title:
    'Amazon Inspector (v2) findings: EventBridge `Inspector2 Finding` events and the JSON findings report (`{"findings":[...]}`, one document per finding; the CSV report is not read: export JSON)',
  docs: [
    'https://docs.aws.amazon.com/inspector/v2/APIReference/API_Finding.html',
    'https://docs.aws.amazon.com/inspector/latest/user/eventbridge-integration.html',
    'https://docs.aws.amazon.com/inspector/latest/user/findings-managing-exporting-reports.html',
  ],
  examples: [
    {
      title: 'EventBridge Inspector2 Finding: a critical CVE in an EC2 package with a fix (times in the EventBridge form)',
      input: JSON.stringify({
        version: '0',
        id: '66a7a279-5f92-971c-6d3e-c92da0950992',
        'detail-type': 'Inspector2 Finding',
        source: 'aws.inspector2',
        account: '111122223333',
        time: '2023-10-12T09:14:05Z',
        region: 'us-east-1',
        resources: ['i-0c2a343f1948d5205'],
        detail: EXAMPLE_FINDING,
      }),
      context: { account: '111122223333', region: 'us-east-1' },
      fields: {
        '@timestamp': '2023-10-12T09:14:03.000Z',
        event: { kind: 'alert', category: ['vulnerability'], severity: 90, action: 'PACKAGE_VULNERABILITY' },
        vulnerability: { id: 'CVE-2023-38545', severity: 'CRITICAL', score: { base: 9.8, version: '3.1' }, enumeration: 'CVE', scanner: { vendor: 'Amazon Inspector' } },
        package: { name: ['curl', 'libcurl'], version: ['8.3.0-1.amzn2.0.4', '8.3.0-1.amzn2.0.4'], fixed_version: ['0:8.4.0-1.amzn2.0.1', '0:8.4.0-1.amzn2.0.1'] },
        cloud: { account: { id: '111122223333' }, region: 'us-east-1', instance: { id: 'i-0c2a343f1948d5205' } },
        aws: { inspector: { fix_available: 'YES', status: 'ACTIVE', resource: { id: ['i-0c2a343f1948d5205'], type: ['AWS_EC2_INSTANCE'] }, event_type: 'Inspector2 Finding' } },
      },
    },
    {
      title: 'A finding of the JSON report (ISO times): the same finding version gets the same id as its EventBridge event',
      input: JSON.stringify({ ...EXAMPLE_FINDING, firstObservedAt: '2023-10-12T09:14:03.512Z', lastObservedAt: '2023-10-12T09:14:03.512Z', updatedAt: '2023-10-12T09:14:03.512Z' }),
      fields: {
        '@timestamp': '2023-10-12T09:14:03.512Z',
        event: { id: stableId('aws.inspector', EXAMPLE_FINDING.findingArn, '2023-10-12T09:14:03'), kind: 'alert' },
        aws: { inspector: { finding_arn: EXAMPLE_FINDING.findingArn } },
      },
    },
    {
      title: 'Network reachability finding: an open SSH port, no CVE',
      input: JSON.stringify({
        awsAccountId: '111122223333',
        description: 'On the instance i-0c2a343f1948d5205, the port range 22 to 22 is reachable from an internet gateway.',
        findingArn: 'arn:aws:inspector2:eu-west-1:111122223333:finding/5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e',
        firstObservedAt: '2024-02-01T10:00:00Z',
        lastObservedAt: '2024-02-03T10:00:00Z',
        networkReachabilityDetails: { openPortRange: { begin: 22, end: 22 }, protocol: 'TCP', networkPath: { steps: [{ componentId: 'igw-0a1b', componentType: 'AWS::EC2::InternetGateway' }] } },
        remediation: { recommendation: { text: 'Restrict access to the port with the security group.' } },
        resources: [{ id: 'i-0c2a343f1948d5205', partition: 'aws', region: 'eu-west-1', type: 'AWS_EC2_INSTANCE' }],
        severity: 'MEDIUM',
        status: 'ACTIVE',
        title: 'Port 22 is reachable from an Internet Gateway - TCP',
        type: 'NETWORK_REACHABILITY',
        updatedAt: '2024-02-03T10:00:00Z',
      }),
      fields: {
        event: { category: ['network'], severity: 40 },
        network: { transport: 'tcp' },
        aws: { inspector: { network: { protocol: 'TCP', port_begin: 22, port_end: 22 } } },
      },
    },
    {
      title: 'A record that is not an Inspector finding is a failure that keeps the text',
      input: '{"source":"aws.guardduty","detail-type":"GuardDuty Finding","detail":{"id":"x"}}',
      failure: { type: 'invalid_record', message: 'not an Inspector event' },
    },
  ],
};
