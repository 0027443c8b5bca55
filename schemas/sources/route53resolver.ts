/**
 * Fields under `aws.route53resolver`: Route 53 Resolver (VPC DNS) query log detail that has no ECS home.
 * The question and answers go to `dns.*`, the client to `source.*`, the instance to `cloud.instance.id`.
 * Fields: https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/resolver-query-logs-format.html
 */
import { f } from '../dsl';

const kw = (description: string, example?: string) => f.keyword(description, example === undefined ? {} : { example });

export const route53resolver = f.group({
  version: kw('Log format version as logged (`1.100000` is 1.1).', '1.100000'),
  vpc_id: kw('VPC the query originated in.', 'vpc-0aaaabbbbccccdddd'),
  query_name: kw('Queried name as logged, with its trailing dot (`dns.question.name` has it without).', 'api.example.com.'),
  resolver_endpoint_id: kw('`srcids.resolver_endpoint`: inbound or outbound Resolver endpoint.'),
  resolver_network_interface_id: kw('`srcids.resolver_network_interface`: network interface of that endpoint.'),
  firewall: f.group({
    rule_action: kw('DNS Firewall action when a rule matched: `ALERT`, `BLOCK` or `ALLOW`.', 'BLOCK'),
    rule_group_id: kw('DNS Firewall rule group that matched.', 'rslvr-frg-01234567890abcdef'),
    domain_list_id: kw('DNS Firewall domain list that matched.', 'rslvr-fdl-01234567890abcdef'),
  }),
});
