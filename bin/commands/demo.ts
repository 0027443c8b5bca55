/**
 * `tributary demo` (= `npm start`): the whole pipeline on this machine with generated, realistic
 * logs of every source — see `lib/local/run.ts`. Safe to run again: same ids, same counts.
 */
import path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { runDemo } from '../../lib/local/run';
import { DEFAULT_INDEX_PREFIX } from '../../lib/core/indices';
import { cliEnricher, enrichmentOptions, type EnrichmentFlags } from './enrichment';
import { cliRedactor, redactionOptions, type RedactionFlags } from './redaction';

interface DemoFlags extends EnrichmentFlags, RedactionFlags {
  dir: string;
  opensearch?: string;
  indexPrefix: string;
  scale: number;
  start: boolean;
}

const scale = (v: string): number => {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0 || n > 100) throw new InvalidArgumentError('expected a number in (0, 100]');
  return n;
};

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description(
      'Run the whole pipeline locally: generate realistic logs of every source in their AWS envelopes, transform and ' +
        'archive them (file:// archive), start or use OpenSearch, set it up, index, and print a reconciled summary with ' +
        'example searches. Re-running is idempotent.',
    )
    .option('--dir <dir>', 'working directory (archive, delivered logs)', '.tributary')
    .option('--opensearch <url>', 'OpenSearch URL (default: $OPENSEARCH_URL, else the local one `npm run services -- start opensearch` runs, started when Java is there)')
    .option('--index-prefix <prefix>', 'index prefix', DEFAULT_INDEX_PREFIX)
    .option('--scale <x>', 'multiply the generated volumes', scale, 1)
    .option('--no-start', 'never start a local OpenSearch (archive only unless one is configured)')
    .addOption(enrichmentOptions()[0])
    .addOption(enrichmentOptions()[1])
    .addOption(redactionOptions()[0])
    .addOption(redactionOptions()[1])
    .action(async (flags: DemoFlags) => {
      const t0 = Date.now();
      const result = await runDemo({
        dir: path.resolve(flags.dir),
        root: path.resolve(__dirname, '../..'),
        opensearchUrl: flags.opensearch ?? process.env.OPENSEARCH_URL,
        indexPrefix: flags.indexPrefix,
        scale: flags.scale,
        startServices: flags.start,
        enricher: cliEnricher(flags),
        redaction: cliRedactor(flags),
      });
      process.stdout.write(`\nDone in ${((Date.now() - t0) / 1000).toFixed(1)} s.\n`);
      if (!result.reconciled) {
        process.stderr.write('tributary demo: the counts do not reconcile (see MISMATCH above)\n');
        process.exit(1);
      }
    });
}
