/**
 * Hand-written scanner for one Linux audit record line (no regex over the line): header
 * (`node=`, `type=`, `msg=audit(<sec>.<ms>:<serial>):`), then `key=value` fields with quoted,
 * bare, hex-encoded, single-quoted nested (`msg='...'`) and braced (`SADDR={ ... }`) values, the
 * SELinux `avc:  denied  { perms } for` preamble, and the ENRICHED part after the GS (0x1D) byte.
 *
 * Format reference: the team reference `../shared/docs/aws-log-formats.md` (outside this repo) §8 (audit field and message dictionaries,
 * go-libaudit test data, auditd.conf(5)).
 */
import { ENCODED } from './auditd-tables';
import { setOwn } from './json';

/** A decoded field value: a string, or a nested map for user-space `msg='...'` blobs. */
export type FieldValue = string | FieldMap;
export interface FieldMap {
  [key: string]: FieldValue;
}

/** One parsed record line. */
export interface AuditRecord {
  node?: string;
  /** Record type as logged (`SYSCALL`, `UNKNOWN[1329]`). */
  type: string;
  /** Timestamp as logged (`1481076984.827`), used in the event identity. */
  stamp: string;
  /** Epoch milliseconds. */
  millis: number;
  serial: number;
  fields: FieldMap;
  /** ENRICHED interpretations (upper-case keys), when the line had a GS separator. */
  enriched?: Record<string, string>;
  /** The record body after the header (used to dedupe and to key repeated records). */
  body: string;
}

const GS = '\u001d';

/** Parses one audit line. Returns a string (the error message) when it is not a valid record. */
export function scanRecord(line: string): AuditRecord | string {
  let s = line;
  let end = s.length;
  while (end > 0 && (s.charCodeAt(end - 1) <= 32)) end--;
  let i = 0;
  while (i < end && s.charCodeAt(i) <= 32) i++;
  if (s.charCodeAt(i) === 0xfeff) i++;
  if (i >= end) return 'blank';
  let node: string | undefined;
  if (s.startsWith('node=', i)) {
    const sp = s.indexOf(' ', i);
    if (sp < 0 || sp >= end) return 'not an audit record';
    node = s.slice(i + 5, sp);
    i = sp + 1;
    while (i < end && s.charCodeAt(i) === 32) i++;
  }
  if (!s.startsWith('type=', i)) return 'not an audit record';
  const typeEnd = s.indexOf(' ', i);
  if (typeEnd < 0 || typeEnd >= end) return 'not an audit record';
  const type = s.slice(i + 5, typeEnd);
  i = typeEnd;
  while (i < end && s.charCodeAt(i) === 32) i++;
  if (!s.startsWith('msg=audit(', i)) return 'audit record without a msg=audit(<epoch>.<ms>:<serial>) header';
  if (!type || !validType(type)) return `audit record with an invalid type "${type.slice(0, 40)}"`;
  i += 10;
  const close = s.indexOf(')', i);
  if (close < 0 || close >= end) return 'audit record header without closing parenthesis';
  const colon = s.indexOf(':', i);
  if (colon < 0 || colon > close) return 'audit record header without serial: expected msg=audit(<epoch>.<ms>:<serial>)';
  const stamp = s.slice(i, colon);
  const millis = stampMillis(stamp);
  if (millis === undefined) return `audit record with an invalid timestamp "${stamp.slice(0, 40)}"`;
  const serialText = s.slice(colon + 1, close);
  if (!isDigits(serialText) || serialText.length > 15) return `audit record with an invalid serial "${serialText.slice(0, 40)}"`;
  i = close + 1;
  if (s.charCodeAt(i) === 58 /* : */) i++;
  // ENRICHED: everything after the GS byte is the interpretation map.
  let enriched: Record<string, string> | undefined;
  const gs = s.indexOf(GS, i);
  if (gs >= 0 && gs < end) {
    enriched = {};
    const interp: FieldMap = {};
    scanFields(s, gs + 1, end, interp, Decode.None);
    for (const k in interp) {
      const v = interp[k];
      if (typeof v === 'string') setOwn(enriched, k, v);
    }
    end = gs;
  }
  if (s.length !== end) s = s.slice(0, end);
  const body = s.slice(i).trim();
  const fields: FieldMap = {};
  let j = i;
  while (j < end && s.charCodeAt(j) === 32) j++;
  if (s.startsWith('avc:', j)) scanAvc(s, j + 4, end, fields);
  else scanFields(s, j, end, fields, type === 'EXECVE' ? Decode.Execve : Decode.Fields);
  return { node, type, stamp, millis, serial: Number(serialText), fields, enriched, body };
}

function validType(t: string): boolean {
  for (let k = 0; k < t.length; k++) {
    const c = t.charCodeAt(k);
    const ok = (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 91 || c === 93 || (c >= 97 && c <= 122);
    if (!ok) return false;
  }
  return true;
}

function isDigits(s: string): boolean {
  if (!s.length) return false;
  for (let k = 0; k < s.length; k++) {
    const c = s.charCodeAt(k);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

function stampMillis(stamp: string): number | undefined {
  const dot = stamp.indexOf('.');
  const sec = dot < 0 ? stamp : stamp.slice(0, dot);
  const frac = dot < 0 ? '' : stamp.slice(dot + 1);
  if (!isDigits(sec) || sec.length > 11 || (frac && !isDigits(frac))) return undefined;
  const ms = Number((frac + '000').slice(0, 3));
  const t = Number(sec) * 1000 + ms;
  return t <= 8.64e15 ? t : undefined;
}

/** Upper-case hex with an even length: how the kernel writes an unsafe "encoded" string. */
export function isHex(v: string): boolean {
  if (v.length < 2 || v.length % 2) return false;
  for (let k = 0; k < v.length; k++) {
    const c = v.charCodeAt(k);
    if (!((c >= 48 && c <= 57) || (c >= 65 && c <= 70))) return false;
  }
  return true;
}

/** Hex to text (UTF-8, invalid bytes become U+FFFD). NULs are kept (proctitle splits on them). */
export function hexDecode(v: string): string {
  return Buffer.from(v, 'hex').toString('utf8');
}

/** Decoding modes: none (ENRICHED maps), encoded fields, encoded fields plus EXECVE `aN` args. */
export const Decode = { None: 0, Fields: 1, Execve: 2 } as const;
export type Decode = (typeof Decode)[keyof typeof Decode];

// EXECVE pieces `aN[i]` stay raw: a multi-byte character may straddle two pieces, so the parser
// joins the bytes of all pieces before decoding.
const isEncoded = (key: string, mode: Decode): boolean =>
  ENCODED.has(key) || (mode === Decode.Execve && isExecveArg(key) && key.charCodeAt(key.length - 1) !== 93);

/** `a0`, `a12`, `a1[0]`: EXECVE arguments (also encoded). SYSCALL a0..a3 are numeric hex: see caller. */
function isExecveArg(key: string): boolean {
  if (key.charCodeAt(0) !== 97 /* a */ || key.length < 2) return false;
  let k = 1;
  while (k < key.length && key.charCodeAt(k) >= 48 && key.charCodeAt(k) <= 57) k++;
  if (k === 1) return false;
  if (k === key.length) return true;
  return key.charCodeAt(k) === 91 && key.charCodeAt(key.length - 1) === 93;
}

/**
 * Scans `key=value` pairs between `from` and `to` into `out`. Bare words (no `=`) are collected
 * into `out.text`; the LOGIN quirk `old auid=` / `new ses=` becomes `old-auid` / `new-ses`.
 * `decode` hex-decodes unquoted encoded fields (not for ENRICHED maps, which are never encoded).
 */
export function scanFields(s: string, from: number, to: number, out: FieldMap, decode: Decode): void {
  let i = from;
  let text: string[] | undefined;
  let prefix = '';
  while (i < to) {
    let c = s.charCodeAt(i);
    if (c === 32 || c === 9) {
      i++;
      continue;
    }
    // key: up to '=' or space (indexOf: native scans beat a per-char loop here)
    const k0 = i;
    let eq = s.indexOf('=', i);
    if (eq < 0 || eq > to) eq = to;
    let sp = s.indexOf(' ', i);
    if (sp < 0 || sp > to) sp = to;
    i = eq < sp ? eq : sp;
    c = i < to ? s.charCodeAt(i) : 0;
    if (i >= to || c !== 61) {
      const word = s.slice(k0, i);
      if (word === 'old' || word === 'new') prefix = word + '-';
      else {
        (text ??= []).push(word);
        prefix = '';
      }
      continue;
    }
    // Old PAM format: `msg='PAM: session open acct=root : exe="/x" (hostname=?, addr=?, terminal=cron res=success)'`
    let key = s.charCodeAt(k0) === 40 /* ( */ ? s.slice(k0 + 1, i) : s.slice(k0, i);
    if (prefix) {
      key = prefix + key;
      prefix = '';
    }
    i++; // '='
    if (i >= to) {
      setOwn(out, key, '');
      break;
    }
    c = s.charCodeAt(i);
    let value: FieldValue;
    if (c === 34 /* " */ || c === 39 /* ' */) {
      const q = s.indexOf(c === 34 ? '"' : "'", i + 1);
      const e = q < 0 || q >= to ? to : q;
      const inner = s.slice(i + 1, e);
      i = e + 1;
      if (c === 39 && key === 'msg') {
        const nested: FieldMap = {};
        let j = 0;
        while (j < inner.length && inner.charCodeAt(j) === 32) j++;
        if (inner.startsWith('avc:', j)) scanAvc(inner, j + 4, inner.length, nested);
        else scanFields(inner, j, inner.length, nested, decode);
        value = nested;
      } else value = inner;
    } else if (c === 123 /* { */) {
      const b = s.indexOf('}', i + 1);
      const e = b < 0 || b >= to ? to : b;
      value = s.slice(i + 1, e).trim();
      i = e + 1;
    } else {
      const v0 = i;
      const e = s.indexOf(' ', i);
      i = e < 0 || e > to ? to : e;
      let raw = s.slice(v0, i);
      const tab = raw.indexOf('\t');
      if (tab >= 0) {
        i = v0 + tab;
        raw = raw.slice(0, tab);
      }
      const last = raw.charCodeAt(raw.length - 1);
      if (last === 44 /* , */ || (last === 41 /* ) */ && raw.indexOf('(') < 0)) raw = raw.slice(0, -1);
      value = decode !== Decode.None && isEncoded(key, decode) && isHex(raw) ? hexDecode(raw) : raw;
    }
    // `__proto__` is inherited, not a field: only an own key is a repeat.
    if (out[key] !== undefined && (key !== '__proto__' || Object.prototype.hasOwnProperty.call(out, key))) {
      // Repeated key in one record (rare, e.g. AppArmor dup fields): keep the first, number the rest.
      let n = 2;
      while (`${key}_${n}` in out) n++;
      out[`${key}_${n}`] = value;
    } else setOwn(out, key, value);
  }
  if (text) out.text = text.join(' ');
}

/**
 * SELinux AVC body after `avc:`: `  denied  { read write } for  pid=... tclass=file permissive=0`.
 * The decision goes to `avc_result`, permissions (space-separated) to `avc_permissions`. Text that is
 * not a decision (`received setenforce notice (enforcing=0)`) is kept in `text`.
 */
export function scanAvc(s: string, from: number, to: number, out: FieldMap): void {
  let i = from;
  while (i < to && s.charCodeAt(i) === 32) i++;
  const w0 = i;
  while (i < to && s.charCodeAt(i) !== 32) i++;
  const word = s.slice(w0, i);
  if (word !== 'denied' && word !== 'granted') {
    scanFields(s, w0, to, out, Decode.Fields);
    return;
  }
  out.avc_result = word;
  while (i < to && s.charCodeAt(i) === 32) i++;
  if (s.charCodeAt(i) === 123) {
    const b = s.indexOf('}', i);
    const e = b < 0 || b >= to ? to : b;
    out.avc_permissions = s.slice(i + 1, e).trim().split(/\s+/).filter(Boolean).join(' ');
    i = e + 1;
  }
  while (i < to && s.charCodeAt(i) === 32) i++;
  if (s.startsWith('for ', i) || (s.startsWith('for', i) && i + 3 === to)) i += 3;
  scanFields(s, i, to, out, Decode.Fields);
}
