/**
 * Corpus conformance of headerless VPC Flow Logs layout inference: every corpus file published with
 * its format (`<name>.format.txt` sidecar, see conformance-vpcflow-elb.test.ts) is normalized twice,
 * with the format given (`--vpc-format`) and without any (as a CloudWatch Logs delivery arrives), and
 * both must give the same documents. Skipped when `../shared/corpus` is absent.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runNormalize } from '../../bin/commands/normalize';
import { inferLayout } from '../../parsers/vpcflow-format';

const ROOT = join(__dirname, '..', '..', '..', 'shared', 'corpus', 'vpcflow');
const NOW = new Date('2026-01-01T00:00:00.000Z');

function withFormat(): Array<readonly [string, string, string]> {
  if (!existsSync(ROOT)) return [];
  const out: Array<readonly [string, string, string]> = [];
  for (const dir of readdirSync(ROOT))
    for (const name of existsSync(join(ROOT, dir)) ? readdirSync(join(ROOT, dir)) : [])
      if (name.endsWith('.format.txt')) {
        const log = join(ROOT, dir, name.replace(/\.format\.txt$/, '.log'));
        if (existsSync(log)) out.push([`${dir}/${name}`, log, readFileSync(join(ROOT, dir, name), 'utf8').trim()] as const);
      }
  return out.sort();
}

const cases = withFormat();

(cases.length ? describe : describe.skip)('corpus conformance: headerless VPC flow log layouts are inferred', () => {
  test.each(cases)('%s: same documents with and without the format', async (_label, file, format) => {
    const configured: string[] = [];
    const inferred: string[] = [];
    const a = await runNormalize([file], { source: 'vpcflow', vpcFormat: format }, (l) => configured.push(l), NOW);
    const b = await runNormalize([file], { source: 'vpcflow' }, (l) => inferred.push(l), NOW);
    expect(b.get('vpcflow')).toEqual(a.get('vpcflow'));
    expect(b.get('vpcflow')!.failed).toBe(0);
    expect(inferred).toEqual(configured);
    // The layout inferred is the published format, field for field.
    const first = readFileSync(file, 'utf8').split('\n').find((l) => l.trim() && inferLayout(l.trim().split(/\s+/)).kind === 'match')!;
    const r = inferLayout(first.trim().split(/\s+/));
    expect(r.kind === 'match' && r.layout.text).toBe(format.replace(/\$\{|\}/g, ''));
  });

  test.each(cases)('%s: detected as vpcflow by content', async (_label, file) => {
    const totals = await runNormalize([file], { source: 'auto' }, () => undefined, NOW);
    expect([...totals.keys()]).toEqual(['vpcflow']);
  });
});
