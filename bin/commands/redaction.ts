/**
 * `--redact-rules FILE` and `--redact-original`: secret redaction (`lib/core/redact.ts`) as the
 * deployed functions run it (`REDACTION_RULES`, `REDACT_EVENT_ORIGINAL`). Without them the default
 * rules apply and `event.original` is left alone. A file with an invalid rule is a usage error (exit 2),
 * reported when the options are parsed, before anything is read or written.
 */
import { readFileSync } from 'node:fs';
import { InvalidArgumentError, Option } from 'commander';
import { redactionFromJson } from '../../lib/io/redaction';
import type { Redactor } from '../../lib/core/redact';

export interface RedactionFlags {
  /** The JSON text of `--redact-rules FILE`, already validated. */
  redactRules?: string;
  redactOriginal?: boolean;
}

const readRules = (file: string): string => {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new InvalidArgumentError(`cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const r = redactionFromJson(text, false, file);
  if (r.problems) throw new InvalidArgumentError(r.problems.join('; '));
  return text;
};

/** The two options. */
export function redactionOptions(scope = ''): Option[] {
  return [
    new Option(
      '--redact-rules <file>',
      `${scope}redaction rules as REDACTION_RULES takes them (JSON: {"defaults", "disable", "rules": [{"name", "fields" | "keys" | "pattern", "hash"}]}); default: the default rules`,
    ).argParser(readRules),
    new Option('--redact-original', `${scope}redact event.original too (by default the raw line is kept as it came: it is evidence)`),
  ];
}

/**
 * The redactor the flags ask for (the default rules without flags).
 * @example cliRedactor({}).describe().defaults.includes('aws-session-token') // true
 */
export function cliRedactor(flags: RedactionFlags): Redactor {
  // The file was validated when the option was parsed; a programmatic caller's text is checked here.
  const r = redactionFromJson(flags.redactRules, flags.redactOriginal === true, '--redact-rules');
  if (r.problems) throw new Error(r.problems.join('; '));
  return r.redactor;
}
