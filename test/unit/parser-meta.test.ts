/**
 * Every parser documents itself with `meta` (source, format docs, examples). This runs every
 * example of every parser through the pipeline (`normalize`, with the parser's source) and checks
 * the document it must produce, so the examples document the parsers and can never go stale.
 */
import { normalize } from '../../lib/core/pipeline';
import { parserMetas, parsers } from '../../parsers';
import { DATASETS, SOURCE_IDS, type ParserExample } from '../../parsers/types';
import { expectValid } from '../helpers/schema';

const NOW = new Date('2026-03-01T00:00:00.000Z');

function run(source: (typeof SOURCE_IDS)[number], example: ParserExample) {
  const lines = typeof example.input === 'string' ? [example.input] : example.input;
  const events = lines.map((message, i) => ({ message, key: `example:${i}` }));
  return normalize({ events, context: structuredClone(example.context ?? {}), source }, { now: NOW });
}

describe('parser meta', () => {
  test('every source has exactly one meta, in source order', () => {
    expect(parserMetas.map((m) => m.id)).toEqual(SOURCE_IDS);
  });

  describe.each(parserMetas.map((m) => [m.id, m] as const))('%s', (id, meta) => {
    test('names its parser and dataset, links its docs, has 2-4 examples', () => {
      expect(parsers[id].source).toBe(id);
      expect(meta.dataset).toBe(DATASETS[id]);
      expect(meta.title.trim()).not.toBe('');
      expect(meta.docs.length).toBeGreaterThanOrEqual(1);
      for (const url of meta.docs) expect(url).toMatch(/^https:\/\/[^\s]+$/);
      expect(meta.examples.length).toBeGreaterThanOrEqual(2);
      expect(meta.examples.length).toBeLessThanOrEqual(4);
      expect(new Set(meta.examples.map((e) => e.title)).size).toBe(meta.examples.length);
    });

    test.each(meta.examples.map((e) => [e.title, e] as const))('example: %s', (_title, example) => {
      const r = run(id, example);
      const { received, documents, dropped, failed } = r.counts;
      expect(received).toBe(documents + dropped + failed);
      expect(r.source).toBe(id);
      for (const d of [...r.documents, ...r.failures]) expectValid(d);
      if ('fields' in example) {
        expect(r.failures.map((f) => f.error)).toEqual([]);
        expect(r.documents).toHaveLength(1);
        expect(r.documents[0]).toMatchObject({ ...example.fields, event: { ...example.fields.event, dataset: meta.dataset } });
      } else {
        expect(r.documents).toEqual([]);
        expect(r.failures).toHaveLength(1);
        expect(r.failures[0]).toMatchObject({ event: { kind: 'pipeline_error', dataset: meta.dataset }, error: { type: example.failure.type } });
        expect(r.failures[0].error?.message).toContain(example.failure.message ?? '');
      }
    });
  });
});
