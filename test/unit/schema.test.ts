/** The generated artifacts are committed; this fails when they drift from schemas/. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generatedFiles, toMappings } from '../../schemas/codegen';
import { leaves } from '../../schemas/dsl';
import { schema } from '../../schemas';

test.each(Object.entries(generatedFiles()))('%s is up to date (run `npm run generate`)', (path, content) => {
  expect(readFileSync(join(__dirname, '..', '..', path), 'utf8')).toBe(content);
});

test('every leaf has a description and lands in exactly one mapping component', () => {
  const mappings = toMappings();
  const inMapping = (path: string) =>
    Object.values(mappings).filter((m) => {
      let node: unknown = m;
      for (const part of path.split('.')) node = (node as { properties?: Record<string, unknown> })?.properties?.[part];
      return node !== undefined;
    }).length;
  for (const [path, leaf] of leaves(schema)) {
    expect(leaf.description.length).toBeGreaterThan(3);
    expect([path, inMapping(path)]).toEqual([path, 1]);
  }
});

test('mappings never let unknown fields grow the mapping', () => {
  for (const m of Object.values(toMappings())) expect(m.dynamic).toBe(false);
});
