/**
 * ALB connection logs (mutual TLS listeners): parsed as their own layout (they used to fail as a
 * Classic line with "request_processing_time is not a number: TLSv1.2"), detected by content and
 * by their S3 key, and the `conn_log.` file name does not hide the account check.
 * Docs: https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-connection-logs.html
 */
import fc from 'fast-check';
import { contextFromS3Key } from '../../lib/core/envelopes';
import { normalize } from '../../lib/core/pipeline';
import { detectSource, sourceFromContent } from '../../parsers/detect';
import { parseElbLine } from '../../parsers/elb';
import { ParseError, type Fields } from '../../parsers/types';
import { runs } from '../helpers/fuzz';
import { expectValid } from '../helpers/schema';

const LINE =
  '2024-06-10T08:15:02.123456Z 203.0.113.10 50123 443 TLSv1.2 ECDHE-RSA-AES128-GCM-SHA256 0.004 "CN=client-a,O=Example Test" ' +
  'NotBefore=2024-01-01T00:00:00Z;NotAfter=2025-01-01T00:00:00Z 0A1B2C3D4E5F Success TID_0123456789abcdef0123456789abcdef';
const KEY =
  'AWSLogs/123456789012/elasticloadbalancing/eu-west-1/2024/06/10/conn_log.123456789012_elasticloadbalancing_eu-west-1_app.my-alb.50dc6c495c0c9188_20240610T0815Z_203.0.113.10_2kd3gpjd.log.gz';

describe('ALB connection logs', () => {
  test('a TLSv1.2 connection line is a document, not "request_processing_time is not a number"', () => {
    const doc = parseElbLine(LINE) as Fields;
    expect(doc).not.toBeInstanceOf(ParseError);
    expect(doc).toMatchObject({
      '@timestamp': '2024-06-10T08:15:02.123Z',
      event: { category: ['network'], type: ['connection'], outcome: 'success', duration: 4e6 },
      source: { ip: '203.0.113.10', port: 50123 },
      destination: { port: 443 },
      network: { transport: 'tcp', protocol: 'tls' },
      tls: {
        version: '1.2',
        version_protocol: 'tls',
        cipher: 'ECDHE-RSA-AES128-GCM-SHA256',
        established: true,
        client: {
          subject: 'CN=client-a,O=Example Test',
          not_before: '2024-01-01T00:00:00.000Z',
          not_after: '2025-01-01T00:00:00.000Z',
          x509: { serial_number: '0A1B2C3D4E5F', subject: { common_name: ['client-a'], distinguished_name: 'CN=client-a,O=Example Test' } },
        },
      },
      aws: { elb: { type: 'alb', log_type: 'connection', listener_port: 443, tls_handshake_latency: 0.004, tls_verify_status: 'Success' } },
    });
  });

  test('a failed verification is a failure outcome with the reason', () => {
    const doc = parseElbLine(LINE.replace('Success', 'Failed:ClientCertRevoked')) as Fields;
    expect(doc.event).toMatchObject({ outcome: 'failure', reason: 'ClientCertRevoked' });
    expect(doc.tls?.established).toBe(false);
  });

  test('the connection trace id joins the access log line of the same connection', () => {
    const conn = parseElbLine(LINE) as Fields;
    const access = parseElbLine(
      'https 2024-06-10T08:15:02.300000Z app/my-alb/50dc6c495c0c9188 203.0.113.10:50123 10.0.0.1:80 0.000 0.001 0.000 200 200 34 366 ' +
        '"GET https://api.example.test:443/ HTTP/1.1" "curl/8.5.0" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 - "Root=1-58337262-36d228ad5d99923122bbe354" ' +
        '"api.example.test" "-" 0 2024-06-10T08:15:02.290000Z "forward" "-" "-" "10.0.0.1:80" "200" "-" "-" TID_0123456789abcdef0123456789abcdef',
    ) as Fields;
    expect(access.aws?.elb?.conn_trace_id).toBe(conn.aws?.elb?.conn_trace_id);
  });

  test('detected by content and by the S3 key; Classic lines stay Classic', () => {
    expect(sourceFromContent(LINE)).toBe('elb');
    expect(detectSource({ s3: { bucket: 'b', key: KEY } }, [])).toBe('elb');
    const classic = parseElbLine(
      '2015-05-13T23:39:43.945958Z my-loadbalancer 192.168.131.39:2817 10.0.0.1:80 0.000073 0.001048 0.000057 200 200 0 29 "GET http://www.example.com:80/ HTTP/1.1" "curl/7.38.0" - -',
    ) as Fields;
    expect(classic.aws?.elb?.type).toBe('classic');
    expect(classic.aws?.elb?.log_type).toBeUndefined();
  });

  test('the conn_log. file name is checked against the key account like access log names', () => {
    expect(contextFromS3Key('b', KEY)).toMatchObject({ account: '123456789012', region: 'eu-west-1' });
    expect(contextFromS3Key('b', KEY.replace('conn_log.123456789012', 'conn_log_123456789012'))).toMatchObject({ account: '123456789012' });
    // A file name naming another account: the key proves nothing.
    expect(contextFromS3Key('b', KEY.replace('conn_log.123456789012', 'conn_log.999999999999')).account).toBeUndefined();
  });

  test('through the pipeline: schema-valid documents, bad values are failures with the reason', () => {
    const lines = [LINE, LINE.replace(' 0.004 ', ' slow '), LINE.replace(' 50123 ', ' 70000 '), LINE.slice(0, 80)];
    const r = normalize({ events: lines.map((message, i) => ({ message, key: `c:${i}` })), context: { s3: { bucket: 'b', key: KEY } }, source: 'auto' }, { now: new Date('2026-01-01T00:00:00Z') });
    expect(r.source).toBe('elb');
    expect(r.counts).toMatchObject({ received: 4, documents: 1, failed: 3 });
    for (const d of [...r.documents, ...r.failures]) expectValid(d);
    expect(r.failures.map((f) => f.error?.message)).toEqual([
      'tls_handshake_latency is not a number: "slow"',
      'client_port is not a port: "70000"',
      expect.stringContaining('expected at least 12'),
    ]);
  });

  test('property: any connection-log-shaped line is a valid document or a failure with a reason, never a throw', () => {
    const tok = fc.oneof(
      fc.constantFrom('-', 'Success', 'Failed:X', 'TLSv1.3', '"CN=a,O=b"', '"CN=a\\,b"', 'NotBefore=x;NotAfter=y', '0.5', '443'),
      fc.string({ maxLength: 12 }).map((s) => s.replace(/\s/g, '')),
    );
    fc.assert(
      fc.property(fc.array(tok, { maxLength: 14 }), fc.constantFrom('203.0.113.1', '2001:db8::1', '::'), (rest, ip) => {
        const message = ['2024-06-10T08:15:02.123456Z', ip, ...rest].join(' ');
        const r = normalize({ events: [{ message, key: 'p:0' }], context: {}, source: 'elb' }, { now: new Date('2026-01-01T00:00:00Z') });
        expect(r.counts.documents + r.counts.failed).toBe(1);
        for (const d of [...r.documents, ...r.failures]) expectValid(d);
        for (const f of r.failures) expect(f.error?.type).not.toBe('parser_bug');
      }),
      { numRuns: runs(300) },
    );
  });
});
