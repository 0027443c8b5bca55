/**
 * Security Hub and GuardDuty findings (parsers/securityhub.ts, parsers/guardduty.ts) and direct-PUT
 * Firehose records (lib/core/direct-put.ts): shapes, splitting of exports, detection, attribution of
 * findings delivered by a delegated administrator, ids equal on every path, the transformer's
 * accounting for EventBridge records mixed with CloudWatch Logs records, and fuzzing.
 */
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { decodeFirehoseRecord, directPutBatch } from '../../lib/core/direct-put';
import { EnvelopeError, s3ObjectBatch } from '../../lib/core/envelopes';
import { decodeFirehoseErrorRecord } from '../../lib/core/firehose-errors';
import { normalize } from '../../lib/core/pipeline';
import { documentId } from '../../lib/core/attribution';
import { decodeOutputData, transformFirehose } from '../../lib/transform';
import { detectSource } from '../../parsers/detect';
import { meta as guarddutyMeta, parseGuardDutyRecord } from '../../parsers/guardduty';
import { meta as securityhubMeta, parseSecurityHubRecord, securityhubParser } from '../../parsers/securityhub';
import type { RawEvent, SourceId } from '../../parsers/types';
import { cwlRecord } from '../events/build';
import { runs } from '../helpers/fuzz';
import { expectValid, schemaErrors } from '../helpers/schema';

const NOW = new Date('2026-03-05T00:00:00.000Z');
const ADMIN = '999988887777';
const MEMBER = '111122223333';

const example = (m: typeof securityhubMeta, i: number) => m.examples[i].input as string;
const shEvent = () => JSON.parse(example(securityhubMeta, 0)) as Record<string, unknown> & { detail: { findings: Array<Record<string, unknown>> } };
const gdEvent = () => JSON.parse(example(guarddutyMeta, 0)) as Record<string, unknown> & { detail: Record<string, unknown> };

function run(messages: string[], source: SourceId | 'auto' = 'auto', context = {}, aggregators: string[] = []) {
  const events: RawEvent[] = messages.map((message, i) => ({ message, key: `t:${i}` }));
  const r = normalize({ events, context, source }, { now: NOW, aggregators });
  for (const d of [...r.documents, ...r.failures]) expectValid(d);
  expect(r.counts.received).toBe(r.counts.documents + r.counts.dropped + r.counts.failed);
  return r;
}

describe('Security Hub findings', () => {
  it('makes one document per finding of an export ({"Findings":[...]}, an array), each counted', () => {
    const f = shEvent().detail.findings[0];
    const g = { ...f, Id: f.Id + '-2', UpdatedAt: '2026-03-04T06:00:00.000Z' };
    for (const text of [JSON.stringify({ Findings: [f, g, f] }), JSON.stringify([f, g])]) {
      const r = run([text]);
      expect(r.source).toBe('securityhub');
      const n = text.startsWith('[') ? 2 : 3;
      expect(r.counts).toEqual({ received: n, documents: n, dropped: 0, failed: 0 });
      expect(r.documents[0].event?.id).not.toBe(r.documents[1].event?.id);
    }
    // An export with an entry that is no finding is not split: one failure holding the whole original.
    const r = run([JSON.stringify({ Findings: [f, { Id: 'x' }, 7] })], 'securityhub');
    expect(r.counts).toEqual({ received: 1, documents: 0, dropped: 0, failed: 1 });
    // A finding that cannot be read (a bad UpdatedAt) is one failure; the others are documents.
    const bad = run([JSON.stringify({ Findings: [f, { ...f, UpdatedAt: 'yesterday' }] })], 'securityhub');
    expect(bad.counts).toEqual({ received: 2, documents: 1, dropped: 0, failed: 1 });
  });

  it('gives the same event.id to the EventBridge event and the bare finding, a new one to each update', () => {
    const ev = shEvent();
    const bare = ev.detail.findings[0];
    const a = run([JSON.stringify(ev)]).documents[0];
    const b = run([JSON.stringify(bare)]).documents[0];
    expect(a.event?.id).toBe(b.event?.id);
    const updated = run([JSON.stringify({ ...bare, UpdatedAt: '2026-03-05T01:00:00.000Z', Workflow: { Status: 'RESOLVED' } })]).documents[0];
    expect(updated.event?.id).not.toBe(a.event?.id);
    expect(updated.aws?.securityhub?.finding_id).toBe(a.aws?.securityhub?.finding_id);
  });

  it('parses each finding once: the split hands its parsed value on, and the documents are those of the text alone', () => {
    const ev = shEvent();
    const f = ev.detail.findings[0];
    const split = securityhubParser.split!;
    // One EventBridge event of one finding: the same event, with the value the split parsed.
    const one = split({ message: JSON.stringify(ev), key: 'k' })!;
    expect(one).toHaveLength(1);
    expect(one[0]).toMatchObject({ message: JSON.stringify(ev), key: 'k', parsed: ev });
    // An export of two: each part's parsed value is the value of its text.
    const two = split({ message: JSON.stringify({ Findings: [f, { ...f, Id: `${String(f.Id)}-2` }] }), key: 'k' })!;
    for (const p of two) expect(p.parsed).toEqual(JSON.parse(p.message));
    // With and without the parsed value: the same documents, the same ids.
    for (const e of [...one, ...two]) {
      const { parsed: _parsed, ...textOnly } = e;
      const a = normalize({ events: [e], context: {}, source: 'securityhub' }, { now: NOW });
      const b = normalize({ events: [textOnly], context: {}, source: 'securityhub' }, { now: NOW });
      expect(a.documents).toEqual(b.documents);
      expect(a.documents).toHaveLength(1);
    }
    // And the parser does read the value it is given (not the text again).
    expect(parseSecurityHubRecord(JSON.stringify(f), { ...f, Title: 'from the parsed value' })).toMatchObject({ message: 'from the parsed value' });
  });

  it('maps severity to one 0-100 scale: Normalized, else the label', () => {
    const f = shEvent().detail.findings[0];
    const sev = (Severity: unknown) => run([JSON.stringify({ ...f, Severity })]).documents[0];
    expect(sev({ Label: 'CRITICAL' }).event?.severity).toBe(90);
    expect(sev({ Normalized: 45 })).toMatchObject({ event: { severity: 45 }, aws: { securityhub: { severity: { label: 'MEDIUM' } } } });
    expect(sev({ Label: 'INFORMATIONAL', Normalized: 0 }).event?.severity).toBe(0);
    expect(sev(undefined).event?.severity).toBeUndefined();
  });
});

describe('GuardDuty findings', () => {
  it('maps the severity number to its band and to event.severity × 10', () => {
    const d = gdEvent().detail;
    for (const [n, label, s] of [[8.9, 'High', 89], [5, 'Medium', 50], [1, 'Low', 10], [9.5, 'Critical', 95], [0.5, 'Informational', 5]] as const) {
      const doc = run([JSON.stringify({ ...d, severity: n })]).documents[0];
      expect(doc).toMatchObject({ event: { severity: s }, aws: { guardduty: { severity: { code: n, label } } } });
    }
  });

  it('reads an outbound connection as local → remote, and the remote address as the indicator', () => {
    const d = gdEvent().detail;
    const service = {
      ...(d.service as object),
      action: {
        actionType: 'NETWORK_CONNECTION',
        networkConnectionAction: { connectionDirection: 'OUTBOUND', protocol: 'TCP', blocked: false, remoteIpDetails: { ipAddressV4: '192.0.2.44' }, remotePortDetails: { port: 6667 }, localPortDetails: { port: 40123 } },
      },
    };
    const doc = run([JSON.stringify({ ...d, type: 'Backdoor:EC2/C&CActivity.B', service })]).documents[0];
    expect(doc).toMatchObject({
      source: { port: 40123 },
      destination: { ip: '192.0.2.44', port: 6667 },
      network: { transport: 'tcp', direction: 'outbound' },
      threat: { indicator: { ip: '192.0.2.44' }, tactic: { name: ['Command and Control'] } },
    });
  });

  it('reads the S3 export (one finding per line under AWSLogs/<account>/GuardDuty/) with the same ids as EventBridge', () => {
    const d = gdEvent().detail;
    const second = { ...d, id: 'a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5', updatedAt: '2026-03-01T11:00:00.000Z' };
    const key = `AWSLogs/${MEMBER}/GuardDuty/us-east-1/2026/03/01/5f0d2c1e-1111-2222-3333-444455556666.jsonl.gz`;
    const batch = s3ObjectBatch('ingest', key, 'etag1', gzipSync(`${JSON.stringify(d)}\n${JSON.stringify(second)}\n`));
    expect(batch.context).toMatchObject({ account: MEMBER, region: 'us-east-1' });
    const r = run(batch.events.map((e) => e.message), 'auto', batch.context);
    expect(detectSource(batch.context, batch.events)).toBe('guardduty');
    expect(r.documents.map((x) => x.tributary?.attribution)).toEqual(['delivery', 'delivery']);
    const live = run([JSON.stringify(gdEvent())], 'auto', { account: MEMBER, region: 'us-east-1' }).documents[0];
    expect(r.documents[0].event?.id).toBe(live.event?.id);
    expect(documentId(r.documents[0])).toBe(documentId(live));
  });

  it('is a failure for a line that is not a finding', () => {
    expect(parseGuardDutyRecord('{"schemaVersion":"2.0"}')).toMatchObject({ type: 'not_a_finding' });
    expect(parseGuardDutyRecord('nope')).toMatchObject({ type: 'not_json' });
  });
});

describe('detection', () => {
  it('knows AWS finding events, bare findings and exports, and not a custom source that copies the detail-type', () => {
    const at = (m: string) => detectSource({}, [{ message: m, key: 'k' }]);
    expect(at(JSON.stringify(shEvent()))).toBe('securityhub');
    expect(at(JSON.stringify(shEvent().detail.findings[0]))).toBe('securityhub');
    expect(at(JSON.stringify([shEvent().detail.findings[0]]))).toBe('securityhub');
    expect(at(JSON.stringify(gdEvent()))).toBe('guardduty');
    expect(at(JSON.stringify(gdEvent().detail))).toBe('guardduty');
    expect(at(JSON.stringify({ Findings: [gdEvent().detail] }))).toBe('guardduty');
    expect(at(JSON.stringify({ ...gdEvent(), source: 'my.app' }))).toBe('app');
    expect(detectSource({ logGroup: '/aws/events/guardduty' }, [])).toBe('guardduty');
  });
});

describe('attribution of findings', () => {
  const member = () => shEvent(); // AwsAccountId: MEMBER
  it('accepts the finding account when the delegated administrator (an aggregator) delivered it', () => {
    const r = run([JSON.stringify(member())], 'auto', { account: ADMIN, region: 'eu-west-1' }, [ADMIN]);
    expect(r.documents[0]).toMatchObject({ cloud: { account: { id: MEMBER } }, tributary: { attribution: 'aggregator', delivery: { account: ADMIN } } });
  });
  it('does not believe a finding naming another account from a member', () => {
    const r = run([JSON.stringify(member())], 'auto', { account: '444455556666', region: 'eu-west-1' });
    expect(r.documents[0]).toMatchObject({ cloud: { account: { id: '444455556666' } }, tributary: { attribution: 'mismatch', claimed: { account: MEMBER } } });
    expect(r.documents[0].tags).toContain('attribution_mismatch');
  });
});

describe('direct-PUT Firehose records (lib/core/direct-put.ts)', () => {
  it('trusts account and region of an aws.* EventBridge event, not of a custom one or text', () => {
    const aws = directPutBatch(JSON.stringify(gdEvent()), gdEvent(), 'eu-west-1');
    expect(aws.context).toEqual({ account: MEMBER, region: 'us-east-1' });
    expect(aws.events[0].key).toBe('eventbridge:c8c4daa7-a20c-2f03-0070-b7393dd542ad');
    const custom = { ...gdEvent(), source: 'my.app' };
    expect(directPutBatch(JSON.stringify(custom), custom, 'eu-west-1').context).toMatchObject({ local: true, account: MEMBER });
    const text = directPutBatch('one\n\ntwo\n', undefined, 'eu-west-1');
    expect(text.events.map((e) => e.message)).toEqual(['one', 'two']);
    expect(text.context).toEqual({ local: true, region: 'eu-west-1' });
  });

  it('refuses bytes that are neither CloudWatch Logs, JSON nor text, and structure bombs', () => {
    expect(() => decodeFirehoseRecord(Buffer.from([0xff, 0xfe, 0x00, 0x41]))).toThrow(EnvelopeError);
    expect(() => decodeFirehoseRecord(Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x01]))).toThrow(EnvelopeError);
    expect(() => decodeFirehoseRecord(Buffer.from('['.repeat(60_000)))).toThrow(/JSON objects and arrays/);
    expect(() => decodeFirehoseRecord(gzipSync(Buffer.alloc(2_000_000, 'a')), undefined, 1_000_000)).toThrow(/limit/);
  });

  it('transforms EventBridge records mixed with CloudWatch Logs records: counts reconcile, partitions by finding, same ids as the S3 path', () => {
    const T = Date.UTC(2026, 2, 4, 5, 7);
    const sh = JSON.stringify(shEvent());
    const gd = JSON.stringify(gdEvent());
    const event = {
      invocationId: 'i',
      deliveryStreamArn: 'arn:aws:firehose:eu-west-1:999988887777:deliverystream/tributary',
      region: 'eu-west-1',
      records: [
        { recordId: 'r0', approximateArrivalTimestamp: T, data: Buffer.from(sh).toString('base64') },
        { recordId: 'r1', approximateArrivalTimestamp: T, data: cwlRecord('/app/orders', 's', ['one', 'two'], 1000n, T) },
        { recordId: 'r2', approximateArrivalTimestamp: T, data: Buffer.from(gd).toString('base64') },
        { recordId: 'r3', approximateArrivalTimestamp: T, data: Buffer.from('plain text line\nsecond line').toString('base64') },
        { recordId: 'r4', approximateArrivalTimestamp: T, data: Buffer.from([0xff, 0xfe, 0x00]).toString('base64') },
      ],
    };
    const out = transformFirehose(event, { responseMaxBytes: 5_500_000, now: NOW });
    expect(out.response.records.map((r) => r.result)).toEqual(['Ok', 'Ok', 'Ok', 'Ok', 'ProcessingFailed']);
    expect(out.tally).toMatchObject({ received: 6, documents: 6, dropped: 0, failed: 0, deferred: 1 });
    const docs = (i: number) => decodeOutputData(out.response.records[i].data!).trim().split('\n').map((l) => JSON.parse(l));
    const [shDoc] = docs(0);
    expect(out.response.records[0].metadata?.partitionKeys).toMatchObject({ source: 'securityhub', account: MEMBER, region: 'eu-west-1', year: '2026', month: '03', day: '04', hour: '05' });
    expect(shDoc.tributary).toMatchObject({ attribution: 'delivery', delivery: { account: MEMBER, region: 'eu-west-1' } });
    expect(out.response.records[2].metadata?.partitionKeys).toMatchObject({ source: 'guardduty', account: MEMBER, region: 'us-east-1', hour: '10' });
    expect(docs(3).map((d) => d.tributary.attribution)).toEqual(['unverified', 'unverified']);
    for (const i of [0, 1, 2, 3]) for (const d of docs(i)) expect(schemaErrors(d)).toBe('');
    // The same finding read from an S3 export gets the same event.id and _id.
    const s3 = run([JSON.stringify(shEvent().detail.findings[0])], 'auto', { account: MEMBER, region: 'eu-west-1' }).documents[0];
    expect(s3.event?.id).toBe(shDoc.event.id);
    expect(documentId(s3)).toBe(documentId(shDoc));
    // What Firehose writes for the ProcessingFailed record (and for a direct-PUT record over the budget) is read back by S3 ingest.
    const again = decodeFirehoseErrorRecord(JSON.stringify({ rawData: event.records[2].data, arrivalTimestamp: T }), undefined, { streamRegion: 'eu-west-1' });
    expect(again.kind).toBe('direct');
    expect(() => decodeFirehoseErrorRecord(JSON.stringify({ rawData: event.records[4].data }), undefined, {})).toThrow(EnvelopeError);
    // Other error types hold transform output, never a source record.
    expect(() => decodeFirehoseErrorRecord(JSON.stringify({ rawData: event.records[2].data }))).toThrow(EnvelopeError);
  });
});

describe('fuzz: finding parsers', () => {
  const seeds = [example(securityhubMeta, 0), example(securityhubMeta, 1), example(guarddutyMeta, 0), example(guarddutyMeta, 1)];
  /** Replaces a random value in the parsed JSON by an arbitrary JSON value. */
  const mutate = (text: string, path: number[], value: unknown): string => {
    const root = JSON.parse(text) as unknown;
    let node: unknown = root;
    for (const step of path) {
      if (typeof node !== 'object' || node === null) break;
      const keys = Object.keys(node);
      if (!keys.length) break;
      const k = keys[step % keys.length];
      const child = (node as Record<string, unknown>)[k];
      if (typeof child !== 'object' || child === null || step % 3 === 0) {
        (node as Record<string, unknown>)[k] = value;
        return JSON.stringify(root);
      }
      node = child;
    }
    return JSON.stringify(root);
  };

  it('never throws, accounts for every record, and writes schema-valid documents', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...seeds),
        fc.array(fc.nat(50), { minLength: 1, maxLength: 6 }),
        fc.jsonValue({ maxDepth: 3 }),
        fc.constantFrom<SourceId | 'auto'>('auto', 'securityhub', 'guardduty'),
        fc.boolean(),
        (seed, path, value, source, asExport) => {
          const m = mutate(seed, path, value);
          const text = asExport ? JSON.stringify({ Findings: [JSON.parse(m), JSON.parse(seed)] }) : m;
          const r = normalize({ events: [{ message: text, key: 'k' }], context: { account: ADMIN }, source }, { now: NOW });
          expect(r.counts.received).toBe(r.counts.documents + r.counts.dropped + r.counts.failed);
          for (const d of [...r.documents, ...r.failures]) expect(schemaErrors(d)).toBe('');
        },
      ),
      { numRuns: runs(200) },
    );
  });

  it('direct-PUT decoding never throws anything but EnvelopeError', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 200 }), fc.string().map((s) => new TextEncoder().encode(s)), fc.jsonValue().map((v) => new TextEncoder().encode(JSON.stringify(v) ?? ''))), (bytes) => {
        try {
          const r = decodeFirehoseRecord(Buffer.from(bytes), 'eu-west-1');
          if (r.batch) normalize({ events: r.batch.events, context: r.batch.context }, { now: NOW });
        } catch (e) {
          expect(e).toBeInstanceOf(EnvelopeError);
        }
      }),
      { numRuns: runs(300) },
    );
  });
});
