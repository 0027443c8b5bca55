/**
 * The Elastic Common Schema subset every source maps into. Names and meanings follow ECS
 * (https://www.elastic.co/guide/en/ecs/current/ecs-field-reference.html); source-specific detail
 * lives in `schemas/sources/*` under `aws.<source>` or `auditd`.
 */
import { f, type Node } from './dsl';
import { DATASET_VALUES } from './source-list';

/**
 * Where an address is: the country a source logged (AWS WAF `country`, kept as logged), else the
 * enrichment step's lookup (`lib/core/enrich/`): country from the bundled database, city and location
 * only from a GeoLite2/GeoIP2 City database the operator provides.
 */
const geo = (role: string): Node =>
  f.group({
    country_iso_code: f.keyword(`ISO 3166-1 alpha-2 country of the ${role}: as the source logged it (AWS WAF \`country\`), else looked up (enrichment).`, { example: 'DE' }),
    country_name: f.keyword(`English name of the country of the ${role} (enrichment).`, { example: 'Germany' }),
    city_name: f.keyword(`City of the ${role} (enrichment with a GeoLite2/GeoIP2 City database only).`, { example: 'Berlin' }),
    location: f.geoPoint(`Approximate location of the ${role} (enrichment with a GeoLite2/GeoIP2 City database only).`, { example: { lat: 52.5196, lon: 13.4069 } }),
  });

/** The autonomous system announcing an address (enrichment, `lib/core/enrich/`). */
const asGroup = (role: string): Node =>
  f.group({
    number: f.long(`Autonomous system number of the ${role}'s address.`, { example: 15169 }),
    organization: f.group({ name: f.keyword(`Organization of that autonomous system.`, { example: 'Google LLC' }) }),
  });

const endpoint = (role: string): Node =>
  f.group({
    ip: f.ip(`IP address of the ${role}.`, { example: '172.31.16.139' }),
    port: f.long(`Port of the ${role}.`, { example: 443 }),
    address: f.keyword(`Raw address of the ${role} as logged (IP, host name or AWS service name).`, {
      example: 'ec2.amazonaws.com',
    }),
    domain: f.keyword(`Domain name of the ${role}.`),
    bytes: f.long(`Bytes sent from the ${role}.`),
    packets: f.long(`Packets sent from the ${role}.`),
    nat: f.group({ ip: f.ip(`Translated IP of the ${role}.`), port: f.long(`Translated port of the ${role}.`) }),
    geo: geo(role),
    as: asGroup(role),
  });

const userFields = {
  id: f.keyword('Unique identifier of the user (AWS principal id, uid).', { example: 'AIDAJ45Q7YFFAREXAMPLE' }),
  name: f.keyword('Short name or login of the user.', { example: 'Alice' }),
  domain: f.keyword('Domain the user belongs to (AWS account id for IAM identities).'),
  email: f.keyword('User email address.'),
  full_name: f.keyword('Full name or ARN of the user.', { textSubfield: true }),
  roles: f.keyword('Roles of the user.', { array: true }),
};

const process = f.group({
  pid: f.long('Process id.', { example: 4750 }),
  name: f.keyword('Process name (comm).', { example: 'sshd' }),
  executable: f.keyword('Absolute path to the executable.', { example: '/usr/sbin/sshd' }),
  command_line: f.keyword('Full command line.', { textSubfield: true }),
  args: f.keyword('Arguments, first one is the program.', { array: true }),
  args_count: f.long('Number of arguments.'),
  title: f.keyword('Process title (proctitle).', { textSubfield: true }),
  working_directory: f.keyword('Working directory.'),
  exit_code: f.long('Exit code.'),
  interactive: f.boolean('Whether the process is attached to a terminal.'),
  tty: f.group({ name: f.keyword('Terminal name.') }),
  parent: f.group({ pid: f.long('Parent process id.') }),
  user: f.group({ id: f.keyword('Effective user id.'), name: f.keyword('Effective user name.') }),
  real_user: f.group({ id: f.keyword('Real user id.'), name: f.keyword('Real user name.') }),
  saved_user: f.group({ id: f.keyword('Saved user id.'), name: f.keyword('Saved user name.') }),
  group: f.group({ id: f.keyword('Effective group id.'), name: f.keyword('Effective group name.') }),
  real_group: f.group({ id: f.keyword('Real group id.'), name: f.keyword('Real group name.') }),
  saved_group: f.group({ id: f.keyword('Saved group id.'), name: f.keyword('Saved group name.') }),
});

export const ecsFields: Record<string, Node> = {
  '@timestamp': f.date('When the event happened (UTC, ISO 8601 with milliseconds).', {
    example: '2026-03-01T12:00:00.000Z',
  }),
  message: f.text('Human-readable log message.'),
  tags: f.keyword('Free tags.', { array: true }),
  labels: f.flat('Custom key/value pairs (bounded: one mapped field).'),
  ecs: f.group({ version: f.keyword('ECS version the document follows.', { example: '8.11.0' }) }),
  event: f.group({
    id: f.keyword('Deterministic id of the event; also the OpenSearch `_id`, so re-indexing never duplicates.'),
    kind: f.keyword('ECS event kind; `pipeline_error` marks a record Tributary could not parse.', {
      enum: ['event', 'alert', 'metric', 'state', 'pipeline_error', 'signal'],
    }),
    category: f.keyword('ECS event categories.', {
      array: true,
      enum: [
        'api', 'authentication', 'configuration', 'database', 'driver', 'email', 'file', 'host', 'iam',
        'intrusion_detection', 'library', 'malware', 'network', 'package', 'process', 'registry', 'session',
        'threat', 'vulnerability', 'web',
      ],
    }),
    type: f.keyword('ECS event types.', {
      array: true,
      enum: [
        'access', 'admin', 'allowed', 'change', 'connection', 'creation', 'deletion', 'denied', 'end', 'error',
        'group', 'indicator', 'info', 'installation', 'protocol', 'start', 'user',
      ],
    }),
    action: f.keyword('What happened, in the source\'s words.', { example: 'ConsoleLogin' }),
    outcome: f.keyword('Result of the event.', { enum: ['success', 'failure', 'unknown'] }),
    dataset: f.keyword('Which log source the event came from.', {
      enum: DATASET_VALUES,
    }),
    module: f.keyword('Module (always `tributary`).'),
    provider: f.keyword('Service that produced the event.', { example: 'signin.amazonaws.com' }),
    code: f.keyword('Identification code of the event.'),
    reason: f.keyword('Why the event happened, e.g. a reject reason.'),
    severity: f.long('Numeric severity.'),
    sequence: f.long('Sequence number (e.g. audit serial).'),
    duration: f.long('Duration in nanoseconds.'),
    start: f.date('When the event started.'),
    end: f.date('When the event ended.'),
    created: f.date('When the source wrote the event (if distinct from @timestamp).'),
    ingested: f.date('When Tributary normalized the event.'),
    original: f.keyword('The original raw text, kept for failures and when configured.', { index: false }),
  }),
  cloud: f.group({
    provider: f.keyword('Cloud provider.', { example: 'aws' }),
    account: f.group({ id: f.keyword('AWS account id.', { example: '123456789012' }), name: f.keyword('Account alias.') }),
    region: f.keyword('AWS region.', { example: 'us-east-1' }),
    availability_zone: f.keyword('Availability zone.'),
    service: f.group({ name: f.keyword('AWS service.', { example: 'lambda' }) }),
    instance: f.group({ id: f.keyword('Instance id.') }),
  }),
  source: endpoint('source'),
  destination: endpoint('destination'),
  // The requester of CloudFront, S3 server access, ELB and API Gateway logs, as Elastic's AWS integration maps
  // it (`source.*` carries the same address, so dashboards over every web source use one field).
  client: f.group({
    ip: f.ip('IP address of the client (the viewer, the S3 requester).', { example: '192.0.2.3' }),
    port: f.long('Port of the client.'),
    address: f.keyword('Raw address of the client as logged.'),
    user: f.group({ id: f.keyword('Id of the authenticated client (S3 requester: canonical user id or IAM ARN).', { example: 'arn:aws:iam::123456789012:user/alice' }) }),
    geo: geo('client'),
    as: asGroup('client'),
  }),
  // The server side of a request: ELB access logs put the load balancer here (the client connects to it).
  server: f.group({
    ip: f.ip('IP address of the server.'),
    port: f.long('Port of the server.'),
    address: f.keyword('Raw address of the server as logged.'),
    domain: f.keyword('Domain name of the server (the TLS SNI / host the client asked for).', { example: 'shop.example.com' }),
  }),
  network: f.group({
    transport: f.keyword('Transport protocol name (tcp, udp, icmp...).', { example: 'tcp' }),
    iana_number: f.keyword('IANA protocol number.', { example: '6' }),
    protocol: f.keyword('Application protocol (http, h2, grpc, tls...).'),
    type: f.keyword('ipv4 or ipv6.'),
    direction: f.keyword('Direction relative to the monitored resource.', {
      enum: ['ingress', 'egress', 'inbound', 'outbound', 'internal', 'external', 'unknown'],
    }),
    bytes: f.long('Total bytes.'),
    packets: f.long('Total packets.'),
    forwarded_ip: f.ip('Client IP a proxy forwarded the request for (CloudFront `x-forwarded-for`, first address).'),
  }),
  user: f.group({
    ...userFields,
    audit: f.group({
      id: f.keyword('Audit user id (Linux `auid`, the login uid that stays across su/sudo).', { example: '1000' }),
      name: f.keyword('Audit user name (the enriched `AUID=` of the audit record).', { example: 'alice' }),
    }),
    target: f.group({ id: f.keyword('Target user id.'), name: f.keyword('Target user name.') }),
    effective: f.group({ id: f.keyword('Effective user id.'), name: f.keyword('Effective user name.') }),
    changes: f.group({ name: f.keyword('New name of the user, on changes.') }),
    group: f.group({ id: f.keyword('Group id.'), name: f.keyword('Group name.') }),
  }),
  group: f.group({ id: f.keyword('Group id.'), name: f.keyword('Group name.') }),
  user_agent: f.group({
    original: f.keyword('Unparsed user agent string.', { textSubfield: true }),
    name: f.keyword('Name of the user agent (browser, or AWS tool: aws-cli, Boto3, AWS Console...; enrichment).', { example: 'Chrome' }),
    version: f.keyword('Version of the user agent.', { example: '120.0.0.0' }),
    os: f.group({
      name: f.keyword('Operating system name.', { example: 'Mac OS' }),
      version: f.keyword('Operating system version.', { example: '10.15.7' }),
      full: f.keyword('Operating system name and version.', { example: 'Mac OS 10.15.7' }),
    }),
    device: f.group({ name: f.keyword('Device name (vendor and model when the user agent tells them).', { example: 'Apple iPhone' }) }),
  }),
  http: f.group({
    version: f.keyword('HTTP version.', { example: '1.1' }),
    request: f.group({
      id: f.keyword('Request id.'),
      method: f.keyword('HTTP method.', { example: 'GET' }),
      bytes: f.long('Request size in bytes.'),
      referrer: f.keyword('Referrer.'),
      mime_type: f.keyword('Request content type.'),
    }),
    response: f.group({
      status_code: f.long('HTTP status code.', { example: 200 }),
      bytes: f.long('Response size in bytes.'),
      mime_type: f.keyword('Response content type.'),
    }),
  }),
  url: f.group({
    original: f.keyword('URL as logged.', { textSubfield: true }),
    full: f.keyword('Full URL.'),
    scheme: f.keyword('Scheme.'),
    domain: f.keyword('Domain.'),
    port: f.long('Port.'),
    path: f.keyword('Path.'),
    query: f.keyword('Query string without the `?`.'),
    extension: f.keyword('File extension of the path.'),
  }),
  tls: f.group({
    version: f.keyword('TLS version number.', { example: '1.2' }),
    version_protocol: f.keyword('Protocol (tls).'),
    cipher: f.keyword('Cipher suite.'),
    established: f.boolean('Whether the handshake completed.'),
    client: f.group({
      server_name: f.keyword('SNI server name.'),
      // ALB connection logs (mutual TLS): the client's leaf certificate, as ECS `tls.client.*` defines it.
      subject: f.keyword('Distinguished name of the subject of the client certificate.', { example: 'CN=client-a,O=Example' }),
      not_before: f.date('Client certificate valid from.'),
      not_after: f.date('Client certificate valid until.'),
      x509: f.group({
        serial_number: f.keyword('Serial number of the client certificate (hex, as logged).', { example: '0A1B2C3D4E5F' }),
        subject: f.group({
          distinguished_name: f.keyword('Distinguished name of the client certificate subject.'),
          common_name: f.keyword('Common names of the client certificate subject.', { array: true }),
        }),
      }),
    }),
    server: f.group({ x509: f.group({ subject: f.group({ common_name: f.keyword('Certificate CN.', { array: true }) }) }) }),
  }),
  process,
  file: f.group({
    path: f.keyword('Full path.', { textSubfield: true }),
    name: f.keyword('File name.'),
    directory: f.keyword('Directory.'),
    extension: f.keyword('Extension.'),
    inode: f.keyword('Inode.'),
    mode: f.keyword('Permissions in octal.'),
    uid: f.keyword('Owner uid.'),
    gid: f.keyword('Owner gid.'),
    owner: f.keyword('Owner name.'),
    group: f.keyword('Group name.'),
    type: f.keyword('file, dir, symlink...'),
    device: f.keyword('Device.'),
    size: f.long('Size in bytes.'),
  }),
  host: f.group({
    name: f.keyword('Host name.'),
    hostname: f.keyword('Host name as reported by the host.'),
    id: f.keyword('Host id.'),
    ip: f.ip('Host IPs.', { array: true }),
  }),
  log: f.group({
    level: f.keyword('Log level, lower case.', { example: 'error' }),
    logger: f.keyword('Logger name.'),
    file: f.group({ path: f.keyword('Log file path.') }),
    // Syslog header fields (RFC 3164 / 5424), where ECS puts them.
    syslog: f.group({
      priority: f.long('Syslog PRI value (facility × 8 + severity).', { example: 134 }),
      facility: f.group({ code: f.long('Syslog facility number.', { example: 16 }) }),
      severity: f.group({ code: f.long('Syslog severity number (0 emergency .. 7 debug).', { example: 6 }) }),
      msgid: f.keyword('RFC 5424 MSGID.'),
    }),
    origin: f.group({
      function: f.keyword('Function that logged.'),
      file: f.group({ name: f.keyword('Source file that logged.'), line: f.long('Line number.') }),
    }),
  }),
  error: f.group({
    id: f.keyword('Error id.'),
    code: f.keyword('Error code.', { example: 'AccessDenied' }),
    message: f.text('Error message.'),
    type: f.keyword('Error type or class.'),
    stack_trace: f.keyword('Stack trace.', { textSubfield: true, index: false }),
  }),
  trace: f.group({ id: f.keyword('Trace id (X-Ray or W3C).') }),
  transaction: f.group({ id: f.keyword('Transaction id.') }),
  span: f.group({ id: f.keyword('Span id.') }),
  // Function as a service (ECS `faas.*`): Lambda platform and runtime lines.
  faas: f.group({
    name: f.keyword('Function name.', { example: 'orders-api' }),
    version: f.keyword('Function version (`$LATEST` or a number).', { example: '$LATEST' }),
    execution: f.keyword('Invocation (request) id.', { example: 'af9c3624-4b4a-4a4b-9c9c-1a2b3c4d5e6f' }),
    coldstart: f.boolean('Whether the invocation was a cold start (an init phase ran before it).'),
  }),
  service: f.group({
    name: f.keyword('Service name.'),
    version: f.keyword('Service version.'),
    environment: f.keyword('Environment (prod, staging...).'),
  }),
  // Route 53 Resolver and Network Firewall (issue #16): the DNS question and answers, the device that
  // logged the event, as Elastic's AWS integration maps them. (`rule.*` is shared with the findings.)
  dns: f.group({
    question: f.group({
      name: f.keyword('Queried name, without the trailing dot.', { example: 'api.example.com' }),
      type: f.keyword('Query type.', { example: 'A' }),
      class: f.keyword('Query class.', { example: 'IN' }),
    }),
    response_code: f.keyword('DNS response code.', { example: 'NXDOMAIN' }),
    answers: f.group({
      data: f.keyword('Answer data (IP, name...), one per answer.', { array: true }),
      type: f.keyword('Answer record types, one per answer.', { array: true }),
      class: f.keyword('Answer classes, one per answer.', { array: true }),
    }),
    resolved_ip: f.ip('IP addresses found in the answers.', { array: true }),
  }),
  observer: f.group({
    name: f.keyword('Name of the device that logged the event (firewall name).'),
    type: f.keyword('Kind of device.', { example: 'firewall' }),
    vendor: f.keyword('Vendor of the device.', { example: 'AWS' }),
    product: f.keyword('Product of the device.', { example: 'Network Firewall' }),
  }),
  // Findings (Security Hub, GuardDuty, Inspector, Config): the rule that fired, the threat it
  // names and the vulnerability it reports, as Elastic's AWS integration maps them.
  rule: f.group({
    id: f.keyword('Rule id (Security Hub `GeneratorId` or security control id, Config rule id).', { example: 'security-control/S3.8' }),
    name: f.keyword('Rule name (finding title or type, Config rule name).', { example: 'Recon:IAMUser/MaliciousIPCaller.Custom', textSubfield: true }),
    category: f.keyword('Rule category (GuardDuty threat purpose, ASFF type namespace).', { example: 'Recon' }),
    ruleset: f.keyword('Rule set (GuardDuty `Purpose:ResourceType`, the standard of a Security Hub control).', { example: 'Recon:IAMUser' }),
    description: f.keyword('Rule description.', { textSubfield: true }),
    reference: f.keyword('Reference URL of the rule or its remediation.'),
    uuid: f.keyword('Unique id of the rule (ARN).'),
    // WAF: rule.id = terminating rule, rule.ruleset = its type; Network Firewall: the Suricata signature (id, name, category, rev).
    version: f.keyword('Rule revision (Suricata `rev`).'),
  }),
  threat: f.group({
    framework: f.keyword('Threat framework.', { example: 'MITRE ATT&CK' }),
    tactic: f.group({ name: f.keyword('Threat tactics named by the finding.', { array: true, example: ['Discovery'] }) }),
    indicator: f.group({
      ip: f.ip('Indicator IP (the remote address of a GuardDuty network action).', { example: '198.51.100.7' }),
      type: f.keyword('Indicator type.', { example: 'ipv4-addr' }),
    }),
  }),
  vulnerability: f.group({
    id: f.keyword('Vulnerability id (CVE), of the first vulnerability a finding names.', { example: 'CVE-2023-4863' }),
    description: f.keyword('Vulnerability description.', { textSubfield: true }),
    severity: f.keyword('Vulnerability severity as the scanner states it.', { example: 'CRITICAL' }),
    score: f.group({
      base: f.float('CVSS base score.', { example: 8.8 }),
      version: f.keyword('CVSS version.', { example: '3.1' }),
    }),
    reference: f.keyword('Reference URL of the vulnerability.'),
    classification: f.keyword('Scoring system.', { example: 'CVSS' }),
    enumeration: f.keyword('Identifier system.', { example: 'CVE' }),
    category: f.keyword('Vulnerability categories.', { array: true }),
    scanner: f.group({ vendor: f.keyword('Scanner vendor.', { example: 'Amazon Inspector' }) }),
  }),
  // Inspector package vulnerabilities: the vulnerable packages of a finding, one entry per package
  // (arrays in the finding's order), as Elastic's Inspector integration maps them (`fixed_version`
  // is Elastic's name; ECS has no fixed-in field).
  package: f.group({
    name: f.keyword('Names of the vulnerable packages.', { array: true, example: ['openssl'] }),
    version: f.keyword('Installed versions, one per package.', { array: true, example: ['1.1.1k-1.amzn2'] }),
    fixed_version: f.keyword('Versions that fix the vulnerability, one per package that has one.', { array: true, example: ['1.1.1w-1.amzn2'] }),
    architecture: f.keyword('Package architectures.', { array: true, example: ['X86_64'] }),
    path: f.keyword('Paths of the vulnerable files (language packages, Lambda layers).', { array: true }),
    type: f.keyword('Package managers (`OS`, `NPM`, `PIP`, `JAR`...).', { array: true, example: ['OS'] }),
  }),
  related: f.group({
    ip: f.ip('All IPs seen in the event.', { array: true }),
    user: f.keyword('All user names or ids seen in the event.', { array: true }),
    hosts: f.keyword('All host names seen in the event.', { array: true }),
  }),
};
