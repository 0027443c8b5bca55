/**
 * Conformance with real published samples: every file of `../shared/corpus/vpcflow` and
 * `../shared/corpus/elb` (skipped when the corpus is absent) goes through the same path as
 * `tributary normalize` (`decodeInput` + `normalize`, and `runNormalize` itself) and must parse
 * with zero pipeline errors, except the lines listed in MALFORMED.
 *
 * VPC files without a header come with a sidecar `<name>.format.txt` (the flow log's format as
 * published next to the example); it is passed as `options.vpcFormat`, as `--vpc-format` would.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { runNormalize } from '../../bin/commands/normalize';
import { decodeInput } from '../../lib/core/inputs';
import { normalize } from '../../lib/core/pipeline';
import type { SourceId } from '../../parsers/types';
import type { TributaryDocument } from '../../schemas/generated/document';
import { schemaErrors } from '../helpers/schema';

const CORPUS = join(__dirname, '..', '..', '..', 'shared', 'corpus');
const NOW = new Date('2026-01-01T00:00:00.000Z');

/** Lines that are genuinely malformed in the corpus (file → raw lines). None so far: every published line parses. */
const MALFORMED: Record<string, string[]> = {};

function files(source: string): string[] {
  const root = join(CORPUS, source);
  if (!existsSync(root)) return [];
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.(log|gz)$/.test(name)) out.push(p);
    }
  };
  walk(root);
  return out.sort();
}

function vpcFormatFor(file: string): string | undefined {
  const sidecar = file.replace(/\.log$/, '.format.txt');
  return existsSync(sidecar) ? readFileSync(sidecar, 'utf8').trim() : undefined;
}

function run(source: SourceId, file: string) {
  const vpcFormat = source === 'vpcflow' ? vpcFormatFor(file) : undefined;
  const decoded = decodeInput(readFileSync(file), file, vpcFormat ? { options: { vpcFormat } } : {});
  expect(decoded.unusable).toEqual([]);
  return decoded.batches.map((b) => normalize({ events: b.events, context: b.context, source }, { now: NOW }));
}

const cases = (source: SourceId) => files(source).map((f) => [f.slice(CORPUS.length + 1), f] as const);
const vpc = cases('vpcflow');
const elb = cases('elb');

(vpc.length ? describe : describe.skip)('corpus conformance: vpcflow', () => {
  test.each(vpc)('%s', (_label, file) => {
    const docs: TributaryDocument[] = [];
    for (const r of run('vpcflow', file)) {
      expect(r.failures.map((f) => f.event.original)).toEqual(MALFORMED[_label] ?? []);
      for (const d of [...r.documents, ...r.failures]) expect(schemaErrors(d)).toBe('');
      docs.push(...r.documents);
    }
    expect(docs.length).toBeGreaterThan(0);
    for (const d of docs) {
      const v = d.aws?.vpcflow;
      // Records with traffic carry their addresses; timestamps come from the record when it has start/end.
      if (v?.log_status === 'OK' || v?.log_status === undefined) expect(d.source?.ip ?? d.destination?.ip).toBeDefined();
      if (d.event.start) expect(d['@timestamp']).toBe(d.event.start);
    }
  });

  test('the docs examples map to the documented values', () => {
    const file = join(CORPUS, 'vpcflow', 'awsdocs-amazon-vpc-user-guide', 'default-v2-examples.log');
    if (!existsSync(file)) return;
    const docs = run('vpcflow', file).flatMap((r) => r.documents);
    expect(docs.map((d) => d.aws?.vpcflow?.log_status)).toEqual(['OK', 'OK', 'NODATA', 'SKIPDATA', 'OK', 'OK', 'OK']);
    expect(docs.map((d) => d.event.action ?? null)).toEqual(['accept', 'reject', null, null, 'accept', 'reject', 'accept']);
    expect(docs[4].network?.transport).toBe('icmp');
    expect(docs[6].network?.type).toBe('ipv6');
  });

  test.each(vpc)('tributary normalize --source vpcflow %s', async (_label, file) => {
    const lines: string[] = [];
    const vpcFormat = vpcFormatFor(file);
    const totals = await runNormalize([file], { source: 'vpcflow', vpcFormat }, (l) => lines.push(l), NOW);
    const c = totals.get('vpcflow')!;
    expect(c.failed).toBe(0);
    expect(c.documents).toBe(lines.length);
    for (const l of lines) expect(schemaErrors(JSON.parse(l))).toBe('');
  });
});

(elb.length ? describe : describe.skip)('corpus conformance: elb', () => {
  test.each(elb)('%s', (_label, file) => {
    for (const r of run('elb', file)) {
      expect(r.failures.map((f) => f.event.original)).toEqual(MALFORMED[_label] ?? []);
      expect(r.documents.length).toBeGreaterThan(0);
      for (const d of r.documents) {
        expect(schemaErrors(d)).toBe('');
        // Every ELB line carries its own time and client.
        expect(d['@timestamp']).not.toBe(NOW.toISOString());
        expect(d.source?.ip).toBeDefined();
        expect(['alb', 'nlb', 'classic']).toContain(d.aws?.elb?.type);
      }
    }
  });

  test.each(elb)('tributary normalize --source elb %s', async (_label, file) => {
    const lines: string[] = [];
    const totals = await runNormalize([file], { source: 'elb' }, (l) => lines.push(l), NOW);
    expect(totals.get('elb')!.failed).toBe(0);
  });

  test('source detection picks elb for every corpus file', async () => {
    for (const [, file] of elb) {
      const totals = await runNormalize([file], { source: 'auto' }, () => undefined, NOW);
      expect([...totals.keys()]).toEqual(['elb']);
    }
  });
});
