/** Pipeline metadata: where a document came from inside AWS and which schema wrote it. */
import { f } from '../dsl';
import { SOURCE_IDS } from '../source-list';
import { integrity } from './integrity';

export const tributary = f.group({
  schema_version: f.keyword('Version of the Tributary schema that produced the document.', { example: '1' }),
  source: f.keyword('Tributary source id the parser used.', {
    enum: SOURCE_IDS,
  }),
  log_group: f.keyword('CloudWatch Logs group the event came from.', { example: '/aws/lambda/orders' }),
  log_stream: f.keyword('CloudWatch Logs stream the event came from.'),
  s3: f.group({
    bucket: f.keyword('Bucket of the S3-delivered object the event came from.'),
    key: f.keyword('Key of the S3-delivered object the event came from.'),
  }),
  attribution: f.keyword(
    'How `cloud.account.id` was decided: `delivery` (the delivering account), `aggregator` (a configured aggregator account\'s claim, accepted), `mismatch` (the content claimed another account and was not believed: attributed to the delivering account, claim kept in `tributary.claimed`), `unverified` (no AWS delivery metadata, e.g. a local file: the claim stands).',
    { enum: ['delivery', 'aggregator', 'mismatch', 'unverified'] },
  ),
  delivery: f.group({
    account: f.keyword('Account that delivered the event, from trusted envelope metadata only (CloudWatch Logs `owner`, anchored S3 key).', {
      example: '111122223333',
    }),
    region: f.keyword('Region the event was delivered from (CloudWatch Logs destination region, S3 key region).', { example: 'us-east-1' }),
  }),
  claimed: f.group({
    account: f.keyword('Account the content claimed when the claim was not believed (`tributary.attribution: mismatch`).'),
    region: f.keyword('Region the content claimed when the account claim was not believed.'),
  }),
  record_count: f.long('How many raw input events were merged into this document (multi-line, multi-record).'),
  merge: f.boolean(
    'Indexed with merge-on-index: parts of one event that arrive in different batches (audit records) merge into one document by id.',
  ),
  integrity,
  redacted: f.group({
    count: f.long('How many secrets redaction replaced in this document (`lib/core/redact.ts`); absent when none.', { example: 2 }),
    rules: f.keyword('Names of the redaction rules that matched, each once.', { array: true, example: 'aws-session-token' }),
  }),
});
