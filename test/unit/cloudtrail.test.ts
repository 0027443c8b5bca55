/** CloudTrail parser: behaviours the golden files do not pin down alone, and properties over any input. */
import fc from 'fast-check';
import { cloudTrailFileEvents } from '../../lib/core/envelopes';
import { normalize } from '../../lib/core/pipeline';
import { cloudtrailParser, FLAT_LIMITS, parseCloudTrailRecord } from '../../parsers/cloudtrail';
import { ParseError, type Fields, type RawEvent } from '../../parsers/types';
import { expectValid } from '../helpers/schema';
import { runs } from '../helpers/fuzz';

const NOW = new Date('2026-01-01T00:00:00.000Z');

const record = (extra: Record<string, unknown> = {}) => ({
  eventVersion: '1.08',
  userIdentity: { type: 'IAMUser', principalId: 'AIDAEXAMPLE', arn: 'arn:aws:iam::111122223333:user/alice', accountId: '111122223333', userName: 'alice' },
  eventTime: '2026-03-01T10:00:00Z',
  eventSource: 'ec2.amazonaws.com',
  eventName: 'DescribeInstances',
  awsRegion: 'us-east-1',
  sourceIPAddress: '192.0.2.1',
  userAgent: 'aws-cli/2',
  requestParameters: null,
  responseElements: null,
  eventID: '11111111-2222-4333-8444-555555555555',
  readOnly: true,
  eventType: 'AwsApiCall',
  recipientAccountId: '111122223333',
  ...extra,
});

const fields = (r: unknown): Fields => {
  const out = parseCloudTrailRecord(JSON.stringify(r));
  if (out instanceof ParseError || out === null || 'skip' in (out as object)) throw new Error(`not a document: ${JSON.stringify(out)}`);
  return out as Fields;
};

describe('cloudtrail parser', () => {
  test('S3 and CloudWatch deliveries of one event get the same event.id (the eventID)', () => {
    const r = record();
    const viaS3 = normalize({ events: cloudTrailFileEvents({ Records: [r] }, 's3://trail/AWSLogs/x.json.gz#etag'), context: {}, source: 'cloudtrail' }, { now: NOW });
    const viaCwl = normalize(
      { events: [{ message: JSON.stringify(r), key: 'aws-cloudtrail-logs/3782391654012546457738601393714546641256718543647141068' }], context: { logGroup: 'aws-cloudtrail-logs' }, source: 'cloudtrail' },
      { now: NOW },
    );
    expect(viaS3.documents[0].event.id).toBe('11111111-2222-4333-8444-555555555555');
    expect(viaCwl.documents[0].event.id).toBe(viaS3.documents[0].event.id);
  });

  test('a file parsed whole hands its records over parsed: same documents, ids and failures as from the text, and as live', () => {
    const key = 's3://trail/AWSLogs/111122223333/CloudTrail/us-east-1/2026/03/01/x.json.gz#etag';
    const odd = record({ requestParameters: { filter: 'é😀\u2028"\\', __proto__x: [1, { a: null }], n: 1e21, neg: -0.5 }, eventID: undefined });
    const { eventTime: _t, ...noTime } = record({ eventID: 'no-time' });
    const records = [record(), odd, noTime, 'not an object', { digestStartTime: 'a', digestEndTime: 'b' }];
    const parsedOnce = cloudTrailFileEvents({ Records: records }, key);
    expect(parsedOnce.filter((e) => e.parsed !== undefined)).toHaveLength(4);
    const fromText = parsedOnce.map(({ parsed: _p, ...e }) => e);
    const opts = { now: NOW, includeOriginal: true };
    const a = normalize({ events: parsedOnce, context: {}, source: 'cloudtrail' }, opts);
    const b = normalize({ events: fromText, context: {}, source: 'cloudtrail' }, opts);
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(a.counts).toEqual({ received: 5, documents: 2, dropped: 1, failed: 2 });
    // The live path (CloudWatch Logs, one record per event, no parsed value) gives the same documents
    // for the record with an eventID, event.original included.
    const live = normalize({ events: [{ message: JSON.stringify(record()), key: 'aws-cloudtrail-logs/1' }], context: {}, source: 'cloudtrail' }, opts);
    expect(JSON.stringify(live.documents[0])).toBe(JSON.stringify(a.documents[0]));
  });

  test('the parser uses the parsed value it is given instead of parsing the text again', () => {
    const text = JSON.stringify(record());
    const out = parseCloudTrailRecord(text, record({ eventName: 'FromParsedValue' })) as Fields;
    expect(out.event?.action).toBe('FromParsedValue');
    // The checks on the text still apply: text that is not a JSON object fails whatever was parsed.
    expect(parseCloudTrailRecord('[1]', record())).toBeInstanceOf(ParseError);
  });

  test('a record without eventID keeps the pipeline id (position in its delivery)', () => {
    const { eventID: _drop, ...r } = record();
    const res = normalize({ events: [{ message: JSON.stringify(r), key: 'k:1' }], context: {}, source: 'cloudtrail' }, { now: NOW });
    expect(res.documents[0].event.id).toMatch(/^[A-Za-z0-9_-]{27}$/);
  });

  test('a message that is a whole file with one record is that record; with two it fails clearly', () => {
    expect(fields({ Records: [record()] }).event?.action).toBe('DescribeInstances');
    const two = parseCloudTrailRecord(JSON.stringify({ Records: [record(), record()] }));
    expect(two).toBeInstanceOf(ParseError);
    expect((two as ParseError).message).toMatch(/2 records/);
  });

  test('eventTime: leap day and offsets are honoured', () => {
    expect(fields(record({ eventTime: '2024-02-29T23:59:59Z' }))['@timestamp']).toBe('2024-02-29T23:59:59.000Z');
    expect(fields(record({ eventTime: '2026-03-01T10:00:00+02:00' }))['@timestamp']).toBe('2026-03-01T08:00:00.000Z');
  });

  test('sourceIPAddress: IP → source.ip, service name → source.domain, always source.address', () => {
    expect(fields(record()).source).toEqual({ address: '192.0.2.1', ip: '192.0.2.1' });
    expect(fields(record({ sourceIPAddress: 'dynamodb.amazonaws.com' })).source).toEqual({ address: 'dynamodb.amazonaws.com', domain: 'dynamodb.amazonaws.com' });
    expect(fields(record({ sourceIPAddress: 'AWS Internal' })).source).toEqual({ address: 'AWS Internal' });
  });

  test('mfa_used combines the session attribute and ConsoleLogin MFAUsed', () => {
    const session = (mfa: string) => ({
      ...record().userIdentity,
      sessionContext: { attributes: { mfaAuthenticated: mfa, creationDate: '2026-03-01T09:00:00Z' } },
    });
    expect(fields(record({ userIdentity: session('true') })).aws?.cloudtrail?.mfa_used).toBe(true);
    expect(fields(record({ userIdentity: session('false') })).aws?.cloudtrail?.mfa_used).toBe(false);
    expect(fields(record({ additionalEventData: { MFAUsed: 'YES' } })).aws?.cloudtrail?.mfa_used).toBe(true);
    expect(fields(record({ userIdentity: session('false'), additionalEventData: { MFAUsed: 'Yes' } })).aws?.cloudtrail?.mfa_used).toBe(true);
    expect(fields(record()).aws?.cloudtrail?.mfa_used).toBeUndefined();
  });

  test('conflicting shapes of one requestParameters key stay in one flat_object field', () => {
    const a = fields(record({ requestParameters: { policy: 'text' } }));
    const b = fields(record({ requestParameters: { policy: { Statement: [{ Effect: 'Allow' }] } } }));
    expect(a.aws?.cloudtrail?.request_parameters).toEqual({ policy: 'text' });
    expect(b.aws?.cloudtrail?.request_parameters).toEqual({ policy: { Statement: [{ Effect: 'Allow' }] } });
  });

  test('within budget, free-form objects are referenced, not copied', () => {
    const rp = { bucketName: 'b', key: 'k' };
    const out = cloudtrailParser.parse([{ message: JSON.stringify(record({ requestParameters: rp })), key: 'k' }], {});
    expect(out[0].kind).toBe('document');
    const doc = out[0].kind === 'document' ? out[0].fields : {};
    expect(doc.aws?.cloudtrail?.request_parameters).toEqual(rp);
    expect(doc.aws?.cloudtrail?.pruned_fields).toBeUndefined();
    expect(doc.aws?.cloudtrail?.request_parameters_json).toBeUndefined();
  });

  test('over budget: bounded flat_object, full JSON kept unindexed, field listed in pruned_fields', () => {
    const huge = { blob: 'x'.repeat(200_000), items: Array.from({ length: 5000 }, (_, i) => ({ n: i })) };
    let deep: Record<string, unknown> = { leaf: 1 };
    for (let i = 0; i < 200; i++) deep = { d: deep };
    const doc = fields(record({ requestParameters: huge, responseElements: deep }));
    const ct = doc.aws!.cloudtrail!;
    expect(ct.pruned_fields).toEqual(['request_parameters', 'response_elements']);
    expect(JSON.parse(ct.request_parameters_json!)).toEqual(huge);
    expect(JSON.parse(ct.response_elements_json!)).toEqual(deep);
    const flat = ct.request_parameters!;
    expect((flat.blob as string).length).toBeLessThanOrEqual(FLAT_LIMITS.stringChars + 1);
    const leaves = (v: unknown): number => (typeof v === 'object' && v !== null ? Object.values(v).reduce((n: number, x) => n + leaves(x), 0) : 1);
    expect(leaves(flat)).toBeLessThanOrEqual(FLAT_LIMITS.leaves);
    const depth = (v: unknown): number => (typeof v === 'object' && v !== null ? 1 + Math.max(0, ...Object.values(v).map(depth)) : 0);
    expect(depth(ct.response_elements)).toBeLessThanOrEqual(FLAT_LIMITS.depth);
  });

  test.each([
    ['not JSON', 'hello'],
    ['truncated JSON', '{"eventVersion":"1.08"'],
    ['not a record', '{"a":1}'],
    ['no eventTime', JSON.stringify({ ...record(), eventTime: undefined })],
    ['no eventName', JSON.stringify({ ...record(), eventName: undefined })],
    ['bad eventTime', JSON.stringify({ ...record(), eventTime: 'soon' })],
    ['impossible eventTime', JSON.stringify({ ...record(), eventTime: '2023-02-29T00:00:00Z' })],
    ['out-of-range eventTime', JSON.stringify({ ...record(), eventTime: '2026-03-01T24:00:00Z' })],
    ['JSON null', 'null'],
  ])('%s is a ParseError', (_label, line) => {
    expect(parseCloudTrailRecord(line)).toBeInstanceOf(ParseError);
  });

  test('assumed role: user.name is the session name, user.roles the issuing role', () => {
    const doc = fields(
      record({
        userIdentity: {
          type: 'AssumedRole',
          principalId: 'AROAEXAMPLE:alice@example.com',
          arn: 'arn:aws:sts::111122223333:assumed-role/Admin/alice@example.com',
          accountId: '111122223333',
          sessionContext: { sessionIssuer: { type: 'Role', arn: 'arn:aws:iam::111122223333:role/Admin', userName: 'Admin' } },
        },
      }),
    );
    expect(doc.user).toEqual({ id: 'AROAEXAMPLE:alice@example.com', domain: '111122223333', name: 'alice@example.com', roles: ['Admin'] });
    expect(doc.related?.user).toEqual(['alice@example.com', 'Admin']);
  });
});

describe('cloudtrail parser properties', () => {
  const run = (events: RawEvent[]) => normalize({ events, context: {}, source: 'cloudtrail' }, { now: NOW });

  test('no string makes it throw; every event is accounted for; documents validate', () => {
    fc.assert(
      fc.property(fc.array(fc.string(), { maxLength: 5 }), (lines) => {
        const events = lines.map((message, i) => ({ message, key: `k${i}` }));
        const outcomes = cloudtrailParser.parse(events, {});
        const seen = new Set<number>();
        for (const o of outcomes) for (const i of o.kind === 'document' ? o.indices : [o.index]) seen.add(i);
        expect(seen.size).toBe(lines.length);
        const r = run(events);
        expect(r.counts.received).toBe(r.counts.documents + r.counts.dropped + r.counts.failed);
        for (const d of [...r.documents, ...r.failures]) expectValid(d);
      }),
      { numRuns: runs(300) },
    );
  });

  test('arbitrary JSON values in every record field never throw and always validate', () => {
    const anyJson = fc.jsonValue({ maxDepth: 4 });
    fc.assert(
      fc.property(
        fc.record({
          userIdentity: anyJson,
          requestParameters: anyJson,
          responseElements: anyJson,
          additionalEventData: anyJson,
          sourceIPAddress: anyJson,
          readOnly: anyJson,
          resources: anyJson,
          tlsDetails: anyJson,
          insightDetails: anyJson,
          addendum: anyJson,
          eventType: anyJson,
          errorCode: anyJson,
          extra: anyJson,
        }),
        (over) => {
          const r = run([{ message: JSON.stringify(record(over)), key: 'k' }]);
          expect(r.counts.documents + r.counts.failed).toBe(1);
          for (const d of [...r.documents, ...r.failures]) expectValid(d);
          for (const d of r.documents) expect(['success', 'failure', 'unknown', undefined]).toContain(d.event.outcome);
        },
      ),
      { numRuns: runs(300) },
    );
  });
});
