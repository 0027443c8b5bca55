/**
 * Fields under `aws.apigateway`: access logs (any `$context` template, JSON/CLF/CSV/XML) and
 * execution logs (`API-Gateway-Execution-Logs_<api-id>/<stage>`).
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-mapping-template-reference.html
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-logging-variables.html
 *
 * Access-log keys are user-chosen; the well-known `$context` variables map to the typed fields
 * below (and ECS), every other key lands in `extra` (one flat_object, bounded in size) so custom
 * templates never add mappings.
 */
import { f } from '../dsl';

const step = (what: string) =>
  f.group({
    status: f.keyword(`Status code of the ${what} step.`),
    latency: f.long(`Latency of the ${what} step in ms.`),
    error: f.keyword(`Error of the ${what} step.`, { textSubfield: true }),
  });

export const apigateway = f.group({
  log_type: f.keyword('Access log (one line per request) or execution log (grouped lines of one request).', {
    enum: ['access', 'execution'],
  }),
  request_id: f.keyword('$context.requestId (x-amzn-RequestId).', { example: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef' }),
  extended_request_id: f.keyword('$context.extendedRequestId (x-amz-apigw-id).', { example: 'BkJdhGC0yK4FcBA=' }),
  api_id: f.keyword('API id.', { example: 'ify5mncve5' }),
  api_name: f.keyword('API name, when the template logs one.'),
  stage: f.keyword('Stage name.', { example: 'prod' }),
  route_key: f.keyword('Route key (HTTP and WebSocket APIs).', { example: 'GET /pets' }),
  resource_path: f.keyword('Resource path template (REST).', { example: '/pets/{petId}' }),
  resource_id: f.keyword('Resource id (REST).'),
  domain_name: f.keyword('Domain name the API was called on.'),
  domain_prefix: f.keyword('First label of the domain name.'),
  response_latency: f.long('Response latency in ms.'),
  response_type: f.keyword('Gateway response type (error.responseType), e.g. UNAUTHORIZED, THROTTLED.'),
  integration_status: f.keyword('Status returned by the integration (integrationStatus).'),
  integration_latency: f.long('Integration latency in ms.'),
  integration_error: f.keyword('Integration error message.', { textSubfield: true }),
  integration_service_status: f.keyword('Status of the integration service call (integration.status).'),
  integration_request_id: f.keyword('AWS integration endpoint request id.'),
  endpoint_request_uri: f.keyword('Integration endpoint URI (execution logs).'),
  authorizer: f.group({
    principal_id: f.keyword('Principal id returned by the authorizer.'),
    status: f.keyword('Authorizer status code.'),
    latency: f.long('Authorizer latency in ms.'),
    error: f.keyword('Authorizer error.', { textSubfield: true }),
    request_id: f.keyword('Authorizer request id.'),
    integration_status: f.keyword('Status returned by the Lambda authorizer.'),
    integration_latency: f.long('Lambda authorizer latency in ms.'),
    context: f.flat('Other authorizer context keys and claims (flat_object).'),
  }),
  authorize: step('authorize'),
  authenticate: step('authenticate'),
  waf_response_code: f.keyword('WAF_ALLOW or WAF_BLOCK.'),
  waf_status: f.keyword('Status returned by AWS WAF.'),
  waf_latency: f.long('WAF latency in ms.'),
  waf_error: f.keyword('WAF error.'),
  web_acl_arn: f.keyword('Web ACL that evaluated the request.'),
  xray_trace_id: f.keyword('X-Ray trace header as logged.', { example: 'Root=1-640b22bc-727b3ec204d887c531a8b562' }),
  connection_id: f.keyword('WebSocket connection id.'),
  event_type: f.keyword('WebSocket event type: CONNECT, MESSAGE, DISCONNECT.'),
  connected_at: f.date('When the WebSocket connection was opened.'),
  message_id: f.keyword('WebSocket message id.'),
  message_direction: f.keyword('WebSocket message direction.'),
  api_key_id: f.keyword('API key id.'),
  identity: f.group({
    caller: f.keyword('Principal id of the IAM caller.'),
    user: f.keyword('Principal id of the IAM user.'),
    user_arn: f.keyword('ARN of the IAM user.'),
    account_id: f.keyword('Account of the IAM caller.'),
    cognito_identity_id: f.keyword('Cognito identity id.'),
    cognito_identity_pool_id: f.keyword('Cognito identity pool id.'),
    cognito_authentication_type: f.keyword('Cognito authentication type.'),
    cognito_authentication_provider: f.keyword('Cognito authentication provider.'),
    principal_org_id: f.keyword('AWS Organizations id of the caller.'),
    vpce_id: f.keyword('VPC endpoint id of a private API call.'),
    client_cert: f.group({
      subject_dn: f.keyword('mTLS client certificate subject.'),
      issuer_dn: f.keyword('mTLS client certificate issuer.'),
      serial_number: f.keyword('mTLS client certificate serial.'),
    }),
  }),
  extra: f.flat('Access-log keys with no typed field (flat_object, at most 64 keys, values clipped).'),
  extra_dropped: f.long('How many access-log keys were left out of `extra` and `authorizer.context` because of their bounds (64 keys each).'),
});
