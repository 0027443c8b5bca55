/**
 * `tributary ingest`: runs your own log files through the real pipeline into an archive (a local
 * directory or S3) and, with `--opensearch`, into OpenSearch with the indexer's code path.
 *
 * - Files under an `AWSLogs/<account>/<service>/<region>/…` path (as copied from a log bucket with
 *   `aws s3 sync`) go through the S3-ingest core, exactly like S3-delivered logs (ALB/NLB/ELB,
 *   CloudTrail, VPC Flow Logs with their header line); the directory above `AWSLogs/` plays the bucket.
 * - Anything else is decoded like `tributary normalize` (plain lines, gzip, a CloudWatch Logs
 *   payload, a Firehose event, a CloudTrail file) and archived per partition.
 * Re-ingesting the same files overwrites the same archive objects and documents. Files are streamed
 * (the ETag of an `AWSLogs/` file is hashed in a first pass), so memory is bounded whatever their size.
 */
import { createReadStream, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { Command, Option } from 'commander';
import { deliverLocalFile, deliverStoredS3, type Delivered, etagOfFile } from '../../lib/local/deliver';
import { DEFAULT_INDEX_PREFIX } from '../../lib/core/indices';
import { addTally, type Tally } from '../../lib/core/tally';
import { bulkTransport, createOpenSearchClient } from '../../lib/io/opensearch';
import { parseArchiveKey } from '../../lib/core/archive';
import { DEFAULT_BULK } from '../../lib/io/bulk';
import { indexObjects, type ReplayObject } from '../../lib/replay';
import { createS3Client } from '../../lib/io/s3';
import { LocalStore, openStore } from '../../lib/io/store';
import { SOURCE_IDS, type SourceId } from '../../parsers/types';
import { aggregatorOption } from './aggregators';
import { cliEnricher, enrichmentOptions, type EnrichmentFlags } from './enrichment';
import { cliRedactor, redactionOptions, type RedactionFlags } from './redaction';
import { formatReplayResult, table } from './replay';

interface IngestFlags extends EnrichmentFlags, RedactionFlags {
  source: SourceId | 'auto';
  archive: string;
  opensearch?: string;
  indexPrefix: string;
  account?: string;
  region?: string;
  logGroup?: string;
  vpcFormat?: string;
  cloudfrontFields?: string;
  aggregatorAccounts?: string[];
}

/** Files of the arguments, directories walked recursively (sorted, hidden files skipped). */
export function expandInputs(paths: string[]): string[] {
  const out: string[] = [];
  const walk = (p: string, depth: number) => {
    const st = statSync(p);
    if (st.isDirectory()) {
      if (depth > 32) return;
      for (const name of readdirSync(p).sort()) if (!name.startsWith('.')) walk(path.join(p, name), depth + 1);
    } else if (st.isFile()) out.push(p);
  };
  for (const p of paths) walk(p, 0);
  return out;
}

export function registerIngest(program: Command): void {
  program
    .command('ingest')
    .description(
      'Run your own log files through the real pipeline into an archive and, with --opensearch, into OpenSearch. ' +
        'Paths under AWSLogs/<account>/<service>/<region>/ go through the S3-ingest logic; other files are decoded like `normalize`. ' +
        'Files are streamed, never read whole: memory stays bounded (under 256 MB) whatever their size.',
    )
    .argument('<paths...>', 'files or directories')
    .addOption(new Option('-s, --source <source>', 'source type of files outside AWSLogs/').choices(['auto', ...SOURCE_IDS]).default('auto'))
    .option('--archive <url>', 'archive: file:///path or s3://bucket[/prefix]', 'file://' + path.resolve('.tributary', 'archive'))
    .option('--opensearch <url>', 'also index into this OpenSearch')
    .option('--index-prefix <prefix>', 'index prefix', DEFAULT_INDEX_PREFIX)
    .option('--account <id>', 'AWS account id of files outside AWSLogs/')
    .option('--region <region>', 'AWS region of files outside AWSLogs/')
    .option('--log-group <name>', 'CloudWatch Logs group the lines came from (drives detection)')
    .option('--vpc-format <format>', 'VPC Flow Logs format of headerless lines')
    .option('--cloudfront-fields <fields>', 'CloudFront real-time log fields, in the order CloudFront emits them')
    .addOption(aggregatorOption())
    .addOption(enrichmentOptions()[0])
    .addOption(enrichmentOptions()[1])
    .addOption(redactionOptions()[0])
    .addOption(redactionOptions()[1])
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  aws s3 sync s3://my-alb-logs/AWSLogs/111122223333/elasticloadbalancing/ ./logs/AWSLogs/111122223333/elasticloadbalancing/\n' +
        '  tributary ingest ./logs --opensearch http://localhost:9200\n' +
        '  tributary ingest --log-group /aws/lambda/orders lambda-export.log --archive s3://my-test-archive',
    )
    .action(async (paths: string[], flags: IngestFlags) => {
      const fail = (code: number, msg: string) => {
        process.stderr.write(`tributary ingest: ${msg}\n`);
        process.exit(code);
      };
      let files: string[];
      let archive;
      let enricher;
      let redaction;
      try {
        files = expandInputs(paths);
        archive = openStore(flags.archive, createS3Client);
        enricher = cliEnricher(flags);
        redaction = cliRedactor(flags);
      } catch (e) {
        return fail(2, (e as Error).message);
      }
      if (!files.length) return fail(2, 'no files found');
      const sourceOptions =
        flags.vpcFormat || flags.cloudfrontFields
          ? { ...(flags.vpcFormat ? { vpcFormat: flags.vpcFormat } : {}), ...(flags.cloudfrontFields ? { cloudfrontFields: flags.cloudfrontFields } : {}) }
          : undefined;
      const bySource = new Map<string, Tally>();
      const written: string[] = [];
      const now = new Date();
      for (const file of files) {
        const abs = path.resolve(file);
        const at = abs.lastIndexOf(`${path.sep}AWSLogs${path.sep}`);
        let d: Delivered;
        try {
          // Streamed, never read whole: memory stays bounded whatever the file's size.
          if (at >= 0) {
            // The directory above AWSLogs/ stands for the log bucket: name it like the bucket (and the
            // ETag of a single-part upload is the MD5 we use as version) to get the live path's ids.
            const root = abs.slice(0, at);
            const name = path.basename(root).toLowerCase().replace(/[^a-z0-9.-]/g, '-') || 'local';
            const logs = new LocalStore(root, name === archive.bucket ? `${name}-logs` : name);
            // A copied file is no AWS delivery: its path's account is a claim (`localKeys`: unverified).
            d = await deliverStoredS3(abs.slice(at + 1).split(path.sep).join('/'), await etagOfFile(abs), logs, archive, {
              now,
              sourceOptions,
              localKeys: true,
              aggregators: flags.aggregatorAccounts,
              enricher,
              redaction,
            });
          } else d = await deliverLocalFile(abs, createReadStream(abs, { highWaterMark: 1024 * 1024 }), archive, { source: flags.source, account: flags.account, region: flags.region, logGroup: flags.logGroup, sourceOptions, aggregators: flags.aggregatorAccounts, now, enricher, redaction });
        } catch (e) {
          return fail(1, `${file}: ${(e as Error).message}`);
        }
        const src = d.sources[0] ?? (flags.source === 'auto' ? 'unknown' : flags.source);
        bySource.set(src, addTally(bySource.get(src) ?? {}, { objects: 1, received: d.tally.received ?? 0, documents: d.tally.documents ?? 0, dropped: d.tally.dropped ?? 0, failed: d.tally.failed ?? 0 }));
        written.push(...d.outputs);
      }
      const rows = [...bySource].map(([s, t]) => [s, t.objects ?? 0, t.received ?? 0, t.documents ?? 0, t.dropped ?? 0, t.failed ?? 0]);
      for (const l of table(['source', 'files', 'events in', 'documents', 'dropped', 'failed'], rows)) process.stdout.write(l + '\n');
      process.stdout.write(`${written.length} archive objects written to ${archive.url}\n`);
      if (!flags.opensearch) return;
      const objects: ReplayObject[] = [];
      for (const key of written) {
        const page = await archive.listPage(key, { limit: 1 });
        const o = page.objects.find((x) => x.key === key);
        if (o) objects.push({ ...o, source: parseArchiveKey(key)?.partition.source });
      }
      const client = createOpenSearchClient({ node: flags.opensearch, auth: 'none', requestTimeoutMs: 60_000 });
      try {
        const r = await indexObjects({ archive, objects, indexPrefix: flags.indexPrefix, transport: bulkTransport(client), bulk: DEFAULT_BULK, concurrency: 4 });
        for (const l of formatReplayResult(r)) process.stdout.write(l + '\n');
        if (r.failedObjects.length || r.aborted) process.exit(1);
      } finally {
        await client.close();
      }
    });
}
