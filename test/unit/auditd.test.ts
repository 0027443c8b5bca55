/**
 * auditd parser: scanner details, reassembly, merge of events split across batches (with a model of
 * OpenSearch's partial-update merge), and properties (never throws, outcomes well-formed, valid docs).
 * Formats: the team reference `../shared/docs/aws-log-formats.md` (outside this repo) §8; fixtures in test/fixtures/auditd (see README).
 */
import fc from 'fast-check';
import { normalize } from '../../lib/core/pipeline';
import { auditdParser, decodeSockaddr } from '../../parsers/auditd';
import { scanRecord } from '../../parsers/auditd-scan';
import { syscallName } from '../../parsers/auditd-tables';
import type { Outcome, ParseContext, RawEvent } from '../../parsers/types';
import type { TributaryDocument } from '../../schemas/generated/document';
import { type Json, opensearchMerge } from '../helpers/opensearch-merge';
import { expectValid } from '../helpers/schema';
import { runs } from '../helpers/fuzz';

const hex = (s: string) => Buffer.from(s, 'utf8').toString('hex').toUpperCase();
const GS = '\u001d';
const NOW = new Date('2026-01-01T00:00:00.000Z');
const CTX: ParseContext = { logGroup: '/var/log/audit/audit.log', logStream: 'i-0123456789abcdef0' };

const events = (lines: string[], prefix = 'b'): RawEvent[] => lines.map((message, i) => ({ message, key: `${prefix}:${i}` }));
const run = (lines: string[], ctx: ParseContext = CTX, prefix = 'b') =>
  normalize({ events: events(lines, prefix), context: ctx, source: 'auditd' }, { now: NOW });
const docsOf = (lines: string[]) => auditdParser.parse(events(lines), CTX).flatMap((o) => (o.kind === 'document' ? [o] : []));

const EXECVE_EVENT = [
  'type=SYSCALL msg=audit(1764026400.100:501): arch=c000003e syscall=59 success=yes exit=0 a0=1 a1=2 a2=3 a3=0 items=2 ppid=100 pid=101 auid=1000 uid=1000 gid=1000 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=pts0 ses=2 comm="sudo" exe="/usr/bin/sudo" subj=unconfined_u:unconfined_r:unconfined_t:s0-s0:c0.c1023 key="priv-esc"',
  'type=EXECVE msg=audit(1764026400.100:501): argc=3 a0="sudo" a1="-i" a2=' + hex('rm -rf /tmp/x y'),
  'type=CWD msg=audit(1764026400.100:501): cwd="/home/alice"',
  'type=PATH msg=audit(1764026400.100:501): item=0 name="/usr/bin/sudo" inode=66 dev=103:01 mode=0104755 ouid=0 ogid=0 rdev=00:00 nametype=NORMAL',
  'type=PATH msg=audit(1764026400.100:501): item=1 name="/lib64/ld-linux-x86-64.so.2" inode=67 dev=103:01 mode=0100755 ouid=0 ogid=0 rdev=00:00 nametype=NORMAL',
  'type=PROCTITLE msg=audit(1764026400.100:501): proctitle=' + hex('sudo\u0000-i'),
  'type=EOE msg=audit(1764026400.100:501): ',
];

const AVC_EVENT = [
  'type=AVC msg=audit(1764026500.200:777): avc:  denied  { write } for  pid=900 comm="httpd" name="uploads" dev="nvme0n1p1" ino=12 scontext=system_u:system_r:httpd_t:s0 tcontext=system_u:object_r:httpd_sys_content_t:s0 tclass=dir permissive=0',
  'type=SYSCALL msg=audit(1764026500.200:777): arch=c000003e syscall=83 success=no exit=-13 a0=55 a1=1ed a2=0 a3=0 items=2 ppid=1 pid=900 auid=4294967295 uid=48 gid=48 euid=48 suid=48 fsuid=48 egid=48 sgid=48 fsgid=48 tty=(none) ses=4294967295 comm="httpd" exe="/usr/sbin/httpd" subj=system_u:system_r:httpd_t:s0 key=(null)',
  'type=CWD msg=audit(1764026500.200:777): cwd="/"',
  'type=PATH msg=audit(1764026500.200:777): item=0 name="/var/www/uploads/" inode=12 dev=103:01 mode=040755 ouid=0 ogid=0 rdev=00:00 nametype=PARENT',
  'type=PATH msg=audit(1764026500.200:777): item=1 name="/var/www/uploads/new" nametype=CREATE',
  'type=PROCTITLE msg=audit(1764026500.200:777): proctitle=' + hex('/usr/sbin/httpd\u0000-DFOREGROUND'),
  'type=EOE msg=audit(1764026500.200:777): ',
];

const CONNECT_EVENT = [
  'type=SYSCALL msg=audit(1764026600.300:888): arch=c000003e syscall=42 success=yes exit=0 a0=3 a1=7ffd a2=10 a3=0 items=0 ppid=1 pid=1402 auid=1000 uid=1000 gid=1000 euid=1000 suid=1000 fsuid=1000 egid=1000 sgid=1000 fsgid=1000 tty=(none) ses=4 comm="curl" exe="/usr/bin/curl" key="egress"' + GS + 'ARCH=x86_64 SYSCALL=connect AUID="alice" UID="alice" GID="alice" EUID="alice" SUID="alice" FSUID="alice" EGID="alice" SGID="alice" FSGID="alice"',
  'type=SOCKADDR msg=audit(1764026600.300:888): saddr=020001BBC63364070000000000000000' + GS + 'SADDR={ saddr_fam=inet laddr=198.51.100.7 lport=443 }',
  'type=PROCTITLE msg=audit(1764026600.300:888): proctitle=' + hex('curl\u0000https://example.com'),
  'type=EOE msg=audit(1764026600.300:888): ',
];

describe('auditd scanner', () => {
  test('header, node prefix, quoted, bare and hex values, sentinels', () => {
    const r = scanRecord(`node=web-1 type=SYSCALL msg=audit(1764026400.007:42): comm=${hex('my prog')} exe="/bin/x y" key=(null) tty=(none) a1=10`);
    if (typeof r === 'string') throw new Error(r);
    expect(r).toMatchObject({ node: 'web-1', type: 'SYSCALL', stamp: '1764026400.007', millis: 1764026400007, serial: 42 });
    // a1 is a numeric hex syscall argument, not an encoded string: "10" stays "10".
    expect(r.fields).toEqual({ comm: 'my prog', exe: '/bin/x y', key: '(null)', tty: '(none)', a1: '10' });
  });

  test('lower-case or odd-length values of encoded fields are not hex-decoded', () => {
    const r = scanRecord('type=PATH msg=audit(1.000:1): name=abc123 item=0 dev=ABCD');
    expect(typeof r !== 'string' && r.fields).toEqual({ name: 'abc123', item: '0', dev: 'ABCD' });
  });

  test('UNKNOWN[n] types, user msg nesting, ENRICHED map after GS', () => {
    const u = scanRecord('type=UNKNOWN[1334] msg=audit(1.5:2): prog-id=7 op=LOAD');
    expect(typeof u !== 'string' && u.type).toBe('UNKNOWN[1334]');
    const r = scanRecord(`type=USER_LOGIN msg=audit(1.000:3): pid=1 uid=0 auid=4294967295 msg='op=login acct=${hex('(invalid user)')} exe="/usr/sbin/sshd" addr=192.0.2.1 res=failed'${GS}UID="root" AUID="unset"`);
    if (typeof r === 'string') throw new Error(r);
    expect(r.fields.msg).toEqual({ op: 'login', acct: '(invalid user)', exe: '/usr/sbin/sshd', addr: '192.0.2.1', res: 'failed' });
    expect(r.enriched).toEqual({ UID: 'root', AUID: 'unset' });
  });

  test('SELinux AVC preamble: decision, permissions, for', () => {
    const r = scanRecord('type=AVC msg=audit(1.000:4): avc:  denied  { read  write } for  pid=1 comm="a" tclass=file permissive=1');
    expect(typeof r !== 'string' && r.fields).toEqual({ avc_result: 'denied', avc_permissions: 'read write', pid: '1', comm: 'a', tclass: 'file', permissive: '1' });
  });

  test('old LOGIN quirk (`old auid=`) and old PAM text format', () => {
    const r = scanRecord('type=LOGIN msg=audit(1.000:5): login pid=1 uid=0 old auid=4294967295 new auid=1000 old ses=4294967295 new ses=3');
    expect(typeof r !== 'string' && r.fields).toMatchObject({ 'old-auid': '4294967295', 'new-auid': '1000', 'new-ses': '3', text: 'login' });
    const p = scanRecord(`type=USER_START msg=audit(1.000:6): user pid=1 uid=0 auid=0 msg='PAM: session open acct=root : exe="/usr/sbin/crond" (hostname=?, addr=?, terminal=cron res=success)'`);
    expect(typeof p !== 'string' && p.fields.msg).toMatchObject({ acct: 'root', exe: '/usr/sbin/crond', hostname: '?', terminal: 'cron', res: 'success' });
  });

  test.each([
    ['GET / HTTP/1.1', 'not an audit record'],
    ['type=SYSCALL msg=?', 'without a msg=audit'],
    ['type=SYSCALL msg=audit(1.0): a=b', 'without serial'],
    ['type=SYSCALL msg=audit(x.0:1): a=b', 'invalid timestamp'],
    ['type=SYSCALL msg=audit(1.0:1x): a=b', 'invalid serial'],
    ['type=SYSCALL msg=audit(1.0:1', 'closing parenthesis'],
    ['node=only', 'not an audit record'],
  ])('rejects %j', (line, message) => {
    const r = scanRecord(line);
    expect(typeof r).toBe('string');
    expect(r).toContain(message);
  });

  test('sockaddr decoding: inet, inet6 (compressed), unix, abstract unix, netlink', () => {
    const b = (h: string) => Buffer.from(h, 'hex');
    expect(decodeSockaddr(b('02000050A9FEA9FE0000000000000000'))).toEqual({ family: 'inet', port: 80, address: '169.254.169.254' });
    expect(decodeSockaddr(b('0A000016000000000000000000000000000000000000000000000000'))).toEqual({ family: 'inet6', port: 22, address: '::' });
    expect(decodeSockaddr(b('0A0001BB0000000020010DB8000000000000000000000001' + '00000000'))).toMatchObject({ address: '2001:db8::1' });
    expect(decodeSockaddr(b('0100' + hex('/run/x.sock') + '00'))).toEqual({ family: 'unix', address: '/run/x.sock' });
    expect(decodeSockaddr(b('010000' + hex('abstract')))).toEqual({ family: 'unix', address: '@abstract' });
    expect(decodeSockaddr(b('1000000000000000'))).toEqual({ family: 'netlink' });
  });

  test('syscall tables', () => {
    expect([59, 231, 257, 334, 435].map((n) => syscallName('x86_64', n))).toEqual(['execve', 'exit_group', 'openat', 'rseq', 'clone3']);
    expect([35, 37, 221, 281, 293, 435].map((n) => syscallName('aarch64', n))).toEqual(['unlinkat', 'linkat', 'execve', 'execveat', 'rseq', 'clone3']);
    expect(syscallName('i386', 11)).toBeUndefined();
  });
});

describe('auditd reassembly', () => {
  test('one document per event, every index accounted once, ECS mapping', () => {
    const r = run(EXECVE_EVENT);
    expect(r.counts).toEqual({ received: 7, documents: 1, dropped: 6, failed: 0 });
    const d = r.documents[0];
    expectValid(d);
    expect(d).toMatchObject({
      '@timestamp': '2025-11-24T23:20:00.100Z',
      event: { action: 'execve', category: ['process'], type: ['start'], outcome: 'success', sequence: 501 },
      user: { id: '1000', effective: { id: '0' } },
      process: {
        pid: 101, parent: { pid: 100 }, name: 'sudo', executable: '/usr/bin/sudo', args: ['sudo', '-i', 'rm -rf /tmp/x y'], args_count: 3,
        title: 'sudo -i', working_directory: '/home/alice', user: { id: '0' }, real_user: { id: '1000' }, tty: { name: 'pts0' },
      },
      file: { path: '/usr/bin/sudo', mode: '4755', type: 'file', inode: '66' },
      auditd: { syscall: 'execve', arch: 'x86_64', key: ['priv-esc'], session: '2', result: 'success', subject: { type: 'unconfined_t', level: 's0-s0:c0.c1023' } },
      tributary: { merge: true },
    });
    expect(Object.keys(d.auditd!.records as object).sort()).toEqual(['CWD', 'EOE', 'EXECVE', 'PATH_0', 'PATH_1', 'PROCTITLE', 'SYSCALL']);
  });

  test('event.id is the same whatever the batch, and differs per host, serial and timestamp', () => {
    const id = (lines: string[], ctx = CTX, prefix = 'x') => run(lines, ctx, prefix).documents[0].event.id;
    const a = id(EXECVE_EVENT);
    expect(id(EXECVE_EVENT.slice(3), CTX, 'other-file')).toBe(a);
    expect(id(EXECVE_EVENT, { ...CTX, logStream: 'i-other' })).not.toBe(a);
    expect(id(EXECVE_EVENT.map((l) => l.replace(':501)', ':502)')))).not.toBe(a);
    expect(id(EXECVE_EVENT.map((l) => 'node=h1 ' + l))).not.toBe(id(EXECVE_EVENT.map((l) => 'node=h2 ' + l)));
  });

  test('EOE closes the event: a later record with the same identity is a new part of the same id', () => {
    const out = docsOf([...CONNECT_EVENT, CONNECT_EVENT[2].replace('proctitle=', 'proctitle=41')]);
    expect(out).toHaveLength(2);
    expect(out[0].fields.event!.id).toBe(out[1].fields.event!.id);
    expect(out.every((o) => o.merge)).toBe(true);
  });

  test('identical records re-sent after EOE join the closed event (merged), not a second part', () => {
    // fuzz-pipeline (seed 20260301) found two identical EOE lines giving two documents with one _id.
    const r = run([...CONNECT_EVENT, CONNECT_EVENT[3], CONNECT_EVENT[0]]);
    expect(r.counts).toEqual({ received: 6, documents: 1, dropped: 5, failed: 0 });
    expect(r.dropped).toEqual({ merged: 5 });
    const once = run(CONNECT_EVENT).documents[0];
    // Same document as one delivery; record_count counts the delivered log events, as before EOE.
    expect(r.documents[0]).toEqual({ ...once, tributary: { ...once.tributary, record_count: 6 } });
  });

  test('audit records outside the event time window fail with the reason', () => {
    const r = run(['type=SYSCALL msg=audit(0.000:1): arch=c000003e syscall=59', 'type=EOE msg=audit(99999999999.000:2): ']);
    expect(r.counts).toEqual({ received: 2, documents: 0, dropped: 0, failed: 2 });
    expect(r.failures.map((f) => f.error?.message)).toEqual([
      'audit record timestamp "0.000" is not a time in 1990-01-01T00:00:00Z..2099-12-31T23:59:59Z',
      'audit record timestamp "99999999999.000" is not a time in 1990-01-01T00:00:00Z..2099-12-31T23:59:59Z',
    ]);
  });

  test('interleaved events and an identical record delivered twice', () => {
    const a = EXECVE_EVENT;
    const b = CONNECT_EVENT;
    const lines = [a[0], b[0], a[1], b[1], a[3], a[3], b[2], a[2], a[4], b[3], a[5], a[6]];
    const r = run(lines);
    expect(r.counts).toEqual({ received: 12, documents: 2, dropped: 10, failed: 0 });
    const [x, y] = r.documents;
    expect(x.process?.args).toEqual(['sudo', '-i', 'rm -rf /tmp/x y']);
    expect(Object.keys(x.auditd!.records as object)).toHaveLength(7);
    expect(y).toMatchObject({ destination: { ip: '198.51.100.7', port: 443 }, user: { id: '1000', name: 'alice' }, event: { action: 'connect' } });
  });

  test('a message with records of two events is one failure, not a silent loss', () => {
    const r = run([`${EXECVE_EVENT[0]}\n${CONNECT_EVENT[0]}`]);
    expect(r.counts.failed).toBe(1);
    expect(r.failures[0].error?.message).toContain('several audit events');
    const ok = run([`${EXECVE_EVENT[0]}\n${EXECVE_EVENT[1]}`]);
    expect(ok.documents[0].process?.args).toHaveLength(3);
  });

  test('SELinux AVC event: decision, contexts, outcome', () => {
    const d = run(AVC_EVENT).documents[0];
    expectValid(d);
    expect(d).toMatchObject({
      event: { action: 'avc', category: ['file', 'intrusion_detection'], type: ['access', 'denied'], outcome: 'failure' },
      auditd: {
        avc: { result: 'denied', permissions: ['write'], tclass: 'dir', permissive: false, scontext: { type: 'httpd_t' }, tcontext: { type: 'httpd_sys_content_t', role: 'object_r' } },
        syscall: 'mkdir', exit: -13, result: 'fail',
      },
      file: { path: '/var/www/uploads/new' },
    });
  });
});

/** Facts of a document: what must survive a split; fields documented as per-part are left out. */
function facts(doc: TributaryDocument): Json {
  const d = structuredClone(doc) as unknown as Record<string, Record<string, unknown>>;
  delete d.auditd.record_types; // per part by design (auditd.records keys are the complete list)
  delete d.tributary.record_count; // counts the records of one part
  return d as unknown as Json;
}

function indexParts(parts: TributaryDocument[][]): Map<string, Json> {
  const store = new Map<string, Json>();
  for (const docs of parts)
    for (const d of docs) {
      expect(d.tributary?.merge).toBe(true);
      store.set(d.event.id!, opensearchMerge(store.get(d.event.id!), d as unknown as Json));
    }
  return store;
}

describe('auditd events split across batches merge like the unsplit event', () => {
  const whole = (lines: string[]) => facts(run(lines, CTX, 'whole').documents[0]);
  const split = (lines: string[], at: number, reverse = false) => {
    const p1 = run(lines.slice(0, at), CTX, 'part1').documents;
    const p2 = run(lines.slice(at), CTX, 'part2').documents;
    const store = indexParts(reverse ? [p2, p1] : [p1, p2]);
    expect(store.size).toBe(1);
    return facts([...store.values()][0] as unknown as TributaryDocument);
  };

  test.each(EXECVE_EVENT.slice(1).map((_, i) => i + 1))('execve event split after record %i (both delivery orders)', (at) => {
    expect(split(EXECVE_EVENT, at)).toEqual(whole(EXECVE_EVENT));
    expect(split(EXECVE_EVENT, at, true)).toEqual(whole(EXECVE_EVENT));
  });

  test.each([2, 3, 5, 6])('AVC event split after record %i (main records together)', (at) => {
    expect(split(AVC_EVENT, at)).toEqual(whole(AVC_EVENT));
    expect(split(AVC_EVENT, at, true)).toEqual(whole(AVC_EVENT));
  });

  test.each([2, 3])('connect event split after record %i', (at) => {
    expect(split(CONNECT_EVENT, at)).toEqual(whole(CONNECT_EVENT));
  });

  test('documented limits: AVC apart from its SYSCALL, SOCKADDR apart from its SYSCALL', () => {
    // Classification is the last-written part's: the SYSCALL part (mkdir) when it comes second.
    const avc = split(AVC_EVENT, 1) as { event: { action: string }; auditd: { avc: { result: string }; records: object } };
    expect(avc.event.action).toBe('mkdir');
    expect(avc.auditd.avc.result).toBe('denied');
    expect(Object.keys(avc.auditd.records)).toHaveLength(AVC_EVENT.length);
    // Without the syscall, a SOCKADDR part cannot say which side the address is: auditd.socket only.
    const conn = split(CONNECT_EVENT, 1) as { destination?: unknown; auditd: { socket: { address: string } } };
    expect(conn.destination).toBeUndefined();
    expect(conn.auditd.socket.address).toBe('198.51.100.7');
  });

  test('PATH records split: a part that is not sure of the file writes no file.*', () => {
    const p2only = run(AVC_EVENT.slice(4), CTX, 'p').documents[0];
    expect(p2only.file).toBeUndefined(); // item 1 alone: item 0 might be the object
    // PARENT item 0 | CREATE item 1: neither part is sure, so the merge has no file.* (less, never wrong).
    const merged = split(AVC_EVENT, 4) as Record<string, unknown>;
    const { file, ...rest } = whole(AVC_EVENT) as Record<string, unknown>;
    expect(file).toMatchObject({ path: '/var/www/uploads/new' });
    expect(merged).toEqual(rest);
  });

  test('the same part delivered twice (at-least-once) changes nothing', () => {
    const p = run(EXECVE_EVENT, CTX, 'again').documents;
    const store = indexParts([p, p]);
    expect(facts([...store.values()][0] as unknown as TributaryDocument)).toEqual(whole(EXECVE_EVENT));
  });
});

describe('auditd properties', () => {
  const token = fc.oneof(
    fc.constantFrom('type=', 'msg=audit(', '):', 'node=', 'avc:', '{', '}', ' for ', "msg='", "'", '"', '=', ' ', '\u001d', '(', ')', 'UNKNOWN[', ']', '\n', 'a0_len=', 'a0[0]=', 'saddr=', 'proctitle=', 'EOE', 'SYSCALL', 'PATH', 'item=', 'nametype=PARENT', 'items=2'),
    fc.string({ maxLength: 12 }),
    fc.stringMatching(/^[0-9A-F]{0,16}$/),
    fc.integer({ min: 0, max: 2 ** 32 }).map(String),
  );
  const junk = fc.array(token, { maxLength: 30 }).map((a) => a.join(''));
  const record = fc
    .tuple(
      fc.constantFrom('SYSCALL', 'PATH', 'CWD', 'EXECVE', 'PROCTITLE', 'AVC', 'USER_AVC', 'USER_LOGIN', 'SOCKADDR', 'EOE', 'UNKNOWN[1400]', 'SECCOMP', 'SELINUX_ERR'),
      fc.integer({ min: 1, max: 3 }),
      junk,
      fc.option(fc.constantFrom('h1', 'h2')),
    )
    .map(([t, serial, body, node]) => `${node ? `node=${node} ` : ''}type=${t} msg=audit(1764026400.100:${serial}): ${body}`);
  const line = fc.oneof(junk, record, fc.constantFrom(...EXECVE_EVENT, ...AVC_EVENT, ...CONNECT_EVENT));

  test('never throws; every index accounted exactly once; documents valid', () => {
    fc.assert(
      fc.property(fc.array(line, { maxLength: 25 }), (lines) => {
        const out: Outcome[] = auditdParser.parse(events(lines), CTX);
        const seen = new Array<number>(lines.length).fill(0);
        for (const o of out) {
          const idx = o.kind === 'document' ? o.indices : [o.index];
          if (o.kind === 'document') expect(o.indices.length).toBeGreaterThan(0);
          if (o.kind === 'failure') expect(o.message.length).toBeGreaterThan(0);
          for (const i of idx) seen[i]++;
        }
        expect(seen.every((n) => n === 1)).toBe(true);
        const r = normalize({ events: events(lines), context: CTX, source: 'auditd' }, { now: NOW });
        expect(r.counts.received).toBe(r.counts.documents + r.counts.dropped + r.counts.failed);
        expect(r.failures.filter((f) => f.error?.type === 'parser_bug')).toEqual([]);
        for (const d of [...r.documents, ...r.failures]) expectValid(d);
      }),
      { numRuns: runs(300) },
    );
  });

  test('any split of a batch merges to the facts of the whole batch when splits keep main records whole', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: EXECVE_EVENT.length - 1 }), fc.boolean(), (at, reverse) => {
        const whole = facts(run(EXECVE_EVENT, CTX, 'w').documents[0]);
        const p1 = run(EXECVE_EVENT.slice(0, at), CTX, 'p1').documents;
        const p2 = run(EXECVE_EVENT.slice(at), CTX, 'p2').documents;
        const store = indexParts(reverse ? [p2, p1] : [p1, p2]);
        expect(facts([...store.values()][0] as unknown as TributaryDocument)).toEqual(whole);
      }),
      { numRuns: runs(30) },
    );
  });
});
