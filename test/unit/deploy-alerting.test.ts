/**
 * Detection alerts in the deployed stack (deploy/alerting.yml, issue #14 item 5): the encrypted SNS
 * topic (created, or given), the role the OpenSearch Service domain assumes to publish to it, the
 * iam:PassRole grant creating the SNS channel needs, and the wiring into the setup function and its
 * custom resource — in every deploy mode. The stack is packaged once (`serverless package --stage
 * test`, offline); each mode is then the same template with other parameter values, resolved by a
 * small evaluator of the conditions and intrinsics the template uses.
 */
import { CfnStack, type Template, TEST_ACCOUNT, TEST_REGION } from '../helpers/cfn';
import { cleanPackages, packageStack } from '../helpers/package';
import { resolveProperties } from '../../lib/setup/custom-resource';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- CloudFormation JSON is untyped by nature
type Json = any;

const ACCOUNT = TEST_ACCOUNT;
const REGION = TEST_REGION;
let t: Template;
/** The template with some parameters set: which resources exist, and what their properties resolve to. */
const mode = (overrides: Record<string, string> = {}) => new CfnStack(t, 'tributary-test', overrides);
let MODES: Record<'created' | 'given' | 'existingDomain' | 'noTopic' | 'archiveOnly' | 'serverless', CfnStack>;

beforeAll(async () => {
  t = (await packageStack('test')).template;
  MODES = {
    created: mode(),
    given: mode({ DetectionTopicArn: GIVEN_TOPIC, DetectionTopicKmsKeyArn: GIVEN_KEY }),
    existingDomain: mode({ CreateDomain: 'false', OpenSearchEndpoint: 'search-central-logs.us-east-1.es.amazonaws.com', OpenSearchResourceArn: EXISTING_DOMAIN }),
    noTopic: mode({ CreateDetectionTopic: 'false' }),
    archiveOnly: mode({ CreateDomain: 'false' }),
    serverless: mode({ CreateDomain: 'false', OpenSearchAuth: 'sigv4-aoss', OpenSearchEndpoint: 'abc.us-east-1.aoss.amazonaws.com', OpenSearchResourceArn: `arn:aws:aoss:${REGION}:${ACCOUNT}:collection/abc` }),
  };
}, 300_000);

afterAll(cleanPackages);


const DOMAIN_ARN = `arn:aws:es:${REGION}:${ACCOUNT}:domain/tributary-test`;
const GIVEN_TOPIC = `arn:aws:sns:${REGION}:${ACCOUNT}:secops-alerts`;
const GIVEN_KEY = `arn:aws:kms:${REGION}:${ACCOUNT}:key/0a1b2c3d-0000-1111-2222-333344445555`;
const EXISTING_DOMAIN = `arn:aws:es:${REGION}:${ACCOUNT}:domain/central-logs`;
const ALERT_RESOURCES = ['DetectionTopicKey', 'DetectionTopicKeyAlias', 'DetectionTopic', 'DetectionTopicPolicy', 'DetectionPublishRole', 'DetectionPublishRolePassing'];
const list = (v: Json): Json[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const statements = (m: CfnStack, role: string): Json[] => m.props(role).Policies.flatMap((p: Json) => list(p.PolicyDocument.Statement));

test('which alerting resources exist in each deploy mode', () => {
  const present = (m: CfnStack) => ALERT_RESOURCES.filter((id) => m.exists(id));
  expect(present(MODES.created)).toEqual(ALERT_RESOURCES);
  expect(present(MODES.given)).toEqual(['DetectionPublishRole', 'DetectionPublishRolePassing']);
  expect(present(MODES.existingDomain)).toEqual(ALERT_RESOURCES);
  // Nothing to publish to, or nothing to publish from: nothing at all (no idle role, no grant).
  for (const m of [MODES.noTopic, MODES.archiveOnly, MODES.serverless]) expect(present(m)).toEqual([]);
  // A domain ARN without its endpoint: setup never runs, so no role to pass.
  expect(present(mode({ CreateDomain: 'false', OpenSearchResourceArn: EXISTING_DOMAIN }))).toEqual([]);
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
  expect(statements(mode({ DetectionTopicArn: GIVEN_TOPIC }), 'DetectionPublishRole')).toEqual([{ Effect: 'Allow', Action: 'sns:Publish', Resource: GIVEN_TOPIC }]);
});

test('iam:PassRole on that role only, for whoever signs setup\'s requests, only when a topic is configured', () => {
  const grant = (m: CfnStack) => m.props('DetectionPublishRolePassing');
  // A created domain: setup signs as the domain's master role; an existing domain: as the setup function's role.
  expect(grant(MODES.created).Roles).toEqual([MODES.created.ref('DomainMasterRole')]);
  expect(grant(MODES.existingDomain).Roles).toEqual([MODES.existingDomain.ref('SetupRole')]);
  for (const m of [MODES.created, MODES.given, MODES.existingDomain])
    expect(grant(m).PolicyDocument.Statement).toEqual([{ Effect: 'Allow', Action: 'iam:PassRole', Resource: m.arn('DetectionPublishRole') }]);
  // Nobody else is granted iam:PassRole anywhere in the stack.
  const passRole = Object.entries(t.Resources).filter(([, r]) => JSON.stringify(r).includes('iam:PassRole')).map(([id]) => id);
  expect(passRole).toEqual(['DetectionPublishRolePassing']);
});

test('setup gets the topic and the role (properties re-run it on change; an empty topic removes its channel)', () => {
  const cr = (m: CfnStack) => m.props('OpenSearchSetup');
  expect(cr(MODES.created)).toMatchObject({ AlertSnsTopicArn: MODES.created.arn('DetectionTopic'), AlertSnsRoleArn: MODES.created.arn('DetectionPublishRole'), AlertThrottleMinutes: '' });
  expect(cr(MODES.given)).toMatchObject({ AlertSnsTopicArn: GIVEN_TOPIC, AlertSnsRoleArn: MODES.given.arn('DetectionPublishRole') });
  // Ordered after the PassRole grant, which creating the channel needs.
  expect(cr(MODES.created).AlertSnsPassRolePolicy).toBe(MODES.created.ref('DetectionPublishRolePassing'));
  expect(cr(MODES.noTopic).AlertSnsTopicArn).toBe('');
  expect(cr(MODES.noTopic)).not.toHaveProperty('AlertSnsRoleArn');
  expect(cr(MODES.serverless)).not.toHaveProperty('AlertSnsTopicArn');
  expect(MODES.archiveOnly.exists('OpenSearchSetup')).toBe(false);
  // The function's environment carries the same values (the custom resource's properties win).
  const env = (m: CfnStack) => m.props('SetupLambdaFunction').Environment.Variables;
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
