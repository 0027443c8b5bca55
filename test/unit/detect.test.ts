/** Source detection: envelope metadata first, then content, `app` for anything else. */
import { detectSource, globMatch, resolveSource, sourceFromContent, sourceFromLogGroup, sourceFromS3Key } from '../../parsers/detect';
import { normalize } from '../../lib/core/pipeline';
import fc from 'fast-check';
import { SOURCE_IDS, type RawEvent } from '../../parsers/types';
import { runs } from '../helpers/fuzz';

const ev = (...messages: string[]): RawEvent[] => messages.map((message, i) => ({ message, key: `k:${i}` }));

describe('sourceFromLogGroup', () => {
  test.each([
    ['/aws/lambda/orders-api', 'lambda'],
    ['/aws/lambda/pt-1488-DummyLogDataFunction-gnWXPvL6jJyG', 'lambda'],
    ['API-Gateway-Execution-Logs_a1b2c3d4e5/prod', 'apigateway'],
    ['/aws/apigateway/welcome', 'apigateway'],
    ['/aws/vpc/flow-logs/prod', 'vpcflow'],
    ['org-vpc-flow-logs', 'vpcflow'],
    ['aws-cloudtrail-logs-123456789012-3f1a2b3c', 'cloudtrail'],
    ['CloudTrail/DefaultLogGroup', 'cloudtrail'],
    ['/ec2/var/log/audit/audit.log', 'auditd'],
    ['/hosts/auditd', 'auditd'],
  ])('%s → %s', (group, source) => expect(sourceFromLogGroup(group)).toBe(source));

  test.each([
    '/aws/lambda-insights', // EMF JSON, an application-style log
    '/ecs/audit-api', // a service named "audit", not auditd
    '/aws/lambdax/foo',
    '/app/orders',
    '',
  ])('%s → nothing', (group) => expect(sourceFromLogGroup(group)).toBeUndefined());
});

describe('sourceFromS3Key', () => {
  test.each([
    ['AWSLogs/123456789012/elasticloadbalancing/us-east-1/2026/03/01/123456789012_elasticloadbalancing_us-east-1_app.my-lb.50dc6c495c0c9188_20260301T0000Z_10.0.0.1_2et2e1mx.log.gz', 'elb'],
    ['prefix/AWSLogs/o-abc123def4/123456789012/CloudTrail/eu-west-1/2026/03/01/123456789012_CloudTrail_eu-west-1_20260301T0000Z_abc.json.gz', 'cloudtrail'],
    ['AWSLogs/123456789012/vpcflowlogs/eu-west-1/2026/03/01/123456789012_vpcflowlogs_eu-west-1_fl-1234abcd_20260301T0000Z_hash.log.gz', 'vpcflow'],
  ])('%s → %s', (key, source) => expect(sourceFromS3Key(key)).toBe(source));

  test('an unrelated key says nothing', () => expect(sourceFromS3Key('exports/2026/03/01/app.log.gz')).toBeUndefined());
});

describe('sourceFromContent', () => {
  test.each([
    ['{"eventVersion":"1.08","userIdentity":{"type":"Root"},"eventTime":"2026-03-01T00:00:00Z","eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","awsRegion":"us-east-1"}', 'cloudtrail'],
    ['{"time":"2026-03-01T10:02:45.091Z","type":"platform.report","record":{"requestId":"4b142fc3-17b8-4cdb-a46b-a8dbe7918715","status":"success"}}', 'lambda'],
    ['{"timestamp":"2026-03-01T10:02:45.012Z","level":"INFO","requestId":"4b142fc3-17b8-4cdb-a46b-a8dbe7918715","message":"hi"}', 'lambda'],
    ['{"requestId":"c6af9ac6-7b61-11e6-9a41-93e8deadbeef","ip":"203.0.113.7","requestTime":"01/Mar/2026:10:02:45 +0000","httpMethod":"GET","resourcePath":"/pets","status":"200","protocol":"HTTP/1.1","responseLength":"42"}', 'apigateway'],
    ['{"request_id":"c6af9ac6","http_method":"GET","resource_path":"/pets","status":"200"}', 'apigateway'],
    ['START RequestId: 8f1d3c0e-5b7a-4c2e-9f1a-2d3e4f5a6b7c Version: $LATEST', 'lambda'],
    ['REPORT RequestId: 8f1d3c0e-5b7a-4c2e-9f1a-2d3e4f5a6b7c\tDuration: 1.00 ms', 'lambda'],
    ['INIT_START Runtime Version: python:3.13.v43\tRuntime Version ARN: arn:aws:lambda:eu-west-1::runtime:abc', 'lambda'],
    ['2026-03-01T19:11:20.562Z\tc793869b-ee49-115b-a5b6-4fd21e8dedac\tINFO\tENVIRONMENT VARIABLES', 'lambda'],
    ['[INFO]\t2026-01-31T22:12:58.534Z\t1c8df7d3-0a1b-46da-9778-518e6eca8125\t## EVENT', 'lambda'],
    ['2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK', 'vpcflow'],
    ['version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status', 'vpcflow'],
    ['http 2018-07-02T22:23:00.186641Z app/my-loadbalancer/50dc6c495c0c9188 192.168.131.39:2817 10.0.0.1:80 0.000 0.001 0.000 200 200 34 366 "GET http://www.example.com:80/ HTTP/1.1" "curl/7.46.0" - - arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067 "Root=1-58337262-36d228ad5d99923122bbe354" "-" "-" 0 2018-07-02T22:22:48.364000Z "forward" "-" "-" "10.0.0.1:80" "200" "-" "-"', 'elb'],
    ['2015-05-13T23:39:43.945958Z my-loadbalancer 192.168.131.39:2817 10.0.0.1:80 0.000073 0.001048 0.000057 200 200 0 29 "GET http://www.example.com:80/ HTTP/1.1" "curl/7.38.0" - -', 'elb'],
    ['type=AVC msg=audit(1610000000.123:456): avc:  denied  { read } for  pid=1234 comm="httpd"', 'auditd'],
    ['(c0e0e6d7-5d5a-11e9-9a7b-abcdefabcdef) Extended Request Id: Xyz=', 'apigateway'],
  ])('%s → %s', (message, source) => expect(sourceFromContent(message)).toBe(source));

  test.each([
    // Near misses: JSON app logs that mention other sources' keys in their values.
    '{"level":"info","message":"replayed fields eventVersion and eventSource and eventName","timestamp":"2026-03-01T10:02:45.000Z"}',
    '{"level":"warn","msg":"\\"eventVersion\\":\\"1.08\\",\\"eventSource\\":\\"s3.amazonaws.com\\""}',
    '{"level":"info","message":"platform.report seen","type":"audit"}',
    '{"requestId":"abc","level":"info"}', // no timestamp: not the Lambda JSON format
    '{"eventVersion":"1.0","eventSource":"custom"}', // custom app event, not a CloudTrail record
    '{"httpMethod":"GET","path":"/x"}', // a request logged by an app
    '{broken json',
    // An S3 event notification record (aws:s3) shares key names with CloudTrail.
    '{"eventVersion":"2.1","eventSource":"aws:s3","awsRegion":"us-east-2","eventTime":"2019-09-03T19:37:27.192Z","eventName":"ObjectCreated:Put","userIdentity":{"principalId":"AWS:AIDAINPONIXQXHT3IKHL2"}}',
    '{"eventVersion":"1.0","eventSource":"aws:kinesis","eventID":"shardId-000000000000:4954","eventName":"aws:kinesis:record","awsRegion":"eu-west-1"}',
  ])('JSON near miss %s → app', (message) => expect(sourceFromContent(message)).toBe('app'));

  test.each([
    'START processing batch 7',
    'END of file',
    'REPORT generated in 3 ms',
    '2026-03-01 10:02:45,123 ERROR [main] com.acme.X - boom',
    'type=login user=alice',
    'plain text',
  ])('text near miss %s → nothing', (message) => expect(sourceFromContent(message)).toBeUndefined());
});

describe('detectSource / resolveSource', () => {
  test('log group beats content', () => {
    expect(detectSource({ logGroup: '/aws/lambda/orders-api' }, ev('{"level":"info","message":"x"}'))).toBe('lambda');
  });

  test('configured mapping beats conventions, and carries a VPC format', () => {
    const mappings = [{ pattern: '/org/*/flows', source: 'vpcflow' as const, vpcFormat: '${srcaddr} ${dstaddr}' }];
    expect(resolveSource({ logGroup: '/org/prod/flows' }, ev('anything'), mappings)).toEqual({
      source: 'vpcflow',
      options: { vpcFormat: '${srcaddr} ${dstaddr}' },
    });
    // The per-group mapping is more specific than a global default in the context options.
    expect(resolveSource({ logGroup: '/org/prod/flows', options: { vpcFormat: '${version}' } }, [], mappings).options).toEqual({
      vpcFormat: '${srcaddr} ${dstaddr}',
    });
    expect(resolveSource({ logGroup: '/other', options: { vpcFormat: '${version}' } }, [], mappings).options).toEqual({ vpcFormat: '${version}' });
    expect(detectSource({ logGroup: '/aws/lambda/x' }, [], [{ pattern: '/aws/lambda/x', source: 'app' }])).toBe('app');
  });

  test('mapping patterns also match S3 keys', () => {
    expect(detectSource({ s3: { bucket: 'b', key: 'custom/flows/2026/x.log' } }, [], [{ pattern: 'custom/flows/', source: 'vpcflow' }])).toBe('vpcflow');
  });

  test('S3 key layout', () => {
    expect(detectSource({ s3: { bucket: 'b', key: 'AWSLogs/123456789012/CloudTrail/us-east-1/2026/03/01/f.json.gz' } }, [])).toBe('cloudtrail');
  });

  test('content: blank lines are skipped, first decisive line wins, a JSON app line is not decisive', () => {
    expect(detectSource({}, ev('', '   ', 'START RequestId: 8f1d3c0e-5b7a-4c2e-9f1a-2d3e4f5a6b7c Version: $LATEST'))).toBe('lambda');
    expect(
      detectSource(
        {},
        ev('{"level":"info","message":"x"}', '{"eventVersion":"1.08","userIdentity":{},"eventSource":"s3.amazonaws.com","eventName":"GetObject"}'),
      ),
    ).toBe('cloudtrail');
  });

  test('unknown groups and content fall through to app, never an error', () => {
    expect(detectSource({ logGroup: '/ecs/orders' }, ev('hello'))).toBe('app');
    expect(detectSource({}, [])).toBe('app');
    expect(detectSource({}, ev('\u0000\u0001garbage'))).toBe('app');
  });

  test('globMatch: prefix without *, whole-value glob with *', () => {
    expect(globMatch('/aws/lambda/', '/aws/lambda/x')).toBe(true);
    expect(globMatch('/org/*/flows', '/org/a/b/flows')).toBe(true);
    expect(globMatch('/org/*/flows', '/org/a/flows-2')).toBe(false);
    expect(globMatch('a.b*', 'aXb')).toBe(false); // regex metacharacters are literal
  });
});

describe('mappings through the pipeline', () => {
  test("a mapping's VPC format reaches the parser of an auto-detected batch", () => {
    const r = normalize(
      { events: [{ message: '10.0.0.5 10.0.1.9 443 ACCEPT', key: 'k:1' }], context: { logGroup: '/org/net/flows' }, source: 'auto' },
      { mappings: [{ pattern: '/org/*/flows', source: 'vpcflow', vpcFormat: '${srcaddr} ${dstaddr} ${dstport} ${action}' }] },
    );
    expect(r.source).toBe('vpcflow');
    expect(r.counts.failed).toBe(0);
    expect(r.documents[0].source?.ip).toBe('10.0.0.5');
    expect(r.documents[0].destination?.port).toBe(443);
  });
});

describe('detection properties', () => {
  test('never throws and always names a known source', () => {
    fc.assert(
      fc.property(
        fc.record({ logGroup: fc.option(fc.string(), { nil: undefined }), key: fc.option(fc.string(), { nil: undefined }) }),
        fc.array(fc.oneof(fc.string(), fc.json()), { maxLength: 25 }),
        (c, messages) => {
          const ctx = { logGroup: c.logGroup, s3: c.key === undefined ? undefined : { bucket: 'b', key: c.key } };
          const r = resolveSource(ctx, ev(...messages), [{ pattern: '*x*', source: 'elb' }]);
          expect(SOURCE_IDS).toContain(r.source);
        },
      ),
      { numRuns: runs(300) },
    );
  });
});
