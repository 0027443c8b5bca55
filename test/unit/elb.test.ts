/**
 * ELB access log parser: tokenizer, type detection, ALB/NLB/Classic mapping rules, and properties
 * (never throws, one outcome per event, schema-valid documents).
 */
import fc from 'fast-check';
import { normalize } from '../../lib/core/pipeline';
import { elbParser, parseElbLine } from '../../parsers/elb';
import { tokenize } from '../../parsers/tokenize';
import { ParseError, type Fields } from '../../parsers/types';
import { schemaErrors } from '../helpers/schema';
import { runs } from '../helpers/fuzz';

const ALB =
  'https 2018-07-02T22:23:00.186641Z app/my-loadbalancer/50dc6c495c0c9188 192.168.131.39:2817 10.0.0.1:80 0.086 0.048 0.037 200 200 0 57 ' +
  '"GET https://www.example.com:443/ HTTP/1.1" "curl/7.46.0" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 ' +
  'arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067 "Root=1-58337281-1d84f3d73c47ec4e58577259" ' +
  '"www.example.com" "arn:aws:acm:us-east-2:123456789012:certificate/12345678-1234-1234-1234-123456789012" 1 2018-07-02T22:22:48.364000Z ' +
  '"authenticate,forward" "-" "-" "10.0.0.1:80" "200" "-" "-"';
const NLB =
  'tls 2.0 2018-12-20T02:59:40 net/my-network-loadbalancer/c6e77e28c25b2234 g3d4b5e8bb8464cd 72.21.218.154:51341 172.100.100.185:443 5 2 98 246 - ' +
  'arn:aws:acm:us-east-2:671290407336:certificate/2a108f19-aded-46b0-8493-c63eb1ef4a99 - ECDHE-RSA-AES128-SHA tlsv12 - ' +
  'my-network-loadbalancer-c6e77e28c25b2234.elb.us-east-2.amazonaws.com - - -';
const CLASSIC =
  '2015-05-13T23:39:43.945958Z my-loadbalancer 192.168.131.39:2817 10.0.0.1:80 0.000073 0.001048 0.000057 200 200 0 29 ' +
  '"GET http://www.example.com:80/ HTTP/1.1" "curl/7.38.0" - -';

function doc(line: string): Fields {
  const r = parseElbLine(line);
  if (r === null || r instanceof ParseError || 'skip' in r) throw new Error(`not a document: ${JSON.stringify(r)}`);
  return r;
}

/** Replaces the n-th (0-based) field of a line as the tokenizer sees it. */
function withField(line: string, n: number, value: string): string {
  const t = tokenize(line)!;
  t[n] = value;
  return t.map((x) => (x.includes(' ') || x === '-' ? `"${x}"` : x)).join(' ');
}

describe('tokenize', () => {
  test.each([
    ['a b  c', ['a', 'b', 'c']],
    ['"GET http://a/ HTTP/1.1" "-"', ['GET http://a/ HTTP/1.1', '-']],
    ['x "- - - " "-" - -', ['x', '- - - ', '-', '-', '-']],
    ['h2 "h2","http/1.1" end', ['h2', '"h2","http/1.1"', 'end']],
    ['""', ['']],
    ['  lead trail  ', ['lead', 'trail']],
  ])('%j', (line, expected) => expect(tokenize(line)).toEqual(expected));

  test('an unterminated quote is reported', () => {
    expect(tokenize('a "b c')).toBeUndefined();
    expect(tokenize('a "b","c')).toBeUndefined();
  });
});

describe('elb detection and mapping', () => {
  test('ALB https line of the AWS docs', () => {
    expect(doc(ALB)).toMatchObject({
      '@timestamp': '2018-07-02T22:23:00.186Z',
      // event.duration is end - start (ECS), at ELB's microseconds: 11.822641 s, of which 0.171 s processing.
      event: { category: ['web'], type: ['access'], outcome: 'success', start: '2018-07-02T22:22:48.364Z', end: '2018-07-02T22:23:00.186Z', duration: 11_822_641_000 },
      // The client connects to the load balancer (destination/server: the host it asked for); the target is aws.elb.backend.
      source: { ip: '192.168.131.39', port: 2817 },
      client: { ip: '192.168.131.39', port: 2817 },
      destination: { domain: 'www.example.com' },
      server: { domain: 'www.example.com' },
      related: { ip: ['192.168.131.39', '10.0.0.1'] },
      http: { request: { method: 'GET', bytes: 0 }, response: { status_code: 200, bytes: 57 }, version: '1.1' },
      url: { original: 'https://www.example.com:443/', scheme: 'https', domain: 'www.example.com', port: 443, path: '/' },
      tls: { cipher: 'ECDHE-RSA-AES128-GCM-SHA256', version: '1.2', version_protocol: 'tls', client: { server_name: 'www.example.com' } },
      trace: { id: '1-58337281-1d84f3d73c47ec4e58577259' },
      cloud: { region: 'us-east-2', account: { id: '123456789012' } },
      aws: { elb: { type: 'alb', name: 'my-loadbalancer', actions_executed: ['authenticate', 'forward'], matched_rule_priority: 1, backend: { ip: '10.0.0.1', port: 80 } } },
    });
    expect(doc(ALB).destination?.ip).toBeUndefined();
  });

  test('NLB TLS line of the AWS docs', () => {
    expect(doc(NLB)).toMatchObject({
      '@timestamp': '2018-12-20T02:59:40.000Z',
      event: { category: ['network'], type: ['connection'], outcome: 'success', duration: 5_000_000 },
      source: { ip: '72.21.218.154', port: 51341, bytes: 98 },
      destination: { ip: '172.100.100.185', port: 443, bytes: 246 },
      tls: { version: '1.2', established: true },
      aws: { elb: { type: 'nlb', name: 'my-network-loadbalancer', connection_time: 5, tls_handshake_time: 2 } },
    });
  });

  test('Classic HTTP line of the AWS docs', () => {
    expect(doc(CLASSIC)).toMatchObject({
      '@timestamp': '2015-05-13T23:39:43.945Z',
      event: { category: ['web'], start: '2015-05-13T23:39:43.945Z', outcome: 'success' },
      http: { response: { status_code: 200 } },
      aws: { elb: { type: 'classic', name: 'my-loadbalancer', protocol: 'http', target_status_code: 200 } },
    });
  });

  test('Classic TCP listener: no HTTP fields, connection bytes', () => {
    const d = doc('2015-05-13T23:39:43.945958Z my-loadbalancer 192.168.131.39:2817 10.0.0.1:80 0.001069 0.000028 0.000041 - - 82 305 "- - - " "-" - -');
    expect(d.http).toBeUndefined();
    expect(d.url).toBeUndefined();
    expect(d.source?.bytes).toBe(82);
    expect(d.aws?.elb?.protocol).toBe('tcp');
  });

  test('ALB: -1 processing times are left out (never numbers); failure only when a forward did not complete', () => {
    const clientClosed = doc(withField(withField(withField(ALB, 6, '-1'), 7, '-1'), 8, '460'));
    expect(clientClosed.aws?.elb?.request_processing_time).toBe(0.086);
    expect(clientClosed.aws?.elb?.target_processing_time).toBeUndefined();
    expect(clientClosed.aws?.elb?.response_processing_time).toBeUndefined();
    // The request still lasted from its arrival to the log entry.
    expect(clientClosed.event?.duration).toBe(11_822_641_000);
    expect(clientClosed.event?.outcome).toBe('failure');
    const redirect = doc(withField(withField(withField(ALB, 6, '-1'), 8, '301'), 22, 'redirect'));
    expect(redirect.event?.outcome).toBe('success');
    const fiveHundred = doc(withField(ALB, 8, '503'));
    expect(fiveHundred.event?.outcome).toBe('failure');
  });

  test('ALB: event.duration is end - start at microseconds, within a day, across midnight and across years', () => {
    // An end before the start keeps the duration of the processing times (as without a creation time).
    const fallback = doc(withField(ALB, 21, '-')).event?.duration;
    const micros = (ms: number, us: number) => new Date(ms).toISOString().replace(/\.(\d{3})Z$/, (_, m) => `.${m}${String(us).padStart(3, '0')}Z`);
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(2015, 0, 1), max: Date.UTC(2030, 0, 1) }),
        fc.integer({ min: 0, max: 999 }),
        fc.oneof(fc.integer({ min: 0, max: 120_000 }), fc.integer({ min: 0, max: 3 * 86_400_000 })),
        fc.integer({ min: 0, max: 999 }),
        (start, startUs, span, endUs) => {
          const end = start + span;
          const line = withField(withField(ALB, 1, micros(end, endUs)), 21, micros(start, startUs));
          const expected = span * 1e6 + (endUs - startUs) * 1e3;
          expect(doc(line).event?.duration).toBe(expected >= 0 ? expected : fallback);
        },
      ),
      { numRuns: runs(2000) },
    );
    // New year's night.
    const line = withField(withField(ALB, 1, '2026-01-01T00:00:00.000250Z'), 21, '2025-12-31T23:59:59.999750Z');
    expect(doc(line).event?.duration).toBe(500_000);
  });

  test('ALB: missing elb status (-) and target (-) are absent, not zero', () => {
    const d = doc(withField(withField(ALB, 8, '-'), 4, '-'));
    expect(d.http?.response?.status_code).toBeUndefined();
    expect(d.aws?.elb?.backend).toBeUndefined();
    expect(d.destination).toEqual({ domain: 'www.example.com' });
  });

  test('ALB: IPv6 client split on the last colon', () => {
    const d = doc(withField(ALB, 3, '2001:db8::1:443'));
    expect(d.source).toEqual({ ip: '2001:db8::1', port: 443 });
  });

  test('ALB: trailing fields beyond the known ones are ignored', () => {
    const d = doc(`${ALB} TID_0123abcd "-" "-" "-" 10.0.0.9 "future"`);
    expect(d.aws?.elb?.conn_trace_id).toBe('TID_0123abcd');
  });

  test('URL splitting keeps the logged URL and splits path/query', () => {
    const d = doc(withField(ALB, 12, 'GET https://[2001:db8::5]:8443/a/b.json?x=1&y=%20 HTTP/2.0'));
    expect(d.url).toEqual({ original: 'https://[2001:db8::5]:8443/a/b.json?x=1&y=%20', scheme: 'https', domain: '2001:db8::5', port: 8443, path: '/a/b.json', query: 'x=1&y=%20' });
    expect(d.http?.version).toBe('2.0');
    expect(doc(withField(ALB, 12, 'CONNECT example.com:443 HTTP/1.1')).url).toEqual({ original: 'example.com:443' });
  });

  test('NLB: failed handshake is a failure; URL-encoded SNI and ALPN are decoded', () => {
    const line = NLB.replace(' 5 2 98 ', ' 5 - 98 ').replace('my-network-loadbalancer-c6e77e28c25b2234.elb.us-east-2.amazonaws.com - - -', 'a%2Eexample.com - - h2%2Chttp%2F1.1');
    const d = doc(line);
    expect(d.event?.outcome).toBe('failure');
    expect(d.tls?.established).toBe(false);
    expect(d.tls?.client?.server_name).toBe('a.example.com');
    expect(d.aws?.elb?.alpn_client_preference_list).toEqual(['h2', 'http/1.1']);
  });

  test.each([
    ['unknown type', 'foo 2018-07-02T22:23:00Z x y'],
    ['too short ALB', 'http 2018-07-02T22:23:00.186641Z app/x/y 1.2.3.4:5'],
    ['bad status', ALB.replace(' 200 200 ', ' OK 200 ')],
    ['bad bytes', ALB.replace(' 0 57 ', ' zero 57 ')],
    ['bad time', ALB.replace('2018-07-02T22:23:00.186641Z', 'yesterday')],
    ['unterminated quote', ALB.slice(0, ALB.indexOf('HTTP/1.1"') + 8)],
  ])('bad line: %s → ParseError', (_label, line) => {
    expect(parseElbLine(line)).toBeInstanceOf(ParseError);
  });
});

describe('elb properties', () => {
  const quoted = fc.string({ maxLength: 20 }).map((s) => `"${s.replace(/"/g, '')}"`);
  const token = fc.oneof(
    fc.constantFrom('-', '-1', '0.001', '200', 'http', 'h2', 'tls', '2.0', 'TLSv1.2', 'tlsv13', '2018-07-02T22:23:00.186641Z', 'app/a/b', 'net/a/b', '"- - - "'),
    fc.tuple(fc.oneof(fc.ipV4(), fc.ipV6()), fc.nat({ max: 70000 })).map(([ip, p]) => `${ip}:${p}`),
    fc.nat().map(String),
    quoted,
    fc.string({ maxLength: 10 }),
  );
  const line = fc.oneof(
    fc.string({ maxLength: 300 }),
    fc.string({ unit: 'binary', maxLength: 120 }),
    fc.array(token, { minLength: 1, maxLength: 40 }).map((t) => t.join(' ')),
    fc.tuple(fc.constantFrom(ALB, NLB, CLASSIC), fc.nat({ max: 40 }), token).map(([l, n, v]) => {
      const t = tokenize(l)!;
      return t.map((x, i) => (i === n ? v : x.includes(' ') || x === '-' ? `"${x}"` : x)).join(' ');
    }),
  );

  test('never throws, accounts for every event once, and every document validates', () => {
    fc.assert(
      fc.property(fc.array(line, { maxLength: 10 }), (lines) => {
        const outcomes = elbParser.parse(lines.map((message, i) => ({ message, key: `p:${i}` })), {});
        expect(outcomes).toHaveLength(lines.length);
        outcomes.forEach((o, i) => {
          expect(o.kind === 'document' ? o.indices : [o.index]).toEqual([i]);
          if (o.kind === 'failure') expect(o.type).not.toBe('parser_bug');
        });
        const r = normalize({ events: lines.map((message, i) => ({ message, key: `p:${i}` })), context: {}, source: 'elb' }, { now: new Date(0) });
        expect(r.counts.received).toBe(r.counts.documents + r.counts.dropped + r.counts.failed);
        for (const d of [...r.documents, ...r.failures]) expect(schemaErrors(d)).toBe('');
      }),
      { numRuns: runs(400) },
    );
  });
});
