/**
 * Fields under `aws.cloudtrail`.
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html
 *
 * Free-form objects (`requestParameters`, `responseElements`, `additionalEventData`,
 * `serviceEventDetails`, `edgeDeviceDetails`, unknown future top-level keys) are the classic
 * source of mapping conflicts (one service sends `"policy": "..."`, another `"policy": {...}`).
 * Decision: each one is a `flat_object`, never a dynamic object, so subfields stay searchable by
 * dotted path (`aws.cloudtrail.request_parameters.roleName: TestRole`) with exactly one mapped field
 * whatever the keys. A JSON string alone would make them unsearchable except by full text.
 *
 * A flat_object still indexes every leaf as a keyword term, so a value above Lucene's 32 KB term
 * limit, a very deep path or tens of thousands of leaves would get the whole document rejected.
 * The parser therefore walks each object once (no copy) against a budget (depth, leaves, string
 * length); an object over budget is stored as a bounded pruned copy in the flat_object, its full
 * text goes to `<name>_json` (kept in `_source` and the archive, not indexed: no length limit) and
 * its name is listed in `aws.cloudtrail.pruned_fields` so such events can be found.
 */
import { f } from '../dsl';

const freeForm = (what: string) => f.flat(`${what} (flat_object: searchable by dotted path; bounded, see pruned_fields).`);
const fullJson = (what: string) =>
  f.keyword(`Full JSON text of ${what}, only when the flat_object had to be pruned.`, { index: false });

const issuer = f.group({
  type: f.keyword('Type of the identity that issued the session (Role, IAMUser, Root...).', { example: 'Role' }),
  principal_id: f.keyword('Principal id of the session issuer.', { example: 'AROAJ45Q7YFFAREXAMPLE' }),
  arn: f.keyword('ARN of the session issuer (the role for AssumedRole).', { example: 'arn:aws:iam::123456789012:role/DevRole' }),
  account_id: f.keyword('Account that owns the session issuer.'),
  user_name: f.keyword('Friendly name of the issuer (role name for AssumedRole).', { example: 'DevRole' }),
});

export const cloudtrail = f.group({
  event_version: f.keyword('CloudTrail record format version.', { example: '1.08' }),
  event_type: f.keyword('AwsApiCall, AwsServiceEvent, AwsConsoleAction, AwsConsoleSignIn, AwsCloudTrailInsight...', {
    example: 'AwsApiCall',
  }),
  event_category: f.keyword('Management, Data or Insight.', { example: 'Management' }),
  read_only: f.boolean('Whether the call only read data.'),
  management_event: f.boolean('Whether the event is a management event.'),
  api_version: f.keyword('API version of the call, when the service reports one.'),
  request_id: f.keyword('Service-generated request id (requestID).'),
  shared_event_id: f.keyword('Same across the accounts that receive one cross-account event; links Insight start and end.'),
  vpc_endpoint_id: f.keyword('VPC endpoint the request went through.'),
  vpc_endpoint_account_id: f.keyword('Account that owns the VPC endpoint.'),
  recipient_account_id: f.keyword('Account that received this copy of the event.'),
  error_code: f.keyword('AWS error code.', { example: 'AccessDenied' }),
  session_credential_from_console: f.boolean('The request used credentials of a console session.'),
  mfa_used: f.boolean(
    'MFA was used: session_context.mfa_authenticated, or additionalEventData.MFAUsed on sign-in events. Absent when the record says neither.',
  ),
  user_identity: f.group({
    type: f.keyword('Identity type.', {
      example: 'AssumedRole',
    }),
    principal_id: f.keyword('Principal id as logged.'),
    arn: f.keyword('ARN of the principal.', { example: 'arn:aws:sts::123456789012:assumed-role/DevRole/Dev1' }),
    account_id: f.keyword('Account that owns the principal.'),
    access_key_id: f.keyword('Access key used to sign the request.', { example: 'ASIAIOSFODNN7EXAMPLE' }),
    user_name: f.keyword('userName as logged.'),
    invoked_by: f.keyword('AWS service that made the request on the principal\'s behalf.', { example: 'ssm.amazonaws.com' }),
    identity_provider: f.keyword('SAML or web identity provider.'),
    credential_id: f.keyword('Credential id (IAM Identity Center).'),
    on_behalf_of: f.group({
      user_id: f.keyword('IAM Identity Center user id the request was made for.'),
      identity_store_arn: f.keyword('Identity store of that user.'),
    }),
    session_context: f.group({
      mfa_authenticated: f.boolean('The session was created with MFA (sessionContext.attributes.mfaAuthenticated).'),
      creation_date: f.date('When the session credentials were issued.'),
      source_identity: f.keyword('Source identity set on the session.'),
      ec2_role_delivery: f.keyword('1.0 = IMDSv1, 2.0 = IMDSv2.'),
      session_issuer: issuer,
      web_id_federation_data: freeForm('Web identity federation data'),
    }),
  }),
  resources: f.group({
    arn: f.keyword('ARNs of the resources the event is about.', { array: true }),
    account_id: f.keyword('Accounts of those resources.', { array: true }),
    type: f.keyword('Resource types.', { array: true, example: ['AWS::IAM::Role'] }),
  }),
  console_login: f.group({
    login_to: f.keyword('Console URL the sign-in went to.'),
    mobile_version: f.boolean('Sign-in from the mobile console.'),
    mfa_used: f.boolean('additionalEventData.MFAUsed.'),
    mfa_identifier: f.keyword('MFA device ARN.'),
    mfa_type: f.keyword('MFA type of CheckMfa events.', { example: 'U2F MFA' }),
  }),
  tls_details: f.group({
    client_provided_host_header: f.keyword('Host header the client sent.'),
  }),
  addendum: f.group({
    reason: f.keyword('Why an updated copy was delivered: DELIVERY_DELAY, UPDATED_DATA, SERVICE_OUTAGE.'),
    updated_fields: f.keyword('Fields the update changed.'),
    original_request_id: f.keyword('requestID of the original event.'),
    original_event_id: f.keyword('eventID of the original event.'),
  }),
  insight_details: f.group({
    state: f.keyword('Start or End.'),
    event_source: f.keyword('Service of the unusual activity.'),
    event_name: f.keyword('API of the unusual activity.'),
    insight_type: f.keyword('ApiCallRateInsight or ApiErrorRateInsight.'),
    error_code: f.keyword('Error code of an ApiErrorRateInsight.'),
    baseline_average: f.double('Baseline average rate.'),
    insight_average: f.double('Average rate during the insight.'),
    baseline_duration: f.long('Baseline duration in minutes.'),
    insight_duration: f.long('Insight duration in minutes.'),
    insight_context: freeForm('Full insightContext (statistics, attributions)'),
  }),
  request_parameters: freeForm('Request parameters'),
  response_elements: freeForm('Response elements'),
  additional_eventdata: freeForm('Additional event data'),
  service_event_details: freeForm('Service event details'),
  edge_device_details: freeForm('Edge device details'),
  other: freeForm('Top-level record keys this version does not map (newer eventVersions)'),
  request_parameters_json: fullJson('requestParameters'),
  response_elements_json: fullJson('responseElements'),
  additional_eventdata_json: fullJson('additionalEventData'),
  service_event_details_json: fullJson('serviceEventDetails'),
  edge_device_details_json: fullJson('edgeDeviceDetails'),
  other_json: fullJson('the unmapped keys'),
  pruned_fields: f.keyword('Free-form objects that exceeded the indexing budget and were pruned in their flat_object.', {
    array: true,
    example: ['request_parameters'],
  }),
});
