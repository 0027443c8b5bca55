/**
 * The stack in its three deploy modes, as `serverless package` renders them (offline), with the
 * CloudFormation conditions resolved for each mode's parameters:
 * - archive only: no endpoint, no domain (the `dev` defaults): no indexer, setup, replay or index-queue
 *   wiring, so no function holds an OPENSEARCH_URL its configuration would reject;
 * - an existing endpoint (`dev` + opensearchEndpoint/opensearchResourceArn): the indexer, with a URL it accepts;
 * - a created domain (`test`): the indexer on the domain, and the domain's health alarms.
 * In each mode every reference of every resource that exists resolves to something that exists.
 * Then the operations alarms (metric, dimensions, threshold, missing data, action), the SNS topic
 * (given or created, encrypted), the dashboard body (valid JSON, only metrics the code emits), the
 * metrics' `stage` dimension and the stack tags; `prod` thresholds from its parameter block.
 */
import { FIREHOSE_ERRORS_PREFIX } from '../../lib/core/archive';
import { METRIC_NAMES } from '../../lib/core/tally';
import { loadConfig } from '../../lib/io/config';
import { DEFAULT_METRICS_NAMESPACE, METRIC_DIMENSIONS, METRIC_SOURCES, serviceDimension, SOURCE_METRIC_NAMES } from '../../lib/io/observability';
import { cleanPackages, packageStack, type PackagedStack } from '../helpers/package';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- CloudFormation JSON is untyped by nature
type Json = any;

const ENDPOINT = 'search-logs-abc123.eu-west-1.es.amazonaws.com';
const MODES = {
  archiveOnly: { stage: 'dev', params: {} },
  endpoint: { stage: 'dev', params: { opensearchEndpoint: ENDPOINT, opensearchResourceArn: 'arn:aws:es:eu-west-1:111111111111:domain/logs' } },
  domain: { stage: 'test', params: {} },
  prod: { stage: 'prod', params: {} },
} as const;
type Mode = keyof typeof MODES;
const packed = {} as Record<Mode, PackagedStack>;

beforeAll(async () => {
  const names = Object.keys(MODES) as Mode[];
  const all = await Promise.all(names.map((m) => packageStack(MODES[m].stage, MODES[m].params)));
  names.forEach((m, i) => (packed[m] = all[i]));
}, 300_000);
afterAll(cleanPackages);

// ---------------------------------------------------------------------------------------------------
// The template of one mode, conditions resolved with its parameter defaults.

const PSEUDO = new Set(['AWS::Region', 'AWS::AccountId', 'AWS::Partition', 'AWS::StackName', 'AWS::URLSuffix', 'AWS::NoValue', 'AWS::StackId']);
const ACCOUNT = '111111111111';

class Rendered {
  readonly t: PackagedStack['template'];
  private readonly memo = new Map<string, boolean>();
  constructor(readonly mode: Mode) {
    this.t = packed[mode].template;
  }
  param(name: string): string {
    const p = this.t.Parameters[name];
    if (!p) throw new Error(`no parameter ${name}`);
    return String(p.Default);
  }
  condition(name: string): boolean {
    if (!this.memo.has(name)) {
      if (!this.t.Conditions[name]) throw new Error(`no condition ${name}`);
      this.memo.set(name, Boolean(this.value(this.t.Conditions[name])));
    }
    return this.memo.get(name)!;
  }
  /** Value of a condition expression or a simple intrinsic (enough for the stack's conditions). */
  value(v: Json): Json {
    if (v === null || typeof v !== 'object') return v;
    if (Array.isArray(v)) return v.map((x) => this.value(x));
    if ('Condition' in v && Object.keys(v).length === 1) return this.condition(v.Condition);
    if ('Ref' in v) {
      const p = this.t.Parameters[v.Ref];
      if (!p) return `<${v.Ref}>`;
      return p.Type === 'CommaDelimitedList' ? this.param(v.Ref).split(',') : this.param(v.Ref);
    }
    if ('Fn::Equals' in v) {
      const [a, b] = this.value(v['Fn::Equals']);
      return String(a) === String(b);
    }
    if ('Fn::Not' in v) return !this.value(v['Fn::Not'][0]);
    if ('Fn::And' in v) return this.value(v['Fn::And']).every(Boolean);
    if ('Fn::Or' in v) return this.value(v['Fn::Or']).some(Boolean);
    if ('Fn::Join' in v) {
      const [sep, list] = v['Fn::Join'];
      return (this.value(list) as unknown[]).map(String).join(sep);
    }
    if ('Fn::If' in v) {
      const [c, a, b] = v['Fn::If'];
      return this.value(this.condition(c) ? a : b);
    }
    return v;
  }
  /** A property value with every Fn::If decided (other intrinsics kept). */
  decide(v: Json): Json {
    if (v === null || typeof v !== 'object') return v;
    if (Array.isArray(v)) return v.map((x) => this.decide(x)).filter((x) => !(x && x.Ref === 'AWS::NoValue'));
    if ('Fn::If' in v) {
      const [c, a, b] = v['Fn::If'];
      return this.decide(this.condition(c) ? a : b);
    }
    return Object.fromEntries(
      Object.entries(v)
        .map(([k, x]) => [k, this.decide(x)])
        .filter(([, x]) => !(x && (x as Json).Ref === 'AWS::NoValue')),
    );
  }
  exists(id: string): boolean {
    const r = this.t.Resources[id];
    return Boolean(r) && (!r.Condition || this.condition(r.Condition));
  }
  resources(type?: string): Array<[string, Json]> {
    return Object.entries(this.t.Resources)
      .filter(([id, r]) => this.exists(id) && (!type || r.Type === type))
      .map(([id, r]) => [id, { ...r, Properties: this.decide(r.Properties ?? {}) }]);
  }
  /** Logical ids a (decided) value refers to: Ref, GetAtt, Sub variables. */
  refs(v: Json, out = new Set<string>()): Set<string> {
    if (v === null || typeof v !== 'object') return out;
    if (Array.isArray(v)) {
      for (const x of v) this.refs(x, out);
      return out;
    }
    if ('Ref' in v) out.add(v.Ref);
    if ('Fn::GetAtt' in v) out.add(v['Fn::GetAtt'][0]);
    if ('Fn::Sub' in v) {
      const [text, vars] = Array.isArray(v['Fn::Sub']) ? v['Fn::Sub'] : [v['Fn::Sub'], {}];
      for (const m of String(text).matchAll(/\$\{([^!}][^}]*)\}/g)) {
        const name = m[1].split('.')[0];
        if (!(name in vars)) out.add(m[1].includes('::') ? m[1] : name);
      }
      this.refs(vars, out);
      return out;
    }
    for (const x of Object.values(v)) this.refs(x, out);
    return out;
  }
  alarms(): Record<string, Json> {
    return Object.fromEntries(this.resources('AWS::CloudWatch::Alarm').map(([id, r]) => [id, r.Properties]));
  }
}

const r = (m: Mode) => new Rendered(m);

// ---------------------------------------------------------------------------------------------------

describe('deploy modes', () => {
  test('archive only (no endpoint, no domain): no indexer, setup, replay or queue mapping; the archive path intact', () => {
    const s = r('archiveOnly');
    expect(s.condition('HasOpenSearch')).toBe(false);
    for (const id of ['IndexerLambdaFunction', 'IndexerEventSourceMappingSQSIndexQueue', 'SetupLambdaFunction', 'OpenSearchSetup', 'ReplayLambdaFunction', 'ReplayLambdaEvConf', 'OpenSearchDomain'])
      expect(`${id} ${s.exists(id)}`).toBe(`${id} false`);
    for (const id of ['TransformLambdaFunction', 'S3ingestLambdaFunction', 'DeliveryStream', 'LogsDestination', 'ArchiveBucket', 'IngestQueue'])
      expect(`${id} ${s.exists(id)}`).toBe(`${id} true`);
    // No function is left with an OpenSearch URL (the old default was "https://", which the indexer refuses).
    for (const [id, fn] of s.resources('AWS::Lambda::Function')) expect(`${id} ${JSON.stringify(fn.Properties.Environment?.Variables ?? {})}`).not.toMatch(/OPENSEARCH_URL/);
    expect(() => loadConfig({ AWS_REGION: 'eu-west-1', ARCHIVE_BUCKET: 'archive-1', OPENSEARCH_URL: 'https://' }, 'indexer')).toThrow(/OPENSEARCH_URL/);
    // Nothing sends to the index queue (no notification for an absent consumer); Firehose errors still go to s3ingest.
    const q = s.decide(s.t.Resources.ArchiveBucket.Properties.NotificationConfiguration.QueueConfigurations);
    expect(q).toEqual([{ Event: 's3:ObjectCreated:*', Queue: { 'Fn::GetAtt': ['IngestQueue', 'Arn'] }, Filter: { S3Key: { Rules: [{ Name: 'prefix', Value: FIREHOSE_ERRORS_PREFIX }] } } }]);
    // No alarm watches what does not exist.
    const alarms = JSON.stringify(s.alarms());
    for (const id of ['IndexerLambdaFunction', 'IndexQueue.QueueName', 'tributary-indexer', 'AWS/ES']) expect(alarms).not.toContain(id);
  });

  test('an existing endpoint: the indexer, its queue mapping and setup, with a URL their configuration accepts', () => {
    const s = r('endpoint');
    expect([s.condition('HasOpenSearch'), s.condition('CreateDomain')]).toEqual([true, false]);
    for (const id of ['IndexerLambdaFunction', 'IndexerEventSourceMappingSQSIndexQueue', 'SetupLambdaFunction', 'OpenSearchSetup', 'ReplayLambdaFunction'])
      expect(`${id} ${s.exists(id)}`).toBe(`${id} true`);
    expect(s.exists('OpenSearchDomain')).toBe(false);
    const env = s.resources('AWS::Lambda::Function').find(([id]) => id === 'IndexerLambdaFunction')![1].Properties.Environment.Variables;
    expect(env.OPENSEARCH_URL).toEqual({ 'Fn::Sub': 'https://${OpenSearchEndpoint}' });
    const url = env.OPENSEARCH_URL['Fn::Sub'].replace('${OpenSearchEndpoint}', s.param('OpenSearchEndpoint'));
    expect(url).toBe(`https://${ENDPOINT}`);
    const config = loadConfig({ AWS_REGION: 'eu-west-1', ARCHIVE_BUCKET: 'archive-1', OPENSEARCH_URL: url, OPENSEARCH_AUTH: env.OPENSEARCH_AUTH, INDEX_PREFIX: env.INDEX_PREFIX }, 'indexer');
    expect(config.opensearch.node).toBe(`https://${ENDPOINT}`);
    const q = s.decide(s.t.Resources.ArchiveBucket.Properties.NotificationConfiguration.QueueConfigurations);
    expect(q.map((c: Json) => c.Queue['Fn::GetAtt'][0])).toEqual(['IndexQueue', 'IngestQueue']);
  });

  test('a created domain: the indexer on the domain endpoint', () => {
    const s = r('domain');
    expect([s.condition('HasOpenSearch'), s.condition('CreateDomain')]).toEqual([true, true]);
    const env = s.resources('AWS::Lambda::Function').find(([id]) => id === 'IndexerLambdaFunction')![1].Properties.Environment.Variables;
    expect(env.OPENSEARCH_URL).toEqual({ 'Fn::Sub': 'https://${OpenSearchDomain.DomainEndpoint}' });
  });

  test.each(Object.keys(MODES) as Mode[])('%s: every reference of every resource and output that exists resolves to something that exists', (mode) => {
    const s = r(mode);
    const missing: string[] = [];
    const check = (where: string, v: Json) => {
      for (const ref of s.refs(v)) if (!PSEUDO.has(ref) && !s.t.Parameters[ref] && !s.exists(ref)) missing.push(`${where} -> ${ref}`);
    };
    for (const [id, res] of s.resources()) {
      check(id, res.Properties);
      for (const d of [res.DependsOn ?? []].flat()) if (!s.exists(d)) missing.push(`${id} DependsOn ${d}`);
    }
    for (const [id, o] of Object.entries(s.t.Outputs)) if (!o.Condition || s.condition(o.Condition)) check(`Outputs.${id}`, s.decide(o.Value));
    expect(missing).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------------

const TOPIC = { 'Fn::If': ['HasAlarmTopic', [{ Ref: 'AlarmTopicArn' }], [{ Ref: 'OpsAlarmTopic' }]] };
const dims = (d: Json[]) => Object.fromEntries(d.map((x: Json) => [x.Name, x.Value]));

/** The metrics an alarm watches, as [namespace, name, dimensions, stat, period]. */
function watched(a: Json): Array<{ ns: string; name: string; dims: Record<string, Json>; stat: string; period: number }> {
  if (a.MetricName) return [{ ns: a.Namespace, name: a.MetricName, dims: dims(a.Dimensions), stat: a.Statistic, period: a.Period }];
  return a.Metrics.filter((m: Json) => m.MetricStat).map((m: Json) => ({
    ns: m.MetricStat.Metric.Namespace,
    name: m.MetricStat.Metric.MetricName,
    dims: dims(m.MetricStat.Metric.Dimensions),
    stat: m.MetricStat.Stat,
    period: m.MetricStat.Period,
  }));
}

describe('operations alarms', () => {
  test('every alarm notifies the topic (given, or the stack\'s own) on ALARM and on OK', () => {
    for (const mode of Object.keys(MODES) as Mode[]) {
      const raw = packed[mode].template.Resources;
      for (const [id, a] of Object.entries(raw).filter(([, x]) => (x as Json).Type === 'AWS::CloudWatch::Alarm')) {
        expect(`${id} ${JSON.stringify((a as Json).Properties.AlarmActions)}`).toBe(`${id} ${JSON.stringify(TOPIC)}`);
        expect((a as Json).Properties.OKActions).toEqual(TOPIC);
      }
    }
  });

  test('the topic: created when none is given, KMS-encrypted with its own rotated key that CloudWatch of this account may use; a given topic is used as is', () => {
    const own = r('archiveOnly');
    expect(own.condition('CreateAlarmTopic')).toBe(true);
    const [, topic] = own.resources('AWS::SNS::Topic').find(([id]) => id === 'OpsAlarmTopic')!;
    expect(topic.Properties.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': ['OpsAlarmKey', 'Arn'] });
    const key = own.t.Resources.OpsAlarmKey.Properties;
    expect(key.EnableKeyRotation).toBe(true);
    const cw = key.KeyPolicy.Statement.find((st: Json) => st.Principal?.Service === 'cloudwatch.amazonaws.com');
    expect(cw.Action).toEqual(['kms:Decrypt', 'kms:GenerateDataKey*']);
    expect(cw.Condition.StringEquals['aws:SourceAccount']).toEqual({ Ref: 'AWS::AccountId' });
    // the archive key is not opened to CloudWatch
    expect(JSON.stringify(own.t.Resources.ArchiveKey.Properties.KeyPolicy)).not.toContain('cloudwatch.amazonaws.com');
    const policy = own.t.Resources.OpsAlarmTopicPolicy.Properties.PolicyDocument.Statement;
    expect(policy.find((st: Json) => st.Effect === 'Allow')).toMatchObject({ Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: 'sns:Publish', Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } } });
    expect(policy.find((st: Json) => st.Effect === 'Deny').Condition).toEqual({ Bool: { 'aws:SecureTransport': 'false' } });
    // separate from the detection alerts topic
    expect(topic.Properties.TopicName).toMatch(/ops-alarms$/);
    expect(own.resources('AWS::SNS::Topic').map(([id]) => id)).not.toContain('DetectionTopic');
    const given = r('domain');
    expect(given.param('AlarmTopicArn')).toMatch(/^arn:aws:sns:/);
    expect(given.exists('OpsAlarmTopic') || given.exists('OpsAlarmKey')).toBe(false);
    expect(given.decide(given.t.Outputs.OpsAlarmTopicArn.Value)).toEqual({ Ref: 'AlarmTopicArn' });
  });

  test('pipeline alarms watch metrics the functions emit, with the dimensions they emit', () => {
    const s = r('domain');
    const services = new Set(['transform', 's3ingest', 'indexer', 'replay'].map((x) => serviceDimension(x as never)));
    let tributary = 0;
    for (const [id, a] of Object.entries(s.alarms()))
      for (const m of watched(a)) {
        if (m.ns !== DEFAULT_METRICS_NAMESPACE) continue;
        tributary++;
        expect(`${id} ${(METRIC_NAMES as readonly string[]).includes(m.name)}`).toBe(`${id} true`);
        // the summed-over-sources set: exactly {service, stage}
        expect(Object.keys(m.dims).sort()).toEqual([METRIC_DIMENSIONS.service, METRIC_DIMENSIONS.stage].sort());
        expect(services.has(m.dims.service)).toBe(true);
        expect(m.dims.stage).toBe('test');
      }
    expect(tributary).toBeGreaterThanOrEqual(6);
    // the namespace the alarms use is the one the functions publish to
    const env = s.t.Resources.TransformLambdaFunction.Properties.Environment.Variables;
    expect(env.POWERTOOLS_METRICS_NAMESPACE).toBe(DEFAULT_METRICS_NAMESPACE);
    // and every function carries its stage for the `stage` dimension
    for (const [, fn] of s.resources('AWS::Lambda::Function'))
      expect(fn.Properties.Environment.Variables.TRIBUTARY_STAGE).toBe('test');
  });

  /** id -> what the alarm must be: metrics, threshold, comparison, missing data, periods. */
  const EXPECTED: Record<string, Json> = {
    NoDocumentsAlarm: {
      metrics: [
        ['Tributary', 'documents', 'tributary-transform', 'Sum', 60],
        ['Tributary', 'documents', 'tributary-s3ingest', 'Sum', 60],
      ],
      expression: 'FILL(transform, 0) + FILL(s3ingest, 0)',
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
      EvaluationPeriods: { Ref: 'SilenceMinutes' },
      DatapointsToAlarm: { Ref: 'SilenceMinutes' },
    },
    FirehoseFreshnessAlarm: { metrics: [['AWS/Firehose', 'DeliveryToS3.DataFreshness', undefined, 'Maximum', 300]], Threshold: { Ref: 'DataFreshnessSeconds' }, ComparisonOperator: 'GreaterThanThreshold', TreatMissingData: 'notBreaching' },
    FailedEventsAlarm: {
      metrics: [
        ['Tributary', 'failed', 'tributary-transform', 'Sum', 300],
        ['Tributary', 'failed', 'tributary-s3ingest', 'Sum', 300],
      ],
      Threshold: { Ref: 'FailedEventsThreshold' },
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
    },
    DeadLetteredAlarm: { metrics: [['Tributary', 'dead_lettered', 'tributary-indexer', 'Sum', 300]], Threshold: 0, ComparisonOperator: 'GreaterThanThreshold', TreatMissingData: 'notBreaching' },
    IndexerHandedBackAlarm: { metrics: [['Tributary', 'failed', 'tributary-indexer', 'Sum', 300]], Threshold: 0, ComparisonOperator: 'GreaterThanThreshold', TreatMissingData: 'notBreaching', EvaluationPeriods: 3 },
    RecoveredRecordsAlarm: { metrics: [['Tributary', 'recovered', 'tributary-s3ingest', 'Sum', 300]], Threshold: 0, ComparisonOperator: 'GreaterThanThreshold', TreatMissingData: 'notBreaching' },
    FirehosePartitionsExceededAlarm: { metrics: [['AWS/Firehose', 'PartitionCountExceeded', undefined, 'Maximum', 60]], Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', TreatMissingData: 'notBreaching' },
    FirehosePartitionHeadroomAlarm: {
      metrics: [
        ['AWS/Firehose', 'PartitionCount', undefined, 'Maximum', 300],
        ['AWS/Firehose', 'ActivePartitionsLimit', undefined, 'Maximum', 300],
      ],
      expression: '100 * partitions / limit',
      Threshold: { Ref: 'PartitionHeadroomPercent' },
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
    },
    IndexBacklogAlarm: { metrics: [['AWS/SQS', 'ApproximateAgeOfOldestMessage', undefined, 'Maximum', 300]], Threshold: 1800, ComparisonOperator: 'GreaterThanThreshold', TreatMissingData: 'notBreaching' },
    DomainRedAlarm: { metrics: [['AWS/ES', 'ClusterStatus.red', undefined, 'Maximum', 60]], Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', TreatMissingData: 'notBreaching', EvaluationPeriods: 1 },
    DomainWritesBlockedAlarm: { metrics: [['AWS/ES', 'ClusterIndexWritesBlocked', undefined, 'Maximum', 300]], Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', TreatMissingData: 'notBreaching' },
    DomainFreeStorageAlarm: {
      metrics: [['AWS/ES', 'FreeStorageSpace', undefined, 'Minimum', 60]],
      expression: { 'Fn::Sub': '100 * free / (${DomainVolumeGiB} * 1024)' },
      Threshold: { Ref: 'DomainFreeStoragePercent' },
      ComparisonOperator: 'LessThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    },
    DomainJvmPressureAlarm: {
      metrics: [['AWS/ES', 'JVMMemoryPressure', undefined, 'Maximum', 60]],
      Threshold: { Ref: 'DomainJvmPressurePercent' },
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      EvaluationPeriods: 3,
      DatapointsToAlarm: 3,
    },
  };

  test.each(Object.keys(EXPECTED))('%s: metric, dimensions, threshold, missing data', (id) => {
    const s = r('domain');
    const a = s.alarms()[id];
    expect(a).toBeDefined();
    const e = EXPECTED[id];
    expect(watched(a).map((m) => [m.ns, m.name, m.dims.service, m.stat, m.period])).toEqual(e.metrics);
    for (const k of ['Threshold', 'ComparisonOperator', 'TreatMissingData', 'EvaluationPeriods', 'DatapointsToAlarm']) if (k in e) expect(`${k} ${JSON.stringify(a[k])}`).toBe(`${k} ${JSON.stringify(e[k])}`);
    if (e.expression) expect(a.Metrics.find((m: Json) => m.ReturnData).Expression).toEqual(e.expression);
    for (const m of watched(a)) {
      if (m.ns === 'AWS/Firehose') expect(m.dims).toEqual({ DeliveryStreamName: { Ref: 'DeliveryStream' } });
      if (m.ns === 'AWS/ES') expect(m.dims).toEqual({ DomainName: 'tributary-test', ClientId: { Ref: 'AWS::AccountId' } });
      if (m.ns === 'AWS/SQS') expect(m.dims).toEqual({ QueueName: { 'Fn::GetAtt': ['IndexQueue', 'QueueName'] } });
    }
  });

  test('which alarms exist in which mode: domain health only with a created domain, indexer alarms only with OpenSearch', () => {
    const names = (m: Mode) => Object.keys(r(m).alarms()).sort();
    const domain = ['DomainFreeStorageAlarm', 'DomainJvmPressureAlarm', 'DomainRedAlarm', 'DomainWritesBlockedAlarm'];
    const indexer = ['DeadLetteredAlarm', 'IndexBacklogAlarm', 'IndexerErrorsAlarm', 'IndexerHandedBackAlarm'];
    const always = ['NoDocumentsAlarm', 'FirehoseFreshnessAlarm', 'FailedEventsAlarm', 'RecoveredRecordsAlarm', 'FirehosePartitionsExceededAlarm', 'FirehosePartitionHeadroomAlarm', 'IndexDLQAlarm', 'IngestDLQAlarm', 'ReplayFailureAlarm'];
    expect(names('domain')).toEqual(expect.arrayContaining([...domain, ...indexer, ...always]));
    expect(names('endpoint')).toEqual(expect.arrayContaining([...indexer, ...always]));
    for (const d of domain) expect(names('endpoint')).not.toContain(d);
    expect(names('archiveOnly')).toEqual(expect.arrayContaining(always));
    for (const x of [...domain, ...indexer]) expect(names('archiveOnly')).not.toContain(x);
  });

  test('thresholds per stage: prod watches more closely; silenceMinutes=0 removes the silence alarm', () => {
    const dev = r('archiveOnly');
    const prod = r('prod');
    expect([dev.param('SilenceMinutes'), dev.param('DataFreshnessSeconds')]).toEqual(['60', '900']);
    expect([prod.param('SilenceMinutes'), prod.param('DataFreshnessSeconds')]).toEqual(['30', '600']);
    expect(Number(prod.param('DataFreshnessSeconds'))).toBeLessThanOrEqual(900); // Firehose: alarm before 15 minutes
    expect(prod.condition('HasSilenceAlarm')).toBe(true);
    const off = new Rendered('prod');
    off.t.Parameters = { ...off.t.Parameters, SilenceMinutes: { ...off.t.Parameters.SilenceMinutes, Default: 0 } };
    expect(off.condition('HasSilenceAlarm')).toBe(false);
    // silence is one-minute periods: the evaluation range stays within CloudWatch's one day
    expect(Number(dev.t.Parameters.SilenceMinutes.MaxValue) * 60).toBeLessThanOrEqual(86_400);
  });
});

// ---------------------------------------------------------------------------------------------------

describe('dashboard', () => {
  /** The body of a mode: its Fn::Sub text, every ${...} checked to exist, then substituted and parsed. */
  function body(mode: Mode): Json {
    const s = r(mode);
    const sub = s.decide(s.t.Resources.OpsDashboard.Properties.DashboardBody);
    expect(Object.keys(sub)).toEqual(['Fn::Sub']);
    const text: string = sub['Fn::Sub'];
    for (const ref of s.refs(sub)) expect(`${ref} ${PSEUDO.has(ref) || Boolean(s.t.Parameters[ref]) || s.exists(ref)}`).toBe(`${ref} true`);
    const stage = MODES[mode].stage;
    const json = text.replace(/\$\{([^}]+)\}/g, (_, v: string) => (v === 'StageName' ? stage : v === 'AWS::AccountId' ? ACCOUNT : `x-${v.replace(/[^A-Za-z]/g, '')}`));
    return JSON.parse(json); // valid JSON, or the test fails here
  }
  const rows = (b: Json): Json[][] => b.widgets.filter((w: Json) => w.type === 'metric').flatMap((w: Json) => w.properties.metrics);

  test.each(['archiveOnly', 'endpoint', 'domain'] as Mode[])('%s: valid JSON; the Tributary metrics are the ones the code emits, with its dimensions and sources', (mode) => {
    const b = body(mode);
    const stage = MODES[mode].stage;
    expect(b.widgets.length).toBeGreaterThan(5);
    let tributary = 0;
    for (const row of rows(b)) {
      const [ns, name, ...rest] = row;
      const pairs = rest.filter((x) => typeof x === 'string');
      const d: Record<string, string> = {};
      for (let i = 0; i < pairs.length; i += 2) d[pairs[i]] = pairs[i + 1];
      if (ns !== DEFAULT_METRICS_NAMESPACE) continue;
      tributary++;
      expect(METRIC_NAMES).toContain(name);
      // per source: the names and dimension set lib/io/observability.ts publishes per source
      expect(SOURCE_METRIC_NAMES).toContain(name);
      expect(Object.keys(d).sort()).toEqual(Object.values(METRIC_DIMENSIONS).sort());
      expect(d.stage).toBe(stage);
      expect(METRIC_SOURCES).toContain(d.source);
      expect(['transform', 's3ingest', 'indexer'].map((x) => serviceDimension(x as never))).toContain(d.service);
    }
    expect(tributary).toBeGreaterThan(0);
    // received, documents, dropped, failed for every source, of both paths into the archive
    for (const name of ['received', 'documents', 'dropped', 'failed'])
      for (const service of ['tributary-transform', 'tributary-s3ingest'])
        for (const source of METRIC_SOURCES) expect(rows(b).some((x) => x[1] === name && x[3] === service && x[7] === source)).toBe(true);
    // DLQ depth always; indexer lag, per-source indexing and domain health only where they exist
    const has = (ns: string, name: string, dim?: string) => rows(b).some((x) => x[0] === ns && x[1] === name && (!dim || x.includes(dim)));
    for (const q of ['IndexDLQ', 'IngestDLQ', 'ReplayFailureQueue']) expect(has('AWS/SQS', 'ApproximateNumberOfMessagesVisible', `x-${q}QueueName`)).toBe(true);
    expect(has('AWS/SQS', 'ApproximateAgeOfOldestMessage', 'x-IndexQueueQueueName')).toBe(mode !== 'archiveOnly');
    expect(has(DEFAULT_METRICS_NAMESPACE, 'indexed')).toBe(mode !== 'archiveOnly');
    expect(has(DEFAULT_METRICS_NAMESPACE, 'dead_lettered')).toBe(mode !== 'archiveOnly');
    for (const m of ['ClusterStatus.red', 'ClusterIndexWritesBlocked', 'FreeStorageSpace', 'JVMMemoryPressure']) expect(has('AWS/ES', m)).toBe(mode === 'domain');
    expect(has('AWS/Firehose', 'DeliveryToS3.DataFreshness')).toBe(true);
    expect(has('AWS/Firehose', 'PartitionCount')).toBe(true);
  });

  test('the generator lists exactly the sources the metrics can carry', () => {
    const { SOURCES } = require('../../deploy/ops-dashboard.js') as { SOURCES: string[] };
    expect(SOURCES).toEqual([...METRIC_SOURCES]);
  });
});

// ---------------------------------------------------------------------------------------------------

test('stack tags: on the stack (CloudFormation propagates them to its resources) and on the functions', () => {
  for (const mode of ['archiveOnly', 'domain'] as Mode[]) {
    const stage = MODES[mode].stage;
    expect(packed[mode].state.service.provider.stackTags).toMatchObject({ application: 'tributary', stage });
    for (const [id, fn] of r(mode).resources('AWS::Lambda::Function'))
      expect(`${id} ${JSON.stringify(fn.Properties.Tags)}`).toBe(`${id} ${JSON.stringify([{ Key: 'application', Value: 'tributary' }, { Key: 'stage', Value: stage }])}`);
  }
});
