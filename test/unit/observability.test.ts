/**
 * Metrics as CloudWatch receives them (EMF on stdout): the invocation's accounting under
 * {service, stage} (what the alarms watch) and per source under {service, stage, source} (what the
 * dashboard charts), adding up to the same totals; where the per-source tallies come from (transform,
 * the SQS batch loop of s3ingest and the indexer).
 */
import { gzipSync } from 'node:zlib';
import type { FirehoseTransformEvent } from '../../lib/core/envelopes';
import type { Tally } from '../../lib/core/tally';
import type { S3ObjectRef } from '../../lib/io/s3';
import { forEachNotifiedObject } from '../../lib/io/sqs';
import {
  createObservability,
  DEFAULT_METRICS_NAMESPACE,
  METRIC_DIMENSIONS,
  METRIC_SOURCES,
  record,
  serviceDimension,
  SOURCE_METRIC_NAMES,
  sourceMetricSets,
} from '../../lib/io/observability';
import { transformFirehose } from '../../lib/transform';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- EMF documents are free-form JSON
type Json = any;

/** The EMF documents `fn` writes to stdout. */
function emf(fn: () => void): Json[] {
  const out: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out.push(String(chunk));
    return true;
  });
  try {
    fn();
  } finally {
    spy.mockRestore();
  }
  return out
    .join('')
    .split('\n')
    .filter((l) => l.includes('"_aws"'))
    .map((l) => JSON.parse(l));
}

describe('sourceMetricSets', () => {
  it('maps sources into the closed set and gives what no source accounts for to unknown, so the sets add up', () => {
    const sets = sourceMetricSets({ received: 10, documents: 8, dropped: 1, failed: 1, objects: 3 }, { vpcflow: { received: 6, documents: 6 }, 'not-a-source': { received: 1, failed: 1 }, app: { received: 2, documents: 2, objects: 1 } });
    expect(sets).toEqual([
      { source: 'vpcflow', values: { received: 6, documents: 6 } },
      { source: 'unknown', values: { received: 2, failed: 1, dropped: 1 } },
      { source: 'app', values: { received: 2, documents: 2 } },
    ]);
    for (const name of SOURCE_METRIC_NAMES) {
      const total = { received: 10, documents: 8, dropped: 1, failed: 1 }[name as string] ?? 0;
      expect(sets.reduce((a, s) => a + (s.values[name] ?? 0), 0)).toBe(total);
    }
    for (const s of sets) expect(METRIC_SOURCES).toContain(s.source);
    expect(sourceMetricSets({}, {})).toEqual([]);
  });
});

describe('record', () => {
  const obs = createObservability('s3ingest', { TRIBUTARY_STAGE: 'prod' });

  it('publishes per-source documents at once, {service, stage, source}; the aggregate {service, stage} with the middleware flush', () => {
    const docs = emf(() => {
      record(obs, { received: 5, documents: 4, failed: 1, objects: 2 }, { messages: 2 }, { elb: { received: 3, documents: 3 }, cloudtrail: { received: 2, documents: 1, failed: 1 } });
      obs.metrics.publishStoredMetrics(); // what logMetrics does at the end of the invocation
    });
    const perSource = docs.filter((d) => d.source);
    expect(perSource.map((d) => d.source).sort()).toEqual(['cloudtrail', 'elb']);
    for (const d of perSource) {
      const cw = d._aws.CloudWatchMetrics[0];
      expect(cw.Namespace).toBe(DEFAULT_METRICS_NAMESPACE);
      expect(cw.Dimensions).toEqual([expect.arrayContaining(Object.values(METRIC_DIMENSIONS))]);
      expect(cw.Dimensions[0]).toHaveLength(3);
      expect(d).toMatchObject({ service: serviceDimension('s3ingest'), stage: 'prod' });
    }
    expect(perSource.find((d) => d.source === 'cloudtrail')).toMatchObject({ received: 2, documents: 1, failed: 1 });
    const aggregate = docs.find((d) => !d.source)!;
    expect(aggregate._aws.CloudWatchMetrics[0].Dimensions).toEqual([expect.arrayContaining([METRIC_DIMENSIONS.service, METRIC_DIMENSIONS.stage])]);
    expect(aggregate._aws.CloudWatchMetrics[0].Dimensions[0]).toHaveLength(2);
    expect(aggregate).toMatchObject({ service: 'tributary-s3ingest', stage: 'prod', received: 5, documents: 4, failed: 1, objects: 2 });
  });

  it('the stage comes from TRIBUTARY_STAGE (local when unset), the namespace from POWERTOOLS_METRICS_NAMESPACE', () => {
    expect(createObservability('transform', {}).dimensions).toEqual({ service: 'tributary-transform', stage: 'local' });
    expect(createObservability('indexer', { TRIBUTARY_STAGE: 'dev', POWERTOOLS_METRICS_NAMESPACE: 'Other' })).toMatchObject({ namespace: 'Other', dimensions: { stage: 'dev' } });
  });
});

describe('per-source tallies from the use cases', () => {
  it('transform: by the detected source of each payload, adding up to the tally with unknown', () => {
    const T = Date.UTC(2026, 2, 1, 10);
    const payload = (logGroup: string, message: string) => ({ messageType: 'DATA_MESSAGE', owner: '222222222222', logGroup, logStream: 's', subscriptionFilters: ['f'], logEvents: [{ id: '1', timestamp: T, message }] });
    const data = (p: unknown) => gzipSync(JSON.stringify(p)).toString('base64');
    const event = {
      invocationId: 'i',
      deliveryStreamArn: 'arn:aws:firehose:eu-west-1:1:deliverystream/s',
      region: 'eu-west-1',
      records: [
        { recordId: 'a', approximateArrivalTimestamp: T, data: data(payload('/app/orders', '{"level":"info","msg":"x"}')) },
        { recordId: 'b', approximateArrivalTimestamp: T, data: data(payload('/aws/lambda/f', 'START RequestId: 8f5e4a1c-1111-2222-3333-444455556666 Version: $LATEST')) },
        // a control message: received and dropped, with no source to give it to
        { recordId: 'c', approximateArrivalTimestamp: T, data: data({ messageType: 'CONTROL_MESSAGE', owner: 'CloudwatchLogs', logGroup: '', logStream: '', subscriptionFilters: [], logEvents: [] }) },
      ],
    } as FirehoseTransformEvent;
    const out = transformFirehose(event, { responseMaxBytes: 5_500_000, now: new Date(T) });
    expect(Object.keys(out.bySource).sort()).toEqual(['app', 'lambda']);
    const sets = sourceMetricSets(out.tally, out.bySource);
    expect(sets.find((s) => s.source === 'unknown')?.values).toEqual({ received: 1, dropped: 1 });
    for (const name of SOURCE_METRIC_NAMES) expect(sets.reduce((a, s) => a + (s.values[name] ?? 0), 0)).toBe(out.tally[name] ?? 0);
  });

  it('SQS batches: an object result\'s source, else the source of its normalized/ key; a failing object\'s partial tally too', async () => {
    const body = (key: string) => JSON.stringify({ Records: [{ eventSource: 'aws:s3', eventName: 'ObjectCreated:Put', s3: { bucket: { name: 'b' }, object: { key, size: 1, eTag: 'e' } } }] });
    const k = (source: string) => `normalized/source=${source}/account=1/region=r/year=2026/month=03/day=01/hour=10/x.ndjson.gz`;
    class Partial extends Error {
      constructor(readonly tally: Tally) {
        super('half done');
      }
    }
    const out = await forEachNotifiedObject(
      [
        { messageId: 'm1', body: body('AWSLogs/1/elasticloadbalancing/x.log.gz') },
        { messageId: 'm2', body: body(k('vpcflow')) },
        { messageId: 'm3', body: body(k('auditd')) },
      ],
      async (ref: S3ObjectRef) => {
        if (ref.key.startsWith('AWSLogs/')) return { tally: { received: 2, documents: 2 }, source: 'elb' };
        if (ref.key.includes('auditd')) throw new Partial({ documents: 3, indexed: 1, failed: 2 });
        return { tally: { documents: 4, indexed: 4 } };
      },
      (e) => (e instanceof Partial ? e.tally : undefined),
    );
    expect(out.bySource).toEqual({ elb: { received: 2, documents: 2 }, vpcflow: { documents: 4, indexed: 4 }, auditd: { documents: 3, indexed: 1, failed: 2 } });
    expect(out.tally).toEqual({ received: 2, documents: 9, indexed: 5, failed: 2 });
    expect(out.batchItemFailures).toEqual([{ itemIdentifier: 'm3' }]);
  });
});
