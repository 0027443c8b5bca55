/**
 * The Elastic Common Schema subset every source maps into. Names and meanings follow ECS
 * (https://www.elastic.co/guide/en/ecs/current/ecs-field-reference.html); source-specific detail
 * lives in `schemas/sources/*` under `aws.<source>` or `auditd`.
 */
import { f, type Node } from './dsl';
import { DATASET_VALUES } from './source-list';

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
  }),
  user: f.group({
    ...userFields,
    target: f.group({ id: f.keyword('Target user id.'), name: f.keyword('Target user name.') }),
    effective: f.group({ id: f.keyword('Effective user id.'), name: f.keyword('Effective user name.') }),
    changes: f.group({ name: f.keyword('New name of the user, on changes.') }),
    group: f.group({ id: f.keyword('Group id.'), name: f.keyword('Group name.') }),
  }),
  group: f.group({ id: f.keyword('Group id.'), name: f.keyword('Group name.') }),
  user_agent: f.group({
    original: f.keyword('Unparsed user agent string.', { textSubfield: true }),
    name: f.keyword('Name of the user agent.'),
    version: f.keyword('Version of the user agent.'),
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
    client: f.group({ server_name: f.keyword('SNI server name.') }),
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
  service: f.group({
    name: f.keyword('Service name.'),
    version: f.keyword('Service version.'),
    environment: f.keyword('Environment (prod, staging...).'),
  }),
  related: f.group({
    ip: f.ip('All IPs seen in the event.', { array: true }),
    user: f.keyword('All user names or ids seen in the event.', { array: true }),
    hosts: f.keyword('All host names seen in the event.', { array: true }),
  }),
};
