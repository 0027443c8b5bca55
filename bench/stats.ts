/** Small helpers shared by the benchmark processes. */

export const median = (xs: number[]): number => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** One row of `bench/results/latest.json` (null where a column does not apply). */
export interface Row {
  scenario: string;
  events_per_s: number | null;
  mb_per_s: number | null;
  ratio_to_floor: number | null;
  peak_rss_mb: number | null;
  /** Projected Lambda cost per GB of raw log text (see `lambdaCostPerGb`). */
  lambda_usd_per_gb?: number | null;
  bundle_kb?: number | null;
  init_ms?: number | null;
  note?: string;
}

/** Lambda x86 price per GB-second (us-east-1, first 6 billion GB-s/month tier, 2025 price list). */
export const LAMBDA_USD_PER_GB_S = 0.0000166667;
/** Memory size the projection assumes. */
export const LAMBDA_MEMORY_MB = 1024;
/** Lambda gives one full vCPU at 1769 MB; below that CPU time is a proportional share. */
export const LAMBDA_FULL_VCPU_MB = 1769;

/**
 * Projected Lambda compute cost (USD) per GB of raw log text from a throughput measured on one full
 * core: seconds per GB, stretched by the CPU share of `LAMBDA_MEMORY_MB`, times the GB-seconds price.
 */
export function lambdaCostPerGb(mbPerS: number | null): number | null {
  if (!mbPerS || !Number.isFinite(mbPerS)) return null;
  const cpuShare = Math.min(1, LAMBDA_MEMORY_MB / LAMBDA_FULL_VCPU_MB);
  const seconds = 1024 / mbPerS / cpuShare;
  return seconds * (LAMBDA_MEMORY_MB / 1024) * LAMBDA_USD_PER_GB_S;
}

export const round = (x: number | null | undefined, digits = 0): number | null =>
  x === null || x === undefined || !Number.isFinite(x) ? null : Number(x.toFixed(digits));
