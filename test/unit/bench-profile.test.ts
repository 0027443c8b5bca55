/**
 * bench/profile.ts reads V8 `.cpuprofile` files: self time per function, and per source line of one
 * function (`--lines`), which is how the hot statements of issue #18's sixth round were found.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { lineTicks, topFrames } from '../../bench/profile';

describe('bench/profile.ts', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tributary-profile-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  // Two call sites of `parse` (same script, different lines), one of `other`, one sample of the root.
  const script = path.join(dir, 'script.js');
  const frame = (id: number, functionName: string, lineNumber: number, positionTicks?: Array<{ line: number; ticks: number }>) => ({
    id,
    callFrame: { functionName, url: `file://${script}`, lineNumber, columnNumber: 0 },
    positionTicks,
  });
  const file = path.join(dir, 'p.cpuprofile');
  writeFileSync(
    file,
    JSON.stringify({
      nodes: [
        { id: 1, callFrame: { functionName: '(root)', url: '', lineNumber: -1, columnNumber: -1 } },
        frame(2, 'parse', 9, [{ line: 12, ticks: 6 }, { line: 14, ticks: 2 }]),
        frame(3, 'parse', 9, [{ line: 12, ticks: 2 }]),
        frame(4, 'other', 30, [{ line: 31, ticks: 10 }]),
      ],
      samples: [2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4],
      timeDeltas: new Array(20).fill(1000),
    }),
  );

  it('adds up self time per function over its call sites', () => {
    const frames = topFrames(file, 5);
    expect(frames.map((f) => [f.fn, Math.round(f.selfPct)])).toEqual([
      ['parse', 50],
      ['other', 50],
    ]);
  });

  it("gives one function's source lines by their share of its samples", () => {
    const lines = lineTicks(file, 'parse');
    expect(lines.map((l) => [path.basename(l.where), l.pct])).toEqual([
      ['script.js:12', 80],
      ['script.js:14', 20],
    ]);
    expect(lineTicks(file, 'absent')).toEqual([]);
  });
});
