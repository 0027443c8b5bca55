/**
 * Top frames of a V8 `.cpuprofile` (from `node --cpu-prof`) by self time, with file:line, so a
 * benchmark miss comes with where the time goes.
 *   npx tsx bench/profile.ts <file.cpuprofile> [top]
 */
import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import path from 'node:path';

const maps = new Map<string, SourceMap | null>();
/** The source map of a bundle: inlined (the bench bundles with `sourcemap: 'inline'`) or a file beside it (dist/tributary.js.map), cached. */
function sourceMap(file: string): SourceMap | null {
  if (!maps.has(file)) {
    let map: SourceMap | null = null;
    if (existsSync(file)) {
      const text = readFileSync(file, 'utf8');
      const m = /\/\/# sourceMappingURL=data:application\/json;base64,([A-Za-z0-9+/=]+)\s*$/.exec(text);
      const beside = /\/\/# sourceMappingURL=([\w.-]+\.map)\s*$/.exec(text);
      if (m) map = new SourceMap(JSON.parse(Buffer.from(m[1], 'base64').toString('utf8')));
      else if (beside && existsSync(path.join(path.dirname(file), beside[1]))) map = new SourceMap(JSON.parse(readFileSync(path.join(path.dirname(file), beside[1]), 'utf8')));
    }
    maps.set(file, map);
  }
  return maps.get(file)!;
}

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  hitCount?: number;
  children?: number[];
}

interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
}

export interface Frame {
  fn: string;
  where: string;
  selfPct: number;
}

/** Self time per function (summed over call sites), highest first. */
export function topFrames(file: string, top = 20): Frame[] {
  const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  for (let i = 0; i < p.samples.length; i++) self.set(p.samples[i], (self.get(p.samples[i]) ?? 0) + (p.timeDeltas[i] ?? 0));
  const total = [...self.values()].reduce((a, b) => a + b, 0) || 1;
  const agg = new Map<string, Frame>();
  for (const [id, t] of self) {
    const cf = byId.get(id)!.callFrame;
    let url = cf.url.replace(/^file:\/\//, '');
    let line = cf.lineNumber + 1;
    const entry = (url && cf.lineNumber >= 0 ? sourceMap(url)?.findEntry(cf.lineNumber, cf.columnNumber) : undefined) as
      | { originalSource?: string; originalLine: number }
      | undefined;
    if (entry?.originalSource) {
      url = path.resolve(path.dirname(cf.url.replace(/^file:\/\//, '')), entry.originalSource.replace(/^file:\/\//, ''));
      line = entry.originalLine + 1;
    }
    const rel = url ? path.relative(process.cwd(), url) : '';
    const where = rel ? `${rel}:${line}` : '(native)';
    const key = `${cf.functionName}|${where}`;
    const f = agg.get(key) ?? { fn: cf.functionName || '(anonymous)', where, selfPct: 0 };
    f.selfPct += (t / total) * 100;
    agg.set(key, f);
  }
  return [...agg.values()].sort((a, b) => b.selfPct - a.selfPct).slice(0, top);
}

if (require.main === module) {
  const [file, top] = process.argv.slice(2);
  for (const f of topFrames(file, Number(top ?? 20))) console.log(`${f.selfPct.toFixed(1).padStart(5)}%  ${f.fn}  ${f.where}`);
}
