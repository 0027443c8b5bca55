/**
 * One place that decides how property tests (fast-check) run. `npm test` is deterministic: every
 * property runs with a fixed seed and its own bounded `numRuns`. `npm run fuzz -- --runs N [--seed S]`
 * (scripts/fuzz.sh) sets the two variables below: a random (printed) seed and N runs per property.
 *
 * - `TRIBUTARY_FUZZ_SEED`: the seed of every `fc.assert` (32-bit integer; default {@link DEFAULT_SEED}).
 *   Every property of a file starts from the same seed; that is fine, they draw different values.
 * - `TRIBUTARY_FUZZ_RUNS`: when set, every property runs exactly that many times, whatever it asks for.
 *
 * A failure message from fast-check names the seed and the shrunk counterexample's path
 * (`{ seed: 42, path: "12:3", endOnFailure: true }`); rerun it with `npm run fuzz -- --seed 42 --runs N`.
 * Applied by `fast-check-setup.ts` (jest `setupFiles` of the `unit` project).
 */
import fc from 'fast-check';

/** The seed of `npm test`. Changing it is a deliberate, reviewed change like any test input. */
export const DEFAULT_SEED = 20260301;

function intFromEnv(name: string, min: number, max: number): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${name} must be an integer in ${min}..${max}, got ${JSON.stringify(raw)}`);
  return n;
}

/** The seed every property of this run uses. */
export const FUZZ_SEED = intFromEnv('TRIBUTARY_FUZZ_SEED', -(2 ** 31), 2 ** 31 - 1) ?? DEFAULT_SEED;
/** The fuzz mode's runs per property, undefined in `npm test`. */
export const FUZZ_RUNS = intFromEnv('TRIBUTARY_FUZZ_RUNS', 1, 10_000_000);

/**
 * The `numRuns` of a property: `n` in `npm test`, the fuzz mode's runs otherwise. Every property passes
 * its runs through this (a per-assert `numRuns` overrides `fc.configureGlobal`'s).
 * @example fc.assert(fc.property(arb, check), { numRuns: runs(300) })
 */
export function runs(n: number): number {
  return FUZZ_RUNS ?? n;
}

/** Sets fast-check's global parameters: the seed, and the runs of a property that does not pass any. */
export function configureFastCheck(): void {
  fc.configureGlobal({ ...fc.readConfigureGlobal(), seed: FUZZ_SEED, numRuns: runs(100) });
}
