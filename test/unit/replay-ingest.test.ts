/* eslint-disable @typescript-eslint/no-explicit-any -- archived documents are untyped JSON here */
/**
 * `tributary ingest` without OpenSearch: a user's files go through the real cores into a file://
 * archive; files under AWSLogs/ keep the ids the live S3 path gives (bucket = the directory above
 * AWSLogs/, version = the MD5 ETag of a single-part upload).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { parseArchiveKey } from '../../lib/core/archive';
import { etagOf } from '../../lib/local/deliver';
import { s3RecordKey } from '../../lib/core/ids';
import { stableId } from '../../parsers/ids';
import { readLines } from '../../lib/io/s3';
import { listAll, LocalStore } from '../../lib/io/store';
import { albLines, Rng } from '../../samples/generate';

async function docsOf(store: LocalStore): Promise<Array<Record<string, any>>> {
  const out: Array<Record<string, any>> = [];
  for await (const o of listAll(store, 'normalized/')) for await (const l of readLines(await store.get(o.key))) if (l) out.push(JSON.parse(l));
  return out;
}

it('archives AWSLogs/ files through S3 ingest with live-path ids, and other files like normalize', async () => {
  const { program } = await import('../../bin/cli');
  const root = mkdtempSync(path.join(tmpdir(), 'ingest-cli-'));
  const key = 'AWSLogs/111122223333/elasticloadbalancing/us-east-1/2026/03/01/111122223333_elasticloadbalancing_us-east-1_app.orders-alb.0123_20260301T1000Z_52.1.0.7_ab.log.gz';
  const body = gzipSync(albLines(new Rng(1), 25, Date.parse('2026-03-01T10:00:00Z')).join('\n') + '\n');
  mkdirSync(path.join(root, 'my-alb-logs', path.dirname(key)), { recursive: true });
  writeFileSync(path.join(root, 'my-alb-logs', key), body);
  writeFileSync(path.join(root, 'app.log'), '{"level":"ERROR","message":"boom","timestamp":"2026-03-01T10:00:00Z"}\nplain text line\n');
  const archiveDir = path.join(root, 'archive');
  const out: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => (out.push(String(s)), true));
  try {
    await program().parseAsync(['node', 'tributary', 'ingest', path.join(root, 'my-alb-logs'), path.join(root, 'app.log'), '--archive', `file://${archiveDir}`, '--source', 'app']);
  } finally {
    spy.mockRestore();
  }
  const text = out.join('');
  expect(text).toMatch(/elb\s+1\s+25\s+25\s+0\s+0/);
  expect(text).toMatch(/app\s+1\s+2\s+2\s+0\s+0/);
  const archive = new LocalStore(archiveDir);
  const docs = await docsOf(archive);
  const elb = docs.filter((d) => d.event.dataset === 'aws.elb');
  expect(elb).toHaveLength(25);
  // The id the live S3-ingest path gives line 3 of s3://my-alb-logs/<key> with ETag = MD5.
  expect(elb.map((d) => d.event.id)).toContain(stableId('aws.elb', s3RecordKey('my-alb-logs', key, etagOf(body), 3)));
  expect(elb.every((d) => d.cloud.account.id === '111122223333' && d.cloud.region === 'us-east-1')).toBe(true);
  expect(docs.filter((d) => d.event.dataset === 'app')).toHaveLength(2);
  for await (const o of listAll(archive, 'normalized/')) expect(parseArchiveKey(o.key)).toBeDefined();

  // Re-ingesting overwrites the same objects: same keys, same documents.
  const before = (await docsOf(archive)).map((d) => d.event.id).sort();
  jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  try {
    await program().parseAsync(['node', 'tributary', 'ingest', root + '/my-alb-logs', root + '/app.log', '--archive', `file://${archiveDir}`, '--source', 'app']);
  } finally {
    jest.restoreAllMocks();
  }
  expect((await docsOf(archive)).map((d) => d.event.id).sort()).toEqual(before);
  rmSync(root, { recursive: true, force: true });
});
