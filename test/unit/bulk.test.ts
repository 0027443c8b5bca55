/**
 * The bulk core's decisions for each OpenSearch answer. Real OpenSearch cannot be made to answer
 * 429 or 413 on demand, so these tests use a scripted `_bulk` endpoint that parses the real NDJSON
 * body; the integration tests cover the same code against OpenSearch 2.19 (mapping conflicts,
 * outages, merges).
 */
import { type BulkTransport, BulkUnavailableError, BulkWriter, type DeadLetter, isRefusedStatus, isRetryableStatus } from '../../lib/io/bulk';

interface Action {
  action: 'index' | 'update';
  meta: { _index: string; _id?: string; retry_on_conflict?: number };
  source: Record<string, unknown>;
}

function parseBody(body: string): Action[] {
  expect(body.endsWith('\n')).toBe(true);
  const lines = body.split('\n').slice(0, -1);
  const out: Action[] = [];
  for (let i = 0; i < lines.length; i += 2) {
    const a = JSON.parse(lines[i]);
    const action = Object.keys(a)[0] as Action['action'];
    out.push({ action, meta: a[action], source: JSON.parse(lines[i + 1]) });
  }
  return out;
}

/** A `_bulk` endpoint whose item statuses come from `status(doc, attemptOfThatDoc)`. */
function scripted(status: (doc: Record<string, unknown>, attempt: number) => number, opts: { maxBody?: number } = {}) {
  const attempts = new Map<string, number>();
  const requests: Action[][] = [];
  const transport: BulkTransport = {
    async send(body) {
      if (opts.maxBody !== undefined && Buffer.byteLength(body) > opts.maxBody) return { status: 413, body: 'Request Entity Too Large' };
      const actions = parseBody(body);
      requests.push(actions);
      const items = actions.map((a) => {
        const doc = (a.action === 'update' ? a.source.doc : a.source) as Record<string, unknown>;
        const key = String(doc.n);
        const n = (attempts.get(key) ?? 0) + 1;
        attempts.set(key, n);
        const s = status(doc, n);
        const item: Record<string, unknown> = { _index: a.meta._index, _id: a.meta._id, status: s };
        if (s >= 300) item.error = { type: s === 400 ? 'mapper_parsing_exception' : 'rejected_execution_exception', reason: `status ${s}` };
        return { [a.action]: item };
      });
      return { status: 200, body: { took: 1, errors: items.some((i) => (Object.values(i)[0].status as number) >= 300), items } };
    },
  };
  return { transport, requests, attempts };
}

const docs = (n: number) => Array.from({ length: n }, (_, i) => ({ index: 'logs-app-2026.03.01', id: `id-${i}`, doc: { n: i, message: `m${i}` } }));
const base = { maxBytes: 1 << 20, maxDocs: 1000, maxAttempts: 4, backoffMs: 10, random: () => 1 };

async function run(transport: BulkTransport, items: ReturnType<typeof docs>, extra: Partial<typeof base> & { omitIds?: boolean } = {}) {
  const dead: DeadLetter[] = [];
  const sleeps: number[] = [];
  const w = new BulkWriter(transport, { ...base, ...extra, onDeadLetter: (d) => void dead.push(d), sleep: async (ms) => void sleeps.push(ms) });
  for (const d of items) await w.add(d);
  await w.flush();
  return { stats: w.stats, dead, sleeps };
}

describe('BulkWriter', () => {
  it('indexes with _id = event id and the index action', async () => {
    const s = scripted(() => 201);
    const { stats } = await run(s.transport, docs(3));
    expect(stats).toEqual({ indexed: 3, retried: 0, deadLettered: 0, requests: 1 });
    expect(s.requests[0].map((a) => [a.action, a.meta._id, a.meta._index])).toEqual([
      ['index', 'id-0', 'logs-app-2026.03.01'],
      ['index', 'id-1', 'logs-app-2026.03.01'],
      ['index', 'id-2', 'logs-app-2026.03.01'],
    ]);
  });

  it('merges flagged documents with update + doc_as_upsert', async () => {
    const s = scripted(() => 200);
    await run(s.transport, [{ ...docs(1)[0], merge: true } as never]);
    expect(s.requests[0][0]).toEqual({
      action: 'update',
      meta: { _index: 'logs-app-2026.03.01', _id: 'id-0', retry_on_conflict: 3 },
      source: { doc: { n: 0, message: 'm0' }, doc_as_upsert: true },
    });
  });

  it('sends the JSON text the caller already has, byte for byte the body it would have serialized', async () => {
    const bodies = async (withJson: boolean, omitIds = false) => {
      const sent: string[] = [];
      const t: BulkTransport = { send: async (body) => (sent.push(body), { status: 200, body: { items: parseBody(body).map(() => ({ index: { status: 201 } })) } }) };
      const items = [docs(1)[0], { ...docs(2)[1], merge: true }].map((d) => (withJson ? { ...d, json: JSON.stringify(d.doc) } : d));
      await run(t, items as never, { omitIds });
      return sent;
    };
    expect(await bodies(true)).toEqual(await bodies(false));
    expect(await bodies(true, true)).toEqual(await bodies(false, true));
    // The text is what goes out (the indexer's archive line), not a re-serialization of `doc`.
    const s = scripted(() => 201);
    await run(s.transport, [{ ...docs(1)[0], json: '{"n":0,"message":"from the line"}' }] as never);
    expect(s.requests[0][0].source).toEqual({ n: 0, message: 'from the line' });
  });

  it('omits _id (and cannot merge) for OpenSearch Serverless', async () => {
    const s = scripted(() => 201);
    await run(s.transport, [{ ...docs(1)[0], merge: true } as never], { omitIds: true });
    expect(s.requests[0][0].action).toBe('index');
    expect(s.requests[0][0].meta).toEqual({ _index: 'logs-app-2026.03.01' });
  });

  it('retries only the retryable items, with growing backoff, until they pass', async () => {
    // Docs 1 and 3 are rejected (429, then 503) twice before they succeed; doc 4 is a mapping error.
    const s = scripted((d, attempt) => (d.n === 4 ? 400 : (d.n === 1 || d.n === 3) && attempt <= 2 ? (attempt === 1 ? 429 : 503) : 201));
    const { stats, dead, sleeps } = await run(s.transport, docs(6));
    expect(stats).toEqual({ indexed: 5, retried: 4, deadLettered: 1, requests: 3 });
    expect(s.requests.map((r) => r.length)).toEqual([6, 2, 2]);
    expect(s.requests[1].map((a) => a.meta._id)).toEqual(['id-1', 'id-3']);
    expect(sleeps).toEqual([10, 20]); // full jitter with random() = 1: the cap doubles
    expect(s.attempts.get('4')).toBe(1); // never retried
    expect(dead).toEqual([
      { reason: 'mapper_parsing_exception', status: 400, error: { type: 'mapper_parsing_exception', reason: 'status 400' }, index: 'logs-app-2026.03.01', document: { n: 4, message: 'm4' } },
    ]);
    expect(stats.indexed + stats.deadLettered).toBe(6);
  });

  it('gives up after maxAttempts with an error naming what is pending (no dead letter, no silent drop)', async () => {
    const s = scripted((d) => (d.n === 2 ? 429 : 201));
    await expect(run(s.transport, docs(4))).rejects.toThrow(BulkUnavailableError);
    expect(s.attempts.get('2')).toBe(4);
    expect(s.attempts.get('0')).toBe(1);
  });

  it('retries connection errors and whole-request 5xx, then reports OpenSearch unavailable', async () => {
    let calls = 0;
    const flaky: BulkTransport = {
      async send(body) {
        calls++;
        if (calls === 1) throw new Error('connect ECONNREFUSED 127.0.0.1:9');
        if (calls === 2) return { status: 503, body: {} };
        return scripted(() => 201).transport.send(body);
      },
    };
    const { stats } = await run(flaky, docs(3));
    expect(stats).toMatchObject({ indexed: 3, retried: 6, requests: 3 });

    const down: BulkTransport = { send: async () => { throw new Error('connect ECONNREFUSED'); } };
    const err = await run(down, docs(3)).catch((e) => e);
    expect(err).toBeInstanceOf(BulkUnavailableError);
    expect((err as BulkUnavailableError).pending).toBe(3);
  });

  it('splits on 413 and dead-letters a single document that is still too large', async () => {
    const items = docs(8);
    items[5].doc.message = 'x'.repeat(5000);
    const s = scripted(() => 201, { maxBody: 2000 });
    const { stats, dead } = await run(s.transport, items);
    expect(stats.indexed).toBe(7);
    expect(dead.map((d) => [d.reason, d.status, (d.document as { n: number }).n])).toEqual([['too_large', 413, 5]]);
    for (const r of s.requests) expect(Buffer.byteLength(r.map((a) => JSON.stringify(a)).join(''))).toBeLessThan(4000);
  });

  it('bounds requests by documents and by bytes', async () => {
    const byDocs = scripted(() => 201);
    await run(byDocs.transport, docs(25), { maxDocs: 10 });
    expect(byDocs.requests.map((r) => r.length)).toEqual([10, 10, 5]);

    const byBytes = scripted(() => 201);
    const one = Buffer.byteLength(JSON.stringify({ index: { _index: 'logs-app-2026.03.01', _id: 'id-0' } }) + '\n' + JSON.stringify({ n: 0, message: 'm0' }) + '\n');
    await run(byBytes.transport, docs(10), { maxBytes: one * 3 + 5 });
    expect(byBytes.requests.map((r) => r.length)).toEqual([3, 3, 3, 1]);
  });

  it('dead-letters every document of a request OpenSearch refuses as malformed', async () => {
    const bad: BulkTransport = { send: async () => ({ status: 400, body: { error: { type: 'illegal_argument_exception' } } }) };
    const { stats, dead } = await run(bad, docs(2));
    expect(stats).toMatchObject({ indexed: 0, deadLettered: 2 });
    expect(dead.map((d) => d.reason)).toEqual(['bulk_rejected', 'bulk_rejected']);
  });
});

describe('BulkWriter: the cluster refuses the caller (401/403)', () => {
  const denied = { type: 'security_exception', reason: 'no permissions for [indices:admin/create] and User [name=indexer, backend_roles=[arn:aws:iam::111122223333:role/idx]]' };
  /** Items of index `logs-new-*` are refused for the first `refusals` attempts (a mapping applied meanwhile). */
  function refusing(refusals: number) {
    let calls = 0;
    const transport: BulkTransport = {
      async send(body) {
        calls++;
        const items = parseBody(body).map((a) => {
          const refused = a.meta._index.startsWith('logs-new-') && calls <= refusals;
          return { [a.action]: { _index: a.meta._index, _id: a.meta._id, status: refused ? 403 : 201, ...(refused ? { error: denied } : {}) } };
        });
        return { status: 200, body: { errors: true, items } };
      },
    };
    return { transport, calls: () => calls };
  }
  const mixed = () => [...docs(2), ...docs(2).map((d) => ({ ...d, index: 'logs-new-2026.03.02', id: `new-${d.id}` }))];

  it('hands refused items back with the reason after the bounded retries: never dead-lettered', async () => {
    const r = refusing(Infinity);
    const err = await run(r.transport, mixed()).catch((e) => e);
    expect(err).toBeInstanceOf(BulkUnavailableError);
    expect((err as BulkUnavailableError).pending).toBe(2);
    expect((err as Error).message).toContain('2 documents still rejected after 4 attempts (last: 403 security_exception: no permissions for [indices:admin/create]');
    expect(r.calls()).toBe(4);
  });

  it('indexes them when the permission arrives during the retries (setup mapping the role meanwhile)', async () => {
    const { stats, dead } = await run(refusing(2).transport, mixed());
    expect(stats).toMatchObject({ indexed: 4, deadLettered: 0, retried: 4 });
    expect(dead).toEqual([]);
  });

  it('retries a whole-request 401/403 and then hands the documents back with the cluster reason', async () => {
    for (const status of [401, 403]) {
      let calls = 0;
      const refused: BulkTransport = { send: async () => (calls++, { status, body: { error: { type: 'security_exception', reason: 'no permissions for [indices:data/write/bulk]' }, status } }) };
      const err = await run(refused, docs(3)).catch((e) => e);
      expect(err).toBeInstanceOf(BulkUnavailableError);
      expect((err as Error).message).toBe(`HTTP ${status} on _bulk: security_exception: no permissions for [indices:data/write/bulk] after 4 attempts`);
      expect((err as BulkUnavailableError).pending).toBe(3);
      expect(calls).toBe(4);
    }
    // A body without an OpenSearch error still says what happened.
    const bare: BulkTransport = { send: async () => ({ status: 401, body: 'Unauthorized' }) };
    await expect(run(bare, docs(1))).rejects.toThrow('HTTP 401 on _bulk: Unauthorized after 4 attempts');
  });

  it('keeps 401/403 apart from the statuses worth retrying for their own sake', () => {
    expect([401, 403].map(isRefusedStatus)).toEqual([true, true]);
    expect([400, 404, 409, 413, 429, 500].map(isRefusedStatus)).toEqual([false, false, false, false, false, false]);
    expect([401, 403].map(isRetryableStatus)).toEqual([false, false]);
  });
});
