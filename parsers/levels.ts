/**
 * Log level normalization shared by the Lambda and application parsers: every logger's names and
 * numbers become one lower-case vocabulary in `log.level`.
 */

/** Canonical lower-case levels (syslog-style names collapse onto these). */
export type Level = 'trace' | 'debug' | 'info' | 'notice' | 'warn' | 'error' | 'critical' | 'alert' | 'emergency' | 'fatal';

const NAMES: Record<string, Level> = {
  trace: 'trace', finest: 'trace', finer: 'trace', verbose: 'trace', silly: 'trace',
  debug: 'debug', fine: 'debug', config: 'debug', dbg: 'debug',
  info: 'info', information: 'info', informational: 'info', http: 'info',
  notice: 'notice',
  warn: 'warn', warning: 'warn',
  error: 'error', err: 'error', severe: 'error',
  crit: 'critical', critical: 'critical',
  alert: 'alert',
  emerg: 'emergency', emergency: 'emergency', panic: 'emergency',
  fatal: 'fatal',
};

/**
 * A level name as a canonical level, or undefined when the word is not a level.
 * @example levelFromName('WARNING') // 'warn'
 */
export function levelFromName(name: string): Level | undefined {
  if (name.length > 13) return undefined;
  return NAMES[name.toLowerCase()];
}

/**
 * pino / bunyan numeric levels (10 trace, 20 debug, 30 info, 40 warn, 50 error, 60 fatal); values in
 * between round down, as both libraries allow custom levels.
 * @example levelFromNumber(50) // 'error'
 */
export function levelFromNumber(n: number): Level | undefined {
  if (!Number.isFinite(n) || n < 10) return undefined;
  if (n < 20) return 'trace';
  if (n < 30) return 'debug';
  if (n < 40) return 'info';
  if (n < 50) return 'warn';
  if (n < 60) return 'error';
  return 'fatal';
}

const SYSLOG: Level[] = ['emergency', 'alert', 'critical', 'error', 'warn', 'notice', 'info', 'debug'];

/** Syslog severity 0..7 as a level. */
export function levelFromSyslogSeverity(s: number): Level | undefined {
  return SYSLOG[s];
}

/** Any JSON level value: a name (`"ERROR"`), a pino/bunyan number, or a numeric string. */
export function levelFromValue(v: unknown): Level | undefined {
  if (typeof v === 'number') return levelFromNumber(v);
  if (typeof v === 'string') {
    const byName = levelFromName(v.trim());
    if (byName) return byName;
    if (/^\d{2}$/.test(v)) return levelFromNumber(Number(v));
  }
  return undefined;
}
