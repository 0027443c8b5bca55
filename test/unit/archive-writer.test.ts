/** The one writer of archive objects: one gzipped NDJSON object per partition, nothing visible on abort. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { archiveKey, deadLetterKey, partitionOf } from '../../lib/core/archive';
import { ArchiveWriter } from '../../lib/io/archive-writer';
import { listAll, LocalStore } from '../../lib/io/store';

const bytes = async (s: NodeJS.ReadableStream) => {
  const parts: Buffer[] = [];
  for await (const c of s) parts.push(c as Buffer);
  return Buffer.concat(parts);
};

describe('ArchiveWriter', () => {
  let dir: string;
  let store: LocalStore;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'archive-writer-'));
    store = new LocalStore(dir, 'archive');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const elb = partitionOf({ source: 'elb', account: '123456789012', region: 'us-east-1', time: '2026-03-01T10:00:00Z' });
  const vpc = partitionOf({ source: 'vpcflow', account: '123456789012', region: 'us-east-1', time: '2026-03-01T11:00:00Z' });

  it('writes one object per partition, lines and NDJSON text alike, under the layout of lib/core/archive.ts', async () => {
    const w = new ArchiveWriter(store, 'input-abc');
    await w.write(elb, ['{"a":1}', '{"a":2}']);
    await w.write(vpc, '{"b":1}\n');
    await w.write(elb, '{"a":3}\n');
    await w.write(vpc, []);
    const keys = await w.close();
    expect(keys).toEqual([archiveKey(elb, 'input-abc'), archiveKey(vpc, 'input-abc')]);
    expect(gunzipSync(await bytes(await store.get(keys[0]))).toString()).toBe('{"a":1}\n{"a":2}\n{"a":3}\n');
    expect(gunzipSync(await bytes(await store.get(keys[1]))).toString()).toBe('{"b":1}\n');
  });

  it('writes dead letters under errors/indexer/ with the same partition', async () => {
    const w = new ArchiveWriter(store, 'x', deadLetterKey);
    await w.write(elb, ['{"reason":"mapper_parsing_exception"}']);
    expect(await w.close()).toEqual([deadLetterKey(elb, 'x')]);
  });

  it('leaves nothing behind when aborted', async () => {
    const w = new ArchiveWriter(store, 'input-abc');
    await w.write(elb, ['{"a":1}']);
    await w.write(vpc, ['{"b":1}']);
    await w.abort();
    const left: string[] = [];
    for await (const o of listAll(store, '')) left.push(o.key);
    expect(left).toEqual([]);
  });
});
