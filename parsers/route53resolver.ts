/**
 * Route 53 Resolver query logs (DNS queries from VPCs): one JSON object per query, from CloudWatch
 * Logs (any log group name), S3 (`AWSLogs/<account>/vpcdnsquerylogs/<vpc-id>/...`) or Firehose.
 * Only queries not answered from the Resolver's cache are logged.
 *
 * Mapping, as Elastic's AWS integration does: `@timestamp` ← `query_timestamp` (ISO 8601, with or
 * without milliseconds); `dns.question.{name,type,class}` (the name without its trailing dot; as
 * logged in `aws.route53resolver.query_name`), `dns.response_code` ← `rcode`, `dns.answers.*` from
 * `answers[]`, `dns.resolved_ip` from the A and AAAA answers; `source.{ip,port}` ← `srcaddr`,
 * `srcport` (a string in the logs); `network.transport`, `network.protocol: dns`;
 * `cloud.instance.id` ← `srcids.instance`; DNS Firewall matches under `aws.route53resolver.firewall`.
 * `event.outcome` is `success` for `NOERROR`, `failure` for any other response code.
 *
 * `account_id` and `region` are the VPC owner's: the record's *claim*, believed only from the
 * delivering account itself or a configured aggregator (`lib/core/attribution.ts`). A query
 * logging configuration shared through RAM logs other accounts' VPCs into one destination: make
 * that account an aggregator to file them under the VPC owners.
 *
 * Docs: https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/resolver-query-logs-format.html,
 * https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/resolver-query-logs-example-json.html
 */
import { IANA, ip, ipType, isObj, items, parseJsonObject, port, pushUnique, str } from './json-line';
import { badTimeMessage, isoFromString } from './time';
import { DATASETS, lineParser, ParseError, skip, type Fields, type LineResult, type Parser, type ParserMeta } from './types';

type Resolver = NonNullable<NonNullable<Fields['aws']>['route53resolver']>;

/** Answers kept per query (a DNS response over UDP rarely holds more than a few dozen records). */
const MAX_ANSWERS = 100;
const ACCOUNT = /^\d{12}$/;
const REGION = /^[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$/;

/**
 * One Resolver query log record → document fields, or why it is not one.
 * @example parseResolverLine('{"version":"1.100000","query_timestamp":"2021-02-04T17:51:55Z","query_name":"example.com.",...}')
 */
export function parseResolverLine(line: string): LineResult {
  if (!line.trim()) return skip('blank');
  const o = parseJsonObject(line, 'Route 53 Resolver query log record');
  if (o instanceof ParseError) return o;
  const time = typeof o.query_timestamp === 'string' ? o.query_timestamp : undefined;
  if (time === undefined) return new ParseError('Route 53 Resolver record without query_timestamp', 'invalid_record');
  const at = isoFromString(time);
  if (at === undefined) return new ParseError(badTimeMessage('query_timestamp', time), 'invalid_record');
  const r53: Resolver = {};
  const rcode = str(o.rcode, 64);
  const doc: Fields = {
    '@timestamp': at,
    event: { kind: 'event', category: ['network'], type: ['protocol'], action: 'dns-query' },
    network: { protocol: 'dns' },
  };
  if (rcode) doc.event!.outcome = rcode === 'NOERROR' ? 'success' : 'failure';
  const version = str(o.version, 32);
  if (version) r53.version = version;
  const vpc = str(o.vpc_id, 64);
  if (vpc) r53.vpc_id = vpc;

  const dns: NonNullable<Fields['dns']> = {};
  const name = str(o.query_name, 1024);
  if (name) {
    r53.query_name = name;
    const bare = name.length > 1 && name.endsWith('.') ? name.slice(0, -1) : name;
    dns.question = { name: bare };
    doc.related = { hosts: [bare.toLowerCase()] };
  }
  const qtype = str(o.query_type, 32);
  if (qtype) (dns.question ??= {}).type = qtype;
  const qclass = str(o.query_class, 32);
  if (qclass) (dns.question ??= {}).class = qclass;
  if (rcode) dns.response_code = rcode;
  const data: string[] = [];
  const types: string[] = [];
  const classes: string[] = [];
  const resolved: string[] = [];
  for (const a of items(o.answers, MAX_ANSWERS)) {
    if (!isObj(a)) continue;
    const d = str(a.Rdata, 1024);
    if (d === undefined) continue;
    const type = str(a.Type, 32);
    data.push(d);
    types.push(type ?? '');
    classes.push(str(a.Class, 32) ?? '');
    // Only address records resolve to an IP (the PTR example of the AWS docs has an IP-looking Rdata).
    if (type === 'A' || type === 'AAAA') pushUnique(resolved, ip(d));
  }
  if (data.length) dns.answers = { data, type: types, class: classes };
  if (resolved.length) dns.resolved_ip = resolved;
  if (Object.keys(dns).length) doc.dns = dns;

  const src = str(o.srcaddr, 64);
  if (src) {
    const addr = ip(src);
    doc.source = addr ? { ip: addr } : { address: src };
    if (addr) doc.network!.type = ipType(addr);
  }
  const sport = port(o.srcport);
  if (sport !== undefined) (doc.source ??= {}).port = sport;
  const related = [...(doc.source?.ip ? [doc.source.ip] : []), ...resolved.filter((x) => x !== doc.source?.ip)];
  if (related.length) (doc.related ??= {}).ip = related;
  const transport = str(o.transport, 16)?.toLowerCase();
  if (transport) {
    doc.network!.transport = transport;
    const iana = IANA[transport];
    if (iana) doc.network!.iana_number = iana;
  }

  const cloud: NonNullable<Fields['cloud']> = { service: { name: 'route53resolver' } };
  const account = str(o.account_id, 32);
  if (account && ACCOUNT.test(account)) cloud.account = { id: account };
  const region = str(o.region, 32);
  if (region && REGION.test(region)) cloud.region = region;
  if (isObj(o.srcids)) {
    const instance = str(o.srcids.instance, 64);
    if (instance) cloud.instance = { id: instance };
    const endpoint = str(o.srcids.resolver_endpoint, 64);
    if (endpoint) r53.resolver_endpoint_id = endpoint;
    const eni = str(o.srcids.resolver_network_interface, 64);
    if (eni) r53.resolver_network_interface_id = eni;
  }
  doc.cloud = cloud;

  const action = str(o.firewall_rule_action, 32);
  const group = str(o.firewall_rule_group_id, 128);
  const list = str(o.firewall_domain_list_id, 128);
  if (action || group || list) {
    r53.firewall = {};
    if (action) {
      r53.firewall.rule_action = action;
      // A DNS Firewall BLOCK answered the query itself (NXDOMAIN, NODATA or an override); ALERT let it through.
      if (action === 'BLOCK') doc.event!.type = ['protocol', 'denied'];
      else if (action === 'ALLOW') doc.event!.type = ['protocol', 'allowed'];
    }
    if (group) r53.firewall.rule_group_id = group;
    if (list) r53.firewall.domain_list_id = list;
  }
  doc.aws = { route53resolver: r53 };
  return doc;
}

export const route53resolverParser: Parser = lineParser('route53resolver', (line) => parseResolverLine(line));

/** What this parser handles, the docs it follows and examples that run as tests (test/unit/parser-meta.test.ts). */
export const meta: ParserMeta = {
  id: 'route53resolver',
  dataset: DATASETS.route53resolver,
  title: 'Route 53 Resolver query logs (VPC DNS)',
  docs: [
    'https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/resolver-query-logs-format.html',
    'https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/resolver-query-logs-example-json.html',
  ],
  examples: [
    {
      title: 'The query log example of the AWS docs: a PTR query blocked by DNS Firewall',
      input:
        '{"srcaddr": "4.5.64.102", "vpc_id": "vpc-7example", "answers": [{"Rdata": "203.0.113.9", "Type": "PTR", "Class": "IN"}], ' +
        '"firewall_rule_group_id": "rslvr-frg-01234567890abcdef", "firewall_rule_action": "BLOCK", "query_name": "15.3.4.32.in-addr.arpa.", ' +
        '"firewall_domain_list_id": "rslvr-fdl-01234567890abcdef", "query_class": "IN", "srcids": {"instance": "i-0d15cd0d3example"}, "rcode": "NOERROR", ' +
        '"query_type": "PTR", "transport": "UDP", "version": "1.100000", "account_id": "111122223333", "srcport": "56067", ' +
        '"query_timestamp": "2021-02-04T17:51:55Z", "region": "us-east-1"}',
      fields: {
        '@timestamp': '2021-02-04T17:51:55.000Z',
        event: { action: 'dns-query', outcome: 'success', type: ['protocol', 'denied'] },
        dns: { question: { name: '15.3.4.32.in-addr.arpa', type: 'PTR', class: 'IN' }, response_code: 'NOERROR', answers: { data: ['203.0.113.9'] } },
        source: { ip: '4.5.64.102', port: 56067 },
        network: { transport: 'udp', iana_number: '17', protocol: 'dns' },
        cloud: { instance: { id: 'i-0d15cd0d3example' } },
        aws: { route53resolver: { vpc_id: 'vpc-7example', firewall: { rule_action: 'BLOCK' } } },
      },
    },
    {
      title: 'NXDOMAIN answer with no answers: a failed lookup',
      input:
        '{"version":"1.100000","account_id":"111122223333","region":"eu-west-1","vpc_id":"vpc-0aaaabbbbccccdddd","query_timestamp":"2026-03-01T10:00:02.125Z",' +
        '"query_name":"no-such-host.internal.example.com.","query_type":"AAAA","query_class":"IN","rcode":"NXDOMAIN","answers":[],"srcaddr":"10.0.1.25",' +
        '"srcport":"40123","transport":"UDP","srcids":{"instance":"i-0123456789abcdef0"}}',
      fields: {
        event: { outcome: 'failure' },
        dns: { question: { name: 'no-such-host.internal.example.com', type: 'AAAA' }, response_code: 'NXDOMAIN' },
        aws: { route53resolver: { query_name: 'no-such-host.internal.example.com.' } },
      },
    },
    {
      title: 'A record without query_timestamp fails with the reason',
      input: '{"version":"1.100000","query_name":"example.com.","rcode":"NOERROR"}',
      failure: { type: 'invalid_record', message: 'query_timestamp' },
    },
  ],
};
