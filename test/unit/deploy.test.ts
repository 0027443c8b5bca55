/**
 * The archive-account stack as `serverless package --stage test` renders it (no AWS credentials:
 * the package step must work offline). Packaged ONCE for the file (10-40 s, mostly esbuild and
 * framework start-up), then checked for the security and wiring properties the design relies on.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { SCHEMA_VERSION } from '../../schemas/index';
import { resolveProperties } from '../../lib/setup/custom-resource';
import { FIREHOSE_BACKUP_PREFIX, FIREHOSE_ERROR_PREFIX, FIREHOSE_ERRORS_PREFIX, FIREHOSE_FILE_EXTENSION, FIREHOSE_PREFIX, INGEST_CHECKPOINT_PREFIX, NORMALIZED_PREFIX } from '../../lib/core/archive';
import { cleanPackages, packageStack, ROOT } from '../helpers/package';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- CloudFormation JSON is untyped by nature
type Json = any;

let dir: string;
let t: { Resources: Record<string, Json>; Parameters: Record<string, Json>; Conditions: Record<string, Json>; Outputs: Record<string, Json> };
let packageSeconds = 0;

beforeAll(async () => {
  // In a private copy of the project (test/helpers/package.ts): packaging in the project directory
  // would share .esbuild/ with other test files and the template lint.
  const packed = await packageStack('test');
  ({ dir, template: t, seconds: packageSeconds } = packed);
}, 300_000);

afterAll(cleanPackages);

const resources = (type: string) => Object.entries(t.Resources).filter(([, r]) => r.Type === type);

/** Every concrete value an `Fn::If` may take (both branches), recursively; NoValue dropped. */
function branches(v: Json): Json[] {
  if (v && typeof v === 'object' && !Array.isArray(v) && 'Fn::If' in v) {
    const [, a, b] = v['Fn::If'];
    return [...branches(a), ...branches(b)];
  }
  if (v && typeof v === 'object' && v.Ref === 'AWS::NoValue') return [];
  return [v];
}

/** All IAM statements of a role's inline policies, with `Fn::If` statements expanded. */
function roleStatements(role: Json): Json[] {
  return (role.Properties.Policies ?? []).flatMap((p: Json) => (p.PolicyDocument.Statement as Json[]).flatMap(branches));
}

const asList = (v: Json): Json[] => (Array.isArray(v) ? v : [v]);

test('packages offline (reports the time)', () => {
  expect(existsSync(join(dir, 'cloudformation-template-update-stack.json'))).toBe(true);
  process.stdout.write(`serverless package --stage test took ${packageSeconds.toFixed(1)} s\n`);
  for (const fn of ['transform', 's3ingest', 'indexer', 'setup']) expect(existsSync(join(dir, `${fn}.zip`))).toBe(true);
});

test('functions: nodejs22.x, one dedicated role each, no shared framework role', () => {
  const fns = resources('AWS::Lambda::Function');
  expect(fns.map(([id]) => id).sort()).toEqual(expect.arrayContaining(['IndexerLambdaFunction', 'S3ingestLambdaFunction', 'SetupLambdaFunction', 'TransformLambdaFunction']));
  expect(t.Resources.IamRoleLambdaExecution).toBeUndefined();
  const roles = new Set<string>();
  for (const [id, fn] of fns) {
    expect(fn.Properties.Runtime).toBe('nodejs22.x');
    const role = fn.Properties.Role['Fn::GetAtt']?.[0];
    expect(t.Resources[role]?.Type).toBe('AWS::IAM::Role');
    expect(roles.has(role)).toBe(false); // one role per function
    roles.add(role);
    // each role may write only its own function's log group
    const logStatements = roleStatements(t.Resources[role]).filter((s) => asList(s.Action).includes('logs:PutLogEvents'));
    expect(logStatements).toHaveLength(1);
    expect(logStatements[0].Resource['Fn::GetAtt'][0]).toBe(id.replace('LambdaFunction', 'LogGroup'));
  }
});

test('handler files referenced by the functions exist', () => {
  for (const [, fn] of resources('AWS::Lambda::Function')) {
    const handler: string = fn.Properties.Handler; // e.g. handlers/transform.handler
    const file = handler.slice(0, handler.lastIndexOf('.'));
    expect(existsSync(join(ROOT, `${file}.ts`))).toBe(true);
  }
});

test('indexer: reserved concurrency and a matching SQS maximum concurrency', () => {
  const fn = t.Resources.IndexerLambdaFunction.Properties;
  expect(fn.ReservedConcurrentExecutions).toBeGreaterThan(0);
  const esm = t.Resources.IndexerEventSourceMappingSQSIndexQueue.Properties;
  expect(esm.ScalingConfig.MaximumConcurrency).toBeLessThanOrEqual(fn.ReservedConcurrentExecutions);
  expect(esm.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
});

test('IAM: no "*" resource except actions AWS offers no resource-level permission for (VPC ENIs, CloudTrail public keys)', () => {
  const vpcActions = new Set([
    'ec2:CreateNetworkInterface',
    'ec2:DescribeNetworkInterfaces',
    'ec2:DeleteNetworkInterface',
    'ec2:AssignPrivateIpAddresses',
    'ec2:UnassignPrivateIpAddresses',
    // CloudTrail digest validation (s3ingest); the Service Authorization Reference lists no resource type for it
    'cloudtrail:ListPublicKeys',
  ]);
  const roles = resources('AWS::IAM::Role');
  expect(roles.length).toBeGreaterThanOrEqual(6);
  let checked = 0;
  for (const [id, role] of roles) {
    for (const s of roleStatements(role)) {
      checked++;
      expect(asList(s.Action)).not.toContain('*');
      for (const a of asList(s.Action)) expect(`${id} ${a}`).not.toMatch(/:\*$/);
      if (asList(s.Resource).includes('*')) {
        for (const a of asList(s.Action)) expect(`${id} ${a}`).toBe(`${id} ${[...vpcActions].find((v) => v === a) ?? '(not allowed with Resource "*")'}`);
      }
    }
  }
  expect(checked).toBeGreaterThan(20);
  // transform only writes its logs: Firehose moves the data
  expect(roleStatements(t.Resources.TransformRole).flatMap((s) => asList(s.Action)).sort()).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents']);
});

test('Logs destination: policy scoped to the organization (or an explicit account list)', () => {
  const dest = t.Resources.LogsDestination.Properties;
  const [cond, org, accounts] = dest.DestinationPolicy['Fn::If'];
  expect(cond).toBe('UseOrganization');
  expect(t.Parameters.OrganizationId.Default).toBe('o-exampleorg1'); // test stage params
  const orgPolicy = JSON.parse(org['Fn::Sub']);
  expect(orgPolicy.Statement).toHaveLength(1);
  const s = orgPolicy.Statement[0];
  expect(s.Action).toBe('logs:PutSubscriptionFilter');
  expect(s.Condition).toEqual({ StringEquals: { 'aws:PrincipalOrgID': ['${OrganizationId}'] } });
  expect(s.Resource).toMatch(/:destination:tributary-test$/);
  const acctPolicy = JSON.parse(accounts['Fn::Sub'][0]);
  expect(acctPolicy.Statement[0].Principal).toEqual({ AWS: ['${Accounts}'] });
  expect(acctPolicy.Statement[0].Action).toBe('logs:PutSubscriptionFilter');
  // the role CWL assumes: logs service, limited by aws:SourceArn in every branch
  const trust = t.Resources.DestinationRole.Properties.AssumeRolePolicyDocument.Statement[0];
  expect(trust.Principal).toEqual({ Service: 'logs.amazonaws.com' });
  for (const c of branches(trust.Condition)) expect(JSON.stringify(c)).toContain('aws:SourceArn');
  expect(roleStatements(t.Resources.DestinationRole).flatMap((x) => asList(x.Action)).sort()).toEqual(['firehose:PutRecord', 'firehose:PutRecordBatch']);
});

test('buckets: encrypted, public access blocked, TLS-only policy, versioned, access-logged', () => {
  const buckets = resources('AWS::S3::Bucket');
  expect(buckets.map(([id]) => id)).toEqual(expect.arrayContaining(['ArchiveBucket', 'AccessLogsBucket', 'IngestBucket']));
  const policies = resources('AWS::S3::BucketPolicy');
  for (const [id, b] of buckets) {
    const p = b.Properties;
    expect(p.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm).toMatch(/^(aws:kms|AES256)$/);
    if (id === 'ServerlessDeploymentBucket') continue; // framework-managed; its policy is the framework's own TLS-only policy
    expect(p.PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
    expect(p.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    if (id !== 'AccessLogsBucket') expect(p.LoggingConfiguration.DestinationBucketName).toEqual({ Ref: 'AccessLogsBucket' });
    const policy = policies.find(([, bp]) => bp.Properties.Bucket?.Ref === id);
    expect(policy).toBeDefined();
    const deny = policy![1].Properties.PolicyDocument.Statement.find((s: Json) => s.Effect === 'Deny' && s.Condition?.Bool?.['aws:SecureTransport'] === 'false');
    expect(deny).toBeDefined();
    expect(deny.Action).toBe('s3:*');
    expect(deny.Resource).toHaveLength(2); // the bucket and its objects
  }
  const archive = t.Resources.ArchiveBucket.Properties;
  expect(archive.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault).toEqual({
    SSEAlgorithm: 'aws:kms',
    KMSMasterKeyID: { 'Fn::GetAtt': ['ArchiveKey', 'Arn'] },
  });
  expect(t.Resources.ArchiveKey.Properties.EnableKeyRotation).toBe(true);
  expect(archive.ObjectLockConfiguration['Fn::If'][0]).toBe('UseObjectLock');
});

test('archive notifications: normalized/ objects -> index queue (with OpenSearch); every Firehose error output type and the ingest bucket -> ingest queue', () => {
  const [cond, withIndexer, archiveOnly] = t.Resources.ArchiveBucket.Properties.NotificationConfiguration.QueueConfigurations['Fn::If'];
  expect(cond).toBe('HasOpenSearch');
  const q = withIndexer;
  expect(q).toHaveLength(2);
  // Every error output type (processing-failed, activePartitionExceeded, ...) comes back through s3ingest.
  for (const c of [q[1], archiveOnly[0]]) {
    expect(c.Queue).toEqual({ 'Fn::GetAtt': ['IngestQueue', 'Arn'] });
    expect(c.Filter.S3Key.Rules).toEqual([{ Name: 'prefix', Value: FIREHOSE_ERRORS_PREFIX }]);
  }
  // archive-only: nothing would read the index queue
  expect(archiveOnly).toHaveLength(1);
  // s3ingest may read exactly that prefix of the archive
  const reads = roleStatements(t.Resources.S3IngestRole).filter((s) => asList(s.Action).includes('s3:GetObject') && JSON.stringify(s.Resource).includes('ArchiveBucket'));
  expect(reads.map((s) => s.Resource)).toEqual([
    { 'Fn::Sub': `\${ArchiveBucket.Arn}/${FIREHOSE_ERRORS_PREFIX}*` },
    { 'Fn::Sub': `\${ArchiveBucket.Arn}/${INGEST_CHECKPOINT_PREFIX}*` },
  ]);
  // ...and write only normalized objects and its own checkpoints (resumable large objects)
  const writes = roleStatements(t.Resources.S3IngestRole).filter((s) => asList(s.Action).includes('s3:PutObject'));
  expect(writes.map((s) => s.Resource)).toEqual([
    { 'Fn::Sub': `\${ArchiveBucket.Arn}/${NORMALIZED_PREFIX}*` },
    { 'Fn::Sub': `\${ArchiveBucket.Arn}/${INGEST_CHECKPOINT_PREFIX}*` },
  ]);
  expect(t.Resources.ArchiveBucket.DependsOn).toContain('IngestQueuePolicy');
  expect(q[0].Queue).toEqual({ 'Fn::GetAtt': ['IndexQueue', 'Arn'] });
  expect(q[0].Filter.S3Key.Rules).toEqual([
    { Name: 'prefix', Value: NORMALIZED_PREFIX },
    { Name: 'suffix', Value: FIREHOSE_FILE_EXTENSION },
  ]);
  expect(t.Resources.IngestBucket.Properties.NotificationConfiguration.QueueConfigurations[0].Queue).toEqual({ 'Fn::GetAtt': ['IngestQueue', 'Arn'] });
  expect(t.Resources.ArchiveBucket.DependsOn).toContain('IndexQueuePolicy');
});

test('queues: KMS-encrypted, DLQ with redrive, visibility >= 6x the consumer timeout', () => {
  const consumers: Record<string, string> = { IndexQueue: 'IndexerLambdaFunction', IngestQueue: 'S3ingestLambdaFunction' };
  for (const [id, q] of resources('AWS::SQS::Queue')) {
    expect(q.Properties.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': ['ArchiveKey', 'Arn'] });
    if (id.endsWith('DLQ') || id === 'ReplayFailureQueue') continue; // dead ends: nothing consumes them
    const redrive = q.Properties.RedrivePolicy;
    const dlq = redrive.deadLetterTargetArn['Fn::GetAtt'][0];
    expect(t.Resources[dlq].Type).toBe('AWS::SQS::Queue');
    expect(redrive.maxReceiveCount).toBeGreaterThan(1);
    const fn = t.Resources[consumers[id]].Properties;
    expect(q.Properties.VisibilityTimeout).toBeGreaterThanOrEqual(6 * fn.Timeout);
  }
  const policed = new Set<string>();
  for (const [, qp] of resources('AWS::SQS::QueuePolicy')) {
    const st = qp.Properties.PolicyDocument.Statement;
    expect(st.some((s: Json) => s.Effect === 'Deny' && s.Condition?.Bool?.['aws:SecureTransport'] === 'false')).toBe(true);
    for (const q of qp.Properties.Queues) policed.add(q.Ref);
    // S3 notifications: this account AND the stack's own buckets (deploy-security.test.ts evaluates them)
    for (const allow of st.filter((s: Json) => s.Effect === 'Allow')) {
      expect(allow.Condition.StringEquals['aws:SourceAccount']).toEqual({ Ref: 'AWS::AccountId' });
      expect(allow.Condition.ArnLike['aws:SourceArn']).toBeDefined();
    }
  }
  // every queue, dead-letter queues included, has a TLS-only policy
  expect([...policed].sort()).toEqual(resources('AWS::SQS::Queue').map(([id]) => id).sort());
});

test('Firehose: prefixes from lib/core/archive.ts, Lambda processor buffer <= 3 MB, raw backup, CMK', () => {
  const d = t.Resources.DeliveryStream.Properties;
  expect(d.DeliveryStreamEncryptionConfigurationInput.KeyType).toBe('CUSTOMER_MANAGED_CMK');
  const s3 = d.ExtendedS3DestinationConfiguration;
  expect(s3.Prefix).toBe(FIREHOSE_PREFIX);
  expect(s3.ErrorOutputPrefix).toBe(FIREHOSE_ERROR_PREFIX);
  expect(s3.S3BackupConfiguration.Prefix).toBe(FIREHOSE_BACKUP_PREFIX);
  expect(s3.FileExtension).toBe(FIREHOSE_FILE_EXTENSION);
  expect(s3.S3BackupMode).toBe('Enabled');
  expect(s3.DynamicPartitioningConfiguration.Enabled).toBe(true);
  expect(s3.EncryptionConfiguration.KMSEncryptionConfig.AWSKMSKeyARN).toEqual({ 'Fn::GetAtt': ['ArchiveKey', 'Arn'] });
  const proc = s3.ProcessingConfiguration.Processors[0];
  expect(proc.Type).toBe('Lambda');
  const param = (n: string) => proc.Parameters.find((p: Json) => p.ParameterName === n).ParameterValue;
  expect(param('LambdaArn')).toEqual({ 'Fn::GetAtt': ['TransformLambdaFunction', 'Arn'] });
  expect(param('BufferSizeInMBs')).toEqual({ Ref: 'ProcessorBufferMB' });
  const allowed = t.Parameters.ProcessorBufferMB.AllowedValues.map(Number);
  expect(Math.max(...allowed)).toBeLessThanOrEqual(3);
  expect(allowed).toContain(Number(t.Parameters.ProcessorBufferMB.Default));
  // Firehose waits at most 5 minutes for the processor
  expect(t.Resources.TransformLambdaFunction.Properties.Timeout).toBeLessThanOrEqual(300);
});

test('alarms: DLQ depth, Firehose processing, indexer errors; always an SNS action (given topic or the stack\'s own)', () => {
  const alarms = resources('AWS::CloudWatch::Alarm').map(([, a]) => a.Properties);
  const on = (metric: string, dim: string) => alarms.find((a) => a.MetricName === metric && JSON.stringify(a.Dimensions).includes(dim));
  expect(on('ApproximateNumberOfMessagesVisible', 'IndexDLQ')).toBeDefined();
  expect(on('ApproximateNumberOfMessagesVisible', 'IngestDLQ')).toBeDefined();
  expect(on('ExecuteProcessing.Success', 'DeliveryStream')).toBeDefined();
  expect(on('Errors', 'IndexerLambdaFunction')).toBeDefined();
  for (const a of alarms) expect(a.AlarmActions).toEqual({ 'Fn::If': ['HasAlarmTopic', [{ Ref: 'AlarmTopicArn' }], [{ Ref: 'OpsAlarmTopic' }]] });
});

test('OpenSearch domain (optional): encrypted, node-to-node, HTTPS only, FGAC, access limited to the stack roles', () => {
  const dom = t.Resources.OpenSearchDomain;
  expect(dom.Condition).toBe('CreateDomain');
  const p = dom.Properties;
  expect(p.EncryptionAtRestOptions.Enabled).toBe(true);
  expect(p.NodeToNodeEncryptionOptions.Enabled).toBe(true);
  expect(p.DomainEndpointOptions.EnforceHTTPS).toBe(true);
  expect(p.AdvancedSecurityOptions.Enabled).toBe(true);
  const principals = p.AccessPolicies.Statement[0].Principal.AWS;
  expect(principals).toEqual(expect.arrayContaining([{ 'Fn::GetAtt': ['IndexerRole', 'Arn'] }]));
  expect(JSON.stringify(p.AccessPolicies)).not.toContain('"AWS":"*"');
  expect(t.Resources.OpenSearchSetup.Properties.ServiceToken).toEqual({ 'Fn::GetAtt': ['SetupLambdaFunction', 'Arn'] });
});

test('setup custom resource: properties setup understands, defaults it accepts, schema version from the schema', () => {
  const props = t.Resources.OpenSearchSetup.Properties;
  const known = [
    'ServiceToken', 'OpenSearchUrl', 'OpenSearchAuth', 'IndexPrefix', 'IsmHotDays', 'IsmWarmDays', 'IsmDeleteDays', 'IsmWarmReplicas', 'Shards', 'Replicas', 'Detections', 'DashboardsUrl', 'SchemaVersion', 'EcsVersion',
    'OpenSearchRoleArn', 'IndexerBackendRoles', 'ReaderBackendRoles', 'AdminBackendRoles',
    'AlertSnsTopicArn', 'AlertSnsRoleArn', 'AlertThrottleMinutes', 'AlertSnsPassRolePolicy',
  ];
  for (const k of Object.keys(props)) expect(known).toContain(k);
  expect(props.SchemaVersion).toBe(SCHEMA_VERSION);
  // the stage's parameter defaults, as CloudFormation would pass them (strings)
  const def = (ref: Json) => String(t.Parameters[ref.Ref].Default);
  const resolved = resolveProperties(
    { OpenSearchUrl: 'https://search-x.us-east-1.es.amazonaws.com', OpenSearchAuth: def(props.OpenSearchAuth), IndexPrefix: def(props.IndexPrefix), IsmHotDays: def(props.IsmHotDays), IsmWarmDays: def(props.IsmWarmDays), IsmDeleteDays: def(props.IsmDeleteDays) },
    { AWS_REGION: 'us-east-1' },
  );
  expect(resolved.options.prefix).toBe(t.Parameters.IndexPrefix.Default);
});

test('OpenSearch master user: a role people assume (required parameter), never a function role; setup signs as it and maps the roles', () => {
  const master = t.Resources.DomainMasterRole;
  expect(master.Condition).toBe('CreateDomain');
  const trust = (master.Properties.AssumeRolePolicyDocument.Statement as Json[]).flatMap(branches);
  // People: principals of this account whose ARN matches the parameter; the setup function's role by name; nobody else.
  const people = trust.find((s) => s.Sid === 'People');
  expect(people.Principal.AWS['Fn::Sub']).toMatch(/:iam::\$\{AWS::AccountId\}:root$/);
  expect(people.Condition.ArnLike['aws:PrincipalArn']).toEqual({ Ref: 'DomainMasterPrincipals' });
  expect(trust.filter((s) => s.Sid !== 'People').map((s) => s.Principal)).toEqual([{ AWS: { 'Fn::GetAtt': ['SetupRole', 'Arn'] } }]);
  expect(JSON.stringify(trust)).not.toContain('lambda.amazonaws.com');
  // The domain's master user is that role: never SetupRole (only Lambda can assume it); without principals, no domain.
  const arn = t.Resources.OpenSearchDomain.Properties.AdvancedSecurityOptions.MasterUserOptions.MasterUserARN;
  expect(arn['Fn::If'][0]).toBe('HasMasterPrincipals');
  expect(arn['Fn::If'][1]).toEqual({ 'Fn::GetAtt': ['DomainMasterRole', 'Arn'] });
  expect(arn['Fn::If'][2]).not.toMatch(/^arn:/);
  expect(JSON.stringify(t.Resources.OpenSearchDomain.Properties.AdvancedSecurityOptions)).not.toContain('SetupRole');
  // The parameter is validated element by element, and required with createDomain=true when packaging.
  const param = t.Parameters.DomainMasterPrincipals;
  expect(param.Type).toBe('CommaDelimitedList');
  const pattern = new RegExp(param.AllowedPattern);
  for (const ok of String(param.Default).split(',')) expect(ok).toMatch(pattern);
  for (const ok of ['arn:aws:iam::111122223333:role/LogAdmin', 'arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/*/AWSReservedSSO_Admin_*', 'arn:aws:iam::111122223333:user/alice']) expect(ok).toMatch(pattern);
  for (const bad of ['admin', 'arn:aws:s3:::bucket', 'arn:aws:iam::1111:role/x', 'arn:aws:sts::111122223333:assumed-role/x/y']) expect(bad).not.toMatch(pattern);
  const { paramProblems } = require('../../deploy/check-params.js') as { paramProblems: (p: Record<string, string>) => string[] };
  expect(paramProblems({ createDomain: 'true', domainMasterPrincipals: '' })).toEqual([expect.stringMatching(/domainMasterPrincipals is required when createDomain=true/)]);
  expect(paramProblems({ createDomain: 'true', domainMasterPrincipals: ' , ' })).toHaveLength(1);
  expect(paramProblems({ createDomain: 'true', domainMasterPrincipals: 'arn:aws:iam::111122223333:role/LogAdmin' })).toEqual([]);
  expect(paramProblems({ createDomain: 'false', domainMasterPrincipals: '' })).toEqual([]);
  // SetupRole may assume the master role; the domain admits the indexer and the master role, not SetupRole itself.
  const assume = t.Resources.SetupAssumesDomainMaster.Properties;
  expect(assume.Roles).toEqual([{ Ref: 'SetupRole' }]);
  expect(assume.PolicyDocument.Statement).toEqual([{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: { 'Fn::GetAtt': ['DomainMasterRole', 'Arn'] } }]);
  const access = (t.Resources.OpenSearchDomain.Properties.AccessPolicies.Statement as Json[]).flatMap(branches);
  expect(access[0].Principal.AWS).toEqual([{ 'Fn::GetAtt': ['IndexerRole', 'Arn'] }, { 'Fn::GetAtt': ['DomainMasterRole', 'Arn'] }]);
  expect(JSON.stringify(access)).not.toContain('SetupRole');
  for (const s of access.slice(1)) expect(Object.keys(s.Condition.StringLike)).toEqual(['aws:PrincipalArn']);

  // The custom resource signs as the master role and maps the indexer's role, readers and admins.
  const props = t.Resources.OpenSearchSetup.Properties;
  expect(props.OpenSearchRoleArn).toEqual({ 'Fn::If': ['CreateDomain', { 'Fn::GetAtt': ['DomainMasterRole', 'Arn'] }, { Ref: 'AWS::NoValue' }] });
  expect(props.IndexerBackendRoles['Fn::If'][1]).toEqual({ 'Fn::GetAtt': ['IndexerRole', 'Arn'] });
  expect(props.ReaderBackendRoles['Fn::If'][1]).toEqual({ 'Fn::Join': [',', { Ref: 'DomainReaderBackendRoles' }] });
  expect(props.AdminBackendRoles['Fn::If'][1]).toEqual({ 'Fn::Join': [',', { Ref: 'DomainAdminBackendRoles' }] });
  const env = t.Resources.SetupLambdaFunction.Properties.Environment.Variables;
  for (const v of ['OPENSEARCH_ROLE_ARN', 'INDEXER_BACKEND_ROLES', 'READER_BACKEND_ROLES', 'ADMIN_BACKEND_ROLES']) expect(env[v]).toBeDefined();
  // ... values the setup function accepts, as CloudFormation passes them (strings).
  const resolved = resolveProperties(
    {
      OpenSearchUrl: 'https://search-x.us-east-1.es.amazonaws.com',
      OpenSearchAuth: 'sigv4-es',
      OpenSearchRoleArn: 'arn:aws:iam::111111111111:role/tributary-test-DomainMasterRole-ABC',
      IndexerBackendRoles: 'arn:aws:iam::111111111111:role/tributary-test-IndexerRole-ABC',
      ReaderBackendRoles: String(t.Parameters.DomainReaderBackendRoles.Default),
      AdminBackendRoles: String(t.Parameters.DomainAdminBackendRoles.Default),
    },
    { AWS_REGION: 'us-east-1' },
  );
  expect(resolved.opensearch.roleArn).toBe('arn:aws:iam::111111111111:role/tributary-test-DomainMasterRole-ABC');
  expect(resolved.options.security).toEqual({
    indexer: ['arn:aws:iam::111111111111:role/tributary-test-IndexerRole-ABC'],
    readers: String(t.Parameters.DomainReaderBackendRoles.Default).split(','),
    admins: String(t.Parameters.DomainAdminBackendRoles.Default).split(','),
  });
  expect(t.Outputs.DomainMasterRoleArn.Value).toEqual({ 'Fn::GetAtt': ['DomainMasterRole', 'Arn'] });
});

test('Glue table (optional): partition projection over normalized/', () => {
  const table = t.Resources.GlueNormalizedTable;
  expect(table.Condition).toBe('CreateGlueTable');
  const params = table.Properties.TableInput.Parameters;
  expect(params['projection.enabled']).toBe('true');
  const template: string = params['storage.location.template']['Fn::Sub'];
  // same key order as the archive layout
  expect(template).toMatch(/\/normalized\/source=\$\{!log_source\}\/account=\$\{!account\}\/region=\$\{!region\}\/year=\$\{!year\}\/month=\$\{!month\}\/day=\$\{!day\}\/hour=\$\{!hour\}\/$/);
});
