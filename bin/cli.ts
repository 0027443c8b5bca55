/**
 * `tributary`: the command line. Each command lives in `bin/commands/`; this file only wires them.
 * Exit codes: 0 when input was read (even with per-record failures), 2 on usage errors or
 * unreadable inputs, 1 on unexpected errors. A reader that closes stdout early (`| head`) ends the
 * command quietly with 0: it has read what it wanted.
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

/** The reader of stdout went away (`tributary normalize big.log | head`). */
const closedPipe = (e: unknown): boolean => (e as NodeJS.ErrnoException | undefined)?.code === 'EPIPE';

export async function main(argv: string[]): Promise<void> {
  // A write to a closed pipe fails on the stream (an 'error' event), or on the write the command awaits.
  process.stdout.on('error', (e) => {
    if (closedPipe(e)) process.exit(0);
    process.stderr.write(`tributary: stdout: ${e.message}\n`);
    process.exit(1);
  });
  try {
    await program().parseAsync(argv);
  } catch (e) {
    if (closedPipe(e)) process.exit(0);
    if (e instanceof CommanderError) {
      // --help and --version end here with code 0; usage errors were already printed by commander.
      process.exit(e.exitCode === 0 ? 0 : 2);
    }
    throw e;
  }
}
