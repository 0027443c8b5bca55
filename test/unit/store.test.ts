import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { listAll, listPrefixes, LocalStore, parseStoreUrl } from '../../lib/io/store';

const text = async (r: Readable) => {
  let s = '';
  for await (const c of r) s += c.toString();
  return s;
};

describe('LocalStore', () => {
  let dir: string;
  let store: LocalStore;
  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'store-test-'));
    store = new LocalStore(dir, 'arch');
    for (const k of ['a/x/1.txt', 'a/x/2.txt', 'a/y/3.txt', 'a/z.txt', 'b/4.txt', 'ab/5.txt']) await store.put(k, `content of ${k}`);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('lists by prefix in lexicographic order, recursively', async () => {
    const keys: string[] = [];
    for await (const o of listAll(store, 'a/')) keys.push(o.key);
    expect(keys).toEqual(['a/x/1.txt', 'a/x/2.txt', 'a/y/3.txt', 'a/z.txt']);
    const partial: string[] = [];
    for await (const o of listAll(store, 'a')) partial.push(o.key);
    expect(partial).toEqual(['a/x/1.txt', 'a/x/2.txt', 'a/y/3.txt', 'a/z.txt', 'ab/5.txt']);
  });

  it('paginates with a continuation token and counts every call', async () => {
    const p1 = await store.listPage('a/', { limit: 3 });
    expect(p1.objects.map((o) => o.key)).toEqual(['a/x/1.txt', 'a/x/2.txt', 'a/y/3.txt']);
    expect(p1.next).toBeDefined();
    const p2 = await store.listPage('a/', { limit: 3, token: p1.next });
    expect(p2.objects.map((o) => o.key)).toEqual(['a/z.txt']);
    expect(p2.next).toBeUndefined();
    expect(store.stats.listCalls).toBe(2);
    expect(store.stats.listedPrefixes).toEqual(['a/', 'a/']);
  });

  it('returns sub-folders with a delimiter', async () => {
    expect(await listPrefixes(store, '')).toEqual(['a/', 'ab/', 'b/']);
    const page = await store.listPage('a/', { delimiter: '/' });
    expect(page.prefixes).toEqual(['a/x/', 'a/y/']);
    expect(page.objects.map((o) => o.key)).toEqual(['a/z.txt']);
  });

  it('gets what was put, streams included, and never lists temporaries', async () => {
    await store.put('c/stream.txt', Readable.from(['hello ', 'world']));
    expect(await text(await store.get('c/stream.txt'))).toBe('hello world');
    expect(readdirSync(path.join(dir, 'c'))).toEqual(['stream.txt']);
    await expect(store.get('c/missing')).rejects.toMatchObject({ code: 'NoSuchKey' });
    expect((await store.listPage('nothing/')).objects).toEqual([]);
  });

  it('refuses keys that escape the directory', async () => {
    await expect(store.put('../evil', 'x')).rejects.toThrow(/escapes/);
  });

  it('abandons a streamed put when its signal aborts: nothing appears under the key', async () => {
    const controller = new AbortController();
    const body = new PassThrough();
    const done = store.put('c/partial.ndjson.gz', body, { signal: controller.signal });
    body.write('half of an object');
    controller.abort();
    await expect(done).rejects.toThrow();
    await expect(store.get('c/partial.ndjson.gz')).rejects.toMatchObject({ code: 'NoSuchKey' });
    expect(readdirSync(path.join(dir, 'c'))).toEqual([]);
  });
});

describe('parseStoreUrl', () => {
  it('parses s3 and file URLs and plain paths', () => {
    expect(parseStoreUrl('s3://central-logs')).toEqual({ kind: 's3', bucket: 'central-logs', prefix: '' });
    expect(parseStoreUrl('s3://central-logs/org-a/')).toEqual({ kind: 's3', bucket: 'central-logs', prefix: 'org-a' });
    expect(parseStoreUrl('file:///tmp/archive')).toEqual({ kind: 'file', dir: '/tmp/archive' });
    expect(parseStoreUrl('rel/dir')).toEqual({ kind: 'file', dir: path.resolve('rel/dir') });
    expect(() => parseStoreUrl('s3://Bad_Bucket')).toThrow(/invalid bucket/);
    expect(() => parseStoreUrl('gs://x/y')).toThrow(/unsupported/);
  });
});
