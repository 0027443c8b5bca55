/**
 * Fields under `aws.waf`: AWS WAF (v2) web ACL log detail that has no ECS home. The request itself goes
 * to `source.*`, `http.*`, `url.*`, `user_agent.*`; the terminating rule to `rule.id` / `rule.ruleset`;
 * the terminating action to `event.action` (lower case).
 * Fields: https://docs.aws.amazon.com/waf/latest/developerguide/logging-fields.html
 */
import { f } from '../dsl';

const kw = (description: string, example?: string) => f.keyword(description, example === undefined ? {} : { example });
const list = (description: string, example?: string[]) => f.keyword(description, example === undefined ? { array: true } : { array: true, example });

export const waf = f.group({
  arn: kw('Web ACL as logged (`webaclId`): an ARN `arn:aws:wafv2:<region>:<account>:<regional|global>/webacl/<name>/<id>`.'),
  name: kw('Web ACL name (from the ARN).', 'shop-acl'),
  id: kw('Web ACL id (last ARN segment).'),
  scope: kw('`regional` or `global` (CloudFront), from the ARN.', 'regional'),
  action: kw('Terminating action as logged: `ALLOW`, `BLOCK`, `CAPTCHA`, `CHALLENGE` (`COUNT` only in rule lists).', 'BLOCK'),
  terminating_rule_type: kw('`REGULAR`, `RATE_BASED`, `GROUP` or `MANAGED_RULE_GROUP` (also `rule.ruleset`).', 'MANAGED_RULE_GROUP'),
  terminating_group_rule_id: kw('When a rule group terminated: the rule inside the group that did (`ruleGroupList[].terminatingRule.ruleId`).', 'SizeRestrictions_BODY'),
  terminating_match: f.group({
    condition_type: list('`terminatingRuleMatchDetails[].conditionType` (SQL injection and XSS matches).', ['SQL_INJECTION']),
    location: list('Where in the request each match was found.', ['QUERY_STRING']),
    matched_data: list('Matched tokens (first ones, clipped).'),
  }),
  source_name: kw('`httpSourceName`: protected resource type (`ALB`, `CF`, `APIGW`, `APPSYNC`, `COGNITOIDP`...).', 'ALB'),
  source_id: kw('`httpSourceId`: id of the protected resource.'),
  rule_group_ids: list('Rule groups that evaluated the request (`ruleGroupList[].ruleGroupId`).', ['AWS#AWSManagedRulesCommonRuleSet']),
  non_terminating_rule_ids: list('Rules that matched without terminating (COUNT rules, at the ACL level and inside rule groups).'),
  excluded_rule_ids: list('Rules excluded or overridden to COUNT inside rule groups that matched.'),
  rate_based_rules: list('Rate-based rules in the record (`rateBasedRuleName`, else `rateBasedRuleId`).'),
  rate_limit_keys: list('Aggregation keys of those rate-based rules (`IP`, `FORWARDED_IP`, `CUSTOM_KEYS`...).'),
  labels: list('Labels the rules added to the request.', ['awswaf:managed:aws:core-rule-set:SizeRestrictions_Body']),
  request: f.group({
    headers: f.flat('Request headers, lower-case names (flat_object: `aws.waf.request.headers.user-agent`); first 50, values clipped to 1 KiB.'),
    headers_inserted: list('Headers the rule action inserted (`name: value`).'),
  }),
  ja3_fingerprint: kw('JA3 TLS fingerprint of the client (CloudFront and ALB).'),
  ja4_fingerprint: kw('JA4 TLS fingerprint of the client (CloudFront and ALB).'),
  oversize_fields: list('Parts of the request too large for WAF to inspect in full.', ['REQUEST_BODY']),
  request_body_size: f.long('Request body size in bytes.'),
  request_body_size_inspected: f.long('Bytes of the body WAF inspected.'),
  captcha_failure_reason: kw('Why a CAPTCHA check failed (`TOKEN_MISSING`, `TOKEN_EXPIRED`...).'),
  challenge_failure_reason: kw('Why a challenge failed.'),
  format_version: f.long('`formatVersion` of the record.', { example: 1 }),
});
