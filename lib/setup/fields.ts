/**
 * The fields a set of mappings defines, with their types: what saved objects and detections may
 * refer to. Multi-fields count (`user_agent.original.text`); below a `flat_object` field any dotted
 * path is searchable, so those are reported as prefixes.
 */
import type { Mappings } from './templates';

export interface MappedFields {
  /** Dotted path → OpenSearch type. */
  types: Map<string, string>;
  /** `flat_object` fields: `<field>.<anything>` is valid too. */
  flatPrefixes: string[];
}

export function mappedFields(mappings: Mappings): MappedFields {
  const types = new Map<string, string>();
  const flatPrefixes: string[] = [];
  const walk = (props: Record<string, Record<string, unknown>>, path: string[]) => {
    for (const [name, def] of Object.entries(props)) {
      const p = [...path, name];
      if (def.properties) walk(def.properties as Record<string, Record<string, unknown>>, p);
      else {
        const type = String(def.type);
        types.set(p.join('.'), def.index === false ? `${type}(not indexed)` : type);
        if (type === 'flat_object') flatPrefixes.push(p.join('.'));
        for (const [sub, sdef] of Object.entries((def.fields ?? {}) as Record<string, { type: string }>)) types.set([...p, sub].join('.'), sdef.type);
      }
    }
  };
  for (const component of Object.values(mappings)) walk((component.properties ?? {}) as Record<string, Record<string, unknown>>, []);
  return { types, flatPrefixes };
}

/** Type of a field, `flat_object` for a path below one, or undefined when unmapped. */
export function fieldType(fields: MappedFields, path: string): string | undefined {
  const t = fields.types.get(path);
  if (t) return t;
  return fields.flatPrefixes.some((p) => path.startsWith(p + '.')) ? 'flat_object' : undefined;
}

export const AGGREGATABLE = new Set(['keyword', 'long', 'integer', 'float', 'double', 'date', 'ip', 'boolean']);
export const NUMERIC = new Set(['long', 'integer', 'float', 'double']);
