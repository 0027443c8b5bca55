/** The archive layout: keys built by lib/core/archive.ts parse back to the same partition values. */
import fc from 'fast-check';
import {
  archiveKey,
  deadLetterKey,
  FIREHOSE_ERROR_PREFIX,
  FIREHOSE_PREFIX,
  parseArchiveKey,
  partitionOf,
  batchPartition,
  hourPath,
  partitionPrefix,
  sanitizePartitionValue,
} from '../../lib/core/archive';
import { runs } from '../helpers/fuzz';

describe('archive layout', () => {
  const p = partitionOf({ source: 'elb', account: '123456789012', region: 'us-east-1', time: '2026-03-01T10:59:59.999Z' });

  it('builds the documented key', () => {
    expect(archiveKey(p, 'alb-file-abc')).toBe(
      'normalized/source=elb/account=123456789012/region=us-east-1/year=2026/month=03/day=01/hour=10/alb-file-abc.ndjson.gz',
    );
    expect(deadLetterKey(p, 'x.ndjson.gz')).toBe(
      'errors/indexer/source=elb/account=123456789012/region=us-east-1/year=2026/month=03/day=01/hour=10/x.ndjson.gz',
    );
  });

  it('uses event time in UTC, epoch ms or ISO', () => {
    expect(partitionOf({ source: 's', time: Date.UTC(2025, 11, 31, 23, 0, 0) })).toMatchObject({ year: '2025', month: '12', day: '31', hour: '23' });
    expect(partitionOf({ source: 's', time: '2026-03-01T01:30:00+02:00' })).toMatchObject({ day: '28', month: '02', hour: '23' });
    expect(partitionOf({ source: 's', time: 'garbage' })).toMatchObject({ year: '1970', hour: '00', account: 'unknown', region: 'unknown' });
  });

  it('partitions a batch by the origin of its first document and its earliest envelope time (the one rule)', () => {
    const doc = { '@timestamp': '2026-03-01T12:00:00.000Z', cloud: { account: { id: '210987654321' }, region: 'eu-west-1' } };
    const events = [{ timestamp: Date.UTC(2026, 2, 1, 11, 30) }, { timestamp: Date.UTC(2026, 2, 1, 10, 59) }, {}];
    expect(batchPartition({ source: 'vpcflow', context: { account: '111122223333', region: 'us-east-1' }, events, documents: [doc] })).toEqual({
      source: 'vpcflow', account: '210987654321', region: 'eu-west-1', year: '2026', month: '03', day: '01', hour: '10',
    });
    // No envelope times (S3 objects, files): the earliest document time; no documents: the delivery's origin.
    const later = { '@timestamp': '2026-03-01T13:00:00.000Z' };
    expect(batchPartition({ source: 'elb', context: {}, events: [{}], documents: [later, doc] }).hour).toBe('12');
    expect(batchPartition({ source: 'elb', context: { account: '111122223333' }, events: [], documents: [], fallbackTime: Date.UTC(2026, 0, 2, 3) })).toMatchObject({
      account: '111122223333', region: 'unknown', year: '2026', month: '01', day: '02', hour: '03',
    });
    expect(hourPath(Date.UTC(2026, 2, 1, 10, 59))).toBe('year=2026/month=03/day=01/hour=10/');
  });

  it('round-trips any partition and name (property)', () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.string(),
        fc.string(),
        fc.integer({ min: 0, max: 4102444800000 }),
        fc.string({ minLength: 1 }),
        (source, account, region, time, name) => {
          const part = partitionOf({ source, account, region, time });
          for (const key of [archiveKey(part, name), deadLetterKey(part, name)]) {
            const parsed = parseArchiveKey(key);
            expect(parsed?.partition).toEqual(part);
            expect(parsed?.name.endsWith('.ndjson.gz')).toBe(true);
            expect(key).toMatch(/^[A-Za-z0-9._=/-]+$/);
          }
        },
      ),
      { numRuns: runs(100) },
    );
  });

  it('rejects keys outside the layout', () => {
    expect(parseArchiveKey('raw/firehose/year=2026/month=03/day=01/hour=10/x')).toBeUndefined();
    expect(parseArchiveKey('normalized/source=elb/x.ndjson.gz')).toBeUndefined();
    expect(parseArchiveKey('normalized/source=elb/account=1/region=r/year=26/month=03/day=01/hour=10/x')).toBeUndefined();
    expect(parseArchiveKey('AWSLogs/123456789012/elasticloadbalancing/us-east-1/2026/03/01/x.log.gz')).toBeUndefined();
  });

  it('builds listing prefixes from leading partition values', () => {
    expect(partitionPrefix('normalized', {})).toBe('normalized/');
    expect(partitionPrefix('normalized', { source: 'elb', account: '123456789012' })).toBe('normalized/source=elb/account=123456789012/');
    expect(partitionPrefix('normalized', { source: 'elb', region: 'us-east-1' })).toBe('normalized/source=elb/');
    expect(archiveKey(p, 'n').startsWith(partitionPrefix('normalized', p))).toBe(true);
  });

  it('sanitizes values that would break a key', () => {
    expect(sanitizePartitionValue('a/b c')).toBe('a_b_c');
    expect(sanitizePartitionValue('..')).toBe('unknown');
    expect(sanitizePartitionValue('')).toBe('unknown');
  });

  it('gives Firehose prefixes that use every partition key and the error output type', () => {
    expect(FIREHOSE_PREFIX).toBe(
      'normalized/source=!{partitionKeyFromLambda:source}/account=!{partitionKeyFromLambda:account}/region=!{partitionKeyFromLambda:region}/' +
        'year=!{partitionKeyFromLambda:year}/month=!{partitionKeyFromLambda:month}/day=!{partitionKeyFromLambda:day}/hour=!{partitionKeyFromLambda:hour}/',
    );
    expect(FIREHOSE_ERROR_PREFIX).toContain('!{firehose:error-output-type}');
    expect(FIREHOSE_ERROR_PREFIX).not.toContain('partitionKeyFrom');
  });
});
