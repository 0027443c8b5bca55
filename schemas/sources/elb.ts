/**
 * Fields under `aws.elb`: Application, Network (TLS) and Classic Load Balancer access log detail.
 * Formats: https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-access-logs.html,
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-access-logs.html,
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/classic/access-log-collection.html
 */
import { f } from '../dsl';

const kw = (description: string, example?: string) => f.keyword(description, example === undefined ? {} : { example });

export const elb = f.group({
  type: f.keyword('Load balancer family the line came from.', { enum: ['alb', 'nlb', 'classic'], example: 'alb' }),
  log_type: f.keyword('`connection` for ALB connection logs (one line per TLS connection of a mutual TLS listener); unset on access logs.', { enum: ['connection'] }),
  listener_port: f.long('ALB connection logs: port of the listener the client connected to.', { example: 443 }),
  tls_handshake_latency: f.double('ALB connection logs: seconds the TLS handshake took.', { example: 0.004 }),
  tls_verify_status: kw('ALB connection logs: client certificate verification, `Success` or `Failed:<reason>`.', 'Failed:ClientCertUntrusted'),
  protocol: kw('Request or connection type as logged (`http`, `https`, `h2`, `grpcs`, `ws`, `wss`, `tls`; classic: listener-derived `http`/`tcp`).', 'h2'),
  name: kw('Load balancer name.', 'my-loadbalancer'),
  id: kw('Load balancer resource id as logged (`app/<name>/<id>`, `net/<name>/<id>`).', 'app/my-loadbalancer/50dc6c495c0c9188'),
  listener_id: kw('NLB listener id.'),
  log_version: kw('NLB log entry version.', '2.0'),
  target_group_arn: kw('Target group the request was routed to.'),
  elb_status_code: f.long('Status code the load balancer returned.', { example: 200 }),
  target_status_code: f.long('Status code the target (backend) returned.', { example: 200 }),
  target_status_code_list: f.keyword('Status codes of every target attempt.', { array: true }),
  target_port_list: f.keyword('`ip:port` of every target attempt.', { array: true }),
  // AWS logs -1 when a time does not apply (not dispatched, target failed): left out, since a -1 would
  // poison latency percentiles; `event.outcome` says failure when the request was meant to reach a target.
  request_processing_time: f.double('Seconds from receiving the request to sending it to a target; absent when AWS logged -1 (not dispatched).', { example: 0.001 }),
  target_processing_time: f.double('Seconds from sending the request to the target until its response headers; absent when AWS logged -1.'),
  response_processing_time: f.double('Seconds from the target response to sending the response to the client; absent when AWS logged -1.'),
  backend: f.group({
    ip: f.ip('IP address of the target (Classic: backend) the load balancer forwarded the request to. The client connects to the load balancer, so the target is not `destination`.', { example: '10.0.0.1' }),
    port: f.long('Port of the target.', { example: 80 }),
    address: kw('The target as logged when it is no IP address.'),
  }),
  connection_time: f.long('NLB: milliseconds the TLS connection lasted.'),
  tls_handshake_time: f.long('NLB: milliseconds the TLS handshake took (absent when it did not complete).'),
  incoming_tls_alert: kw('NLB: TLS alert received from the client.'),
  chosen_cert_arn: kw('Certificate presented to the client, or `session-reused`.'),
  chosen_cert_serial: kw('NLB: serial of the certificate.'),
  matched_rule_priority: f.long('ALB rule that matched (0 = default action, -1 = rules evaluation error).'),
  actions_executed: f.keyword('ALB actions taken (`waf`, `authenticate`, `forward`, `redirect`, `fixed-response`...).', { array: true }),
  redirect_url: kw('Target of a redirect action.'),
  error_reason: kw('ALB error reason (`LambdaInvalidResponse`, `AuthInvalidCookie`...).', 'LambdaInvalidResponse'),
  classification: kw('HTTP desync classification: `Acceptable`, `Ambiguous` or `Severe`.'),
  classification_reason: kw('Why the request was classified as it was.', 'AmbiguousUri'),
  conn_trace_id: kw('Connection traceability id, also in ALB connection logs.', 'TID_1234abcd'),
  trace_id: kw('X-Amzn-Trace-Id header as logged (`trace.id` carries its `Root`).'),
  transformed_host: kw('Host header after a rewrite transform.'),
  transformed_uri: kw('URI after a rewrite transform.'),
  request_transform_status: kw('Status of the rewrite transform.'),
  tls_named_group: kw('NLB: TLS named group (key exchange).'),
  alpn_fe_protocol: kw('NLB: ALPN protocol negotiated with the client.', 'h2'),
  alpn_be_protocol: kw('NLB: ALPN protocol negotiated with the target.'),
  alpn_client_preference_list: f.keyword('NLB: ALPN protocols the client offered, in its order.', { array: true }),
});
