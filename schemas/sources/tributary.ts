/** Pipeline metadata: where a document came from inside AWS and which schema wrote it. */
import { f } from '../dsl';
import { SOURCE_IDS } from '../source-list';

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
  record_count: f.long('How many raw input events were merged into this document (multi-line, multi-record).'),
  merge: f.boolean(
    'Indexed with merge-on-index: parts of one event that arrive in different batches (audit records) merge into one document by id.',
  ),
});
