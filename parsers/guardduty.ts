/**
 * Amazon GuardDuty findings → documents: `GuardDuty Finding` EventBridge events (`detail` is the
 * finding), bare findings (the S3 export writes one per line), and `{"Findings":[...]}` / array
 * exports, split into one event per finding first (`splitFindings`).
 *
 * Mapping (Elastic's AWS integration where sensible; severity scale and id scheme in
 * `schemas/sources/guardduty.ts`): `event.kind: alert`, `event.severity` = severity × 10, `rule.name`
 * = `type`, `rule.category` = its threat purpose, `rule.ruleset` = `Purpose:ResourceType`, `message` =
 * `title`, `threat.indicator.ip` and `source.*`/`destination.*` from the action's remote address and
 * its direction (inbound: the remote end is the source), `event.action` the API called,
 * `@timestamp` = `updatedAt`. `cloud.account.id` = `accountId`, `cloud.region` = `region` are CLAIMS,
 * accepted when the delivering account is the finding's own or a configured aggregator (the GuardDuty
 * delegated administrator, `lib/core/attribution.ts`).
 */
import { stableId } from './ids';
import { eventBridge, isObj, type Obj } from './aws-json';
import { accountId, num, objects, parseObject, regionName, splitFindings, str } from './findings';
import { badTimeMessage, isoFromString } from './time';
import { DATASETS, lineParser, ParseError, type Fields, type LineResult, type Parser, type ParserMeta } from './types';

export const GUARDDUTY_DETAIL_TYPE = 'GuardDuty Finding';

/**
 * Whether a parsed object is a bare GuardDuty finding (`schemaVersion`, `accountId`, `id`, `type`, and
 * `service.serviceName: guardduty` or a GuardDuty `arn`).
 * @example isGuardDutyFinding({ schemaVersion: '2.0', accountId: '1', id: 'x', type: 'Recon:EC2/PortProbeUnprotectedPort', service: { serviceName: 'guardduty' } }) // true
 */
export function isGuardDutyFinding(o: Obj): boolean {
  if (typeof o.schemaVersion !== 'string' || typeof o.id !== 'string' || typeof o.type !== 'string' || !('accountId' in o)) return false;
  return (isObj(o.service) && o.service.serviceName === 'guardduty') || (typeof o.arn === 'string' && o.arn.includes(':guardduty:'));
}

/**
 * GuardDuty's band of a severity number (Low 1.0–3.9, Medium 4.0–6.9, High 7.0–8.9, Critical 9.0+).
 * @example guardDutyLabel(8) // 'High'
 */
export function guardDutyLabel(n: number): string {
  if (n >= 9) return 'Critical';
  if (n >= 7) return 'High';
  if (n >= 4) return 'Medium';
  if (n >= 1) return 'Low';
  return 'Informational';
}

const TACTICS: Record<string, string> = {
  Backdoor: 'Command and Control',
  Behavior: 'Discovery',
  CredentialAccess: 'Credential Access',
  CryptoCurrency: 'Impact',
  DefenseEvasion: 'Defense Evasion',
  Discovery: 'Discovery',
  Execution: 'Execution',
  Exfiltration: 'Exfiltration',
  Impact: 'Impact',
  InitialAccess: 'Initial Access',
  Persistence: 'Persistence',
  PrivilegeEscalation: 'Privilege Escalation',
  Recon: 'Reconnaissance',
  Stealth: 'Defense Evasion',
  Trojan: 'Execution',
  UnauthorizedAccess: 'Initial Access',
};

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;
const isIp = (s: string | undefined): s is string => s !== undefined && (IPV4.test(s) || (s.includes(':') && /^[0-9a-fA-F:.]+$/.test(s)));

/** The finding of a record: an EventBridge event's `detail`, or a bare finding. */
function findingOf(o: Obj): Obj | ParseError {
  const envelope = eventBridge(o);
  if (envelope) {
    if (envelope.detailType !== GUARDDUTY_DETAIL_TYPE) return new ParseError(`EventBridge "${envelope.detailType.slice(0, 80)}" is not a GuardDuty Finding event`, 'not_a_finding');
    return o.detail as Obj;
  }
  if (isGuardDutyFinding(o)) return o;
  return new ParseError('record is neither a GuardDuty Finding EventBridge event nor a GuardDuty finding (schemaVersion, accountId, id, type, service)', 'not_a_finding');
}

/** Remote address and direction of the finding's action, with the local port. */
function networkOf(action: Obj): { ip?: string; country?: string; org?: string; direction?: string; localPort?: number; remotePort?: number; api?: string; domain?: string; protocol?: string } {
  const remote = (d: unknown) => {
    const r = isObj(d) ? d : {};
    const country = isObj(r.country) ? str(r.country.countryName) : undefined;
    const org = isObj(r.organization) ? str(r.organization.org) ?? str(r.organization.isp) : undefined;
    return { ip: str(r.ipAddressV4) ?? str(r.ipAddressV6), country, org };
  };
  const port = (d: unknown) => (isObj(d) ? num(d.port) : undefined);
  if (isObj(action.networkConnectionAction)) {
    const n = action.networkConnectionAction;
    return { ...remote(n.remoteIpDetails), direction: str(n.connectionDirection), localPort: port(n.localPortDetails), remotePort: port(n.remotePortDetails), protocol: str(n.protocol) };
  }
  if (isObj(action.awsApiCallAction)) {
    const a = action.awsApiCallAction;
    return { ...remote(a.remoteIpDetails), direction: 'INBOUND', api: str(a.api) };
  }
  if (isObj(action.portProbeAction)) {
    const d = objects(action.portProbeAction.portProbeDetails)[0] ?? {};
    return { ...remote(d.remoteIpDetails), direction: 'INBOUND', localPort: port(d.localPortDetails) };
  }
  if (isObj(action.dnsRequestAction)) return { direction: 'OUTBOUND', domain: str(action.dnsRequestAction.domain), protocol: str(action.dnsRequestAction.protocol) };
  if (isObj(action.kubernetesApiCallAction)) {
    const k = action.kubernetesApiCallAction;
    return { ...remote(k.remoteIpDetails), direction: 'INBOUND', api: str(k.verb) };
  }
  if (isObj(action.rdsLoginAttemptAction)) return { ...remote(action.rdsLoginAttemptAction.remoteIpDetails), direction: 'INBOUND' };
  return {};
}

/**
 * One record → one document.
 * @example parseGuardDutyRecord('{"schemaVersion":"2.0","accountId":"111122223333","region":"us-east-1","id":"a1","type":"Recon:EC2/PortProbeUnprotectedPort","service":{"serviceName":"guardduty"},"severity":2,"updatedAt":"2026-03-01T10:00:00.000Z"}')
 */
export function parseGuardDutyRecord(line: string, given?: unknown): LineResult {
  if (!line.trim()) return null;
  // `given`: the record as `splitFindings` parsed it (`RawEvent.parsed`), the value of `line`.
  const parsed = given ?? parseObject(line);
  if (parsed instanceof ParseError) return parsed;
  if (!isObj(parsed)) return new ParseError('a GuardDuty record is a JSON object', 'not_a_finding');
  const x = findingOf(parsed);
  if (x instanceof ParseError) return x;
  const envelope = eventBridge(parsed);
  const id = str(x.id);
  if (id === undefined) return new ParseError('GuardDuty finding without id', 'no_finding_id');
  const updatedRaw = str(x.updatedAt) ?? str(x.createdAt);
  if (updatedRaw === undefined) return new ParseError('GuardDuty finding without updatedAt', 'no_timestamp');
  const updated = isoFromString(updatedRaw);
  if (updated === undefined) return new ParseError(badTimeMessage('updatedAt', updatedRaw), 'bad_timestamp');

  const gd: NonNullable<NonNullable<Fields['aws']>['guardduty']> = { finding_id: id, updated_at: updated };
  const event: NonNullable<Fields['event']> = {
    kind: 'alert',
    category: ['threat', 'intrusion_detection'],
    type: ['info'],
    // One document per finding VERSION (schemas/sources/guardduty.ts): the same on every path.
    id: stableId(DATASETS.guardduty, id, updated),
    provider: 'guardduty',
  };
  const doc: Fields = { '@timestamp': updated, event, aws: { guardduty: gd } };
  if (str(x.arn)) gd.arn = str(x.arn);
  if (str(x.schemaVersion)) gd.schema_version = str(x.schemaVersion);
  const created = str(x.createdAt) ? isoFromString(str(x.createdAt)!) : undefined;
  if (created) {
    gd.created_at = created;
    event.created = created;
  }
  const severity = num(x.severity);
  if (severity !== undefined && severity >= 0 && severity <= 10) {
    gd.severity = { code: severity, label: guardDutyLabel(severity) };
    event.severity = Math.round(severity * 10);
  }
  const title = str(x.title);
  if (title) doc.message = title;

  const type = str(x.type);
  if (type) {
    gd.type = type;
    const rule: NonNullable<Fields['rule']> = { name: type };
    const purpose = type.split(':')[0];
    const slash = type.indexOf('/');
    if (purpose && purpose !== type) rule.category = purpose;
    if (slash > 0) rule.ruleset = type.slice(0, slash);
    if (str(x.description)) rule.description = str(x.description)!.slice(0, 4096);
    doc.rule = rule;
    const tactic = TACTICS[purpose];
    if (tactic) doc.threat = { framework: 'MITRE ATT&CK', tactic: { name: [tactic] } };
  }

  const resource = isObj(x.resource) ? x.resource : {};
  if (str(resource.resourceType)) gd.resource_type = str(resource.resourceType);
  const instance = isObj(resource.instanceDetails) ? resource.instanceDetails : undefined;
  const instanceId = instance ? str(instance.instanceId) : undefined;
  if (instanceId) {
    gd.instance_id = instanceId;
    doc.cloud = { instance: { id: instanceId } };
    if (instance && str(instance.availabilityZone)) doc.cloud.availability_zone = str(instance.availabilityZone);
  }
  const key = isObj(resource.accessKeyDetails) ? resource.accessKeyDetails : undefined;
  if (key) {
    if (str(key.accessKeyId)) gd.access_key_id = str(key.accessKeyId);
    const user: NonNullable<Fields['user']> = {};
    if (str(key.userName)) user.name = str(key.userName);
    if (str(key.principalId)) user.id = str(key.principalId);
    if (Object.keys(user).length) doc.user = user;
  }
  const buckets = objects(resource.s3BucketDetails).map((b) => str(b.name)).filter((n): n is string => n !== undefined).slice(0, 100);
  if (buckets.length) gd.bucket_names = buckets;

  const service = isObj(x.service) ? x.service : {};
  if (str(service.detectorId)) gd.detector_id = str(service.detectorId);
  const count = num(service.count);
  if (count !== undefined && Number.isInteger(count)) gd.count = count;
  if (typeof service.archived === 'boolean') gd.archived = service.archived;
  if (str(service.resourceRole)) gd.resource_role = str(service.resourceRole);
  const first = str(service.eventFirstSeen) ? isoFromString(str(service.eventFirstSeen)!) : undefined;
  const last = str(service.eventLastSeen) ? isoFromString(str(service.eventLastSeen)!) : undefined;
  if (first) event.start = first;
  if (last) event.end = last;
  if (isObj(service.additionalInfo) && str(service.additionalInfo.threatListName)) gd.threat_list_name = str(service.additionalInfo.threatListName);

  const action = isObj(service.action) ? service.action : undefined;
  if (action) {
    if (str(action.actionType)) gd.action_type = str(action.actionType);
    const net = networkOf(action);
    if (net.api) event.action = net.api;
    if (net.direction && ['INBOUND', 'OUTBOUND', 'UNKNOWN'].includes(net.direction)) gd.connection_direction = net.direction;
    if (net.country) gd.remote_country = net.country;
    if (net.org) gd.remote_org = net.org;
    if (net.protocol) doc.network = { transport: net.protocol.toLowerCase() };
    if (net.direction === 'INBOUND' || net.direction === 'OUTBOUND') doc.network = { ...doc.network, direction: net.direction === 'INBOUND' ? 'inbound' : 'outbound' };
    const remote: NonNullable<Fields['source']> = {};
    const local: NonNullable<Fields['destination']> = {};
    if (isIp(net.ip)) {
      remote.ip = net.ip;
      remote.address = net.ip;
      doc.threat = { ...doc.threat, indicator: { ip: net.ip, type: net.ip.includes(':') ? 'ipv6-addr' : 'ipv4-addr' } };
      doc.related = { ip: [net.ip] };
    }
    if (net.remotePort !== undefined && Number.isInteger(net.remotePort)) remote.port = net.remotePort;
    if (net.localPort !== undefined && Number.isInteger(net.localPort)) local.port = net.localPort;
    if (net.domain) remote.domain = net.domain;
    // Inbound: the remote end connected to the resource (source → destination); outbound the reverse.
    const [src, dst] = net.direction === 'OUTBOUND' ? [local, remote] : [remote, local];
    if (Object.keys(src).length) doc.source = src;
    if (Object.keys(dst).length) doc.destination = dst;
  }

  const account = accountId(x.accountId);
  const region = regionName(x.region);
  if (account || region) {
    doc.cloud = { ...doc.cloud };
    if (account) doc.cloud.account = { id: account };
    if (region) doc.cloud.region = region;
  }
  if (envelope) gd.event_type = envelope.detailType;
  return doc;
}

export const guarddutyParser: Parser = {
  ...lineParser('guardduty', (line, _ctx, event) => parseGuardDutyRecord(line, event.parsed)),
  split: splitFindings(isGuardDutyFinding),
};

const PORT_PROBE = {
  schemaVersion: '2.0',
  accountId: '111122223333',
  region: 'us-east-1',
  partition: 'aws',
  id: '7ec6a8a3b7f5e1d0c9b8a7f6e5d4c3b2',
  arn: 'arn:aws:guardduty:us-east-1:111122223333:detector/3caf4e0aaa46ce4ccbcef949a8785353/finding/7ec6a8a3b7f5e1d0c9b8a7f6e5d4c3b2',
  type: 'Recon:EC2/PortProbeUnprotectedPort',
  resource: {
    resourceType: 'Instance',
    instanceDetails: { instanceId: 'i-05746eb48123455e0', instanceType: 't3.micro', availabilityZone: 'us-east-1b', imageId: 'ami-0c02fb55956c7d316' },
  },
  service: {
    serviceName: 'guardduty',
    detectorId: '3caf4e0aaa46ce4ccbcef949a8785353',
    action: {
      actionType: 'PORT_PROBE',
      portProbeAction: {
        portProbeDetails: [
          {
            localPortDetails: { port: 22, portName: 'SSH' },
            remoteIpDetails: { ipAddressV4: '198.51.100.7', organization: { asn: '64496', asnOrg: 'EXAMPLE-NET', isp: 'Example ISP', org: 'Example Org' }, country: { countryName: 'Netherlands' } },
          },
        ],
        blocked: false,
      },
    },
    resourceRole: 'TARGET',
    eventFirstSeen: '2026-03-01T09:12:44.000Z',
    eventLastSeen: '2026-03-01T10:41:03.000Z',
    archived: false,
    count: 14,
  },
  severity: 2,
  createdAt: '2026-03-01T09:27:51.612Z',
  updatedAt: '2026-03-01T10:51:20.188Z',
  title: 'Unprotected port on EC2 instance i-05746eb48123455e0 is being probed.',
  description: 'EC2 instance has an unprotected port which is being probed by a known malicious host.',
};

export const meta: ParserMeta = {
  id: 'guardduty',
  dataset: DATASETS.guardduty,
  title: 'Amazon GuardDuty findings: EventBridge "GuardDuty Finding" events and the S3 export',
  docs: [
    'https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_findings_cloudwatch.html',
    'https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_exportfindings.html',
    'https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_finding-types-active.html',
    'https://docs.aws.amazon.com/guardduty/latest/APIReference/API_Finding.html',
  ],
  examples: [
    {
      title: 'A port probe as an EventBridge event: the remote host is the source and the indicator',
      input: JSON.stringify({
        version: '0',
        id: 'c8c4daa7-a20c-2f03-0070-b7393dd542ad',
        'detail-type': 'GuardDuty Finding',
        source: 'aws.guardduty',
        account: '111122223333',
        time: '2026-03-01T10:51:21Z',
        region: 'us-east-1',
        resources: [],
        detail: PORT_PROBE,
      }),
      fields: {
        '@timestamp': '2026-03-01T10:51:20.188Z',
        event: { kind: 'alert', severity: 20, start: '2026-03-01T09:12:44.000Z' },
        rule: { name: 'Recon:EC2/PortProbeUnprotectedPort', category: 'Recon', ruleset: 'Recon:EC2' },
        source: { ip: '198.51.100.7' },
        destination: { port: 22 },
        threat: { indicator: { ip: '198.51.100.7' }, tactic: { name: ['Reconnaissance'] } },
        cloud: { account: { id: '111122223333' }, region: 'us-east-1', instance: { id: 'i-05746eb48123455e0' } },
        aws: { guardduty: { severity: { code: 2, label: 'Low' }, count: 14, action_type: 'PORT_PROBE', event_type: 'GuardDuty Finding' } },
      },
    },
    {
      title: 'A finding line of the S3 export: an API call from a malicious IP by an IAM user, high severity',
      input: JSON.stringify({
        schemaVersion: '2.0',
        accountId: '444455556666',
        region: 'eu-west-1',
        partition: 'aws',
        id: '2ab5f1c0d9e8f7a6b5c4d3e2f1a0b9c8',
        arn: 'arn:aws:guardduty:eu-west-1:444455556666:detector/5eb5f1c0d9e8f7a6b5c4d3e2f1a0b9c8/finding/2ab5f1c0d9e8f7a6b5c4d3e2f1a0b9c8',
        type: 'UnauthorizedAccess:IAMUser/MaliciousIPCaller.Custom',
        resource: { resourceType: 'AccessKey', accessKeyDetails: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', principalId: 'AIDACKCEVSQ6C2EXAMPLE', userType: 'IAMUser', userName: 'deploy-bot' } },
        service: {
          serviceName: 'guardduty',
          detectorId: '5eb5f1c0d9e8f7a6b5c4d3e2f1a0b9c8',
          action: { actionType: 'AWS_API_CALL', awsApiCallAction: { api: 'ListBuckets', serviceName: 's3.amazonaws.com', callerType: 'Remote IP', remoteIpDetails: { ipAddressV4: '203.0.113.50', country: { countryName: 'Example' } } } },
          resourceRole: 'TARGET',
          additionalInfo: { threatListName: 'customer-threat-list' },
          eventFirstSeen: '2026-03-02T07:00:01.000Z',
          eventLastSeen: '2026-03-02T07:03:19.000Z',
          archived: false,
          count: 3,
        },
        severity: 8,
        createdAt: '2026-03-02T07:09:40.112Z',
        updatedAt: '2026-03-02T07:25:02.907Z',
        title: 'API ListBuckets was invoked from an IP address on a custom threat list.',
        description: 'API ListBuckets was invoked from an IP address 203.0.113.50 on the custom threat list customer-threat-list.',
      }),
      context: { s3: { bucket: 'tributary-ingest', key: 'AWSLogs/444455556666/GuardDuty/eu-west-1/2026/03/02/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b.jsonl.gz' } },
      fields: {
        event: { kind: 'alert', severity: 80, action: 'ListBuckets' },
        user: { name: 'deploy-bot' },
        source: { ip: '203.0.113.50' },
        threat: { tactic: { name: ['Initial Access'] } },
        aws: { guardduty: { severity: { code: 8, label: 'High' }, access_key_id: 'AKIAIOSFODNN7EXAMPLE', threat_list_name: 'customer-threat-list' } },
      },
    },
    {
      title: 'Another EventBridge event on the same rule is a failure with its reason',
      input: '{"version":"0","id":"x","detail-type":"GuardDuty Runtime Protection Unhealthy","source":"aws.guardduty","account":"111122223333","time":"2026-03-01T10:51:21Z","region":"us-east-1","resources":[],"detail":{}}',
      failure: { type: 'not_a_finding' },
    },
  ],
};
