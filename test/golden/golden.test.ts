/**
 * Golden tests: every `test/fixtures/<source>/<case>.{log,json,gz}` is normalized exactly as
 * `tributary normalize` would (same decoding, fixed clock) and compared with `<case>.expected.json`.
 * An optional `<case>.context.json` gives the envelope context ({ logGroup, account, region,
 * options, source }). Every produced document must validate against the generated JSON Schema.
 * Regenerate expectations after a deliberate change with `UPDATE_GOLDEN=1 npx jest test/golden`
 * and review the diff.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeInput } from '../../lib/core/inputs';
import { normalize } from '../../lib/core/pipeline';
import type { ParseContext, SourceId } from '../../parsers/types';
import { schemaErrors } from '../helpers/schema';

const FIXTURES = join(__dirname, '..', 'fixtures');
const NOW = new Date('2026-01-01T00:00:00.000Z');
const INPUT = /^(?!.*\.(expected|context)\.json$).*\.(log|json|gz|txt)$/;

interface Case {
  source: string;
  name: string;
  file: string;
}

function cases(): Case[] {
  if (!existsSync(FIXTURES)) return [];
  return readdirSync(FIXTURES).flatMap((source) =>
    readdirSync(join(FIXTURES, source))
      .filter((f) => INPUT.test(f))
      .map((f) => ({ source, name: f.replace(/\.(log|json|gz|txt)$/, ''), file: f })),
  );
}

export function runCase(source: string, file: string) {
  const dir = join(FIXTURES, source);
  const name = file.replace(/\.(log|json|gz|txt)$/, '');
  const ctxPath = join(dir, `${name}.context.json`);
  const ctx: ParseContext & { source?: SourceId | 'auto' } = existsSync(ctxPath) ? JSON.parse(readFileSync(ctxPath, 'utf8')) : {};
  const { source: chosen, ...context } = ctx;
  const decoded = decodeInput(readFileSync(join(dir, file)), `fixtures/${source}/${file}`, context);
  return decoded.batches.map((b) =>
    normalize({ events: b.events, context: b.context, source: chosen ?? (source as SourceId) }, { now: NOW }),
  );
}

const all = cases();

describe('golden fixtures', () => {
  test('fixtures exist', () => expect(all.length).toBeGreaterThan(0));

  test.each(all.map((c) => [`${c.source}/${c.file}`, c] as const))('%s', (_label, c) => {
    const results = runCase(c.source, c.file);
    for (const r of results) {
      expect(r.counts.received).toBe(r.counts.documents + r.counts.dropped + r.counts.failed);
      for (const d of [...r.documents, ...r.failures]) {
        const errors = schemaErrors(d);
        if (errors) throw new Error(`${c.source}/${c.file}: ${errors}\n${JSON.stringify(d)}`);
      }
    }
    const expectedPath = join(FIXTURES, c.source, `${c.name}.expected.json`);
    const actual = JSON.parse(JSON.stringify(results));
    if (process.env.UPDATE_GOLDEN === '1' || !existsSync(expectedPath)) {
      if (process.env.CI) throw new Error(`missing ${expectedPath}: run UPDATE_GOLDEN=1 locally and review it`);
      writeFileSync(expectedPath, JSON.stringify(actual, null, 2) + '\n');
    }
    expect(actual).toEqual(JSON.parse(readFileSync(expectedPath, 'utf8')));
  });
});
