/**
 * Fields under `aws.networkfirewall`: AWS Network Firewall alert, flow and TLS log detail that has no
 * ECS home. Endpoints go to `source.*` / `destination.*`, the alert's signature to `rule.*`, the
 * firewall to `observer.*`. `event` in a record is Suricata EVE JSON.
 * Fields: https://docs.aws.amazon.com/network-firewall/latest/developerguide/firewall-logging-contents.html
 */
import { f } from '../dsl';

const kw = (description: string, example?: string) => f.keyword(description, example === undefined ? {} : { example });

export const networkfirewall = f.group({
  firewall_name: kw('Firewall that logged the event (also `observer.name`).', 'egress-fw'),
  event_type: kw('Suricata `event_type`: `alert`, `netflow`, `tls` (also `http`).', 'alert'),
  flow_id: kw('Suricata flow id (64-bit, kept as digits: it links a flow\'s alert and netflow records).', '1234567890123456'),
  app_proto: kw('Application protocol Suricata detected, as logged (`tls`, `http`, `dns`, `unknown`, `failed`).', 'tls'),
  tls_inspected: f.boolean('Whether the flow went through TLS inspection.'),
  aws_category: f.keyword('URL and domain categories of category-based rules (`aws_category`).', { array: true }),
  alert: f.group({
    action: kw('What the stateful engine did: `allowed` or `blocked` (also `event.action`).', 'blocked'),
    signature_id: f.long('Suricata signature id (also `rule.id`).', { example: 5 }),
    severity: f.long('Suricata severity, 1 (highest) to 3 (also `event.severity`).', { example: 3 }),
  }),
  netflow: f.group({
    age: f.long('Seconds the flow lasted.'),
    min_ttl: f.long('Lowest IP TTL seen.'),
    max_ttl: f.long('Highest IP TTL seen.'),
  }),
  tcp_flags: kw('TCP flags seen on the flow, hex as logged (`1b`).'),
  tls: f.group({
    subject: kw('Server certificate subject DN.'),
    issuer: kw('Server certificate issuer DN.'),
    serial: kw('Server certificate serial (`AA:BB:...`).'),
    fingerprint: kw('Server certificate SHA-1 fingerprint.'),
    ja3: kw('JA3 hash of the client hello.'),
    ja3s: kw('JA3S hash of the server hello.'),
    session_resumed: f.boolean('Whether the TLS session was resumed.'),
  }),
  revocation_check: f.group({
    leaf_cert_fpr: kw('Fingerprint of the certificate whose revocation was checked.'),
    action: kw('What the firewall did after the check (`pass`, `drop`, `reject`).'),
    status: kw('Revocation status (`good`, `revoked`, `unknown`).'),
  }),
});
