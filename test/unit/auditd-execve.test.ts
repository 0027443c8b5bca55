/**
 * EXECVE arguments split across records (Linux `kernel/auditsc.c` `audit_log_execve_info()`): an
 * argument that does not fit the rest of a record is logged as `a<n>_len=<L> a<n>[0]=... a<n>[1]=...`,
 * and the chunks continue in the event's next EXECVE record. They are joined into one argument, the
 * total is bounded, and a part holding only a continuation never replaces the full part's list.
 */
import fc from 'fast-check';
import { normalize } from '../../lib/core/pipeline';
import { MAX_EXECVE_ARG_BYTES, auditdParser } from '../../parsers/auditd';
import type { ParseContext, RawEvent } from '../../parsers/types';
import { runs } from '../helpers/fuzz';
import { expectValid } from '../helpers/schema';

const NOW = new Date('2026-01-01T00:00:00.000Z');
const CTX: ParseContext = { logGroup: '/var/log/audit/audit.log', logStream: 'i-0123456789abcdef0' };
const hex = (s: string) => Buffer.from(s, 'utf8').toString('hex').toUpperCase();
const HEAD = 'msg=audit(1764026400.100:601):';
const SYSCALL = `type=SYSCALL ${HEAD} arch=c000003e syscall=59 success=yes exit=0 a0=1 a1=2 a2=3 a3=0 items=1 ppid=1 pid=2 auid=1000 uid=1000 gid=1000 euid=1000 suid=1000 fsuid=1000 egid=1000 sgid=1000 fsgid=1000 tty=pts0 ses=2 comm="sh" exe="/usr/bin/sh" key=(null)`;
const EOE = `type=EOE ${HEAD} `;

const events = (lines: string[], prefix = 'b'): RawEvent[] => lines.map((message, i) => ({ message, key: `${prefix}:${i}` }));
const run = (lines: string[], prefix = 'b') => normalize({ events: events(lines, prefix), context: CTX, source: 'auditd' }, { now: NOW });

/** How the kernel logs a whole argument: quoted when printable ASCII without `"`, else upper-case hex. */
const logged = (a: string) => (/^[!#-~]+$/.test(a) ? `"${a}"` : hex(a));

/** The records the kernel writes for `args`, with argument `split` cut into hex chunks of `chunk` digits over two records. */
function execve(args: string[], split: number, chunk: number): string[] {
  const h = hex(args[split]);
  const chunks: string[] = [];
  for (let i = 0; i < h.length; i += chunk) chunks.push(h.slice(i, i + chunk));
  const half = Math.ceil(chunks.length / 2);
  const before = args.slice(0, split).map((a, i) => `a${i}=${logged(a)}`);
  const first = [`argc=${args.length}`, ...before, `a${split}_len=${h.length}`, ...chunks.slice(0, half).map((c, j) => `a${split}[${j}]=${c}`)];
  const second = [...chunks.slice(half).map((c, j) => `a${split}[${half + j}]=${c}`), ...args.slice(split + 1).map((a, i) => `a${split + 1 + i}=${logged(a)}`)];
  return [`type=EXECVE ${HEAD} ${first.join(' ')}`, `type=EXECVE ${HEAD} ${second.join(' ')}`];
}

describe('auditd EXECVE arguments split across records', () => {
  test('chunks over two EXECVE records make one argument of the same document', () => {
    const args = ['sh', '-c', 'printf "%s\\n" ünïcode-' + 'x'.repeat(300), '--tail'];
    const r = run([SYSCALL, ...execve(args, 2, 64), EOE]);
    expect(r.counts).toMatchObject({ received: 4, documents: 1, failed: 0 });
    const d = r.documents[0];
    expect(d.process?.args).toEqual(args);
    expect(d.process?.args_count).toBe(4);
    expect(d.process?.command_line).toBe(args.join(' '));
    expect(d.tags).toBeUndefined();
    expectValid(d);
  });

  test('a missing continuation record keeps what arrived and tags the event', () => {
    const args = ['sh', '-c', 'y'.repeat(200)];
    const [first] = execve(args, 2, 100);
    const d = run([SYSCALL, first, EOE]).documents[0];
    expect(d.process?.args).toEqual(['sh', '-c', 'y'.repeat(100)]);
    expect(d.process?.args_count).toBe(3);
    expect(d.tags).toEqual(['execve_args_truncated']);
  });

  test('a part holding only the continuation (split delivery) sets no process.args', () => {
    const args = ['sh', '-c', 'z'.repeat(200)];
    const [, second] = execve(args, 2, 100);
    const out = auditdParser.parse(events([second, EOE]), CTX);
    const doc = out.find((o) => o.kind === 'document');
    expect(doc?.kind === 'document' && doc.fields.process?.args).toBeFalsy();
  });

  test('the joined arguments are bounded', () => {
    const big = 'A'.repeat(2 * 1024 * 1024); // 2 MiB of hex digits per chunk → 1 MiB of bytes each
    const line1 = `type=EXECVE ${HEAD} argc=2 a0="sh" a1_len=${big.length * 3} a1[0]=${big} a1[1]=${big}`;
    const line2 = `type=EXECVE ${HEAD} a1[2]=${big}`;
    const d = run([SYSCALL, line1, line2, EOE]).documents[0];
    expect(Buffer.byteLength(d.process!.args![1], 'latin1')).toBeLessThanOrEqual(MAX_EXECVE_ARG_BYTES);
    expect(d.tags).toEqual(['execve_args_truncated']);
  });

  test('property: any argument list split anywhere is rebuilt exactly', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ minLength: 1, maxLength: 40, unit: 'grapheme' }), { minLength: 2, maxLength: 5 }),
        fc.nat(),
        fc.integer({ min: 1, max: 16 }),
        (args, at, chunkBytes) => {
          const split = at % args.length;
          const d = run([SYSCALL, ...execve(args, split, chunkBytes * 2), EOE]).documents[0];
          expect(d.process?.args).toEqual(args);
          expect(d.tags).toBeUndefined();
        },
      ),
      { numRuns: runs(200) },
    );
  });
});
