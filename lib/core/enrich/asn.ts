/**
 * IP → autonomous system, from a compact binary table built once from the CSV files of the npm
 * package `@ip-location-db/asn` (RouteViews, the five RIRs via NRO, and DB-IP, CC BY 4.0: see
 * NOTICE). Why not the CSV at run time: 30 MB of text (412k IPv4 + 103k IPv6 ranges) would be parsed
 * on every cold start; the table is built by `npm run build` (`lib/io/enrich.ts` writes it) and is
 * read with no parsing at all: typed arrays over the file's bytes, binary search per lookup.
 *
 * Layout (little-endian, as every Lambda and developer CPU is; the header's magic rejects anything
 * else): a 32-byte header (magic, format, IPv4 ranges, IPv6 ranges, organizations, organization
 * bytes), then IPv4 `start[] end[] asn[]` (u32), IPv6 `start[] end[]` (u64 high/low pairs) and
 * `asn[]`, then the organizations: `asn[]` (sorted), `offset[]` and their UTF-8 names.
 */
import type { ParsedIp } from './ip';

const MAGIC = 0x4e534154; // "TASN"
const FORMAT = 1;
const HEADER = 32;

/** An autonomous system as ECS `<role>.as` holds it. */
export interface AsInfo {
  number: number;
  organization?: string;
}

interface Range6 {
  s: bigint;
  e: bigint;
  asn: number;
}

/** Splits one CSV line of `start,end,asn,organization` (the organization may be quoted, with `""`). */
function csvRow(line: string): [string, string, string, string] | undefined {
  const a = line.indexOf(',');
  const b = line.indexOf(',', a + 1);
  const c = line.indexOf(',', b + 1);
  if (a < 0 || b < 0 || c < 0) return undefined;
  let org = line.slice(c + 1).trim();
  if (org.startsWith('"') && org.endsWith('"') && org.length >= 2) org = org.slice(1, -1).replace(/""/g, '"');
  return [line.slice(0, a), line.slice(a + 1, b), line.slice(b + 1, c), org];
}

const pad8 = (n: number) => (n + 7) & ~7;

/**
 * The binary table from the package's `asn-ipv4-num.csv` and `asn-ipv6-num.csv` texts (numeric
 * range bounds). Adjacent ranges of one AS are merged; rows that do not parse are skipped and counted.
 * @example buildAsnTable('134744064,134744319,15169,Google LLC\n', '').length // 70
 */
export function buildAsnTable(v4Csv: string, v6Csv: string): Uint8Array {
  const orgs = new Map<number, string>();
  const note = (asn: number, org: string) => {
    if (org && !orgs.has(asn)) orgs.set(asn, org);
  };
  const v4: number[][] = [];
  for (const line of v4Csv.split('\n')) {
    const r = csvRow(line);
    if (!r) continue;
    const [s, e, asn] = [Number(r[0]), Number(r[1]), Number(r[2])];
    if (!Number.isInteger(s) || !Number.isInteger(e) || !Number.isInteger(asn) || s > e || e > 0xffffffff || asn <= 0 || asn > 0xffffffff) continue;
    note(asn, r[3]);
    const last = v4[v4.length - 1];
    if (last && last[2] === asn && last[1] + 1 === s) last[1] = e;
    else v4.push([s, e, asn]);
  }
  v4.sort((x, y) => x[0] - y[0]);
  const v6: Range6[] = [];
  const MAX = (1n << 128n) - 1n;
  for (const line of v6Csv.split('\n')) {
    const r = csvRow(line);
    if (!r || !/^\d+$/.test(r[0]) || !/^\d+$/.test(r[1])) continue;
    const [s, e, asn] = [BigInt(r[0]), BigInt(r[1]), Number(r[2])];
    if (s > e || e > MAX || !Number.isInteger(asn) || asn <= 0 || asn > 0xffffffff) continue;
    note(asn, r[3]);
    const last = v6[v6.length - 1];
    if (last && last.asn === asn && last.e + 1n === s) last.e = e;
    else v6.push({ s, e, asn });
  }
  v6.sort((x, y) => (x.s < y.s ? -1 : x.s > y.s ? 1 : 0));
  const orgList = [...orgs.entries()].sort((x, y) => x[0] - y[0]);
  const encoder = new TextEncoder();
  const names = orgList.map(([, n]) => encoder.encode(n));
  const orgBytes = names.reduce((t, n) => t + n.length, 0);

  const n4 = v4.length;
  const n6 = v6.length;
  const no = orgList.length;
  const off6 = pad8(HEADER + 12 * n4);
  const offAsn6 = off6 + 32 * n6;
  const offOrg = offAsn6 + 4 * n6;
  const offText = offOrg + 4 * no + 4 * (no + 1);
  const buf = new ArrayBuffer(offText + orgBytes);
  new Uint32Array(buf, 0, 8).set([MAGIC, FORMAT, n4, n6, no, orgBytes, 0, 0]);
  const s4 = new Uint32Array(buf, HEADER, n4);
  const e4 = new Uint32Array(buf, HEADER + 4 * n4, n4);
  const a4 = new Uint32Array(buf, HEADER + 8 * n4, n4);
  v4.forEach(([s, e, a], i) => {
    s4[i] = s;
    e4[i] = e;
    a4[i] = a;
  });
  const s6 = new BigUint64Array(buf, off6, 2 * n6);
  const e6 = new BigUint64Array(buf, off6 + 16 * n6, 2 * n6);
  const a6 = new Uint32Array(buf, offAsn6, n6);
  const M64 = (1n << 64n) - 1n;
  v6.forEach((r, i) => {
    s6[2 * i] = r.s >> 64n;
    s6[2 * i + 1] = r.s & M64;
    e6[2 * i] = r.e >> 64n;
    e6[2 * i + 1] = r.e & M64;
    a6[i] = r.asn;
  });
  const oa = new Uint32Array(buf, offOrg, no);
  const oo = new Uint32Array(buf, offOrg + 4 * no, no + 1);
  const text = new Uint8Array(buf, offText, orgBytes);
  let at = 0;
  orgList.forEach(([asn], i) => {
    oa[i] = asn;
    oo[i] = at;
    text.set(names[i], at);
    at += names[i].length;
  });
  oo[no] = at;
  return new Uint8Array(buf);
}

/** Distinct autonomous systems whose answers are kept (`AsnTable.lookup`); cleared when full. */
const AS_MEMO = 65_536;

/**
 * Lookups over a table of `buildAsnTable`, read in place (copied once only when the bytes do not
 * start 8-byte aligned: typed arrays need it); the bytes must not change while in use.
 *
 * Why an index and a memo: an IPv4 lookup was a binary search over 412k range starts (1.6 MB) and
 * one over 80k organizations, and in the pipeline, whose parsing evicts the CPU caches between
 * lookups, most of their probes missed the caches (1.7 µs per lookup in the ALB pipeline). The first
 * 16 bits of the address now pick the few ranges to search (`first16`, 256 KB, one pass at
 * construction), and the answer of each AS is kept, so the organization is searched and decoded once
 * per AS instead of once per address.
 * @example new AsnTable(buildAsnTable('134744064,134744319,15169,Google LLC\n', '')).lookup({ v: 4, n: 134744072 }) // { number: 15169, organization: 'Google LLC' }
 */
export class AsnTable {
  private readonly s4: Uint32Array;
  private readonly e4: Uint32Array;
  private readonly a4: Uint32Array;
  private readonly s6: BigUint64Array;
  private readonly e6: BigUint64Array;
  private readonly a6: Uint32Array;
  private readonly orgAsn: Uint32Array;
  private readonly orgOff: Uint32Array;
  private readonly orgText: Uint8Array;
  private readonly decoder = new TextDecoder();
  /** `first16[h]`: index of the first IPv4 range starting at or after `h << 16` (65,537 entries). */
  private readonly first16: Uint32Array;
  /** Answers by AS number: shared by every address of the AS, hence frozen. */
  private readonly answers = new Map<number, Readonly<AsInfo>>();
  /** Ranges in the table, for the record. */
  readonly size: { v4: number; v6: number; organizations: number };

  constructor(bytes: Uint8Array) {
    if (bytes.length < HEADER) throw new Error('ASN table: too short');
    // Typed arrays over the bytes in place when they start 8-byte aligned (a file read whole is),
    // else over an aligned copy: no 11 MB copy at every cold start.
    const aligned = bytes.byteOffset % 8 === 0;
    const buf = aligned ? bytes.buffer : bytes.slice().buffer;
    const at = aligned ? bytes.byteOffset : 0;
    const [magic, format, n4, n6, no, orgBytes] = new Uint32Array(buf, at, 6);
    if (magic !== MAGIC || format !== FORMAT) throw new Error('ASN table: not a Tributary ASN table (or another format version)');
    const off6 = pad8(HEADER + 12 * n4);
    const offAsn6 = off6 + 32 * n6;
    const offOrg = offAsn6 + 4 * n6;
    const offText = offOrg + 8 * no + 4;
    if (offText + orgBytes !== bytes.length) throw new Error('ASN table: size does not match its header');
    this.s4 = new Uint32Array(buf, at + HEADER, n4);
    this.e4 = new Uint32Array(buf, at + HEADER + 4 * n4, n4);
    this.a4 = new Uint32Array(buf, at + HEADER + 8 * n4, n4);
    this.s6 = new BigUint64Array(buf, at + off6, 2 * n6);
    this.e6 = new BigUint64Array(buf, at + off6 + 16 * n6, 2 * n6);
    this.a6 = new Uint32Array(buf, at + offAsn6, n6);
    this.orgAsn = new Uint32Array(buf, at + offOrg, no);
    this.orgOff = new Uint32Array(buf, at + offOrg + 4 * no, no + 1);
    this.orgText = new Uint8Array(buf, at + offText, orgBytes);
    this.size = { v4: n4, v6: n6, organizations: no };
    this.first16 = new Uint32Array(65_537);
    for (let h = 0, i = 0; h <= 65_536; h++) {
      while (i < n4 && this.s4[i] >>> 16 < h) i++;
      this.first16[h] = i;
    }
  }

  /** The AS announcing the address (frozen: one object per AS), or undefined when no range holds it. */
  lookup(ip: ParsedIp): Readonly<AsInfo> | undefined {
    const asn = ip.v === 4 ? this.find4(ip.n) : this.find6(ip.hi, ip.lo);
    if (asn === undefined) return undefined;
    let answer = this.answers.get(asn);
    if (answer === undefined) {
      const organization = this.organization(asn);
      answer = Object.freeze(organization ? { number: asn, organization } : { number: asn });
      if (this.answers.size >= AS_MEMO) this.answers.clear();
      this.answers.set(asn, answer);
    }
    return answer;
  }

  private find4(n: number): number | undefined {
    // The range holding `n` starts in n's /16 block (from `first16[h]` on) or is the last one before it.
    const h = n >>> 16;
    let lo = Math.max(0, this.first16[h] - 1);
    let hi = this.first16[h + 1] - 1;
    let at = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.s4[mid] <= n) {
        at = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return at >= 0 && n <= this.e4[at] ? this.a4[at] : undefined;
  }

  private find6(h: bigint, l: bigint): number | undefined {
    const le = (ah: bigint, al: bigint, bh: bigint, bl: bigint) => ah < bh || (ah === bh && al <= bl);
    let lo = 0;
    let hi = this.a6.length - 1;
    let at = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (le(this.s6[2 * mid], this.s6[2 * mid + 1], h, l)) {
        at = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return at >= 0 && le(h, l, this.e6[2 * at], this.e6[2 * at + 1]) ? this.a6[at] : undefined;
  }

  private organization(asn: number): string | undefined {
    let lo = 0;
    let hi = this.orgAsn.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const v = this.orgAsn[mid];
      if (v === asn) return this.decoder.decode(this.orgText.subarray(this.orgOff[mid], this.orgOff[mid + 1]));
      if (v < asn) lo = mid + 1;
      else hi = mid - 1;
    }
    return undefined;
  }
}
