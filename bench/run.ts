/**
 * `npm run bench`: throughput, memory and cold start of every Tributary path, against the floors of
 * `bench/floors.ts`, in one run on the same generated data. Not part of `npm test`.
 *
 *   npm run bench [-- options]
 *     --runs N           measured runs per CPU scenario, median reported (default 5)
 *     --records R        CloudWatch payloads per Firehose event (default 4, ~1 MB of log text each)
 *     --sources a,b      subset of: vpc-v2 vpc-v5 alb cloudtrail lambda audit json-app apigateway inspector config securityhub guardduty cloudfront s3access waf route53resolver networkfirewall
 *     --ingest-mb M      size of the ALB object of the S3 ingest scenario, uncompressed (default 200)
 *     --big              the same with 1024 MB (the bounded-memory claim)
 *     --ingest-heap L    heap sizes of the ingest runs, MB, 0 = V8's default (default "0,160": two runs)
 *     --opensearch URL   OpenSearch for the indexer scenario (default: $OPENSEARCH_URL, .cache/services.env,
 *                        then http://127.0.0.1:9200); skipped with a note when none answers
 *     --cli-mb M         size of each generated file of the `cli normalize` scenario, uncompressed (default 50;
 *                        --big: 1024)
 *     --skip ingest,indexer,coldstart,cpu,bomb,cli
 *     --profile SOURCE   also write a CPU profile of the transformer on SOURCE and print its top frames
 *     --render           only rewrite bench/RESULTS.md from bench/results/latest*.json
 *
 * Every measuring process runs pinned to core 0 (`taskset -c 0`) when taskset exists; the local S3
 * endpoint the ingest/indexer scenarios read from runs in this (unpinned) process.
 * Output: a table on stdout, `bench/results/latest.json` + a dated copy (array of rows, see
 * `bench/stats.ts`), and the meta data (machine, load) in `bench/results/latest.meta.json`.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createGzip, gzipSync } from 'node:zlib';
import { BENCH_MAPPINGS, buildSource, SOURCES, writeAlbFile } from './data';
import { CLI_SOURCES, writeCliFile } from './cli-files';
import type { BombResult, CpuResult } from './measure';
import { topFrames } from './profile';
import { startS3Sink, type StoredObject } from './s3-server';
import { LAMBDA_MEMORY_MB, LAMBDA_USD_PER_GB_S, lambdaCostPerGb, median, round, type Row } from './stats';
import { decodeOutputData } from '../lib/transform';

const ROOT = path.resolve(__dirname, '..');
const RESULTS = path.join(ROOT, 'bench/results');
const WORK = path.join(ROOT, '.cache/bench');
const MB = 1024 * 1024;

const argv = process.argv.slice(2);
const flag = (name: string) => argv.includes(`--${name}`);
const opt = (name: string, fallback: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1] : fallback;
};
const runs = Number(opt('runs', '5'));
const records = Number(opt('records', '4'));
const sources = opt('sources', SOURCES.map((s) => s.name).join(','));
const ingestMb = flag('big') ? 1024 : Number(opt('ingest-mb', '200'));
/** Ingest runs: 0 = V8's default heap, N = `--max-old-space-size=N` (shows the live set is bounded). */
const ingestHeaps = opt('ingest-heap', '0,160').split(',').map(Number);
const skip = new Set(opt('skip', '').split(',').filter(Boolean));
const profileSource = opt('profile', '');

const hasTaskset = spawnSync('taskset', ['-c', '0', 'true']).status === 0;
const pin = (cmd: string[]) => (hasTaskset ? ['taskset', '-c', '0', ...cmd] : cmd);
/**
 * The measuring script, bundled by esbuild like a Lambda function is (plain JS: no TypeScript loader
 * in the measured process, its memory or its profile).
 */
const bundled = new Map<boolean, string>();
async function measureBundle(withMap: boolean): Promise<string> {
  if (bundled.has(withMap)) return bundled.get(withMap)!;
  const esbuild = await import('esbuild');
  const outfile = path.join(WORK, withMap ? 'measure-map.js' : 'measure.js');
  // The inline map (for profiles only) would add megabytes of source text to the measured memory.
  await esbuild.build({ entryPoints: [path.join(ROOT, 'bench/measure.ts')], bundle: true, platform: 'node', target: 'node20', outfile, sourcemap: withMap ? 'inline' : false, logLevel: 'error' });
  bundled.set(withMap, outfile);
  return outfile;
}
const tsNode = async (_script: string, extra: string[] = [], withMap = false) => [process.execPath, ...extra, await measureBundle(withMap)];

/** Runs a measuring process; async, because the local S3 endpoint it reads from lives in this process. */
async function runChild(cmd: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 3_600_000): Promise<void> {
  const child = spawn(cmd[0], cmd.slice(1), { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit'] });
  const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
  const [code, signal] = (await once(child, 'exit')) as [number | null, string | null];
  clearTimeout(timer);
  if (code !== 0) throw new Error(`${cmd.slice(0, 6).join(' ')} … exited with ${code ?? signal}`);
}

const rows: Row[] = [];
const notes: string[] = [];
const load: number[][] = [os.loadavg()];
const row = (r: Row) => {
  r.lambda_usd_per_gb ??= r.mb_per_s !== null && /^(transformer|parser|s3ingest)/.test(r.scenario) ? round(lambdaCostPerGb(r.mb_per_s), 4) : null;
  rows.push(r);
};

// ---------------------------------------------------------------------------------------------- CPU
let cpu: CpuResult[] = [];
async function cpuScenarios(): Promise<void> {
  const out = path.join(WORK, 'cpu.json');
  console.log(`\n== CPU scenarios (${sources}; ${records} records of ~1 MB per Firehose event; ${runs} runs)`);
  await runChild(pin((await tsNode('bench/measure.ts')).concat(['cpu', '--sources', sources, '--runs', String(runs), '--records', String(records), '--out', out])));
  cpu = JSON.parse(readFileSync(out, 'utf8')) as CpuResult[];
  for (const c of cpu) {
    const eps = (k: keyof CpuResult['seconds']) => c.events / median(c.seconds[k]);
    const mbps = (k: keyof CpuResult['seconds']) => c.rawBytes / MB / median(c.seconds[k]);
    // Paired ratios (same run, same data), median: robust when the machine's load drifts.
    const ratio = (k: keyof CpuResult['seconds']) => median(c.seconds.floor.map((d, i) => d / c.seconds[k][i]));
    const unit = c.source === 'audit' ? 'records' : 'events';
    row({ scenario: `floor firehose ${c.source}`, events_per_s: round(eps('floor')), mb_per_s: round(mbps('floor'), 1), ratio_to_floor: 1, peak_rss_mb: null });
    row({ scenario: `floor archive ${c.source}`, events_per_s: round(eps('archive')), mb_per_s: round(mbps('archive'), 1), ratio_to_floor: round(ratio('archive'), 3), peak_rss_mb: null });
    // Redaction (default rules) is part of every transformer row; measured without it too, reported in the note.
    const redaction = median(c.seconds.unredacted.map((u, i) => c.seconds.transform[i] / u));
    row({
      scenario: `transformer ${c.source}`,
      events_per_s: round(eps('transform')),
      mb_per_s: round(mbps('transform'), 1),
      ratio_to_floor: round(ratio('transform'), 3),
      peak_rss_mb: null,
      note:
        `${c.events} ${unit} in ${c.records} records (${(c.eventBytes / MB).toFixed(2)} MB event); ${c.budget.ok}/${c.records} records fit the 5.5 MiB response budget; ` +
        `redaction (default rules) costs ${round(redaction, 3)}x (without it: ratio ${round(ratio('unredacted'), 2)}); tally ${JSON.stringify(c.tally)}`,
    });
    const e = c.enrichment;
    const cost = median(c.seconds.transform.map((t, i) => c.seconds.enriched[i] / t));
    row({
      scenario: `transformer ${c.source} +enrichment`,
      events_per_s: round(eps('enriched')),
      mb_per_s: round(mbps('enriched'), 1),
      ratio_to_floor: round(ratio('enriched'), 3),
      peak_rss_mb: null,
      note:
        `${round(cost, 3)}x the transformer's time; ${e.documents ? Math.round((100 * e.enriched) / e.documents) : 0}% of documents got fields; ` +
        `user agents: ${e.uaHits + e.uaMisses ? ((100 * e.uaHits) / (e.uaHits + e.uaMisses)).toFixed(1) : '-'}% cache hits (${e.uaMisses} parsed, ${e.uaSkipped} too long); ` +
        `addresses: ${e.ipHits + e.ipMisses ? ((100 * e.ipHits) / (e.ipHits + e.ipMisses)).toFixed(1) : '-'}% cache hits (${e.ipMisses} looked up)` +
        (e.loadMs !== undefined ? `; databases loaded in ${Math.round(e.loadMs)} ms (once per container)` : ''),
    });
    row({ scenario: `parser ${c.source}`, events_per_s: round(eps('parser')), mb_per_s: round(mbps('parser'), 1), ratio_to_floor: round(ratio('parser'), 3), peak_rss_mb: null });
    // What no transformer writing these documents can beat: the floor's work over them, made for free.
    row({
      scenario: `ceiling firehose ${c.source}`,
      events_per_s: round(eps('ceiling')),
      mb_per_s: round(mbps('ceiling'), 1),
      ratio_to_floor: round(ratio('ceiling'), 3),
      peak_rss_mb: null,
      note: `the firehose floor's work over the transformer's own documents (${c.documentBytes.plain} bytes each), made beforehand: the best ratio a transformer writing them can reach`,
    });
    const archiveCeiling = median(c.seconds.archive.map((a, i) => a / c.seconds.ceilingArchive[i]));
    row({
      scenario: `ceiling firehose ${c.source} +enrichment`,
      events_per_s: round(eps('ceilingEnriched')),
      mb_per_s: round(mbps('ceilingEnriched'), 1),
      ratio_to_floor: round(ratio('ceilingEnriched'), 3),
      peak_rss_mb: null,
      note: `the same over the enriched documents (${c.documentBytes.enriched} bytes each); S3 ingest's ceiling (the archive floor's work over them): ${round(archiveCeiling, 3)} of the archive floor`,
    });
  }
}

// ------------------------------------------------------------------------------------------ profile
async function profile(): Promise<void> {
  const dir = path.join(WORK, 'profiles');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  console.log(`\n== CPU profile of the transformer on ${profileSource}`);
  await runChild(pin((await tsNode('bench/measure.ts', ['--cpu-prof', '--cpu-prof-dir', dir], true)).concat(['cpu', '--sources', profileSource, '--only', 'transform', '--runs', String(runs), '--records', String(records), '--out', path.join(WORK, 'profile.json')])));
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) return void notes.push('profile: no .cpuprofile written');
  const lines = topFrames(path.join(dir, file), 25).map((f) => `${f.selfPct.toFixed(1).padStart(5)}%  ${f.fn}  ${f.where}`);
  console.log(`(transformer only on ${profileSource}, self time; file ${path.relative(ROOT, path.join(dir, file))})\n${lines.join('\n')}`);
  writeFileSync(path.join(WORK, `profile-${profileSource}.txt`), lines.join('\n') + '\n');
}

// ------------------------------------------------------------------------------------------- ingest
async function ingestScenario(): Promise<void> {
  mkdirSync(WORK, { recursive: true });
  const file = path.join(WORK, `alb-${ingestMb}mb.log.gz`);
  const metaFile = `${file}.json`;
  let meta: { lines: number; rawBytes: number };
  if (existsSync(file) && existsSync(metaFile)) meta = JSON.parse(readFileSync(metaFile, 'utf8'));
  else {
    console.log(`\n== generating a ${ingestMb} MB ALB log (gzip, cached in ${path.relative(ROOT, file)})`);
    meta = await writeAlbFile(file, ingestMb * MB);
    writeFileSync(metaFile, JSON.stringify(meta));
  }
  const key = 'AWSLogs/111122223333/elasticloadbalancing/us-east-1/2026/03/01/111122223333_elasticloadbalancing_us-east-1_app.orders-alb.bench_20260301T1000Z_10.0.0.1_bench.log.gz';
  const sink = await startS3Sink(new Map<string, StoredObject>([[`bench-logs/${key}`, { file }]]));
  try {
   for (const heap of ingestHeaps) {
    console.log(`\n== S3 ingest of ${ingestMb} MB ALB (${meta.lines} lines, ${(statSync(file).size / MB).toFixed(1)} MB gzip)${heap ? `, heap capped at ${heap} MB` : ''}`);
    const out = path.join(WORK, 'ingest.json');
    sink.received.clear();
    await runChild(pin((await tsNode('bench/measure.ts', heap ? [`--max-old-space-size=${heap}`] : [])).concat(['ingest', '--bucket', 'bench-logs', '--key', key, '--out', out])), {
      AWS_ENDPOINT_URL: sink.url,
      AWS_ACCESS_KEY_ID: 'bench',
      AWS_SECRET_ACCESS_KEY: 'bench',
      AWS_REGION: 'us-east-1',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    });
    const r = JSON.parse(readFileSync(out, 'utf8')) as { seconds: number; tally: Record<string, number>; maxRssKb: number; baselineRssKb: number };
    const written = [...sink.received.values()].reduce((a, b) => a + b, 0);
    if (r.tally.received !== meta.lines) notes.push(`ingest: received ${r.tally.received} of ${meta.lines} lines`);
    const floorAlb = cpu.find((c) => c.source === 'alb');
    const eps = meta.lines / r.seconds;
    const floorEps = floorAlb ? floorAlb.events / median(floorAlb.seconds.archive) : undefined;
    const ceiling = floorAlb?.seconds.ceilingArchive.length ? median(floorAlb.seconds.archive.map((a, i) => a / floorAlb.seconds.ceilingArchive[i])) : undefined;
    row({
      scenario: `s3ingest alb ${ingestMb}MB${heap ? ` (heap cap ${heap} MB)` : ''}`,
      events_per_s: round(eps),
      mb_per_s: round(meta.rawBytes / MB / r.seconds, 1),
      ratio_to_floor: floorEps ? round(eps / floorEps, 3) : null,
      peak_rss_mb: round(r.maxRssKb / 1024, 1),
      note: `as deployed (enrichment on, default chunks); vs the archive floor on ALB (${floorEps ? Math.round(floorEps) : 'n/a'} events/s${ceiling ? `; ceiling ${round(ceiling, 3)}: the archive floor's work over the enriched documents, made for free` : ''}); tally ${JSON.stringify(r.tally)}; ${(written / MB).toFixed(1)} MB gzip NDJSON uploaded; RSS before ingest ${(r.baselineRssKb / 1024).toFixed(0)} MB`,
    });
   }
  } finally {
    await sink.close();
  }
}

// -------------------------------------------------------------------------------------------- bombs
/**
 * Peak RSS a hostile input may cost a function with 1,024 MB (transformer, S3 ingest; serverless.yml):
 * an input refused by a bound (a gzip bomb, a structure bomb, an over-long line) at most a quarter of
 * it; the largest payload still accepted (50,000 small JSON events in 8 MiB, `lib/core/limits.ts`) at
 * most half. Each case runs in its own pinned process with the DEFAULT bounds; the row says whether
 * its peak stayed within its bound (a fact, not a timed test).
 */
const BOMB_RSS_BOUND_MB = 256;
const ACCEPTED_RSS_BOUND_MB = 512;

/** Gzip of `parts` (strings, or [byte, count] runs written 1 MiB at a time), streamed to a file. */
async function gzipFile(file: string, parts: Array<string | [string, number]>): Promise<number> {
  const { createWriteStream } = await import('node:fs');
  const { pipeline } = await import('node:stream/promises');
  async function* chunks() {
    for (const p of parts) {
      if (typeof p === 'string') yield Buffer.from(p);
      else for (let left = p[1]; left > 0; left -= MB) yield Buffer.alloc(Math.min(MB, left), p[0]);
    }
  }
  await pipeline(chunks(), createGzip({ level: 9 }), createWriteStream(file));
  return statSync(file).size;
}

async function bombScenario(): Promise<void> {
  const dir = path.join(WORK, 'bombs');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(path.join(dir, 'logs'), { recursive: true });
  const payload = (messageParts: Array<string | [string, number]>): Array<string | [string, number]> => [
    '{"messageType":"DATA_MESSAGE","owner":"111122223333","logGroup":"/app/bomb","logStream":"s","subscriptionFilters":["f"],"logEvents":[{"id":"1","timestamp":1772359200000,"message":"',
    ...messageParts,
    '"}]}',
  ];
  const firehoseEvent = async (name: string, parts: Array<string | [string, number]>) => {
    const gz = path.join(dir, `${name}.gz`);
    const bytes = await gzipFile(gz, parts);
    const event = { invocationId: 'bomb', deliveryStreamArn: 'arn:aws:firehose:us-east-1:111122223333:deliverystream/bench', region: 'us-east-1', records: [{ recordId: '1', approximateArrivalTimestamp: 1772359200000, data: readFileSync(gz).toString('base64') }] };
    const file = path.join(dir, `${name}.json`);
    writeFileSync(file, JSON.stringify(event));
    return { file, bytes };
  };
  const cases: Array<{ scenario: string; args: string[]; input: string; bound?: number }> = [];
  for (const mb of [300, 600]) {
    const e = await firehoseEvent(`transform-${mb}`, payload([['x', mb * MB]]));
    cases.push({ scenario: `bomb: transformer, gzip record → ${mb} MB`, args: ['--case', 'transform', '--file', e.file], input: `one ${(e.bytes / 1024).toFixed(0)} KB gzip record inflating to ${mb} MB` });
  }
  // Under the byte bound, but millions of nested arrays: parse memory follows containers, not bytes.
  const nested = await firehoseEvent('transform-nested', ['{"messageType":"DATA_MESSAGE","logEvents":[', ['[', 3.5 * MB], [']', 3.5 * MB], ']}']);
  cases.push({ scenario: 'bomb: transformer, 7 MB of nested arrays', args: ['--case', 'transform', '--file', nested.file], input: `one ${(nested.bytes / 1024).toFixed(0)} KB gzip record: 3.5 Mi nested arrays (7 MiB, under the 8 MiB bound)` });
  // The worst a payload can do and still be accepted: as many events as the container bound lets
  // through, each a small JSON object with as many keys as the byte bound leaves room for.
  const n = 49_990;
  const msg = '{' + Array.from({ length: 11 }, (_, k) => `\\"k${k.toString(36)}\\":1`).join(',') + '}';
  const events: string[] = [];
  for (let i = 0; i < n; i++) events.push(`{"id":"${i}","timestamp":1772359200000,"message":"${msg}"}`);
  const accepted = await firehoseEvent('transform-accepted', [
    `{"messageType":"DATA_MESSAGE","owner":"111122223333","logGroup":"/app/bomb","logStream":"s","subscriptionFilters":["f"],"logEvents":[${events.join(',')}]}`,
  ]);
  cases.push({ scenario: 'worst accepted: transformer, 50k JSON events', args: ['--case', 'transform', '--file', accepted.file], input: `one ${(accepted.bytes / 1024).toFixed(0)} KB gzip record: ${n} events of 11-key JSON in ~7.5 MiB`, bound: ACCEPTED_RSS_BOUND_MB });
  // S3 ingest: one 1 GiB line (no newline) between two good lines.
  const key = 'AWSLogs/111122223333/elasticloadbalancing/us-east-1/2026/03/01/111122223333_elasticloadbalancing_us-east-1_app.bomb_20260301T1000Z_10.0.0.1_bomb.log.gz';
  mkdirSync(path.dirname(path.join(dir, 'logs', key)), { recursive: true });
  const line = 'http 2026-03-01T10:00:00.000000Z app/bomb/50dc6c495c0c9188 192.0.2.10:2817 10.0.0.1:80 0.000 0.001 0.000 200 200 34 366 "GET http://www.example.com:80/ HTTP/1.1" "curl/7.46.0" - - arn:aws:elasticloadbalancing:us-east-1:111122223333:targetgroup/t/73e2d6bc24d8a067 "Root=1-58337262-36d228ad5d99923122bbe354" "-" "-" 0 2026-03-01T10:00:00.000000Z "forward" "-" "-" "10.0.0.1:80" "200" "-" "-"\n';
  const objBytes = await gzipFile(path.join(dir, 'logs', key), [line, ['y', 1024 * MB], '\n', line]);
  cases.push({ scenario: 'bomb: s3 ingest, one 1 GiB line', args: ['--case', 'ingest', '--dir', path.join(dir, 'logs'), '--key', key], input: `a ${(objBytes / 1024 / 1024).toFixed(1)} MB gzip ALB object: a line, one 1 GiB line without a newline, a line` });

  console.log(`\n== bombs (default bounds; peak RSS bound ${BOMB_RSS_BOUND_MB} MB, ${ACCEPTED_RSS_BOUND_MB} MB for the worst accepted payload)`);
  for (const c of cases) {
    const out = path.join(dir, 'result.json');
    await runChild(pin((await tsNode('bench/measure.ts')).concat(['bomb', ...c.args, '--out', out])));
    const r = JSON.parse(readFileSync(out, 'utf8')) as BombResult;
    const bound = c.bound ?? BOMB_RSS_BOUND_MB;
    const peak = r.maxRssKb / 1024;
    const within = peak <= bound;
    if (!within) notes.push(`${c.scenario}: peak RSS ${peak.toFixed(0)} MB is OVER the ${bound} MB bound`);
    console.log(`${c.scenario}: peak RSS ${peak.toFixed(0)} MB (${within ? 'within' : 'OVER'} ${bound} MB); ${r.outcome}`);
    row({
      scenario: c.scenario,
      events_per_s: null,
      mb_per_s: null,
      ratio_to_floor: null,
      peak_rss_mb: round(peak, 1),
      note: `${c.input} → ${r.outcome}; tally ${JSON.stringify(r.tally)}; RSS before ${(r.baselineRssKb / 1024).toFixed(0)} MB; peak ${within ? 'within' : 'OVER'} the ${bound} MB bound`,
    });
  }
}

// ---------------------------------------------------------------------------------------------- cli
const cliMb = flag('big') ? 1024 : Number(opt('cli-mb', '50'));

/**
 * `tributary normalize <file>` with the bundled CLI (dist/tributary.js, rebuilt first when stale), in
 * a pinned child process writing to /dev/null, on a generated file per source (VPC Flow Logs v2, ALB,
 * a CloudTrail `{"Records":[...]}` file, audit lines; cached in .cache/bench). The child reports its
 * own peak RSS (`process.resourceUsage().maxRSS`) and time; the streaming CLI's claim is a peak under
 * 256 MB whatever the file's size (`--big`: 1 GB files).
 */
async function cliScenario(): Promise<void> {
  const wanted = CLI_SOURCES.filter((s) => sources.split(',').includes(s));
  if (!wanted.length) return;
  const launch = spawnSync(process.execPath, [path.join(ROOT, 'bin/tributary.js'), '--version'], { cwd: ROOT, env: { ...process.env, TRIBUTARY_LAUNCH_DEBUG: '1' }, encoding: 'utf8' });
  if (!/dist\/tributary\.js/.test(launch.stderr)) {
    console.log(`\n== building the CLI bundle (${launch.stderr.trim()})`);
    execFileSync(process.execPath, [path.join(ROOT, 'node_modules/tsx/dist/cli.mjs'), 'scripts/build.ts'], { cwd: ROOT, stdio: 'inherit' });
  }
  // Runs the bundle's main like bin/tributary.js, and reports what the process cost on exit.
  const launcher = path.join(WORK, 'cli-launch.js');
  writeFileSync(
    launcher,
    `const t=process.hrtime.bigint();const out=process.env.CLI_BENCH_OUT;` +
      `process.on('exit',()=>require('node:fs').writeFileSync(out,JSON.stringify({seconds:Number(process.hrtime.bigint()-t)/1e9,maxRssKb:process.resourceUsage().maxRSS})));` +
      `require(${JSON.stringify(path.join(ROOT, 'dist/tributary.js'))}).main(process.argv).catch((e)=>{console.error(e);process.exit(1)});`,
  );
  console.log(`\n== cli normalize (bundled CLI, ${cliMb} MB file per source, stdout to /dev/null)`);
  for (const source of wanted) {
    const file = path.join(WORK, `cli-${source}-${cliMb}mb.log`);
    const metaFile = `${file}.json`;
    let meta: { events: number; bytes: number };
    if (existsSync(file) && existsSync(metaFile)) meta = JSON.parse(readFileSync(metaFile, 'utf8'));
    else {
      console.log(`generating ${path.relative(ROOT, file)}`);
      meta = await writeCliFile(source, cliMb * MB, file);
      writeFileSync(metaFile, JSON.stringify(meta));
    }
    const out = path.join(WORK, 'cli.json');
    const child = spawn(pin([process.execPath, launcher, 'normalize', file])[0], pin([process.execPath, launcher, 'normalize', file]).slice(1), {
      cwd: ROOT,
      env: { ...process.env, CLI_BENCH_OUT: out },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c));
    const [code] = (await once(child, 'exit')) as [number | null];
    if (code !== 0) throw new Error(`cli normalize ${source} exited with ${code}: ${stderr.slice(-2000)}`);
    const r = JSON.parse(readFileSync(out, 'utf8')) as { seconds: number; maxRssKb: number };
    const eps = meta.events / r.seconds;
    const floor = cpu.find((c) => c.source === source);
    const floorEps = floor ? floor.events / median(floor.seconds.archive) : undefined;
    const peak = r.maxRssKb / 1024;
    if (peak >= 256) notes.push(`cli normalize ${source}: peak RSS ${peak.toFixed(0)} MB is OVER 256 MB`);
    row({
      scenario: `cli normalize ${source}`,
      events_per_s: round(eps),
      mb_per_s: round(meta.bytes / MB / r.seconds, 1),
      ratio_to_floor: floorEps ? round(eps / floorEps, 3) : null,
      peak_rss_mb: round(peak, 1),
      note:
        `${meta.events} events in a ${(meta.bytes / MB).toFixed(0)} MB file, whole process (start, enrichment databases, output); ` +
        `ratio: vs the archive floor of the CPU scenario on the same generator's ${source} data (${floorEps ? Math.round(floorEps) + ' events/s' : 'not run: null'}); ` +
        `${stderr.trim().split('\n').pop()}`,
    });
  }
}

// ------------------------------------------------------------------------------------------ indexer
async function findOpenSearch(): Promise<string | undefined> {
  const candidates: string[] = [];
  const explicit = opt('opensearch', '');
  if (explicit) candidates.push(explicit);
  if (process.env.OPENSEARCH_URL) candidates.push(process.env.OPENSEARCH_URL);
  const envFile = path.join(ROOT, '.cache/services.env');
  if (existsSync(envFile)) {
    const m = /^OPENSEARCH_URL=(.+)$/m.exec(readFileSync(envFile, 'utf8'));
    if (m) candidates.push(m[1].trim());
  }
  candidates.push('http://127.0.0.1:9200');
  for (const c of candidates) {
    try {
      const r = await fetch(c, { signal: AbortSignal.timeout(3000) });
      const j = (await r.json()) as { version?: { distribution?: string; number?: string } };
      if (j.version?.distribution === 'opensearch') return c.replace(/\/+$/, '');
    } catch {
      /* next candidate */
    }
  }
  return undefined;
}

async function indexerScenario(): Promise<void> {
  const node = await findOpenSearch();
  if (!node) {
    notes.push('indexer: SKIPPED, no OpenSearch answered (pass --opensearch URL or start `npm run services -- start`)');
    row({ scenario: 'indexer vs raw _bulk', events_per_s: null, mb_per_s: null, ratio_to_floor: null, peak_rss_mb: null, note: 'skipped: no OpenSearch reachable' });
    return;
  }
  // 20k normalized VPC documents from the transformer, as an archive object.
  const spec = SOURCES.find((s) => s.name === 'vpc-v2')!;
  const d = buildSource(spec, 2, 1_000_000, 99);
  const { transformFirehose } = await import('../lib/transform');
  const res = transformFirehose(d.event, { responseMaxBytes: Infinity, mappings: BENCH_MAPPINGS, now: new Date(Date.UTC(2026, 2, 1, 12)) });
  const ndjson = res.response.records.map((r) => (r.data ? decodeOutputData(r.data) : '')).join('');
  const key = 'normalized/source=vpcflow/account=111122223333/region=us-east-1/year=2026/month=03/day=01/hour=10/bench.ndjson.gz';
  const sink = await startS3Sink(new Map<string, StoredObject>([[`bench-archive/${key}`, { data: gzipSync(ndjson) }]]));
  const prefix = `bench-${process.pid}-${Date.now().toString(36)}`;
  const { default: mappings } = await import('../schemas/generated/mappings.json');
  let properties: Record<string, unknown> = {};
  for (const part of Object.values(mappings as Record<string, { properties: Record<string, unknown> }>)) properties = { ...properties, ...part.properties };
  const put = await fetch(`${node}/_index_template/${prefix}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ index_patterns: [`${prefix}-*`], priority: 500, template: { settings: { number_of_shards: 1, number_of_replicas: 0 }, mappings: { dynamic: false, properties } } }),
  });
  if (!put.ok) notes.push(`indexer: index template not installed (HTTP ${put.status}); default mappings used`);
  try {
    console.log(`\n== indexer vs raw _bulk against ${node} (${ndjson.split('\n').length - 1} documents)`);
    const out = path.join(WORK, 'indexer.json');
    await runChild(pin((await tsNode('bench/measure.ts')).concat(['indexer', '--opensearch', node, '--prefix', prefix, '--bucket', 'bench-archive', '--key', key, '--runs', String(Math.min(runs, 3)), '--out', out])), {
      AWS_ENDPOINT_URL: sink.url,
      AWS_ACCESS_KEY_ID: 'bench',
      AWS_SECRET_ACCESS_KEY: 'bench',
      AWS_REGION: 'us-east-1',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    });
    const r = JSON.parse(readFileSync(out, 'utf8')) as { docs: number; bytes: number; seconds: { raw: number[]; indexer: number[] } };
    const ratio = median(r.seconds.raw.map((s, i) => s / r.seconds.indexer[i]));
    row({ scenario: 'raw _bulk (baseline)', events_per_s: round(r.docs / median(r.seconds.raw)), mb_per_s: round(r.bytes / MB / median(r.seconds.raw), 1), ratio_to_floor: 1, peak_rss_mb: null, note: `${node}; same NDJSON, 2000 docs / 5 MB per request` });
    row({ scenario: 'indexer (indexObject)', events_per_s: round(r.docs / median(r.seconds.indexer)), mb_per_s: round(r.bytes / MB / median(r.seconds.indexer), 1), ratio_to_floor: round(ratio, 3), peak_rss_mb: null, note: 'S3 read + gunzip + JSON.parse + bulk core; ratio = vs raw _bulk' });
  } finally {
    await sink.close();
    await fetch(`${node}/${prefix}-*?ignore_unavailable=true&allow_no_indices=true`, { method: 'DELETE' }).catch(() => undefined);
    await fetch(`${node}/_index_template/${prefix}`, { method: 'DELETE' }).catch(() => undefined);
  }
}

// ---------------------------------------------------------------------------------------- coldstart
/** Median wall time (ms) and peak RSS (MB, from `/usr/bin/time` when present) of a command, fresh process per sample. */
function timeCommand(cmd: string[], n: number, env: NodeJS.ProcessEnv): { ms: number; rssMb: number | null } {
  const gnuTime = existsSync('/usr/bin/time');
  const ms: number[] = [];
  const rss: number[] = [];
  for (let i = 0; i < n; i++) {
    const full = pin(gnuTime ? ['/usr/bin/time', '-f', 'PEAK_RSS_KB %M', ...cmd] : cmd);
    const t = process.hrtime.bigint();
    const r = spawnSync(full[0], full.slice(1), { cwd: ROOT, env, encoding: 'utf8' });
    ms.push(Number(process.hrtime.bigint() - t) / 1e6);
    if (r.status !== 0) throw new Error(`${cmd.join(' ')} exited with ${r.status}: ${r.stderr}`);
    const m = /PEAK_RSS_KB (\d+)/.exec(r.stderr);
    if (m) rss.push(Number(m[1]) / 1024);
  }
  return { ms: median(ms), rssMb: rss.length ? median(rss) : null };
}

async function coldStart(): Promise<void> {
  const esbuild = await import('esbuild');
  const dir = path.join(WORK, 'bundles');
  rmSync(dir, { recursive: true, force: true });
  const handlers = ['transform', 's3ingest', 'indexer', 'setup', 'replay'].filter((h) => existsSync(path.join(ROOT, `handlers/${h}.ts`)));
  // `shipped`: the settings of serverless.yml's `custom.esbuild` (minified, SDK bundled), the row named `init <handler>`.
  const variants = [
    { name: 'unminified', minify: false, external: [] as string[], shipped: false },
    { name: 'serverless.yml (minified)', minify: true, external: [] as string[], shipped: true },
    { name: 'minified, SDK external', minify: true, external: ['@aws-sdk/*', '@smithy/*'], shipped: false },
  ];
  // LAMBDA_TASK_ROOT: where the function's package puts node_modules/ and dist/enrich/ (the enrichment
  // data serverless.yml packs); without it the enrichment of transform/s3ingest fails its init.
  const env = {
    LAMBDA_TASK_ROOT: ROOT,
    ARCHIVE_BUCKET: 'bench-archive',
    OPENSEARCH_URL: 'http://127.0.0.1:9',
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'x',
    AWS_SECRET_ACCESS_KEY: 'x',
    POWERTOOLS_LOG_LEVEL: 'ERROR',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
  const samplesPerHandler = 7;
  console.log(`\n== cold start: esbuild bundles (platform node, target node20) and module init (fresh process, median of ${samplesPerHandler})`);
  for (const h of handlers) {
    for (const v of variants) {
      const outfile = path.join(dir, v.name.replace(/\W+/g, '-'), `${h}.js`);
      await esbuild.build({ entryPoints: [path.join(ROOT, `handlers/${h}.ts`)], bundle: true, platform: 'node', target: 'node20', minify: v.minify, external: v.external, outfile, logLevel: 'error' });
      const kb = statSync(outfile).size / 1024;
      let init: number | null = null;
      let note = `${v.name}`;
      if (!v.external.length) {
        const samples: number[] = [];
        for (let i = 0; i < samplesPerHandler; i++) {
          // A fresh process per sample: what a Lambda cold start pays for loading and initializing the module.
          const script = `const t=process.hrtime.bigint();try{require(${JSON.stringify(outfile)})}catch(e){console.log('INIT_ERROR '+e.message)}console.log('INIT_MS '+Number(process.hrtime.bigint()-t)/1e6)`;
          const outText = execFileSync(pin([process.execPath, '-e', script])[0], pin([process.execPath, '-e', script]).slice(1), { cwd: os.tmpdir(), env: { PATH: process.env.PATH, ...env }, encoding: 'utf8' });
          const err = /INIT_ERROR (.*)/.exec(outText);
          if (err && !note.includes('init threw')) note += `; init threw: ${err[1]}`;
          samples.push(Number(/INIT_MS ([\d.]+)/.exec(outText)![1]));
        }
        init = median(samples);
      } else note += ' (init not measured: the SDK would come from the runtime)';
      const scenario = v.shipped ? `init ${h}` : `bundle ${h} (${v.name})`;
      row({ scenario, events_per_s: null, mb_per_s: null, ratio_to_floor: null, peak_rss_mb: null, bundle_kb: round(kb, 1), init_ms: round(init, 1), note: v.shipped ? `${note}; module init, target < 100 ms (issue #18)` : note });
    }
  }
  // The CLI's start-up: `tributary --help` through bin/tributary.js with the prebuilt bundle (`npm run build`),
  // against `node -e 0` in the same run (the floor no CLI can beat).
  const cliRuns = Math.max(runs, 11);
  const launcher = () => spawnSync(process.execPath, [path.join(ROOT, 'bin/tributary.js'), '--version'], { cwd: ROOT, env: { ...process.env, TRIBUTARY_LAUNCH_DEBUG: '1' }, encoding: 'utf8' }).stderr;
  // A bundle older than the sources is not used by the launcher: build it (what `npm ci` does) first.
  if (!/dist\/tributary\.js/.test(launcher())) spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'ignore' });
  const usesBundle = /dist\/tributary\.js/.test(launcher());
  const cliEnv = { PATH: process.env.PATH, HOME: process.env.HOME };
  const floor = timeCommand([process.execPath, '-e', '0'], cliRuns, cliEnv);
  const help = timeCommand([process.execPath, path.join(ROOT, 'bin/tributary.js'), '--help'], cliRuns, cliEnv);
  row({
    scenario: 'cli help',
    events_per_s: null,
    mb_per_s: null,
    ratio_to_floor: round(help.ms / floor.ms, 2),
    peak_rss_mb: help.rssMb === null ? null : round(help.rssMb, 1),
    init_ms: round(help.ms, 1),
    note:
      `node bin/tributary.js --help, wall time of the whole process (init ms column), median of ${cliRuns}; floor \`node -e 0\` ${round(floor.ms, 1)} ms` +
      (usesBundle ? '; prebuilt bundle dist/tributary.js' : '; NOT the bundle (stale or missing: run npm run build), tsx ran the sources') +
      '; target < 150 ms (issue #18)',
  });
}

// ------------------------------------------------------------------------------------------- report
function table(): string {
  const cols: Array<[string, (r: Row) => string]> = [
    ['scenario', (r) => r.scenario],
    ['events/s', (r) => (r.events_per_s === null ? '' : r.events_per_s.toLocaleString('en-US'))],
    ['MB/s', (r) => (r.mb_per_s === null ? '' : String(r.mb_per_s))],
    ['ratio', (r) => (r.ratio_to_floor === null ? '' : r.ratio_to_floor.toFixed(2))],
    ['peak RSS MB', (r) => (r.peak_rss_mb === null ? '' : String(r.peak_rss_mb))],
    ['$/GB (Lambda)', (r) => (r.lambda_usd_per_gb == null ? '' : r.lambda_usd_per_gb.toFixed(4))],
    ['bundle KB', (r) => (r.bundle_kb == null ? '' : String(r.bundle_kb))],
    ['init ms', (r) => (r.init_ms == null ? '' : String(r.init_ms))],
  ];
  const cells = rows.map((r) => cols.map(([, f]) => f(r)));
  const head = cols.map(([h]) => h);
  const w = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]) => `| ${c.map((x, i) => (i === 0 ? x.padEnd(w[i]) : x.padStart(w[i]))).join(' | ')} |`;
  return [line(head), `|${w.map((n, i) => (i === 0 ? '-'.repeat(n + 2) : '-'.repeat(n + 1) + ':')).join('|')}|`, ...cells.map(line)].join('\n');
}

/** The target of issue #18: every transformer row at 0.7 of its floor or better. */
const TRANSFORMER_TARGET = 0.7;

/**
 * A Mermaid `xychart-beta` bar chart (GitHub renders it, no image file) of `ratio_to_floor` of every
 * transformer row, with its ceiling and the target as lines; empty when the run has no transformer rows.
 */
function ratioChart(): string {
  const t = rows.filter((r) => r.scenario.startsWith('transformer ') && r.ratio_to_floor !== null);
  if (!t.length) return '';
  // Each transformer row's ceiling (`ceiling firehose <source>[ +enrichment]`), drawn as a line above its bar.
  const ceilings = t.map((r) => rows.find((c) => c.scenario === `ceiling firehose ${r.scenario.slice('transformer '.length)}`)?.ratio_to_floor ?? undefined);
  const top = Math.max(1, Math.ceil(Math.max(...t.map((r) => r.ratio_to_floor!), ...ceilings.map((c) => c ?? 0)) * 10) / 10);
  return [
    '```mermaid',
    'xychart-beta',
    `  title "Transformer / firehose floor (bars); ceiling: the floor's work on the transformer's documents (upper line); target ${TRANSFORMER_TARGET}"`,
    `  x-axis [${t.map((r) => JSON.stringify(r.scenario.slice('transformer '.length))).join(', ')}]`,
    `  y-axis "ratio to floor" 0 --> ${top}`,
    `  bar [${t.map((r) => r.ratio_to_floor!.toFixed(2)).join(', ')}]`,
    ...(ceilings.every((c) => c !== undefined) ? [`  line [${ceilings.map((c) => c!.toFixed(2)).join(', ')}]`] : []),
    `  line [${t.map(() => TRANSFORMER_TARGET).join(', ')}]`,
    '```',
  ].join('\n');
}

/**
 * Replaces the generated part of `bench/RESULTS.md` (between the markers) with this run's table,
 * machine and notes; the hand-written analysis around it stays.
 */
function writeResultsMd(meta: Record<string, unknown>): void {
  const file = path.join(ROOT, 'bench/RESULTS.md');
  const start = '<!-- bench:start (generated by npm run bench) -->';
  const end = '<!-- bench:end -->';
  const m = meta as { date: string; machine: string; node: string; pinned: string; runs: number; loadavg_1m: number[]; lambda: string; notes: string[] };
  const body = [
    start,
    `Run ${m.date} on ${m.machine}, Node ${m.node}, ${m.pinned}, median of ${m.runs} runs; 1-minute load average during the run: ${m.loadavg_1m.join(' → ')}.`,
    '',
    table(),
    '',
    ...(ratioChart() ? [ratioChart(), ''] : []),
    ...rows.filter((r) => r.note && !r.scenario.startsWith('bundle')).map((r) => `- ${r.scenario}: ${r.note}`),
    ...m.notes.map((n) => `- ${n}`),
    `- Lambda projection: ${m.lambda}.`,
    end,
  ].join('\n');
  const old = existsSync(file) ? readFileSync(file, 'utf8') : `# Benchmark results\n\n${start}\n${end}\n`;
  const i = old.indexOf(start);
  const j = old.indexOf(end);
  writeFileSync(file, i >= 0 && j > i ? old.slice(0, i) + body + old.slice(j + end.length) : `${old.trimEnd()}\n\n${body}\n`);
}

async function main(): Promise<void> {
  if (flag('render')) {
    // Re-renders bench/RESULTS.md from the last run's JSON without measuring anything.
    rows.push(...(JSON.parse(readFileSync(path.join(RESULTS, 'latest.json'), 'utf8')) as Row[]));
    writeResultsMd(JSON.parse(readFileSync(path.join(RESULTS, 'latest.meta.json'), 'utf8')));
    return;
  }
  mkdirSync(WORK, { recursive: true });
  mkdirSync(RESULTS, { recursive: true });
  const started = new Date();
  if (!hasTaskset) notes.push('taskset not available: measuring processes are NOT pinned to one core');
  if (!skip.has('cpu')) await cpuScenarios();
  load.push(os.loadavg());
  if (profileSource) await profile();
  if (!skip.has('ingest')) await ingestScenario();
  if (!skip.has('bomb')) await bombScenario();
  if (!skip.has('cli')) await cliScenario();
  load.push(os.loadavg());
  if (!skip.has('indexer')) await indexerScenario();
  if (!skip.has('coldstart')) await coldStart();
  load.push(os.loadavg());

  const meta = {
    date: started.toISOString(),
    machine: `${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} vCPU, ${(os.totalmem() / 1024 ** 3).toFixed(0)} GiB, ${os.platform()} ${os.release()}`,
    node: process.version,
    pinned: hasTaskset ? 'taskset -c 0 (one core)' : 'not pinned',
    runs,
    loadavg_1m: load.map((l) => Number(l[0].toFixed(2))),
    lambda: `cost = seconds per GB of raw log text at ${LAMBDA_MEMORY_MB} MB (CPU share ${LAMBDA_MEMORY_MB}/1769 of a vCPU) x $${LAMBDA_USD_PER_GB_S}/GB-s (x86)`,
    notes,
  };
  const json = JSON.stringify(rows, null, 2) + '\n';
  writeFileSync(path.join(RESULTS, 'latest.json'), json);
  writeFileSync(path.join(RESULTS, `${started.toISOString().replace(/[:.]/g, '-')}.json`), json);
  writeFileSync(path.join(RESULTS, 'latest.meta.json'), JSON.stringify(meta, null, 2) + '\n');
  writeResultsMd(meta);
  console.log(`\n${table()}\n`);
  for (const r of rows) if (r.note) console.log(`- ${r.scenario}: ${r.note}`);
  console.log(`\n${JSON.stringify(meta, null, 2)}`);
  console.log(`\nwrote ${path.relative(ROOT, path.join(RESULTS, 'latest.json'))}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
