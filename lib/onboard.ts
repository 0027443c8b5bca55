/**
 * Onboarding a member account: subscribe its CloudWatch Logs to the Tributary destination, the same
 * way `deploy/member-account.yml` does, but from the command line and idempotently (a re-run
 * changes nothing). Two modes:
 *
 * - `account`: one account-level subscription filter policy (`PutAccountPolicy`,
 *   `SUBSCRIPTION_FILTER_POLICY`) for every existing and future log group, minus exclusions.
 * - `log-groups`: one `PutSubscriptionFilter` per selected log group.
 *
 * The pipeline's own log groups are ALWAYS excluded: subscribing them would feed every delivery's
 * logs back into the pipeline (AWS warns about this recursion for account policies).
 *
 * Planning is pure (`planAccountPolicy`, `planLogGroupFilter`); `onboard` reads the current state
 * with the SDK, plans, and applies unless `dryRun`. The SDK client is built by the caller from the
 * standard environment (AWS_REGION, AWS_ENDPOINT_URL, credentials chain): no test-only path.
 */
import type { CloudWatchLogsClient, SubscriptionFilter } from '@aws-sdk/client-cloudwatch-logs';
import { lazyObject } from './io/lazy';

// Loaded when onboarding runs, not when the CLI starts (`tributary --help` loads no SDK).
const logsSdk = (): typeof import('@aws-sdk/client-cloudwatch-logs') => require('@aws-sdk/client-cloudwatch-logs');

/**
 * A CloudWatch Logs client from the standard environment (`region` when given), built on first use.
 * @example await onboard(createLogsClient('eu-west-1'), options)
 */
export const createLogsClient = (region?: string): CloudWatchLogsClient => lazyObject(() => new (logsSdk().CloudWatchLogsClient)(region ? { region } : {}));

export type OnboardMode = 'account' | 'log-groups';

export interface OnboardOptions {
  /** The archive stack's `DestinationArn` output (or a same-account Firehose/Kinesis/Lambda ARN). */
  destinationArn: string;
  mode: OnboardMode;
  /** log-groups mode: subscribe groups whose name starts with one of these (none = every group). */
  logGroupPrefixes?: string[];
  /** Log groups to leave out: exact names, or prefixes written `name*`. */
  exclude?: string[];
  /** Role CloudWatch Logs assumes (required when the destination policy grants by organization ID). */
  roleArn?: string;
  /** Name of the account policy and of each subscription filter. */
  name?: string;
  filterPattern?: string;
  /** Stage of the archive stack whose log groups are excluded by exact name. */
  pipelineStage?: string;
  dryRun?: boolean;
}

export type ChangeAction = 'create' | 'update' | 'unchanged' | 'skip';

export interface Change {
  action: ChangeAction;
  /** `account policy <name>` or the log group name. */
  target: string;
  detail: string;
}

export interface OnboardResult {
  changes: Change[];
  warnings: string[];
  applied: boolean;
}

export const DEFAULT_NAME = 'tributary';
export const DEFAULT_PIPELINE_STAGE = 'prod';

/**
 * Log groups of the pipeline itself (archive stack of `stage`), by exact name: the functions, the
 * Firehose error log group, the OpenSearch domain log group. Must match deploy/member-account.yml.
 * @example pipelineLogGroups('prod')[0] // '/aws/lambda/tributary-prod-transform'
 */
export function pipelineLogGroups(stage = DEFAULT_PIPELINE_STAGE): string[] {
  return [
    ...['transform', 's3ingest', 'indexer', 'setup', 'replay'].map((f) => `/aws/lambda/tributary-${stage}-${f}`),
    `/aws/kinesisfirehose/tributary-${stage}`,
    `/aws/opensearch/tributary-${stage}`,
  ];
}

/** Prefixes of pipeline log groups of ANY stage, excluded wherever a prefix can be applied. */
export const PIPELINE_PREFIXES = ['/aws/lambda/tributary-', '/aws/kinesisfirehose/tributary-', '/aws/opensearch/tributary-'];

/**
 * The largest `NOT IN` list AWS documents for account policies is 50 values (for metric
 * extraction policies; the subscription-filter limit is not documented, see the formats doc §1.5).
 */
export const MAX_SELECTION_NAMES = 50;

const LOG_GROUP_NAME = /^[.\-_/#A-Za-z0-9]{1,512}$/;

/** True when `name` matches an exclusion (`exact` or `prefix*`). */
export function isExcluded(name: string, exclusions: string[]): boolean {
  return exclusions.some((e) => (e.endsWith('*') ? name.startsWith(e.slice(0, -1)) : name === e));
}

/**
 * The account policy's selection criteria. Names are sorted and de-duplicated so the same set
 * always renders the same string (a re-run compares equal).
 * @example selectionCriteria(['/b', '/a']) // 'LogGroupName NOT IN ["/a","/b"]'
 */
export function selectionCriteria(names: string[]): string {
  const unique = [...new Set(names)].sort();
  return `LogGroupName NOT IN [${unique.map((n) => JSON.stringify(n)).join(',')}]`;
}

/** Parses `LogGroupName NOT IN [...]` back into names; undefined when it has another shape. */
export function parseSelectionCriteria(s: string | undefined): string[] | undefined {
  const m = /^\s*LogGroupName\s+NOT\s+IN\s+(\[.*\])\s*$/is.exec(s ?? '');
  if (!m) return undefined;
  try {
    const v = JSON.parse(m[1]) as unknown;
    return Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined;
  } catch {
    return undefined;
  }
}

export interface PolicyDocument {
  DestinationArn: string;
  RoleArn?: string;
  FilterPattern: string;
}

/** The policy document of an account-level subscription filter policy (RoleArn absent, not empty, without a role). */
export function accountPolicyDocument(o: { destinationArn: string; roleArn?: string; filterPattern?: string }): PolicyDocument {
  return { DestinationArn: o.destinationArn, ...(o.roleArn ? { RoleArn: o.roleArn } : {}), FilterPattern: o.filterPattern ?? '' };
}

export interface ExistingAccountPolicy {
  policyName?: string;
  policyDocument?: string;
  selectionCriteria?: string;
}

function sameDocument(existing: string | undefined, wanted: PolicyDocument): boolean {
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(existing ?? '') as Record<string, unknown>;
  } catch {
    return false;
  }
  return (
    doc.DestinationArn === wanted.DestinationArn &&
    (doc.RoleArn ?? undefined) === wanted.RoleArn &&
    ((doc.FilterPattern as string | undefined) ?? '') === wanted.FilterPattern
  );
}

function sameSet(a: string[], b: string[]): boolean {
  const sa = new Set(a);
  const sb = new Set(b);
  return sa.size === sb.size && [...sa].every((x) => sb.has(x));
}

/**
 * What to do about the account policy: create it, update it (different destination, role,
 * pattern or exclusions), or nothing.
 */
export function planAccountPolicy(existing: ExistingAccountPolicy | undefined, name: string, doc: PolicyDocument, excluded: string[]): Change {
  const target = `account policy ${name}`;
  const criteria = selectionCriteria(excluded);
  if (!existing) return { action: 'create', target, detail: `-> ${doc.DestinationArn}, ${criteria}` };
  const differences: string[] = [];
  if (!sameDocument(existing.policyDocument, doc)) differences.push(`policy document ${existing.policyDocument ?? '(none)'} -> ${JSON.stringify(doc)}`);
  const current = parseSelectionCriteria(existing.selectionCriteria);
  if (!current || !sameSet(current, excluded)) differences.push(`selection ${existing.selectionCriteria ?? '(none)'} -> ${criteria}`);
  if (differences.length === 0) return { action: 'unchanged', target, detail: `already -> ${doc.DestinationArn}` };
  return { action: 'update', target, detail: differences.join('; ') };
}

/**
 * What to do about one log group, given its current subscription filters: nothing when a filter
 * (ours, or any other) already sends it to the destination with the same pattern and role; update
 * our filter when it differs; create it unless the group already has the maximum of 2 filters.
 */
export function planLogGroupFilter(
  logGroupName: string,
  filters: Pick<SubscriptionFilter, 'filterName' | 'destinationArn' | 'filterPattern' | 'roleArn'>[],
  wanted: { name: string; destinationArn: string; filterPattern: string; roleArn?: string },
): Change {
  const same = (f: (typeof filters)[number]) =>
    f.destinationArn === wanted.destinationArn && (f.filterPattern ?? '') === wanted.filterPattern && (f.roleArn || undefined) === wanted.roleArn;
  const inPlace = filters.find(same);
  if (inPlace) return { action: 'unchanged', target: logGroupName, detail: `filter ${inPlace.filterName} already -> ${wanted.destinationArn}` };
  const ours = filters.find((f) => f.filterName === wanted.name);
  if (ours) {
    return {
      action: 'update',
      target: logGroupName,
      detail: `filter ${wanted.name}: ${ours.destinationArn} "${ours.filterPattern ?? ''}" -> ${wanted.destinationArn} "${wanted.filterPattern}"`,
    };
  }
  if (filters.length >= 2) {
    return {
      action: 'skip',
      target: logGroupName,
      detail: `already has ${filters.length} subscription filters (${filters.map((f) => f.filterName).join(', ')}); the limit is 2 per log group`,
    };
  }
  return { action: 'create', target: logGroupName, detail: `filter ${wanted.name} -> ${wanted.destinationArn}` };
}

/** Validates options; returns the problems (empty when usable). */
export function validateOptions(o: OnboardOptions): string[] {
  const problems: string[] = [];
  if (!/^arn:aws[a-z-]*:(logs|firehose|kinesis|lambda):[a-z0-9-]+:\d{12}:.+/.test(o.destinationArn))
    problems.push(`--destination-arn must be a CloudWatch Logs destination (or Firehose/Kinesis/Lambda) ARN, got "${o.destinationArn}"`);
  if (o.roleArn !== undefined && !/^arn:aws[a-z-]*:iam::\d{12}:role\/.+/.test(o.roleArn)) problems.push(`--role-arn must be an IAM role ARN, got "${o.roleArn}"`);
  const name = o.name ?? DEFAULT_NAME;
  if (!/^[^:*]{1,512}$/.test(name)) problems.push(`--name must be 1-512 characters without ":" or "*"`);
  for (const e of o.exclude ?? []) {
    const bare = e.endsWith('*') ? e.slice(0, -1) : e;
    if (bare !== '' && !LOG_GROUP_NAME.test(bare)) problems.push(`--exclude "${e}" is not a log group name (or name*)`);
  }
  if (o.mode === 'account' && o.logGroupPrefixes?.length) problems.push('--log-group-prefix only applies to --mode log-groups (an account policy covers every group)');
  if ((o.filterPattern ?? '').length > 1024) problems.push('--filter-pattern is longer than 1024 characters');
  return problems;
}

async function listLogGroups(client: CloudWatchLogsClient, prefixes: string[]): Promise<string[]> {
  const names = new Set<string>();
  for (const prefix of prefixes.length ? prefixes : [undefined]) {
    for await (const page of logsSdk().paginateDescribeLogGroups({ client }, { logGroupNamePrefix: prefix })) {
      for (const g of page.logGroups ?? []) if (g.logGroupName) names.add(g.logGroupName);
    }
  }
  return [...names].sort();
}

async function listFilters(client: CloudWatchLogsClient, logGroupName: string): Promise<SubscriptionFilter[]> {
  const out: SubscriptionFilter[] = [];
  let nextToken: string | undefined;
  // A log group has at most a handful of filters; the loop is bounded by the service's pagination.
  for (let page = 0; page < 100; page++) {
    const res = await client.send(new (logsSdk().DescribeSubscriptionFiltersCommand)({ logGroupName, nextToken }));
    out.push(...(res.subscriptionFilters ?? []));
    nextToken = res.nextToken;
    if (!nextToken) break;
  }
  return out;
}

/**
 * Plans and (unless `dryRun`) applies the onboarding. `report` receives each change as it is
 * decided, so a long run shows progress. Throws on SDK errors (the caller prints them).
 */
export async function onboard(client: CloudWatchLogsClient, o: OnboardOptions, report: (c: Change) => void = () => {}): Promise<OnboardResult> {
  const problems = validateOptions(o);
  if (problems.length) throw new RangeError(problems.join('; '));
  const name = o.name ?? DEFAULT_NAME;
  const filterPattern = o.filterPattern ?? '';
  const userExclusions = o.exclude ?? [];
  const changes: Change[] = [];
  const warnings: string[] = [];
  const emit = (c: Change) => {
    changes.push(c);
    report(c);
  };

  if (o.mode === 'account') {
    // Selection criteria take exact names only: prefix exclusions (the user's and the pipeline's
    // any-stage prefixes) are expanded against the groups that exist now.
    const prefixes = [...PIPELINE_PREFIXES, ...userExclusions.filter((e) => e.endsWith('*')).map((e) => e.slice(0, -1))].filter((p) => p !== '');
    const expanded = await listLogGroups(client, prefixes);
    const excluded = [...new Set([...pipelineLogGroups(o.pipelineStage), ...userExclusions.filter((e) => !e.endsWith('*')), ...expanded])].sort();
    if (userExclusions.some((e) => e.endsWith('*')))
      warnings.push('account policies exclude exact names only: prefix exclusions were expanded to the log groups that exist now; re-run onboard after creating new ones');
    if (excluded.length > MAX_SELECTION_NAMES)
      warnings.push(`${excluded.length} excluded log groups; AWS may accept at most ${MAX_SELECTION_NAMES} names in NOT IN (use --mode log-groups instead)`);
    const doc = accountPolicyDocument({ destinationArn: o.destinationArn, roleArn: o.roleArn, filterPattern });
    const res = await client.send(new (logsSdk().DescribeAccountPoliciesCommand)({ policyType: 'SUBSCRIPTION_FILTER_POLICY' }));
    const policies = res.accountPolicies ?? [];
    const existing = policies.find((p) => p.policyName === name);
    const others = policies.filter((p) => p.policyName !== name);
    if (!existing && others.length) {
      emit({
        action: 'skip',
        target: `account policy ${name}`,
        detail: `the account already has subscription filter policy ${others.map((p) => p.policyName).join(', ')} (one per account and Region); pass --name to manage it or remove it first`,
      });
      return { changes, warnings, applied: false };
    }
    const change = planAccountPolicy(existing, name, doc, excluded);
    emit(change);
    if (!o.dryRun && (change.action === 'create' || change.action === 'update')) {
      await client.send(
        new (logsSdk().PutAccountPolicyCommand)({
          policyName: name,
          policyType: 'SUBSCRIPTION_FILTER_POLICY',
          scope: 'ALL',
          policyDocument: JSON.stringify(doc),
          selectionCriteria: selectionCriteria(excluded),
        }),
      );
    }
    return { changes, warnings, applied: !o.dryRun };
  }

  const exclusions = [...pipelineLogGroups(o.pipelineStage), ...PIPELINE_PREFIXES.map((p) => `${p}*`), ...userExclusions];
  const groups = await listLogGroups(client, o.logGroupPrefixes ?? []);
  if (groups.length === 0) warnings.push(`no log group matches ${o.logGroupPrefixes?.length ? o.logGroupPrefixes.join(', ') : '(all)'}`);
  const wanted = { name, destinationArn: o.destinationArn, filterPattern, roleArn: o.roleArn };
  for (const g of groups) {
    if (isExcluded(g, exclusions)) {
      emit({ action: 'skip', target: g, detail: isExcluded(g, userExclusions) ? 'excluded (--exclude)' : 'excluded: pipeline log group (would loop)' });
      continue;
    }
    const change = planLogGroupFilter(g, await listFilters(client, g), wanted);
    emit(change);
    if (!o.dryRun && (change.action === 'create' || change.action === 'update')) {
      await client.send(
        new (logsSdk().PutSubscriptionFilterCommand)({
          logGroupName: g,
          filterName: name,
          filterPattern,
          destinationArn: o.destinationArn,
          ...(o.roleArn ? { roleArn: o.roleArn } : {}),
        }),
      );
    }
  }
  return { changes, warnings, applied: !o.dryRun };
}

/** Counts per action, for the summary line. */
export function summarize(changes: Change[]): Record<ChangeAction, number> {
  const s: Record<ChangeAction, number> = { create: 0, update: 0, unchanged: 0, skip: 0 };
  for (const c of changes) s[c.action]++;
  return s;
}
