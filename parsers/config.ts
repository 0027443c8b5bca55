/**
 * AWS Config → ECS documents, one per configuration item or compliance change, from:
 * - configuration item change notifications: EventBridge `Config Configuration Item Change` events
 *   (`detail` is the notification), the notification itself
 *   (`messageType: ConfigurationItemChangeNotification`), or an SNS notification carrying it;
 * - rule compliance changes: EventBridge `Config Rules Compliance Change` events, or the notification
 *   (`messageType: ComplianceChangeNotification`);
 * - the delivery channel's history and snapshot files (`{"fileVersion":…,"configurationItems":[…]}`
 *   under `AWSLogs/<account>/Config/<region>/<yyyy>/<m>/<d>/ConfigHistory|ConfigSnapshot/`): the
 *   envelope layer splits a file into its items without parsing it whole (`lib/core/json-records.ts`),
 *   so each item arrives here alone, and one bad item is one failure;
 * - any other Config notification (oversized item summaries, delivery and evaluation status): a
 *   document naming its `messageType`, so nothing Config sends is lost.
 *
 * ECS: a configuration item is `event.kind: state` (it records what a resource looked like at a
 * time, not something that happened to it), category `configuration`, type `creation` / `deletion`
 * / `change` from its status (`info` for the items of a snapshot, which restate). A compliance
 * change is `event.kind: event` (a transition at a moment; Config judges no severity, so it is not
 * an `alert` — the detection "a security Config rule turns NON_COMPLIANT" makes the alert), with
 * `event.outcome` failure (NON_COMPLIANT) / success (COMPLIANT) / unknown, and `rule.name` (the
 * Config rule), `rule.uuid` (its ARN), `rule.id` (`config-rule-…`), as Elastic's AWS integration.
 * `cloud.account.id` = `awsAccountId`: a claim, believed from the delivering account itself or from a
 * configured aggregator (the Config aggregator / delegated administrator, `lib/core/attribution.ts`).
 *
 * Identity: a configuration item is identified by its resource and `configurationStateId` (which
 * orders one resource's items): the same item from a change notification, a history file, a
 * snapshot or a replay gets the same `event.id`. Each item is its own document (the history of the
 * resource); a later item never replaces an earlier one. A compliance change is identified by rule,
 * resource, the evaluation's `orderingTimestamp` and its result.
 * @see https://docs.aws.amazon.com/config/latest/developerguide/config-item-table.html
 * @see https://docs.aws.amazon.com/config/latest/developerguide/example-configuration-history-notification.html
 * @see https://docs.aws.amazon.com/config/latest/developerguide/example-config-rule-compliance-notification.html
 * @see https://docs.aws.amazon.com/config/latest/developerguide/monitor-config-with-cloudwatchevents.html
 */
import { awsTime, boundedFlat, eventBridge, isObj, type Obj, parseObject, snsMessage, str, text } from './aws-json';
import { stableId } from './ids';
import { badTimeMessage } from './time';
import { DATASETS, isSkip, lineParser, ParseError, type Fields, type LineResult, type ParseContext, type Parser, type ParserMeta } from './types';

type ConfigFields = NonNullable<NonNullable<Fields['aws']>['config']>;
type Typ = NonNullable<NonNullable<Fields['event']>['type']>[number];

/** Whether an object is a configuration item (an element of `configurationItems`, or a notification's). */
export function isConfigurationItem(o: Obj): boolean {
  return typeof o.resourceType === 'string' && 'configurationItemCaptureTime' in o && ('configurationItemStatus' in o || 'configurationStateId' in o);
}

/** `ConfigHistory` / `ConfigSnapshot`: the delivery-channel file a batch comes from, by its S3 key. */
export function configFileType(ctx: ParseContext): 'ConfigHistory' | 'ConfigSnapshot' | undefined {
  const key = ctx.s3?.key;
  if (!key) return undefined;
  if (/\/Config\/[^/]+\/\d{4}\/\d{1,2}\/\d{1,2}\/ConfigHistory\//.test(key)) return 'ConfigHistory';
  if (/\/Config\/[^/]+\/\d{4}\/\d{1,2}\/\d{1,2}\/ConfigSnapshot\//.test(key)) return 'ConfigSnapshot';
  return undefined;
}

const STATUS_TYPE: Record<string, Typ> = {
  ResourceDiscovered: 'creation',
  ResourceDeleted: 'deletion',
  ResourceDeletedNotRecorded: 'deletion',
  OK: 'change',
};

function putFlat(item: NonNullable<ConfigFields['item']>, name: 'configuration' | 'supplementary_configuration' | 'tags', v: unknown): void {
  if (!isObj(v) || !Object.keys(v).length) return;
  const b = boundedFlat(v);
  if (!b) return;
  item[name] = b.flat;
  if (b.json !== undefined) {
    (item.pruned_fields ??= []).push(name);
    // The full JSON of the configuration is what an investigator needs; the others are kept pruned.
    if (name === 'configuration') item.configuration_json = b.json;
  }
}

/** One configuration item → fields. `origin` is the message type or file it came from. */
function mapItem(ci: Obj, origin: string, eventType: string | undefined, diff?: Obj): Fields | ParseError {
  const capture = awsTime(ci.configurationItemCaptureTime);
  if (!capture) {
    const raw = ci.configurationItemCaptureTime;
    return new ParseError(
      raw === undefined || raw === null ? 'configuration item without configurationItemCaptureTime' : badTimeMessage('configurationItemCaptureTime', String(raw)),
      'invalid_record',
    );
  }
  const resourceType = str(ci.resourceType);
  const resourceId = str(ci.resourceId);
  if (!resourceType || !resourceId) return new ParseError('configuration item without resourceType or resourceId', 'invalid_record');
  const status = str(ci.configurationItemStatus);
  const stateId = text(ci.configurationStateId);
  const account = str(ci.awsAccountId);
  const region = str(ci.awsRegion);
  const item: NonNullable<ConfigFields['item']> = { capture_time: capture };
  const cfg: ConfigFields = { message_type: origin, resource_type: resourceType, resource_id: resourceId, item };
  const event: NonNullable<Fields['event']> = {
    kind: 'state',
    category: ['configuration'],
    type: [origin === 'ConfigSnapshot' ? 'info' : (status && STATUS_TYPE[status]) || 'info'],
    provider: 'config.amazonaws.com',
    // The same item on every path (notification, history, snapshot, replay): see the module comment.
    id: stableId('aws.config', 'item', account ?? '', region ?? '', resourceType, resourceId, stateId ?? capture),
  };
  if (status) event.action = status;
  const doc: Fields = { '@timestamp': capture, event, cloud: { provider: 'aws' }, aws: { config: cfg } };
  if (account) doc.cloud!.account = { id: account };
  if (region) doc.cloud!.region = region;
  if (str(ci.availabilityZone) && ci.availabilityZone !== 'Not Applicable' && ci.availabilityZone !== 'Multiple Availability Zones')
    doc.cloud!.availability_zone = ci.availabilityZone as string;
  if (resourceType === 'AWS::EC2::Instance') doc.cloud!.instance = { id: resourceId };
  if (str(ci.resourceName)) cfg.resource_name = ci.resourceName as string;
  if (str(ci.ARN)) cfg.resource_arn = ci.ARN as string;
  const created = awsTime(ci.resourceCreationTime);
  if (created) cfg.resource_creation_time = created;
  if (str(ci.configurationItemVersion)) item.version = ci.configurationItemVersion as string;
  if (status) item.status = status;
  if (stateId) item.state_id = stateId;
  if (str(ci.configurationStateMd5Hash)) item.md5_hash = ci.configurationStateMd5Hash as string;
  if (eventType) cfg.event_type = eventType;
  putFlat(item, 'configuration', ci.configuration);
  putFlat(item, 'supplementary_configuration', ci.supplementaryConfiguration);
  putFlat(item, 'tags', ci.tags);
  if (Array.isArray(ci.relationships) && ci.relationships.length) {
    const rel: NonNullable<ConfigFields['relationships']> = { resource_id: [], resource_type: [], name: [] };
    for (const r of ci.relationships.slice(0, 200)) {
      if (!isObj(r)) continue;
      const id = str(r.resourceId) ?? str(r.resourceName);
      if (id) rel.resource_id!.push(id);
      if (str(r.resourceType)) rel.resource_type!.push(r.resourceType as string);
      if (str(r.name)) rel.name!.push(r.name as string);
    }
    for (const k of ['resource_id', 'resource_type', 'name'] as const) if (!rel[k]!.length) delete rel[k];
    if (Object.keys(rel).length) cfg.relationships = rel;
  }
  if (diff) {
    if (str(diff.changeType)) item.change_type = diff.changeType as string;
    if (isObj(diff.changedProperties)) item.changed_properties = Object.keys(diff.changedProperties).slice(0, 200);
    if (diff.changeType === 'CREATE') event.type = ['creation'];
    else if (diff.changeType === 'DELETE') event.type = ['deletion'];
  }
  doc.message = `${resourceType} ${resourceId}: ${status ?? 'configuration item'}`;
  return doc;
}

/** A compliance change notification → fields. */
function mapCompliance(n: Obj, eventType: string | undefined): Fields | ParseError {
  const ne = isObj(n.newEvaluationResult) ? n.newEvaluationResult : undefined;
  if (!ne) return new ParseError('ComplianceChangeNotification without newEvaluationResult', 'invalid_record');
  const q = isObj(ne.evaluationResultIdentifier) && isObj(ne.evaluationResultIdentifier.evaluationResultQualifier) ? ne.evaluationResultIdentifier.evaluationResultQualifier : {};
  const ordering = isObj(ne.evaluationResultIdentifier) ? awsTime(ne.evaluationResultIdentifier.orderingTimestamp) : undefined;
  const rawTime = ne.resultRecordedTime ?? n.notificationCreationTime;
  const ts = awsTime(rawTime);
  if (!ts) {
    return new ParseError(
      rawTime === undefined || rawTime === null ? 'ComplianceChangeNotification without resultRecordedTime or notificationCreationTime' : badTimeMessage('resultRecordedTime', String(rawTime)),
      'invalid_record',
    );
  }
  const ruleName = str(n.configRuleName) ?? str(q.configRuleName);
  const ruleArn = str(n.configRuleARN);
  const resourceType = str(n.resourceType) ?? str(q.resourceType);
  const resourceId = str(n.resourceId) ?? str(q.resourceId);
  const compliance = str(ne.complianceType);
  if (!ruleName || !compliance) return new ParseError('ComplianceChangeNotification without configRuleName or complianceType', 'invalid_record');
  const comp: NonNullable<ConfigFields['compliance']> = { type: compliance };
  const cfg: ConfigFields = { message_type: 'ComplianceChangeNotification', compliance: comp };
  const event: NonNullable<Fields['event']> = {
    kind: 'event',
    category: ['configuration'],
    type: ['change'],
    action: 'ComplianceChangeNotification',
    provider: 'config.amazonaws.com',
    outcome: compliance === 'NON_COMPLIANT' ? 'failure' : compliance === 'COMPLIANT' ? 'success' : 'unknown',
    id: stableId('aws.config', 'compliance', ruleArn ?? ruleName, resourceType ?? '', resourceId ?? '', ordering ?? ts, compliance),
  };
  const doc: Fields = { '@timestamp': ts, event, cloud: { provider: 'aws' }, aws: { config: cfg } };
  const rule: NonNullable<Fields['rule']> = { name: ruleName };
  if (ruleArn) {
    rule.uuid = ruleArn;
    const id = /:config-rule\/(config-rule-[a-z0-9]+)$/.exec(ruleArn)?.[1];
    if (id) rule.id = id;
  }
  doc.rule = rule;
  if (resourceType) cfg.resource_type = resourceType;
  if (resourceId) cfg.resource_id = resourceId;
  if (resourceType === 'AWS::EC2::Instance' && resourceId) doc.cloud!.instance = { id: resourceId };
  if (str(n.awsAccountId)) doc.cloud!.account = { id: n.awsAccountId as string };
  if (str(n.awsRegion)) doc.cloud!.region = n.awsRegion as string;
  const oe = isObj(n.oldEvaluationResult) ? n.oldEvaluationResult : undefined;
  if (oe && str(oe.complianceType)) comp.previous_type = oe.complianceType as string;
  if (str(ne.annotation)) {
    comp.annotation = (ne.annotation as string).slice(0, 4096);
    event.reason = comp.annotation;
  }
  if (str(ne.resultRecordedTime)) comp.result_recorded_time = ts;
  const invoked = awsTime(ne.configRuleInvokedTime);
  if (invoked) comp.rule_invoked_time = invoked;
  if (ordering) comp.ordering_timestamp = ordering;
  const created = awsTime(n.notificationCreationTime);
  if (created) cfg.notification_creation_time = created;
  if (str(n.recordVersion)) cfg.record_version = n.recordVersion as string;
  if (eventType) cfg.event_type = eventType;
  doc.message = `${ruleName}: ${resourceType ?? ''} ${resourceId ?? ''} ${comp.previous_type ? `${comp.previous_type} → ` : ''}${compliance}`.replace(/\s+/g, ' ');
  return doc;
}

/** Any other notification (delivery status, evaluation started, oversized item summary): its type, time and resource. */
function mapOther(n: Obj, messageType: string, eventType: string | undefined, fallbackTime: string | undefined): Fields | ParseError {
  const summary = isObj(n.configurationItemSummary) ? n.configurationItemSummary : undefined;
  const rawTime = n.notificationCreationTime ?? summary?.configurationItemCaptureTime ?? fallbackTime;
  const ts = awsTime(rawTime);
  if (!ts) return new ParseError(rawTime === undefined ? `${messageType} without notificationCreationTime` : badTimeMessage('notificationCreationTime', String(rawTime)), 'invalid_record');
  const cfg: ConfigFields = { message_type: messageType, notification_creation_time: ts };
  const doc: Fields = {
    '@timestamp': ts,
    event: { kind: 'event', category: ['configuration'], type: ['info'], action: messageType, provider: 'config.amazonaws.com' },
    cloud: { provider: 'aws' },
    aws: { config: cfg },
  };
  const key = str(n.s3ObjectKey) ?? str(n.configSnapshotId);
  if (key) cfg.file_key = key;
  if (str(n.recordVersion)) cfg.record_version = n.recordVersion as string;
  if (eventType) cfg.event_type = eventType;
  if (summary) {
    // An item too large for a notification: its summary (the full item is in the next history file).
    if (str(summary.resourceType)) cfg.resource_type = summary.resourceType as string;
    if (str(summary.resourceId)) cfg.resource_id = summary.resourceId as string;
    if (str(summary.ARN)) cfg.resource_arn = summary.ARN as string;
    const item: NonNullable<ConfigFields['item']> = {};
    if (str(summary.configurationItemStatus)) item.status = summary.configurationItemStatus as string;
    if (text(summary.configurationStateId)) item.state_id = text(summary.configurationStateId);
    if (str(summary.changeType)) item.change_type = summary.changeType as string;
    const capture = awsTime(summary.configurationItemCaptureTime);
    if (capture) item.capture_time = capture;
    if (Object.keys(item).length) cfg.item = item;
    if (str(summary.awsAccountId)) doc.cloud!.account = { id: summary.awsAccountId as string };
    if (str(summary.awsRegion)) doc.cloud!.region = summary.awsRegion as string;
  }
  return doc;
}

/** One notification (already unwrapped from EventBridge or SNS) → fields. */
function mapNotification(n: Obj, eventType: string | undefined, fallbackTime?: string): Fields | ParseError {
  const messageType = str(n.messageType);
  if (messageType === 'ConfigurationItemChangeNotification') {
    if (!isObj(n.configurationItem)) return new ParseError('ConfigurationItemChangeNotification without configurationItem', 'invalid_record');
    const doc = mapItem(n.configurationItem, messageType, eventType, isObj(n.configurationItemDiff) ? n.configurationItemDiff : undefined);
    if (!(doc instanceof ParseError)) {
      const created = awsTime(n.notificationCreationTime);
      if (created) doc.aws!.config!.notification_creation_time = created;
      if (str(n.recordVersion)) doc.aws!.config!.record_version = n.recordVersion as string;
    }
    return doc;
  }
  if (messageType === 'ComplianceChangeNotification') return mapCompliance(n, eventType);
  if (messageType) return mapOther(n, messageType, eventType, fallbackTime);
  if (isConfigurationItem(n)) return mapItem(n, 'ConfigurationItem', eventType);
  return new ParseError('not an AWS Config record: no messageType, and not a configuration item', 'invalid_record');
}

/**
 * One record: an EventBridge event, an SNS notification, a notification, or a configuration item.
 * `file` is the delivery-channel file the batch comes from, when it is one.
 * @example parseConfigRecord('{"resourceType":"AWS::S3::Bucket","resourceId":"b","configurationItemCaptureTime":"2026-03-01T10:00:00.000Z","configurationItemStatus":"OK","configurationStateId":1}', 'ConfigHistory')
 */
export function parseConfigRecord(line: string, file?: string): LineResult {
  let o = parseObject(line, 'an AWS Config record');
  if (o instanceof ParseError || isSkip(o)) return o;
  const sns = snsMessage(o, 'an AWS Config notification');
  if (sns instanceof ParseError) return sns;
  if (sns) o = sns;
  const eb = eventBridge(o);
  if (eb) {
    if (eb.source !== 'aws.config') return new ParseError(`not an AWS Config event: EventBridge source ${JSON.stringify(eb.source.slice(0, 64))}`, 'invalid_record');
    const doc = mapNotification(eb.detail, eb.detailType, eb.time);
    if (!(doc instanceof ParseError)) {
      if (!doc.cloud?.account && eb.account) doc.cloud!.account = { id: eb.account };
      if (!doc.cloud?.region && eb.region) doc.cloud!.region = eb.region;
    }
    return doc;
  }
  // In a history or snapshot file every record is an item: what is not one fails as an item.
  if (file && !('messageType' in o)) return mapItem(o, file, undefined);
  return mapNotification(o, undefined);
}

/**
 * The Config parser: every event is one record (a file's items arrive as one event each).
 * @example configParser.parse([{ message: '{"messageType":"ComplianceChangeNotification",…}', key: 'k' }], {})
 */
export const configParser: Parser = lineParser('config', (line, ctx) => parseConfigRecord(line, configFileType(ctx)));

const EXAMPLE_ITEM = {
  relatedEvents: [],
  relationships: [{ resourceId: 'vol-0a1b2c3d4e5f60718', resourceName: null, resourceType: 'AWS::EC2::Volume', name: 'Is attached to Volume' }],
  configuration: { instanceId: 'i-007d374c8912e3e90', instanceType: 't2.micro', state: { code: 16, name: 'running' }, publicIpAddress: '203.0.113.10' },
  supplementaryConfiguration: {},
  tags: { Name: 'web-1' },
  configurationItemVersion: '1.3',
  configurationItemCaptureTime: '2016-10-06T16:46:16.261Z',
  configurationStateId: 1475772376261,
  awsAccountId: '123456789012',
  configurationItemStatus: 'OK',
  resourceType: 'AWS::EC2::Instance',
  resourceId: 'i-007d374c8912e3e90',
  resourceName: null,
  ARN: 'arn:aws:ec2:us-east-2:123456789012:instance/i-007d374c8912e3e90',
  awsRegion: 'us-east-2',
  availabilityZone: 'us-east-2a',
  configurationStateMd5Hash: '8f1ee69b297895a0f8bc5753eca68e96',
  resourceCreationTime: '2016-10-06T16:46:10.489Z',
};

/** What this parser handles, the docs it follows and examples that run as tests (test/unit/parser-meta.test.ts). */
export const meta: ParserMeta = {
  id: 'config',
  dataset: DATASETS.config,
  title:
    'AWS Config: configuration item changes and rule compliance changes (EventBridge, notification or SNS), and the delivery channel\'s ConfigHistory/ConfigSnapshot files (one document per item)',
  docs: [
    'https://docs.aws.amazon.com/config/latest/developerguide/config-item-table.html',
    'https://docs.aws.amazon.com/config/latest/developerguide/example-configuration-history-notification.html',
    'https://docs.aws.amazon.com/config/latest/developerguide/example-config-rule-compliance-notification.html',
    'https://docs.aws.amazon.com/config/latest/developerguide/monitor-config-with-cloudwatchevents.html',
  ],
  examples: [
    {
      title: 'EventBridge Config Rules Compliance Change: an S3 bucket turns NON_COMPLIANT',
      input: JSON.stringify({
        version: '0',
        id: '2b5ac6e1-2b8c-4cae-0ff0-0f0e1a2b3c4d',
        'detail-type': 'Config Rules Compliance Change',
        source: 'aws.config',
        account: '123456789012',
        time: '2026-03-02T08:15:22Z',
        region: 'us-east-1',
        resources: [],
        detail: {
          resourceId: 'examplecorp-public-assets',
          awsRegion: 'us-east-1',
          awsAccountId: '123456789012',
          configRuleName: 's3-bucket-public-read-prohibited',
          recordVersion: '1.0',
          configRuleARN: 'arn:aws:config:us-east-1:123456789012:config-rule/config-rule-0a1b2c',
          messageType: 'ComplianceChangeNotification',
          newEvaluationResult: {
            evaluationResultIdentifier: {
              evaluationResultQualifier: { configRuleName: 's3-bucket-public-read-prohibited', resourceType: 'AWS::S3::Bucket', resourceId: 'examplecorp-public-assets' },
              orderingTimestamp: '2026-03-02T08:15:01.118Z',
            },
            complianceType: 'NON_COMPLIANT',
            resultRecordedTime: '2026-03-02T08:15:21.840Z',
            configRuleInvokedTime: '2026-03-02T08:15:20.911Z',
          },
          oldEvaluationResult: {
            evaluationResultIdentifier: {
              evaluationResultQualifier: { configRuleName: 's3-bucket-public-read-prohibited', resourceType: 'AWS::S3::Bucket', resourceId: 'examplecorp-public-assets' },
              orderingTimestamp: '2026-02-20T11:02:44.310Z',
            },
            complianceType: 'COMPLIANT',
            resultRecordedTime: '2026-02-20T11:02:46.001Z',
            configRuleInvokedTime: '2026-02-20T11:02:45.472Z',
          },
          notificationCreationTime: '2026-03-02T08:15:22.105Z',
          resourceType: 'AWS::S3::Bucket',
        },
      }),
      context: { account: '123456789012', region: 'us-east-1' },
      fields: {
        '@timestamp': '2026-03-02T08:15:21.840Z',
        event: { kind: 'event', category: ['configuration'], outcome: 'failure', action: 'ComplianceChangeNotification' },
        rule: { name: 's3-bucket-public-read-prohibited', id: 'config-rule-0a1b2c' },
        cloud: { account: { id: '123456789012' }, region: 'us-east-1' },
        aws: { config: { resource_type: 'AWS::S3::Bucket', resource_id: 'examplecorp-public-assets', compliance: { type: 'NON_COMPLIANT', previous_type: 'COMPLIANT' } } },
      },
    },
    {
      title: 'Configuration item change notification (as SNS and EventBridge carry it): an EC2 instance changed',
      input: JSON.stringify({
        configurationItemDiff: { changedProperties: { 'Configuration.State.Name': { previousValue: 'pending', updatedValue: 'running', changeType: 'UPDATE' } }, changeType: 'UPDATE' },
        configurationItem: EXAMPLE_ITEM,
        notificationCreationTime: '2016-10-06T16:46:16.261Z',
        messageType: 'ConfigurationItemChangeNotification',
        recordVersion: '1.3',
      }),
      fields: {
        '@timestamp': '2016-10-06T16:46:16.261Z',
        event: { kind: 'state', type: ['change'], action: 'OK' },
        cloud: { account: { id: '123456789012' }, region: 'us-east-2', availability_zone: 'us-east-2a', instance: { id: 'i-007d374c8912e3e90' } },
        aws: {
          config: {
            resource_type: 'AWS::EC2::Instance',
            item: { state_id: '1475772376261', change_type: 'UPDATE', changed_properties: ['Configuration.State.Name'], configuration: { instanceType: 't2.micro' } },
            relationships: { resource_id: ['vol-0a1b2c3d4e5f60718'] },
          },
        },
      },
    },
    {
      title: 'An item of a ConfigHistory file (the file is split into items): the same id as the item of its notification',
      input: JSON.stringify(EXAMPLE_ITEM),
      context: { s3: { bucket: 'ingest', key: 'AWSLogs/123456789012/Config/us-east-2/2016/10/6/ConfigHistory/123456789012_Config_us-east-2_ConfigHistory_AWS::EC2::Instance_20161006T164616Z_20161006T164616Z_1.json.gz' } },
      fields: {
        event: { kind: 'state', id: stableId('aws.config', 'item', '123456789012', 'us-east-2', 'AWS::EC2::Instance', 'i-007d374c8912e3e90', '1475772376261') },
        aws: { config: { message_type: 'ConfigHistory' } },
      },
    },
    {
      title: 'A configuration item without its capture time is a failure that keeps the text',
      input: '{"messageType":"ConfigurationItemChangeNotification","configurationItem":{"resourceType":"AWS::S3::Bucket","resourceId":"b"}}',
      failure: { type: 'invalid_record', message: 'configurationItemCaptureTime' },
    },
  ],
};
