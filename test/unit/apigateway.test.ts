/** API Gateway parser: key normalization, time handling, execution grouping, and properties over any input. */
import fc from 'fast-check';
import { normalize } from '../../lib/core/pipeline';
import { apigatewayParser, clfTime, parseAccessLine } from '../../parsers/apigateway';
import { ParseError, type Fields, type RawEvent } from '../../parsers/types';
import { expectValid } from '../helpers/schema';
import { runs } from '../helpers/fuzz';

const NOW = new Date('2026-01-01T00:00:00.000Z');
const doc = (line: string): Fields => {
  const r = parseAccessLine(line);
  if (r === null || r instanceof ParseError || 'skip' in (r as object)) throw new Error(`not a document: ${JSON.stringify(r)}`);
  return r as Fields;
};

describe('apigateway access logs', () => {
  test('camelCase, snake_case, dotted and nested keys of one variable land in the same field', () => {
    const shapes = [
      { requestId: 'r1', httpMethod: 'GET', status: '200', identity: { sourceIp: '192.0.2.1' } },
      { request_id: 'r1', http_method: 'GET', status_code: '200', client_ip: '192.0.2.1' },
      { 'context.requestId': 'r1', 'context.httpMethod': 'GET', 'context.status': 200, 'context.identity.sourceIp': '192.0.2.1' },
    ];
    for (const s of shapes) {
      const d = doc(JSON.stringify(s));
      expect(d.aws?.apigateway?.request_id).toBe('r1');
      expect(d.http?.request?.method).toBe('GET');
      expect(d.http?.response?.status_code).toBe(200);
      expect(d.source?.ip).toBe('192.0.2.1');
    }
  });

  test('"-" means absent', () => {
    const d = doc('{"requestId":"r1","status":"-","ip":"-","userAgent":"-","responseLatency":"-"}');
    expect(d.http?.response).toBeUndefined();
    expect(d.source).toBeUndefined();
    expect(d.user_agent).toBeUndefined();
    expect(d.event?.duration).toBeUndefined();
  });

  test('latency in ms becomes event.duration in ns', () => {
    expect(doc('{"requestId":"r","responseLatency":"29"}').event?.duration).toBe(29_000_000);
  });

  test('requestTime honours the offset; requestTimeEpoch wins and accepts ms or s', () => {
    expect(clfTime('08/Mar/2026:10:15:32 -0230')).toBe('2026-03-08T12:45:32.000Z');
    expect(clfTime('31/Foo/2026:10:15:32 +0000')).toBeUndefined();
    expect(doc('{"requestId":"r","requestTime":"08/Mar/2026:10:15:32 +0000","requestTimeEpoch":"1772964932500"}')['@timestamp']).toBe('2026-03-08T10:15:32.500Z');
    expect(doc('{"requestId":"r","requestTimeEpoch":1772964932}')['@timestamp']).toBe('2026-03-08T10:15:32.000Z');
  });

  test('unknown keys go to the bounded extra flat_object', () => {
    const obj: Record<string, string> = { requestId: 'r' };
    for (let i = 0; i < 200; i++) obj[`custom${i}`] = 'v'.repeat(5000);
    const extra = doc(JSON.stringify(obj)).aws?.apigateway?.extra ?? {};
    expect(Object.keys(extra)).toHaveLength(64);
    for (const v of Object.values(extra)) expect((v as string).length).toBeLessThanOrEqual(1025);
  });

  test('a line with no $context variable is an error, not an empty document', () => {
    expect(parseAccessLine('{"level":"info"}')).toBeInstanceOf(ParseError);
    expect(parseAccessLine('free text')).toBeInstanceOf(ParseError);
  });
});

describe('apigateway execution logs', () => {
  const group = 'API-Gateway-Execution-Logs_abc123defg/prod';
  const ev = (message: string, i: number): RawEvent => ({ message, key: `${group}/${i}`, timestamp: 1772964932000 + i });

  test('lines of one request id become one document; the first line gives the id', () => {
    const lines = [
      '(r-1) HTTP Method: GET, Resource Path: /pets',
      '(r-2) HTTP Method: POST, Resource Path: /pets',
      '(r-1) Method completed with status: 200',
      '(r-2) Execution failed due to a timeout error',
      '(r-2) Method completed with status: 504',
    ];
    const res = normalize({ events: lines.map(ev), context: { logGroup: group }, source: 'apigateway' }, { now: NOW });
    expect(res.counts).toEqual({ received: 5, documents: 2, dropped: 3, failed: 0 });
    expect(res.dropped).toEqual({ merged: 3 });
    const [a, b] = res.documents;
    expect(a.aws?.apigateway).toMatchObject({ request_id: 'r-1', api_id: 'abc123defg', stage: 'prod', log_type: 'execution' });
    expect(a.message).toBe('HTTP Method: GET, Resource Path: /pets\nMethod completed with status: 200');
    expect(a.http?.response?.status_code).toBe(200);
    expect(a.event.outcome).toBe('success');
    expect(b.error?.message).toBe('a timeout error');
    expect(b.event.outcome).toBe('failure');
    expect(a.event.id).not.toBe(b.event.id);
    for (const d of res.documents) expectValid(d);
  });

  test('an access log group still parses execution-looking lines by content', () => {
    const out = apigatewayParser.parse([{ message: '(r-9) Method completed with status: 200', key: 'k' }], {});
    expect(out).toHaveLength(1);
    expect(out[0].kind).toBe('document');
  });
});

describe('apigateway properties', () => {
  const check = (lines: string[], logGroup?: string) => {
    const events = lines.map((message, i) => ({ message, key: `k${i}` }));
    const outcomes = apigatewayParser.parse(events, { logGroup });
    const seen: number[] = [];
    for (const o of outcomes) seen.push(...(o.kind === 'document' ? o.indices : [o.index]));
    expect(seen.sort((x, y) => x - y)).toEqual(lines.map((_, i) => i));
    const r = normalize({ events, context: { logGroup }, source: 'apigateway' }, { now: NOW });
    expect(r.counts.received).toBe(r.counts.documents + r.counts.dropped + r.counts.failed);
    for (const d of [...r.documents, ...r.failures]) expectValid(d);
  };
  const line = fc.oneof(
    fc.string(),
    fc.string().map((s) => `(${s}) ${s}`),
    fc.dictionary(fc.constantFrom('requestId', 'status', 'ip', 'requestTime', 'requestTimeEpoch', 'responseLatency', 'authorizer', 'identity', 'error', 'x', 'integration'), fc.jsonValue({ maxDepth: 3 })).map((o) => JSON.stringify(o)),
    fc.tuple(fc.string(), fc.string(), fc.string()).map(([a, b, c]) => `${a} - - [08/Mar/2026:10:15:32 +0000] "${b}" ${c}`),
  );

  test('no string makes it throw; every index is accounted for once; documents validate', () => {
    fc.assert(fc.property(fc.array(line, { maxLength: 8 }), (lines) => check(lines)), { numRuns: runs(400) });
    fc.assert(fc.property(fc.array(line, { maxLength: 8 }), (lines) => check(lines, 'API-Gateway-Execution-Logs_x/y')), { numRuns: runs(200) });
  });
});
