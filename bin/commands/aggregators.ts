/**
 * `--aggregator-accounts`: accounts whose logs may name other accounts (an organization trail's
 * owner, the log-archive and audit accounts, ...), as the deployed functions read them from
 * `AGGREGATOR_ACCOUNTS`. Anyone else's claim about another account is not believed
 * (`tributary.attribution: mismatch`, `lib/core/attribution.ts`).
 */
import { InvalidArgumentError, Option } from 'commander';

const parse = (v: string): string[] => {
  const ids = v.split(/[\s,]+/).filter(Boolean);
  const bad = ids.filter((a) => !/^\d{12}$/.test(a));
  if (bad.length) throw new InvalidArgumentError(`not 12-digit account ids: ${bad.join(', ')}`);
  return ids;
};

/** The option, defaulting to `$AGGREGATOR_ACCOUNTS` like the deployed functions. */
export function aggregatorOption(scope = ''): Option {
  // `.env()`: commander validates the variable with the same parser, as a usage error, at parse time.
  return new Option('--aggregator-accounts <ids>', `${scope}comma-separated accounts whose logs may name other accounts`)
    .env('AGGREGATOR_ACCOUNTS')
    .argParser(parse);
}
