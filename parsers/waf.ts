/**
 * AWS WAF (v2) web ACL logs: one JSON object per inspected request, from CloudWatch Logs (log group
 * `aws-waf-logs-*`) or S3 (`AWSLogs/<account>/WAFLogs/<region>/<web-acl>/...`, one object per line).
 *
 * Mapping, as Elastic's AWS integration does where ECS has a home: `@timestamp` ← `timestamp` (epoch
 * ms); `source.ip` ← `httpRequest.clientIp`, `source.geo.country_iso_code` ← `country`; `http.*`,
 * `url.*` (`uri` is the path, `args` the query), `user_agent.original` and `http.request.referrer`
 * from the headers; `rule.id` ← `terminatingRuleId` (`Default_Action` when no rule terminated),
 * `rule.ruleset` ← `terminatingRuleType`; `event.action` ← `action` in lower case; `event.type`
 * `allowed` / `denied`. Everything else, including the rule lists and labels, goes under `aws.waf`.
 *
 * The web ACL ARN names an account and a region: they are the record's *claim* (`cloud.*`), which
 * the pipeline believes only from the delivering account itself or a configured aggregator
 * (`lib/core/attribution.ts`). Every key is optional (log filters and redaction remove or rewrite
 * fields); only `timestamp` is required, since the document is filed by its time.
 *
 * Docs: https://docs.aws.amazon.com/waf/latest/developerguide/logging-fields.html,
 * https://docs.aws.amazon.com/waf/latest/developerguide/logging-examples.html
 */
import { isoFromMillis } from './time';
import { int, ip, isObj, items, MAX_TEXT, parseJsonObject, pushUnique, str, type Obj } from './json-line';
import { setOwn } from './json';
import { DATASETS, lineParser, ParseError, skip, type Fields, type LineResult, type Parser, type ParserMeta } from './types';

type Waf = NonNullable<NonNullable<Fields['aws']>['waf']>;

/** Headers kept per request, and characters per header value (a flat_object leaf is one keyword term). */
const MAX_HEADERS = 50;
const MAX_HEADER_VALUE = 1024;
/** Entries kept from each rule list (a request is evaluated by at most a few hundred rules). */
const MAX_LIST = 100;

const ARN = /^arn:[a-z-]+:wafv2:([a-z0-9-]*):(\d{12}):(regional|global)\/webacl\/([^/]+)\/([^/]+)$/;

/** `ALLOW` → ECS `event.type` besides `access`. */
function typeOf(action: string): 'allowed' | 'denied' | 'info' {
  if (action === 'ALLOW') return 'allowed';
  if (action === 'BLOCK') return 'denied';
  return 'info'; // CAPTCHA, CHALLENGE: the client is asked to prove itself, neither allowed nor refused yet
}

function webAcl(arn: string, waf: Waf, doc: Fields): void {
  waf.arn = arn;
  const m = ARN.exec(arn);
  if (!m) return;
  waf.name = m[4];
  waf.id = m[5];
  waf.scope = m[3];
  const cloud: NonNullable<Fields['cloud']> = { account: { id: m[2] } };
  if (m[1]) cloud.region = m[1];
  doc.cloud = cloud;
}

function headers(list: unknown, doc: Fields, waf: Waf, url: NonNullable<Fields['url']>): void {
  const all = items(list, MAX_HEADERS);
  if (!all.length) return;
  const out: Record<string, unknown> = {};
  let n = 0;
  for (const h of all) {
    if (!isObj(h) || typeof h.name !== 'string' || typeof h.value !== 'string') continue;
    // Dotted names would read as nested paths in the flat_object; empty ones are not searchable.
    const name = h.name.toLowerCase().slice(0, 256);
    if (!name || name.includes('.')) continue;
    const value = h.value.length > MAX_HEADER_VALUE ? h.value.slice(0, MAX_HEADER_VALUE) : h.value;
    const prior = Object.prototype.hasOwnProperty.call(out, name) ? out[name] : undefined;
    setOwn(out, name, typeof prior === 'string' ? `${prior}, ${value}`.slice(0, MAX_HEADER_VALUE) : value);
    n++;
    if (name === 'user-agent' && value) doc.user_agent = { original: value };
    else if (name === 'referer' && value) (doc.http!.request ??= {}).referrer = value;
    else if (name === 'host' && value && url.domain === undefined) url.domain = value.replace(/:\d+$/, '');
  }
  if (n) waf.request = { ...waf.request, headers: out };
}

/** Rule ids of the rule lists: groups, non-terminating matches (ACL level and inside groups), exclusions. */
function ruleLists(o: Obj, waf: Waf): void {
  const groups: string[] = [];
  const counted: string[] = [];
  const excluded: string[] = [];
  for (const g of items(o.ruleGroupList, MAX_LIST)) {
    if (!isObj(g)) continue;
    pushUnique(groups, str(g.ruleGroupId, 512));
    if (isObj(g.terminatingRule)) waf.terminating_group_rule_id ??= str(g.terminatingRule.ruleId, 512);
    for (const r of items(g.nonTerminatingMatchingRules, MAX_LIST)) if (isObj(r)) pushUnique(counted, str(r.ruleId, 512));
    for (const r of items(g.excludedRules, MAX_LIST)) if (isObj(r)) pushUnique(excluded, str(r.ruleId ?? r.exclusionType, 512));
  }
  for (const r of items(o.nonTerminatingMatchingRules, MAX_LIST)) if (isObj(r)) pushUnique(counted, str(r.ruleId, 512));
  const rate: string[] = [];
  const keys: string[] = [];
  for (const r of items(o.rateBasedRuleList, MAX_LIST)) {
    if (!isObj(r)) continue;
    pushUnique(rate, str(r.rateBasedRuleName, 512) ?? str(r.rateBasedRuleId, 512));
    pushUnique(keys, str(r.limitKey, 64));
  }
  if (groups.length) waf.rule_group_ids = groups;
  if (counted.length) waf.non_terminating_rule_ids = counted;
  if (excluded.length) waf.excluded_rule_ids = excluded;
  if (rate.length) waf.rate_based_rules = rate;
  if (keys.length) waf.rate_limit_keys = keys;
  const labels: string[] = [];
  for (const l of items(o.labels, MAX_LIST)) if (isObj(l)) pushUnique(labels, str(l.name, 1024));
  if (labels.length) waf.labels = labels;
  const cond: string[] = [];
  const loc: string[] = [];
  const data: string[] = [];
  for (const d of items(o.terminatingRuleMatchDetails, MAX_LIST)) {
    if (!isObj(d)) continue;
    pushUnique(cond, str(d.conditionType, 64));
    pushUnique(loc, str(d.location, 64));
    // Kept in order with repeats: `1 OR 1` is the evidence, not the set {1, OR}.
    for (const x of items(d.matchedData, 20)) {
      const v = str(x, 256);
      if (v !== undefined && data.length < 20) data.push(v);
    }
  }
  if (cond.length || loc.length || data.length) {
    waf.terminating_match = {};
    if (cond.length) waf.terminating_match.condition_type = cond;
    if (loc.length) waf.terminating_match.location = loc;
    if (data.length) waf.terminating_match.matched_data = data;
  }
  const inserted: string[] = [];
  for (const h of items(o.requestHeadersInserted, MAX_LIST))
    if (isObj(h) && typeof h.name === 'string') pushUnique(inserted, `${h.name}: ${typeof h.value === 'string' ? h.value : ''}`.slice(0, MAX_HEADER_VALUE));
  if (inserted.length) waf.request = { ...waf.request, headers_inserted: inserted };
  const oversize: string[] = [];
  for (const x of items(o.oversizeFields, MAX_LIST)) pushUnique(oversize, str(x, 64));
  if (oversize.length) waf.oversize_fields = oversize;
}

/**
 * One WAF log record → document fields, or why it is not one.
 * @example parseWafLine('{"timestamp":1718003702123,"action":"BLOCK","terminatingRuleId":"rate-limit",...}')
 */
export function parseWafLine(line: string): LineResult {
  if (!line.trim()) return skip('blank');
  const o = parseJsonObject(line, 'WAF log record');
  if (o instanceof ParseError) return o;
  if (o.timestamp === undefined) return new ParseError('WAF log record without timestamp', 'invalid_record');
  const ms = int(o.timestamp);
  const at = ms === undefined ? undefined : isoFromMillis(ms);
  if (at === undefined)
    return new ParseError(`WAF timestamp is not epoch milliseconds in the event time window: ${JSON.stringify(String(o.timestamp).slice(0, 64))}`, 'invalid_record');
  const req = isObj(o.httpRequest) ? o.httpRequest : {};
  const action = str(o.action, 64);
  const waf: Waf = {};
  const doc: Fields = {
    '@timestamp': at,
    // As Elastic's AWS WAF integration: web and network (ECS expects allowed/denied under network).
    event: { kind: 'event', category: ['web', 'network'], type: action ? ['access', typeOf(action)] : ['access'] },
    http: {},
  };
  if (action) {
    waf.action = action;
    doc.event!.action = action.toLowerCase();
  }
  const arn = str(o.webaclId, 2048);
  if (arn) webAcl(arn, waf, doc);
  const ruleId = str(o.terminatingRuleId, 512);
  const ruleType = str(o.terminatingRuleType, 64);
  if (ruleId || ruleType) {
    doc.rule = {};
    if (ruleId) doc.rule.id = ruleId;
    if (ruleType) {
      doc.rule.ruleset = ruleType;
      waf.terminating_rule_type = ruleType;
    }
  }
  const sourceName = str(o.httpSourceName, 64);
  if (sourceName) waf.source_name = sourceName;
  const sourceId = str(o.httpSourceId, 1024);
  if (sourceId) waf.source_id = sourceId;

  const client = str(req.clientIp, 256);
  if (client) {
    const addr = ip(client);
    doc.source = addr ? { ip: addr } : { address: client };
    if (addr) doc.related = { ip: [addr] };
  }
  const country = str(req.country, 8);
  if (country && /^[A-Z]{2}$/.test(country)) (doc.source ??= {}).geo = { country_iso_code: country };
  const method = str(req.httpMethod, 64);
  if (method) doc.http!.request = { method };
  const requestId = str(req.requestId, 256);
  if (requestId) (doc.http!.request ??= {}).id = requestId;
  const version = str(req.httpVersion, 32);
  if (version) {
    const v = /^HTTP\/(\d(?:\.\d)?)$/i.exec(version);
    if (v) doc.http!.version = v[1];
    doc.network = { protocol: 'http', transport: /^HTTP\/3/i.test(version) ? 'udp' : 'tcp' };
  }
  const url: NonNullable<Fields['url']> = {};
  const path = str(req.uri);
  const query = typeof req.args === 'string' && req.args !== '' ? req.args.slice(0, MAX_TEXT) : undefined;
  if (path) {
    url.path = path;
    url.original = query === undefined ? path : `${path}?${query}`.slice(0, MAX_TEXT);
  }
  if (query !== undefined) url.query = query;
  const scheme = str(req.scheme, 16);
  if (scheme) url.scheme = scheme.toLowerCase();
  const host = str(req.host, 1024);
  if (host) url.domain = host.replace(/:\d+$/, '');
  headers(req.headers, doc, waf, url);
  if (Object.keys(url).length) doc.url = url;
  const sent = int(o.responseCodeSent, 100, 999);
  if (sent !== undefined) doc.http!.response = { status_code: sent };
  if (!Object.keys(doc.http!).length) delete doc.http;

  ruleLists(o, waf);
  const ja3 = str(o.ja3Fingerprint, 256);
  if (ja3) waf.ja3_fingerprint = ja3;
  const ja4 = str(o.ja4Fingerprint, 256);
  if (ja4) waf.ja4_fingerprint = ja4;
  const body = int(o.requestBodySize);
  if (body !== undefined) waf.request_body_size = body;
  const inspected = int(o.requestBodySizeInspectedByWAF);
  if (inspected !== undefined) waf.request_body_size_inspected = inspected;
  if (isObj(o.captchaResponse)) {
    const r = str(o.captchaResponse.failureReason, 256);
    if (r) waf.captcha_failure_reason = r;
  }
  if (isObj(o.challengeResponse)) {
    const r = str(o.challengeResponse.failureReason, 256);
    if (r) waf.challenge_failure_reason = r;
  }
  const fv = int(o.formatVersion);
  if (fv !== undefined) waf.format_version = fv;
  doc.aws = { waf };
  (doc.cloud ??= {}).service = { name: 'waf' };
  return doc;
}

export const wafParser: Parser = lineParser('waf', (line) => parseWafLine(line));

/** What this parser handles, the docs it follows and examples that run as tests (test/unit/parser-meta.test.ts). */
export const meta: ParserMeta = {
  id: 'waf',
  dataset: DATASETS.waf,
  title: 'AWS WAF (v2) web ACL logs',
  docs: ['https://docs.aws.amazon.com/waf/latest/developerguide/logging-fields.html', 'https://docs.aws.amazon.com/waf/latest/developerguide/logging-examples.html'],
  examples: [
    {
      title: 'Request blocked by a rule of a managed rule group (ALB)',
      input: JSON.stringify({
        timestamp: 1772359200123,
        formatVersion: 1,
        webaclId: 'arn:aws:wafv2:eu-west-1:111122223333:regional/webacl/shop-acl/0a1b2c3d-1111-2222-3333-444444444444',
        terminatingRuleId: 'AWS-AWSManagedRulesSQLiRuleSet',
        terminatingRuleType: 'MANAGED_RULE_GROUP',
        action: 'BLOCK',
        terminatingRuleMatchDetails: [{ conditionType: 'SQL_INJECTION', location: 'QUERY_STRING', matchedData: ['1', 'OR', '1'] }],
        httpSourceName: 'ALB',
        httpSourceId: '111122223333-app/shop-alb/50dc6c495c0c9188',
        ruleGroupList: [{ ruleGroupId: 'AWS#AWSManagedRulesSQLiRuleSet', terminatingRule: { ruleId: 'SQLi_QUERYARGUMENTS', action: 'BLOCK' }, nonTerminatingMatchingRules: [], excludedRules: null }],
        rateBasedRuleList: [],
        nonTerminatingMatchingRules: [],
        httpRequest: {
          clientIp: '203.0.113.7',
          country: 'NL',
          headers: [{ name: 'Host', value: 'shop.example.com' }, { name: 'User-Agent', value: 'sqlmap/1.8' }],
          uri: '/products',
          args: 'id=1%20OR%201=1',
          httpVersion: 'HTTP/1.1',
          httpMethod: 'GET',
          requestId: '1-69a40d50-0123456789abcdef01234567',
        },
        labels: [{ name: 'awswaf:managed:aws:sql-database:SQLi_QueryArguments' }],
      }),
      fields: {
        '@timestamp': '2026-03-01T10:00:00.123Z',
        event: { action: 'block', type: ['access', 'denied'] },
        rule: { id: 'AWS-AWSManagedRulesSQLiRuleSet', ruleset: 'MANAGED_RULE_GROUP' },
        source: { ip: '203.0.113.7', geo: { country_iso_code: 'NL' } },
        url: { path: '/products', query: 'id=1%20OR%201=1', domain: 'shop.example.com' },
        http: { request: { method: 'GET' }, version: '1.1' },
        user_agent: { original: 'sqlmap/1.8' },
        aws: { waf: { name: 'shop-acl', terminating_group_rule_id: 'SQLi_QUERYARGUMENTS', terminating_match: { condition_type: ['SQL_INJECTION'] } } },
      },
    },
    {
      title: 'Request allowed by the default action, a COUNT rule matched',
      input:
        '{"timestamp":1772359260000,"formatVersion":1,"webaclId":"arn:aws:wafv2:us-east-1:111122223333:global/webacl/cdn-acl/5e6f7a8b-1111-2222-3333-444444444444",' +
        '"terminatingRuleId":"Default_Action","terminatingRuleType":"REGULAR","action":"ALLOW","httpSourceName":"CF","httpSourceId":"E2EXAMPLE12345",' +
        '"ruleGroupList":[],"rateBasedRuleList":[],"nonTerminatingMatchingRules":[{"ruleId":"geo-watch","action":"COUNT"}],' +
        '"httpRequest":{"clientIp":"2001:db8::7","country":"-","headers":[],"uri":"/","args":"","httpVersion":"HTTP/2.0","httpMethod":"GET","requestId":"rid-1"}}',
      fields: {
        event: { action: 'allow', type: ['access', 'allowed'] },
        rule: { id: 'Default_Action' },
        source: { ip: '2001:db8::7' },
        aws: { waf: { scope: 'global', non_terminating_rule_ids: ['geo-watch'], source_name: 'CF' } },
      },
    },
    {
      title: 'A record whose timestamp is not epoch milliseconds fails with the reason',
      input: '{"timestamp":"yesterday","action":"ALLOW"}',
      failure: { type: 'invalid_record', message: 'WAF timestamp' },
    },
  ],
};
