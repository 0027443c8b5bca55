/**
 * Property tests are deterministic in `npm test` (one fixed seed, bounded runs) and scale in
 * `npm run fuzz`: test/helpers/fuzz.ts decides both, and every property goes through it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { DEFAULT_SEED, FUZZ_RUNS, FUZZ_SEED, runs } from '../helpers/fuzz';

describe('fast-check configuration', () => {
  test('the jest setup file sets the seed (fixed unless TRIBUTARY_FUZZ_SEED says otherwise)', () => {
    expect(fc.readConfigureGlobal()?.seed).toBe(FUZZ_SEED);
    if (process.env.TRIBUTARY_FUZZ_SEED === undefined) expect(FUZZ_SEED).toBe(DEFAULT_SEED);
  });

  test('runs(n) is n in npm test and the fuzz runs in fuzz mode', () => {
    expect(runs(7)).toBe(FUZZ_RUNS ?? 7);
    expect(fc.readConfigureGlobal()?.numRuns).toBe(FUZZ_RUNS ?? 100);
  });

  test('every property of the unit tests passes its numRuns through runs()', () => {
    const dir = __dirname;
    const offenders: string[] = [];
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.test.ts'))) {
      const text = readFileSync(join(dir, f), 'utf8');
      if (f === 'fuzz-config.test.ts' || !text.includes("from 'fast-check'")) continue;
      const properties = text.split(/\bfc\.(?:assert|check)\(/).length - 1;
      const routed = text.split('numRuns: runs(').length - 1;
      if (properties !== routed || /process\.env\.FUZZ_RUNS/.test(text)) offenders.push(`${f}: ${properties} properties, ${routed} numRuns: runs(...)`);
    }
    expect(offenders).toEqual([]);
  });
});
