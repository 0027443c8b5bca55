/**
 * `tributary onboard`: subscribe this account's CloudWatch Logs (current Region) to the Tributary
 * destination, idempotently. Prints one line per change and a summary; a second run prints
 * `unchanged` for everything. Credentials, Region and endpoint come from the standard AWS SDK
 * environment (AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL, ...).
 */
import { Command, Option } from 'commander';
import { createLogsClient, DEFAULT_NAME, DEFAULT_PIPELINE_STAGE, onboard, summarize, validateOptions, type Change, type OnboardMode } from '../../lib/onboard';

interface OnboardFlags {
  destinationArn: string;
  mode: OnboardMode;
  logGroupPrefix: string[];
  exclude: string[];
  roleArn?: string;
  name: string;
  filterPattern: string;
  pipelineStage: string;
  region?: string;
  dryRun?: boolean;
}

const collect = (v: string, prev: string[]) => [...prev, ...v.split(',').map((s) => s.trim()).filter(Boolean)];

/** One printable line per change: `create   /app/orders  filter tributary -> arn:...`. */
export function formatChange(c: Change, dryRun: boolean): string {
  const verb = dryRun && (c.action === 'create' || c.action === 'update') ? `would ${c.action}` : c.action;
  return `${verb.padEnd(12)} ${c.target}  ${c.detail}`;
}

export function registerOnboard(program: Command): void {
  program
    .command('onboard')
    .description(
      "Subscribe this account's CloudWatch Logs (current Region) to the Tributary destination: an account-level " +
        'subscription filter policy (--mode account) or one subscription filter per log group (--mode log-groups). ' +
        "Idempotent: prints what it changes, and nothing changes when everything is already in place. The pipeline's " +
        'own log groups are always excluded (no delivery loops).',
    )
    .requiredOption('--destination-arn <arn>', 'DestinationArn output of the archive stack for this Region')
    .addOption(new Option('--mode <mode>', 'account policy or per-log-group filters').choices(['account', 'log-groups']).default('log-groups'))
    .option('--log-group-prefix <prefix>', 'log-groups mode: only groups starting with this (repeatable, or comma-separated)', collect, [])
    .option('--exclude <name>', 'log group to leave out; `prefix*` for a prefix (repeatable, or comma-separated)', collect, [])
    .option('--role-arn <arn>', 'role CloudWatch Logs assumes (needed when the destination policy grants by organization ID)')
    .option('--name <name>', 'name of the account policy / subscription filters', DEFAULT_NAME)
    .option('--filter-pattern <pattern>', 'CloudWatch Logs filter pattern (default: every event)', '')
    .option('--pipeline-stage <stage>', "stage of the archive stack (its log groups are excluded by name)", DEFAULT_PIPELINE_STAGE)
    .option('--region <region>', 'AWS Region (default: from the environment)')
    .option('--dry-run', 'print what would change, change nothing')
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  tributary onboard --destination-arn arn:aws:logs:eu-west-1:111111111111:destination:tributary-prod --dry-run\n' +
        '  tributary onboard --destination-arn arn:aws:logs:eu-west-1:111111111111:destination:tributary-prod \\\n' +
        '    --mode log-groups --log-group-prefix /aws/lambda/ --exclude /aws/lambda/noisy\n' +
        '  tributary onboard --mode account --destination-arn ... --role-arn arn:aws:iam::222222222222:role/tributary-subscription\n\n' +
        'Exit status: 0 when done (or nothing to do), 2 on usage errors, 1 when an AWS call failed.',
    )
    .action(async (flags: OnboardFlags) => {
      const options = {
        destinationArn: flags.destinationArn,
        mode: flags.mode,
        logGroupPrefixes: flags.logGroupPrefix,
        exclude: flags.exclude,
        roleArn: flags.roleArn,
        name: flags.name,
        filterPattern: flags.filterPattern,
        pipelineStage: flags.pipelineStage,
        dryRun: flags.dryRun,
      };
      const problems = validateOptions(options);
      if (problems.length) {
        for (const p of problems) process.stderr.write(`tributary onboard: ${p}\n`);
        process.exit(2);
      }
      // The SDK is loaded only when the command runs: `tributary --help` stays fast.
      const client = createLogsClient(flags.region);
      try {
        const result = await onboard(client, options, (c) => process.stdout.write(formatChange(c, !!flags.dryRun) + '\n'));
        for (const w of result.warnings) process.stderr.write(`warning: ${w}\n`);
        const s = summarize(result.changes);
        const prefix = flags.dryRun ? 'dry run: would create' : 'created';
        process.stdout.write(`${prefix} ${s.create}, ${flags.dryRun ? 'would update' : 'updated'} ${s.update}, unchanged ${s.unchanged}, skipped ${s.skip}\n`);
      } catch (e) {
        const err = e as Error & { $metadata?: { httpStatusCode?: number } };
        // A 5xx with an unparseable body usually means the endpoint does not implement the call
        // (local emulators lack account policies): say which status came back.
        const status = err.$metadata?.httpStatusCode ? ` (HTTP ${err.$metadata.httpStatusCode})` : '';
        process.stderr.write(`tributary onboard: ${err.name ?? 'Error'}${status}: ${err.message.split('\n')[0]}\n`);
        process.exit(1);
      } finally {
        client.destroy();
      }
    });
}
