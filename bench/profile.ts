/**
 * Top frames of a V8 `.cpuprofile` (from `node --cpu-prof`) by self time, with file:line, so a
 * benchmark miss comes with where the time goes.
 *   npx tsx bench/profile.ts <file.cpuprofile> [top]
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

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
    const url = cf.url.replace(/^file:\/\//, '');
    const rel = url ? path.relative(process.cwd(), url) : '';
    const where = rel ? `${rel}:${cf.lineNumber + 1}` : '(native)';
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
