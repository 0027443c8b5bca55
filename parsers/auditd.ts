/**
 * Linux audit (auditd) and SELinux parser with multi-record event reassembly.
 *
 * Input: one audit record per raw event, as auditd writes `/var/log/audit/audit.log` (RAW or
 * ENRICHED `log_format`) and the CloudWatch agent ships it line by line:
 * ```
 * node=web-1 type=SYSCALL msg=audit(1481076984.827:17): arch=c000003e syscall=59 success=yes exit=0 ... comm="ls" exe="/usr/bin/ls" key=(null)
 * ```
 * Output: ONE document per audit event, i.e. per (node, timestamp, serial): SYSCALL + CWD + PATH×n
 * + EXECVE + PROCTITLE + SOCKADDR + AVC + EOE... become one document whose outcome lists the
 * indices of all its records. Records of different events may be interleaved; EOE closes an event.
 *
 * ## Merge semantics (events split across batches)
 * A multi-record event can arrive in two batches (CloudWatch subscriptions cut anywhere). So:
 * - `event.id` is deterministic: `stableId('linux.audit', host, '<sec>.<ms>', serial)` where host is
 *   the `node=` value, else the log stream (the CloudWatch agent names streams after the instance),
 *   else empty. Every document is emitted with `merge: true`: the indexer writes it with
 *   `update` + `doc_as_upsert`, a deep merge of objects in which a later part REPLACES arrays and
 *   scalars it also carries.
 * - Per-record data never collides: `auditd.records` (flat_object) is keyed by record type
 *   (`SYSCALL`, `CWD`, `EXECVE`, `PROCTITLE`, `EOE`...), PATH by item (`PATH_0`, `PATH_1`), repeatable
 *   types by a hash of the record body (`AVC_1a2b3c4d`): the union of both parts is complete, and an
 *   identical record re-sent by the agent lands on the same key (deduplicated).
 * - Every other field has ONE owning record type, so a part only writes fields its own records
 *   determine: SYSCALL owns `process.pid/parent/name/executable/tty/*user/*group`, `user.id`,
 *   `auditd.syscall/arch/exit/items/key/session/subject`; CWD owns `process.working_directory`;
 *   EXECVE owns `process.args/args_count/command_line`; PROCTITLE owns `process.title` (never
 *   `process.args`: the title is truncated to 128 bytes and would overwrite EXECVE's full list);
 *   PATH owns `file.*`, written only by a part that holds every lower item (so it is sure which item
 *   is the object); SOCKADDR owns `auditd.socket` (and `source`/`destination` when the SYSCALL is in
 *   the same part, since only the syscall says which side the address is); AVC owns `auditd.avc`.
 *   Arrays (`related.user`, `related.ip`, `process.args`, `auditd.key`...) are each owned by one
 *   record type, so a later part never replaces them with a shorter list.
 * - Classification (`event.action/category/type/outcome`, `auditd.result`) comes only from a part
 *   that holds the event's main record (SYSCALL or a non-auxiliary record such as AVC, USER_LOGIN).
 *   A part of auxiliary records only (CWD, PATH, PROCTITLE, EXECVE, SOCKADDR, EOE...) sets none of
 *   them, so SYSCALL | trailing-records splits merge to exactly the unsplit document.
 * - `auditd.record_types` (an array) lists the types of THIS part only; after a merge it is the last
 *   part's list, and the keys of `auditd.records` are the complete list.
 * Known limits (tested in test/unit/auditd.test.ts): if an event's main records themselves are
 * split (AVC in one batch, its SYSCALL in the next), classification is the last-written part's and
 * with several AVC records split apart, `auditd.avc` is the deep merge of the parts' summaries (every
 * AVC stays whole in `auditd.records`);
 * a SOCKADDR apart from its SYSCALL gives `auditd.socket` but no `source`/`destination`; PATH
 * records split before the object item give no `file.*` (less, never wrong);
 * `tributary.record_count` counts the records of the last part; an EXECVE argument whose chunks
 * continue in a record of the next delivery keeps what the first part had (tagged
 * `execve_args_truncated`): the continuation alone does not know the argument list, so it sets none.
 * Merge of the whole set is idempotent: re-delivered parts rewrite the same values.
 *
 * Pure: no I/O, no clock; never throws (a line that cannot be parsed is a per-record failure).
 */
import { isIP } from 'node:net';
import { stableId } from './ids';
import { EVENT_TIME_WINDOW, isoFromMillis } from './time';
import { ARCHES, AUXILIARY, REPEATABLE, syscallName } from './auditd-tables';
import { type AuditRecord, type FieldMap, type FieldValue, isHex, scanRecord } from './auditd-scan';
import { DATASETS, type Fields, type Outcome, type ParseContext, type Parser, type ParserMeta, type RawEvent } from './types';

type Doc = Fields & {
  event: NonNullable<Fields['event']>;
  auditd: NonNullable<Fields['auditd']>;
};
type Auditd = Doc['auditd'];
type Ctx = NonNullable<Auditd['avc']>['scontext'];

interface Group {
  host: string;
  records: AuditRecord[];
  keys: string[];
  indices: number[];
  seen: Map<string, string>;
}

/** The auditd batch parser: reassembles multi-record events (see the file header for merge rules). */
export const auditdParser: Parser = {
  source: 'auditd',
  parse(events, ctx) {
    return parseBatch(events, ctx);
  },
  sliceKeys,
};

const HEADER = 'msg=audit(';

/**
 * The `<stamp>:<serial>` of every `msg=audit(...)` in a message (serial without leading zeros, as the
 * parser reads it: a number): a superset of what `eventKey` groups by (that key adds the node, so two
 * nodes' events with one stamp are tied here, which only means fewer cuts). Everything `parseBatch`
 * carries from one event to another (open and closed groups, re-sent records) is keyed by `eventKey`,
 * so a batch cut where no key has events on both sides parses to the same outcomes, in the same order
 * (documents in the order their first record came, failures in event order).
 * @example sliceKeys({ message: 'type=CWD msg=audit(1364481363.243:0024): cwd="/root"', key: 'k' }) // ['1364481363.243:24']
 */
function sliceKeys(event: RawEvent): string[] {
  const m = event.message;
  const keys: string[] = [];
  for (let i = m.indexOf(HEADER); i >= 0; ) {
    const close = m.indexOf(')', i + HEADER.length);
    if (close < 0) break;
    const text = m.slice(i + HEADER.length, close);
    const colon = text.indexOf(':');
    keys.push(colon < 0 ? text : text.slice(0, colon + 1) + text.slice(colon + 1).replace(/^0+(?=\d)/, ''));
    i = m.indexOf(HEADER, close);
  }
  return keys;
}

function parseBatch(events: readonly RawEvent[], ctx: ParseContext): Outcome[] {
  const out: Outcome[] = [];
  const open = new Map<string, Group>();
  const closed = new Map<string, Group>();
  const groups: Group[] = [];
  const fallbackHost = ctx.logStream ?? '';
  for (let index = 0; index < events.length; index++) {
    const message = events[index].message;
    const lines = message.indexOf('\n') >= 0 ? message.split('\n') : [message];
    const recs: AuditRecord[] = [];
    let error: string | undefined;
    for (const line of lines) {
      const r = scanRecord(line);
      if (typeof r === 'string') {
        if (r !== 'blank') {
          error = r;
          break;
        }
      } else recs.push(r);
    }
    if (error !== undefined) {
      out.push({ kind: 'failure', index, message: error });
      continue;
    }
    if (!recs.length) {
      out.push({ kind: 'drop', index, reason: 'blank' });
      continue;
    }
    // The event time is required (it is also the event's identity): outside the window, a failure.
    const bad = recs.find((r) => isoFromMillis(r.millis) === undefined);
    if (bad) {
      out.push({ kind: 'failure', index, message: `audit record timestamp "${bad.stamp.slice(0, 40)}" is not a time in ${EVENT_TIME_WINDOW}` });
      continue;
    }
    const key = eventKey(recs[0], fallbackHost);
    if (recs.length > 1 && recs.some((r) => eventKey(r, fallbackHost) !== key)) {
      out.push({ kind: 'failure', index, message: 'message holds records of several audit events; expected one record (line) per log event' });
      continue;
    }
    let g = open.get(key);
    if (!g) {
      // The agent re-sent records that an event closed earlier in this batch already holds: they join
      // that part (a merged drop), not a new part that would repeat it. New records open a new part.
      const done = closed.get(key);
      const probe = done && new Map(done.seen);
      if (done && probe && recs.every((r) => recordKey(r, probe) === undefined)) {
        done.indices.push(index);
        continue;
      }
      g = { host: recs[0].node ?? fallbackHost, records: [], keys: [], indices: [], seen: new Map() };
      open.set(key, g);
      groups.push(g);
    }
    g.indices.push(index);
    for (const r of recs) {
      const k = recordKey(r, g.seen);
      if (k === undefined) continue; // the very same record twice (agent re-send): keep one
      g.records.push(r);
      g.keys.push(k);
      if (r.type === 'EOE') {
        open.delete(key);
        closed.set(key, g);
      }
    }
  }
  for (const g of groups) out.push({ kind: 'document', fields: buildEvent(g), indices: g.indices, merge: true });
  return out;
}

const eventKey = (r: AuditRecord, fallbackHost: string) => `${r.node ?? fallbackHost}\u0000${r.stamp}\u0000${r.serial}`;

/** FNV-1a 32-bit, hex: a short, stable key suffix for repeated record types. */
function fnv(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

/** Key of a record in `auditd.records`; undefined when the identical record is already there. */
function recordKey(r: AuditRecord, seen: Map<string, string>): string | undefined {
  const t = r.type.charCodeAt(r.type.length - 1) === 93 ? r.type.replace('[', '_').replace(']', '') : r.type;
  let k = t;
  if (t === 'PATH' && typeof r.fields.item === 'string' && /^\d{1,4}$/.test(r.fields.item)) k = `PATH_${r.fields.item}`;
  else if (REPEATABLE.has(t)) k = `${t}_${fnv(r.body)}`;
  const prev = seen.get(k);
  if (prev !== undefined) {
    if (prev === r.body) return undefined;
    k = `${k}_${fnv(r.body)}`;
    if (seen.has(k)) return undefined;
  }
  seen.set(k, r.body);
  return k;
}

// ---------------------------------------------------------------------------------------------
// Document building

const UNSET = new Set(['4294967295', '-1', 'unset', '(none)', '?', '(null)', '']);
const str = (v: FieldValue | undefined): string | undefined => (typeof v === 'string' ? v : undefined);
const val = (v: FieldValue | undefined): string | undefined => {
  const s = str(v);
  return s === undefined || UNSET.has(s) ? undefined : s;
};
const int = (v: FieldValue | undefined): number | undefined => {
  if (typeof v !== 'string' || v.length === 0 || v.length > 19) return undefined;
  for (let i = v.charCodeAt(0) === 45 /* - */ && v.length > 1 ? 1 : 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c < 48 || c > 57) return undefined;
  }
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : undefined;
};
const nested = (v: FieldValue | undefined): FieldMap | undefined => (typeof v === 'object' ? v : undefined);

function buildEvent(g: Group): Fields {
  const first = g.records[0];
  const doc: Doc = {
    '@timestamp': isoFromMillis(first.millis),
    event: { id: stableId('linux.audit', g.host, first.stamp, String(first.serial)), sequence: first.serial },
    auditd: { sequence: first.serial },
  };
  if (first.node) doc.host = { name: first.node };

  const types: string[] = [];
  const records: Record<string, unknown> = {};
  let syscall: AuditRecord | undefined;
  let primary: AuditRecord | undefined;
  let avc: AuditRecord | undefined;
  const paths: AuditRecord[] = [];
  const byType = new Map<string, AuditRecord>();
  g.records.forEach((r, i) => {
    if (!types.includes(r.type)) types.push(r.type);
    // A copy even without an enriched part: a record's fields are written by key as they are read,
    // so one of more than a dozen (SYSCALL: ~35) is a slow dictionary; its copy is a fast object,
    // which serialization and redaction walk faster than the copy costs.
    records[g.keys[i]] = r.enriched ? { ...r.fields, enriched: r.enriched } : { ...r.fields };
    if (!byType.has(r.type)) byType.set(r.type, r);
    if (r.type === 'SYSCALL') syscall ??= r;
    else if (r.type === 'PATH') paths.push(r);
    else if (!primary && !AUXILIARY.has(r.type)) primary = r;
    if ((r.type === 'AVC' || r.type === 'USER_AVC') && !avc) avc = r;
  });
  doc.auditd.record_types = types;
  doc.auditd.records = records;
  primary ??= syscall;

  // Context of the main record first, then the SYSCALL (the kernel's view wins where both speak).
  if (primary && primary !== syscall) applyCommon(doc, primary);
  if (syscall) applySyscall(doc, syscall);
  const cwd = byType.get('CWD');
  if (cwd) setIf(proc(doc), 'working_directory', val(cwd.fields.cwd));
  // A long command line fills several EXECVE records of the same event (the kernel opens a new one
  // when ~7.5 KB of argument text is reached): read them together, in arrival order.
  const execves = g.records.filter((r) => r.type === 'EXECVE');
  if (execves.length) applyExecve(doc, execves);
  const title = byType.get('PROCTITLE');
  if (title) applyProctitle(doc, title.fields.proctitle);
  if (paths.length) applyPath(doc, paths, syscall ? int(syscall.fields.items) : undefined);
  const sock = byType.get('SOCKADDR');
  if (sock) applySockaddr(doc, sock, syscall);
  if (avc) applyAvc(doc, avc);
  const selinuxErr = byType.get('SELINUX_ERR') ?? byType.get('USER_SELINUX_ERR');
  if (selinuxErr) applySelinuxErr(doc, selinuxErr);
  const macStatus = byType.get('MAC_STATUS');
  if (macStatus) applyMacStatus(doc, macStatus);
  const macConfig = byType.get('MAC_CONFIG_CHANGE');
  if (macConfig) applyMacConfigChange(doc, macConfig);
  const seccomp = byType.get('SECCOMP');
  if (seccomp) applySeccomp(doc, seccomp);
  if (primary) classify(doc, primary, syscall);
  if (primary?.type === 'MAC_STATUS' || primary?.type === 'MAC_CONFIG_CHANGE') doc.event.action = SELINUX_ACTIONS[primary.type];
  if (doc.process && !Object.keys(doc.process).length) delete doc.process;
  if (doc.user && !Object.keys(doc.user).length) delete doc.user;
  return doc;
}

function setIf<T extends object, K extends keyof T>(o: T, k: K, v: T[K] | undefined): void {
  if (v !== undefined) o[k] = v;
}
const proc = (doc: Doc) => (doc.process ??= {});
const user = (doc: Doc) => (doc.user ??= {});

function context(v: FieldValue | undefined): Ctx | undefined {
  const s = val(v);
  if (!s) return undefined;
  const a = s.indexOf(':');
  const b = a < 0 ? -1 : s.indexOf(':', a + 1);
  const c = b < 0 ? -1 : s.indexOf(':', b + 1);
  if (b < 0) return undefined; // not user:role:type[:level]
  const out: NonNullable<Ctx> = { user: s.slice(0, a), role: s.slice(a + 1, b), type: c < 0 ? s.slice(b + 1) : s.slice(b + 1, c) };
  if (c >= 0) out.level = s.slice(c + 1);
  return out;
}

const ID_FIELDS: ReadonlyArray<readonly [string, 'user' | 'real_user' | 'saved_user' | 'group' | 'real_group' | 'saved_group', string]> = [
  ['euid', 'user', 'EUID'], ['uid', 'real_user', 'UID'], ['suid', 'saved_user', 'SUID'],
  ['egid', 'group', 'EGID'], ['gid', 'real_group', 'GID'], ['sgid', 'saved_group', 'SGID'],
];
const RELATED_IDS: ReadonlyArray<readonly [string, string]> = [['auid', 'AUID'], ['uid', 'UID'], ['euid', 'EUID'], ['suid', 'SUID'], ['fsuid', 'FSUID']];

/** auid, uids, gids, session, pid, comm, exe, tty, subj, key: shared by kernel and user records. */
function applyIds(doc: Doc, f: FieldMap, enriched: Record<string, string> | undefined): void {
  const p = proc(doc);
  // ECS (as Elastic's auditd module): the login uid that survives su/sudo is `user.audit.*`; `user.*`
  // is the real uid the process ran as; user-space records about an account override it (`applyCommon`).
  const auid = val(f.auid) ?? val(f['new-auid']);
  if (auid) {
    const audit: { id: string; name?: string } = { id: auid };
    const auName = enriched?.AUID;
    if (auName && !UNSET.has(auName)) audit.name = auName;
    user(doc).audit = audit;
  }
  const uid = val(f.uid);
  if (uid !== undefined) {
    user(doc).id = uid;
    const uName = enriched?.UID;
    if (uName && !UNSET.has(uName)) user(doc).name = uName;
  }
  for (const [k, target, upper] of ID_FIELDS) {
    const id = val(f[k]);
    if (id === undefined) continue;
    const e: { id?: string; name?: string } = { id };
    const name = enriched?.[upper];
    if (name && !UNSET.has(name)) e.name = name;
    p[target] = e;
  }
  const euid = val(f.euid);
  if (euid !== undefined) user(doc).effective = p.user?.name ? { id: euid, name: p.user.name } : { id: euid };
  setIf(doc.auditd, 'session', val(f.ses) ?? val(f['new-ses']));
  setIf(p, 'pid', int(f.pid));
  const ppid = int(f.ppid);
  if (ppid !== undefined) p.parent = { pid: ppid };
  setIf(p, 'name', val(f.comm));
  setIf(p, 'executable', val(f.exe));
  const tty = str(f.tty);
  if (tty !== undefined) {
    p.interactive = !UNSET.has(tty);
    if (p.interactive) p.tty = { name: tty };
  }
  const subj = context(f.subj);
  if (subj) doc.auditd.subject = subj;
  const key = val(f.key);
  if (key) doc.auditd.key = key.split('\u0001').filter(Boolean);
  if (!Object.keys(p).length) delete doc.process;
}

function applySyscall(doc: Doc, r: AuditRecord): void {
  const f = r.fields;
  applyIds(doc, f, r.enriched);
  const related = new Set<string>();
  for (const [k, upper] of RELATED_IDS) {
    const id = val(f[k]);
    if (id !== undefined) related.add(id);
    const name = r.enriched?.[upper];
    if (name && !UNSET.has(name)) related.add(name);
  }
  if (related.size) doc.related = { ...doc.related, user: [...related] };
  const a = doc.auditd;
  const archHex = str(f.arch);
  const arch = r.enriched?.ARCH ?? (archHex ? ARCHES[archHex.toLowerCase()] ?? archHex : undefined);
  setIf(a, 'arch', arch);
  const nr = int(f.syscall);
  const name = r.enriched?.SYSCALL ?? (nr !== undefined ? syscallName(arch, nr) : undefined) ?? str(f.syscall);
  setIf(a, 'syscall', name);
  setIf(a, 'exit', int(f.exit));
  setIf(a, 'items', int(f.items));
  // exit/exit_group never return: their first argument IS the process exit code.
  if ((name === 'exit_group' || name === 'exit') && typeof f.a0 === 'string' && /^[0-9a-f]{1,8}$/i.test(f.a0))
    proc(doc).exit_code = parseInt(f.a0, 16) | 0;
}

/** A non-SYSCALL main record (user-space, AVC, CONFIG_CHANGE, ANOM_*, DAEMON_*...). */
function applyCommon(doc: Doc, r: AuditRecord): void {
  const f = r.fields;
  applyIds(doc, f, r.enriched);
  const a = doc.auditd;
  setIf(a, 'op', val(f.op));
  const sig = int(f.sig);
  if (sig !== undefined && r.type !== 'SECCOMP') a.signal = sig;
  const m = nested(f.msg);
  if (!m) return;
  // User-space record: the nested msg='...' carries the operation details.
  setIf(a, 'op', val(m.op));
  setIf(a, 'terminal', val(m.terminal));
  setIf(proc(doc), 'executable', val(m.exe));
  setIf(proc(doc), 'name', val(m.comm));
  setIf(proc(doc), 'working_directory', val(m.cwd));
  setIf(a, 'command', val(m.cmd));
  const addr = val(m.addr);
  const host = val(m.hostname);
  if (addr && isIP(addr)) doc.source = { ip: addr, address: addr };
  if (host && host !== addr) doc.source = { ...doc.source, domain: host, address: doc.source?.address ?? host };
  if (doc.source?.ip) doc.related = { ...doc.related, ip: [doc.source.ip] };
  const unit = val(m.unit);
  if (unit) doc.service = { name: unit };
  const acct = val(m.acct);
  const id = val(m.id);
  if (IAM_USER.has(r.type)) {
    const target: { id?: string; name?: string } = {};
    setIf(target, 'id', id);
    setIf(target, 'name', acct);
    if (Object.keys(target).length) user(doc).target = target;
  } else if (IAM_GROUP.has(r.type)) {
    const grp: { id?: string; name?: string } = {};
    setIf(grp, 'id', id);
    setIf(grp, 'name', val(m.grp) ?? acct);
    if (Object.keys(grp).length) doc.group = grp;
  } else if (acct || id) {
    // The account the record is about (the one logging in, authenticating, starting a session), not
    // the uid of the daemon that wrote the record: `acct`, else `id` and its enriched name (`ID=`).
    const who: { id?: string; name?: string; audit?: { id?: string; name?: string } } = { audit: doc.user?.audit };
    if (id) who.id = id;
    const idName = id ? r.enriched?.ID : undefined;
    if (acct) who.name = acct;
    else if (idName && !UNSET.has(idName)) who.name = idName;
    // A successful login by uid alone: the login uid's name is the account's when both are the same uid.
    else if (id && doc.user?.audit?.id === id && doc.user.audit.name) who.name = doc.user.audit.name;
    if (!who.audit) delete who.audit;
    // The record's uid= is the daemon's (sshd runs as root): it says nothing about this account.
    const { id: _uid, name: _uname, ...rest } = doc.user ?? {};
    doc.user = { ...rest, ...who };
  }
  const users = [doc.user?.id, doc.user?.name, doc.user?.audit?.id, doc.user?.audit?.name].filter((x, i, a): x is string => !!x && a.indexOf(x) === i);
  if (users.length) doc.related = { ...doc.related, user: users };
}

const IAM_USER = new Set(['ADD_USER', 'DEL_USER', 'USER_MGMT', 'USER_CHAUTHTOK', 'ROLE_ASSIGN', 'ROLE_REMOVE', 'ACCT_LOCK', 'ACCT_UNLOCK']);
const IAM_GROUP = new Set(['ADD_GROUP', 'DEL_GROUP', 'GRP_MGMT', 'GRP_CHAUTHTOK']);

/**
 * Bound on the decoded argument text of one event. The kernel caps argv at a quarter of the stack
 * limit (2 MiB by default) and every line is already bounded by the reader (`maxLineBytes` in
 * lib/core/limits.ts); this keeps one event from holding more than that, whatever the records say.
 */
export const MAX_EXECVE_ARG_BYTES = 2 * 1024 * 1024;
const MAX_EXECVE_ARGS = 100_000;

/**
 * `process.args` from the EXECVE records of one event (Linux `audit_log_execve_info()`):
 * `a<n>="text"` or `a<n>=<HEX>` whole, or, for an argument that did not fit the record,
 * `a<n>_len=<L> a<n>[0]=... a<n>[1]=...` chunks, which may continue in the event's next EXECVE
 * record (same `audit(ts:serial)`, no `argc`). Chunks are joined as bytes, then decoded once, so a
 * UTF-8 character cut between two chunks survives. An argument whose chunks stop early (a lost or
 * not yet delivered record, `a<n>_len` longer than what arrived) or past `MAX_EXECVE_ARG_BYTES`
 * is kept as far as it arrived, and the event is tagged `execve_args_truncated`.
 * @example a1_len=6 a1[0]=6865 a1[1]=6C6C6F... → process.args[1] 'hello'
 */
function applyExecve(doc: Doc, records: readonly AuditRecord[]): void {
  const get = (key: string): string | undefined => {
    for (const r of records) {
      const v = str(r.fields[key]);
      if (v !== undefined) return v;
    }
    return undefined;
  };
  const argc = int(get('argc'));
  // A part holding only the continuation of an argument (its first EXECVE record went to another
  // delivery) does not know the argument list: it sets nothing, so the merge keeps the full part's.
  if (argc === undefined && get('a0') === undefined && get('a0[0]') === undefined) return;
  const n = argc !== undefined ? Math.min(argc, MAX_EXECVE_ARGS) : countArgs(get);
  const args: string[] = [];
  let budget = MAX_EXECVE_ARG_BYTES;
  let truncated = false;
  for (let k = 0; k < n && !truncated; k++) {
    const whole = get(`a${k}`);
    if (whole !== undefined) {
      if (whole.length > budget) {
        args.push(whole.slice(0, budget));
        truncated = true;
        break;
      }
      budget -= whole.length;
      args.push(whole);
      continue;
    }
    const parts: Buffer[] = [];
    let logged = 0;
    for (let j = 0; j < MAX_EXECVE_ARGS; j++) {
      const piece = get(`a${k}[${j}]`);
      if (piece === undefined) break;
      logged += piece.length;
      const bytes = isHex(piece) ? Buffer.from(piece, 'hex') : Buffer.from(piece, 'utf8');
      if (bytes.length > budget) {
        parts.push(bytes.subarray(0, budget));
        truncated = true;
        break;
      }
      budget -= bytes.length;
      parts.push(bytes);
    }
    if (!parts.length) {
      truncated = true; // the record holding this argument was lost or cut: keep what we have
      break;
    }
    // `_len` is the logged length of the whole argument (hex digits for hex chunks): a hint only,
    // but when fewer characters arrived, chunks are missing.
    const expected = int(get(`a${k}_len`));
    if (expected !== undefined && logged < expected) truncated = true;
    args.push(Buffer.concat(parts).toString('utf8'));
  }
  if (args.length < n) truncated = true;
  const p = proc(doc);
  p.args = args;
  p.args_count = argc ?? args.length;
  p.command_line = args.join(' ');
  if (truncated) doc.tags = [...(doc.tags ?? []), 'execve_args_truncated'];
}

function countArgs(get: (key: string) => string | undefined): number {
  let n = 0;
  while (n < MAX_EXECVE_ARGS && (get(`a${n}`) !== undefined || get(`a${n}_len`) !== undefined || get(`a${n}[0]`) !== undefined)) n++;
  return n;
}

function applyProctitle(doc: Doc, v: FieldValue | undefined): void {
  const s = str(v);
  if (!s || UNSET.has(s)) return;
  // Hex proctitle decodes to argv with NUL separators (the scanner already decoded the hex).
  const title = s.split('\u0000').filter((x, i, a) => x !== '' || i < a.length - 1).join(' ').trimEnd();
  if (title) proc(doc).title = title;
}

const S_IFMT: Record<number, string> = {
  0o100000: 'file', 0o040000: 'dir', 0o120000: 'symlink', 0o020000: 'char_device', 0o060000: 'block_device',
  0o010000: 'fifo', 0o140000: 'socket',
};

/**
 * `file.*` from the PATH records. The object of the syscall is the first item that is not a PARENT
 * directory entry (as go-libaudit/Auditbeat: for rename() the DELETE item, the old name). A part
 * only writes `file.*` when it is SURE of that choice: every lower item is in this part (and, for
 * the all-PARENT fallback, every item the SYSCALL announced), so a merge never mixes two items.
 */
function applyPath(doc: Doc, paths: AuditRecord[], items: number | undefined): void {
  const item = (r: AuditRecord) => int(r.fields.item) ?? 0;
  const sorted = [...paths].sort((a, b) => item(a) - item(b));
  const present = new Set(sorted.map(item));
  const allBelow = (n: number) => {
    for (let j = 0; j < n; j++) if (!present.has(j)) return false;
    return true;
  };
  const kind = (r: AuditRecord) => str(r.fields.nametype) ?? str(r.fields.objtype);
  let pick = sorted.find((r) => kind(r) !== 'PARENT' && val(r.fields.name));
  if (pick && !allBelow(item(pick))) return;
  if (!pick) {
    if (items === undefined || !allBelow(items)) return;
    pick = sorted.find((r) => val(r.fields.name)) ?? sorted[0];
  }
  const f = pick.fields;
  const file: NonNullable<Fields['file']> = {};
  let name = val(f.name);
  if (name && name[0] !== '/') {
    // Relative name (an *at() syscall or a relative path): the PARENT item holds its directory.
    const dir = sorted.find((r) => r !== pick && kind(r) === 'PARENT' && val(r.fields.name)?.startsWith('/'));
    const d = dir && val(dir.fields.name);
    if (d) name = d.endsWith('/') ? d + name : `${d}/${name}`;
  }
  if (name) {
    file.path = name;
    const slash = name.lastIndexOf('/');
    const base = slash >= 0 ? name.slice(slash + 1) : name;
    if (base) file.name = base;
    if (slash > 0) file.directory = name.slice(0, slash);
    else if (slash === 0) file.directory = '/';
    const dot = base.lastIndexOf('.');
    if (dot > 0 && dot < base.length - 1) file.extension = base.slice(dot + 1);
  }
  setIf(file, 'inode', val(f.inode));
  setIf(file, 'device', val(f.dev));
  setIf(file, 'uid', val(f.ouid));
  setIf(file, 'gid', val(f.ogid));
  const owner = pick.enriched?.OUID;
  if (owner && !UNSET.has(owner)) file.owner = owner;
  const grp = pick.enriched?.OGID;
  if (grp && !UNSET.has(grp)) file.group = grp;
  const mode = str(f.mode);
  if (mode && /^[0-7]{1,8}$/.test(mode)) {
    const m = parseInt(mode, 8);
    file.mode = (m & 0o7777).toString(8).padStart(4, '0');
    setIf(file, 'type', S_IFMT[m & 0o170000]);
  }
  if (Object.keys(file).length) doc.file = file;
}

const TO_DESTINATION = new Set(['connect', 'sendto', 'sendmsg', 'sendmmsg']);
const TO_SOURCE = new Set(['accept', 'accept4', 'recvfrom', 'recvmsg', 'recvmmsg', 'getpeername', 'bind']);

function applySockaddr(doc: Doc, r: AuditRecord, syscall: AuditRecord | undefined): void {
  const hex = str(r.fields.saddr);
  if (!hex || !/^[0-9A-Fa-f]+$/.test(hex) || hex.length % 2) return;
  const sa = decodeSockaddr(Buffer.from(hex, 'hex'));
  if (!sa) return;
  doc.auditd.socket = sa;
  if (!syscall || !sa.address || !isIP(sa.address)) return;
  const name = doc.auditd.syscall ?? '';
  const side = TO_DESTINATION.has(name) ? 'destination' : TO_SOURCE.has(name) ? 'source' : undefined;
  if (!side) return;
  const ep: { ip: string; port?: number; address: string } = { ip: sa.address, address: sa.address };
  if (sa.port !== undefined) ep.port = sa.port;
  doc[side] = ep;
  doc.related = { ...doc.related, ip: [sa.address] };
  doc.network = { type: isIP(sa.address) === 6 ? 'ipv6' : 'ipv4' };
}

/** struct sockaddr as the kernel logs it (host byte order family; x86/arm are little-endian). */
export function decodeSockaddr(b: Buffer): { family: string; address?: string; port?: number } | undefined {
  if (b.length < 2) return undefined;
  const fam = b[0] | (b[1] << 8);
  if (fam === 2 && b.length >= 8) return { family: 'inet', port: (b[2] << 8) | b[3], address: `${b[4]}.${b[5]}.${b[6]}.${b[7]}` };
  if (fam === 10 && b.length >= 24) {
    const groups: string[] = [];
    for (let i = 8; i < 24; i += 2) groups.push(((b[i] << 8) | b[i + 1]).toString(16));
    return { family: 'inet6', port: (b[2] << 8) | b[3], address: compressV6(groups) };
  }
  if (fam === 1) {
    const rest = b.subarray(2);
    const abstract = rest[0] === 0;
    const body = abstract ? rest.subarray(1) : rest;
    const nul = body.indexOf(0);
    const path = (nul >= 0 ? body.subarray(0, nul) : body).toString('utf8');
    return path ? { family: 'unix', address: (abstract ? '@' : '') + path } : { family: 'unix' };
  }
  if (fam === 16) return { family: 'netlink' };
  if (fam === 0) return { family: 'unspec' };
  return { family: String(fam) };
}

function compressV6(g: string[]): string {
  // Longest run (>= 2) of zero groups becomes '::' (RFC 5952).
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === '0') j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (best < 0) return g.join(':');
  return `${g.slice(0, best).join(':')}::${g.slice(best + bestLen).join(':')}`;
}

function applyAvc(doc: Doc, r: AuditRecord): void {
  const f = r.type === 'USER_AVC' ? nested(r.fields.msg) ?? {} : r.fields;
  if (typeof f.apparmor === 'string') {
    const aa: NonNullable<Auditd['apparmor']> = { status: f.apparmor };
    setIf(aa, 'operation', val(f.operation));
    setIf(aa, 'profile', val(f.profile));
    setIf(aa, 'requested_mask', val(f.requested_mask));
    setIf(aa, 'denied_mask', val(f.denied_mask));
    setIf(aa, 'name', val(f.name));
    doc.auditd.apparmor = aa;
    return;
  }
  const avc: NonNullable<Auditd['avc']> = {};
  const result = str(f.avc_result);
  if (result === 'denied' || result === 'granted') avc.result = result;
  const perms = str(f.avc_permissions);
  if (perms) avc.permissions = perms.split(' ');
  const sc = context(f.scontext);
  if (sc) avc.scontext = sc;
  const tc = context(f.tcontext);
  if (tc) avc.tcontext = tc;
  setIf(avc, 'tclass', val(f.tclass));
  const permissive = str(f.permissive);
  if (permissive === '1' || permissive === '0') avc.permissive = permissive === '1';
  setIf(avc, 'name', val(f.name));
  setIf(avc, 'path', val(f.path));
  setIf(avc, 'dev', val(f.dev));
  setIf(avc, 'ino', val(f.ino));
  if (!avc.result) setIf(avc, 'message', str(f.text));
  doc.auditd.avc = avc;
  if (r.type === 'AVC' && !doc.process?.pid) {
    // A kernel AVC alone in this part: it still names the process.
    setIf(proc(doc), 'pid', int(f.pid));
    setIf(proc(doc), 'name', val(f.comm));
  }
}

function applySelinuxErr(doc: Doc, r: AuditRecord): void {
  const f = r.type === 'USER_SELINUX_ERR' ? nested(r.fields.msg) ?? r.fields : r.fields;
  const s: NonNullable<Auditd['selinux']> = {};
  const text = str(f.text);
  // Old kernels: "security_compute_sid:  invalid context a:b:c for scontext=..."; newer: op=... kv.
  let op = val(f.op);
  let reason = text;
  if (!op && text) {
    const sp = text.indexOf(' ');
    const head = sp < 0 ? text : text.slice(0, sp);
    if (head.endsWith(':')) {
      op = head.slice(0, -1);
      reason = sp < 0 ? undefined : text.slice(sp + 1).trim();
    }
  }
  // "invalid context a:b:c:s0 for" (the kv pairs follow "for").
  if (reason?.endsWith(' for')) reason = reason.slice(0, -4);
  if (reason?.startsWith('invalid context ')) {
    s.invalid_context = reason.slice(16).trim();
    reason = 'invalid context';
  }
  setIf(s, 'op', op);
  setIf(s, 'reason', reason ?? val(f.seresult));
  const sc = context(f.scontext);
  if (sc) s.scontext = sc;
  const tc = context(f.tcontext);
  if (tc) s.tcontext = tc;
  setIf(s, 'tclass', val(f.tclass));
  setIf(s, 'invalid_context', val(f.invalid_context));
  doc.auditd.selinux = { ...doc.auditd.selinux, ...s };
}

/** What `event.action` says of the SELinux state records (named as auditbeat names them, so queries carry over). */
const SELINUX_ACTIONS = { MAC_STATUS: 'changed-selinux-enforcement', MAC_CONFIG_CHANGE: 'changed-selinux-boolean' } as const;

/** SELinux mode from MAC_STATUS's `enforcing=` and `enabled=` (or their `old_` forms); `enabled=0` wins. */
function selinuxMode(enforcing: string | undefined, enabled: string | undefined): string | undefined {
  if (enabled === '0') return 'disabled';
  return enforcing === '1' ? 'enforcing' : enforcing === '0' ? 'permissive' : undefined;
}

/**
 * MAC_STATUS: the kernel's record of an SELinux enforcement change (`setenforce 0` writes 0 to
 * /sys/fs/selinux/enforce): `enforcing=0 old_enforcing=1 auid=1000 ses=2 enabled=1 old-enabled=1 lsm=selinux res=1`.
 * Switching to permissive or disabling SELinux turns the host's mandatory access control off,
 * so the document says so plainly: the old and new mode, and a message a person reads in an alert.
 * `event.action` is set after classification (`SELINUX_ACTIONS`).
 */
function applyMacStatus(doc: Doc, r: AuditRecord): void {
  const e = str(r.fields.enforcing);
  const o = str(r.fields.old_enforcing);
  const s: NonNullable<Auditd['selinux']> = { ...doc.auditd.selinux };
  if (e === '0' || e === '1') s.enforcing = e === '1';
  if (o === '0' || o === '1') s.old_enforcing = o === '1';
  setIf(s, 'mode', selinuxMode(e, str(r.fields.enabled)));
  setIf(s, 'old_mode', selinuxMode(o, str(r.fields['old-enabled'])));
  doc.auditd.selinux = s;
  if (s.mode) doc.message = s.old_mode && s.old_mode !== s.mode ? `SELinux mode changed from ${s.old_mode} to ${s.mode}` : `SELinux mode set to ${s.mode}`;
}

/**
 * MAC_CONFIG_CHANGE: an SELinux boolean changed at run time (`setsebool`):
 * `bool=httpd_can_network_connect val=1 old_val=0 auid=1000 ses=2`.
 */
function applyMacConfigChange(doc: Doc, r: AuditRecord): void {
  const name = val(r.fields.bool);
  if (!name) return;
  const b: NonNullable<NonNullable<Auditd['selinux']>['boolean']> = { name };
  const v = str(r.fields.val);
  const o = str(r.fields.old_val);
  if (v === '0' || v === '1') b.value = v === '1';
  if (o === '0' || o === '1') b.old_value = o === '1';
  doc.auditd.selinux = { ...doc.auditd.selinux, boolean: b };
  doc.message = `SELinux boolean ${name} set to ${v ?? '?'}${o !== undefined ? ` (was ${o})` : ''}`;
}

const SECCOMP_ACTIONS: Array<[number, string]> = [
  [0x80000000, 'kill_process'], [0x00000000, 'kill_thread'], [0x00030000, 'trap'], [0x00050000, 'errno'],
  [0x7fc00000, 'user_notif'], [0x7ff00000, 'trace'], [0x7ffc0000, 'log'], [0x7fff0000, 'allow'],
];

function applySeccomp(doc: Doc, r: AuditRecord): void {
  const f = r.fields;
  const sc: NonNullable<Auditd['seccomp']> = {};
  const code = str(f.code);
  if (code) {
    sc.code = code;
    const n = /^0x[0-9a-f]{1,8}$/i.test(code) ? parseInt(code, 16) >>> 0 : NaN;
    // SECCOMP_RET_ACTION_FULL is the top 16 bits.
    const act = SECCOMP_ACTIONS.find(([v]) => v === ((n & 0xffff0000) >>> 0));
    if (act) sc.action = act[1];
  }
  setIf(sc, 'signal', int(f.sig));
  doc.auditd.seccomp = sc;
  const archHex = str(f.arch);
  const arch = archHex ? ARCHES[archHex.toLowerCase()] ?? archHex : undefined;
  setIf(doc.auditd, 'arch', arch);
  const nr = int(f.syscall);
  setIf(doc.auditd, 'syscall', (nr !== undefined ? syscallName(arch, nr) : undefined) ?? str(f.syscall));
}

// ---------------------------------------------------------------------------------------------
// Classification

type Category = NonNullable<NonNullable<Fields['event']>['category']>[number];
type EType = NonNullable<NonNullable<Fields['event']>['type']>[number];

const TYPES: Record<string, [Category[], EType[]]> = {
  USER_AUTH: [['authentication'], ['info']],
  USER_ACCT: [['authentication'], ['access']],
  USER_LOGIN: [['authentication', 'session'], ['start']],
  USER_LOGOUT: [['authentication', 'session'], ['end']],
  LOGIN: [['authentication', 'session'], ['start']],
  USER_ERR: [['authentication'], ['info']], // ECS authentication types: start, end, info (the outcome says failure)
  CRED_ACQ: [['authentication'], ['info']],
  CRED_DISP: [['authentication'], ['info']],
  CRED_REFR: [['authentication'], ['info']],
  USER_START: [['session'], ['start']],
  USER_END: [['session'], ['end']],
  USER_CHAUTHTOK: [['iam'], ['user', 'change']],
  ADD_USER: [['iam'], ['user', 'creation']],
  DEL_USER: [['iam'], ['user', 'deletion']],
  USER_MGMT: [['iam'], ['user', 'change']],
  ACCT_LOCK: [['iam'], ['user', 'change']],
  ACCT_UNLOCK: [['iam'], ['user', 'change']],
  ROLE_ASSIGN: [['iam'], ['user', 'change']],
  ROLE_REMOVE: [['iam'], ['user', 'change']],
  USER_ROLE_CHANGE: [['iam'], ['user', 'change']],
  ADD_GROUP: [['iam'], ['group', 'creation']],
  DEL_GROUP: [['iam'], ['group', 'deletion']],
  GRP_MGMT: [['iam'], ['group', 'change']],
  GRP_CHAUTHTOK: [['iam'], ['group', 'change']],
  USER_CMD: [['process'], ['start']],
  USER_TTY: [['process'], ['info']],
  TTY: [['process'], ['info']],
  SERVICE_START: [['process'], ['start']],
  SERVICE_STOP: [['process'], ['end']],
  DAEMON_START: [['process'], ['start']],
  DAEMON_END: [['process'], ['end']],
  DAEMON_ABORT: [['process'], ['end']],
  DAEMON_CONFIG: [['configuration'], ['change']],
  DAEMON_RECONFIG: [['configuration'], ['change']],
  DAEMON_ROTATE: [['process'], ['info']],
  DAEMON_RESUME: [['process'], ['start']],
  SYSTEM_BOOT: [['host'], ['start']],
  SYSTEM_SHUTDOWN: [['host'], ['end']],
  SYSTEM_RUNLEVEL: [['host'], ['change']],
  CONFIG_CHANGE: [['configuration'], ['change']],
  USYS_CONFIG: [['configuration'], ['change']],
  NETFILTER_CFG: [['configuration', 'network'], ['change']],
  MAC_POLICY_LOAD: [['configuration'], ['change']],
  MAC_STATUS: [['configuration'], ['change']],
  MAC_CONFIG_CHANGE: [['configuration'], ['change']],
  SELINUX_ERR: [['configuration'], ['info']],
  USER_SELINUX_ERR: [['configuration'], ['info']],
  USER_MAC_POLICY_LOAD: [['configuration'], ['change']],
  USER_MAC_CONFIG_CHANGE: [['configuration'], ['change']],
  ANOM_ABEND: [['process'], ['end']],
  ANOM_PROMISCUOUS: [['host', 'network'], ['change']],
  ANOM_LINK: [['file', 'intrusion_detection'], ['denied']],
  ANOM_CREAT: [['file', 'intrusion_detection'], ['denied']],
  KERNEL: [['host'], ['info']],
  TIME_INJOFFSET: [['host'], ['change']],
  TIME_ADJNTPVAL: [['host'], ['change']],
  KERN_MODULE: [['driver'], ['change']],
  CRYPTO_KEY_USER: [['process'], ['info']],
  CRYPTO_SESSION: [['process'], ['info']],
  VIRT_CONTROL: [['host'], ['change']],
  VIRT_RESOURCE: [['host'], ['change']],
  VIRT_MACHINE_ID: [['host'], ['info']],
};

const FILE_CLASSES = new Set(['file', 'dir', 'lnk_file', 'chr_file', 'blk_file', 'sock_file', 'fifo_file', 'filesystem', 'anon_inode']);

function syscallClass(name: string): [Category[], EType[]] {
  switch (name) {
    case 'execve': case 'execveat': case 'fork': case 'vfork': case 'clone': case 'clone3':
      return [['process'], ['start']];
    case 'exit': case 'exit_group':
      return [['process'], ['end']];
    case 'kill': case 'tkill': case 'tgkill': case 'pidfd_send_signal': case 'ptrace':
    case 'setuid': case 'setgid': case 'setreuid': case 'setregid': case 'setresuid': case 'setresgid':
    case 'setfsuid': case 'setfsgid': case 'setgroups': case 'capset': case 'prctl':
      return [['process'], ['change']];
    case 'open': case 'openat': case 'openat2': case 'open_by_handle_at': case 'read': case 'pread64':
    case 'readv': case 'stat': case 'lstat': case 'fstat': case 'newfstatat': case 'statx': case 'access':
    case 'faccessat': case 'faccessat2': case 'readlink': case 'readlinkat': case 'getxattr': case 'lgetxattr':
    case 'fgetxattr': case 'listxattr': case 'llistxattr': case 'flistxattr': case 'getdents': case 'getdents64':
      return [['file'], ['access']];
    case 'creat': case 'mkdir': case 'mkdirat': case 'mknod': case 'mknodat': case 'link': case 'linkat':
    case 'symlink': case 'symlinkat': case 'mount': case 'memfd_create':
      return [['file'], ['creation']];
    case 'unlink': case 'unlinkat': case 'rmdir': case 'umount2':
      return [['file'], ['deletion']];
    case 'rename': case 'renameat': case 'renameat2': case 'chmod': case 'fchmod': case 'fchmodat': case 'fchmodat2':
    case 'chown': case 'fchown': case 'lchown': case 'fchownat': case 'truncate': case 'ftruncate': case 'write':
    case 'pwrite64': case 'writev': case 'setxattr': case 'lsetxattr': case 'fsetxattr': case 'removexattr':
    case 'lremovexattr': case 'fremovexattr': case 'utime': case 'utimes': case 'utimensat': case 'futimesat':
    case 'fallocate':
      return [['file'], ['change']];
    case 'connect': case 'accept': case 'accept4':
      return [['network'], ['connection', 'start']];
    case 'bind': case 'listen':
      return [['network'], ['start']];
    case 'socket': case 'sendto': case 'recvfrom': case 'sendmsg': case 'recvmsg': case 'sendmmsg': case 'recvmmsg':
    case 'getsockname': case 'getpeername': case 'setsockopt': case 'getsockopt': case 'shutdown':
      return [['network'], ['connection']];
    case 'init_module': case 'finit_module':
      return [['driver'], ['start']];
    case 'delete_module':
      return [['driver'], ['end']];
    case 'adjtimex': case 'settimeofday': case 'clock_settime': case 'clock_adjtime': case 'stime':
    case 'sethostname': case 'setdomainname':
      return [['host'], ['change']];
    case 'reboot':
      return [['host'], ['end']];
    case 'kexec_load': case 'kexec_file_load':
      return [['host'], ['change']];
    default:
      return [['process'], ['info']];
  }
}

function avcClass(doc: Doc, syscallName: string | undefined): [Category[], EType[]] {
  const a = doc.auditd.avc;
  const aa = doc.auditd.apparmor;
  let cat: Category[];
  if (syscallName) cat = syscallClass(syscallName)[0];
  else {
    const cls = a?.tclass ?? '';
    cat = FILE_CLASSES.has(cls) || (aa?.name ?? '').startsWith('/') ? ['file']
      : cls === 'security' ? ['configuration']
      : cls.endsWith('socket') || cls === 'node' || cls === 'netif' || cls === 'port' || cls === 'packet' || cls === 'association' ? ['network']
      : ['process'];
  }
  // An access decision of the mandatory access control: ECS expects `allowed`/`denied` only under
  // network, intrusion_detection (and api), so a file/process/configuration decision is also intrusion_detection.
  const decided = (c: Category[]): Category[] => (c.includes('network') ? c : [...c, 'intrusion_detection']);
  if (aa) {
    const st = aa.status?.toUpperCase();
    if (st === 'STATUS') return [['configuration'], ['change']];
    return [decided(cat), ['access', st === 'DENIED' ? 'denied' : 'allowed']];
  }
  // A permissive denial (`permissive=1`) was logged, not enforced: the access went through (`allowed`, as
  // its outcome says), `auditd.avc.permissive` flags it and `auditd.avc.result` keeps `denied` as logged.
  if (a?.result) return [decided(cat), ['access', a.result === 'denied' && a.permissive !== true ? 'denied' : 'allowed']];
  return [['configuration'], ['info']]; // e.g. "received setenforce notice"
}

const SUCCESS = new Set(['success', 'yes', '1']);
const FAILURE = new Set(['failed', 'fail', 'no', '0']);

function classify(doc: Doc, primary: AuditRecord, syscall: AuditRecord | undefined): void {
  const e = doc.event;
  const t = primary.type;
  const sys = syscall ? doc.auditd.syscall : undefined;
  let cls: [Category[], EType[]] | undefined;
  if (t === 'SYSCALL') {
    e.action = sys ?? 'syscall';
    cls = syscallClass(sys ?? '');
  } else {
    e.action = t.toLowerCase();
    if (t === 'AVC' || t === 'USER_AVC') cls = avcClass(doc, t === 'AVC' ? sys : undefined);
    else if (t === 'SECCOMP') {
      const act = doc.auditd.seccomp?.action;
      // A seccomp kill/errno is a denial; ECS expects `denied` under intrusion_detection (not process).
      cls = act === 'allow' || act === 'log' || act === undefined ? [['process'], ['info']] : [['process', 'intrusion_detection'], ['denied']];
    } else cls = TYPES[t];
  }
  // A record type without a known category stays uncategorized (ECS: leave the fields empty rather than guess).
  if (cls) {
    e.category = cls[0];
    e.type = cls[1];
  }

  // Outcome: the syscall says whether it succeeded; otherwise res= (user-space msg or kernel record).
  let ok: boolean | undefined;
  const success = str(syscall?.fields.success);
  if (success === 'yes' || success === 'no') ok = success === 'yes';
  // ANOM_* records end in a constant `res=1` that says nothing about an outcome.
  if (ok === undefined && !t.startsWith('ANOM_')) {
    const res = str(nested(primary.fields.msg)?.res) ?? str(primary.fields.res);
    if (res !== undefined && SUCCESS.has(res)) ok = true;
    else if (res !== undefined && FAILURE.has(res)) ok = false;
  }
  if (ok === undefined && (t === 'AVC' || t === 'USER_AVC')) {
    const avc = doc.auditd.avc;
    if (avc?.result) ok = avc.result === 'granted' || avc.permissive === true;
    else if (doc.auditd.apparmor?.status) ok = doc.auditd.apparmor.status.toUpperCase() !== 'DENIED';
  }
  if (ok === undefined && t === 'SECCOMP') {
    const act = doc.auditd.seccomp?.action;
    if (act) ok = act === 'allow' || act === 'log';
  }
  if (ok !== undefined) {
    e.outcome = ok ? 'success' : 'failure';
    doc.auditd.result = ok ? 'success' : 'fail';
  } else e.outcome = 'unknown';
}

/** What this parser handles, the docs it follows and examples that run as tests (test/unit/parser-meta.test.ts). */
export const meta: ParserMeta = {
  id: 'auditd',
  dataset: DATASETS.auditd,
  title: 'Linux audit (auditd) and SELinux records, multi-record events reassembled',
  docs: [
    'https://github.com/linux-audit/audit-documentation',
    'https://man7.org/linux/man-pages/man5/auditd.conf.5.html',
    'https://docs.redhat.com/en/documentation/red_hat_enterprise_linux/7/html/security_guide/sec-understanding_audit_log_files',
  ],
  examples: [
    {
      title: 'A failed open(2) of a watched file: SYSCALL + CWD + PATH + PROCTITLE records become one event',
      input: [
        'type=SYSCALL msg=audit(1364481363.243:24287): arch=c000003e syscall=2 success=no exit=-13 a0=7fffd19c5592 a1=0 a2=7fffd19c4b50 a3=a items=1 ' +
          'ppid=2686 pid=3538 auid=1000 uid=1000 gid=1000 euid=1000 suid=1000 fsuid=1000 egid=1000 sgid=1000 fsgid=1000 tty=pts0 ses=1 comm="cat" ' +
          'exe="/bin/cat" subj=unconfined_u:unconfined_r:unconfined_t:s0-s0:c0.c1023 key="sshd_config"',
        'type=CWD msg=audit(1364481363.243:24287):  cwd="/home/shadowman"',
        'type=PATH msg=audit(1364481363.243:24287): item=0 name="/etc/ssh/sshd_config" inode=409248 dev=fd:00 mode=0100600 ouid=0 ogid=0 ' +
          'rdev=00:00 obj=system_u:object_r:etc_t:s0 objtype=NORMAL cap_fp=none cap_fi=none cap_fe=0 cap_fver=0',
        'type=PROCTITLE msg=audit(1364481363.243:24287): proctitle=636174002F6574632F7373682F737368645F636F6E666967',
      ],
      fields: {
        '@timestamp': '2013-03-28T14:36:03.243Z',
        event: { action: 'open', category: ['file'], outcome: 'failure', sequence: 24287 },
        process: { pid: 3538, name: 'cat', executable: '/bin/cat', working_directory: '/home/shadowman', title: 'cat /etc/ssh/sshd_config' },
        file: { path: '/etc/ssh/sshd_config' },
        user: { id: '1000' },
        auditd: { syscall: 'open', arch: 'x86_64', exit: -13, key: ['sshd_config'], record_types: ['SYSCALL', 'CWD', 'PATH', 'PROCTITLE'] },
      },
    },
    {
      title: 'A failed SSH login (USER_LOGIN): source address and outcome',
      input:
        'type=USER_LOGIN msg=audit(1364475353.159:24270): pid=3280 uid=0 auid=4294967295 ses=4294967295 subj=system_u:system_r:sshd_t:s0-s0:c0.c1023 ' +
        'msg=\'op=login acct="(unknown)" exe="/usr/sbin/sshd" hostname=? addr=192.0.2.5 terminal=ssh res=failed\'',
      fields: {
        event: { action: 'user_login', category: ['authentication', 'session'], outcome: 'failure' },
        source: { ip: '192.0.2.5' },
        process: { executable: '/usr/sbin/sshd' },
        auditd: { terminal: 'ssh', result: 'fail' },
      },
    },
    {
      title: 'An SELinux AVC denial',
      input:
        'type=AVC msg=audit(1226874073.147:96): avc:  denied  { getattr } for  pid=2465 comm="httpd" path="/var/www/html/file1" dev=dm-0 ino=284133 ' +
        'scontext=unconfined_u:system_r:httpd_t:s0 tcontext=unconfined_u:object_r:samba_share_t:s0 tclass=file',
      fields: {
        event: { action: 'avc', type: ['access', 'denied'], outcome: 'failure' },
        process: { pid: 2465, name: 'httpd' },
        auditd: { avc: { result: 'denied', permissions: ['getattr'], tclass: 'file', scontext: { type: 'httpd_t' }, tcontext: { type: 'samba_share_t' } } },
      },
    },
    {
      title: 'A record without the audit(<time>:<serial>) header is a failure that keeps the text',
      input: 'type=SYSCALL msg=audit(garbage): arch=c000003e',
      failure: { type: 'parse_error', message: 'msg=audit(' },
    },
  ],
};
