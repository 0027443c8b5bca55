/**
 * Secret redaction (`lib/core/redact.ts`): every default rule on real-format lines run through the
 * parsers, configured rules (RE2 patterns, field paths, keys), `event.original` on and off, failure
 * documents, counts, unchanged ids, configuration errors (functions and CLI), and a property test that
 * redaction never throws, never grows a document and is idempotent.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { documentId } from '../../lib/core/attribution';
import { normalize, type NormalizeOptions } from '../../lib/core/pipeline';
import { createRedactor, DEFAULT_RULES } from '../../lib/core/redact';
import { ConfigError, describeConfig, loadConfig } from '../../lib/io/config';
import { redactionFromJson } from '../../lib/io/redaction';
import type { ParseContext, RawEvent, SourceId } from '../../parsers/types';
import { runs } from '../helpers/fuzz';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- documents are checked as JSON
type Doc = Record<string, any>;

const NOW = new Date('2026-03-09T00:00:00.000Z');
const SESSION_TOKEN =
  'IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQDmvA5+4uUuMxLm0jDkJ3cvVE6hGdHYnJZ1OC8NvWkwXwIgUkH1ZXNhbXBsZS1zZXNzaW9uLXRva2Vu';
const SECRET_KEY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const JWT = 'eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJhbGljZSIsImV4cCI6MTc3MzAwMzYwMH0.c2lnbmF0dXJlLWJ5dGVzLWhlcmUtbm90LXJlYWw';
const COOKIE = '8f14e45fceea167a5a36dedd4bea2543';
const SIGNATURE = 'aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404';

function run(source: SourceId | 'auto', context: ParseContext, messages: string[], options: NormalizeOptions = {}) {
  const events: RawEvent[] = messages.map((message, i) => ({ message, key: `k-${i}`, timestamp: 1773000000000 + i }));
  return normalize({ source, context, events }, { now: NOW, ...options });
}

/** Every string of a document outside `event.original`, joined: where a secret must not be. */
function visible(doc: Doc): string {
  const copy = structuredClone(doc);
  delete copy.event?.original;
  return JSON.stringify(copy);
}

const CWL = { account: '111122223333', region: 'eu-west-1' };

describe('default rules on real-format lines', () => {
  test('API Gateway execution log: Authorization (scheme kept, token hashed) and Cookie values', () => {
    const r = run('auto', { ...CWL, logGroup: 'API-Gateway-Execution-Logs_a1b2c3d4e5/prod' }, [
      `(7d5c1a2b-3e4f-4a5b-8c6d-000000000001) Method request headers: {Authorization=Bearer ${JWT}, Cookie=session=${COOKIE}; theme=dark, Host=api.example.com, User-Agent=curl/8.5.0}`,
    ]);
    const d = r.documents[0] as Doc;
    expect(d.tributary.source).toBe('apigateway');
    expect(d.message).toMatch(/^Method request headers: \{Authorization=Bearer \[REDACTED:authorization#[0-9a-f]{10}\], Cookie=session=\[REDACTED:cookie#[0-9a-f]{10}\]; theme=\*\*\*, Host=api\.example\.com, User-Agent=curl\/8\.5\.0\}$/);
    expect(d.tributary.redacted).toEqual({ count: 3, rules: ['authorization', 'cookie'] });
    expect(visible(d)).not.toContain(JWT);
    expect(visible(d)).not.toContain(COOKIE);
  });

  test('Lambda line printing its credentials: secret key and session token go, the access key id stays', () => {
    const r = run('auto', { ...CWL, logGroup: '/aws/lambda/orders-api' }, [
      `2026-03-01T19:11:20.562Z\tc793869b-ee49-115b-a5b6-4fd21e8dedac\tINFO\tAWS_ACCESS_KEY_ID=ASIAQNZGKIQY56JQ7WML AWS_SECRET_ACCESS_KEY=${SECRET_KEY} AWS_SESSION_TOKEN=${SESSION_TOKEN} PWD=/var/task`,
    ]);
    const d = r.documents[0] as Doc;
    expect(d.tributary.source).toBe('lambda');
    expect(d.message).toMatch(
      /^AWS_ACCESS_KEY_ID=ASIAQNZGKIQY56JQ7WML AWS_SECRET_ACCESS_KEY=\[REDACTED:aws-secret-key#[0-9a-f]{10}\] AWS_SESSION_TOKEN=\[REDACTED:aws-session-token#[0-9a-f]{10}\] PWD=\/var\/task$/,
    );
    expect(d.tributary.redacted).toEqual({ count: 2, rules: ['aws-secret-key', 'aws-session-token'] });
  });

  test('application access log: a password in the URL query (no hash: passwords are guessable)', () => {
    const r = run('app', {}, ['203.0.113.9 - - [01/Mar/2026:10:00:00 +0000] "GET /login?user=alice&password=Tr0ub4dor-and-3&next=%2Fhome HTTP/1.1" 302 0 "-" "Mozilla/5.0"']);
    const d = r.documents[0] as Doc;
    expect(d.url.original).toBe('/login?user=alice&password=[REDACTED]&next=%2Fhome');
    expect(visible(d)).not.toContain('Tr0ub4dor');
    expect(d.tributary.redacted).toEqual({ count: expect.any(Number), rules: ['password'] });
  });

  test('WAF record: Authorization and Cookie headers in aws.waf.request.headers', () => {
    const record = {
      timestamp: 1772359200123,
      formatVersion: 1,
      webaclId: 'arn:aws:wafv2:eu-west-1:111122223333:regional/webacl/shop-acl/0a1b2c3d-1111-2222-3333-444444444444',
      terminatingRuleId: 'Default_Action',
      terminatingRuleType: 'REGULAR',
      action: 'ALLOW',
      httpSourceName: 'ALB',
      httpSourceId: '111122223333-app/shop-alb/50dc6c495c0c9188',
      ruleGroupList: [],
      rateBasedRuleList: [],
      nonTerminatingMatchingRules: [],
      httpRequest: {
        clientIp: '203.0.113.7',
        country: 'NL',
        headers: [
          { name: 'Host', value: 'shop.example.com' },
          { name: 'Authorization', value: 'Basic YWxpY2U6aHVudGVyMg==' },
          { name: 'Cookie', value: `session=${COOKIE}; cart=42` },
        ],
        uri: '/checkout',
        args: '',
        httpVersion: 'HTTP/1.1',
        httpMethod: 'GET',
        requestId: '1-69a40d50-0123456789abcdef01234567',
      },
    };
    const r = run('auto', { ...CWL, logGroup: 'aws-waf-logs-shop' }, [JSON.stringify(record)]);
    const d = r.documents[0] as Doc;
    expect(d.tributary.source).toBe('waf');
    // Basic credentials are a user name and password: no hash (a dictionary would reverse it); 20
    // characters are too few for `[REDACTED:authorization]` (a marker never grows a value).
    expect(d.aws.waf.request.headers.authorization).toBe('Basic [REDACTED]');
    expect(d.aws.waf.request.headers.cookie).toMatch(/^session=\[REDACTED:cookie#[0-9a-f]{10}\]; cart=\*\*$/);
    expect(d.aws.waf.request.headers.host).toBe('shop.example.com');
    expect(visible(d)).not.toContain('YWxpY2U6aHVudGVyMg');
  });

  test('CloudTrail AssumeRole: the session token in responseElements goes, the ASIA access key id stays', () => {
    const record = {
      eventVersion: '1.08',
      userIdentity: { type: 'AWSService', invokedBy: 'ec2.amazonaws.com' },
      eventTime: '2026-03-01T10:00:00Z',
      eventSource: 'sts.amazonaws.com',
      eventName: 'AssumeRole',
      awsRegion: 'eu-west-1',
      sourceIPAddress: 'ec2.amazonaws.com',
      userAgent: 'ec2.amazonaws.com',
      requestParameters: { roleArn: 'arn:aws:iam::111122223333:role/app', roleSessionName: 'i-0abc', durationSeconds: 3600 },
      responseElements: {
        credentials: { accessKeyId: 'ASIAQNZGKIQY56JQ7WML', sessionToken: SESSION_TOKEN, expiration: 'Mar 1, 2026, 11:00:00 AM' },
        assumedRoleUser: { assumedRoleId: 'AROAQNZGKIQY5EXAMPLE:i-0abc', arn: 'arn:aws:sts::111122223333:assumed-role/app/i-0abc' },
      },
      requestID: 'a1b2c3d4-5678-90ab-cdef-111111111111',
      eventID: 'b2c3d4e5-6789-01ab-cdef-222222222222',
      readOnly: true,
      eventType: 'AwsApiCall',
      managementEvent: true,
      recipientAccountId: '111122223333',
    };
    const r = run('cloudtrail', CWL, [JSON.stringify(record)], { includeOriginal: true });
    const d = r.documents[0] as Doc;
    const text = visible(d);
    expect(text).not.toContain(SESSION_TOKEN);
    expect(text).toContain('ASIAQNZGKIQY56JQ7WML');
    expect(text).toMatch(/"sessionToken":"\[REDACTED:aws-session-token#[0-9a-f]{10}\]"/);
    // The raw record stays as it came by default: it is evidence.
    expect(d.event.original).toContain(SESSION_TOKEN);
    expect(d.event.id).toBe('b2c3d4e5-6789-01ab-cdef-222222222222');
  });

  test('S3 server access log: a presigned URL loses its signature and security token, keeps its credential scope', () => {
    const uri = `GET /reports/q1.pdf?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=ASIAQNZGKIQY56JQ7WML%2F20190206%2Fus-west-1%2Fs3%2Faws4_request&X-Amz-Date=20190206T000000Z&X-Amz-Expires=3600&X-Amz-Security-Token=${encodeURIComponent(SESSION_TOKEN)}&X-Amz-SignedHeaders=host&X-Amz-Signature=${SIGNATURE} HTTP/1.1`;
    const line = `79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be amzn-s3-demo-bucket1 [06/Feb/2019:00:00:38 +0000] 192.0.2.3 arn:aws:sts::123456789012:assumed-role/app/i-0abc 3E57427F3EXAMPLE REST.GET.OBJECT reports/q1.pdf "${uri}" 200 - 113 113 7 6 "-" "curl/8.5.0" - s9lzHYrFp76ZVxRcpX9+5cjAnEH2ROuNkd2BHfIa6UkFVdtjf5mKR3/eTPFvsiP/XV/VLi31234= SigV4 ECDHE-RSA-AES128-GCM-SHA256 QueryString amzn-s3-demo-bucket1.s3.us-west-1.amazonaws.com TLSV1.2 - Yes`;
    const r = run('s3access', {}, [line]);
    const d = r.documents[0] as Doc;
    const text = visible(d);
    expect(text).not.toContain(SIGNATURE);
    expect(text).not.toContain(encodeURIComponent(SESSION_TOKEN));
    expect(text).toContain('X-Amz-Credential=ASIAQNZGKIQY56JQ7WML%2F20190206');
    expect(d.tributary.redacted.rules.sort()).toEqual(['aws-session-token', 'url-signature']);
  });

  test('private keys and JWTs anywhere in a message', () => {
    const pem = '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n-----END OPENSSH PRIVATE KEY-----';
    const r = run('app', {}, [JSON.stringify({ level: 'error', message: `deploy key leaked: ${pem} and id ${JWT} in the callback` })]);
    const d = r.documents[0] as Doc;
    expect(visible(d)).not.toContain('b3BlbnNzaC1rZXkt');
    expect(visible(d)).not.toContain(JWT);
    expect(d.message).toMatch(/-----BEGIN OPENSSH PRIVATE KEY-----\[REDACTED:private-key#[0-9a-f]{10}\]-----END OPENSSH PRIVATE KEY-----/);
    expect(d.tributary.redacted.rules.sort()).toEqual(['jwt', 'private-key']);
  });

  test('whichever comes first in a string (a separator, a JWT, a PEM block), every secret in it is found', () => {
    const pem = '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7bq98EXAMPLEKEYBYTES\n-----END RSA PRIVATE KEY-----';
    const cases = [
      `${pem} uploaded at 10:42`, // dashes, then a separator with no trigger word
      `at 10:42 ${pem}`, // a separator first
      `${JWT} sent to https://example.com/cb`, // a JWT, then separators
      `https://example.com/cb?x=1 ${JWT}`, // separators first
      `----- ${JWT}`, // dashes that are no PEM block, then a JWT
      `short: ${JWT.slice(0, 60)}.x`, // under 64 characters after the separator's part
    ];
    const { createRedactor } = require('../../lib/core/redact') as typeof import('../../lib/core/redact');
    const redactor = createRedactor();
    for (const message of cases) {
      const d = redactor.redact({ message, tributary: {} as Record<string, unknown> });
      expect(d.message).toContain('[REDACTED');
      expect(d.message).not.toContain('MIIEowIBAAKCAQEA7bq98EXAMPLEKEYBYTES');
      expect(d.message).not.toContain(JWT.slice(0, 40));
    }
    // Separators and dashes without any secret: nothing changes.
    for (const message of ['10:42:07 ok', 'a=b c=d', '----- section -----', 'arn:aws:iam::111122223333:role/Deploy']) {
      expect(redactor.redact({ message }).message).toBe(message);
    }
  });

  test('not secrets: pagination tokens, access key ids, already masked values, null passwords', () => {
    const r = createRedactor();
    const doc = r.redact({
      aws: { cloudtrail: { request_parameters: { nextToken: 'AAMA-EFRSURBSGh3', accessKeyId: 'AKIAIOSFODNN7EXAMPLE' } } },
      message: 'login password=**** token=[REDACTED] {"password": null} isSecret=false',
    }) as Doc;
    expect(doc.aws.cloudtrail.request_parameters).toEqual({ nextToken: 'AAMA-EFRSURBSGh3', accessKeyId: 'AKIAIOSFODNN7EXAMPLE' });
    expect(doc.message).toBe('login password=**** token=[REDACTED] {"password": null} isSecret=false');
    expect(doc.tributary).toBeUndefined();
  });

  test('every default rule is exercised by name', () => {
    const r = createRedactor();
    const doc = r.redact({
      a: `aws_secret_access_key = ${SECRET_KEY}`,
      b: `x-amz-security-token: ${SESSION_TOKEN}`,
      c: `Proxy-Authorization: Bearer ${JWT}`,
      d: `Set-Cookie: sid=${COOKIE}; Path=/; HttpOnly`,
      e: 'db_password=correct-horse-battery-staple',
      f: '{"client_secret":"0123456789abcdefghijklmnopqrstuv"}',
      g: 'access_token=ya29.a0AfH6SMBx3exampleexampleexample',
      h: 'x-api-key: 7c9e6679742540de944be07fc1f90ae7abcdef',
      i: `?X-Amz-Signature=${SIGNATURE}`,
      j: '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7',
      k: `callback#id_token=x ${JWT}`,
    }) as Doc;
    expect(new Set(doc.tributary.redacted.rules)).toEqual(new Set(Object.keys(DEFAULT_RULES)));
    expect(doc.d).toMatch(/^Set-Cookie: sid=\[REDACTED:cookie#[0-9a-f]{10}\]; Path=\/; HttpOnly$/);
    expect(doc.j).toMatch(/^-----BEGIN PRIVATE KEY-----\[REDACTED:private-key#[0-9a-f]{10}\]$/);
  });

  test('the same secret gets the same marker in every document (correlation without storing it)', () => {
    const r = createRedactor();
    const a = r.redact({ message: `AWS_SESSION_TOKEN=${SESSION_TOKEN}` }) as Doc;
    const b = r.redact({ aws: { waf: { request: { headers: { 'x-amz-security-token': SESSION_TOKEN } } } } }) as Doc;
    const marker = /\[REDACTED:aws-session-token#[0-9a-f]{10}\]/;
    expect(a.message.match(marker)![0]).toBe(b.aws.waf.request.headers['x-amz-security-token']);
  });
});

describe('event.original and failure documents', () => {
  const line = `2026-03-01T19:11:20.562Z\tc793869b-ee49-115b-a5b6-4fd21e8dedac\tINFO\tAWS_SESSION_TOKEN=${SESSION_TOKEN}`;
  const ctx = { ...CWL, logGroup: '/aws/lambda/orders-api' };

  test('left alone by default, redacted when configured', () => {
    const kept = run('auto', ctx, [line], { includeOriginal: true }).documents[0] as Doc;
    expect(kept.event.original).toBe(line);
    expect(kept.tributary.redacted.count).toBe(1);
    const redaction = redactionFromJson(undefined, true, 'REDACTION_RULES').redactor!;
    const gone = run('auto', ctx, [line], { includeOriginal: true, redaction }).documents[0] as Doc;
    expect(gone.event.original).not.toContain(SESSION_TOKEN);
    expect(gone.event.original).toMatch(/AWS_SESSION_TOKEN=\[REDACTED:aws-session-token#[0-9a-f]{10}\]$/);
    expect(gone.tributary.redacted.count).toBe(2);
  });

  test('failure documents follow the same rule; error.message is always redacted', () => {
    const bad = `{"eventVersion": "1.08", "broken": "AWS_SESSION_TOKEN=${SESSION_TOKEN}"`;
    const kept = run('cloudtrail', CWL, [bad]).failures[0] as Doc;
    expect(kept.event.kind).toBe('pipeline_error');
    expect(kept.event.original).toBe(bad);
    expect(JSON.stringify(kept.error)).not.toContain(SESSION_TOKEN);
    const redaction = redactionFromJson(undefined, true, 'x').redactor!;
    const gone = run('cloudtrail', CWL, [bad], { redaction }).failures[0] as Doc;
    expect(JSON.stringify(gone)).not.toContain(SESSION_TOKEN);
    expect(gone.tributary.redacted.rules).toEqual(['aws-session-token']);
  });
});

describe('ids, partitions and the off switch', () => {
  const lines = [
    `2026-03-01T19:11:20.562Z\tc793869b-ee49-115b-a5b6-4fd21e8dedac\tINFO\tAWS_SESSION_TOKEN=${SESSION_TOKEN}`,
    `2026-03-01T19:11:21.000Z\tc793869b-ee49-115b-a5b6-4fd21e8dedac\tINFO\tpassword=hunter2hunter2`,
    'not a lambda line at all token=abcdefabcdefabcdef',
  ];
  const ctx = { ...CWL, logGroup: '/aws/lambda/orders-api' };

  test('event.id, _id, @timestamp and the account are the same with and without redaction', () => {
    const off = createRedactor({ defaults: false });
    const a = run('auto', ctx, lines, { includeOriginal: true });
    const b = run('auto', ctx, lines, { includeOriginal: true, redaction: off });
    const all = (r: typeof a) => [...r.documents, ...r.failures] as Doc[];
    expect(all(a).length).toBe(lines.length);
    expect(all(a).map((d) => [d.event.id, documentId(d as never), d['@timestamp'], d.cloud.account.id])).toEqual(
      all(b).map((d) => [d.event.id, documentId(d as never), d['@timestamp'], d.cloud.account.id]),
    );
    expect(all(a).filter((d) => d.tributary.redacted).length).toBe(3);
    expect(all(b).some((d) => d.tributary.redacted)).toBe(false);
    expect(JSON.stringify(all(b))).toContain(SESSION_TOKEN);
  });

  test('defaults: false, or one default disabled', () => {
    const noCookie = redactionFromJson('{"disable":["cookie"]}', false, 'REDACTION_RULES').redactor!;
    const d = noCookie.redact({ message: `Cookie: session=${COOKIE}; Authorization: Bearer ${JWT}` }) as Doc;
    expect(d.message).toContain(COOKIE);
    expect(d.message).not.toContain(JWT);
    expect(noCookie.describe().defaults).not.toContain('cookie');
  });
});

describe('configured rules', () => {
  const config = JSON.stringify({
    rules: [
      { name: 'ssn', pattern: '\\b(\\d{3}-\\d{2}-\\d{4})\\b' },
      { name: 'email', fields: ['user.email', 'app.fields.customer'] },
      { name: 'internal', keys: ['X-Internal-Token'], hash: true },
    ],
  });
  const redactor = redactionFromJson(config, false, 'REDACTION_RULES').redactor!;

  test('a pattern (RE2, first group), field paths (whole subtrees), keys (with a hash)', () => {
    const d = redactor.redact({
      message: 'customer 123-45-6789 called; x-internal-token=0123456789abcdef0123456789abcdef',
      user: { email: 'alice@example.com', name: 'alice' },
      app: { fields: { customer: { email: 'bob@example.com', tier: 'gold' }, order: 7 } },
      event: { id: 'same', original: 'ssn 123-45-6789' },
    }) as Doc;
    // 11 characters: too short for `[REDACTED:ssn]` (a marker never grows a value); the rule is in the metadata.
    expect(d.message).toMatch(/^customer \[REDACTED\] called; x-internal-token=\[REDACTED:internal#[0-9a-f]{10}\]$/);
    expect(d.user).toEqual({ email: '[REDACTED:email]', name: 'alice' });
    expect(d.app.fields).toEqual({ customer: { email: '[REDACTED]', tier: '***' }, order: 7 });
    expect(d.event).toEqual({ id: 'same', original: 'ssn 123-45-6789' });
    // Key rules run before patterns; field paths as the walk reaches them.
    expect(d.tributary.redacted).toEqual({ count: 5, rules: ['internal', 'ssn', 'email'] });
    expect(redactor.describe()).toEqual({ defaults: Object.keys(DEFAULT_RULES), rules: ['ssn', 'email', 'internal'], original: false });
  });

  test('configured key names are found in text even without a default trigger word', () => {
    const r = redactionFromJson('{"rules":[{"name":"ssn-field","keys":["ssn"]}]}', false, 'x').redactor!;
    const d = r.redact({ message: 'lookup ssn=123456789012 done', fields: { SSN: '123456789012' } }) as Doc;
    expect(d.message).toBe('lookup ssn=[REDACTED] done');
    expect(d.fields.SSN).toBe('[REDACTED]');
    expect(d.tributary.redacted).toEqual({ count: 2, rules: ['ssn-field'] });
  });

  test('invalid rules fail configuration loading with every problem named', () => {
    const bad = JSON.stringify({
      disable: ['cookies'],
      rules: [
        { name: 'Bad Name', pattern: '(a)\\1' },
        { name: 'ids', fields: ['event.id'] },
        { name: 'nothing' },
        { name: 'token', keys: ['x'] },
        { name: 'x', pattern: '(?<=a)b', extra: 1 },
      ],
    });
    let err: unknown;
    try {
      loadConfig({ REDACTION_RULES: bad }, 'transform');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const problems = (err as ConfigError).problems.join('\n');
    expect(problems).toContain('"disable": "cookies" is not a default rule');
    expect(problems).toContain('rules[0]: "name" must match');
    expect(problems).toContain('rules[0]: "pattern" is not a valid RE2 pattern');
    expect(problems).toContain('rules[1]: field path "event.id" is not redactable');
    expect(problems).toContain('rules[2]: needs "fields", "keys" or "pattern"');
    expect(problems).toContain('rules[3]: the name "token" is already taken by a default rule');
    expect(problems).toContain('rules[4]: unknown property "extra"');
    expect(() => loadConfig({ REDACTION_RULES: '{nope' }, 's3ingest')).toThrow(/REDACTION_RULES is not valid JSON/);
    expect(() => loadConfig({ REDACT_EVENT_ORIGINAL: 'maybe' }, 'transform')).toThrow(/REDACT_EVENT_ORIGINAL must be true or false/);
  });

  test('the functions get one compiled redactor; describeConfig logs rule names only', () => {
    const c = loadConfig({ REDACTION_RULES: config, REDACT_EVENT_ORIGINAL: 'true', ARCHIVE_BUCKET: 'b-1' }, 's3ingest');
    expect(c.redaction.describe().original).toBe(true);
    const described = JSON.stringify(describeConfig(c));
    expect(described).toContain('"rules":["ssn","email","internal"]');
    expect(described).not.toContain('\\\\d{3}');
    expect(loadConfig({}, 'transform').redaction.describe()).toEqual({ defaults: Object.keys(DEFAULT_RULES), rules: [], original: false });
  });

  test('CLI: --redact-rules with an invalid rule is a usage error (exit 2); valid rules and --redact-original apply', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'redact-cli-'));
    const bad = path.join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ rules: [{ name: 'x', pattern: '(a)\\1' }] }));
    const cli = path.resolve(__dirname, '../../bin/tributary.js');
    const failed = spawnSync(process.execPath, [cli, 'normalize', '--source', 'app', '--redact-rules', bad], { input: 'x\n', encoding: 'utf8' });
    expect(failed.status).toBe(2);
    expect(failed.stderr).toContain('not a valid RE2 pattern');
    const good = path.join(dir, 'good.json');
    writeFileSync(good, JSON.stringify({ rules: [{ name: 'ssn', pattern: '\\d{3}-\\d{2}-\\d{4}' }] }));
    const ok = spawnSync(process.execPath, [cli, 'normalize', '--source', 'app', '--original', '--redact-original', '--redact-rules', good], {
      input: 'GET /x?password=hunter2hunter2 ssn 123-45-6789\n',
      encoding: 'utf8',
    });
    expect(ok.status).toBe(0);
    const doc = JSON.parse(ok.stdout.trim()) as Doc;
    expect(ok.stdout).not.toContain('hunter2hunter2');
    expect(ok.stdout).not.toContain('123-45-6789');
    expect(doc.tributary.redacted.rules.sort()).toEqual(['password', 'ssn']);
  }, 60_000);
});

describe('bounded and safe', () => {
  // Linear time: these would take hours with a backtracking pattern over 1 MB (jest's timeout fails them).
  test.each([
    ['repeated keys', 'password='.repeat(120_000)],
    ['keys without separators', 'token '.repeat(200_000)],
    ['JWT starts', 'eyJ'.repeat(350_000)],
    ['JWT parts', 'eyJa.'.repeat(200_000)],
    ['PEM headers without END', '-----BEGIN RSA PRIVATE KEY-----'.repeat(35_000)],
    ['PEM BEGIN without label end', '-----BEGIN '.repeat(100_000)],
    ['long word then separator', 'a'.repeat(1_000_000) + '=x'],
    ['quoted value never closed', 'password="' + 'x'.repeat(1_000_000)],
    ['spaces before no separator', 'secret' + ' '.repeat(1_000_000)],
  ])('%s (1 MB)', (_name, text) => {
    const r = createRedactor();
    const doc = r.redact({ message: text }) as Doc;
    expect(doc.message.length).toBeLessThanOrEqual(text.length);
  });

  test('redacting a redacted document finds nothing new', () => {
    const r = createRedactor();
    const once = r.redact({
      message: `Authorization: Bearer ${JWT} Cookie: a=${COOKIE}; b=${COOKIE} AWS_SESSION_TOKEN=${SESSION_TOKEN} password="${COOKIE}"`,
      headers: { authorization: `Bearer ${JWT}`, 'set-cookie': `sid=${COOKIE}; Path=/`, 'x-amz-security-token': SESSION_TOKEN },
    }) as Doc;
    expect(once.tributary.redacted.count).toBe(8);
    const copy = structuredClone(once);
    delete copy.tributary;
    const twice = r.redact(copy) as Doc;
    expect(twice.tributary).toBeUndefined();
  });

  test('property: never throws, never grows a string or the document, never touches ids', () => {
    const redactor = redactionFromJson(JSON.stringify({ rules: [{ name: 'digits', pattern: '\\d{4,}' }] }), true, 'x').redactor!;
    const fragment = fc.oneof(
      fc.string(),
      fc.constantFrom(
        'password=', 'token: ', 'Authorization: Bearer ', 'Cookie=', 'Set-Cookie: ', '"secret":"', "'api_key': '", '\\"pwd\\":\\"', 'eyJ', '.eyJ', '.',
        '-----BEGIN EC PRIVATE KEY-----', '-----END EC PRIVATE KEY-----', '-----BEGIN ', ';', '&', ',', '"', "'", '\\', ' ', '\n', '=', ':', '[REDACTED', '***',
        'X-Amz-Signature=', 'AWS4-HMAC-SHA256 ', 'Basic ', 'PWD=', 'null', '😀', '\u0000',
      ),
      fc.stringMatching(/^[A-Za-z0-9+/=_-]{1,40}$/),
    );
    const text = fc.array(fragment, { maxLength: 12 }).map((parts) => parts.join(''));
    const doc = fc.record(
      {
        message: text,
        event: fc.record({ original: text, id: text }, { requiredKeys: ['id'] }),
        headers: fc.dictionary(fc.constantFrom('authorization', 'cookie', 'set-cookie', 'x-amz-security-token', 'host', 'password', 'nextToken'), text),
        list: fc.array(fc.oneof(text, fc.record({ name: fc.constantFrom('Authorization', 'Cookie', 'Host'), value: text })), { maxLength: 4 }),
        n: fc.integer(),
      },
      { requiredKeys: ['event'] },
    );
    const strings = (v: unknown, out: string[] = []): string[] => {
      if (typeof v === 'string') out.push(v);
      else if (v && typeof v === 'object') for (const x of Object.values(v)) strings(x, out);
      return out;
    };
    fc.assert(
      fc.property(doc, (input) => {
        const before = structuredClone(input) as Doc;
        const once = redactor.redact(structuredClone(input)) as Doc;
        const meta = once.tributary;
        delete once.tributary;
        const a = strings(before);
        const b = strings(once);
        expect(b.length).toBe(a.length);
        b.forEach((s, i) => expect(s.length).toBeLessThanOrEqual(a[i].length));
        expect(JSON.stringify(once).length).toBeLessThanOrEqual(JSON.stringify(before).length);
        expect(once.event.id).toBe(before.event.id);
        if (meta) expect(meta.redacted.count).toBeGreaterThan(0);
        else expect(once).toEqual(before);
      }),
      { numRuns: runs(400) },
    );
  });
});
