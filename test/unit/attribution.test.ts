/**
 * Attribution from trusted delivery metadata only (`lib/core/attribution.ts`): a member account
 * cannot make its logs look like another account's, nor overwrite another account's documents.
 * Every case runs real-format lines through the real envelope decoders and parsers.
 *
 * Formats: CloudWatch Logs subscription payload ("Subscription filters" example payload);
 * CloudTrail record ("CloudTrail record contents"); VPC Flow Logs default format v2
 * ("Flow log records"); S3 delivery keys ("Finding your CloudTrail log files",
 * "Flow log files" in the VPC user guide, ELB "Access log files").
 */
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { attribute, documentId, MISMATCH_TAG } from '../../lib/core/attribution';
import { normalizeCloudWatchBatch, payloadDocuments } from '../../lib/core/cloudwatch';
import { cloudWatchBatch, contextFromS3Key, s3ObjectBatch, type CloudWatchLogsPayload } from '../../lib/core/envelopes';
import { decodeInput } from '../../lib/core/inputs';
import { batchPartition } from '../../lib/core/archive';
import { failureDocument, normalize } from '../../lib/core/pipeline';
import { loadConfig } from '../../lib/io/config';
import { consoleLoginRecord } from '../helpers/cloudtrail-records';
import { runs } from '../helpers/fuzz';
import { expectValid } from '../helpers/schema';

const OWNER = '222222222222';
const CLAIMED = '999999999999';
const MGMT = '333333333333'; // an organization trail's owner, configured as aggregator
const now = new Date('2026-03-01T12:00:00Z');

const trailRecord = (recipient: string, eventID = 'fed06f42-cb12-4764-8c69-121063dc79b9') =>
  consoleLoginRecord({ recipient, eventID, region: 'eu-west-1' });

const vpcLine = (account: string) => `2 ${account} eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1772360000 1772360060 ACCEPT OK`;

const payload = (owner: string, logGroup: string, messages: string[]): CloudWatchLogsPayload => ({
  messageType: 'DATA_MESSAGE',
  owner,
  logGroup,
  logStream: `${owner}_CloudTrail_us-east-1`,
  subscriptionFilters: ['tributary'],
  logEvents: messages.map((message, i) => ({ id: `3195310660696698337880902507980421114328961542429822156${i}`, timestamp: 1772360674000 + i, message })),
});

const viaCloudWatch = (owner: string, logGroup: string, messages: string[], aggregators: string[] = []) => {
  const p = normalizeCloudWatchBatch(cloudWatchBatch(payload(owner, logGroup, messages), 'us-east-1')!, undefined, { now, aggregators });
  return { ...p, documents: payloadDocuments(p) };
};

describe('attribute (the rule)', () => {
  const none = new Set<string>();
  test.each([
    ['no claim: the delivering account', { account: OWNER, region: 'us-east-1' }, {}, none, { account: OWNER, region: 'us-east-1', attribution: 'delivery' }],
    ['a claim of itself, with its own region', { account: OWNER, region: 'us-east-1' }, { account: OWNER, region: 'eu-west-1' }, none, { account: OWNER, region: 'eu-west-1', attribution: 'delivery' }],
    ['a claim of another account: not believed', { account: OWNER, region: 'us-east-1' }, { account: CLAIMED, region: 'eu-west-1' }, none, { account: OWNER, region: 'us-east-1', attribution: 'mismatch', claimed: { account: CLAIMED, region: 'eu-west-1' } }],
    ['an aggregator\'s claim: accepted', { account: MGMT, region: 'us-east-1' }, { account: CLAIMED }, new Set([MGMT]), { account: CLAIMED, region: 'us-east-1', attribution: 'aggregator' }],
    ['no delivery at all: the claim stands, unverified', undefined, { account: CLAIMED }, none, { account: CLAIMED, region: undefined, attribution: 'unverified' }],
  ] as const)('%s', (_name, delivery, claim, aggregators, expected) => {
    expect(attribute(delivery, claim, aggregators)).toEqual(expected);
  });

  test('property: a non-aggregator delivery always owns its documents, whatever they claim', () => {
    const account = fc.stringMatching(/^\d{12}$/);
    fc.assert(
      fc.property(account, fc.option(account, { nil: undefined }), fc.array(account, { maxLength: 3 }), (delivered, claimed, aggregators) => {
        const r = attribute({ account: delivered }, { account: claimed }, new Set(aggregators));
        if (!aggregators.includes(delivered)) expect(r.account).toBe(delivered);
        else expect(r.account).toBe(claimed ?? delivered);
        expect(r.attribution === 'mismatch').toBe(!aggregators.includes(delivered) && claimed !== undefined && claimed !== delivered);
      }),
      { numRuns: runs(300) },
    );
  });
});

describe('CloudWatch Logs: the owner decides', () => {
  test('a CloudTrail record claiming another account is attributed to the owner, flagged, and partitioned under the owner', () => {
    const { documents, partition } = viaCloudWatch(OWNER, 'aws-cloudtrail-logs', [trailRecord(CLAIMED)]);
    const d = documents[0];
    expect(d.cloud?.account?.id).toBe(OWNER);
    expect(d.cloud?.region).toBe('us-east-1');
    expect(d.tributary).toMatchObject({ attribution: 'mismatch', delivery: { account: OWNER, region: 'us-east-1' }, claimed: { account: CLAIMED, region: 'eu-west-1' } });
    expect(d.tags).toContain(MISMATCH_TAG);
    expect(partition.account).toBe(OWNER);
    expectValid(d);
  });

  test('a VPC flow line claiming another account is attributed to the owner', () => {
    const { result, documents, partition } = viaCloudWatch(OWNER, '/aws/vpc/flow', [vpcLine(CLAIMED)]);
    expect(result.source).toBe('vpcflow');
    expect(documents[0].cloud?.account?.id).toBe(OWNER);
    expect(documents[0].tributary?.attribution).toBe('mismatch');
    expect(partition.account).toBe(OWNER);
  });

  test('the owner\'s own records are trusted and not tagged', () => {
    const d = viaCloudWatch(OWNER, 'aws-cloudtrail-logs', [trailRecord(OWNER)]).documents[0];
    expect(d.cloud?.account?.id).toBe(OWNER);
    expect(d.cloud?.region).toBe('eu-west-1');
    expect(d.tributary?.attribution).toBe('delivery');
    expect(d.tags ?? []).not.toContain(MISMATCH_TAG);
    expect(d.tributary?.claimed).toBeUndefined();
  });

  test('an aggregator\'s claim (organization trail owner) is accepted, and the partition follows the attributed account', () => {
    const { documents, partition } = viaCloudWatch(MGMT, 'aws-controltower/CloudTrailLogs', [trailRecord(CLAIMED)], [MGMT]);
    const d = documents[0];
    expect(d.cloud?.account?.id).toBe(CLAIMED);
    expect(d.tributary).toMatchObject({ attribution: 'aggregator', delivery: { account: MGMT } });
    expect(partition.account).toBe(CLAIMED);
  });

  test('failure documents are attributed the same way (the owner, or an aggregator\'s extractedFields)', () => {
    const f = failureDocument('app', { message: 'x', key: 'k', extractedFields: { '@aws.account': CLAIMED } }, { account: OWNER }, 'bad', 'parse_error', now);
    expect(f.cloud?.account?.id).toBe(OWNER);
    expect(f.tributary?.attribution).toBe('mismatch');
    const g = failureDocument('app', { message: 'x', key: 'k', extractedFields: { '@aws.account': CLAIMED } }, { account: MGMT }, 'bad', 'parse_error', now, new Set([MGMT]));
    expect(g.cloud?.account?.id).toBe(CLAIMED);
    expectValid(f);
  });
});

describe('S3 keys: anchored at the documented layouts', () => {
  const ct = (account: string, region = 'us-east-1') =>
    `AWSLogs/${account}/CloudTrail/${region}/2026/03/01/${account}_CloudTrail_${region}_20260301T1005Z_21UxTk3c9nYgyRBw.json.gz`;

  test.each([
    ['CloudTrail', ct(OWNER), OWNER, 'us-east-1'],
    ['with a bucket prefix', `central/${ct(OWNER)}`, OWNER, 'us-east-1'],
    ['organization trail', `AWSLogs/o-aa11bb22cc/${OWNER}/CloudTrail/eu-west-1/2026/03/01/${OWNER}_CloudTrail_eu-west-1_20260301T1005Z_x.json.gz`, OWNER, 'eu-west-1'],
    ['ELB', `AWSLogs/${OWNER}/elasticloadbalancing/us-east-2/2026/03/01/${OWNER}_elasticloadbalancing_us-east-2_app.my-alb.1a2b_20260301T1005Z_52.1.2.3_x.log.gz`, OWNER, 'us-east-2'],
    ['VPC flow, Hive-compatible', `AWSLogs/aws-account-id=${OWNER}/aws-service=vpcflowlogs/aws-region=eu-west-1/year=2026/month=03/day=01/${OWNER}_vpcflowlogs_eu-west-1_fl-1_20260301T1005Z_x.log.gz`, OWNER, 'eu-west-1'],
    ['Route 53 Resolver (no region in the layout)', `AWSLogs/${OWNER}/vpcdnsquerylogs/vpc-0123/2026/03/01/vpc-0123_vpcdnsquerylogs_${OWNER}_20260301T1005Z_x.log.gz`, OWNER, undefined],
  ])('%s', (_name, key, account, region) => {
    const c = contextFromS3Key('logs', key);
    expect(c.account).toBe(account);
    expect(c.region).toBe(region);
  });

  test.each([
    ['a second AWSLogs layout smuggled into the key', `AWSLogs/${CLAIMED}/vpcflowlogs/us-east-1/x/AWSLogs/${OWNER}/vpcflowlogs/us-east-1/2026/03/01/f.log.gz`],
    ['a file name naming another account', `AWSLogs/${OWNER}/CloudTrail/us-east-1/2026/03/01/${CLAIMED}_CloudTrail_us-east-1_20260301T1005Z_x.json.gz`],
    ['no service/date structure', `AWSLogs/${OWNER}/f.log.gz`],
    ['an account that is not 12 digits', `AWSLogs/99999/CloudTrail/us-east-1/2026/03/01/f.json.gz`],
    ['no AWSLogs segment (AWSLogs inside a name)', `xAWSLogs/${OWNER}/CloudTrail/us-east-1/2026/03/01/f.json.gz`],
  ])('not believed: %s', (_name, key) => {
    expect(contextFromS3Key('logs', key).account).toBeUndefined();
  });

  test('a region is only believed in its position', () => {
    expect(contextFromS3Key('logs', `AWSLogs/${OWNER}/WAFLogs/x/us-east-1/2026/03/01/f.log.gz`).region).toBeUndefined();
  });

  test('an S3 CloudTrail file claiming another account than its key: attributed to the key\'s account, flagged', () => {
    const key = ct(OWNER);
    const b = s3ObjectBatch('logs', key, 'etag', gzipSync(JSON.stringify({ Records: [JSON.parse(trailRecord(CLAIMED)), JSON.parse(trailRecord(OWNER, 'b0e1d9a2-0000-4000-8000-000000000001'))] })));
    const r = normalize({ events: b.events, context: b.context, source: 'cloudtrail' }, { now });
    expect(r.documents.map((d) => [d.cloud?.account?.id, d.tributary?.attribution])).toEqual([
      [OWNER, 'mismatch'],
      [OWNER, 'delivery'],
    ]);
    expect(r.documents[0].tributary?.delivery).toEqual({ account: OWNER, region: 'us-east-1' });
  });

  test('a spoofed key names no account: its documents are unverified, never filed under the smuggled account', () => {
    const key = `AWSLogs/${CLAIMED}/vpcflowlogs/us-east-1/x/AWSLogs/${OWNER}/vpcflowlogs/us-east-1/2026/03/01/f.log`;
    const b = s3ObjectBatch('logs', key, 'etag', Buffer.from(vpcLine(OWNER) + '\n'));
    const d = normalize({ events: b.events, context: b.context, source: 'vpcflow' }, { now }).documents[0];
    expect(d.tributary?.attribution).toBe('unverified');
    expect(d.tributary?.delivery).toBeUndefined();
  });
});

describe('local files: no delivery metadata, the claim stands', () => {
  test('a local CloudTrail file under an AWSLogs/ path is unverified and keeps the content\'s account', () => {
    const decoded = decodeInput(Buffer.from(JSON.stringify({ Records: [JSON.parse(trailRecord(CLAIMED))] })), `/tmp/AWSLogs/${OWNER}/CloudTrail/us-east-1/2026/03/01/f.json`);
    const b = decoded.batches[0];
    const d = normalize({ events: b.events, context: b.context, source: 'cloudtrail' }, { now }).documents[0];
    expect(d.cloud?.account?.id).toBe(CLAIMED);
    expect(d.tributary?.attribution).toBe('unverified');
    expect(d.tags ?? []).not.toContain(MISMATCH_TAG);
  });

  test('a plain local line without any account stays without one', () => {
    const d = normalize({ events: [{ message: 'hello', key: 'f:1' }], context: { local: true }, source: 'app' }, { now }).documents[0];
    expect(d.cloud?.account).toBeUndefined();
    expect(d.tributary?.attribution).toBe('unverified');
  });
});

describe('document ids: namespaced by the attributed account', () => {
  test('a forged record with a real event\'s eventID gets another _id than the real one', () => {
    const real = viaCloudWatch(CLAIMED, 'aws-cloudtrail-logs', [trailRecord(CLAIMED)]).documents[0];
    const forged = viaCloudWatch(OWNER, 'aws-cloudtrail-logs', [trailRecord(CLAIMED)]).documents[0];
    const forgedAsItself = viaCloudWatch(OWNER, 'aws-cloudtrail-logs', [trailRecord(OWNER)]).documents[0];
    expect(real.event.id).toBe(forged.event.id); // the content id is the same eventID...
    expect(documentId(forged)).not.toBe(documentId(real)); // ...the _id is not
    expect(documentId(forgedAsItself)).not.toBe(documentId(real));
  });

  test('an organization trail read through CloudWatch Logs (aggregator owner) and through S3 gets the same _id', () => {
    const cwl = viaCloudWatch(MGMT, 'aws-controltower/CloudTrailLogs', [trailRecord(CLAIMED)], [MGMT]).documents[0];
    const key = `AWSLogs/o-aa11bb22cc/${CLAIMED}/CloudTrail/eu-west-1/2026/03/01/${CLAIMED}_CloudTrail_eu-west-1_20260301T1005Z_x.json.gz`;
    const b = s3ObjectBatch('logs', key, 'etag', gzipSync(JSON.stringify({ Records: [JSON.parse(trailRecord(CLAIMED))] })));
    const s3 = normalize({ events: b.events, context: b.context, source: 'cloudtrail' }, { now, aggregators: [MGMT] }).documents[0];
    expect(s3.tributary?.attribution).toBe('delivery');
    expect(documentId(s3)).toBe(documentId(cwl));
  });

  test('documents without an account keep event.id; the same document always gets the same _id', () => {
    expect(documentId({ event: { id: 'abc' } })).toBe('abc');
    const doc = { event: { id: 'abc' }, cloud: { account: { id: OWNER } } };
    expect(documentId(doc)).toBe(documentId(structuredClone(doc)));
    expect(documentId(doc)).toHaveLength(27);
  });

  test('the batch partition of a mismatched delivery is the delivering account', () => {
    const b = cloudWatchBatch(payload(OWNER, '/aws/vpc/flow', [vpcLine(CLAIMED)]), 'us-east-1')!;
    const r = normalize({ events: b.events, context: b.context }, { now });
    expect(batchPartition({ source: r.source, context: b.context, events: b.events, documents: r.documents }).account).toBe(OWNER);
  });
});

describe('AGGREGATOR_ACCOUNTS', () => {
  test('comma- or space-separated 12-digit ids; anything else is a configuration error', () => {
    expect(loadConfig({ AGGREGATOR_ACCOUNTS: `${MGMT}, ${OWNER}` }, 'transform').aggregatorAccounts).toEqual([MGMT, OWNER]);
    expect(loadConfig({}, 'transform').aggregatorAccounts).toEqual([]);
    expect(() => loadConfig({ AGGREGATOR_ACCOUNTS: `${MGMT},12345` }, 'transform')).toThrow(/AGGREGATOR_ACCOUNTS must be 12-digit/);
  });
});
