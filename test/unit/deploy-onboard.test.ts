/**
 * Onboarding plans (pure) and their agreement with deploy/member-account.yml. The SDK side runs
 * against moto in test/integration/onboard.test.ts; the account-policy calls cannot (moto does not
 * implement PutAccountPolicy / DescribeAccountPolicies), so their planning is covered here.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  accountPolicyDocument,
  isExcluded,
  parseSelectionCriteria,
  pipelineLogGroups,
  planAccountPolicy,
  planLogGroupFilter,
  selectionCriteria,
  validateOptions,
} from '../../lib/onboard';
import { formatChange } from '../../bin/commands/onboard';

const DEST = 'arn:aws:logs:eu-west-1:111111111111:destination:tributary-prod';
const ROLE = 'arn:aws:iam::222222222222:role/tributary-subscription';

describe('selection criteria', () => {
  test('renders sorted, de-duplicated JSON strings and parses back', () => {
    const s = selectionCriteria(['/b', '/a', '/b']);
    expect(s).toBe('LogGroupName NOT IN ["/a","/b"]');
    expect(parseSelectionCriteria(s)).toEqual(['/a', '/b']);
    expect(parseSelectionCriteria('LogGroupName NOT IN ["x", "y"]')).toEqual(['x', 'y']);
    expect(parseSelectionCriteria('LogGroupName IN ["x"]')).toBeUndefined();
    expect(parseSelectionCriteria(undefined)).toBeUndefined();
  });
  test('exclusions: exact names and prefix*', () => {
    expect(isExcluded('/aws/lambda/tributary-dev-indexer', ['/aws/lambda/tributary-*'])).toBe(true);
    expect(isExcluded('/aws/lambda/orders', ['/aws/lambda/tributary-*', '/aws/lambda/order'])).toBe(false);
    expect(isExcluded('/aws/lambda/order', ['/aws/lambda/order'])).toBe(true);
  });
});

describe('account policy plan', () => {
  const doc = accountPolicyDocument({ destinationArn: DEST, roleArn: ROLE });
  const excluded = pipelineLogGroups('prod');
  test('create when absent', () => {
    expect(planAccountPolicy(undefined, 'tributary', doc, excluded).action).toBe('create');
  });
  test('unchanged when document and exclusions match (key order and list order do not matter)', () => {
    const existing = {
      policyName: 'tributary',
      policyDocument: JSON.stringify({ FilterPattern: '', RoleArn: ROLE, DestinationArn: DEST }),
      selectionCriteria: `LogGroupName NOT IN ${JSON.stringify([...excluded].reverse())}`,
    };
    expect(planAccountPolicy(existing, 'tributary', doc, excluded)).toMatchObject({ action: 'unchanged' });
  });
  test('update when the destination, role or exclusions differ', () => {
    const base = { policyName: 'tributary', policyDocument: JSON.stringify(doc), selectionCriteria: selectionCriteria(excluded) };
    expect(planAccountPolicy({ ...base, policyDocument: JSON.stringify({ ...doc, DestinationArn: DEST + 'x' }) }, 'tributary', doc, excluded).action).toBe('update');
    expect(planAccountPolicy({ ...base, policyDocument: JSON.stringify({ DestinationArn: DEST, FilterPattern: '' }) }, 'tributary', doc, excluded).action).toBe('update');
    const c = planAccountPolicy(base, 'tributary', doc, [...excluded, '/noisy']);
    expect(c.action).toBe('update');
    expect(c.detail).toContain('/noisy');
    expect(planAccountPolicy({ ...base, policyDocument: 'not json' }, 'tributary', doc, excluded).action).toBe('update');
  });
  test('document omits RoleArn without a role (an empty RoleArn is invalid)', () => {
    expect(accountPolicyDocument({ destinationArn: DEST })).toEqual({ DestinationArn: DEST, FilterPattern: '' });
  });
});

describe('log group filter plan', () => {
  const wanted = { name: 'tributary', destinationArn: DEST, filterPattern: '' };
  test('create on a group without filters', () => {
    expect(planLogGroupFilter('/app/a', [], wanted).action).toBe('create');
  });
  test('unchanged when any filter already delivers there (no duplicate filter under another name)', () => {
    expect(planLogGroupFilter('/app/a', [{ filterName: 'legacy', destinationArn: DEST, filterPattern: '' }], wanted).action).toBe('unchanged');
  });
  test('update our filter when it points elsewhere or uses another pattern', () => {
    expect(planLogGroupFilter('/app/a', [{ filterName: 'tributary', destinationArn: DEST + 'old', filterPattern: '' }], wanted).action).toBe('update');
    expect(planLogGroupFilter('/app/a', [{ filterName: 'tributary', destinationArn: DEST, filterPattern: 'ERROR' }], wanted).action).toBe('update');
    expect(planLogGroupFilter('/app/a', [{ filterName: 'tributary', destinationArn: DEST, filterPattern: '' }], { ...wanted, roleArn: ROLE }).action).toBe('update');
  });
  test('skip (with the reason) when the group already has 2 other filters', () => {
    const c = planLogGroupFilter(
      '/app/a',
      [
        { filterName: 'x', destinationArn: 'arn:aws:lambda:eu-west-1:1:function:x' },
        { filterName: 'y', destinationArn: 'arn:aws:lambda:eu-west-1:1:function:y' },
      ],
      wanted,
    );
    expect(c.action).toBe('skip');
    expect(c.detail).toMatch(/limit is 2/);
  });
});

test('options are validated with readable messages', () => {
  expect(validateOptions({ destinationArn: DEST, mode: 'account' })).toEqual([]);
  expect(validateOptions({ destinationArn: 'nope', mode: 'account' })[0]).toMatch(/--destination-arn/);
  expect(validateOptions({ destinationArn: DEST, mode: 'account', logGroupPrefixes: ['/a'] })[0]).toMatch(/--log-group-prefix/);
  expect(validateOptions({ destinationArn: DEST, mode: 'log-groups', exclude: ['bad name!'] })[0]).toMatch(/--exclude/);
  expect(validateOptions({ destinationArn: DEST, mode: 'log-groups', roleArn: 'role' })[0]).toMatch(/--role-arn/);
  expect(validateOptions({ destinationArn: DEST, mode: 'log-groups', name: 'a:b' })[0]).toMatch(/--name/);
});

test('dry-run output says "would"', () => {
  expect(formatChange({ action: 'create', target: '/app/a', detail: 'x' }, true)).toMatch(/^would create +\/app\/a {2}x$/);
  expect(formatChange({ action: 'unchanged', target: '/app/a', detail: 'x' }, true)).toMatch(/^unchanged/);
});

test('deploy/member-account.yml excludes exactly the pipeline log groups the CLI excludes', () => {
  const yml = readFileSync(join(__dirname, '..', '..', 'deploy', 'member-account.yml'), 'utf8');
  for (const policy of ['AccountSubscriptionPolicyWithRole:', 'AccountSubscriptionPolicy:']) {
    const block = yml.slice(yml.indexOf(`  ${policy}`));
    const criteria = block.slice(block.indexOf('SelectionCriteria'), block.indexOf("'\"]'"));
    const names = [...criteria.matchAll(/!Sub '([^']+)'/g)].map((m) => m[1].replace('${PipelineStage}', 'prod'));
    expect(names.sort()).toEqual(pipelineLogGroups('prod').sort());
    expect(criteria).toContain('!Ref ExcludedLogGroups');
  }
  expect(yml).toMatch(/PolicyType: SUBSCRIPTION_FILTER_POLICY/);
  expect(yml).toMatch(/Type: AWS::Logs::SubscriptionFilter/);
});
