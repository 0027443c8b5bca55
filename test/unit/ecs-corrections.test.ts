/**
 * The ECS corrections of #17 item 3, each on the smallest input that shows it (the goldens show them
 * in context; test/unit/ecs-validation.test.ts checks every golden and demo document against ECS).
 */
import { normalize } from '../../lib/core/pipeline';
import { parseTimeArg } from '../../lib/replay/plan';
import { INVALID_TIMESTAMP_TAG } from '../../parsers/app';
import type { ParseContext, SourceId } from '../../parsers/types';

const NOW = new Date('2026-03-05T12:00:00.000Z');
type Doc = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function one(source: SourceId, message: string, context: ParseContext = {}, timestamp?: number): Doc {
  const r = normalize({ events: [{ message, key: 'k', timestamp }], context, source }, { now: NOW });
  return (r.documents[0] ?? r.failures[0]) as Doc;
}

describe('application logs', () => {
  test('an address-shaped value that is no IP (999.10.10.10) never lands in an ip field', () => {
    const d = one('app', '[Mon Mar 02 10:00:00.123 2026] [core:error] [pid 7] [client 999.10.10.10:5123] AH00037: denied');
    expect(d.source).toEqual({ address: '999.10.10.10', port: 5123 });
    expect(one('app', '[Mon Mar 02 10:00:00.123 2026] [core:error] [client 203.0.113.9:5123] x').source).toEqual({ ip: '203.0.113.9', port: 5123 });
  });

  test('RFC 3164 without an envelope time takes the year of the ingest time (a file read by the CLI)', () => {
    expect(one('app', '<34>Mar  3 10:00:00 web-1 su[12]: session opened')['@timestamp']).toBe('2026-03-03T10:00:00.000Z');
    // A date more than a day after the reference is last year's (a December line read in March).
    expect(one('app', '<34>Dec 31 23:00:00 web-1 su: x')['@timestamp']).toBe('2025-12-31T23:00:00.000Z');
    // Feb 29 read in the (non-leap) year after: last year's, not a rolled-over March 1.
    expect(one('app', '<34>Feb 29 10:00:00 web-1 su: x', {}, Date.UTC(2029, 0, 10))['@timestamp']).toBe('2028-02-29T10:00:00.000Z');
    // The envelope's event time wins over the ingest time.
    expect(one('app', 'Dec 31 23:59:59 web-1 cron: x', {}, Date.UTC(2027, 0, 1, 0, 0, 5))['@timestamp']).toBe('2026-12-31T23:59:59.000Z');
  });

  test('a log time that does not exist (2026-02-30) is never rolled over: ingest time, tagged', () => {
    for (const line of ['2026-02-30 10:00:00,123 ERROR [main] com.acme.Billing - charge failed', '{"time":"2026-02-30T10:00:00Z","level":"info","msg":"x"}', '10.0.0.1 - - [30/Feb/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 1', '<34>Feb 30 10:00:00 web-1 su: x']) {
      const d = one('app', line);
      expect(d['@timestamp']).toBe(NOW.toISOString());
      expect(d.tags).toEqual([INVALID_TIMESTAMP_TAG]);
    }
    expect(one('app', '2026-02-28 10:00:00,123 ERROR x').tags).toBeUndefined();
  });

  test('syslog header fields are ECS log.syslog.*', () => {
    const d = one('app', '<165>1 2026-03-01T10:02:45.123Z host app 77 ID47 - started');
    expect(d.log).toEqual({ level: 'notice', syslog: { priority: 165, facility: { code: 20 }, severity: { code: 5 }, msgid: 'ID47' } });
    expect(d.app).toEqual({ format: 'syslog' });
  });

  test('access lines: event.type access, url.query, related.ip and related.user', () => {
    const d = one('app', '203.0.113.9 - bob [01/Mar/2026:10:02:45 +0100] "GET /search?q=a%20b&page=2 HTTP/1.1" 200 12 "-" "curl/8.5.0"');
    expect(d.event).toMatchObject({ category: ['web'], type: ['access'], outcome: 'success' });
    expect(d.url).toEqual({ original: '/search?q=a%20b&page=2', path: '/search', query: 'q=a%20b&page=2' });
    expect(d.related).toEqual({ ip: ['203.0.113.9'], user: ['bob'] });
  });
});

describe('replay time arguments', () => {
  test('a date that does not exist is a usage error (RangeError → exit 2), never rolled over', () => {
    for (const v of ['2026-13-45', '2026-02-30', '2026-02-30T10:00:00Z', '2026-03-01T24', '2025-02-29']) expect(() => parseTimeArg(v)).toThrow(RangeError);
    expect(parseTimeArg('2024-02-29')).toBe(Date.UTC(2024, 1, 29));
  });
});

describe('CloudTrail', () => {
  const signIn = (extra: Record<string, unknown> = {}) =>
    JSON.stringify({
      eventVersion: '1.08',
      userIdentity: { type: 'IAMUser', principalId: 'AIDACKCEVSQ6C2EXAMPLE', arn: 'arn:aws:iam::111122223333:user/anaya', accountId: '111122223333', userName: 'anaya' },
      eventTime: '2026-03-01T10:00:00Z',
      eventSource: 'signin.amazonaws.com',
      eventName: 'ConsoleLogin',
      awsRegion: 'us-east-1',
      sourceIPAddress: '192.0.2.10',
      responseElements: { ConsoleLogin: 'Success' },
      eventID: 'a1b2c3d4-0000-4000-8000-000000000001',
      eventType: 'AwsConsoleSignIn',
      ...extra,
    });

  test('without recipientAccountId, cloud.account.id is userIdentity.accountId (a claim)', () => {
    expect(one('cloudtrail', signIn()).cloud.account).toEqual({ id: '111122223333' });
    expect(one('cloudtrail', signIn({ recipientAccountId: '444455556666' })).cloud.account).toEqual({ id: '444455556666' });
  });

  test('the claim stays a claim: another delivering account is not overruled', () => {
    const d = one('cloudtrail', signIn(), { account: '999999999999', region: 'us-east-1' });
    expect(d.cloud.account).toEqual({ id: '999999999999' });
    expect(d.tributary).toMatchObject({ attribution: 'mismatch', claimed: { account: '111122223333' } });
  });
});

describe('Lambda', () => {
  test('faas.* next to aws.lambda.*, platform records categorized as the process lifecycle', () => {
    const ctx = { logGroup: '/aws/lambda/orders-api', logStream: '2026/03/01/[$LATEST]0123456789abcdef0123456789abcdef' };
    const start = one('lambda', 'START RequestId: 6bc28136-1111-4365-b021-0ce6b2e64ab0 Version: $LATEST', ctx);
    expect(start.faas).toEqual({ name: 'orders-api', version: '$LATEST', execution: '6bc28136-1111-4365-b021-0ce6b2e64ab0' });
    expect(start.aws.lambda).toMatchObject({ function_name: 'orders-api', request_id: '6bc28136-1111-4365-b021-0ce6b2e64ab0' });
    expect(start.event).toMatchObject({ category: ['process'], type: ['start'] });
    const report = one('lambda', 'REPORT RequestId: 6bc28136-1111-4365-b021-0ce6b2e64ab0\tDuration: 12.5 ms\tBilled Duration: 13 ms\tMemory Size: 128 MB\tMax Memory Used: 70 MB\tInit Duration: 150.2 ms', ctx);
    expect(report.faas).toMatchObject({ coldstart: true });
    expect(report.event).toMatchObject({ kind: 'metric', category: ['process'], type: ['info'] });
  });
});

describe('auditd', () => {
  test('auid is user.audit.id; a successful login by uid names the account when the record is enriched', () => {
    const raw = "type=USER_LOGIN msg=audit(1772445600.123:5): pid=1 uid=0 auid=1000 ses=3 msg='op=login id=1000 exe=\"/usr/sbin/sshd\" hostname=? addr=192.0.2.7 terminal=ssh res=success'";
    const d = one('auditd', raw);
    expect(d.user).toEqual({ id: '1000', audit: { id: '1000' } });
    const enriched = one('auditd', `${raw}\u001dUID="root" AUID="alice" ID="alice"`);
    expect(enriched.user).toEqual({ id: '1000', name: 'alice', audit: { id: '1000', name: 'alice' } });
    expect(enriched.event).toMatchObject({ category: ['authentication', 'session'], type: ['start'], outcome: 'success' });
  });
});

describe('ELB', () => {
  const alb = (times: string) =>
    `https 2026-03-01T10:00:05.000250Z app/shop/50dc6c495c0c9188 203.0.113.9:40001 10.0.1.19:8443 ${times} 502 502 900 272 ` +
    '"POST https://shop.example.com:443/api HTTP/1.1" "okhttp/4.12.0" TLS_AES_128_GCM_SHA256 TLSv1.3 - "Root=1-69a40d52-fedcba9876543210fedcba98" "shop.example.com" "-" 5 2026-03-01T10:00:00.000125Z "forward" "-" "-" "10.0.1.19:8443" "502" "-" "-"';

  test('-1 processing times are absent; the duration is end - start at microseconds', () => {
    const d = one('elb', alb('0.000 1.204 -1'));
    expect(d.aws.elb.request_processing_time).toBe(0);
    expect(d.aws.elb.target_processing_time).toBe(1.204);
    expect(d.aws.elb.response_processing_time).toBeUndefined();
    expect(d.event).toMatchObject({ start: '2026-03-01T10:00:00.000Z', end: '2026-03-01T10:00:05.000Z', duration: 5_000_125_000, outcome: 'failure' });
  });

  test('the client connects to the load balancer: the target is aws.elb.backend, not destination', () => {
    const d = one('elb', alb('0.001 0.002 0.003'));
    expect(d.source).toEqual({ ip: '203.0.113.9', port: 40001 });
    expect(d.client).toEqual({ ip: '203.0.113.9', port: 40001 });
    expect(d.destination).toEqual({ domain: 'shop.example.com' });
    expect(d.server).toEqual({ domain: 'shop.example.com' });
    expect(d.aws.elb.backend).toEqual({ ip: '10.0.1.19', port: 8443 });
    expect(d.related.ip).toEqual(['203.0.113.9', '10.0.1.19']);
  });
});
