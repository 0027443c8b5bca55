/**
 * The benchmark's floors and ceilings (bench/floors.ts) do the work they claim: a ceiling's ratio is
 * read as "the best a transformer writing these documents can reach" only if it writes exactly the
 * transformer's bytes, and a floor's only if it covers every event of the Firehose event.
 */
import { gunzipSync } from 'node:zlib';
import { archiveCeiling, archiveFloor, ceilingRecords, firehoseCeiling, firehoseFloor, recordDocuments } from '../../bench/floors';
import { BENCH_MAPPINGS, buildSource, SOURCES } from '../../bench/data';
import { transformFirehose } from '../../lib/transform';

const NOW = new Date(Date.UTC(2026, 2, 1, 12));
const gunzipText = (data: string) => gunzipSync(Buffer.from(data, 'base64')).toString('utf8');

describe.each(['vpc-v2', 'alb', 'cloudtrail', 'audit'])('bench floors and ceilings on %s', (name) => {
  const spec = SOURCES.find((s) => s.name === name)!;
  // Two records of ~40 KB of log text: small, but every record carries many events.
  const d = buildSource(spec, 2, 40_000);
  const out = transformFirehose(d.event, { responseMaxBytes: Infinity, mappings: BENCH_MAPPINGS, now: NOW });
  const documents = recordDocuments(out.response);

  it('the transformer wrote every event as a document (the ceilings start from all of them)', () => {
    expect(out.response.records.map((r) => r.result)).toEqual(d.event.records.map(() => 'Ok'));
    expect(out.tally.failed).toBe(0);
    expect(documents.reduce((n, r) => n + r.length, 0)).toBe(out.tally.documents);
  });

  it("the firehose ceiling's records hold the transformer's NDJSON byte for byte", () => {
    const records = ceilingRecords(d.event, documents);
    expect(records.map((r) => r.recordId)).toEqual(out.response.records.map((r) => r.recordId));
    records.forEach((r, i) => expect(gunzipText(r.data)).toBe(gunzipText(out.response.records[i].data!)));
    expect(firehoseCeiling(d.event, documents).events).toBe(out.tally.documents);
  });

  it('the archive ceiling and both floors cover every event', () => {
    expect(archiveCeiling(d.event, documents).events).toBe(out.tally.documents);
    // The floors count CloudWatch Logs events; audit documents group several records each.
    const received = d.batches.reduce((n, b) => n + b.events.length, 0);
    expect(firehoseFloor(d.event).events).toBe(received);
    expect(archiveFloor(d.event).events).toBe(received);
    expect(archiveCeiling(d.event, documents).outBytes).toBeGreaterThan(0);
  });
});
