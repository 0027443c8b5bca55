/** Lambda parser: platform lines, runtime lines, JSON log format, grouping, and properties. */
import fc from 'fast-check';
import { normalize } from '../../lib/core/pipeline';
import { functionNameFromLogGroup, lambdaParser } from '../../parsers/lambda';
import type { Outcome, ParseContext, RawEvent } from '../../parsers/types';
import { expectValid } from '../helpers/schema';
import { runs } from '../helpers/fuzz';

const CTX: ParseContext = { logGroup: '/aws/lambda/orders-api', logStream: '2026/03/01/[$LATEST]6e67f4a0c4241adcd70c262d34c0bbc8' };
const NOW = new Date('2026-01-01T00:00:00.000Z');
const events = (...messages: string[]): RawEvent[] => messages.map((message, i) => ({ message, key: `k:${i}`, timestamp: 1772359365000 + i }));
const run = (...messages: string[]) => {
  const r = normalize({ events: events(...messages), context: CTX, source: 'lambda' }, { now: NOW });
  for (const d of [...r.documents, ...r.failures]) expectValid(d);
  return r;
};
const RID = '8f1d3c0e-5b7a-4c2e-9f1a-2d3e4f5a6b7c';

describe('lambda platform lines', () => {
  test('REPORT fields, durations in ns, X-Ray, cold start', () => {
    const [d] = run(
      `REPORT RequestId: ${RID}\tDuration: 128.83 ms\tBilled Duration: 200 ms\tMemory Size: 128 MB\tMax Memory Used: 74 MB\tInit Duration: 166.62 ms\tXRAY TraceId: 1-5d9d007f-0a8c7fd02a1b480aed55ef0c\tSegmentId: 3d7520f01bbe37e5\tSampled: true`,
    ).documents;
    expect(d.aws?.lambda).toMatchObject({
      request_id: RID,
      platform_type: 'platform.report',
      function_name: 'orders-api',
      function_version: '$LATEST',
      cold_start: true,
      report: { duration_ms: 128.83, billed_duration_ms: 200, memory_size_mb: 128, max_memory_used_mb: 74, init_duration_ms: 166.62 },
      tracing: { segment_id: '3d7520f01bbe37e5', sampled: true },
    });
    expect(d.event.duration).toBe(128_830_000);
    expect(d.event.kind).toBe('metric');
    expect(d.trace?.id).toBe('1-5d9d007f-0a8c7fd02a1b480aed55ef0c');
    expect(d.cloud?.service?.name).toBe('lambda');
    expect(d.service?.name).toBe('orders-api');
    expect(d['@timestamp']).toBe('2026-03-01T10:02:45.000Z'); // envelope time: platform lines carry none
  });

  test('documentation rendering with spaces instead of tabs still parses', () => {
    const [d] = run(`REPORT RequestId: ${RID}  Duration: 2.75 ms   Billed Duration: 3 ms Memory Size: 128 MB Max Memory Used: 56 MB  Init Duration: 113.51 ms`).documents;
    expect(d.aws?.lambda?.report).toEqual({ duration_ms: 2.75, billed_duration_ms: 3, memory_size_mb: 128, max_memory_used_mb: 56, init_duration_ms: 113.51 });
  });

  test('timeout and OOM are failures; success REPORT sets no outcome', () => {
    const r = run(
      `REPORT RequestId: ${RID}\tDuration: 3000.00 ms\tBilled Duration: 3000 ms\tMemory Size: 128 MB\tMax Memory Used: 81 MB\tStatus: timeout`,
      `REPORT RequestId: ${RID}\tDuration: 5.00 ms\tBilled Duration: 6 ms\tMemory Size: 128 MB\tMax Memory Used: 128 MB\tStatus: error\tError Type: Runtime.OutOfMemory`,
      `REPORT RequestId: ${RID}\tDuration: 5.00 ms\tBilled Duration: 6 ms\tMemory Size: 128 MB\tMax Memory Used: 12 MB`,
    );
    const [timeout, oom, ok] = r.documents;
    expect(timeout.event.outcome).toBe('failure');
    expect(timeout.aws?.lambda?.report?.status).toBe('timeout');
    expect(oom.event.outcome).toBe('failure');
    expect(oom.error?.type).toBe('Runtime.OutOfMemory');
    expect(ok.event.outcome).toBeUndefined();
  });

  test('print lines inherit the request id and version of the enclosing START, not after REPORT', () => {
    const r = run(
      `START RequestId: ${RID} Version: 7`,
      'hello from print',
      `END RequestId: ${RID}`,
      `REPORT RequestId: ${RID}\tDuration: 1.00 ms`,
      'after the invocation',
    );
    const [, print, end, , after] = r.documents;
    expect(print.aws?.lambda?.request_id).toBe(RID);
    expect(print.aws?.lambda?.function_version).toBe('7');
    expect(end.aws?.lambda?.function_version).toBe('7');
    expect(after.aws?.lambda?.request_id).toBeUndefined();
    expect(after.aws?.lambda?.function_version).toBe('$LATEST'); // from the stream name
  });

  test('CloudWatch trailing newline and the two-line REPORT in one event', () => {
    const [d] = run(`REPORT RequestId: ${RID}\tDuration: 9.14 ms\tBilled Duration: 10 ms\t\nXRAY TraceId: 1-636d1462-33ef10600061cad86dab71c8\tSegmentId: 7ccb4860675ee485\tSampled: true\t\n`).documents;
    expect(d.trace?.id).toBe('1-636d1462-33ef10600061cad86dab71c8');
    expect(d.aws?.lambda?.report?.billed_duration_ms).toBe(10);
  });
});

describe('lambda runtime lines', () => {
  test('Node.js line with an error object carried as JSON', () => {
    const [d] = run(
      `2026-03-01T19:11:20.570Z\t${RID}\tERROR\tInvoke Error \t{"errorType":"TypeError","errorMessage":"x is undefined","stack":["TypeError: x is undefined","    at Runtime.handler (file:///var/task/index.mjs:12:25)"]}`,
    ).documents;
    expect(d.log?.level).toBe('error');
    expect(d.error).toEqual({ type: 'TypeError', message: 'x is undefined', stack_trace: 'TypeError: x is undefined\n    at Runtime.handler (file:///var/task/index.mjs:12:25)' });
    expect(d['@timestamp']).toBe('2026-03-01T19:11:20.570Z');
  });

  test('Node.js console.error(err) as one event keeps one document with the stack', () => {
    const r = run(`2026-03-01T10:02:45.005Z\t${RID}\tERROR\tError: boom\n    at handler (/var/task/index.js:3:9)\n`);
    expect(r.documents).toHaveLength(1);
    expect(r.documents[0].error).toMatchObject({ type: 'Error', message: 'boom' });
    expect(r.documents[0].error?.stack_trace).toContain('at handler');
  });

  test('continuation events join the previous event (indices) and count as merged', () => {
    const out = lambdaParser.parse(events(`[ERROR] KeyError: 'id'`, 'Traceback (most recent call last):', '  File "/var/task/app.py", line 3, in h', 'next'), CTX);
    expect(out.map((o) => (o.kind === 'document' ? o.indices : o.kind))).toEqual([[0, 1, 2], [3]]);
    const r = run(`[ERROR] KeyError: 'id'`, 'Traceback (most recent call last):', '  File "/var/task/app.py", line 3, in h');
    expect(r.counts).toEqual({ received: 3, documents: 1, dropped: 2, failed: 0 });
    expect(r.dropped).toEqual({ merged: 2 });
    expect(r.documents[0].error?.type).toBe('KeyError');
  });

  test('Powertools JSON inside a Lambda group: service kept, lambda context mapped', () => {
    const [d] = run('{"level":"INFO","message":"Collecting payment","timestamp":"2026-03-01T10:02:45.009Z","service":"payment","cold_start":true,"function_request_id":"52fdfc07-2182-454f-963f-5f0f9a621d72","xray_trace_id":"1-5759e988-bd862e3fe1be46a994272793"}').documents;
    expect(d.service?.name).toBe('payment');
    expect(d.aws?.lambda).toMatchObject({ request_id: '52fdfc07-2182-454f-963f-5f0f9a621d72', cold_start: true, function_name: 'orders-api' });
    expect(d.trace?.id).toBe('1-5759e988-bd862e3fe1be46a994272793');
  });

  test('function name only from /aws/lambda/<name>', () => {
    expect(functionNameFromLogGroup('/aws/lambda/orders-api')).toBe('orders-api');
    expect(functionNameFromLogGroup('/custom/group')).toBeUndefined();
    expect(functionNameFromLogGroup('/aws/lambda/')).toBeUndefined();
    const r = normalize({ events: events('START RequestId: ' + RID + ' Version: $LATEST'), context: { logGroup: '/shared/all-functions' }, source: 'lambda' }, { now: NOW });
    expect(r.documents[0].aws?.lambda?.function_name).toBeUndefined();
    expect(r.documents[0].service).toBeUndefined();
  });
});

describe('lambda properties', () => {
  const lambdaish = fc.oneof(
    fc.string(),
    fc.constantFrom('START RequestId: ', 'END RequestId: ', 'REPORT RequestId: ', 'INIT_START ', 'EXTENSION\t', '[ERROR]\t', '{"type":"platform.', 'Traceback (most recent call last):', '    at ', 'XRAY TraceId: ', 'RequestId: x Error: ').chain((p) => fc.string().map((s) => p + s)),
    fc.tuple(fc.date({ noInvalidDate: true }), fc.uuid(), fc.constantFrom('INFO', 'ERROR', 'WARN', 'X'), fc.string()).map(([d, u, l, m]) => `${d.toISOString()}\t${u}\t${l}\t${m}`),
    fc.json(),
  );
  const isWellFormed = (outs: Outcome[], n: number) => {
    const seen = new Array<number>(n).fill(0);
    for (const o of outs) for (const i of o.kind === 'document' ? o.indices : [o.index]) seen[i]++;
    return seen.every((c) => c === 1);
  };

  test('never throws, accounts for every index exactly once, documents validate', () => {
    fc.assert(
      fc.property(fc.array(lambdaish, { maxLength: 12 }), (messages) => {
        const evs = events(...messages);
        const outs = lambdaParser.parse(evs, CTX);
        expect(isWellFormed(outs, evs.length)).toBe(true);
        const r = normalize({ events: evs, context: CTX, source: 'lambda' }, { now: NOW });
        expect(r.counts.failed).toBe(0);
        expect(r.counts.received).toBe(r.counts.documents + r.counts.dropped);
        for (const d of r.documents) expectValid(d);
      }),
      { numRuns: runs(300) },
    );
  });
});
