/**
 * `tributary replay`: re-index a time range of the archive (lost cluster, mapping change, parser
 * fix) with the indexer's code path — same index names and `_id`s, so re-running never duplicates.
 * Local by default (this machine reads the archive and writes `_bulk`), or `--remote`: the replay
 * Lambda enqueues the objects for the indexer fleet. Design: `lib/replay/run.ts`.
 */
import path from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import type { OpenSearchAuth } from '../../lib/io/config';
import { signingRegion } from '../../lib/core/endpoints';
import { DEFAULT_INDEX_PREFIX } from '../../lib/core/indices';
import { bulkTransport, createOpenSearchClient } from '../../lib/io/opensearch';
import { formatDuration } from '../../lib/io/progress';
import { DEFAULT_BULK } from '../../lib/io/bulk';
import { createLambdaClient, invokeFunction } from '../../lib/io/lambda';
import {
  estimateReplay,
  type IndexObjectsResult,
  parseTimeArg,
  type RemoteReplayEvent,
  type RemoteReplayResponse,
  replayFingerprint,
  type ReplayFilter,
  type ReplayFrom,
  type ReplayResult,
  runReplay,
} from '../../lib/replay';
import { createS3Client } from '../../lib/io/s3';
import { openStore } from '../../lib/io/store';
import type { Tally } from '../../lib/core/tally';
import { aggregatorOption } from './aggregators';
import { cliEnricher, enrichmentOptions, type EnrichmentFlags } from './enrichment';
import { cliRedactor, redactionOptions, type RedactionFlags } from './redaction';

export interface ReplayFlags extends EnrichmentFlags, RedactionFlags {
  archive?: string;
  since: string;
  until: string;
  source: string[];
  account: string[];
  region: string[];
  from: ReplayFrom;
  indexPrefix: string;
  opensearch?: string;
  auth: OpenSearchAuth;
  osRegion?: string;
  dryRun?: boolean;
  rate?: number;
  concurrency: number;
  checkpoint?: string;
  resume?: boolean;
  streamRegion?: string;
  maxDecompressedBytes?: number;
  sample: number;
  progressInterval: number;
  json?: boolean;
  remote?: boolean;
  functionName?: string;
  queueUrl?: string;
  detach?: boolean;
  pageSize: number;
  aggregatorAccounts?: string[];
}

const positive = (v: string): number => {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a number > 0');
  return n;
};
const whole = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number >= 1');
  return n;
};
/** Repeatable and comma-separated: `--source elb --source vpcflow` = `--source elb,vpcflow`. */
const list = (v: string, prev: string[] = []): string[] => prev.concat(v.split(',').map((s) => s.trim()).filter(Boolean));

const MB = 1024 * 1024;
const fmtMB = (b: number) => `${(b / MB).toFixed(1)} MB`;

/** A fixed-width text table. */
export function table(header: string[], rows: Array<Array<string | number>>): string[] {
  const all = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  const fmt = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [fmt(all[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...all.slice(1).map(fmt)];
}

export function filterFromFlags(flags: Pick<ReplayFlags, 'since' | 'until' | 'source' | 'account' | 'region'>, now = Date.now()): ReplayFilter {
  const filter: ReplayFilter = {
    since: parseTimeArg(flags.since, false, now),
    until: parseTimeArg(flags.until, true, now),
    sources: flags.source.length ? flags.source : undefined,
    accounts: flags.account.length ? flags.account : undefined,
    regions: flags.region.length ? flags.region : undefined,
  };
  if (!(filter.since < filter.until)) throw new RangeError(`--since (${new Date(filter.since).toISOString()}) must be before --until (${new Date(filter.until).toISOString()})`);
  return filter;
}

export function formatReplayResult(r: IndexObjectsResult & Partial<Pick<ReplayResult, 'prefixes' | 'listCalls'>>): string[] {
  const rows = Object.entries(r.bySource)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([s, t]: [string, Tally]) => [s, t.objects ?? 0, t.documents ?? 0, t.indexed ?? 0, t.dead_lettered ?? 0, t.failed ?? 0]);
  const t = r.tally;
  rows.push(['total', t.objects ?? 0, t.documents ?? 0, t.indexed ?? 0, t.dead_lettered ?? 0, t.failed ?? 0]);
  const lines = table(['source', 'objects', 'documents', 'indexed', 'dead-lettered', 'failed'], rows);
  const parts = [`${r.processed} objects in ${formatDuration(r.elapsedMs)}`];
  if (r.skipped) parts.push(`${r.skipped} skipped (done before, per the checkpoint)`);
  parts.push(`${r.counters.created} new documents, ${r.counters.updated + r.counters.noop} already indexed (overwritten with the same _id)`);
  if (r.prefixes) parts.push(`${r.listCalls} list calls over ${r.prefixes} partition prefixes`);
  if (r.throttleEvents) parts.push(`OpenSearch throttled ${r.throttleEvents}x (adaptive slow-down)`);
  lines.push(parts.join('; '));
  for (const f of r.failedObjects.slice(0, 10)) lines.push(`FAILED ${f.key}: ${f.error}`);
  if (r.failedObjects.length > 10) lines.push(`… and ${r.failedObjects.length - 10} more failed objects`);
  return lines;
}

async function runRemote(flags: ReplayFlags, out: (s: string) => void): Promise<number> {
  if (!flags.functionName) throw new RangeError('--remote needs --function-name (the deployed replay function)');
  if (!flags.archive?.startsWith('s3://')) throw new RangeError('--remote needs an s3:// archive');
  filterFromFlags(flags); // validate locally first
  const lambda = createLambdaClient();
  const event: RemoteReplayEvent = {
    archive: flags.archive,
    since: flags.since,
    until: flags.until,
    sources: flags.source.length ? flags.source : undefined,
    accounts: flags.account.length ? flags.account : undefined,
    regions: flags.region.length ? flags.region : undefined,
    queueUrl: flags.queueUrl,
    maxObjects: flags.pageSize,
    selfInvoke: flags.detach === true,
  };
  for (let page = 1; page < 100_000; page++) {
    const r = (await invokeFunction<RemoteReplayResponse>(lambda, flags.functionName, event))!;
    out(`page ${page}: enqueued ${r.enqueued} objects (${fmtMB(r.bytes)}); total ${r.totals.objects} objects, ${fmtMB(r.totals.bytes)}`);
    if (r.continuedAsync) {
      out('the function continues asynchronously (re-invoking itself); follow it in its CloudWatch Logs and the indexer metrics');
      return 0;
    }
    if (r.done || !r.continuation) {
      out(`done: ${r.totals.objects} objects enqueued for the indexer in ${r.totals.invocations} invocations`);
      return 0;
    }
    event.cursor = r.continuation;
    event.totals = r.totals;
  }
  return 1;
}

export function registerReplay(program: Command): void {
  program
    .command('replay')
    .description(
      'Re-index a time range of the archive into OpenSearch with the indexer code path (same index names and _ids: ' +
        're-running never duplicates). Lists only the partitions in range; --dry-run estimates; a checkpoint makes an ' +
        'interrupted replay resumable; 429s from OpenSearch slow it down automatically.',
    )
    .requiredOption('--since <time>', 'start (2026-03-01, 2026-03-01T10:00:00Z, 2026-03-01T10, 7d, 6h)')
    .requiredOption('--until <time>', 'end, exclusive; a date alone means the END of that day (default now)', 'now')
    .option('--archive <url>', 's3://bucket[/prefix] or file:///path (default: $TRIBUTARY_ARCHIVE, else s3://$ARCHIVE_BUCKET)')
    .option('--source <source>', 'only these sources (repeat or comma-separate)', list, [])
    .option('--account <id>', 'only these accounts', list, [])
    .option('--region <region>', 'only these regions', list, [])
    .addOption(new Option('--from <area>', 'normalized archive, or the raw Firehose backup re-parsed with the current parsers').choices(['normalized', 'raw']).default('normalized'))
    .option('--index-prefix <prefix>', 'index prefix', DEFAULT_INDEX_PREFIX)
    .option('--opensearch <url>', 'OpenSearch URL (default: $OPENSEARCH_URL)')
    .addOption(new Option('--auth <auth>', 'how to sign requests').choices(['none', 'sigv4-es', 'sigv4-aoss']).default('none'))
    .option('--os-region <region>', "region SigV4 signs for (default: $OPENSEARCH_REGION, else the endpoint's, e.g. eu-west-1 of search-x.eu-west-1.es.amazonaws.com, else $AWS_REGION)")
    .option('--dry-run', 'list and estimate: objects, bytes, estimated documents; index nothing')
    .option('--sample <n>', 'objects read by --dry-run to estimate documents', whole, 5)
    .option('--rate <docs/s>', 'upper bound of documents per second', positive)
    .option('--concurrency <n>', 'objects indexed in parallel (halved automatically on 429)', whole, 4)
    .option('--checkpoint <file>', 'checkpoint file (default: .tributary/checkpoints/replay-<job>.json)')
    .option('--resume', 'continue the replay recorded in the checkpoint, skipping objects already done')
    .option('--stream-region <region>', '--from raw: region of the Firehose stream (default: $AWS_REGION)')
    .option('--max-decompressed-bytes <n>', '--from raw: bound of one decompressed CloudWatch Logs record, as MAX_DECOMPRESSED_BYTES (default 8388608)', whole)
    .addOption(aggregatorOption('--from raw: '))
    .addOption(enrichmentOptions('--from raw: ')[0])
    .addOption(enrichmentOptions('--from raw: ')[1])
    .addOption(redactionOptions('--from raw: ')[0])
    .addOption(redactionOptions('--from raw: ')[1])
    .option('--progress-interval <s>', 'seconds between progress lines when not on a terminal', positive, 10)
    .option('--json', 'print the result as JSON on stdout')
    .option('--remote', 'run in AWS: the replay function enqueues the objects for the indexer')
    .option('--function-name <name>', '--remote: name or ARN of the replay function')
    .option('--queue-url <url>', '--remote: indexer queue (default: the function’s INDEX_QUEUE_URL)')
    .option('--detach', '--remote: let the function re-invoke itself instead of paging from here')
    .option('--page-size <n>', '--remote: objects per invocation', whole, 10_000)
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  tributary replay --archive s3://central-logs --since 2026-03-01 --until 2026-03-07 \\\n' +
        '    --source vpcflow --account 111122223333 --dry-run\n' +
        '  tributary replay --archive s3://central-logs --since 2026-03-01 --until 2026-03-07 \\\n' +
        '    --source vpcflow --account 111122223333 --rate 5000 --concurrency 4\n' +
        '  tributary replay --archive s3://central-logs --since 2026-03-01 --until 2026-03-07 --resume   # after Ctrl-C\n' +
        '  tributary replay --archive s3://central-logs --from raw --since 2026-03-01T10 --until 2026-03-01T12\n' +
        '  tributary replay --archive file://$PWD/.tributary/archive --since 2026-01-01 --until now\n' +
        '  tributary replay --remote --function-name tributary-prod-replay --archive s3://central-logs --since 7d\n\n' +
        'Exit status: 0 when every object was indexed (dead letters included), 1 when objects failed or OpenSearch\n' +
        'stayed unavailable (resume later), 2 on usage errors, 130 when interrupted (checkpoint written).',
    )
    .action(async (flags: ReplayFlags) => {
      const fail = (code: number, msg: string) => {
        process.stderr.write(`tributary replay: ${msg}\n`);
        process.exit(code);
      };
      const out = (s: string) => process.stdout.write(s + '\n');
      const info = (s: string) => (flags.json ? process.stderr : process.stdout).write(s + '\n');
      flags.archive ??= process.env.TRIBUTARY_ARCHIVE ?? (process.env.ARCHIVE_BUCKET ? `s3://${process.env.ARCHIVE_BUCKET}` : undefined);
      if (!flags.archive) return fail(2, 'no archive: pass --archive s3://bucket or file:///path');
      if (flags.remote) {
        try {
          process.exit(await runRemote(flags, info));
        } catch (e) {
          return fail(e instanceof RangeError ? 2 : 1, (e as Error).message);
        }
      }
      let filter: ReplayFilter;
      let store;
      try {
        filter = filterFromFlags(flags);
        store = openStore(flags.archive, createS3Client);
      } catch (e) {
        return fail(2, (e as Error).message);
      }
      info(
        `replay ${flags.from} ${store.url} ${new Date(filter.since).toISOString()} → ${new Date(filter.until).toISOString()}` +
          (filter.sources ? ` source=${filter.sources.join(',')}` : '') +
          (filter.accounts ? ` account=${filter.accounts.join(',')}` : '') +
          (filter.regions ? ` region=${filter.regions.join(',')}` : ''),
      );
      if (flags.dryRun) {
        const e = await estimateReplay(store, flags.from, filter, flags.sample);
        if (flags.json) out(JSON.stringify(e));
        else {
          const rows = Object.entries(e.bySource).map(([s, v]) => [s, v.objects, fmtMB(v.bytes)]);
          rows.push(['total', e.objects, fmtMB(e.bytes)]);
          for (const l of table(['source', 'objects', 'bytes'], rows)) out(l);
          out(`≈ ${e.estimatedDocuments} documents (from ${e.sampled} sampled objects); ${e.listCalls} list calls over ${e.prefixes} partition prefixes; nothing indexed (dry run)`);
        }
        return;
      }
      const url = flags.opensearch ?? process.env.OPENSEARCH_URL;
      if (!url) return fail(2, 'no OpenSearch URL: pass --opensearch or set OPENSEARCH_URL (or use --dry-run)');
      const signing = signingRegion({ explicit: flags.osRegion ?? (process.env.OPENSEARCH_REGION || undefined), endpoint: url, fallback: process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION });
      if (flags.auth !== 'none' && signing.problem) return fail(2, `--os-region: ${signing.problem}`);
      if (flags.auth !== 'none' && !signing.region) return fail(2, `--auth ${flags.auth} needs --os-region or AWS_REGION (the endpoint names no Region)`);
      const client = createOpenSearchClient({ node: url, auth: flags.auth, region: signing.region, requestTimeoutMs: 60_000 });
      const checkpointPath =
        flags.checkpoint ?? path.join('.tributary', 'checkpoints', `replay-${replayFingerprint(store.url, flags.from, filter, flags.indexPrefix)}.json`);
      const abort = new AbortController();
      let sigints = 0;
      const onSigint = () => {
        sigints++;
        if (sigints === 1) {
          process.stderr.write('\ninterrupted: finishing the objects in flight and writing the checkpoint (Ctrl-C again to quit now)\n');
          abort.abort();
        } else {
          process.stderr.write(`\nquitting; the checkpoint ${checkpointPath} is at most 1 s old. Resume with the same command and --resume\n`);
          process.exit(130);
        }
      };
      process.on('SIGINT', onSigint);
      let result: ReplayResult;
      try {
        result = await runReplay({
          archive: store,
          from: flags.from,
          filter,
          indexPrefix: flags.indexPrefix,
          transport: bulkTransport(client),
          bulk: { ...DEFAULT_BULK, omitIds: flags.auth === 'sigv4-aoss' },
          concurrency: flags.concurrency,
          rate: flags.rate,
          checkpointPath,
          resume: flags.resume,
          signal: abort.signal,
          streamRegion: flags.streamRegion ?? process.env.AWS_REGION,
          maxDecompressedBytes: flags.maxDecompressedBytes,
          aggregators: flags.aggregatorAccounts,
          enricher: flags.from === 'raw' ? cliEnricher(flags) : undefined,
          redaction: cliRedactor(flags),
          progress: { intervalMs: flags.progressInterval * 1000 },
        });
      } catch (e) {
        return fail(1, (e as Error).message);
      } finally {
        process.off('SIGINT', onSigint);
        await client.close();
      }
      if (flags.json) out(JSON.stringify(result));
      else for (const l of formatReplayResult(result)) out(l);
      if (result.interrupted || result.aborted || result.failedObjects.length) {
        const why = result.interrupted ? 'interrupted' : (result.aborted ?? `${result.failedObjects.length} objects failed`);
        process.stderr.write(`tributary replay: ${why}. Checkpoint: ${checkpointPath} — run the same command with --resume to continue.\n`);
        process.exit(result.interrupted ? 130 : 1);
      }
    });
}
