/**
 * Application-log variants of issue #16: web access lines from IPv6, host-name, proxied (X-Forwarded-For)
 * and virtual-host formats with percent-encoded paths, pino-pretty output, and the Lambda
 * `{"awslogs":{"data":...}}` event read by `tributary normalize`.
 * Formats: https://httpd.apache.org/docs/2.4/mod/mod_log_config.html, https://nginx.org/en/docs/http/ngx_http_log_module.html,
 * https://github.com/pinojs/pino-pretty, https://docs.aws.amazon.com/lambda/latest/dg/services-cloudwatchlogs.html
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { runNormalize } from '../../bin/commands/normalize';
import { normalize } from '../../lib/core/pipeline';
import { parseAppText } from '../../parsers/app';
import { runs } from '../helpers/fuzz';
import { expectValid } from '../helpers/schema';

const NOW = new Date('2026-01-01T00:00:00.000Z');
const fields = (line: string) => parseAppText(line).fields;

describe('web access log variants', () => {
  test('a host-name client is source.domain/address, never source.ip', () => {
    const f = fields('crawler.example.net - - [10/Jun/2024:08:15:04 +0200] "GET / HTTP/1.1" 200 1 "-" "-"');
    expect(f.source).toEqual({ address: 'crawler.example.net', domain: 'crawler.example.net' });
    expect(f.app?.format).toBe('access');
  });

  test('IPv6 clients are not split on ":"', () => {
    expect(fields('fe80::1 - - [10/Jun/2024:08:15:04 +0200] "GET / HTTP/1.1" 200 1').source).toEqual({ ip: 'fe80::1' });
    expect(fields('::ffff:192.0.2.1 - - [10/Jun/2024:08:15:04 +0200] "-" 408 -').source).toEqual({ ip: '::ffff:192.0.2.1' });
  });

  test('a "-" request keeps status and time, no method or URL', () => {
    const f = fields('::1 - - [10/Jun/2024:08:15:02 +0200] "-" 408 -');
    expect(f).toMatchObject({ '@timestamp': '2024-06-10T06:15:02.000Z', http: { response: { status_code: 408 } }, event: { outcome: 'failure' } });
    expect(f.url).toBeUndefined();
  });

  test('X-Forwarded-For: the first public hop is client.ip, the TCP peer stays source.ip', () => {
    const f = fields('10.0.0.2 - - [10/Jun/2024:06:15:08 +0000] "GET / HTTP/1.1" 200 2 "-" "-" X-Forwarded-For="10.1.1.1, 198.51.100.20, 203.0.113.1"');
    expect(f.source?.ip).toBe('10.0.0.2');
    expect(f.client?.ip).toBe('198.51.100.20');
    expect(f.network?.forwarded_ip).toBe('198.51.100.20');
    expect(f.app?.access?.forwarded_for).toEqual(['10.1.1.1', '198.51.100.20', '203.0.113.1']);
  });

  test('a syslog-wrapped access line stays a syslog line (not misread as an access line)', () => {
    const f = fields('<190>Jun 10 08:15:04 web-1 nginx: 192.0.2.1 - - [10/Jun/2024:08:15:04 +0200] "GET / HTTP/1.1" 200 1 "-" "-"');
    expect(f.app?.format).toBe('syslog');
  });

  test('property: url.original is the request target verbatim, url.path its decoded path', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 4 }), fc.option(fc.stringMatching(/^[a-z]=[a-z0-9]{1,5}$/), { nil: undefined }), (segments, query) => {
        const path = '/' + segments.map((s) => encodeURIComponent(s)).join('/');
        const target = query ? `${path}?${query}` : path;
        const f = fields(`2001:db8::1 - - [10/Jun/2024:08:15:04 +0200] "GET ${target} HTTP/1.1" 200 1 "-" "-"`);
        expect(f.url?.original).toBe(target);
        expect(f.url?.path).toBe(decodeURIComponent(path));
        expect(f.url?.query).toBe(query);
      }),
      { numRuns: runs(300) },
    );
  });

  test('property: any access-shaped line is one valid document, never a throw', () => {
    const token = fc.oneof(fc.constantFrom('-', '::1', 'host.example', '"10.0.0.1, 203.0.113.9"', 'a:443', 'unix:'), fc.ipV4(), fc.ipV6(), fc.string({ maxLength: 10 }));
    fc.assert(
      fc.property(fc.array(token, { minLength: 1, maxLength: 5 }), fc.string({ maxLength: 40 }), fc.string({ maxLength: 30 }), (prefix, request, rest) => {
        const message = `${prefix.join(' ')} [10/Jun/2024:08:15:04 +0200] "${request.replace(/"/g, '')}" 200 12${rest}`;
        const r = normalize({ events: [{ message, key: 'p:0' }], context: {}, source: 'app' }, { now: NOW });
        expect(r.counts.received).toBe(r.counts.documents + r.counts.dropped + r.counts.failed);
        for (const d of [...r.documents, ...r.failures]) expectValid(d);
      }),
      { numRuns: runs(300) },
    );
  });
});

describe('pino-pretty', () => {
  test('first line and property lines make one document', () => {
    const r = normalize(
      {
        events: ['[1718003702123] WARN (api/12 on web-2): slow query', '    ms: 1200', '    sql: "select 1"'].map((message, i) => ({ message, key: `k:${i}` })),
        context: {},
        source: 'app',
      },
      { now: NOW },
    );
    expect(r.counts).toMatchObject({ received: 3, documents: 1, dropped: 2 });
    expect(r.documents[0]).toMatchObject({
      '@timestamp': '2024-06-10T07:15:02.123Z',
      message: 'slow query',
      log: { level: 'warn', logger: 'api' },
      process: { pid: 12 },
      host: { name: 'web-2' },
      app: { format: 'pino', fields: { ms: 1200, sql: 'select 1' } },
    });
    expectValid(r.documents[0]);
  });
});

describe('tributary normalize reads the Lambda {"awslogs":{"data":...}} event', () => {
  const payload = {
    messageType: 'DATA_MESSAGE',
    owner: '111122223333',
    logGroup: '/ecs/web',
    logStream: 'web/1',
    subscriptionFilters: ['f'],
    logEvents: [{ id: '1', timestamp: 1718003702000, message: '::1 - - [10/Jun/2024:08:15:02 +0200] "GET /x HTTP/1.1" 200 1 "-" "-"' }],
  };
  const dir = mkdtempSync(join(tmpdir(), 'variants-awslogs-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('decoded like the payload itself: same documents', async () => {
    const event = join(dir, 'event.json');
    const decoded = join(dir, 'payload.json');
    writeFileSync(event, JSON.stringify({ awslogs: { data: gzipSync(JSON.stringify(payload)).toString('base64') } }));
    writeFileSync(decoded, JSON.stringify(payload));
    const a: string[] = [];
    const b: string[] = [];
    const ta = await runNormalize([event], { source: 'auto' }, (l) => a.push(l), NOW);
    await runNormalize([decoded], { source: 'auto' }, (l) => b.push(l), NOW);
    expect(ta.get('app')).toMatchObject({ received: 1, documents: 1, failed: 0 });
    expect(a).toEqual(b);
    expect(JSON.parse(a[0]).source).toEqual({ ip: '::1' });
  });

  test('a corrupt data field is one envelope failure, not a crash', async () => {
    const event = join(dir, 'bad.json');
    writeFileSync(event, JSON.stringify({ awslogs: { data: 'bm90IGd6aXA=' } }));
    const out: string[] = [];
    const totals = await runNormalize([event], { source: 'auto' }, (l) => out.push(l), NOW);
    expect([...totals.values()].reduce((n, c) => n + c.failed, 0)).toBe(1);
    expect(JSON.parse(out[0]).error.type).toBe('envelope_error');
  });
});

// Corpus conformance (skipped without ../shared/corpus): published combined-log lines are access documents.
const HTTPD = join(__dirname, '..', '..', '..', 'shared', 'corpus', 'applogs', 'logstash-patterns-core', 'HTTPD_COMBINEDLOG.spec-messages.log');
(existsSync(HTTPD) ? describe : describe.skip)('corpus conformance: Apache combined lines', () => {
  test('every line is an access document with its client, decoded path and verbatim target', () => {
    const lines = readFileSync(HTTPD, 'utf8').split('\n').filter((l) => l.trim());
    for (const line of lines) {
      const f = fields(line);
      expect(f.app?.format).toBe('access');
      expect(f.source?.ip ?? f.source?.address).toBeDefined();
      const target = /"[A-Z]+ (\S+) HTTP/.exec(line)?.[1];
      if (target) {
        expect(f.url?.original).toBe(target);
        expect(f.url?.path).toBe(decodeURIComponent(target.split('?')[0]));
      }
    }
  });
});
