/**
 * The archive as evidence (issue #13 §2, §4): retention, Object Lock, the bucket-policy denies and their
 * break-glass exception, the ingest bucket's "own prefix only" rule, SQS source checks, KMS scoping, the
 * replay failure destination, and that no deploy reads the deployer's shell.
 *
 * Every stage declared in serverless.yml `params` is packaged (`serverless package`, offline), and the
 * policies are not just pattern-matched: a small evaluator resolves the CloudFormation intrinsics with
 * each stage's parameter defaults (`resolve`) and decides requests against the resulting IAM policies
 * the way IAM documents it (`decide`: explicit deny > allow > implicit deny; negated operators are true
 * for a missing key; `Null`; policy variables in `Resource`). Bucket names are simulated the way
 * CloudFormation generates them (`<stack>-<logical id, lowercased>-<random>`).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CfnStack, type Template, TEST_ACCOUNT, TEST_REGION } from '../helpers/cfn';
import { cleanPackages, packageStack, ROOT } from '../helpers/package';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- CloudFormation JSON is untyped by nature
type Json = any;

const ACCOUNT = TEST_ACCOUNT;
const REGION = TEST_REGION;
const MEMBER = '222222222222';
const OUTSIDER = '999999999999';
const BREAK_GLASS = `arn:aws:iam::${ACCOUNT}:role/tributary-break-glass`;
// Values a deployer's shell may hold after `set -a; . .cache/services.env` (and worse): none may reach a template.
const HOSTILE_SHELL: Record<string, string> = {
  OPENSEARCH_URL: 'http://admin:hunter2-shell@127.0.0.1:9200',
  OPENSEARCH_ENDPOINT: 'shell-endpoint.example',
  OPENSEARCH_AUTH: 'shell-auth-mode',
  ARCHIVE_BUCKET: 'shell-archive-bucket',
  INDEX_PREFIX: 'shellprefix',
  INDEX_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/1/shell-queue',
  SOURCE_MAPPINGS: '[{"pattern":"/shell*","source":"app"}]',
  SOURCE_OPTIONS: '{"vpcFormat":"shell"}',
  AGGREGATOR_ACCOUNTS: '333333333333',
};

// The YAML loader serverless itself uses (CloudFormation short tags included).
// (an untyped CommonJS helper of osls, hence require)
const parseYaml: (file: string, contents: string) => Json = require('osls/lib/utils/fs/parse.js');

/** The stages serverless.yml declares params for; `default` is what any other stage (e.g. dev) gets. */
const sls = parseYaml('serverless.yml', readFileSync(join(ROOT, 'serverless.yml'), 'utf8'));
const STAGES = Object.keys(sls.params).map((s) => (s === 'default' ? 'dev' : s));

const templates: Record<string, Template> = {};
let hostileDir = '';


beforeAll(async () => {
  const packed = await Promise.all([...STAGES.map((s) => packageStack(s)), packageStack('test', {}, HOSTILE_SHELL)]);
  STAGES.forEach((s, i) => (templates[s] = packed[i].template));
  hostileDir = packed[STAGES.length].dir;
}, 300_000);

afterAll(cleanPackages);


// ---------------------------------------------------------------------------------------------------
// IAM policy evaluation (the subset these policies use).

interface Request {
  /** An AWS service principal (`cloudtrail.amazonaws.com`) or an IAM principal ARN. */
  principal: string;
  action: string;
  resource: string;
  /** Request context keys (aws:SourceAccount, s3:x-amz-server-side-encryption, ...). */
  context?: Record<string, string>;
}
type Decision = 'allow' | 'deny' | 'implicit';

const glob = (pattern: string, value: string, caseInsensitive = false): boolean => {
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, caseInsensitive ? 'is' : 's');
  return re.test(value);
};
const list = (v: Json): Json[] => (Array.isArray(v) ? v : [v]);

function contextOf(req: Request): Record<string, string> {
  const ctx: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.context ?? {})) ctx[k.toLowerCase()] = v;
  if (req.principal.startsWith('arn:')) ctx['aws:principalarn'] = req.principal;
  return ctx;
}

/** Replaces ${key} policy variables; undefined when one is missing from the request (the statement then matches nothing). */
function substitute(text: string, ctx: Record<string, string>): string | undefined {
  let missing = false;
  const out = text.replace(/\$\{([^}]+)\}/g, (_m, key: string) => {
    const v = ctx[key.toLowerCase()];
    if (v === undefined) missing = true;
    return v ?? '';
  });
  return missing ? undefined : out;
}

function conditionHolds(cond: Json, ctx: Record<string, string>): boolean {
  for (const [op, pairs] of Object.entries(cond ?? {})) {
    for (const [key, want] of Object.entries(pairs as Record<string, Json>)) {
      const have = ctx[key.toLowerCase()];
      const values = list(want).map(String);
      const negated = /Not/.test(op);
      const base = op.replace('Not', '');
      const matches = (w: string) => {
        if (have === undefined) return false;
        if (base === 'StringEquals' || base === 'Bool') return have === w;
        if (base === 'StringLike' || base === 'ArnLike' || base === 'ArnEquals') return glob(w, have);
        throw new Error(`unsupported operator ${op}`);
      };
      let ok: boolean;
      if (op === 'Null') ok = values.every((w) => (w === 'true') === (have === undefined));
      else if (negated) ok = have === undefined || !values.some(matches);
      else ok = values.some(matches);
      if (!ok) return false;
    }
  }
  return true;
}

function statementApplies(s: Json, req: Request): boolean {
  const ctx = contextOf(req);
  const p = s.Principal;
  const principalOk =
    p === '*' ||
    (p?.Service !== undefined && list(p.Service).includes(req.principal)) ||
    (p?.AWS !== undefined && list(p.AWS).some((a: string) => a === '*' || a === req.principal));
  if (!principalOk) return false;
  if (!list(s.Action).some((a: string) => glob(a, req.action, true))) return false;
  const resourceOk = list(s.Resource).some((r: string) => {
    const concrete = substitute(r, ctx);
    return concrete !== undefined && glob(concrete, req.resource);
  });
  return resourceOk && conditionHolds(s.Condition, ctx);
}

function decide(policy: Json, req: Request): Decision {
  const applying = list(policy.Statement).filter((s: Json) => statementApplies(s, req));
  if (applying.some((s: Json) => s.Effect === 'Deny')) return 'deny';
  return applying.some((s: Json) => s.Effect === 'Allow') ? 'allow' : 'implicit';
}

// ---------------------------------------------------------------------------------------------------

const stacks = (overrides: Record<string, string> = {}) => STAGES.map((s) => new CfnStack(templates[s], `tributary-${s}`, overrides));
const bucketPolicyOf = (st: CfnStack, bucket: string) => {
  const [id] = Object.entries(st.t.Resources).find(([, r]) => r.Type === 'AWS::S3::BucketPolicy' && r.Properties.Bucket?.Ref === bucket)!;
  return { id, policy: st.props(id).PolicyDocument };
};
const BUCKETS = ['ArchiveBucket', 'IngestBucket', 'AccessLogsBucket'];

test('every declared stage packages (dev = the default params, plus each named stage)', () => {
  expect(STAGES).toEqual(expect.arrayContaining(['dev', 'test', 'prod']));
  for (const s of STAGES) expect(Object.keys(templates[s].Resources)).toContain('ArchiveBucket');
});

describe('retention', () => {
  /** Days after which a lifecycle rule set expires current versions of `key` (the soonest matching rule). */
  function expiry(rules: Json[], key: string): number {
    const days = rules.filter((r) => r.Status === 'Enabled' && r.ExpirationInDays !== undefined && key.startsWith(r.Prefix ?? '')).map((r) => Number(r.ExpirationInDays));
    return days.length ? Math.min(...days) : Infinity;
  }
  /** The shortest time any version of `key` is guaranteed to exist: Object Lock, else noncurrent-version expiry. */
  function versionFloor(props: Json, key: string): number {
    const noncurrent = props.LifecycleConfiguration.Rules.filter((r: Json) => r.Status === 'Enabled' && r.NoncurrentVersionExpiration && key.startsWith(r.Prefix ?? '')).map((r: Json) =>
      Number(r.NoncurrentVersionExpiration.NoncurrentDays),
    );
    const lockDays = props.ObjectLockConfiguration?.Rule?.DefaultRetention?.Days;
    return Math.max(lockDays ? Number(lockDays) : 0, noncurrent.length ? Math.min(...noncurrent) : Infinity);
  }
  const KEYS: Record<string, string[]> = {
    ArchiveBucket: ['normalized/source=cloudtrail/account=1/x.ndjson.gz', 'raw/firehose/year=2026/x', 'errors/firehose/processing-failed/x', 'errors/indexer/x'],
    IngestBucket: ['AWSLogs/222222222222/CloudTrail/us-east-1/2026/01/01/x.json.gz', 'AWSLogs/222222222222/CloudTrail-Digest/us-east-1/2026/01/01/x.json.gz'],
    AccessLogsBucket: ['archive/2026-01-01-00-00-00-X', 'ingest/2026-01-01-00-00-00-X'],
  };

  test.each([[{}], [{ ObjectLockMode: '' }], [{ ArchiveExpirationDays: '3650' }]])(
    'in every stage (overrides %j), raw/, errors/, ingest originals (digests included) and access logs live exactly as long as normalized/, every version at least that long',
    (overrides) => {
      for (const st of stacks(overrides)) {
        const retention = Number(st.param('ArchiveExpirationDays'));
        expect(retention).toBeGreaterThan(Number(st.param('ArchiveTransitionDays'))); // the tiering happens before expiry
        const normalized = expiry(st.props('ArchiveBucket').LifecycleConfiguration.Rules, KEYS.ArchiveBucket[0]);
        expect(`${st.stackName} ${normalized}`).toBe(`${st.stackName} ${retention}`);
        for (const bucket of BUCKETS.filter((b) => st.exists(b))) {
          const props = st.props(bucket);
          for (const key of KEYS[bucket]) {
            expect(`${st.stackName} ${bucket} ${key} ${expiry(props.LifecycleConfiguration.Rules, key)}`).toBe(`${st.stackName} ${bucket} ${key} ${normalized}`);
            expect(versionFloor(props, key)).toBeGreaterThanOrEqual(retention);
          }
        }
      }
    },
  );

  test('prod: Object Lock in COMPLIANCE mode at bucket creation, default retention = the archive retention', () => {
    const prod = new CfnStack(templates.prod, 'tributary-prod');
    const archive = prod.props('ArchiveBucket');
    expect(archive.ObjectLockEnabled).toBe(true);
    expect(archive.ObjectLockConfiguration).toEqual({ ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: prod.param('ArchiveExpirationDays') } } });
    expect(Number(prod.param('ArchiveExpirationDays'))).toBeGreaterThanOrEqual(365);
    // the lock is the archive's retention in the template itself, not a second number that could drift
    expect(templates.prod.Resources.ArchiveBucket.Properties.ObjectLockConfiguration['Fn::If'][1].Rule.DefaultRetention.Days).toEqual({ Ref: 'ArchiveExpirationDays' });
  });

  test('other stages lock too (GOVERNANCE: cheap, short, and still only bypassable by the break-glass role)', () => {
    for (const st of stacks().filter((s) => s.stackName !== 'tributary-prod')) {
      expect(st.props('ArchiveBucket').ObjectLockConfiguration.Rule.DefaultRetention.Mode).toBe('GOVERNANCE');
      expect(Number(st.param('ArchiveExpirationDays'))).toBeLessThan(Number(new CfnStack(templates.prod, 'tributary-prod').param('ArchiveExpirationDays')));
    }
  });
});

describe('bucket policies: denies with a break-glass exception', () => {
  const objectActions = ['s3:DeleteObject', 's3:DeleteObjectVersion', 's3:BypassGovernanceRetention'];
  const bucketActions = ['s3:PutBucketPolicy', 's3:DeleteBucketPolicy', 's3:PutLifecycleConfiguration', 's3:PutBucketVersioning', 's3:PutBucketObjectLockConfiguration', 's3:PutBucketLogging', 's3:DeleteBucket'];

  test('deletions and protection changes are denied to everyone - pipeline roles, deployer, account root, AWS services - except the break-glass role', () => {
    for (const st of stacks()) {
      const everyoneElse = [
        ...['FirehoseRole', 'S3IngestRole', 'IndexerRole', 'ReplayRole', 'SetupRole', 'TransformRole', 'DomainMasterRole'].filter((r) => st.exists(r)).map((r) => st.getAtt(r, 'Arn')),
        `arn:aws:iam::${ACCOUNT}:role/deployer`,
        `arn:aws:iam::${ACCOUNT}:root`,
        `arn:aws:iam::${MEMBER}:role/tributary-break-glass`, // same name, another account
        'cloudtrail.amazonaws.com',
        'logging.s3.amazonaws.com',
      ];
      for (const bucket of BUCKETS.filter((b) => st.exists(b))) {
        const { policy } = bucketPolicyOf(st, bucket);
        const arn = st.getAtt(bucket, 'Arn');
        const requests = [...objectActions.map((action) => ({ action, resource: `${arn}/AWSLogs/x` })), ...bucketActions.map((action) => ({ action, resource: arn }))];
        for (const r of requests) {
          for (const principal of everyoneElse) expect(`${st.stackName} ${bucket} ${principal} ${r.action}: ${decide(policy, { principal, ...r })}`).toBe(`${st.stackName} ${bucket} ${principal} ${r.action}: deny`);
          expect(`${st.stackName} ${bucket} break-glass ${r.action}: ${decide(policy, { principal: BREAK_GLASS, ...r })}`).not.toMatch(/deny$/);
        }
      }
    }
  });

  test('the break-glass role is a parameter and the policies outlive the stack', () => {
    const st = new CfnStack(templates.test, 'tributary-test', { BreakGlassRoleName: 'security/incident-response' });
    const { policy } = bucketPolicyOf(st, 'ArchiveBucket');
    const req = { action: 's3:PutBucketPolicy', resource: st.getAtt('ArchiveBucket', 'Arn') };
    expect(decide(policy, { principal: `arn:aws:iam::${ACCOUNT}:role/security/incident-response`, ...req })).toBe('implicit');
    expect(decide(policy, { principal: BREAK_GLASS, ...req })).toBe('deny');
    for (const bucket of BUCKETS) {
      const { id } = bucketPolicyOf(st, bucket);
      expect(templates.test.Resources[id].DeletionPolicy).toBe('Retain');
      expect(templates.test.Resources[id].UpdateReplacePolicy).toBe('Retain');
    }
  });

  test("the stack's own work is not denied: pipeline writes with the archive key, AWS log delivery, S3 access logging", () => {
    for (const st of stacks()) {
      const archive = bucketPolicyOf(st, 'ArchiveBucket').policy;
      const key = st.getAtt('ArchiveKey', 'Arn');
      const a = st.getAtt('ArchiveBucket', 'Arn');
      const sse = { 's3:x-amz-server-side-encryption': 'aws:kms', 's3:x-amz-server-side-encryption-aws-kms-key-id': key };
      expect(decide(archive, { principal: st.getAtt('FirehoseRole', 'Arn'), action: 's3:PutObject', resource: `${a}/normalized/x`, context: sse })).toBe('implicit');
      expect(decide(archive, { principal: st.getAtt('FirehoseRole', 'Arn'), action: 's3:PutObject', resource: `${a}/raw/firehose/x`, context: sse })).toBe('implicit');
      expect(decide(archive, { principal: st.getAtt('S3IngestRole', 'Arn'), action: 's3:PutObject', resource: `${a}/normalized/x` })).toBe('implicit'); // bucket default encryption
      expect(decide(archive, { principal: st.getAtt('IndexerRole', 'Arn'), action: 's3:PutObject', resource: `${a}/errors/indexer/x` })).toBe('implicit');
      expect(decide(archive, { principal: st.getAtt('IndexerRole', 'Arn'), action: 's3:GetObject', resource: `${a}/normalized/x` })).toBe('implicit');
      const logs = bucketPolicyOf(st, 'AccessLogsBucket').policy;
      expect(decide(logs, { principal: 'logging.s3.amazonaws.com', action: 's3:PutObject', resource: `${st.getAtt('AccessLogsBucket', 'Arn')}/archive/x`, context: { 'aws:SourceAccount': ACCOUNT } })).toBe('allow');
      // and the identity policies of the stack's roles never ask for what the buckets deny
      for (const [id, r] of Object.entries(st.t.Resources).filter(([, r]) => r.Type === 'AWS::IAM::Role')) {
        const actions = JSON.stringify(r.Properties.Policies ?? []);
        for (const denied of [...objectActions, ...bucketActions]) expect(`${id} ${actions.includes(`"${denied}"`)}`).toBe(`${id} false`);
      }
    }
  });

  test('archive objects: only the pipeline roles write, and only with the archive key (or the bucket default)', () => {
    for (const st of stacks()) {
      const { policy } = bucketPolicyOf(st, 'ArchiveBucket');
      const key = st.getAtt('ArchiveKey', 'Arn');
      const put = (context: Record<string, string>, principal = st.getAtt('S3IngestRole', 'Arn')) =>
        decide(policy, { principal, action: 's3:PutObject', resource: `${st.getAtt('ArchiveBucket', 'Arn')}/normalized/x`, context });
      expect(put({})).toBe('implicit');
      expect(put({ 's3:x-amz-server-side-encryption': 'aws:kms', 's3:x-amz-server-side-encryption-aws-kms-key-id': key })).toBe('implicit');
      expect(put({ 's3:x-amz-server-side-encryption': 'AES256' })).toBe('deny'); // SSE-S3
      expect(put({ 's3:x-amz-server-side-encryption': 'aws:kms' })).toBe('deny'); // aws/s3 managed key
      expect(put({ 's3:x-amz-server-side-encryption': 'aws:kms', 's3:x-amz-server-side-encryption-aws-kms-key-id': `arn:aws:kms:${REGION}:${OUTSIDER}:key/other` })).toBe('deny');
      expect(put({ 's3:x-amz-server-side-encryption': 'aws:kms:dsse', 's3:x-amz-server-side-encryption-aws-kms-key-id': key })).toBe('deny');
      expect(put({ 's3:x-amz-server-side-encryption-customer-algorithm': 'AES256' })).toBe('deny'); // SSE-C
      expect(put({}, `arn:aws:iam::${ACCOUNT}:role/admin`)).toBe('deny');
      expect(put({}, `arn:aws:iam::${ACCOUNT}:root`)).toBe('deny');
    }
  });

  test('the archive key: only the break-glass role may disable it or schedule its deletion', () => {
    for (const st of stacks()) {
      const policy = st.props('ArchiveKey').KeyPolicy;
      for (const action of ['kms:ScheduleKeyDeletion', 'kms:DisableKey']) {
        expect(decide(policy, { principal: `arn:aws:iam::${ACCOUNT}:role/admin`, action, resource: '*' })).toBe('deny');
        expect(decide(policy, { principal: BREAK_GLASS, action, resource: '*' })).not.toBe('deny');
      }
    }
  });
});

describe('ingest bucket: each account writes only under its own AWSLogs/<account>/ prefix', () => {
  const ORG = 'o-exampleorg1';
  const put = (st: CfnStack, principal: string, key: string, context: Record<string, string>) =>
    decide(bucketPolicyOf(st, 'IngestBucket').policy, { principal, action: 's3:PutObject', resource: `${st.getAtt('IngestBucket', 'Arn')}/${key}`, context });
  const member = (account: string, org = ORG) => ({ 'aws:SourceAccount': account, 'aws:SourceOrgID': org });

  test('organization deployment (test stage): own prefix only, organization trails only from the named trail', () => {
    const st = new CfnStack(templates.test, 'tributary-test');
    expect(st.param('OrganizationId')).toBe(ORG);
    for (const service of ['cloudtrail.amazonaws.com', 'delivery.logs.amazonaws.com', 'logdelivery.elasticloadbalancing.amazonaws.com']) {
      expect(put(st, service, `AWSLogs/${MEMBER}/CloudTrail/us-east-1/2026/01/01/f.json.gz`, member(MEMBER))).toBe('allow');
      expect(put(st, service, `AWSLogs/${OUTSIDER}/CloudTrail/us-east-1/2026/01/01/f.json.gz`, member(MEMBER))).toBe('implicit'); // another account's prefix
      expect(put(st, service, `AWSLogs/${OUTSIDER}/vpcflowlogs/us-east-1/x/AWSLogs/${MEMBER}/f.log.gz`, member(MEMBER))).toBe('implicit'); // the issue's spoof
      expect(put(st, service, `prefix/AWSLogs/${MEMBER}/elasticloadbalancing/us-east-1/f.log.gz`, member(MEMBER))).toBe('implicit'); // anything before AWSLogs/
      expect(put(st, service, `AWSLogs/${MEMBER}/CloudTrail/f`, member(MEMBER, 'o-otherorg99'))).toBe('implicit'); // not our organization
      expect(put(st, service, `AWSLogs/${MEMBER}/CloudTrail/f`, { 'aws:SourceOrgID': ORG })).toBe('deny'); // no source account: fails closed
    }
    const trail = String(st.param('OrganizationTrailArns'));
    const orgTrail = { ...member(ACCOUNT), 'aws:SourceArn': trail };
    expect(put(st, 'cloudtrail.amazonaws.com', `AWSLogs/${ORG}/${MEMBER}/CloudTrail/us-east-1/2026/01/01/f.json.gz`, orgTrail)).toBe('allow');
    expect(put(st, 'cloudtrail.amazonaws.com', `AWSLogs/${ORG}/${MEMBER}/CloudTrail-Digest/us-east-1/2026/01/01/d.json.gz`, orgTrail)).toBe('allow');
    expect(put(st, 'cloudtrail.amazonaws.com', `AWSLogs/${ORG}/${OUTSIDER}/CloudTrail/f`, { ...member(MEMBER), 'aws:SourceArn': `arn:aws:cloudtrail:${REGION}:${MEMBER}:trail/mine` })).toBe('implicit');
    expect(put(st, 'delivery.logs.amazonaws.com', `AWSLogs/${ORG}/${MEMBER}/vpcflowlogs/f`, { ...member(ACCOUNT), 'aws:SourceArn': trail })).toBe('implicit');
    // nobody in the log-archive account writes deliveries by hand
    expect(put(st, `arn:aws:iam::${ACCOUNT}:role/admin`, `AWSLogs/${MEMBER}/CloudTrail/f`, {})).toBe('deny');
  });

  test('account-list deployment: the listed accounts, each under its own prefix; no organization-trail prefix', () => {
    const st = new CfnStack(templates.test, 'tributary-test', { OrganizationId: '', SenderAccountIds: `${MEMBER},333333333333` });
    expect(put(st, 'delivery.logs.amazonaws.com', `AWSLogs/333333333333/vpcflowlogs/us-east-1/f.log.gz`, { 'aws:SourceAccount': '333333333333' })).toBe('allow');
    expect(put(st, 'delivery.logs.amazonaws.com', `AWSLogs/${MEMBER}/vpcflowlogs/us-east-1/f.log.gz`, { 'aws:SourceAccount': '333333333333' })).toBe('implicit');
    expect(put(st, 'delivery.logs.amazonaws.com', `AWSLogs/${OUTSIDER}/vpcflowlogs/us-east-1/f.log.gz`, { 'aws:SourceAccount': OUTSIDER })).toBe('implicit');
    expect(put(st, 'cloudtrail.amazonaws.com', `AWSLogs/o-exampleorg1/${MEMBER}/CloudTrail/f`, { 'aws:SourceAccount': MEMBER, 'aws:SourceArn': String(st.param('OrganizationTrailArns')) })).toBe('implicit');
  });

  test('every object created in the ingest bucket notifies s3ingest (CloudTrail-Digest/ files included)', () => {
    const withIngest = stacks().filter((st) => st.exists('IngestBucket'));
    expect(withIngest.length).toBeGreaterThan(0);
    for (const st of withIngest) {
      const q = st.props('IngestBucket').NotificationConfiguration.QueueConfigurations;
      expect(q).toEqual([{ Event: 's3:ObjectCreated:*', Queue: st.getAtt('IngestQueue', 'Arn') }]); // no Filter at all
    }
  });
});

describe('queues', () => {
  test('S3 notifications only from this account AND the buckets of this stack (aws:SourceArn), named as CloudFormation names them', () => {
    for (const st of stacks()) {
      const policy = (id: string) => st.props(`${id}Policy`).PolicyDocument;
      const send = (queue: string, bucketArn: string, account = ACCOUNT) =>
        decide(policy(queue), { principal: 's3.amazonaws.com', action: 'sqs:SendMessage', resource: st.getAtt(queue, 'Arn'), context: { 'aws:SourceAccount': account, 'aws:SourceArn': bucketArn } });
      const archive = st.getAtt('ArchiveBucket', 'Arn');
      // the policy names the stack's ingest bucket by pattern whether or not this stage creates it (same account only)
      const ingest = st.exists('IngestBucket') ? st.getAtt('IngestBucket', 'Arn') : `arn:aws:s3:::${st.stackName}-ingestbucket-x`;
      expect(send('IndexQueue', archive)).toBe('allow');
      expect(send('IndexQueue', ingest)).toBe('implicit');
      expect(send('IndexQueue', 'arn:aws:s3:::someone-elses-bucket')).toBe('implicit');
      expect(send('IndexQueue', archive, OUTSIDER)).toBe('implicit');
      expect(send('IngestQueue', archive)).toBe('allow');
      expect(send('IngestQueue', ingest)).toBe('allow');
      expect(send('IngestQueue', `arn:aws:s3:::tributary-other-archivebucket-${st.ref('ArchiveBucket').split('-').pop()}`)).toBe('implicit'); // another stage's bucket
      for (const b of st.param('IngestSourceBuckets') as string[]) if (b) expect(send('IngestQueue', `arn:aws:s3:::${b}`)).toBe('allow');
      expect(send('IngestQueue', 'arn:aws:s3:::unlisted-bucket')).toBe('implicit');
    }
  });

  test('the stage guard keeps that name pattern true: lowercase, short stage names only', () => {
    const p = templates.test.Parameters.StageName;
    expect(p.Default).toBe('test');
    const ok = (s: string) => new RegExp(p.AllowedPattern).test(s) && s.length <= p.MaxLength;
    expect(['prod', 'dev', 'eu-west-1', 'staging2'].every(ok)).toBe(true);
    expect(['Prod', 'my_stage', 'a-very-long-stage-name-x'].some(ok)).toBe(false);
  });

  test('dead-letter and failure queues: KMS-encrypted with the archive key and TLS-only', () => {
    for (const st of stacks()) {
      for (const q of ['IndexDLQ', 'IngestDLQ', 'ReplayFailureQueue']) {
        expect(st.props(q).KmsMasterKeyId).toBe(st.getAtt('ArchiveKey', 'Arn'));
        const policy = st.props(`${q}Policy`);
        expect(policy.Queues).toEqual([st.ref(q)]);
        const req = { principal: st.getAtt('IndexerRole', 'Arn'), action: 'sqs:ReceiveMessage', resource: st.getAtt(q, 'Arn') };
        expect(decide(policy.PolicyDocument, { ...req, context: { 'aws:SecureTransport': 'false' } })).toBe('deny');
        expect(decide(policy.PolicyDocument, { ...req, context: { 'aws:SecureTransport': 'true' } })).toBe('implicit');
      }
    }
  });
});

describe('roles', () => {
  const roleStatements = (st: CfnStack, role: string): Json[] => (st.props(role).Policies ?? []).flatMap((p: Json) => list(p.PolicyDocument.Statement));

  test('every grant of the archive key is limited to the services it is used through (kms:ViaService)', () => {
    for (const st of stacks()) {
      const key = st.getAtt('ArchiveKey', 'Arn');
      let grants = 0;
      for (const [id, r] of Object.entries(st.t.Resources)) {
        if (r.Type !== 'AWS::IAM::Role' || !st.exists(id)) continue;
        const kmsStatements = roleStatements(st, id).filter((x) => list(x.Action).some((a: string) => a.startsWith('kms:')));
        // The detection alerts' publisher uses its topic's own key through SNS (deploy-alerting.test.ts), never the archive key.
        if (id === 'DetectionPublishRole') {
          for (const s of kmsStatements) expect(list(s.Resource)).not.toContain(key);
          continue;
        }
        for (const s of kmsStatements) {
          grants++;
          expect(list(s.Resource)).toEqual([key]);
          const via = list(s.Condition?.StringEquals?.['kms:ViaService']);
          expect(`${id} ${via.length}`).not.toBe(`${id} 0`);
          for (const v of via) expect(v).toMatch(new RegExp(`^(s3|sqs)\\.${REGION}\\.amazonaws\\.com$`));
        }
      }
      expect(grants).toBeGreaterThanOrEqual(4); // Firehose, s3ingest, indexer, replay
    }
  });

  test('s3ingest may list CloudTrail public keys (digest validation; the action has no resource-level permissions) and nothing else gets it', () => {
    const st = new CfnStack(templates.test, 'tributary-test');
    for (const [id, r] of Object.entries(st.t.Resources)) {
      if (r.Type !== 'AWS::IAM::Role') continue;
      const grants = roleStatements(st, id).filter((s) => list(s.Action).includes('cloudtrail:ListPublicKeys'));
      if (id === 'S3IngestRole') expect(grants).toEqual([{ Effect: 'Allow', Action: 'cloudtrail:ListPublicKeys', Resource: '*' }]);
      else expect(grants).toEqual([]);
    }
  });

  test('replay: asynchronous self-invocations that fail end in an encrypted, alarmed queue it may write to', () => {
    const withReplay = stacks().filter((st) => st.exists('ReplayLambdaFunction'));
    expect(withReplay.length).toBeGreaterThan(0);
    for (const st of withReplay) {
      const [id, conf] = Object.entries(st.t.Resources).find(([, r]) => r.Type === 'AWS::Lambda::EventInvokeConfig')!;
      expect(id).toMatch(/^Replay/);
      const c = st.resolve(conf.Properties);
      expect(c.FunctionName).toBe(st.ref('ReplayLambdaFunction'));
      expect(c.DestinationConfig.OnFailure.Destination).toBe(st.getAtt('ReplayFailureQueue', 'Arn'));
      expect(c.MaximumRetryAttempts).toBeGreaterThanOrEqual(1);
      const send = roleStatements(st, 'ReplayRole').filter((s) => list(s.Action).includes('sqs:SendMessage'));
      expect(send.flatMap((s) => list(s.Resource))).toContain(st.getAtt('ReplayFailureQueue', 'Arn'));
      const alarm = Object.values(st.t.Resources).find((r) => r.Type === 'AWS::CloudWatch::Alarm' && JSON.stringify(r.Properties.Dimensions ?? []).includes('ReplayFailureQueue'));
      expect(alarm.Properties).toMatchObject({ MetricName: 'ApproximateNumberOfMessagesVisible', Threshold: 0, ComparisonOperator: 'GreaterThanThreshold' });
      expect(alarm.Properties.AlarmActions['Fn::If'][0]).toBe('HasAlarmTopic');
    }
  });
});

describe('function environment', () => {
  test('AGGREGATOR_ACCOUNTS reaches the transform, s3ingest and replay functions, validated as 12-digit ids', () => {
    const st = new CfnStack(templates.test, 'tributary-test');
    for (const fn of ['TransformLambdaFunction', 'S3ingestLambdaFunction', 'ReplayLambdaFunction']) {
      expect(st.props(fn).Environment.Variables.AGGREGATOR_ACCOUNTS).toBe('111111111111,222222222222');
    }
    const pattern = new RegExp(templates.test.Parameters.AggregatorAccounts.AllowedPattern);
    expect(['', '111111111111', '111111111111,222222222222'].every((v) => pattern.test(v))).toBe(true);
    expect(['1234', '111111111111, 222222222222', '111111111111,'].some((v) => pattern.test(v))).toBe(false);
    for (const s of stacks()) expect(s.param('AggregatorAccounts')).toMatch(pattern);
  });

  test('serverless.yml reads no environment variable: nothing from the deployer\'s shell reaches a template', () => {
    const yml = readFileSync(join(ROOT, 'serverless.yml'), 'utf8');
    expect(yml).not.toMatch(/\$\{env:/);
    expect(yml).not.toMatch(/\$\{env:(OPENSEARCH_URL|ARCHIVE_BUCKET)/);
    // packaged with a shell full of local values: none of them in the template or the uploaded state file
    for (const file of readdirSync(hostileDir).filter((f) => f.endsWith('.json'))) {
      const text = readFileSync(join(hostileDir, file), 'utf8');
      for (const value of Object.values(HOSTILE_SHELL)) expect(`${file}: ${text.includes(value) ? value : 'clean'}`).toBe(`${file}: clean`);
    }
    const env = JSON.parse(readFileSync(join(hostileDir, 'cloudformation-template-update-stack.json'), 'utf8')).Resources.IndexerLambdaFunction.Properties.Environment.Variables;
    expect(env.ARCHIVE_BUCKET).toEqual({ Ref: 'ArchiveBucket' });
    expect(env.OPENSEARCH_AUTH).toBe('sigv4-es');
  });
});

test('member template: the subscription policy document is built as JSON, so a filter pattern with quotes stays valid', () => {
  const member = parseYaml('member-account.yml', readFileSync(join(ROOT, 'deploy', 'member-account.yml'), 'utf8'));
  expect(list(member.Transform)).toContain('AWS::LanguageExtensions'); // Fn::ToJsonString needs it
  const pattern = '{ ($.level = "ERROR") && ($.msg != "say \\"hi\\"") }';
  const values: Record<string, string> = {
    DestinationArn: 'arn:aws:logs:eu-west-1:111111111111:destination:tributary-prod',
    FilterPattern: pattern,
    'SubscriptionRole.Arn': 'arn:aws:iam::222222222222:role/sub',
  };
  const evaluate = (v: Json): Json => {
    if (v?.Ref) return values[v.Ref];
    if (v?.['Fn::GetAtt']) return values[v['Fn::GetAtt'].join('.')];
    if (v?.['Fn::ToJsonString']) return JSON.stringify(evaluate(v['Fn::ToJsonString']));
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, evaluate(x)]));
    if (typeof v === 'string' || v === undefined) return v;
    throw new Error(`unexpected ${JSON.stringify(v)}`);
  };
  const policies = Object.values(member.Resources as Record<string, Json>).filter((r) => r.Type === 'AWS::Logs::AccountPolicy');
  expect(policies).toHaveLength(2);
  for (const p of policies) {
    const doc = p.Properties.PolicyDocument;
    expect(Object.keys(doc)).toEqual(['Fn::ToJsonString']);
    const parsed = JSON.parse(evaluate(doc));
    expect(parsed.FilterPattern).toBe(pattern);
    expect(parsed.DestinationArn).toBe(values.DestinationArn);
  }
});

test('example SCPs: valid, under the SCP size limit, and each deny exempts the break-glass (or StackSets) roles', () => {
  const dir = join(ROOT, 'deploy', 'scp');
  const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
  expect(files.sort()).toEqual(['archive-account.json', 'member-accounts.json', 'member-subscription-filters.json']);
  const all: Json[] = [];
  for (const f of files) {
    const text = readFileSync(join(dir, f), 'utf8');
    const scp = JSON.parse(text);
    expect(text.length).toBeLessThanOrEqual(5120);
    expect(scp.Version).toBe('2012-10-17');
    for (const s of scp.Statement) {
      expect(s.Effect).toBe('Deny');
      expect(s.Principal).toBeUndefined(); // SCPs have none
      expect(JSON.stringify(s.Condition?.ArnNotLike?.['aws:PrincipalArn'] ?? null)).toMatch(/role\/(tributary-break-glass|OrganizationAccountAccessRole)/);
      all.push({ file: f, ...s });
    }
  }
  const scp = JSON.parse(readFileSync(join(dir, 'archive-account.json'), 'utf8'));
  const st = new CfnStack(templates.prod, 'tributary-prod', { CreateIngestBucket: 'true' });
  // the patterns match the buckets CloudFormation creates, the destination and the delivery stream
  const deny = (principal: string, action: string, resource: string) => decide({ Statement: scp.Statement.map((s: Json) => ({ ...s, Principal: '*' })) }, { principal, action, resource });
  for (const bucket of BUCKETS) {
    expect(deny(`arn:aws:iam::${ACCOUNT}:root`, 's3:PutBucketPolicy', st.getAtt(bucket, 'Arn'))).toBe('deny');
    expect(deny(BREAK_GLASS, 's3:PutBucketPolicy', st.getAtt(bucket, 'Arn'))).toBe('implicit');
  }
  expect(deny(`arn:aws:iam::${ACCOUNT}:root`, 's3:PutBucketPolicy', st.getAtt('ServerlessDeploymentBucket', 'Arn'))).toBe('implicit'); // deploys keep working
  expect(deny(`arn:aws:iam::${ACCOUNT}:role/admin`, 'logs:DeleteDestination', `arn:aws:logs:${REGION}:${ACCOUNT}:destination:tributary-prod`)).toBe('deny');
  expect(deny(`arn:aws:iam::${ACCOUNT}:role/admin`, 'firehose:DeleteDeliveryStream', `arn:aws:firehose:${REGION}:${ACCOUNT}:deliverystream/tributary-prod`)).toBe('deny');
  expect(deny(`arn:aws:iam::${ACCOUNT}:role/admin`, 'iam:UpdateAssumeRolePolicy', BREAK_GLASS)).toBe('deny');
  expect(deny(`arn:aws:iam::${ACCOUNT}:role/OrganizationAccountAccessRole`, 'iam:UpdateAssumeRolePolicy', BREAK_GLASS)).toBe('implicit');
  expect(all.some((s) => s.file === 'member-accounts.json' && list(s.Action).includes('logs:DeleteAccountPolicy'))).toBe(true);
  expect(all.some((s) => s.file === 'member-subscription-filters.json' && list(s.Action).includes('logs:DeleteSubscriptionFilter'))).toBe(true);
});
