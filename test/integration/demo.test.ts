/**
 * `npm start` end to end against the test OpenSearch, twice: the summary reconciles, every source is
 * there, the example searches find what the generator planted, and the second run adds nothing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runDemo, type DemoResult } from '../../lib/local/run';
import { countDocs, dropIndices, OPENSEARCH_URL, uid } from './pipeline-support';

jest.setTimeout(300_000);

const prefix = `demo${uid()}`;
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'tributary-demo-'));
});

afterAll(async () => {
  await dropIndices(prefix);
  // setup installed templates/policies named after the prefix; drop its index templates too.
  for (const name of ['_index_template', '_component_template']) {
    const res = await fetch(`${OPENSEARCH_URL}/${name}/${prefix}*`);
    const body = (await res.json().catch(() => ({}))) as Record<string, Array<{ name: string }>>;
    const list = body.index_templates ?? body.component_templates ?? [];
    for (const t of list) if (t.name.startsWith(prefix)) await fetch(`${OPENSEARCH_URL}/${name}/${t.name}`, { method: 'DELETE' });
  }
  rmSync(dir, { recursive: true, force: true });
});

const run = async (): Promise<{ result: DemoResult; lines: string[]; ms: number }> => {
  const lines: string[] = [];
  const t0 = Date.now();
  const result = await runDemo({
    dir,
    root: path.resolve(__dirname, '../..'),
    opensearchUrl: OPENSEARCH_URL,
    indexPrefix: prefix,
    startServices: false,
    out: (l) => lines.push(l),
    progress: false,
  });
  return { result, lines, ms: Date.now() - t0 };
};

it('runs twice: reconciled counts, every source, real search hits, and nothing duplicated', async () => {
  const first = await run();
  expect(first.result.skippedIndexing).toBeUndefined();
  expect(first.result.reconciled).toBe(true);
  const sources = new Set(first.result.rows.map((r) => r.source));
  for (const s of ['vpcflow', 'elb', 'cloudtrail', 'lambda', 'apigateway', 'auditd', 'app']) expect(sources).toContain(s);
  for (const r of first.result.rows.filter((x) => x.label !== 'control message')) {
    expect(r.received).toBeGreaterThanOrEqual(100); // hundreds of events per source, not three lines
    expect(r.indexed + r.deadLettered).toBe(r.documents + r.failed);
  }
  const control = first.result.rows.find((r) => r.label === 'control message')!;
  expect(control).toMatchObject({ received: 1, dropped: 1, documents: 0 });
  const total = first.result.opensearch!.documents;
  expect(total).toBeGreaterThan(5000);
  expect(await countDocs(`${prefix}-*`)).toBe(total);
  const hits = Object.fromEntries(first.result.searches.map((s) => [s.title, s.hits]));
  for (const title of ['Rejected SSH flows (VPC)', 'Console logins without MFA', '5xx answers of the ALB', 'Lambda timeouts', 'SELinux AVC denials'])
    expect(hits[title]).toBeGreaterThan(0);
  // WAF, Route 53 Resolver, Network Firewall (issue #16): each source is in the table and its searches find what the generator planted.
  for (const s of ['waf', 'route53resolver', 'networkfirewall']) expect(sources).toContain(s);
  for (const title of ['Requests WAF blocked, SQL injection', 'DNS lookups that failed (NXDOMAIN)', 'DNS queries DNS Firewall blocked', 'Network Firewall blocked alerts'])
    expect(hits[title]).toBeGreaterThan(0);
  expect(first.lines.join('\n')).toMatch(/reconciles/);

  const second = await run();
  expect(second.result.reconciled).toBe(true);
  expect(second.result.opensearch!.documents).toBe(total);
  expect(await countDocs(`${prefix}-*`)).toBe(total);
  expect(second.result.index!.counters.created).toBe(0);
  expect(second.result.index!.tally.indexed).toBe(first.result.index!.tally.indexed);
  expect(second.result.rows).toEqual(first.result.rows);
  expect(second.result.searches).toEqual(first.result.searches);
  expect(second.lines.join('\n')).toMatch(/0 new, \d+ already indexed/);
  process.stdout.write(`demo: first run ${first.ms} ms, second run ${second.ms} ms, ${total} documents\n`);
}, 300_000);

it('without OpenSearch and without Java it still writes the archive and says what to install', async () => {
  const lines: string[] = [];
  const d = mkdtempSync(path.join(tmpdir(), 'tributary-demo-nojava-'));
  const result = await runDemo({ dir: d, root: d, scale: 0.1, out: (l) => lines.push(l), progress: false, javaAvailable: () => false });
  expect(result.archiveObjects).toBeGreaterThan(5);
  expect(result.index).toBeUndefined();
  expect(result.reconciled).toBe(true);
  expect(lines.join('\n')).toMatch(/Java was not found[\s\S]*openjdk-17/);
  rmSync(d, { recursive: true, force: true });
});
