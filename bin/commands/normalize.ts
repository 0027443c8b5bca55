/**
 * `tributary normalize`: raw logs or whole envelopes in, one normalized JSON document per line out.
 * This is the contract other checks rely on: keep flags and output stable.
 */
import { once } from 'node:events';
import { accessSync, constants, createReadStream, statSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { Command, Option } from 'commander';
import { CHUNK_EVENTS, ChunkNormalizer, normalizeInChunks } from '../../lib/core/chunks';
import { readInputParts, STREAM_CHUNK_EVENTS, type StreamOptions } from '../../lib/local/input-stream';
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

/**
 * Fails with a usage error (exit 2, before any output) when an input cannot be read: missing,
 * unreadable, a directory. A file that vanishes after this check fails while it is read.
 */
function checkReadable(path: string): void {
  if (path === '-') return;
  try {
    accessSync(path, constants.R_OK);
    if (statSync(path).isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
  } catch (e) {
    throw new UsageError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/** Read size of input files: fewer, larger reads (the default 64 KiB costs throughput). */
const READ_CHUNK = 1024 * 1024;

/**
 * Normalizes the inputs, streamed (`lib/local/input-stream.ts`: bounded chunks, never a whole
 * file in memory), writing one NDJSON line per document to `out` as each chunk is normalized (awaiting
 * `out` when it returns a promise: back-pressure), and returns the counts per source.
 * @example const totals = await runNormalize(['vpc.log'], { source: 'auto' }, (line) => lines.push(line))
 */
export async function runNormalize(
  paths: string[],
  flags: NormalizeFlags,
  out: (line: string) => unknown,
  now = new Date(),
  io: { stdin?: Readable } & StreamOptions = {},
) {
  const totals = new Map<string, Counts>();
  const add = (source: string, c: Counts) => {
    const t = totals.get(source) ?? { received: 0, documents: 0, dropped: 0, failed: 0 };
    for (const k of Object.keys(c) as (keyof Counts)[]) t[k] += c[k];
    totals.set(source, t);
  };
  // Awaits `out` only when it returns a promise (back-pressure): an await per line would cost a tick each.
  const writeLines = async (lines: readonly string[]) => {
    for (const line of lines) {
      const p = out(line);
      if (p instanceof Promise) await p;
    }
  };
  const write = (docs: readonly object[]) => writeLines(docs.map((d) => JSON.stringify(d)));
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
  const options = { now, includeOriginal: flags.original, aggregators: flags.aggregatorAccounts, enricher, redaction };
  const fallback: SourceId = flags.source === 'auto' ? 'app' : flags.source;
  for (const path of inputs) checkReadable(path); // unreadable → exit 2, no partial output
  for (const path of inputs) {
    const body = path === '-' ? (io.stdin ?? process.stdin) : createReadStream(path, { highWaterMark: READ_CHUNK });
    // One input's chunks are normalized as one input: the first chunk decides its source and header.
    let chunks: ChunkNormalizer | undefined;
    for await (const part of readInputParts(body, path === '-' ? 'stdin' : path, overrides, io)) {
      if (part.type === 'chunk') {
        chunks ??= new ChunkNormalizer(part.context, flags.source, options);
        // Serialized slice by slice, each line going to `out` as its document is serialized: documents
        // and lines die young (less for the garbage collector to copy than a chunk's lines held to the
        // end, 1.6% of ALB). Once `out` asks to wait, the rest of the chunk is held and written after:
        // one chunk ahead of the writer at most.
        let wait: Promise<unknown> | undefined;
        const held: string[] = [];
        const emit = (line: string) => {
          if (wait) held.push(line);
          else {
            const p = out(line);
            if (p instanceof Promise) wait = p;
          }
        };
        const r = chunks.normalizeSliced(part.events, (docs) => {
          for (const d of docs) emit(JSON.stringify(d));
        });
        for (const d of r.failures) emit(JSON.stringify(d));
        if (wait) {
          await wait;
          await writeLines(held);
        }
        add(r.source, r.counts);
        continue;
      }
      const decoded = part.decoded;
      if (decoded.dropped) add('envelope', { received: decoded.dropped, documents: 0, dropped: decoded.dropped, failed: 0 });
      for (const u of decoded.unusable) {
        await write([failureDocument(fallback, { message: u.original, key: u.key }, overrides, u.message, 'envelope_error', now, undefined, redaction)]);
        add(fallback, { received: 1, documents: 0, dropped: 0, failed: 1 });
      }
      // A CloudWatch Logs payload (at most 10,000 events) is one batch, as the transformer normalizes it;
      // the records of a JSON document go in chunks like a stream's, so their documents stay few at once.
      const chunkEvents = decoded.kind === 'firehose' || decoded.kind === 'cloudwatch' ? CHUNK_EVENTS : STREAM_CHUNK_EVENTS;
      for (const batch of decoded.batches) {
        for (const r of normalizeInChunks({ events: batch.events, context: batch.context, source: flags.source }, options, chunkEvents)) {
          await write(r.documents);
          await write(r.failures);
          add(r.source, r.counts);
        }
      }
    }
  }
  return totals;
}

/** Bytes per write to stdout: one write per document would be one stream request per line. */
const STDOUT_BATCH = 256 * 1024;

/**
 * Lines to a stream, in writes of about `STDOUT_BATCH` bytes, waiting for 'drain' when the stream
 * asks: a slow reader (a pipe to a slow consumer) holds the normalizing back instead of letting the
 * output pile up in memory. Each line is encoded straight into the pending buffer (UTF-8 needs at
 * most 3 bytes per UTF-16 unit: a line that might not fit first sends what is pending; a line longer
 * than the buffer goes alone), not joined with the others into a string the stream encodes again.
 * @example const w = lineWriter(process.stdout); await runNormalize(files, flags, w.line); await w.flush();
 */
export function lineWriter(stream: NodeJS.WritableStream): { line(s: string): Promise<void> | undefined; flush(): Promise<void> } {
  let buf = Buffer.allocUnsafe(STDOUT_BATCH);
  let off = 0;
  // The stream keeps the chunk until it is written: a fresh buffer for what follows.
  const send = (): boolean => {
    const chunk = buf.subarray(0, off);
    buf = Buffer.allocUnsafe(STDOUT_BATCH);
    off = 0;
    return stream.write(chunk);
  };
  const drained = async () => {
    await once(stream, 'drain');
  };
  return {
    line(s) {
      const most = 3 * s.length + 1;
      let ok = true;
      if (off + most > buf.length && off > 0) ok = send();
      if (most > buf.length) ok = stream.write(s + '\n') && ok;
      else {
        off += buf.write(s, off);
        buf[off++] = 0x0a;
      }
      return ok ? undefined : drained();
    },
    flush: () => (off && !send() ? drained() : Promise.resolve()),
  };
}

export function registerNormalize(program: Command): void {
  program
    .command('normalize')
    .description(
      'Normalize raw log lines, or whole envelopes (a gzipped or decoded CloudWatch Logs subscription payload, the ' +
        '{"awslogs":{"data":...}} event of a subscription Lambda, a Firehose transformation event, a CloudTrail file), and print one JSON document per line. Failures are printed too, as ' +
        'event.kind=pipeline_error documents. A summary per source goes to stderr. Inputs are streamed (gzip too) in chunks of ' +
        '500 events (as S3 ingest), documents written as they are made: memory stays bounded (under 256 MB) whatever the input size.',
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
        'Memory: lines (and CloudTrail records) are streamed, each at most 8 MiB (a longer one is one failure document);\n' +
        'a whole JSON envelope (Firehose event, CloudWatch Logs payload) is parsed whole up to 32 MiB, larger ones line by line.\n\n' +
        'Exit status: 0 when the input was read (per-record failures included, a gzip corrupt partway too: one failure\n' +
        'for the rest), 2 on usage errors or unreadable files (checked before anything is written).',
    )
    .action(async (files: string[], flags: NormalizeFlags) => {
      let totals;
      const stdout = lineWriter(process.stdout);
      try {
        totals = await runNormalize(files, flags, stdout.line);
        await stdout.flush();
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
