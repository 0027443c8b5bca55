/**
 * A tiny field-definition language: the unified event schema is written once with these helpers
 * (see `schemas/index.ts`), and `npm run generate` derives from it the TypeScript document type,
 * the JSON Schema the tests validate every document against, and the OpenSearch mapping.
 *
 * Why a DSL and not Zod/TypeBox: the mapping needs OpenSearch types (keyword vs text, ip, date,
 * flat_object) that a validation library cannot express, and the three outputs must never disagree.
 */

/** OpenSearch field types the schema may use. */
export type FieldType =
  | 'keyword'
  | 'text'
  | 'long'
  | 'integer'
  | 'float'
  | 'double'
  | 'date'
  | 'ip'
  | 'boolean'
  /** OpenSearch `flat_object`: one mapped field whatever the keys inside; subfields searchable by dotted path. */
  | 'flat_object'
  /** OpenSearch `geo_point`, written as `{ "lat": 52.5, "lon": 13.4 }` (the object form: explicit, no axis-order doubt). */
  | 'geo_point';

export interface LeafOptions {
  /** The field holds a list of values (OpenSearch does not distinguish; JSON Schema and TS do). */
  array?: boolean;
  /** Closed set of allowed values (JSON Schema `enum`). */
  enum?: readonly string[];
  /** `false` keeps the value in `_source` only (e.g. `event.original`). */
  index?: boolean;
  /** Adds a `.text` subfield analysed for full-text search (keyword fields only). */
  textSubfield?: boolean;
  /** A real example value, for documentation. */
  example?: unknown;
}

export interface Leaf extends LeafOptions {
  kind: 'leaf';
  type: FieldType;
  description: string;
}

export interface Group {
  kind: 'group';
  description?: string;
  fields: Record<string, Node>;
}

export type Node = Leaf | Group;

function leaf(type: FieldType) {
  return (description: string, options: LeafOptions = {}): Leaf => ({ kind: 'leaf', type, description, ...options });
}

/** Field constructors: `f.keyword('Who did it', { example: 'alice' })`. */
export const f = {
  keyword: leaf('keyword'),
  text: leaf('text'),
  long: leaf('long'),
  integer: leaf('integer'),
  float: leaf('float'),
  double: leaf('double'),
  date: leaf('date'),
  ip: leaf('ip'),
  boolean: leaf('boolean'),
  flat: leaf('flat_object'),
  geoPoint: leaf('geo_point'),
  group: (fields: Record<string, Node>, description?: string): Group => ({ kind: 'group', fields, description }),
};

/** Walks every leaf with its dotted path (`cloud.account.id`). */
export function* leaves(node: Node, path: string[] = []): Generator<[string, Leaf]> {
  if (node.kind === 'leaf') {
    yield [path.join('.'), node];
    return;
  }
  for (const [name, child] of Object.entries(node.fields)) yield* leaves(child, [...path, name]);
}
