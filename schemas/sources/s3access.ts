/**
 * Fields under `aws.s3access`: S3 server access log detail that has no ECS home. The requester's
 * address goes to `source.*` / `client.*`, the request line to `http.*` / `url.*`, the operation to
 * `event.action`, the error code to `error.code` / `event.code`, the TLS detail to `tls.*`.
 * Format: https://docs.aws.amazon.com/AmazonS3/latest/userguide/LogFormat.html
 */
import { f } from '../dsl';

const kw = (description: string, example?: string) => f.keyword(description, example === undefined ? {} : { example });

export const s3access = f.group({
  bucket_owner: kw('Canonical user id of the source bucket\'s owner (not an account id).', '79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be'),
  bucket: kw('Bucket the request was made to.', 'amzn-s3-demo-bucket1'),
  requester: kw('Canonical user id or IAM ARN of the requester; absent for anonymous requests.', 'arn:aws:iam::123456789012:user/alice'),
  request_id: kw('S3 request id.', '3E57427F33A59F07'),
  operation: kw('Operation: `REST.<METHOD>.<RESOURCE>`, `WEBSITE.*`, `BATCH.DELETE.OBJECT`, `S3.<action>.<resource>`.', 'REST.GET.OBJECT'),
  key: kw('Object key as logged (URL-encoded).', 'photos/2019/08/puppy.jpg'),
  request_uri: kw('Request-URI as logged (`GET /bucket/key HTTP/1.1`).'),
  error_code: kw('S3 error code, absent when the request succeeded.', 'NoSuchKey'),
  object_size: f.long('Object size in bytes.', { example: 2662992 }),
  total_time: f.long('Milliseconds the request was in flight, from the server\'s perspective.', { example: 70 }),
  turn_around_time: f.long('Milliseconds S3 spent processing the request.', { example: 10 }),
  version_id: kw('Object version id.'),
  host_id: kw('`x-amz-id-2` request id.'),
  signature_version: kw('`SigV2`, `SigV4` or absent (unauthenticated).', 'SigV4'),
  authentication_type: kw('`AuthHeader`, `QueryString` (pre-signed URL) or absent.', 'AuthHeader'),
  host_header: kw('Endpoint the request was sent to.', 's3.us-west-2.amazonaws.com'),
  access_point_arn: kw('Access point the request went through.'),
  acl_required: kw('`Yes` when an ACL was required to authorize the request.'),
  source_region: kw('The Region field newer lines end with (27th field), as logged; not taken as `cloud.region`.', 'us-east-1'),
  extra: f.keyword('Fields after the last known one (S3 appends new fields to the end), in order.', { array: true }),
});
