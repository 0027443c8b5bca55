/**
 * Log files for the `cli normalize <source>` scenario (and for measuring `tributary normalize` /
 * `tributary ingest` by hand): what a user hands the CLI, written by streaming so a 1 GB file costs
 * the generator no more memory than a 1 MB one. VPC Flow Logs, ALB and audit files are lines; a
 * CloudTrail file is one `{"Records":[...]}` document, as CloudTrail writes it to S3.
 *
 *   npx tsx bench/cli-files.ts <vpc-v2|alb|cloudtrail|audit> <MB> <file>
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { SOURCES, START } from './data';
import { Rng } from '../samples/generate';

/** Sources the CLI scenario measures. */
export const CLI_SOURCES = ['vpc-v2', 'alb', 'cloudtrail', 'audit'] as const;
export type CliSource = (typeof CLI_SOURCES)[number];

/**
 * Writes about `targetBytes` of `source` logs (uncompressed) to `file`; returns its events and bytes.
 * @example await writeCliFile('alb', 50 * 1024 * 1024, '.cache/bench/cli-alb-50mb.log') // { events: 113000, bytes: 52_500_000 }
 */
export async function writeCliFile(source: CliSource, targetBytes: number, file: string, seed = 11): Promise<{ events: number; bytes: number }> {
  const spec = SOURCES.find((s) => s.name === source);
  if (!spec) throw new Error(`unknown source ${source}`);
  const out = createWriteStream(file);
  const write = async (s: string) => {
    if (!out.write(s)) await once(out, 'drain');
  };
  const rng = new Rng(seed);
  const records = source === 'cloudtrail';
  let events = 0;
  let bytes = 0;
  if (records) await write('{"Records":[');
  while (bytes < targetBytes) {
    // Successive batches continue in time, so the file spans hours like a real one.
    const batch = spec.events(rng, 2000, START + events * 50).map((e) => e.message);
    const text = records ? (events ? ',' : '') + batch.join(',') : batch.join('\n') + '\n';
    events += batch.length;
    bytes += Buffer.byteLength(text);
    await write(text);
  }
  if (records) await write(']}\n');
  out.end();
  await once(out, 'finish');
  return { events, bytes };
}

if (require.main === module) {
  const [source, mb, file] = process.argv.slice(2);
  if (!CLI_SOURCES.includes(source as CliSource) || !Number(mb) || !file) {
    console.error(`usage: tsx bench/cli-files.ts <${CLI_SOURCES.join('|')}> <MB> <file>`);
    process.exit(2);
  }
  writeCliFile(source as CliSource, Number(mb) * 1024 * 1024, file).then((r) => console.log(JSON.stringify(r)));
}
