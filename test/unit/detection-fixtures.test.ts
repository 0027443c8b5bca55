/**
 * The detection fixtures (`test/fixtures-detections/<id>.json`) are parser output, never hand-written
 * documents: each is what the pipeline makes of the real-format deliveries in
 * `test/fixtures-detections/input/<id>.json` (CloudWatch Logs payloads, S3 lines, CloudTrail files).
 * This test rebuilds every one and compares; regenerate after a deliberate change with
 * `UPDATE_GOLDEN=1 npx jest test/unit/detection-fixtures` and review the diff.
 * `test/integration/detections.test.ts` runs each detection on its fixture in a real OpenSearch.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DETECTIONS } from '../../lib/setup/detections';
import {
  buildFixture,
  buildSavedSearches,
  type DetectionFixture,
  type DetectionInput,
  formatFixture,
  formatSavedSearches,
  type SavedSearchesInput,
} from '../helpers/detection-fixtures';
import { expectValid } from '../helpers/schema';

const DIR = join(__dirname, '..', 'fixtures-detections');
const INPUT = join(DIR, 'input');
/** Fixtures built by a test of their own from real files: the integrity use case's output (integrity-detection-fixture.test.ts). */
const BUILT_ELSEWHERE = new Set(['cloudtrail-integrity-failed']);
/** Not a detection fixture: one sample per saved search (test/integration/setup.test.ts), built from its input below. */
const SAVED_SEARCHES = 'saved-searches';

const inputs = existsSync(INPUT) ? readdirSync(INPUT).filter((f) => f.endsWith('.json') && f !== `${SAVED_SEARCHES}.json`).map((f) => f.slice(0, -5)) : [];

/** Writes the built fixture when asked to (or when missing), then returns what is committed. */
function committed(path: string, text: string): unknown {
  if (process.env.UPDATE_GOLDEN === '1' || !existsSync(path)) {
    if (process.env.CI) throw new Error(`missing ${path}: run UPDATE_GOLDEN=1 locally and review it`);
    writeFileSync(path, text);
  }
  return JSON.parse(readFileSync(path, 'utf8'));
}

describe('detection fixtures', () => {
  it('exist for every detection, built from input lines (or by the integrity test), and nothing else is there', () => {
    const missing = DETECTIONS.map((d) => d.id).filter((id) => !BUILT_ELSEWHERE.has(id) && !inputs.includes(id));
    expect({ detectionsWithoutInput: missing }).toEqual({ detectionsWithoutInput: [] });
    const fixtures = readdirSync(DIR).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5));
    const handWritten = fixtures.filter((id) => !inputs.includes(id) && !BUILT_ELSEWHERE.has(id) && id !== SAVED_SEARCHES);
    expect({ fixturesWithoutInput: handWritten }).toEqual({ fixturesWithoutInput: [] });
    const orphans = inputs.filter((id) => !DETECTIONS.some((d) => d.id === id));
    expect({ inputsOfNoDetection: orphans }).toEqual({ inputsOfNoDetection: [] });
  });

  it.each(inputs)('%s: the fixture is what the pipeline makes of its input lines', (id) => {
    const input = JSON.parse(readFileSync(join(INPUT, `${id}.json`), 'utf8')) as DetectionInput;
    expect(input.detection).toBe(id);
    expect(input.fires.length).toBeGreaterThan(0);
    expect(input.quiet.length).toBeGreaterThan(0);
    const fx = buildFixture(input, `input/${id}.json`);
    for (const c of [...fx.fires, ...fx.quiet]) {
      // Every line of a case becomes a document (or a counted drop): a fixture line the parser
      // cannot read would make a case pass or fail for the wrong reason.
      expect({ case: c.name, failed: c.counts.failed, documents: c.docs.length > 0 }).toEqual({ case: c.name, failed: 0, documents: true });
      expect(c.counts.received).toBe(c.counts.documents + c.counts.dropped + c.counts.failed);
      for (const d of c.docs) expectValid(d);
    }
    const text = formatFixture(fx);
    expect(committed(join(DIR, `${id}.json`), text) as DetectionFixture).toEqual(JSON.parse(text));
  });

  it('saved-searches.json is what the pipeline makes of input/saved-searches.json', () => {
    const input = JSON.parse(readFileSync(join(INPUT, `${SAVED_SEARCHES}.json`), 'utf8')) as SavedSearchesInput;
    const fx = buildSavedSearches(input, `input/${SAVED_SEARCHES}.json`);
    for (const [name, docs] of Object.entries(fx.searches)) {
      const counts = fx.counts[name];
      expect({ search: name, documents: docs.length > 0 }).toEqual({ search: name, documents: true });
      expect(counts.received).toBe(counts.documents + counts.dropped + counts.failed);
      for (const d of docs) expectValid(d);
    }
    // The pipeline-errors sample is a failure document on purpose; no other search's sample may be one.
    const failures = Object.entries(fx.searches).filter(([name, docs]) => name !== 'pipeline-errors' && docs.some((d) => d.event?.kind === 'pipeline_error'));
    expect(failures.map(([name]) => name)).toEqual([]);
    expect(fx.searches['pipeline-errors'].every((d) => d.event?.kind === 'pipeline_error')).toBe(true);
    const text = formatSavedSearches(fx);
    expect(committed(join(DIR, `${SAVED_SEARCHES}.json`), text)).toEqual(JSON.parse(text));
  });
});
