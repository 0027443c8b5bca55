/**
 * Redaction end to end: `npm start`'s pipeline (lib/local/run.ts: the transformer core for CloudWatch
 * Logs deliveries, s3ingest for S3 deliveries) writes its archive (archive only, no OpenSearch), and no
 * document in it holds a secret planted in the samples (`PLANTED_SECRETS` in samples/generate.ts: a
 * Lambda function printing its credentials, bearer tokens and session cookies in WAF headers through
 * CloudWatch Logs and S3, a password in logged URLs) outside `event.original`; the documents that had
 * one say so in `tributary.redacted`.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { runDemo, type DemoResult } from '../../lib/local/run';
import { PLANTED_SECRETS } from '../../samples/generate';

jest.setTimeout(300_000);

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- archive documents are JSON
type Doc = Record<string, any>;

let dir: string;
let demo: DemoResult;
let docs: Array<{ doc: Doc; key: string }>;

function walk(d: string): string[] {
  return readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : [path.join(d, e.name)]));
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'tributary-redaction-'));
  demo = await runDemo({ dir, root: dir, startServices: false, out: () => {}, progress: false });
  const normalized = path.join(dir, 'archive', 'normalized');
  docs = walk(normalized)
    .filter((f) => f.endsWith('.ndjson.gz'))
    .flatMap((f) =>
      gunzipSync(readFileSync(f))
        .toString('utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => ({ doc: JSON.parse(l) as Doc, key: path.relative(normalized, f) })),
    );
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('the local run reconciles and archives documents', () => {
  expect(demo.reconciled).toBe(true);
  expect(docs.length).toBeGreaterThan(1000);
});

test.each(Object.entries(PLANTED_SECRETS))('no document keeps the planted %s outside event.original', (_name, secret) => {
  const leaks = docs.filter(({ doc }) => {
    const copy = structuredClone(doc);
    delete copy.event?.original;
    return JSON.stringify(copy).includes(secret);
  });
  expect(leaks.map((l) => l.key)).toEqual([]);
});

test('the documents that held them are counted, by rule, on every delivery path', () => {
  const redacted = docs.filter(({ doc }) => doc.tributary?.redacted);
  const bySource = new Map<string, Set<string>>();
  for (const { doc } of redacted) {
    expect(doc.tributary.redacted.count).toBeGreaterThan(0);
    const rules = bySource.get(doc.tributary.source) ?? new Set<string>();
    for (const r of doc.tributary.redacted.rules) rules.add(r);
    bySource.set(doc.tributary.source, rules);
  }
  // Lambda through Firehose (CloudWatch Logs), WAF through Firehose and through S3 ingest, app logs.
  expect([...(bySource.get('lambda') ?? [])].sort()).toEqual(['aws-secret-key', 'aws-session-token']);
  expect([...(bySource.get('waf') ?? [])].sort()).toEqual(['authorization', 'cookie']);
  expect(bySource.get('app')).toContain('password');
  const wafPaths = new Set(redacted.filter(({ doc }) => doc.tributary.source === 'waf').map(({ doc }) => (doc.tributary.s3 ? 's3' : 'cwl')));
  expect([...wafPaths].sort()).toEqual(['cwl', 's3']);
  // The access key id is evidence and stays.
  expect(redacted.some(({ doc }) => JSON.stringify(doc).includes('ASIAQNZGKIQY56JQ7WML'))).toBe(true);
});
