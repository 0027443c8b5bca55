/**
 * Findings into the delivery stream (deploy/findings.yml, issue #15): EventBridge rules on this
 * account's default bus and on a findings bus of the organization send AWS finding events to the
 * Firehose stream through a role that may put records into that stream only, for those rules only;
 * the bus admits the organization (or the listed accounts) only; FindingsToFirehose=false removes it
 * all. The stack is packaged once (`serverless package --stage test`, offline) and resolved per mode.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CfnStack, type Template, TEST_ACCOUNT, TEST_REGION } from '../helpers/cfn';
import { cleanPackages, packageStack } from '../helpers/package';
import { SECURITYHUB_DETAIL_TYPES } from '../../parsers/securityhub';
import { GUARDDUTY_DETAIL_TYPE } from '../../parsers/guardduty';

const parseYaml: (file: string, contents: string) => Record<string, any> = require('osls/lib/utils/fs/parse.js'); // eslint-disable-line @typescript-eslint/no-explicit-any

let t: Template;
const mode = (overrides: Record<string, string> = {}) => new CfnStack(t, 'tributary-test', overrides);
const FINDINGS = ['FindingsBus', 'FindingsRule', 'FindingsBusRule', 'FindingsToFirehoseRole', 'FindingsDLQ', 'FindingsDLQPolicy', 'FindingsDLQAlarm'];

beforeAll(async () => {
  t = (await packageStack('test')).template;
}, 300_000);
afterAll(cleanPackages);

describe('findings to the delivery stream (deploy/findings.yml)', () => {
  test('both rules send only AWS finding events to the stream, with the role, retries and a dead-letter queue', () => {
    const s = mode();
    const stream = s.getAtt('DeliveryStream', 'Arn');
    for (const id of ['FindingsRule', 'FindingsBusRule']) {
      const rule = s.props(id);
      expect(rule.State).toBe('ENABLED');
      // Only aws.* sources: their account and region are set by AWS (lib/core/direct-put.ts).
      for (const src of rule.EventPattern.source) expect(src).toMatch(/^aws\./);
      expect(rule.EventPattern['detail-type']).toEqual(expect.arrayContaining([SECURITYHUB_DETAIL_TYPES[0], GUARDDUTY_DETAIL_TYPE, 'Inspector2 Finding', 'Config Configuration Item Change', 'Config Rules Compliance Change']));
      expect(rule.Targets).toEqual([
        expect.objectContaining({ Arn: stream, RoleArn: s.getAtt('FindingsToFirehoseRole', 'Arn'), DeadLetterConfig: { Arn: s.getAtt('FindingsDLQ', 'Arn') } }),
      ]);
    }
    expect(s.props('FindingsBusRule').EventBusName).toBe(s.ref('FindingsBus'));
    expect(s.props('FindingsRule').EventBusName).toBeUndefined(); // the default bus
  });

  test('the role may only put records into this stream, and only EventBridge rules of this stack may assume it', () => {
    const s = mode();
    const role = s.props('FindingsToFirehoseRole');
    const statements = role.Policies.flatMap((p: { PolicyDocument: { Statement: unknown[] } }) => p.PolicyDocument.Statement);
    expect(statements).toEqual([{ Effect: 'Allow', Action: ['firehose:PutRecord', 'firehose:PutRecordBatch'], Resource: s.getAtt('DeliveryStream', 'Arn') }]);
    const [trust] = role.AssumeRolePolicyDocument.Statement;
    expect(trust.Principal).toEqual({ Service: 'events.amazonaws.com' });
    expect(trust.Condition.StringEquals).toEqual({ 'aws:SourceAccount': TEST_ACCOUNT });
    expect(trust.Condition.ArnLike['aws:SourceArn']).toEqual([
      `arn:aws:events:${TEST_REGION}:${TEST_ACCOUNT}:rule/${s.props('FindingsRule').Name}`,
      `arn:aws:events:${TEST_REGION}:${TEST_ACCOUNT}:rule/${s.props('FindingsBus').Name}/${s.props('FindingsBusRule').Name}`,
    ]);
  });

  test('the findings bus admits the organization only (aws:PrincipalOrgID), else the listed accounts, else nobody', () => {
    const org = mode().props('FindingsBusPolicy');
    expect(org.Statement).toMatchObject({ Effect: 'Allow', Principal: '*', Action: 'events:PutEvents', Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-exampleorg1' } } });
    const listed = mode({ OrganizationId: '', SenderAccountIds: '222222222222,333333333333' }).props('FindingsBusPolicy');
    expect(listed.Statement.Principal).toEqual({ AWS: ['222222222222', '333333333333'] });
    expect(listed.Statement.Condition).toBeUndefined();
    expect(mode({ OrganizationId: '', SenderAccountIds: '' }).exists('FindingsBusPolicy')).toBe(false);
  });

  test('dead letters are encrypted, reachable only over TLS and only from the two rules, and alarmed', () => {
    const s = mode();
    expect(s.props('FindingsDLQ').KmsMasterKeyId).toBe(s.getAtt('ArchiveKey', 'Arn'));
    const keyGrant = s.props('ArchiveKey').KeyPolicy.Statement.find((x: { Sid?: string }) => x.Sid === 'EventBridgeFindingsDeadLetters');
    expect(keyGrant).toMatchObject({ Principal: { Service: 'events.amazonaws.com' }, Action: ['kms:GenerateDataKey', 'kms:Decrypt'] });
    expect(keyGrant.Condition.ArnEquals['aws:SourceArn']).toHaveLength(2);
    expect(mode({ FindingsToFirehose: 'false' }).props('ArchiveKey').KeyPolicy.Statement.find((x: { Sid?: string }) => x.Sid === 'EventBridgeFindingsDeadLetters')).toBeUndefined();
    const [allow, deny] = s.props('FindingsDLQPolicy').PolicyDocument.Statement;
    expect(allow).toMatchObject({ Principal: { Service: 'events.amazonaws.com' }, Action: 'sqs:SendMessage', Condition: { StringEquals: { 'aws:SourceAccount': TEST_ACCOUNT }, ArnLike: { 'aws:SourceArn': [s.getAtt('FindingsRule', 'Arn'), s.getAtt('FindingsBusRule', 'Arn')] } } });
    expect(deny).toMatchObject({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } });
    expect(s.props('FindingsDLQAlarm').AlarmActions).toHaveLength(1);
  });

  test('GuardDuty may export to its own AWSLogs/<account>/ prefix of the ingest bucket, and s3ingest may decrypt only the named export keys', () => {
    const s = mode();
    const statements = s.props('IngestBucketPolicy').PolicyDocument.Statement as Array<{ Sid: string; Principal: { Service: string | string[] }; Resource: string }>;
    const put = statements.find((x) => x.Sid === 'ServiceLogDeliveryOwnAccountOnly')!;
    expect(put.Principal.Service).toContain('guardduty.amazonaws.com');
    expect(put.Resource).toMatch(/\/AWSLogs\/\$\{aws:SourceAccount\}\/\*$/);
    expect(statements.find((x) => x.Sid === 'GuardDutyExportLocationCheck')).toMatchObject({ Principal: { Service: 'guardduty.amazonaws.com' }, Action: 's3:GetBucketLocation' });
    expect(s.exists('FindingsExportDecrypt')).toBe(false);
    const key = `arn:aws:kms:${TEST_REGION}:222222222222:key/0a1b2c3d-0000-1111-2222-333344445555`;
    const withKey = mode({ FindingsExportKeyArns: key }).props('FindingsExportDecrypt');
    expect(withKey.Roles).toEqual([mode().ref('S3IngestRole')]);
    expect(withKey.PolicyDocument.Statement).toEqual([
      { Effect: 'Allow', Action: 'kms:Decrypt', Resource: [key], Condition: { StringEquals: { 'kms:ViaService': `s3.${TEST_REGION}.amazonaws.com` } } },
    ]);
  });

  test('FindingsToFirehose=false leaves every findings resource out', () => {
    const off = mode({ FindingsToFirehose: 'false' });
    for (const id of [...FINDINGS, 'FindingsBusPolicy']) expect(off.exists(id)).toBe(false);
    for (const id of FINDINGS) expect(mode().exists(id)).toBe(true);
  });
});

describe('member template: forwarding findings to the findings bus (deploy/member-account.yml)', () => {
  const member = parseYaml('member-account.yml', readFileSync(join(__dirname, '..', '..', 'deploy', 'member-account.yml'), 'utf8'));
  test('only with FindingsBusArn: a rule on the same AWS finding sources, through a role that may put events on that bus only', () => {
    expect(member.Parameters.FindingsBusArn.Default).toBe('');
    expect(member.Conditions.ForwardFindings).toEqual({ 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'FindingsBusArn' }, ''] }] });
    const rule = member.Resources.FindingsForwardRule;
    const role = member.Resources.FindingsForwardRole;
    expect([rule.Condition, role.Condition]).toEqual(['ForwardFindings', 'ForwardFindings']);
    // The same pattern as the archive's rules: what the member forwards, the archive takes.
    const archiveRule = t.Resources.FindingsBusRule.Properties.EventPattern;
    expect(rule.Properties.EventPattern).toEqual(archiveRule);
    expect(rule.Properties.Targets).toEqual([{ Id: 'tributary-findings-bus', Arn: { Ref: 'FindingsBusArn' }, RoleArn: { 'Fn::GetAtt': ['FindingsForwardRole', 'Arn'] } }]);
    expect(role.Properties.Policies[0].PolicyDocument.Statement).toEqual([{ Effect: 'Allow', Action: 'events:PutEvents', Resource: { Ref: 'FindingsBusArn' } }]);
    expect(role.Properties.AssumeRolePolicyDocument.Statement[0]).toMatchObject({ Principal: { Service: 'events.amazonaws.com' }, Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } } });
  });
});
