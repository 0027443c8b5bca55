/**
 * `tributary normalize`: raw logs or whole envelopes in, one normalized JSON document per line out.
 * This is the contract other checks rely on: keep flags and output stable.
 */
import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { decodeInput } from '../../lib/core/inputs';
import { normalizeInChunks } from '../../lib/core/chunks';
import { failureDocument, type Counts } from '../../lib/core/pipeline';
import { aggregatorOption } from './aggregators';
import { cliEnricher, enrichmentOptions, type EnrichmentFlags } from './enrichment';
import { cliRedactor, redactionOptions, type RedactionFlags } from './redaction';
import { SOURCE_IDS, type ParseContext, type SourceId } from '../../parsers/types';
import { VpcLayoutMemory } from '../../parsers/vpcflow-format';

export interface NormalizeFlags extends EnrichmentFlags, RedactionFlags {
  source: SourceId | 'auto';
  logGroup?: string;
  logStream?: string;
  account?: string;
  region?: string;
  vpcFormat?: string;
  cloudfrontFields?: string;
  original?: boolean;
  aggregatorAccounts?: string[];
}

export class UsageError extends Error {}

function readInput(path: string): Buffer {
  try {
    return path === '-' ? readFileSync(0) : readFileSync(path);
  } catch (e) {
    throw new UsageError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/** Normalizes the inputs, writing NDJSON to `out` and returns the counts per source. */
export function runNormalize(paths: string[], flags: NormalizeFlags, out: (line: string) => void, now = new Date()) {
  const totals = new Map<string, Counts>();
  const add = (source: string, c: Counts) => {
    const t = totals.get(source) ?? { received: 0, documents: 0, dropped: 0, failed: 0 };
    for (const k of Object.keys(c) as (keyof Counts)[]) t[k] += c[k];
    totals.set(source, t);
  };
  const overrides: ParseContext = {
    logGroup: flags.logGroup,
    logStream: flags.logStream,
    account: flags.account,
    region: flags.region,
    options:
      flags.vpcFormat || flags.cloudfrontFields
        ? { ...(flags.vpcFormat ? { vpcFormat: flags.vpcFormat } : {}), ...(flags.cloudfrontFields ? { cloudfrontFields: flags.cloudfrontFields } : {}) }
        : undefined,
    // Headerless VPC flow log layouts learned from decisive lines, for the ambiguous lines of the whole run.
    vpcLayouts: new VpcLayoutMemory(),
  };
  const inputs = paths.length ? paths : ['-'];
  const enricher = cliEnricher(flags);
  const redaction = cliRedactor(flags);
  const buffers = inputs.map((p) => [p, readInput(p)] as const); // read all first: unreadable → exit 2, no partial output
  for (const [path, bytes] of buffers) {
    const decoded = decodeInput(bytes, path === '-' ? 'stdin' : path, overrides);
    const fallback: SourceId = flags.source === 'auto' ? 'app' : flags.source;
    if (decoded.dropped) add('envelope', { received: decoded.dropped, documents: 0, dropped: decoded.dropped, failed: 0 });
    for (const u of decoded.unusable) {
      out(JSON.stringify(failureDocument(fallback, { message: u.original, key: u.key }, overrides, u.message, 'envelope_error', now, undefined, redaction)));
      add(fallback, { received: 1, documents: 0, dropped: 0, failed: 1 });
    }
    for (const batch of decoded.batches) {
      // In chunks: a file of millions of lines never holds millions of documents at once.
      for (const r of normalizeInChunks({ events: batch.events, context: batch.context, source: flags.source }, {
        now,
        includeOriginal: flags.original,
        aggregators: flags.aggregatorAccounts,
        enricher,
        redaction,
      })) {
        for (const d of r.documents) out(JSON.stringify(d));
        for (const d of r.failures) out(JSON.stringify(d));
        add(r.source, r.counts);
      }
    }
  }
  return totals;
}

export function registerNormalize(program: Command): void {
  program
    .command('normalize')
    .description(
      'Normalize raw log lines, or whole envelopes (a gzipped or decoded CloudWatch Logs subscription payload, the ' +
        '{"awslogs":{"data":...}} event of a subscription Lambda, a Firehose transformation event, a CloudTrail file), and print one JSON document per line. Failures are printed too, as ' +
        'event.kind=pipeline_error documents. A summary per source goes to stderr.',
    )
    .argument('[files...]', 'input files; - or nothing reads stdin (gzip is detected)')
    .addOption(new Option('-s, --source <source>', 'source type').choices(['auto', ...SOURCE_IDS]).default('auto'))
    .option('--log-group <name>', 'CloudWatch Logs group the lines came from (drives detection, e.g. /aws/lambda/orders)')
    .option('--log-stream <name>', 'CloudWatch Logs stream the lines came from')
    .option('--account <id>', 'AWS account id of the source')
    .option('--region <region>', 'AWS region of the source')
    .option(
      '--vpc-format <format>',
      "VPC Flow Logs format of headerless lines, e.g. '${version} ${account-id} ${interface-id} ...' (without it, inferred among the documented layouts when the values decide it)",
    )
    .option('--cloudfront-fields <fields>', "CloudFront real-time log fields, in the order CloudFront emits them, e.g. 'timestamp c-ip sc-status cs-method cs-uri-stem'")
    .option('--original', 'keep the raw text in event.original on every document')
    .addOption(aggregatorOption())
    .addOption(enrichmentOptions()[0])
    .addOption(enrichmentOptions()[1])
    .addOption(redactionOptions()[0])
    .addOption(redactionOptions()[1])
    .addHelpText(
      'after',
      '\nExamples:\n' +
        "  echo '2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK' \\\n" +
        '    | tributary normalize --source vpcflow\n' +
        '  tributary normalize --log-group /aws/lambda/orders lambda.log\n' +
        '  tributary normalize firehose-event.json > docs.ndjson\n\n' +
        'Exit status: 0 when the input was read (per-record failures included), 2 on usage errors or unreadable files.',
    )
    .action((files: string[], flags: NormalizeFlags) => {
      let totals;
      try {
        totals = runNormalize(files, flags, (line) => process.stdout.write(line + '\n'));
      } catch (e) {
        if (e instanceof UsageError) {
          process.stderr.write(`tributary normalize: ${e.message}\n`);
          process.exit(2);
        }
        throw e;
      }
      for (const [source, c] of totals)
        process.stderr.write(`${source}: ${c.received} received, ${c.documents} documents, ${c.dropped} dropped, ${c.failed} failed\n`);
    });
}
