/**
 * `tributary`: the command line. Each command lives in `bin/commands/`; this file only wires them.
 * Exit codes: 0 when input was read (even with per-record failures), 2 on usage errors or
 * unreadable inputs, 1 on unexpected errors.
 */
import { Command, CommanderError } from 'commander';
import { registerNormalize } from './commands/normalize';
import { registerOnboard } from './commands/onboard';
import { registerSetup } from './commands/setup';
import { registerReplay } from './commands/replay';
import { registerIngest } from './commands/ingest';
import { registerDemo } from './commands/demo';
import { registerVerifyCloudTrail } from './commands/verify-cloudtrail';

export function program(): Command {
  const p = new Command('tributary')
    .description('Tributary: normalize AWS logs into one ECS schema, archive them in S3 and index them in OpenSearch.')
    .version(require('../package.json').version)
    .showHelpAfterError()
    .exitOverride();
  registerNormalize(p);
  registerOnboard(p);
  registerSetup(p);
  registerReplay(p);
  registerIngest(p);
  registerDemo(p);
  registerVerifyCloudTrail(p);
  return p;
}

export async function main(argv: string[]): Promise<void> {
  try {
    await program().parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version end here with code 0; usage errors were already printed by commander.
      process.exit(e.exitCode === 0 ? 0 : 2);
    }
    throw e;
  }
}
