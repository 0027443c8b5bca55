/**
 * The variables of a Mustache template and the sections around each, for checking alert messages
 * against the context Alerting documents (no Mustache renderer is a dependency of the project, and
 * this does not render: it only lists names, so a misspelt or undocumented variable is caught).
 */

export interface TemplateVariable {
  /** The dotted name inside the tag (`.` for the current item). */
  name: string;
  kind: 'variable' | 'section' | 'inverted';
  /** Names of the enclosing sections, outermost first. */
  sections: string[];
}

/**
 * Every tag of a template, in order; throws on an unbalanced or mismatched section.
 * @example templateVariables('{{#a.b}}{{c}}{{/a.b}}') // [{ name: 'a.b', kind: 'section', sections: [] }, { name: 'c', kind: 'variable', sections: ['a.b'] }]
 */
export function templateVariables(source: string): TemplateVariable[] {
  const out: TemplateVariable[] = [];
  const open: string[] = [];
  for (const m of source.matchAll(/\{\{(\{?)([#^/!&]?)\s*([^}]*?)\s*\}?\}\}/g)) {
    const [, , sigil, name] = m;
    if (sigil === '!') continue;
    if (sigil === '/') {
      const top = open.pop();
      if (top !== name) throw new Error(`section {{/${name}}} closes ${top === undefined ? 'nothing' : `{{#${top}}}`}`);
      continue;
    }
    out.push({ name, kind: sigil === '#' ? 'section' : sigil === '^' ? 'inverted' : 'variable', sections: [...open] });
    if (sigil === '#' || sigil === '^') open.push(name);
  }
  if (open.length) throw new Error(`unclosed section {{#${open[open.length - 1]}}}`);
  return out;
}

/** Looks a dotted Mustache name up in a value (`0` indexes an array, as Alerting's Mustache does). */
export function lookup(value: unknown, name: string): unknown {
  if (name === '.') return value;
  return name.split('.').reduce<unknown>((v, k) => {
    if (v === null || v === undefined) return undefined;
    if (Array.isArray(v)) return /^\d+$/.test(k) ? v[Number(k)] : undefined;
    return typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined;
  }, value);
}
