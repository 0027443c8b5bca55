/**
 * `npm start` / `tributary demo`: the whole pipeline on this machine, with the production cores.
 *
 * 1. Sample logs of every source from the seeded generator, in their real AWS envelopes
 *    (`lib/demo/samples.ts`).
 * 2. Firehose events → the transformer core; S3-delivered objects → the S3-ingest core; both write the
 *    normalized archive (and the Firehose raw backup) into a local directory (`file://` store).
 * 3. OpenSearch: `OPENSEARCH_URL` if set; else the one `scripts/services.sh` already runs; else, when
 *    Java is installed, `scripts/services.sh start opensearch`: only OpenSearch, since the local run
 *    needs neither moto nor the Python virtualenv of the test tools (moto, cfn-lint, checkov), which
 *    `npm test` builds. Without Java the archive is still produced and the demo says what to install.
 * 4. `tributary setup` (templates, ISM, detections), then the indexer core over every archive object
 *    (through replay: same ids → a second run overwrites, counts do not grow).
 * 5. A summary per source that reconciles (events in = documents + dropped + failed; documents + failed
 *    = indexed + dead-lettered), example searches with hit counts, and where to look next.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Client } from '@opensearch-project/opensearch';
import { DATASETS } from '../../parsers/types';
import { NORMALIZED_PREFIX, parseArchiveKey } from '../core/archive';
import { allIndicesPattern, DEFAULT_INDEX_PREFIX, indexPattern } from '../core/indices';
import { addTally, type Tally } from '../core/tally';
import { bulkTransport, createOpenSearchClient } from '../io/opensearch';
import { formatDuration, type ProgressOptions } from '../io/progress';
import { DEFAULT_BULK } from '../io/bulk';
import { indexObjects, type IndexObjectsResult, type ReplayObject } from '../replay';
import { applySetup, formatResult } from '../setup/apply';
import { fromClient } from '../setup/http';
import { listAll, LocalStore } from '../io/store';
import { deliverFirehose, deliverS3, type Delivered } from './deliver';
import type { Enricher } from '../core/enrich';
import type { Redactor } from '../core/redact';
import { DEMO_LOGS_BUCKET, demoSamples } from './samples';

export interface DemoOptions {
  /** Working directory of the demo (archive, delivered logs). Default `.tributary`. */
  dir: string;
  /** Repository root (for `scripts/services.sh`). */
  root: string;
  indexPrefix?: string;
  /** OpenSearch URL; undefined = find or start one (see module comment). */
  opensearchUrl?: string;
  /** Allow starting the local OpenSearch with `scripts/services.sh start opensearch` (default true). */
  startServices?: boolean;
  scale?: number;
  out?: (line: string) => void;
  progress?: ProgressOptions | false;
  /** For tests: pretend Java is missing. */
  javaAvailable?: () => boolean;
  /** GeoIP/ASN and user-agent enrichment, as the functions do it (default: on, bundled data). */
  enricher?: Enricher;
  /** Secret redaction, as the functions do it (default: the default rules, `event.original` left alone). */
  redaction?: Redactor;
}

export interface DemoRow {
  label: string;
  source: string;
  received: number;
  documents: number;
  dropped: number;
  failed: number;
  indexed: number;
  deadLettered: number;
}

export interface DemoSearch {
  title: string;
  index: string;
  query: string;
  hits: number;
}

export interface DemoResult {
  archiveUrl: string;
  archiveObjects: number;
  rows: DemoRow[];
  reconciled: boolean;
  opensearch?: { url: string; startedByDemo: boolean; documents: number; byIndexPattern: Record<string, number> };
  index?: IndexObjectsResult;
  searches: DemoSearch[];
  /** Why nothing was indexed, when nothing was. */
  skippedIndexing?: string;
  timings: Record<string, number>;
}

/** Example searches; the fields are the ones the parsers fill (see the golden fixtures). */
export const DEMO_SEARCHES: Array<{ title: string; dataset: string; query: string }> = [
  { title: 'Rejected SSH flows (VPC)', dataset: DATASETS.vpcflow, query: 'destination.port:22 AND event.action:reject' },
  { title: 'Console logins without MFA', dataset: DATASETS.cloudtrail, query: 'event.action:ConsoleLogin AND aws.cloudtrail.mfa_used:false' },
  { title: 'Access denied API calls', dataset: DATASETS.cloudtrail, query: 'aws.cloudtrail.error_code:AccessDenied' },
  { title: '5xx answers of the ALB', dataset: DATASETS.elb, query: 'http.response.status_code:[500 TO 599]' },
  { title: 'Lambda timeouts', dataset: DATASETS.lambda, query: 'event.action:"platform.timeout"' },
  { title: 'SELinux AVC denials', dataset: DATASETS.auditd, query: 'event.action:avc AND event.type:denied' },
  { title: 'API Gateway 5xx', dataset: DATASETS.apigateway, query: 'http.response.status_code:[500 TO 599]' },
  { title: 'Critical CVEs with a fix (Inspector)', dataset: DATASETS.inspector, query: 'vulnerability.severity:CRITICAL AND aws.inspector.fix_available:YES AND aws.inspector.status:ACTIVE' },
  { title: 'Config rules turned NON_COMPLIANT', dataset: DATASETS.config, query: 'aws.config.compliance.type:NON_COMPLIANT' },
  { title: 'High and critical findings (Security Hub)', dataset: DATASETS.securityhub, query: 'event.severity:>=70 AND aws.securityhub.record_state:ACTIVE AND NOT aws.securityhub.workflow_status:(RESOLVED OR SUPPRESSED)' },
  { title: 'High and critical threats (GuardDuty)', dataset: DATASETS.guardduty, query: 'event.severity:>=70 AND aws.guardduty.archived:false' },
  { title: 'CloudFront errors and aborted requests', dataset: DATASETS.cloudfront, query: 'event.outcome:failure AND aws.cloudfront.edge_result_type:Error' },
  { title: 'Probes of /wp-login.php and /.env (CloudFront)', dataset: DATASETS.cloudfront, query: 'url.path:("/wp-login.php" OR "/.env")' },
  { title: 'Anonymous S3 requests denied', dataset: DATASETS.s3access, query: 'aws.s3access.error_code:AccessDenied AND NOT _exists_:client.user.id' },
  { title: 'S3 object deletions', dataset: DATASETS.s3access, query: 'event.type:deletion' },
  { title: 'Requests WAF blocked, SQL injection', dataset: DATASETS.waf, query: 'event.action:block AND aws.waf.terminating_match.condition_type:SQL_INJECTION' },
  { title: 'DNS lookups that failed (NXDOMAIN)', dataset: DATASETS.route53resolver, query: 'dns.response_code:NXDOMAIN' },
  { title: 'DNS queries DNS Firewall blocked', dataset: DATASETS.route53resolver, query: 'aws.route53resolver.firewall.rule_action:BLOCK' },
  { title: 'Network Firewall blocked alerts', dataset: DATASETS.networkfirewall, query: 'event.kind:alert AND event.action:blocked' },
  { title: 'Pipeline errors (unparsed lines)', dataset: '*', query: 'event.kind:pipeline_error' },
];

const MB = 1024 * 1024;

export function javaAvailable(): boolean {
  const home = process.env.JAVA_HOME;
  const bin = home ? path.join(home, 'bin', 'java') : 'java';
  const r = spawnSync(bin, ['-version'], { stdio: 'ignore', timeout: 20_000 });
  return r.status === 0;
}

async function answers(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(3000) });
    const body = (await res.json().catch(() => ({}))) as { version?: { distribution?: string } };
    return res.ok && body.version?.distribution === 'opensearch';
  } catch {
    return false;
  }
}

function servicesEnvUrl(root: string): string | undefined {
  const file = path.join(root, '.cache', 'services.env');
  if (!existsSync(file)) return undefined;
  const m = /^OPENSEARCH_URL=(.+)$/m.exec(readFileSync(file, 'utf8'));
  return m?.[1].trim().replace(/^(['"])(.*)\1$/, '$2');
}

/** Finds or starts OpenSearch; returns undefined with a reason when there is none. */
async function resolveOpenSearch(o: DemoOptions, out: (s: string) => void): Promise<{ url?: string; started: boolean; reason?: string }> {
  if (o.opensearchUrl) return { url: o.opensearchUrl.replace(/\/+$/, ''), started: false };
  const known = servicesEnvUrl(o.root);
  if (known && (await answers(known))) return { url: known, started: false };
  if (o.startServices === false) return { started: false, reason: 'no OPENSEARCH_URL and starting services is disabled' };
  if (!(o.javaAvailable ?? javaAvailable)())
    return {
      started: false,
      reason:
        'Java was not found, so the local OpenSearch cannot start.\n' +
        '  Install a JDK 17 and run `npm start` again:\n' +
        '    Debian/Ubuntu: sudo apt-get install -y openjdk-17-jre-headless maven\n' +
        '    macOS:         brew install openjdk@17 maven\n' +
        '    or set JAVA_HOME to an installed JDK 17.\n' +
        '  Or point the demo at any OpenSearch 2.x: OPENSEARCH_URL=http://localhost:9200 npm start',
    };
  out('Starting a local OpenSearch with `npm run services -- start opensearch` (first time: downloads OpenSearch, a few minutes)…');
  const r = spawnSync('bash', [path.join(o.root, 'scripts', 'services.sh'), 'start', 'opensearch'], { stdio: ['ignore', 'inherit', 'inherit'], timeout: 20 * 60_000 });
  const url = servicesEnvUrl(o.root);
  if (r.status !== 0 || !url) return { started: false, reason: `scripts/services.sh start opensearch failed (exit ${r.status ?? r.signal}); see its messages above` };
  return { url, started: true };
}

/** Per-row reconciliation identities of the summary table. */
export function reconciles(r: DemoRow, indexed: boolean): boolean {
  const pipeline = r.received === r.documents + r.dropped + r.failed;
  return pipeline && (!indexed || r.documents + r.failed === r.indexed + r.deadLettered);
}

function table(header: string[], rows: Array<Array<string | number>>): string[] {
  const all = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  // Numbers right-aligned, text left-aligned.
  const right = header.map((_, i) => rows.length > 0 && rows.every((r) => typeof r[i] === 'number' || r[i] === '-'));
  const fmt = (r: string[]) => r.map((c, i) => (right[i] ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [fmt(all[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...all.slice(1).map(fmt)];
}

async function count(client: Client, index: string, query?: string): Promise<number> {
  const res = await client.count({
    index,
    ignore_unavailable: true,
    allow_no_indices: true,
    body: query ? { query: { query_string: { query, analyze_wildcard: false } } } : undefined,
  } as never);
  return (res.body as { count?: number }).count ?? 0;
}

/** Runs the demo (see the module comment). Never throws for a missing OpenSearch: it reports it. */
export async function runDemo(o: DemoOptions): Promise<DemoResult> {
  const out = o.out ?? ((s: string) => process.stdout.write(s + '\n'));
  const prefix = o.indexPrefix ?? DEFAULT_INDEX_PREFIX;
  const timings: Record<string, number> = {};
  let t = Date.now();
  const lap = (name: string) => {
    const now = Date.now();
    timings[name] = now - t;
    t = now;
  };
  const archive = new LocalStore(path.join(o.dir, 'archive'), 'tributary-demo-archive');
  const logs = new LocalStore(path.join(o.dir, 'logs'), DEMO_LOGS_BUCKET);

  out('Tributary demo: realistic AWS logs of every source → transformer / S3-ingest → archive → OpenSearch');
  const samples = demoSamples(o.scale ?? 1);
  lap('generate');

  // Rows by label; archive keys → row, to attribute indexing results.
  const rows = new Map<string, DemoRow>();
  const keyRow = new Map<string, DemoRow>();
  const row = (label: string, source: string) => {
    let r = rows.get(label);
    if (!r) rows.set(label, (r = { label, source, received: 0, documents: 0, dropped: 0, failed: 0, indexed: 0, deadLettered: 0 }));
    return r;
  };
  const take = (label: string, d: Delivered) => {
    const r = row(label, d.sources[0] ?? label.split(' ')[0]);
    r.received += d.tally.received ?? 0;
    r.documents += d.tally.documents ?? 0;
    r.dropped += d.tally.dropped ?? 0;
    r.failed += d.tally.failed ?? 0;
    for (const k of d.outputs) keyRow.set(k, r);
  };
  for (const f of samples.firehose) take(f.label, await deliverFirehose(f.event, archive, { enricher: o.enricher, redaction: o.redaction }));
  for (const s of samples.s3) take(s.label, await deliverS3(s.key, s.body, logs, archive, { enricher: o.enricher, redaction: o.redaction }));
  lap('pipeline');

  const objects: ReplayObject[] = [];
  for await (const obj of listAll(archive, NORMALIZED_PREFIX)) objects.push({ ...obj, source: parseArchiveKey(obj.key)?.partition.source });
  const bytes = objects.reduce((a, x) => a + x.size, 0);
  out(`Archive: ${archive.url} — ${objects.length} normalized objects (${(bytes / MB).toFixed(1)} MB), raw Firehose backup in raw/, S3-delivered inputs in ${logs.url}`);

  const result: DemoResult = { archiveUrl: archive.url, archiveObjects: objects.length, rows: [...rows.values()], reconciled: false, searches: [], timings };
  const os = await resolveOpenSearch(o, out);
  lap('opensearch');
  let client: Client | undefined;
  if (os.url) {
    client = createOpenSearchClient({ node: os.url, auth: 'none', requestTimeoutMs: 60_000 });
    try {
      out(`\nOpenSearch ${os.url}${os.started ? ' (started by the demo)' : ''}: tributary setup`);
      const setup = await applySetup(fromClient(client), { prefix, detections: true });
      out('  ' + formatResult(setup).slice(-1)[0]);
      lap('setup');
      const ours = new Set(objects.map((x) => x.key));
      result.index = await indexObjects({
        archive,
        indexPrefix: prefix,
        transport: bulkTransport(client),
        bulk: DEFAULT_BULK,
        concurrency: 4,
        objects: objects.filter((x) => ours.has(x.key)),
        progress: o.progress ?? { label: 'indexing' },
        onObject: ({ key, tally }) => {
          const r = keyRow.get(key);
          if (!r) return;
          r.indexed += tally.indexed ?? 0;
          r.deadLettered += tally.dead_lettered ?? 0;
        },
      });
      lap('index');
      await client.indices.refresh({ index: allIndicesPattern(prefix), ignore_unavailable: true, allow_no_indices: true } as never);
      const byIndexPattern: Record<string, number> = {};
      for (const ds of new Set(Object.values(DATASETS))) byIndexPattern[indexPattern(ds, prefix)] = await count(client, indexPattern(ds, prefix));
      result.opensearch = { url: os.url, startedByDemo: os.started, documents: await count(client, allIndicesPattern(prefix)), byIndexPattern };
      for (const s of DEMO_SEARCHES) {
        const index = s.dataset === '*' ? allIndicesPattern(prefix) : indexPattern(s.dataset, prefix);
        result.searches.push({ title: s.title, index, query: s.query, hits: await count(client, index, s.query) });
      }
      lap('search');
    } catch (e) {
      result.skippedIndexing = `OpenSearch at ${os.url} failed: ${(e as Error).message}`;
    } finally {
      await client.close();
    }
  } else result.skippedIndexing = os.reason;

  // Summary
  const indexed = result.index !== undefined && !result.skippedIndexing;
  const tableRows = result.rows.map((r) => [
    r.label,
    r.received,
    r.documents,
    r.dropped,
    r.failed,
    indexed ? r.indexed : '-',
    indexed ? r.deadLettered : '-',
    reconciles(r, indexed) ? 'ok' : 'MISMATCH',
  ]);
  const tot = result.rows.reduce<Tally>((a, r) => addTally(a, { received: r.received, documents: r.documents, dropped: r.dropped, failed: r.failed, indexed: r.indexed, dead_lettered: r.deadLettered }), {});
  const totRow: DemoRow = { label: 'total', source: '*', received: tot.received ?? 0, documents: tot.documents ?? 0, dropped: tot.dropped ?? 0, failed: tot.failed ?? 0, indexed: tot.indexed ?? 0, deadLettered: tot.dead_lettered ?? 0 };
  tableRows.push(['total', totRow.received, totRow.documents, totRow.dropped, totRow.failed, indexed ? totRow.indexed : '-', indexed ? totRow.deadLettered : '-', reconciles(totRow, indexed) ? 'ok' : 'MISMATCH']);
  result.reconciled = result.rows.every((r) => reconciles(r, indexed)) && reconciles(totRow, indexed);
  out('');
  for (const l of table(['source', 'events in', 'documents', 'dropped', 'failed', 'indexed', 'dead-lettered', 'reconciles'], tableRows)) out('  ' + l);
  out('  (events in = documents + dropped + failed; documents + failed = indexed + dead-lettered. Dropped: control messages, VPC header/NODATA lines, CloudFront #Version/#Fields lines, multi-line/multi-record merges.)');

  if (result.index && result.opensearch) {
    const c = result.index.counters;
    out(
      `\nIndexed ${result.index.tally.indexed ?? 0} documents from ${result.index.processed} archive objects in ${formatDuration(timings.index ?? 0)}: ` +
        `${c.created} new, ${c.updated + c.noop} already indexed (same _id, overwritten — re-running never duplicates).`,
    );
    const merged = (result.index.tally.indexed ?? 0) - result.opensearch.documents;
    out(
      `OpenSearch now holds ${result.opensearch.documents} documents under ${allIndicesPattern(prefix)}` +
        (merged > 0 ? ` (${merged} fewer than indexed: parts of audit events split across deliveries merge into one document):` : ':'),
    );
    for (const [p, n] of Object.entries(result.opensearch.byIndexPattern)) if (n) out(`  ${p.padEnd(28)} ${n}`);
    out('\nExample searches (query_string syntax, paste into Discover):');
    for (const l of table(['search', 'hits', 'index', 'query'], result.searches.map((s) => [s.title, s.hits, s.index, s.query]))) out('  ' + l);
    out(
      '\nWhere to look next:\n' +
        `  curl '${result.opensearch.url}/${allIndicesPattern(prefix)}/_search?q=event.action:reject&size=1&pretty'\n` +
        `  OpenSearch Dashboards 2.19: docker run -p 5601:5601 -e OPENSEARCH_HOSTS='["${result.opensearch.url.replace('127.0.0.1', 'host.docker.internal')}"]' \\\n` +
        `    -e DISABLE_SECURITY_DASHBOARDS_PLUGIN=true --add-host=host.docker.internal:host-gateway opensearchproject/opensearch-dashboards:2.19.4\n` +
        `  then: npx tributary setup --opensearch ${result.opensearch.url} --dashboards-url http://localhost:5601   (index patterns, dashboards)\n` +
        `  Replay the archive (idempotent): npx tributary replay --archive ${archive.url} --since 2026-03-01 --until 2026-03-01 --opensearch ${result.opensearch.url}\n` +
        `  Re-parse the raw Firehose backup: npx tributary replay --archive ${archive.url} --from raw --since 2026-03-01 --until 2026-03-01 --dry-run\n` +
        `  Your own logs: npx tributary ingest <files or dirs> --archive ${archive.url} --opensearch ${result.opensearch.url}`,
    );
    if (result.opensearch.startedByDemo || servicesEnvUrl(o.root) === result.opensearch.url)
      out('  The local OpenSearch keeps running so you can explore; stop it with: npm run services -- stop');
  } else {
    out(`\nNothing was indexed: ${result.skippedIndexing}`);
    out(`The archive is ready anyway: ${archive.url} (index it later with: npx tributary replay --archive ${archive.url} --since 2026-03-01 --until 2026-03-01 --opensearch <url>)`);
  }
  return result;
}
