/**
 * Amazon Inspector and AWS Config sources (issue #15): the same finding or item gets the same id on
 * every path (EventBridge, report or history/snapshot file, replay), attribution of findings and
 * items follows the delivering account (the delegated administrator is an aggregator), detection
 * picks these sources from S3 keys and content, Config files are split into items within bounds
 * (streamed too), and any bytes are accounted for without a throw (fuzz).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { documentId } from '../../lib/core/attribution';
import { s3ObjectBatch } from '../../lib/core/envelopes';
import { isRecordsEnvelope, splitJsonRecords } from '../../lib/core/json-records';
import { isUnreadable } from '../../lib/core/limits';
import { normalize } from '../../lib/core/pipeline';
import { readRecordsOrLines } from '../../lib/io/s3';
import { awsTime } from '../../parsers/aws-json';
import { detectSource, sourceFromS3Key } from '../../parsers/detect';
import { SEVERITY_SCORE } from '../../parsers/inspector';
import type { RawEvent } from '../../parsers/types';
import { runs } from '../helpers/fuzz';
import { expectValid, schemaErrors } from '../helpers/schema';

const FIXTURES = join(__dirname, '..', 'fixtures');
const lines = (file: string) => readFileSync(join(FIXTURES, file), 'utf8').split('\n').filter((l) => l.trim());
const events = (messages: readonly string[], prefix = 'k'): RawEvent[] => messages.map((message, i) => ({ message, key: `${prefix}:${i}` }));

const INSPECTOR_EB = lines('inspector/eventbridge-findings.log');
const CONFIG_COMPLIANCE = lines('config/eventbridge-compliance-changes.log');
const CONFIG_CHANGES = lines('config/configuration-item-changes.log');
const HISTORY = readFileSync(join(FIXTURES, 'config/history-file.json'));
const SNAPSHOT = readFileSync(join(FIXTURES, 'config/snapshot-file.json'));
const REPORT = readFileSync(join(FIXTURES, 'inspector/findings-report.json'));
const ADMIN = '999988887777';
const MEMBER = '111122223333';

describe('Inspector findings', () => {
  test('the EventBridge event and the JSON report give a finding version the same id; a later version is a new document', () => {
    const live = normalize({ events: events(INSPECTOR_EB.slice(0, 2), 'firehose'), context: { account: MEMBER, region: 'us-east-1' } });
    const report = s3ObjectBatch('exports', 'inspector/reports/0a1b.json', 'etag-1', gzipSync(REPORT));
    const fromS3 = normalize({ ...report, source: 'auto' });
    expect(fromS3.source).toBe('inspector');
    expect(fromS3.counts).toEqual({ received: 2, documents: 2, dropped: 0, failed: 0 });
    expect(fromS3.documents[0].event!.id).toBe(live.documents[0].event!.id);
    expect(live.documents[1].event!.id).not.toBe(live.documents[0].event!.id);
    expect(live.documents[1].aws!.inspector!.status).toBe('CLOSED');
    expect(live.documents[1].aws!.inspector!.finding_arn).toBe(live.documents[0].aws!.inspector!.finding_arn);
  });

  test('a member finding delivered by the delegated administrator: believed when the administrator is an aggregator, flagged otherwise', () => {
    const lambdaFinding = [INSPECTOR_EB[4]]; // awsAccountId 444455556666
    const ctx = { account: ADMIN, region: 'eu-west-1' };
    const trusted = normalize({ events: events(lambdaFinding), context: ctx }, { aggregators: [ADMIN] }).documents[0];
    expect(trusted.cloud!.account!.id).toBe('444455556666');
    expect(trusted.tributary!.attribution).toBe('aggregator');
    const untrusted = normalize({ events: events(lambdaFinding), context: ctx }).documents[0];
    expect(untrusted.cloud!.account!.id).toBe(ADMIN);
    expect(untrusted.tributary!.attribution).toBe('mismatch');
    expect(untrusted.tributary!.claimed!.account).toBe('444455556666');
    expect(untrusted.tags).toContain('attribution_mismatch');
    // Same event.id, different _id: the flagged copy can never replace the member's own document.
    expect(untrusted.event!.id).toBe(trusted.event!.id);
    expect(documentId(untrusted)).not.toBe(documentId(trusted));
  });

  test('event.severity follows the label on the scale Security Hub and GuardDuty use; UNTRIAGED has none', () => {
    expect(SEVERITY_SCORE).toEqual({ INFORMATIONAL: 0, LOW: 1, MEDIUM: 40, HIGH: 70, CRITICAL: 90 });
    for (const [label, score] of [...Object.entries(SEVERITY_SCORE), ['UNTRIAGED', undefined] as const]) {
      const finding = { findingArn: `arn:aws:inspector2:us-east-1:${MEMBER}:finding/${label}`, type: 'PACKAGE_VULNERABILITY', severity: label, updatedAt: '2026-03-01T10:00:00Z' };
      const doc = normalize({ events: events([JSON.stringify(finding)]), context: {}, source: 'inspector' }).documents[0];
      expect(doc.event!.severity).toBe(score);
      expect(doc.vulnerability!.severity).toBe(label);
      expectValid(doc);
    }
  });

  test('fix available or not: fixed versions only where a version fixes the package', () => {
    const docs = normalize({ events: events(INSPECTOR_EB), context: {}, source: 'inspector' }).documents;
    const glibc = docs.find((d) => d.vulnerability?.id === 'CVE-2023-4911')!;
    expect(glibc.aws!.inspector!.fix_available).toBe('NO');
    expect(glibc.package!.fixed_version).toBeUndefined();
    const curl = docs.find((d) => d.vulnerability?.id === 'CVE-2023-38545')!;
    expect(curl.package!.fixed_version).toEqual(['0:8.4.0-1.amzn2.0.1', '0:8.4.0-1.amzn2.0.1']);
  });

  test.each([
    ['Jan 19, 2023, 10:46:15 PM', '2023-01-19T22:46:15.000Z'],
    ['Jan 1, 2024, 12:05:00 AM', '2024-01-01T00:05:00.000Z'],
    ['Jul 4, 2024, 12:30:00 PM', '2024-07-04T12:30:00.000Z'],
    ['2023-10-12T09:14:03.512Z', '2023-10-12T09:14:03.512Z'],
    [1706781600, '2024-02-01T10:00:00.000Z'],
    ['Feb 30, 2023, 1:00:00 PM', undefined],
    ['Jan 19, 2023, 13:46:15 PM', undefined],
    ['yesterday', undefined],
  ])('awsTime(%p) = %p', (input, expected) => expect(awsTime(input)).toBe(expected));
});

describe('AWS Config', () => {
  const key = (kind: 'ConfigHistory' | 'ConfigSnapshot', account = '123456789012') =>
    `AWSLogs/${account}/Config/us-east-1/2026/3/2/${kind}/${account}_Config_us-east-1_${kind}_20260302T140000Z_x.json.gz`;

  test('a history file, a snapshot file and the change notification give an item the same id', () => {
    const history = normalize(s3ObjectBatch('ingest', key('ConfigHistory'), 'e1', gzipSync(HISTORY)));
    const snapshot = normalize(s3ObjectBatch('ingest', key('ConfigSnapshot'), 'e2', SNAPSHOT));
    const live = normalize({ events: events(CONFIG_CHANGES, 'firehose'), context: { account: '123456789012', region: 'us-east-1' } });
    expect([history.source, snapshot.source, live.source]).toEqual(['config', 'config', 'config']);
    expect(history.counts).toEqual({ received: 4, documents: 4, dropped: 0, failed: 0 });
    expect(snapshot.counts).toEqual({ received: 3, documents: 2, dropped: 0, failed: 1 });
    expect(history.documents[0].event!.id).toBe(live.documents[0].event!.id);
    expect(snapshot.documents[0].event!.id).toBe(history.documents[1].event!.id);
    // Delivered under the member's own AWSLogs/<account>/: attributed to it.
    expect(history.documents.every((d) => d.tributary!.attribution === 'delivery' && d.cloud!.account!.id === '123456789012')).toBe(true);
    expect(snapshot.documents[0].event!.type).toEqual(['info']);
    expect(history.documents.map((d) => d.event!.type![0])).toEqual(['change', 'change', 'creation', 'deletion']);
  });

  test("a Config aggregator's snapshot of member items: believed only from a configured aggregator", () => {
    const batch = s3ObjectBatch('ingest', key('ConfigSnapshot', ADMIN), 'e3', SNAPSHOT);
    expect(batch.context.account).toBe(ADMIN);
    const trusted = normalize(batch, { aggregators: [ADMIN] });
    expect(trusted.documents.map((d) => [d.cloud!.account!.id, d.tributary!.attribution])).toEqual([
      ['123456789012', 'aggregator'],
      ['123456789012', 'aggregator'],
    ]);
    const untrusted = normalize(batch);
    expect(untrusted.documents.map((d) => d.tributary!.attribution)).toEqual(['mismatch', 'mismatch']);
  });

  test.each([
    [key('ConfigHistory'), '123456789012', 'us-east-1'],
    [key('ConfigSnapshot'), '123456789012', 'us-east-1'],
    ['AWSLogs/123456789012/Config/eu-west-1/2016/9/27/OversizedChangeNotification/AWS::IAM::Policy/ANPA0/123456789012_Config_eu-west-1_ChangeNotification_x.json.gz', '123456789012', 'eu-west-1'],
    // Unpadded month and day folders, as Config writes them; a file naming another account names none.
    ['AWSLogs/123456789012/Config/us-east-1/2026/3/2/ConfigHistory/999999999999_Config_us-east-1_ConfigHistory_x.json.gz', undefined, undefined],
    ['AWSLogs/123456789012/Config/ConfigWritabilityCheckFile', undefined, undefined],
  ])('the delivering account of %s is %s (%s)', (k, account, region) => {
    const ctx = s3ObjectBatch('ingest', k, 'e', Buffer.from('')).context;
    expect([ctx.account, ctx.region]).toEqual([account, region]);
  });

  test('compliance changes: NON_COMPLIANT is a failure outcome naming the rule; ids differ per evaluation', () => {
    const docs = normalize({ events: events(CONFIG_COMPLIANCE), context: {} }).documents;
    expect(docs.map((d) => [d.rule!.name, d.aws!.config!.compliance!.type, d.event!.outcome])).toEqual([
      ['s3-bucket-public-read-prohibited', 'NON_COMPLIANT', 'failure'],
      ['restricted-ssh', 'NON_COMPLIANT', 'failure'],
      ['s3-bucket-public-read-prohibited', 'COMPLIANT', 'success'],
      ['ec2-instance-no-public-ip', 'NOT_APPLICABLE', 'unknown'],
    ]);
    expect(new Set(docs.map((d) => d.event!.id)).size).toBe(4);
    expect(docs.every((d) => d.event!.kind === 'event')).toBe(true);
  });

  test('detection: Config S3 keys, EventBridge events, SNS notifications, bare items; look-alikes stay app', () => {
    expect(sourceFromS3Key(key('ConfigHistory'))).toBe('config');
    expect(sourceFromS3Key('AWSLogs/o-a1b2c3d4e5/123456789012/Config/us-east-1/2026/3/2/ConfigSnapshot/x.json.gz')).toBe('config');
    expect(sourceFromS3Key('logs/Config/us-east-1/x.json.gz')).toBeUndefined();
    expect(detectSource({}, events([CONFIG_COMPLIANCE[0]]))).toBe('config');
    expect(detectSource({}, events([CONFIG_CHANGES[1]]))).toBe('config'); // SNS
    expect(detectSource({}, events([INSPECTOR_EB[5]]))).toBe('inspector'); // Inspector2 Scan
    const item = JSON.parse(HISTORY.toString()).configurationItems[0];
    expect(detectSource({}, events([JSON.stringify(item)]))).toBe('config');
    expect(detectSource({}, events(['{"messageType":"ComplianceChangeNotification","level":"info","msg":"ok"}']))).toBe('app');
    expect(detectSource({}, events(['{"findingArn":"my-finding","type":"x","message":"hello"}']))).toBe('app');
    expect(detectSource({}, events([JSON.stringify({ source: 'my.app', 'detail-type': 'Config Rules Compliance Change', detail: {} })]))).toBe('app');
  });

  test('a Config file is split into its items wherever configurationItems stands, streamed in any chunking', async () => {
    expect(isRecordsEnvelope(SNAPSHOT)).toBe(true);
    expect(isRecordsEnvelope(HISTORY)).toBe(true);
    const expected = splitJsonRecords(SNAPSHOT, 1 << 20);
    expect(expected).toHaveLength(3);
    for (const size of [1, 7, 64, 300, 1 << 16]) {
      const chunks: Buffer[] = [];
      const gz = gzipSync(SNAPSHOT);
      for (let i = 0; i < gz.length; i += size) chunks.push(gz.subarray(i, i + size));
      const got: unknown[] = [];
      for await (const item of readRecordsOrLines(Readable.from(chunks), 1 << 20)) got.push(item);
      expect(got).toEqual(expected);
    }
  });

  test('an item over the record bound is one failure with its first bytes; the other items are documents', async () => {
    const big = { fileVersion: '1.0', configurationItems: [JSON.parse(HISTORY.toString()).configurationItems[0], { configuration: { policy: 'x'.repeat(5000) } }, JSON.parse(HISTORY.toString()).configurationItems[2]] };
    const items: unknown[] = [];
    for await (const item of readRecordsOrLines(Readable.from([gzipSync(JSON.stringify(big))]), 4096)) items.push(item);
    expect(items.map((i) => (isUnreadable(i as never) ? 'unreadable' : 'record'))).toEqual(['record', 'unreadable', 'record']);
    const batch = s3ObjectBatch('ingest', key('ConfigHistory'), 'e4', gzipSync(JSON.stringify(big)), { maxDecompressedBytes: 1 << 20, maxLineBytes: 4096 });
    const r = normalize(batch);
    expect(r.counts).toEqual({ received: 3, documents: 2, dropped: 0, failed: 1 });
    expect(r.failures[0].error!.type).toBe('record_too_large');
  });
});

describe('Inspector and Config properties', () => {
  const SEEDS = [...INSPECTOR_EB, ...CONFIG_COMPLIANCE, ...CONFIG_CHANGES, ...splitJsonRecords(HISTORY, 1 << 20).map(String)];
  const mutated = fc
    .tuple(fc.constantFrom(...SEEDS), fc.array(fc.tuple(fc.nat(), fc.oneof(fc.constantFrom('"', '{', '}', '[', ']', ',', ':', 'null', '1e999', '\\', '\u0000', '"PM"', '"NON_COMPLIANT"'), fc.string({ maxLength: 6 }))), { maxLength: 5 }), fc.option(fc.nat()))
    .map(([line, inserts, cut]) => {
      let s = line;
      for (const [at, t] of inserts) {
        const i = at % (s.length + 1);
        s = s.slice(0, i) + t + s.slice(i);
      }
      return cut === null ? s : s.slice(0, cut % (s.length + 1));
    });

  test.each(['inspector', 'config'] as const)('%s: any record is a document, a drop or a failure, never a throw; documents match the schema', (source) => {
    fc.assert(
      fc.property(fc.array(fc.oneof(mutated, fc.json(), fc.string()), { minLength: 1, maxLength: 8 }), (messages) => {
        const r = normalize({ events: events(messages), context: { account: MEMBER, region: 'us-east-1' }, source }, { aggregators: [ADMIN] });
        expect(r.counts.received).toBe(messages.length);
        expect(r.counts.documents + r.counts.dropped + r.counts.failed).toBe(messages.length);
        for (const d of [...r.documents, ...r.failures]) expect(schemaErrors(d)).toBe('');
      }),
      { numRuns: runs(150) },
    );
  });
});
