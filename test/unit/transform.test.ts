/**
 * Firehose transformer core and handler, with real event shapes (test/events/firehose-cwl.json is
 * built by test/events/build.ts from the documented CloudWatch Logs / Firehose formats). Assertions
 * are about the envelope contract (ids, results, counts, partitions, size budget), not parser output.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { parseArchiveKey, FIREHOSE_PREFIX, PARTITION_KEYS } from '../../lib/core/archive';
import type { FirehoseTransformEvent } from '../../lib/core/envelopes';
import { stableId } from '../../parsers/ids';
import { decodeOutputData, transformFirehose, type FirehoseOutputRecord } from '../../lib/transform';
import { DATASETS } from '../../parsers/types';
import { cwlRecord } from '../events/build';
import { invokeLocal } from '../events/invoke';

const sample = (): FirehoseTransformEvent => JSON.parse(readFileSync(join(__dirname, '../events/firehose-cwl.json'), 'utf8'));
const NOW = new Date('2026-03-01T11:00:00.000Z');
const BIG = 6 * 1000 * 1000;

const lines = (r: FirehoseOutputRecord) =>
  decodeOutputData(r.data!).split('\n').filter((l) => l !== '').map((l) => JSON.parse(l));

function payloadOf(data: string) {
  return JSON.parse(gunzipSync(Buffer.from(data, 'base64')).toString('utf8')) as {
    logGroup: string;
    logEvents: Array<{ id: string; timestamp: number }>;
  };
}

describe('transformFirehose', () => {
  it('returns one result per record, same ids, same order', () => {
    const ev = sample();
    const { response } = transformFirehose(ev, { responseMaxBytes: BIG, now: NOW });
    expect(response.records.map((r) => r.recordId)).toEqual(ev.records.map((r) => r.recordId));
    expect(response.records.map((r) => r.result)).toEqual(['Ok', 'Ok', 'Dropped', 'Ok', 'ProcessingFailed']);
  });

  it('drops control messages and fails only records that are not CWL payloads', () => {
    const ev = sample();
    const out = transformFirehose(ev, { responseMaxBytes: BIG, now: NOW });
    const control = out.response.records[2];
    expect(control).toEqual({ recordId: ev.records[2].recordId, result: 'Dropped' });
    const bad = out.response.records[4];
    expect(bad.result).toBe('ProcessingFailed');
    expect(bad.data).toBeUndefined(); // Firehose keeps the original bytes itself (rawData)
    expect(out.failedRecords).toEqual([{ recordId: ev.records[4].recordId, reason: expect.stringMatching(/not JSON|gzip|CloudWatch/) }]);
  });

  it('emits one NDJSON line per log event, with deterministic unique ids', () => {
    const ev = sample();
    const a = transformFirehose(ev, { responseMaxBytes: BIG, now: NOW }).response;
    const b = transformFirehose(sample(), { responseMaxBytes: BIG, now: new Date('2027-01-01T00:00:00Z') }).response;
    const all: string[] = [];
    for (const i of [0, 1, 3]) {
      const payload = payloadOf(ev.records[i].data);
      const docs = lines(a.records[i]);
      expect(docs).toHaveLength(payload.logEvents.length); // a document or a failure document per event
      expect(Object.values(DATASETS)).toContain(docs[0].event.dataset);
      for (const d of docs) expect(d.tributary.log_group).toBe(payload.logGroup);
      // Same event, later run (replay, Firehose retry): same ids.
      expect(lines(b.records[i]).map((d) => d.event.id)).toEqual(docs.map((d) => d.event.id));
      all.push(...docs.map((d) => d.event.id));
    }
    expect(new Set(all).size).toBe(all.length);
  });

  it('derives the default id from log group + CloudWatch event id', () => {
    // Two identical messages that differ only by their CWL event id must be two documents.
    const data = cwlRecord('/app/orders', 'stream-1', ['same text', 'same text'], 777n);
    const out = transformFirehose({ invocationId: 'i', deliveryStreamArn: 'a', region: 'us-east-1', records: [{ recordId: 'r', approximateArrivalTimestamp: 0, data }] }, { responseMaxBytes: BIG });
    const docs = lines(out.response.records[0]);
    const expected = ['777', '778'].map((id) => stableId(docs[0].event.dataset, `/app/orders/${id}`));
    expect(docs.map((d) => d.event.id)).toEqual(expected);
  });

  it('accepts payloads Firehose already decompressed', () => {
    const ev = sample();
    const plain = { ...ev, records: [{ ...ev.records[1], data: gunzipSync(Buffer.from(ev.records[1].data, 'base64')).toString('base64') }] };
    const zipped = transformFirehose({ ...ev, records: [ev.records[1]] }, { responseMaxBytes: BIG, now: NOW });
    const unzipped = transformFirehose(plain, { responseMaxBytes: BIG, now: NOW });
    expect(unzipped.response.records[0].result).toBe('Ok');
    expect(unzipped.response.records[0].data).toBe(zipped.response.records[0].data);
  });

  it('returns partition keys of the earliest event time, matching the archive layout', () => {
    const ev = sample();
    const { response } = transformFirehose(ev, { responseMaxBytes: BIG, now: NOW });
    const keys = response.records[1].metadata!.partitionKeys;
    expect(Object.keys(keys)).toEqual([...PARTITION_KEYS]);
    expect(keys).toMatchObject({ source: 'vpcflow', account: '123456789012', region: 'us-east-1', year: '2026', month: '03', day: '01', hour: '10' });
    // What Firehose would write with FIREHOSE_PREFIX parses back to the same values.
    const key = FIREHOSE_PREFIX.replace(/!\{partitionKeyFromLambda:(\w+)\}/g, (_, k: string) => keys[k]) + 'tributary-1-2026-03-01-10-16-00-abc.ndjson.gz';
    expect(parseArchiveKey(key)?.partition).toEqual(keys);
  });

  it('partitions by the earliest event even when events cross an hour', () => {
    const t = Date.UTC(2026, 2, 1, 10, 59, 59);
    const data = cwlRecord('/aws/lambda/x', 's', ['a', 'b', 'c'], 1000n, t); // 10:59:59, 11:00:00, 11:00:01
    const out = transformFirehose({ invocationId: 'i', deliveryStreamArn: 'a', region: 'eu-west-1', records: [{ recordId: 'r', approximateArrivalTimestamp: t + 9e6, data }] }, { responseMaxBytes: BIG });
    expect(out.response.records[0].metadata!.partitionKeys).toMatchObject({ hour: '10', region: 'eu-west-1' });
  });

  it('keeps the accounting identity received = documents + dropped + failed', () => {
    const out = transformFirehose(sample(), { responseMaxBytes: BIG, now: NOW });
    const t = out.tally as Required<typeof out.tally>;
    // 4 lambda + 2 vpc + 1 control + 1 cloudtrail; the unusable record is deferred to S3 ingest
    expect(t.received).toBe(8);
    expect(t.received).toBe(t.documents + t.dropped + t.failed);
    expect(t).toMatchObject({ processing_failed_records: 1, deferred: 1 });
    // Every line of the Ok records is one of the transformer's documents or failure documents.
    const okLines = out.response.records.filter((r) => r.result === 'Ok').reduce((n, r) => n + lines(r).length, 0);
    expect(okLines).toBe(t.documents + t.failed);
  });

  describe('response size budget', () => {
    const big = (n: number, id: string) => ({
      recordId: id,
      approximateArrivalTimestamp: Date.UTC(2026, 2, 1),
      data: cwlRecord('/app/noise', 's', Array.from({ length: n }, (_, i) => `line ${i} ${'x'.repeat(200)}`), 5000n),
    });

    it('fails the records that do not fit, keeps every id and stays under the budget', () => {
      const records = Array.from({ length: 12 }, (_, i) => big(200, `rec-${i}`));
      const full = transformFirehose({ invocationId: 'i', deliveryStreamArn: 'a', region: 'us-east-1', records }, { responseMaxBytes: BIG });
      expect(full.response.records.every((r) => r.result === 'Ok')).toBe(true);
      const oneRecord = Buffer.byteLength(JSON.stringify(full.response.records[0]));
      const budget = Math.floor(oneRecord * 4.5);

      const out = transformFirehose({ invocationId: 'i', deliveryStreamArn: 'a', region: 'us-east-1', records }, { responseMaxBytes: budget });
      expect(out.response.records.map((r) => r.recordId)).toEqual(records.map((r) => r.recordId));
      const results = out.response.records.map((r) => r.result);
      expect(results.filter((r) => r === 'Ok')).toHaveLength(4);
      expect(results.slice(4).every((r) => r === 'ProcessingFailed')).toBe(true);
      expect(Buffer.byteLength(JSON.stringify(out.response))).toBeLessThanOrEqual(budget);
      // The events of the records that did not fit are deferred (S3 ingest receives them from the
      // error prefix and counts them there): counted once, by one stage, never lost.
      expect(out.tally).toMatchObject({ received: 4 * 200, documents: 4 * 200, failed: 0, processing_failed_records: 8, deferred: 8 * 200 });
      expect(out.tally.received).toBe(out.tally.documents! + out.tally.dropped! + out.tally.failed!);
      expect(out.tally.received! + out.tally.deferred!).toBe(full.tally.received);
      expect(out.bySource.app).toMatchObject({ received: 4 * 200, deferred: 8 * 200 });
    });

    it('still answers every record when a single record alone is over the budget', () => {
      const records = [big(2000, 'huge'), big(1, 'small')];
      const out = transformFirehose({ invocationId: 'i', deliveryStreamArn: 'a', region: 'us-east-1', records }, { responseMaxBytes: 64 * 1024 });
      expect(out.response.records.map((r) => [r.recordId, r.result])).toEqual([
        ['huge', 'ProcessingFailed'],
        ['small', 'Ok'],
      ]);
    });
  });

  it('normalizes a gzip record that is JSON but not a CWL payload as a direct-PUT record, attributed to nobody it proves', () => {
    const data = gzipSync(JSON.stringify({ hello: 'world' })).toString('base64');
    const out = transformFirehose({ invocationId: 'i', deliveryStreamArn: 'a', region: 'us-east-1', records: [{ recordId: 'x', approximateArrivalTimestamp: 0, data }] }, { responseMaxBytes: BIG });
    expect(out.response.records[0].result).toBe('Ok');
    expect(lines(out.response.records[0])).toEqual([expect.objectContaining({ tributary: expect.objectContaining({ source: 'app', attribution: 'unverified' }) })]);
    expect(out.tally).toMatchObject({ received: 1, documents: 1 });
  });
});

describe('transform handler (real Node process, like serverless invoke local)', () => {
  it('answers the sample event and publishes EMF metrics that add up', () => {
    const inv = invokeLocal('transform', sample(), { AWS_REGION: 'us-east-1', POWERTOOLS_METRICS_NAMESPACE: undefined });
    expect(inv.error).toBeUndefined();
    const res = inv.result as { records: FirehoseOutputRecord[] };
    expect(res.records.map((r) => r.result)).toEqual(['Ok', 'Ok', 'Dropped', 'Ok', 'ProcessingFailed']);
    // One document {service, stage} (what alarms watch), one per source {service, stage, source}.
    type Emf = Record<string, number> & { source?: string; _aws: { CloudWatchMetrics: Array<{ Namespace: string }> } };
    const all = inv.metrics as Emf[];
    const aggregate = all.filter((d) => d.source === undefined);
    expect(aggregate).toHaveLength(1);
    const m = aggregate[0];
    expect(m._aws.CloudWatchMetrics[0].Namespace).toBe('Tributary');
    expect(m.received).toBe(m.documents + m.dropped + m.failed);
    expect(m).toMatchObject({ received: 8, dropped: 1, processing_failed_records: 1, deferred: 1 });
    const perSource = all.filter((d) => d.source !== undefined);
    expect(perSource.map((d) => d.source).sort()).toEqual(['cloudtrail', 'lambda', 'unknown', 'vpcflow']);
    for (const k of ['received', 'documents', 'dropped', 'failed']) expect(perSource.reduce((a, d) => a + (d[k] ?? 0), 0)).toBe(m[k]);
    expect(inv.logs.find((l) => l.message === 'invocation summary')).toBeDefined();
  });

  it('fails the cold start with every bad variable named', () => {
    const inv = invokeLocal('transform', sample(), { SOURCE_MAPPINGS: '[{"pattern":"/x","source":"nope"}]', INCLUDE_ORIGINAL: 'maybe', RESPONSE_MAX_BYTES: '7000000' });
    expect(inv.error).toMatch(/SOURCE_MAPPINGS/);
    expect(inv.error).toMatch(/INCLUDE_ORIGINAL/);
    expect(inv.error).toMatch(/RESPONSE_MAX_BYTES/);
  });
});
