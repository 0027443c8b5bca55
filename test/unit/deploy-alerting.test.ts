/**
 * Detection alerts in the deployed stack (deploy/alerting.yml, issue #14 item 5): the encrypted SNS
 * topic (created, or given), the role the OpenSearch Service domain assumes to publish to it, the
 * iam:PassRole grant creating the SNS channel needs, and the wiring into the setup function and its
 * custom resource — in every deploy mode. The stack is packaged once (`serverless package --stage
 * test`, offline); each mode is then the same template with other parameter values, resolved by a
 * small evaluator of the conditions and intrinsics the template uses.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { resolveProperties } from '../../lib/setup/custom-resource';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- CloudFormation JSON is untyped by nature
type Json = any;
interface Template {
  Resources: Record<string, Json>;
  Parameters: Record<string, Json>;
  Conditions: Record<string, Json>;
  Outputs: Record<string, Json>;
}

const ROOT = join(__dirname, '..', '..');
const ACCOUNT = '111111111111';
const REGION = 'us-east-1';
const dirs: string[] = [];
let t: Template;

beforeAll(async () => {
  // A private copy of the project (files copied, directories linked): serverless-esbuild builds in
  // <service>/.esbuild, which other packaging tests running at the same time would overwrite.
  const service = mkdtempSync(join(tmpdir(), 'tributary-alerting-service-'));
  const out = mkdtempSync(join(tmpdir(), 'tributary-alerting-pkg-'));
  dirs.push(service, out);
  for (const entry of readdirSync(ROOT)) {
    if (['.esbuild', '.serverless', '.git', '.cache', '.tributary'].includes(entry)) continue;
    if (statSync(join(ROOT, entry)).isFile()) copyFileSync(join(ROOT, entry), join(service, entry));
    else symlinkSync(join(ROOT, entry), join(service, entry));
  }
  const env = { PATH: process.env.PATH ?? '', HOME: out, SLS_TELEMETRY_DISABLED: '1', SLS_NOTIFICATIONS_MODE: 'off', AWS_EC2_METADATA_DISABLED: 'true' };
  try {
    await promisify(execFile)(process.execPath, [require.resolve('osls/bin/serverless.js'), 'package', '--stage', 'test', '--package', out], { cwd: service, env, timeout: 240_000, maxBuffer: 10 * 1024 * 1024 });
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    throw new Error(`serverless package failed: ${err.message}\n${err.stdout ?? ''}\n${err.stderr ?? ''}`, { cause: e });
  }
  t = JSON.parse(readFileSync(join(out, 'cloudformation-template-update-stack.json'), 'utf8'));
}, 300_000);

afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const NO_VALUE = Symbol('AWS::NoValue');

/** The template with some parameters set: which resources exist, and what their properties resolve to. */
class Mode {
  constructor(readonly overrides: Record<string, string> = {}) {}
  param(name: string): string | string[] {
    const p = t.Parameters[name];
    if (!p) throw new Error(`no parameter ${name}`);
    const v = name in this.overrides ? this.overrides[name] : String(p.Default);
    return p.Type === 'CommaDelimitedList' ? v.split(',') : v;
  }
  condition(name: string): boolean {
    const c = t.Conditions[name];
    if (c === undefined) throw new Error(`no condition ${name}`);
    return this.test(c);
  }
  private test(c: Json): boolean {
    if (c.Condition) return this.condition(c.Condition);
    if (c['Fn::Equals']) {
      const [a, b] = c['Fn::Equals'].map((x: Json) => this.resolve(x));
      return JSON.stringify(a) === JSON.stringify(b);
    }
    if (c['Fn::Not']) return !this.test(c['Fn::Not'][0]);
    if (c['Fn::And']) return c['Fn::And'].every((x: Json) => this.test(x));
    if (c['Fn::Or']) return c['Fn::Or'].some((x: Json) => this.test(x));
    throw new Error(`unsupported condition ${JSON.stringify(c)}`);
  }
  exists(id: string): boolean {
    const r = t.Resources[id];
    return !!r && (!r.Condition || this.condition(r.Condition));
  }
  arn(id: string): string {
    if (!this.exists(id)) throw new Error(`${id} does not exist in this mode (${JSON.stringify(this.overrides)})`);
    const type = t.Resources[id].Type;
    if (type === 'AWS::IAM::Role') return `arn:aws:iam::${ACCOUNT}:role/tributary-test-${id}`;
    if (type === 'AWS::KMS::Key') return `arn:aws:kms:${REGION}:${ACCOUNT}:key/${id}`;
    if (type === 'AWS::SNS::Topic') return `arn:aws:sns:${REGION}:${ACCOUNT}:${t.Resources[id].Properties.TopicName}`;
    return `${id}.Arn`;
  }
  private variable(name: string): Json {
    const pseudo: Record<string, string> = { 'AWS::AccountId': ACCOUNT, 'AWS::Region': REGION, 'AWS::Partition': 'aws' };
    if (name in pseudo) return pseudo[name];
    if (name in t.Parameters) return this.param(name);
    if (name.endsWith('.Arn')) return this.arn(name.slice(0, -4));
    if (name.includes('.')) {
      const [id, attr] = name.split('.');
      if (!this.exists(id)) throw new Error(`GetAtt of ${id}, which does not exist in this mode`);
      return `${id}.${attr}`;
    }
    if (!this.exists(name)) throw new Error(`Ref to ${name}, which does not exist in this mode`);
    // An SNS topic's Ref is its ARN; other resources' Refs are names.
    return t.Resources[name].Type === 'AWS::SNS::Topic' ? this.arn(name) : `tributary-test-${name}`;
  }
  resolve(v: Json): Json {
    if (Array.isArray(v)) return v.map((x) => this.resolve(x)).filter((x) => x !== NO_VALUE);
    if (v === null || typeof v !== 'object') return v;
    const keys = Object.keys(v);
    if (keys.length === 1) {
      const [k] = keys;
      const a = v[k];
      if (k === 'Ref') return a === 'AWS::NoValue' ? NO_VALUE : this.variable(a);
      if (k === 'Fn::GetAtt') return this.variable(`${a[0]}.${a[1]}`);
      if (k === 'Fn::If') return this.resolve(this.condition(a[0]) ? a[1] : a[2]);
      if (k === 'Fn::Join') return (this.resolve(a[1]) as Json[]).join(a[0]);
      if (k === 'Fn::Sub') {
        const text = typeof a === 'string' ? a : a[0];
        return (text as string).replace(/\$\{([^}]+)\}/g, (_m, n: string) => String(this.variable(n)));
      }
      if (k.startsWith('Fn::')) throw new Error(`unsupported intrinsic ${k}`);
    }
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, this.resolve(x)]).filter(([, x]) => x !== NO_VALUE));
  }
  props(id: string): Json {
    return this.resolve(t.Resources[id].Properties);
  }
}

const DOMAIN_ARN = `arn:aws:es:${REGION}:${ACCOUNT}:domain/tributary-test`;
const GIVEN_TOPIC = `arn:aws:sns:${REGION}:${ACCOUNT}:secops-alerts`;
const GIVEN_KEY = `arn:aws:kms:${REGION}:${ACCOUNT}:key/0a1b2c3d-0000-1111-2222-333344445555`;
const EXISTING_DOMAIN = `arn:aws:es:${REGION}:${ACCOUNT}:domain/central-logs`;
const MODES = {
  created: new Mode(),
  given: new Mode({ DetectionTopicArn: GIVEN_TOPIC, DetectionTopicKmsKeyArn: GIVEN_KEY }),
  existingDomain: new Mode({ CreateDomain: 'false', OpenSearchEndpoint: 'search-central-logs.us-east-1.es.amazonaws.com', OpenSearchResourceArn: EXISTING_DOMAIN }),
  noTopic: new Mode({ CreateDetectionTopic: 'false' }),
  archiveOnly: new Mode({ CreateDomain: 'false' }),
  serverless: new Mode({ CreateDomain: 'false', OpenSearchAuth: 'sigv4-aoss', OpenSearchEndpoint: 'abc.us-east-1.aoss.amazonaws.com', OpenSearchResourceArn: `arn:aws:aoss:${REGION}:${ACCOUNT}:collection/abc` }),
};
const ALERT_RESOURCES = ['DetectionTopicKey', 'DetectionTopicKeyAlias', 'DetectionTopic', 'DetectionTopicPolicy', 'DetectionPublishRole', 'DetectionPublishRolePassing'];
const list = (v: Json): Json[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const statements = (m: Mode, role: string): Json[] => m.props(role).Policies.flatMap((p: Json) => list(p.PolicyDocument.Statement));

test('which alerting resources exist in each deploy mode', () => {
  const present = (m: Mode) => ALERT_RESOURCES.filter((id) => m.exists(id));
  expect(present(MODES.created)).toEqual(ALERT_RESOURCES);
  expect(present(MODES.given)).toEqual(['DetectionPublishRole', 'DetectionPublishRolePassing']);
  expect(present(MODES.existingDomain)).toEqual(ALERT_RESOURCES);
  // Nothing to publish to, or nothing to publish from: nothing at all (no idle role, no grant).
  for (const m of [MODES.noTopic, MODES.archiveOnly, MODES.serverless]) expect(present(m)).toEqual([]);
  // A domain ARN without its endpoint: setup never runs, so no role to pass.
  expect(present(new Mode({ CreateDomain: 'false', OpenSearchResourceArn: EXISTING_DOMAIN }))).toEqual([]);
});

test('the created topic is encrypted with a rotated key of its own, TLS-only, and only the publishing role may publish', () => {
  const m = MODES.created;
  const topic = m.props('DetectionTopic');
  expect(topic.KmsMasterKeyId).toBe(m.arn('DetectionTopicKey'));
  expect(topic.KmsMasterKeyId).not.toBe(m.arn('ArchiveKey'));
  expect(m.props('DetectionTopicKey').EnableKeyRotation).toBe(true);
  // The key policy is the account's alone: use is granted by IAM policies, i.e. the role's (below).
  expect(m.props('DetectionTopicKey').KeyPolicy.Statement).toEqual([
    { Sid: 'AccountAdministration', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' },
  ]);
  const policy = m.props('DetectionTopicPolicy');
  expect(policy.Topics).toEqual([m.arn('DetectionTopic')]);
  const [tls, only] = policy.PolicyDocument.Statement;
  expect(tls).toMatchObject({ Effect: 'Deny', Principal: '*', Action: 'sns:Publish', Condition: { Bool: { 'aws:SecureTransport': 'false' } } });
  expect(only).toMatchObject({ Effect: 'Deny', Principal: '*', Action: 'sns:Publish', Condition: { ArnNotEquals: { 'aws:PrincipalArn': m.arn('DetectionPublishRole') } } });
  expect(policy.PolicyDocument.Statement.filter((s: Json) => s.Effect === 'Allow')).toEqual([]);
});

test('OpenSearch Service assumes the publishing role only for this account\'s domain', () => {
  for (const [m, domain] of [[MODES.created, DOMAIN_ARN], [MODES.given, DOMAIN_ARN], [MODES.existingDomain, EXISTING_DOMAIN]] as const) {
    const trust = m.props('DetectionPublishRole').AssumeRolePolicyDocument.Statement;
    expect(trust).toEqual([
      {
        Effect: 'Allow',
        Principal: { Service: 'es.amazonaws.com' },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT }, ArnLike: { 'aws:SourceArn': domain } },
      },
    ]);
  }
});

test('the publishing role may only publish to the topic, with the topic key through SNS', () => {
  const via = { StringEquals: { 'kms:ViaService': `sns.${REGION}.amazonaws.com` } };
  expect(statements(MODES.created, 'DetectionPublishRole')).toEqual([
    { Effect: 'Allow', Action: 'sns:Publish', Resource: MODES.created.arn('DetectionTopic') },
    { Effect: 'Allow', Action: ['kms:GenerateDataKey', 'kms:Decrypt'], Resource: MODES.created.arn('DetectionTopicKey'), Condition: via },
  ]);
  expect(statements(MODES.given, 'DetectionPublishRole')).toEqual([
    { Effect: 'Allow', Action: 'sns:Publish', Resource: GIVEN_TOPIC },
    { Effect: 'Allow', Action: ['kms:GenerateDataKey', 'kms:Decrypt'], Resource: GIVEN_KEY, Condition: via },
  ]);
  // A given topic without a key (unencrypted, or the AWS-managed SNS key): no KMS grant at all.
  expect(statements(new Mode({ DetectionTopicArn: GIVEN_TOPIC }), 'DetectionPublishRole')).toEqual([{ Effect: 'Allow', Action: 'sns:Publish', Resource: GIVEN_TOPIC }]);
});

test('iam:PassRole on that role only, for whoever signs setup\'s requests, only when a topic is configured', () => {
  const grant = (m: Mode) => m.props('DetectionPublishRolePassing');
  // A created domain: setup signs as the domain's master role; an existing domain: as the setup function's role.
  expect(grant(MODES.created).Roles).toEqual(['tributary-test-DomainMasterRole']);
  expect(grant(MODES.existingDomain).Roles).toEqual(['tributary-test-SetupRole']);
  for (const m of [MODES.created, MODES.given, MODES.existingDomain])
    expect(grant(m).PolicyDocument.Statement).toEqual([{ Effect: 'Allow', Action: 'iam:PassRole', Resource: m.arn('DetectionPublishRole') }]);
  // Nobody else is granted iam:PassRole anywhere in the stack.
  const passRole = Object.entries(t.Resources).filter(([, r]) => JSON.stringify(r).includes('iam:PassRole')).map(([id]) => id);
  expect(passRole).toEqual(['DetectionPublishRolePassing']);
});

test('setup gets the topic and the role (properties re-run it on change; an empty topic removes its channel)', () => {
  const cr = (m: Mode) => m.props('OpenSearchSetup');
  expect(cr(MODES.created)).toMatchObject({ AlertSnsTopicArn: MODES.created.arn('DetectionTopic'), AlertSnsRoleArn: MODES.created.arn('DetectionPublishRole'), AlertThrottleMinutes: '' });
  expect(cr(MODES.given)).toMatchObject({ AlertSnsTopicArn: GIVEN_TOPIC, AlertSnsRoleArn: MODES.given.arn('DetectionPublishRole') });
  // Ordered after the PassRole grant, which creating the channel needs.
  expect(cr(MODES.created).AlertSnsPassRolePolicy).toBe('tributary-test-DetectionPublishRolePassing');
  expect(cr(MODES.noTopic).AlertSnsTopicArn).toBe('');
  expect(cr(MODES.noTopic)).not.toHaveProperty('AlertSnsRoleArn');
  expect(cr(MODES.serverless)).not.toHaveProperty('AlertSnsTopicArn');
  expect(MODES.archiveOnly.exists('OpenSearchSetup')).toBe(false);
  // The function's environment carries the same values (the custom resource's properties win).
  const env = (m: Mode) => m.props('SetupLambdaFunction').Environment.Variables;
  expect(env(MODES.created)).toMatchObject({ ALERT_SNS_TOPIC_ARN: MODES.created.arn('DetectionTopic'), ALERT_SNS_ROLE_ARN: MODES.created.arn('DetectionPublishRole') });
  expect(env(MODES.noTopic)).not.toHaveProperty('ALERT_SNS_TOPIC_ARN');
  // And setup accepts them as CloudFormation passes them (strings), in every mode that runs it.
  for (const m of [MODES.created, MODES.given, MODES.existingDomain, MODES.noTopic]) {
    const p = cr(m);
    const r = resolveProperties({ ...p, OpenSearchUrl: 'https://search-x.us-east-1.es.amazonaws.com', DashboardsUrl: p.DashboardsUrl }, { AWS_REGION: REGION });
    expect(r.options.alerts?.destinations.sns ?? null).toEqual(p.AlertSnsTopicArn ? { topicArn: p.AlertSnsTopicArn, roleArn: p.AlertSnsRoleArn } : null);
  }
});

test('parameters: topic and key ARNs and the throttle are validated before anything is created', () => {
  const matches = (name: string, v: string) => new RegExp(t.Parameters[name].AllowedPattern).test(v);
  for (const ok of ['', '0', '10', '60', '999', '1000', '1439', '1440']) expect(`${ok}:${matches('DetectionAlertThrottleMinutes', ok)}`).toBe(`${ok}:true`);
  for (const bad of ['1441', '2000', '-1', 'x', '01', '10000']) expect(`${bad}:${matches('DetectionAlertThrottleMinutes', bad)}`).toBe(`${bad}:false`);
  expect(matches('DetectionTopicArn', GIVEN_TOPIC)).toBe(true);
  expect(matches('DetectionTopicArn', `arn:aws:sqs:${REGION}:${ACCOUNT}:q`)).toBe(false);
  expect(matches('DetectionTopicKmsKeyArn', GIVEN_KEY)).toBe(true);
  expect(matches('DetectionTopicKmsKeyArn', 'alias/aws/sns')).toBe(false);
  expect(t.Outputs.DetectionTopicArn.Condition).toBe('DetectionsToSns');
});
