/**
 * WAF, Route 53 Resolver and Network Firewall logs (issue #16): detection from log group names, the
 * vended S3 key layouts and content; trusted account and region from those keys; attribution of the
 * records' account claims; stable ids; mapping details the goldens do not isolate; and properties
 * (never throws, one outcome per event, schema-valid documents) on mutated real-format records.
 */
import fc from 'fast-check';
import { contextFromS3Key, s3ObjectBatch } from '../../lib/core/envelopes';
import { normalize } from '../../lib/core/pipeline';
import { resolveSource, sourceFromContent, sourceFromLogGroup, sourceFromS3Key } from '../../parsers/detect';
import { networkfirewallParser, parseNetworkFirewallLine } from '../../parsers/networkfirewall';
import { parseResolverLine, route53resolverParser } from '../../parsers/route53resolver';
import { ParseError, type Fields, type Parser, type SourceId } from '../../parsers/types';
import { meta as wafMeta, parseWafLine, wafParser } from '../../parsers/waf';
import { runs } from '../helpers/fuzz';
import { schemaErrors } from '../helpers/schema';
import { gzipSync } from 'node:zlib';

const NOW = new Date('2026-03-01T12:00:00.000Z');

// Real-format records (see test/fixtures/{waf,route53resolver,networkfirewall}/README.md for the docs).
// The parser's own documented example (a managed rule group blocking SQL injection behind an ALB).
const WAF = JSON.parse(wafMeta.examples[0].input as string) as Record<string, unknown> & { httpRequest: Record<string, unknown> };
const RESOLVER = {
  version: '1.100000',
  account_id: '111122223333',
  region: 'eu-west-1',
  vpc_id: 'vpc-0aaaabbbbccccdddd',
  query_timestamp: '2026-03-01T10:00:02Z',
  query_name: 'no-such-host.example.com.',
  query_type: 'A',
  query_class: 'IN',
  rcode: 'NXDOMAIN',
  answers: [],
  srcaddr: '10.0.1.25',
  srcport: '40123',
  transport: 'UDP',
  srcids: { instance: 'i-0123456789abcdef0' },
};
const NFW = {
  firewall_name: 'egress-fw',
  availability_zone: 'eu-west-1a',
  event_timestamp: '1772359201',
  event: {
    timestamp: '2026-03-01T10:00:00.512345+0000',
    flow_id: 1845769312331125,
    event_type: 'alert',
    src_ip: '10.0.1.25',
    src_port: 40123,
    dest_ip: '203.0.113.80',
    dest_port: 443,
    proto: 'TCP',
    app_proto: 'tls',
    alert: { action: 'blocked', signature_id: 5, rev: 1, signature: 'deny TLS to bad.example.com', category: '', severity: 3 },
    tls: { sni: 'bad.example.com', version: 'UNDETERMINED' },
  },
};
const line = (o: unknown) => JSON.stringify(o);

function doc(r: ReturnType<typeof parseWafLine>): Fields {
  if (r === null || r instanceof ParseError || 'skip' in r) throw new Error(`not a document: ${JSON.stringify(r)}`);
  return r;
}

describe('detection', () => {
  test.each([
    ['aws-waf-logs-shop', 'waf'],
    ['aws-waf-logs-vpc-flow-logs', 'waf'], // the WAF prefix wins over the VPC name rule
    ['/org/route53resolver/queries', 'route53resolver'],
    ['/aws/route53-resolver/prod', 'route53resolver'],
    ['resolver-query-logs-prod', 'route53resolver'],
    ['/aws/network-firewall/flow-logs', 'networkfirewall'], // would be vpcflow by its `flow-logs`
    ['NetworkFirewall/egress/alert', 'networkfirewall'],
  ])('log group %s → %s', (group, source) => expect(sourceFromLogGroup(group)).toBe(source));

  test('public hosted zone query logs (/aws/route53/<zone>, a text format) are not taken for Resolver logs', () => {
    expect(sourceFromLogGroup('/aws/route53/example.com')).toBeUndefined();
  });

  test.each([
    ['AWSLogs/111122223333/WAFLogs/eu-west-1/shop-acl/2026/03/01/10/05/111122223333_waflogs_eu-west-1_shop-acl_20260301T1005Z_1a2b3c4d.log.gz', 'waf'],
    ['AWSLogs/111122223333/WAFLogs/cloudfront/cdn-acl/2026/03/01/10/05/111122223333_waflogs_cloudfront_cdn-acl_20260301T1005Z_1a2b3c4d.log.gz', 'waf'],
    ['nfw/AWSLogs/111122223333/network-firewall/alert/eu-west-1/egress-fw/2026/03/01/10/111122223333_network-firewall_alert_eu-west-1_egress-fw_20260301T1005Z_1a2b3c4d.log.gz', 'networkfirewall'],
    ['AWSLogs/111122223333/vpcdnsquerylogs/vpc-0aaaabbbbccccdddd/2026/03/01/vpc-0aaaabbbbccccdddd_vpcdnsquerylogs_111122223333_20260301T1005Z_1a2b3c4d.log.gz', 'route53resolver'],
  ])('S3 key %s → %s', (key, source) => expect(sourceFromS3Key(key)).toBe(source));

  test('a service folder not anchored at AWSLogs/<account>/ says nothing', () => {
    expect(sourceFromS3Key('exports/WAFLogs/eu-west-1/shop-acl/x.log.gz')).toBeUndefined();
    expect(sourceFromS3Key('AWSLogs/not-an-account/network-firewall/alert/x.log.gz')).toBeUndefined();
  });

  test.each([
    [WAF, 'waf'],
    [RESOLVER, 'route53resolver'],
    [NFW, 'networkfirewall'],
  ] as const)('content of a real-format record → %#', (record, source) => expect(sourceFromContent(line(record))).toBe(source));

  test('one shared key is not enough: application logs with `action`, `event` or `query_name` stay app', () => {
    expect(sourceFromContent(line({ level: 'info', action: 'BLOCK', webaclId: 'x' }))).toBe('app');
    expect(sourceFromContent(line({ msg: 'order', event: { event_type: 'created' } }))).toBe('app');
    expect(sourceFromContent(line({ query_name: 'x', query_timestamp: 'now' }))).toBe('app');
  });

  test('Resolver and Network Firewall groups named freely are recognised by their content', () => {
    const events = [line(RESOLVER)].map((message, i) => ({ message, key: `k:${i}` }));
    expect(resolveSource({ logGroup: '/org/dns' }, events).source).toBe('route53resolver');
    const nfw = [line(NFW)].map((message, i) => ({ message, key: `k:${i}` }));
    expect(resolveSource({ logGroup: '/org/egress/alerts' }, nfw).source).toBe('networkfirewall');
  });
});

describe('trusted delivery metadata from the vended S3 layouts', () => {
  test('WAF: account and region of the key', () => {
    const key = 'AWSLogs/111122223333/WAFLogs/eu-west-1/shop-acl/2026/03/01/10/05/111122223333_waflogs_eu-west-1_shop-acl_20260301T1005Z_1a2b3c4d.log.gz';
    expect(contextFromS3Key('aws-waf-logs-archive', key)).toMatchObject({ account: '111122223333', region: 'eu-west-1' });
  });

  test('Network Firewall: the region follows the log type, not the service', () => {
    const key = 'nfw/AWSLogs/111122223333/network-firewall/flow/us-east-2/egress-fw/2026/03/01/10/111122223333_network-firewall_flow_us-east-2_egress-fw_20260301T1005Z_1a2b3c4d.log.gz';
    expect(contextFromS3Key('b', key)).toMatchObject({ account: '111122223333', region: 'us-east-2' });
  });

  test('Route 53 Resolver: account, no region (the key has none)', () => {
    const key = 'AWSLogs/111122223333/vpcdnsquerylogs/vpc-0aaaabbbbccccdddd/2026/03/01/vpc-0aaaabbbbccccdddd_vpcdnsquerylogs_111122223333_20260301T1005Z_1a2b3c4d.log.gz';
    const ctx = contextFromS3Key('b', key);
    expect(ctx.account).toBe('111122223333');
    expect(ctx.region).toBeUndefined();
  });

  test('a file name naming another account makes the key name no account', () => {
    expect(
      contextFromS3Key('b', 'AWSLogs/111122223333/vpcdnsquerylogs/vpc-0a/2026/03/01/vpc-0a_vpcdnsquerylogs_999999999999_20260301T1005Z_1a2b3c4d.log.gz').account,
    ).toBeUndefined();
    expect(
      contextFromS3Key('b', 'AWSLogs/111122223333/network-firewall/alert/eu-west-1/fw/2026/03/01/10/999999999999_network-firewall_alert_eu-west-1_fw_20260301T1005Z_x.log.gz').account,
    ).toBeUndefined();
    expect(contextFromS3Key('b', 'AWSLogs/111122223333/WAFLogs/eu-west-1/acl/2026/03/01/10/05/999999999999_waflogs_eu-west-1_acl_20260301T1005Z_x.log.gz').account).toBeUndefined();
  });
});

describe('attribution of the account claims in the records', () => {
  const waf = { ...WAF, webaclId: 'arn:aws:wafv2:eu-west-1:999999999999:regional/webacl/shop-acl/0a1b2c3d-1111-2222-3333-444444444444' };
  const run = (source: SourceId, message: string, aggregators: string[] = []) =>
    normalize({ events: [{ message, key: '/aws-waf-logs-shop/1' }], context: { logGroup: 'aws-waf-logs-shop', account: '111122223333', region: 'eu-west-1' }, source }, { now: NOW, aggregators });

  test('a web ACL ARN naming another account is a claim, not believed from a member', () => {
    const d = run('waf', line(waf)).documents[0];
    expect(d.cloud?.account?.id).toBe('111122223333');
    expect(d.tributary).toMatchObject({ attribution: 'mismatch', claimed: { account: '999999999999' } });
    expect(d.tags).toContain('attribution_mismatch');
  });

  test('the same claim from a configured aggregator (a Firewall Manager or log-archive account) is believed', () => {
    const d = run('waf', line(waf), ['111122223333']).documents[0];
    expect(d.cloud?.account?.id).toBe('999999999999');
    expect(d.tributary?.attribution).toBe('aggregator');
  });

  test('a Resolver record of the delivering account itself is attributed to it', () => {
    const d = run('route53resolver', line(RESOLVER)).documents[0];
    expect(d.tributary?.attribution).toBe('delivery');
    expect(d.cloud?.account?.id).toBe('111122223333');
  });
});

describe('ids', () => {
  test('an S3 object gives the same ids whether its records are normalized together or one by one, at any time', () => {
    const key = 'AWSLogs/111122223333/network-firewall/alert/eu-west-1/egress-fw/2026/03/01/10/111122223333_network-firewall_alert_eu-west-1_egress-fw_20260301T1005Z_1a2b3c4d.log.gz';
    const body = gzipSync([NFW, { ...NFW, event: { ...NFW.event, src_port: 40124 } }].map(line).join('\n') + '\n');
    const batch = s3ObjectBatch('logs', key, '"etag-1"', body);
    const whole = normalize({ ...batch, source: 'networkfirewall' }, { now: NOW }).documents.map((d) => d.event?.id);
    const oneByOne = batch.events.map((e) => normalize({ events: [e], context: batch.context, source: 'networkfirewall' }, { now: new Date('2027-01-01T00:00:00Z') }).documents[0].event?.id);
    expect(whole).toHaveLength(2);
    expect(new Set(whole).size).toBe(2);
    expect(oneByOne).toEqual(whole);
    expect(normalize({ ...batch, source: 'networkfirewall' }, { now: NOW }).documents[0].tributary?.delivery).toEqual({ account: '111122223333', region: 'eu-west-1' });
  });
});

describe('mapping details', () => {
  test('WAF: headers are bounded (50 kept, values clipped to 1 KiB) and a __proto__ header stays data', () => {
    const headers = [{ name: '__proto__', value: 'x' }, { name: 'Cookie', value: 'c'.repeat(5000) }, ...Array.from({ length: 60 }, (_, i) => ({ name: `X-H${i}`, value: `${i}` }))];
    const d = doc(parseWafLine(line({ ...WAF, httpRequest: { ...WAF.httpRequest, headers } })));
    const h = d.aws?.waf?.request?.headers as Record<string, string>;
    expect(Object.keys(h)).toHaveLength(50);
    expect(Object.getOwnPropertyDescriptor(h, '__proto__')?.value).toBe('x');
    expect(h.cookie).toHaveLength(1024);
  });

  test('WAF: matched data is kept in order with repeats; epoch seconds are refused', () => {
    expect(doc(parseWafLine(line(WAF))).aws?.waf?.terminating_match?.matched_data).toEqual(['1', 'OR', '1']);
    expect(parseWafLine(line({ ...WAF, timestamp: 1772359201 }))).toBeInstanceOf(ParseError);
  });

  test('Resolver: the trailing dot goes, the logged name stays; NXDOMAIN is a failed lookup', () => {
    const d = doc(parseResolverLine(line(RESOLVER)));
    expect(d.dns?.question?.name).toBe('no-such-host.example.com');
    expect(d.aws?.route53resolver?.query_name).toBe('no-such-host.example.com.');
    expect(d.event?.outcome).toBe('failure');
    expect(d.source).toEqual({ ip: '10.0.1.25', port: 40123 });
  });

  test('Network Firewall: a flow id past 2^53 keeps every digit; @timestamp from the +0000 event time', () => {
    const text = line(NFW).replace('1845769312331125', '18446744073709551615');
    const d = doc(parseNetworkFirewallLine(text));
    expect(d.aws?.networkfirewall?.flow_id).toBe('18446744073709551615');
    expect(d['@timestamp']).toBe('2026-03-01T10:00:00.512Z');
    expect(d.event?.created).toBe('2026-03-01T10:00:01.000Z');
    expect(d.rule).toEqual({ id: '5', name: 'deny TLS to bad.example.com', version: '1' });
  });
});

describe('properties', () => {
  // Mutations of real records: keys removed, values replaced by values of other types, nesting, garbage.
  const value = fc.oneof(
    fc.constantFrom<unknown>(null, '', '-', 0, -1, 1e300, 'REDACTED', [], {}, [1, 'x'], { a: { b: [] } }, '2026-03-01T10:00:00Z', '1772359201', 1772359201456),
    fc.string({ maxLength: 30 }),
    fc.integer(),
    fc.ipV4(),
    fc.ipV6(),
  );
  const mutate = (base: Record<string, unknown>) =>
    fc.tuple(fc.array(fc.tuple(fc.constantFrom(...Object.keys(base), 'event', 'httpRequest', 'answers', '__proto__'), fc.option(value)), { maxLength: 6 }), fc.nat({ max: 3 })).map(([edits, nested]) => {
      const o: Record<string, unknown> = JSON.parse(JSON.stringify(base));
      for (const [k, v] of edits) {
        const target = nested > 0 && typeof o.event === 'object' && o.event ? (o.event as Record<string, unknown>) : nested > 1 && typeof o.httpRequest === 'object' && o.httpRequest ? (o.httpRequest as Record<string, unknown>) : o;
        if (v === null) delete target[k];
        else Object.defineProperty(target, k, { value: v, enumerable: true, writable: true, configurable: true });
      }
      return JSON.stringify(o);
    });
  const anyLine = (base: Record<string, unknown>) =>
    fc.oneof(mutate(base), fc.string({ maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 100 }), mutate(base).map((s) => s.slice(0, s.length >> 1)), fc.constant(''));

  test.each([
    ['waf', wafParser, WAF],
    ['route53resolver', route53resolverParser, RESOLVER],
    ['networkfirewall', networkfirewallParser, NFW],
  ] as Array<[SourceId, Parser, Record<string, unknown>]>)('%s: never throws, accounts for every event once, every document validates', (source, parser, base) => {
    fc.assert(
      fc.property(fc.array(anyLine(base), { maxLength: 8 }), (lines) => {
        const events = lines.map((message, i) => ({ message, key: `p:${i}` }));
        const outcomes = parser.parse(events, {});
        expect(outcomes).toHaveLength(lines.length);
        outcomes.forEach((o, i) => {
          expect(o.kind === 'document' ? o.indices : [o.index]).toEqual([i]);
          if (o.kind === 'failure') expect(o.type).not.toBe('parser_bug');
        });
        const r = normalize({ events, context: { logGroup: 'g', account: '111122223333', region: 'eu-west-1' }, source }, { now: NOW });
        expect(r.counts.received).toBe(r.counts.documents + r.counts.dropped + r.counts.failed);
        for (const d of [...r.documents, ...r.failures]) expect(schemaErrors(d)).toBe('');
      }),
      { numRuns: runs(300) },
    );
  });
});
