/**
 * Fields under `auditd` (Linux audit and SELinux). One document is one audit EVENT (all records
 * sharing node + timestamp + serial), possibly assembled from several partial documents merged in
 * OpenSearch (see `parsers/auditd.ts`). Per-record detail lives in `auditd.records`, keyed so that
 * partial documents never collide.
 */
import { f } from '../dsl';

const context = (what: string) =>
  f.group({
    user: f.keyword(`SELinux user of the ${what}.`, { example: 'system_u' }),
    role: f.keyword(`SELinux role of the ${what}.`, { example: 'system_r' }),
    type: f.keyword(`SELinux type (domain) of the ${what}.`, { example: 'httpd_t' }),
    level: f.keyword(`MLS/MCS level or range of the ${what}, with categories.`, { example: 's0-s0:c0.c1023' }),
  });

export const auditd = f.group({
  sequence: f.long('Audit serial number of the event (per host and boot, wraps).', { example: 205 }),
  record_types: f.keyword('Record types of the event, in order of first appearance (of this part, when the event was split across batches; `auditd.records` keys are the complete list).', {
    array: true,
    example: ['SYSCALL', 'CWD', 'PATH', 'PROCTITLE', 'EOE'],
  }),
  result: f.keyword('Result as audit states it (`success` or `fail`).', { example: 'success' }),
  session: f.keyword('Audit session id (`ses`), absent when unset.', { example: '3' }),
  key: f.keyword('Audit rule keys (`key=`) that matched.', { array: true, example: ['identity'] }),
  syscall: f.keyword('Syscall name (number when the architecture table does not know it).', { example: 'execve' }),
  arch: f.keyword('Architecture name (hex AUDIT_ARCH value when unknown).', { example: 'x86_64' }),
  exit: f.long('Syscall return value (`exit=`; negative errno on failure).', { example: -13 }),
  items: f.long('Number of PATH records the syscall announced.'),
  op: f.keyword('Operation (`op=`) of user-space and configuration records.', { example: 'PAM:authentication' }),
  command: f.keyword('Command run through sudo and similar tools (USER_CMD `cmd=`, decoded).', { example: 'systemctl restart nginx', textSubfield: true }),
  terminal: f.keyword('Terminal of user-space records (`terminal=`).', { example: 'ssh' }),
  subject: context('subject (process `subj=`)'),
  avc: f.group({
    result: f.keyword('SELinux decision.', { enum: ['denied', 'granted'] }),
    permissions: f.keyword('Permissions checked (`{ read write }`).', { array: true, example: ['read'] }),
    scontext: context('source (subject) context'),
    tcontext: context('target (object) context'),
    tclass: f.keyword('Target object class.', { example: 'file' }),
    permissive: f.boolean('True when SELinux logged but did not enforce (`permissive=1`).'),
    name: f.keyword('Object name (`name=`).'),
    path: f.keyword('Object path (`path=`).'),
    dev: f.keyword('Device of the object.'),
    ino: f.keyword('Inode of the object.'),
    message: f.keyword('AVC text that is not a decision (e.g. `received setenforce notice (enforcing=0)`).'),
  }),
  apparmor: f.group({
    status: f.keyword('AppArmor status (`apparmor=`: DENIED, ALLOWED, AUDIT, STATUS).', { example: 'DENIED' }),
    operation: f.keyword('AppArmor operation.', { example: 'open' }),
    profile: f.keyword('AppArmor profile.'),
    requested_mask: f.keyword('Requested access mask.'),
    denied_mask: f.keyword('Denied access mask.'),
    name: f.keyword('Object name.'),
  }),
  selinux: f.group({
    op: f.keyword('Operation of a SELINUX_ERR / USER_SELINUX_ERR record.', { example: 'security_compute_sid' }),
    reason: f.keyword('Error text of a SELINUX_ERR record.', { example: 'invalid context' }),
    scontext: context('source context'),
    tcontext: context('target context'),
    tclass: f.keyword('Target class.'),
    invalid_context: f.keyword('The invalid context, as logged.'),
    enforcing: f.boolean('Enforcing mode after a MAC_STATUS change.'),
    old_enforcing: f.boolean('Enforcing mode before a MAC_STATUS change.'),
    mode: f.keyword('SELinux mode after a MAC_STATUS change: `enforcing`, `permissive` (`setenforce 0`), or `disabled` (`enabled=0`).', { example: 'permissive' }),
    old_mode: f.keyword('SELinux mode before a MAC_STATUS change.', { example: 'enforcing' }),
    boolean: f.group({
      name: f.keyword('SELinux boolean changed by a MAC_CONFIG_CHANGE record (`bool=`, e.g. by `setsebool`).', { example: 'httpd_can_network_connect' }),
      value: f.boolean('New value of the boolean (`val=`).'),
      old_value: f.boolean('Value of the boolean before the change (`old_val=`).'),
    }),
  }),
  seccomp: f.group({
    action: f.keyword('Seccomp action decoded from `code=`.', { example: 'kill_process' }),
    code: f.keyword('Seccomp return code as logged.', { example: '0x80000000' }),
    signal: f.long('Signal delivered (`sig=`).'),
  }),
  socket: f.group({
    family: f.keyword('Address family of the SOCKADDR record.', { example: 'inet' }),
    address: f.keyword('IP address or socket path of the SOCKADDR record.', { example: '10.0.0.1' }),
    port: f.long('Port of the SOCKADDR record.'),
  }),
  signal: f.long('Signal number (`sig=`) of ANOM_ABEND and similar records.'),
  records: f.flat(
    'Every record of the event with its decoded fields, keyed by type (`SYSCALL`, `CWD`, `PATH_0`, `PATH_1`, repeated types as `AVC_<hash>`); user-space `msg=\'...\'` fields nested under `msg`, ENRICHED interpretations under `enriched`.',
  ),
});
