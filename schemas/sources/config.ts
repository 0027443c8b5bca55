/**
 * Fields under `aws.config`: AWS Config configuration items (from change notifications and the
 * delivery channel's history and snapshot files) and rule compliance changes. The rule is in
 * `rule.*` (ECS), the resource's account and region in `cloud.*` (see `parsers/config.ts`).
 * Field meanings: https://docs.aws.amazon.com/config/latest/APIReference/API_ConfigurationItem.html,
 * https://docs.aws.amazon.com/config/latest/developerguide/example-config-rule-compliance-notification.html
 */
import { f } from '../dsl';

const kw = (description: string, example?: string) => f.keyword(description, example === undefined ? {} : { example });

export const config = f.group({
  message_type: kw('Notification type (`ConfigurationItemChangeNotification`, `ComplianceChangeNotification`, `ConfigurationSnapshotDeliveryCompleted`...), or the file an item came from (`ConfigHistory`, `ConfigSnapshot`).', 'ComplianceChangeNotification'),
  record_version: kw('Version of the notification record.', '1.3'),
  notification_creation_time: f.date('When Config created the notification.'),
  resource_type: kw('Type of the resource.', 'AWS::S3::Bucket'),
  resource_id: kw('Id of the resource.', 'my-bucket'),
  resource_name: kw('Name of the resource.'),
  resource_arn: kw('ARN of the resource (the item\'s `ARN`).', 'arn:aws:s3:::my-bucket'),
  resource_creation_time: f.date('When the resource was created.'),
  item: f.group({
    version: kw('Configuration item version.', '1.3'),
    capture_time: f.date('When Config recorded the item.'),
    status: kw('`OK`, `ResourceDiscovered`, `ResourceNotRecorded`, `ResourceDeleted`, `ResourceDeletedNotRecorded`.', 'OK'),
    state_id: kw('Configuration state id: orders the items of one resource.', '1475772376261'),
    md5_hash: kw('Configuration state MD5 hash.'),
    change_type: kw('`CREATE`, `UPDATE` or `DELETE` (change notifications).', 'UPDATE'),
    changed_properties: f.keyword('Paths of the properties that changed (change notifications).', { array: true, example: ['Configuration.State.Name'] }),
    configuration: f.flat('The resource\'s configuration (bounded flat object; searchable by dotted path).'),
    supplementary_configuration: f.flat('Supplementary configuration (bucket policy, ACLs...; bounded flat object).'),
    tags: f.flat('Resource tags.'),
    pruned_fields: f.keyword('Free-form fields over the indexing budget: pruned here, their full JSON in `configuration_json`.', { array: true }),
    configuration_json: f.keyword('Full JSON of a configuration over the indexing budget.', { index: false }),
  }),
  relationships: f.group({
    resource_id: f.keyword('Related resources.', { array: true }),
    resource_type: f.keyword('Their types.', { array: true }),
    name: f.keyword('The relationships (`Is attached to Volume`...).', { array: true }),
  }),
  compliance: f.group({
    type: kw('New compliance: `COMPLIANT`, `NON_COMPLIANT`, `NOT_APPLICABLE`, `INSUFFICIENT_DATA`.', 'NON_COMPLIANT'),
    previous_type: kw('Compliance before this evaluation (absent on a first evaluation).', 'COMPLIANT'),
    annotation: f.keyword('Why the rule decided so (rule annotation).', { textSubfield: true }),
    result_recorded_time: f.date('When the evaluation result was recorded.'),
    rule_invoked_time: f.date('When the rule was invoked.'),
    ordering_timestamp: f.date('Time of the change that triggered the evaluation.'),
  }),
  file_key: kw('Snapshot id or delivered file of a delivery-status notification (`s3ObjectKey`).'),
  event_type: kw('EventBridge `detail-type` when the record came in an EventBridge event (as in `aws.securityhub.event_type`).', 'Config Rules Compliance Change'),
});
