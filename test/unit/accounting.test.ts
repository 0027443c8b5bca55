/**
 * Every event is counted once across the stages (#14 item 8). Records the transformer hands to
 * Firehose's error output (over the response budget, or undecodable) are `deferred` by the
 * transformer and received by S3 ingest from `errors/firehose/processing-failed/`, never both; the
 * local run (`npm start`) adds the two stages the same way and still reconciles.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { firehoseErrorKey } from '../../lib/core/archive';
import type { FirehoseTransformEvent } from '../../lib/core/envelopes';
import { addTally, type Tally } from '../../lib/core/tally';
import { ingestObject } from '../../lib/ingest';
import { readLines } from '../../lib/io/s3';
import { listAll, LocalStore } from '../../lib/io/store';
import { deliverFirehose } from '../../lib/local/deliver';
import { transformFirehose } from '../../lib/transform';
import { Rng } from '../../samples/generate';
import { cwlRecord } from '../events/build';

const T = Date.UTC(2026, 2, 1, 10, 30);
const NOW = new Date('2026-03-01T12:00:00Z');
let dir: string;
beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), 'tributary-accounting-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const identity = (t: Tally) => expect((t.received ?? 0) - (t.documents ?? 0) - (t.dropped ?? 0) - (t.failed ?? 0)).toBe(0);

/** 6 payloads of 50 events, one record that is no CloudWatch Logs payload, one control message. */
function event(): FirehoseTransformEvent {
  const control = gzipSync(JSON.stringify({ messageType: 'CONTROL_MESSAGE', owner: 'CloudwatchLogs', logGroup: '', logStream: '', subscriptionFilters: [], logEvents: [{ id: '', timestamp: T, message: 'CWL CONTROL MESSAGE: Checking health of destination Firehose.' }] })).toString('base64');
  return {
    invocationId: 'accounting',
    deliveryStreamArn: 'arn:aws:firehose:us-east-1:123456789012:deliverystream/tributary',
    region: 'us-east-1',
    records: [
      ...Array.from({ length: 6 }, (_, i) => ({
        recordId: `r${i}`,
        approximateArrivalTimestamp: T,
        data: cwlRecord(`/app/budget-${i}`, 's', Array.from({ length: 50 }, (_, j) => `event ${j} ${'y'.repeat(300)}`), BigInt(10_000 * (i + 1)), T),
      })),
      { recordId: 'garbage', approximateArrivalTimestamp: T, data: Buffer.from([0xff, 0xfe, 0x00, 0x48, 0x69]).toString('base64') }, // no UTF-8 text: not a direct-PUT record either
      { recordId: 'control', approximateArrivalTimestamp: T, data: control },
    ],
  };
}

it('the transformer defers what it hands to Firehose; S3 ingest receives exactly that; together every event once', async () => {
  const ev = event();
  const unlimited = transformFirehose(ev, { responseMaxBytes: 5_500_000, now: NOW });
  // Room for the first two records' output and the minimal entries of the others.
  const entry = (r: object) => Buffer.byteLength(JSON.stringify(r)) + 1;
  const [r0, r1] = unlimited.response.records;
  const budget = 20 + entry(r0) + entry(r1) + ev.records.slice(2).reduce((n, r) => n + entry({ recordId: r.recordId, result: 'ProcessingFailed' }), 0) + 10;
  const limited = transformFirehose(ev, { responseMaxBytes: budget, now: NOW });
  expect(limited.response.records.map((r) => r.result)).toEqual(['Ok', 'Ok', 'ProcessingFailed', 'ProcessingFailed', 'ProcessingFailed', 'ProcessingFailed', 'ProcessingFailed', 'Dropped']);
  // Not received, not failed: deferred (4 payloads of 50 events, and the undecodable record as one).
  expect(limited.tally).toEqual({ received: 101, documents: 100, dropped: 1, failed: 0, processing_failed_records: 5, deferred: 201 });
  identity(limited.tally);

  // What Firehose writes for the ProcessingFailed records, and S3 ingest reading it.
  const archive = new LocalStore(path.join(dir, 'archive'), 'archive');
  const lines = limited.response.records.flatMap((r, i) =>
    r.result === 'ProcessingFailed' ? [JSON.stringify({ attemptsMade: 1, arrivalTimestamp: T, errorCode: 'Lambda.ProcessingFailed', rawData: ev.records[i].data })] : [],
  );
  const key = firehoseErrorKey('processing-failed', T, 'tributary-1-2026-03-01-10-30-00-accounting');
  await archive.put(key, lines.join('\n') + '\n');
  const ingested = await ingestObject({ store: archive, key, version: 'v1' }, { archive, chunkLines: 5000, region: 'us-east-1', now: () => NOW });
  expect(ingested.tally).toMatchObject({ received: 201, documents: 200, failed: 1, dropped: 0 });
  identity(ingested.tally);
  expect(ingested.tally.received).toBe(limited.tally.deferred);

  // Across the stages: the events of the delivery, each counted once, as without any budget.
  const both = addTally(addTally({}, limited.tally), ingested.tally);
  const whole = unlimited.tally;
  expect(both.received).toBe(whole.received! + whole.deferred!); // the garbage record: deferred by both runs
  expect(both.received).toBe(6 * 50 + 1 + 1);
  expect(both.documents).toBe(whole.documents);
  expect(both.documents! + both.failed!).toBe(6 * 50 + 1);
});

it('`npm start`\'s Firehose stand-in adds the two stages: its counts reconcile and match the archive', async () => {
  // Records whose output cannot all fit in the 5.5 MiB response: random text does not compress.
  const rng = new Rng(5);
  const ev: FirehoseTransformEvent = {
    invocationId: 'big',
    deliveryStreamArn: 'arn:aws:firehose:us-east-1:123456789012:deliverystream/tributary-demo',
    region: 'us-east-1',
    records: Array.from({ length: 12 }, (_, i) => ({
      recordId: `big-${i}`,
      approximateArrivalTimestamp: T,
      data: cwlRecord(`/app/big-${i}`, 's', Array.from({ length: 400 }, () => rng.hex(2000)), BigInt(1_000_000 * (i + 1)), T),
    })),
  };
  const archive = new LocalStore(path.join(dir, 'archive'), 'tributary-demo-archive');
  const d = await deliverFirehose(ev, archive, { now: NOW });
  expect(d.tally.deferred).toBeGreaterThan(0); // some records went the error-prefix way
  expect(d.tally).toMatchObject({ received: 12 * 400, documents: 12 * 400, dropped: 0, failed: 0 });
  identity(d.tally);
  let docs = 0;
  for await (const o of listAll(archive, 'normalized/')) for await (const l of readLines(await archive.get(o.key))) if (l) docs++;
  expect(docs).toBe(d.tally.documents! + d.tally.failed!);
});
