/**
 * `tributary onboard` against moto (AWS_ENDPOINT_URL from the integration global setup): the real
 * CLI and the real SDK, no test-only code path.
 *
 * What moto (5.2.x) emulates, and so what this proves:
 * - DescribeLogGroups / DescribeSubscriptionFilters / PutSubscriptionFilter, including the limit of
 *   2 filters per group: the log-groups mode end to end, and that a re-run changes nothing.
 * - Delivery: moto forwards PutLogEvents of a subscribed group to the target. For a
 *   `...:destination:NAME` ARN it writes into the log group NAME (it does not follow a Logs
 *   destination to its Firehose), so a sink group named like the destination stands in for it and
 *   shows the subscription is live.
 * - NOT emulated: PutAccountPolicy / DescribeAccountPolicies (HTTP 500 "not implemented"). The account
 *   mode test runs only when the endpoint implements them; its planning is unit-tested
 *   (test/unit/deploy-onboard.test.ts).
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DeleteLogGroupCommand,
  DescribeAccountPoliciesCommand,
  DescribeSubscriptionFiltersCommand,
  GetLogEventsCommand,
  PutDestinationCommand,
  PutLogEventsCommand,
  PutSubscriptionFilterCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { onboard } from '../../lib/onboard';

const ROOT = join(__dirname, '..', '..');
// Each CLI run starts Node + tsx (a few seconds); Jest's project-level testTimeout is not applied per file.
jest.setTimeout(120_000);
const run = promisify(execFile);
const suffix = randomBytes(4).toString('hex');
const logs = new CloudWatchLogsClient({});
const region = process.env.AWS_REGION ?? 'us-east-1';

const prefix = `/it-onboard-${suffix}/`;
const groups = [`${prefix}orders`, `${prefix}payments`, `${prefix}full`, `${prefix}moved`];
const pipelineGroup = `/aws/lambda/tributary-it${suffix}-indexer`;
const sink = `tributary-sink-${suffix}`; // moto delivers ...:destination:<sink> into this group
const otherSink = `other-sink-${suffix}`;
let destinationArn: string;
let otherArn: string;
let accountPoliciesSupported = false;

async function cli(...args: string[]): Promise<{ stdout: string; stderr: string }> {
  return run(process.execPath, [join(ROOT, 'bin', 'tributary.js'), 'onboard', ...args], { cwd: ROOT, env: process.env, timeout: 60_000 });
}

async function filtersOf(logGroupName: string) {
  return (await logs.send(new DescribeSubscriptionFiltersCommand({ logGroupName }))).subscriptionFilters ?? [];
}

beforeAll(async () => {
  const account = (await new STSClient({}).send(new GetCallerIdentityCommand({}))).Account!;
  destinationArn = `arn:aws:logs:${region}:${account}:destination:${sink}`;
  otherArn = `arn:aws:logs:${region}:${account}:destination:${otherSink}`;
  for (const g of [...groups, pipelineGroup, sink, otherSink]) await logs.send(new CreateLogGroupCommand({ logGroupName: g }));
  // A destination as the archive stack creates it (moto records it; delivery goes to the sink group).
  await logs.send(new PutDestinationCommand({ destinationName: sink, targetArn: `arn:aws:firehose:${region}:${account}:deliverystream/tributary-it`, roleArn: `arn:aws:iam::${account}:role/cwl-to-firehose` }));
  // `full` already has the maximum of two filters (neither ours); `moved` has ours, pointing elsewhere.
  await logs.send(new PutSubscriptionFilterCommand({ logGroupName: `${prefix}full`, filterName: 'a', filterPattern: '', destinationArn: otherArn }));
  await logs.send(new PutSubscriptionFilterCommand({ logGroupName: `${prefix}full`, filterName: 'b', filterPattern: 'ERROR', destinationArn: otherArn }));
  await logs.send(new PutSubscriptionFilterCommand({ logGroupName: `${prefix}moved`, filterName: 'tributary', filterPattern: '', destinationArn: otherArn }));
  try {
    await logs.send(new DescribeAccountPoliciesCommand({ policyType: 'SUBSCRIPTION_FILTER_POLICY' }));
    accountPoliciesSupported = true;
  } catch {
    accountPoliciesSupported = false;
  }
});

afterAll(async () => {
  for (const g of [...groups, pipelineGroup, sink, otherSink]) await logs.send(new DeleteLogGroupCommand({ logGroupName: g })).catch(() => undefined);
  logs.destroy();
});

test('dry run prints the plan and changes nothing', async () => {
  const { stdout } = await cli('--destination-arn', destinationArn, '--mode', 'log-groups', '--log-group-prefix', prefix, '--dry-run');
  expect(stdout).toMatch(new RegExp(`would create +${prefix}orders`));
  expect(stdout).toMatch(/dry run: would create 2, would update 1, unchanged 0, skipped 1/);
  expect(await filtersOf(`${prefix}orders`)).toEqual([]);
});

test('log-groups mode subscribes, updates ours, respects the 2-filter limit and the pipeline exclusion; a re-run changes nothing', async () => {
  const first = await cli('--destination-arn', destinationArn, '--mode', 'log-groups', '--log-group-prefix', prefix, '--log-group-prefix', pipelineGroup);
  expect(first.stdout).toMatch(new RegExp(`^create +${prefix}orders`, 'm'));
  expect(first.stdout).toMatch(new RegExp(`^update +${prefix}moved`, 'm'));
  expect(first.stdout).toMatch(new RegExp(`^skip +${prefix}full .*limit is 2`, 'm'));
  expect(first.stdout).toMatch(new RegExp(`^skip +${pipelineGroup.replace(/[/.]/g, '\\$&')} +excluded: pipeline log group`, 'm'));
  expect(first.stdout).toMatch(/created 2, updated 1, unchanged 0, skipped 2/);

  for (const g of [`${prefix}orders`, `${prefix}payments`, `${prefix}moved`]) {
    const f = await filtersOf(g);
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ filterName: 'tributary', destinationArn, filterPattern: '' });
  }
  expect((await filtersOf(`${prefix}full`)).map((f) => f.filterName).sort()).toEqual(['a', 'b']);
  expect(await filtersOf(pipelineGroup)).toEqual([]);

  const second = await cli('--destination-arn', destinationArn, '--mode', 'log-groups', '--log-group-prefix', prefix, '--log-group-prefix', pipelineGroup);
  expect(second.stdout).toMatch(/created 0, updated 0, unchanged 3, skipped 2/);
  expect(second.stdout).not.toMatch(/^(create|update) /m);
});

test('--exclude leaves a group out (the library API reports the same plan)', async () => {
  const changes: string[] = [];
  const r = await onboard(logs, { destinationArn, mode: 'log-groups', logGroupPrefixes: [prefix], exclude: [`${prefix}pay*`], dryRun: true }, (c) =>
    changes.push(`${c.action} ${c.target}`),
  );
  expect(r.applied).toBe(false);
  expect(changes).toContain(`skip ${prefix}payments`);
  expect(changes).toContain(`unchanged ${prefix}orders`);
});

test('log events of a subscribed group reach the destination (as far as moto delivers)', async () => {
  const stream = `it-${suffix}`;
  await logs.send(new CreateLogStreamCommand({ logGroupName: `${prefix}orders`, logStreamName: stream }));
  await logs.send(new CreateLogStreamCommand({ logGroupName: sink, logStreamName: stream })); // moto writes into the same stream name
  const now = Date.now();
  await logs.send(
    new PutLogEventsCommand({
      logGroupName: `${prefix}orders`,
      logStreamName: stream,
      logEvents: [
        { timestamp: now, message: '{"level":"info","msg":"order placed","orderId":"o-1"}' },
        { timestamp: now + 1, message: 'plain text line' },
      ],
    }),
  );
  const got = await logs.send(new GetLogEventsCommand({ logGroupName: sink, logStreamName: stream, startFromHead: true }));
  expect((got.events ?? []).map((e) => e.message)).toEqual(['{"level":"info","msg":"order placed","orderId":"o-1"}', 'plain text line']);
});

test('account mode: policy created once and unchanged on re-run; a clear exit 1 where the endpoint lacks account policies', async () => {
  if (!accountPoliciesSupported) {
    // moto 5.2.x answers HTTP 500 "put_account_policy action has not been implemented"; the CLI
    // must fail with exit status 1 and say so, not crash or report success.
    const err = await cli('--destination-arn', destinationArn, '--mode', 'account').then(
      () => undefined,
      (e: { code?: number; stderr?: string }) => e,
    );
    expect(err?.code).toBe(1);
    expect(err?.stderr).toMatch(/^tributary onboard: .*\(HTTP 5\d\d\)/m);
    return;
  }
  const first = await cli('--destination-arn', destinationArn, '--mode', 'account', '--name', `tributary-${suffix}`);
  expect(first.stdout).toMatch(/created 1/);
  const second = await cli('--destination-arn', destinationArn, '--mode', 'account', '--name', `tributary-${suffix}`);
  expect(second.stdout).toMatch(/created 0, updated 0, unchanged 1/);
});
