/**
 * The bulk core (lib/io/bulk.ts) against a model OpenSearch that fails in every way fast-check can
 * schedule: item-level 429/503/409/400, whole-request 429/503/413, connection resets and malformed
 * answers. Whatever happens, each document ends exactly once: indexed (present in the model, under
 * its `_id`), dead-lettered with a reason (and then NOT in the model), or still pending when the
 * writer gives up with `BulkUnavailableError` (the caller hands the message back to SQS).
 */
import fc from 'fast-check';
import { BulkUnavailableError, BulkWriter, type DeadLetter } from '../../lib/io/bulk';
import { runs } from '../helpers/fuzz';

const RUNS = 60; // per property in npm test; npm run fuzz sets its own (test/helpers/fuzz.ts)

type ItemFault = 'ok' | 429 | 503 | 409 | 400;
type RequestFault = 'ok' | 'reset' | 429 | 503 | 413 | 'malformed';

/** An in-memory OpenSearch whose answers follow the schedules (then healthy once they run out). */
class ModelOpenSearch {
  readonly store = new Map<string, unknown>();
  requests = 0;
  constructor(
    private readonly requestFaults: RequestFault[],
    private readonly itemFaults: ItemFault[],
  ) {}

  async send(body: string): Promise<{ status: number; body: unknown }> {
    const fault = this.requestFaults[this.requests++] ?? 'ok';
    if (fault === 'reset') throw new Error('ECONNRESET (model)');
    const lines = body.split('\n').filter(Boolean);
    if (fault === 413 && lines.length > 2) return { status: 413, body: 'too large' };
    if (fault === 429 || fault === 503) return { status: fault, body: { error: 'model' } };
    if (fault === 'malformed') return { status: 200, body: { items: 'nope' } };
    const items: unknown[] = [];
    for (let i = 0; i < lines.length; i += 2) {
      const action = JSON.parse(lines[i]) as Record<string, { _index: string; _id: string }>;
      const [kind, meta] = Object.entries(action)[0];
      const f = this.itemFaults.shift() ?? 'ok';
      if (f === 'ok') {
        this.store.set(meta._id, JSON.parse(lines[i + 1]));
        items.push({ [kind]: { _index: meta._index, _id: meta._id, status: 201 } });
      } else items.push({ [kind]: { _index: meta._index, _id: meta._id, status: f, error: { type: f === 400 ? 'mapper_parsing_exception' : 'es_rejected_execution_exception', reason: 'model' } } });
    }
    return { status: 200, body: { errors: true, items } };
  }
}

describe('resilience: bulk core under injected OpenSearch faults', () => {
  it('every document ends exactly once: indexed, dead-lettered with a reason, or pending in the error', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 120 }),
        fc.array(fc.constantFrom<RequestFault>('ok', 'ok', 'reset', 429, 503, 413, 'malformed'), { maxLength: 12 }),
        fc.array(fc.constantFrom<ItemFault>('ok', 'ok', 'ok', 429, 503, 409, 400), { maxLength: 200 }),
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 1, max: 6 }),
        async (n, requestFaults, itemFaults, maxDocs, maxAttempts) => {
          const os = new ModelOpenSearch(requestFaults, itemFaults);
          const dead: DeadLetter[] = [];
          const w = new BulkWriter(os, { maxBytes: 1 << 20, maxDocs, maxAttempts, backoffMs: 1, sleep: async () => undefined, onDeadLetter: (d) => void dead.push(d) });
          const ids = Array.from({ length: n }, (_, i) => `doc-${i}`);
          let error: unknown;
          let added = 0;
          try {
            for (const id of ids) {
              await w.add({ index: 'logs-x', id, doc: { event: { id } } });
              added++;
            }
            await w.flush();
          } catch (e) {
            error = e;
          }
          const deadIds = dead.map((d) => (d.document as { event: { id: string } }).event.id);
          expect(new Set(deadIds).size).toBe(deadIds.length); // dead-lettered once
          for (const d of dead) expect(d.reason).toEqual(expect.any(String));
          for (const id of deadIds) expect(os.store.has(id)).toBe(false); // never both
          expect(w.stats.indexed).toBe(os.store.size); // indexed = what OpenSearch holds, no double count
          expect(w.stats.deadLettered).toBe(dead.length);
          if (error === undefined) {
            expect(os.store.size + dead.length).toBe(n);
            expect(new Set([...os.store.keys(), ...deadIds])).toEqual(new Set(ids));
          } else {
            expect(error).toBeInstanceOf(BulkUnavailableError);
            // The caller counts failed = documents - indexed - dead-lettered: that is exactly what is left.
            const pending = (error as BulkUnavailableError).pending;
            expect(pending).toBeGreaterThan(0);
            expect(os.store.size + dead.length + pending).toBeLessThanOrEqual(n);
            expect(added).toBeLessThanOrEqual(n);
          }
        },
      ),
      { numRuns: runs(RUNS * 3) },
    );
  });
});
