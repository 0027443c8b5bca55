/**
 * Configured redaction (`REDACTION_RULES` / `REDACT_EVENT_ORIGINAL`, `--redact-rules FILE` /
 * `--redact-original`): validated once and compiled into the one `Redactor` of `lib/core/redact.ts`.
 * Configured patterns are compiled with RE2JS (a JavaScript port of RE2, MIT): matching is linear in
 * the text whatever the pattern, so a configured pattern cannot stall the transformer on a hostile
 * line (no backreferences or look-arounds: RE2 refuses them, and the message says so).
 */
import type { RE2JS } from 're2js';
import { createRedactor, parseRedactionConfig, type PatternMatcher, type Redactor } from '../core/redact';

let engine: typeof RE2JS | undefined;
/**
 * RE2JS, loaded on the first configured pattern: its module takes about 11 ms to initialize, a cost
 * every function's cold start (the indexer's too: they share this configuration module) would pay for
 * nothing when no pattern is configured, which is the default.
 */
function re2(): typeof RE2JS {
  return (engine ??= (require('re2js') as typeof import('re2js')).RE2JS);
}

/** A linear-time matcher for one configured pattern, or why it is refused. */
export function compilePattern(source: string): PatternMatcher | string {
  let re: RE2JS;
  try {
    re = re2().compile(source);
  } catch (e) {
    return `is not a valid RE2 pattern (${(e as Error).message}); RE2 has no backreferences or look-arounds`;
  }
  const group = re.groupCount() > 0 ? 1 : 0;
  return {
    source,
    spans(text: string): Array<[number, number]> {
      const out: Array<[number, number]> = [];
      const m = re.matcher(text);
      while (m.find()) {
        const a = m.start(group);
        const b = m.end(group);
        // Empty matches (and an optional group that did not take part) replace nothing.
        if (a >= 0 && b > a) out.push([a, b]);
      }
      return out;
    },
  };
}

/**
 * The redactor of a configuration: `rules` is the JSON text (undefined = the defaults only). Throws
 * nothing: returns the problems, each prefixed with `label`, for the caller's error (ConfigError, exit 2).
 * @example redactionFromJson('{"disable":["cookie"]}', false, 'REDACTION_RULES').redactor?.describe().defaults.includes('cookie') // false
 */
export function redactionFromJson(rules: string | undefined, original: boolean, label: string): { redactor: Redactor; problems?: undefined } | { redactor?: undefined; problems: string[] } {
  if (rules === undefined || !rules.trim()) return { redactor: createRedactor({ original }) };
  let value: unknown;
  try {
    value = JSON.parse(rules);
  } catch (e) {
    return { problems: [`${label} is not valid JSON (${(e as Error).message})`] };
  }
  const parsed = parseRedactionConfig(value, compilePattern);
  if (parsed.problems) return { problems: parsed.problems.map((p) => `${label}: ${p}`) };
  return { redactor: createRedactor({ ...parsed.config, original }) };
}
