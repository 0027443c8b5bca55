/**
 * Load: a burst of Firehose events of 1–6 MB (the Lambda request limit) through ONE warm transformer
 * (`transformFirehose`, as one Lambda container handles a burst), with the deployed response budget.
 * Asserts no errors (nothing throws, every record answered, `received = documents + dropped + failed`,
 * records over the budget are ProcessingFailed for the S3 fallback and nothing else), a response that
 * always fits the 6 MB limit, and bounded memory: the heap after a full GC does not grow with the
 * number of events processed.
 *
 * Count: `TRIBUTARY_LOAD_EVENTS` (default 60, about a minute on 2 busy cores; the burst is
 * `TRIBUTARY_LOAD_EVENTS=200`). Records are CloudWatch payloads already decompressed by Firehose's
 * Decompression processor, so a 6 MB event really carries ~4.5 MB of log payloads.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { FirehoseTransformEvent } from '../../lib/core/envelopes';
import { transformFirehose } from '../../lib/transform';
import { albLines, appLines, auditLines, cloudTrailRecords, cloudWatchPayload, lambdaLines, Rng, vpcFlowV2, type SampleEvent } from '../../samples/generate';

const COUNT = Number(process.env.TRIBUTARY_LOAD_EVENTS ?? 60);
const BUDGET = 5_767_168; // RESPONSE_MAX_BYTES default
const LAMBDA_LIMIT = 6 * 1024 * 1024;
const START = Date.UTC(2026, 2, 1, 10);
const MB = 1024 * 1024;

jest.setTimeout(Math.max(120_000, COUNT * 5_000));

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const spaced = (lines: string[], start: number): SampleEvent[] => lines.map((message, i) => ({ timestamp: start + i * 10, message }));

/** One CloudWatch payload of about 200 KB of one source, plain JSON as the Decompression processor delivers it. */
function payload(rng: Rng, k: number): string {
  const t = START + k * 1000;
  const kinds: Array<[string, SampleEvent[]]> = [
    ['/aws/vpc/flow-logs', vpcFlowV2(rng, 1400, t)],
    ['/aws/elb/orders', spaced(albLines(rng, 400, t), t)],
    ['aws-cloudtrail-logs', spaced(cloudTrailRecords(rng, 250, t), t)],
    ['/aws/lambda/orders', lambdaLines(rng, 300, t)],
    ['/ec2/auditd', spaced(auditLines(rng, 350, t), t)],
    ['/app/orders', appLines(rng, 800, t)],
  ];
  const [group, events] = kinds[k % kinds.length];
  return JSON.stringify(cloudWatchPayload(rng, group, `stream-${k}`, '111122223333', events));
}

/** A Firehose event of about `bytes` (its JSON, as Lambda receives it). */
function event(rng: Rng, bytes: number, n: number): FirehoseTransformEvent {
  const records: FirehoseTransformEvent['records'] = [];
  let size = 200;
  for (let k = 0; ; k++) {
    const data = Buffer.from(payload(rng, n * 100 + k)).toString('base64');
    if (records.length && size + data.length + 120 > bytes) break;
    size += data.length + 120;
    records.push({ recordId: `${n}-${k}`, approximateArrivalTimestamp: START, data });
  }
  return { invocationId: `load-${n}`, deliveryStreamArn: 'arn:aws:firehose:us-east-1:111122223333:deliverystream/load', region: 'us-east-1', records };
}

describe('load: a burst of 1–6 MB Firehose events', () => {
  it(`processes ${COUNT} events with no errors, responses under 6 MB and a heap that does not grow`, () => {
    // Six templates (1..6 MB), generated once; the burst cycles through them (ids repeat: that is a replay, still counted).
    const rng = new Rng(2026);
    const templates = [1, 2, 3, 4, 5, 6].map((mb, i) => event(rng, mb * 1_000_000, i));
    for (const t of templates) expect(Buffer.byteLength(JSON.stringify(t))).toBeLessThanOrEqual(6_000_000);
    gc();
    const heaps: number[] = [];
    let peakRss = 0;
    const totals = { received: 0, documents: 0, failedRecords: 0, records: 0 };
    const t0 = Date.now();
    for (let i = 0; i < COUNT; i++) {
      const ev = templates[i % templates.length];
      const out = transformFirehose(ev, { responseMaxBytes: BUDGET, now: new Date(START) });
      expect(out.response.records.map((r) => r.recordId)).toEqual(ev.records.map((r) => r.recordId));
      const t = out.tally;
      expect(t.received).toBe(t.documents! + t.dropped! + t.failed!);
      expect(Buffer.byteLength(JSON.stringify(out.response))).toBeLessThanOrEqual(LAMBDA_LIMIT);
      // Only the response budget may fail a record (its bytes go to the S3 fallback); valid payloads never fail otherwise.
      for (const f of out.failedRecords) expect(f.reason).toMatch(/does not fit the response budget/);
      expect(out.response.records.filter((r) => r.result === 'Ok').length).toBeGreaterThan(0);
      totals.received += t.received!;
      totals.documents += t.documents!;
      totals.failedRecords += out.failedRecords.length;
      totals.records += ev.records.length;
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
      if (i % 6 === 5) {
        gc();
        heaps.push(process.memoryUsage().heapUsed);
      }
    }
    const seconds = (Date.now() - t0) / 1000;
    gc();
    const first = heaps[0] ?? process.memoryUsage().heapUsed;
    const last = process.memoryUsage().heapUsed;
    console.log(
      `load: ${COUNT} events (${totals.records} records, ${totals.received} log events) in ${seconds.toFixed(1)} s; ` +
        `${totals.failedRecords} records over the response budget (S3 fallback); heap after GC ${(first / MB).toFixed(0)} -> ${(last / MB).toFixed(0)} MB; peak RSS ${(peakRss / MB).toFixed(0)} MB`,
    );
    // Bounded: what stays alive after a burst is independent of its length (a leak of even 1% of
    // the ~1 GB processed would exceed this).
    expect(last - first).toBeLessThan(48 * MB);
    expect(totals.documents).toBeGreaterThan(0);
  });
});
