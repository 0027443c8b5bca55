/**
 * Fields under `aws.cloudfront`: CloudFront access log detail that has no ECS home. The viewer goes to
 * `source.*` / `client.*`, the request to `http.*`, `url.*`, `user_agent.original`, `tls.*`, the
 * request id to `http.request.id`, the viewer's host header to `destination.domain`.
 * Formats: https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/standard-logs-reference.html,
 * https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/real-time-logs.html
 */
import { f } from '../dsl';

const kw = (description: string, example?: string) => f.keyword(description, example === undefined ? {} : { example });

export const cloudfront = f.group({
  log_type: f.keyword('`standard` (W3C file, legacy or v2 standard logging) or `realtime` (Kinesis, configured field list).', {
    enum: ['standard', 'realtime'],
    example: 'standard',
  }),
  distribution_id: kw('Distribution, from the standard log file name `<distribution-id>.YYYY-MM-DD-HH.<unique>.gz` (or the `DistributionId` field).', 'EMLARXS9EXAMPLE'),
  domain: kw('`cs(Host)` / `cs-host`: the distribution\'s CloudFront domain name.', 'd111111abcdef8.cloudfront.net'),
  edge_location: kw('`x-edge-location`: edge location that served the request (airport code + number).', 'FRA56-C1'),
  edge_request_id: kw('`x-edge-request-id`: unique request id (also `http.request.id`).'),
  edge_result_type: kw('`x-edge-result-type`: `Hit`, `RefreshHit`, `Miss`, `LimitExceeded`, `CapacityExceeded`, `Error`, `Redirect`.', 'Hit'),
  edge_response_result_type: kw('`x-edge-response-result-type`: result type when the response was sent.', 'Hit'),
  edge_detailed_result_type: kw('`x-edge-detailed-result-type`: detailed result (`OriginDnsError`, `OriginShieldHit`, `ClientCommError`...).', 'Hit'),
  time_taken: f.double('`time-taken`: seconds from receiving the request to writing the last byte of the response.', { example: 0.002 }),
  time_to_first_byte: f.double('`time-to-first-byte`: seconds from receiving the request to writing the first byte.', { example: 0.002 }),
  protocol: kw('`cs-protocol`: `http`, `https`, `ws` or `wss`.', 'https'),
  fle_status: kw('`fle-status`: field-level encryption status (`Processed`, `ForwardedByContentType`...).'),
  fle_encrypted_fields: f.long('`fle-encrypted-fields`: number of fields field-level encryption encrypted.'),
  range_start: f.long('`sc-range-start`: first byte of a range response.'),
  range_end: f.long('`sc-range-end`: last byte of a range response.'),
  content_length: f.long('`sc-content-len`: value of the response Content-Length header.'),
  cookie: f.keyword('`cs(Cookie)` as logged: kept, not indexed (cookies may hold session tokens).', { index: false }),
  c_ip_version: kw('Real-time `c-ip-version`: `IPv4` or `IPv6`.'),
  cache_behavior_path_pattern: kw('Real-time `cache-behavior-path-pattern`: the cache behavior that matched.', '/images/*'),
  accept_encoding: kw('Real-time `cs-accept-encoding`.'),
  accept: kw('Real-time `cs-accept`.'),
  header_names: kw('Real-time `cs-header-names` (decoded, first 800 bytes).'),
  headers: f.keyword('Real-time `cs-headers` (decoded, first 800 bytes): kept, not indexed.', { index: false }),
  headers_count: f.long('Real-time `cs-headers-count`.'),
  origin_fbl: f.double('Real-time `origin-fbl`: seconds of first-byte latency between CloudFront and the origin.'),
  origin_lbl: f.double('Real-time `origin-lbl`: seconds of last-byte latency between CloudFront and the origin.'),
  asn: f.long('Real-time `asn`: autonomous system number of the viewer.', { example: 16509 }),
  extra: f.flat('Fields of the `#Fields` header or the configured field list that this version of Tributary does not know, by name.'),
});
