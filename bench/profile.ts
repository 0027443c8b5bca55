/**
 * Top frames of a V8 `.cpuprofile` (from `node --cpu-prof`) by self time, with file:line, so a
 * benchmark miss comes with where the time goes; `--lines FUNCTION`: the source lines of one function
 * by self time (V8's position ticks), to see which statement of a hot function it is.
 *   npx tsx bench/profile.ts <file.cpuprofile> [top] [--lines FUNCTION]
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
  /** Samples by line of the script (1-based), when V8 recorded them (`--cpu-prof` does). */
  positionTicks?: Array<{ line: number; ticks: number }>;
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

export interface LineTicks {
  where: string;
  /** Share of the function's own samples. */
  pct: number;
}

/**
 * The source lines of the functions named `fn` (every call site and closure of that name), by
 * self samples, mapped through the bundle's source map: the statement of a hot function that costs.
 * @example lineTicks('.cache/bench/profiles/CPU.cpuprofile', 'parseCloudFrontLine')[0] // { where: 'parsers/cloudfront.ts:310', pct: 28.8 }
 */
export function lineTicks(file: string, fn: string, top = 15): LineTicks[] {
  const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const agg = new Map<string, number>();
  let total = 0;
  for (const n of p.nodes) {
    if (n.callFrame.functionName !== fn) continue;
    const url = n.callFrame.url.replace(/^file:\/\//, '');
    for (const { line, ticks } of n.positionTicks ?? []) {
      const entry = (url ? sourceMap(url)?.findEntry(line - 1, 0) : undefined) as { originalSource?: string; originalLine: number } | undefined;
      const where = entry?.originalSource
        ? `${path.relative(process.cwd(), path.resolve(path.dirname(url), entry.originalSource.replace(/^file:\/\//, '')))}:${entry.originalLine + 1}`
        : `${path.relative(process.cwd(), url)}:${line}`;
      agg.set(where, (agg.get(where) ?? 0) + ticks);
      total += ticks;
    }
  }
  return [...agg]
    .map(([where, t]) => ({ where, pct: (t / (total || 1)) * 100 }))
    .sort((a, b) => b.pct - a.pct)
    .slice(0, top);
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const at = args.indexOf('--lines');
  const fn = at >= 0 ? args.splice(at, 2)[1] : undefined;
  const [file, top] = args;
  if (fn) for (const l of lineTicks(file, fn, Number(top ?? 15))) console.log(`${l.pct.toFixed(1).padStart(5)}%  ${l.where}`);
  else for (const f of topFrames(file, Number(top ?? 20))) console.log(`${f.selfPct.toFixed(1).padStart(5)}%  ${f.fn}  ${f.where}`);
}
