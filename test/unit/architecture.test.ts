/**
 * The dependency rules of the source tree. Every `.ts` file's imports are read with the TypeScript
 * parser (`import`, `import type`, `export … from`, `import x = require()`, `require()`, `import()`,
 * `typeof import()`), relative specifiers are resolved to repository paths, and each rule below is
 * checked. eslint.config.mjs enforces the same rules while editing (`no-restricted-imports`, on the
 * raw specifier strings); this test is the complete check.
 *
 *   parsers/   only parsers/, schemas/ and I/O-free node builtins (pure, like lib/core, which imports them)
 *   schemas/   only schemas/
 *   lib/core/  only lib/core/, parsers/, schemas/ and I/O-free node builtins: no packages, no lib/io
 *   lib/io/    lib/io/, lib/core/, parsers/, schemas/, node builtins, packages; no use case
 *   handlers/  only @middy/*, @aws-lambda-powertools/*, aws-lambda, lib/io/config, lib/io/observability
 *              and the use cases lib/transform, lib/ingest, lib/indexer, lib/replay(/*), lib/setup/*;
 *              each exports `handler = middy(…)…`
 *   bin/       never handlers/
 *   test/      imported only from test/
 *   lib/, parsers/, schemas/, handlers/  never bin/, bench/, scripts/, samples/ (lib/local/ may use
 *              samples/: the demo generates its logs with the seeded sample generator)
 */
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import ts from 'typescript';

const ROOT = path.join(__dirname, '../..');
const SKIP_DIRS = new Set(['node_modules', '.git', '.cache', 'dist', '.serverless', '.esbuild', 'coverage', '.tributary']);

/** Builtins that do no I/O. `node:net` only for its address helpers (`isIP`), never sockets. */
const PURE_BUILTINS = new Set(['assert', 'buffer', 'crypto', 'events', 'path', 'querystring', 'stream', 'string_decoder', 'url', 'util', 'zlib']);
const NET_PURE_NAMES = new Set(['isIP', 'isIPv4', 'isIPv6']);

interface Import {
  file: string; // repository path of the importing file
  line: number;
  spec: string; // as written
  kind: 'local' | 'builtin' | 'package';
  /** local: repository path without .ts/.js; builtin: `node:name`; package: the specifier */
  target: string;
  /** named bindings of `import { a, b } from`, when that is all the statement imports */
  names?: string[];
}

function* tsFiles(dir: string): Generator<string> {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (SKIP_DIRS.has(e.name)) continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) yield* tsFiles(p);
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) yield p;
  }
}

const posix = (p: string) => p.split(path.sep).join('/');

function classify(file: string, spec: string): Pick<Import, 'kind' | 'target'> {
  if (spec.startsWith('.')) {
    const abs = path.resolve(path.dirname(path.join(ROOT, file)), spec);
    return { kind: 'local', target: posix(path.relative(ROOT, abs)).replace(/\.(ts|js)$/, '') };
  }
  if (spec.startsWith('node:') || builtinModules.includes(spec)) return { kind: 'builtin', target: spec.startsWith('node:') ? spec : `node:${spec}` };
  return { kind: 'package', target: spec };
}

function importsOf(file: string, sf: ts.SourceFile): Import[] {
  const out: Import[] = [];
  const add = (node: ts.Node, spec: string, names?: string[]) =>
    out.push({ file, line: sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1, spec, ...classify(file, spec), names });
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const c = node.importClause;
      const named = c && !c.name && c.namedBindings && ts.isNamedImports(c.namedBindings) ? c.namedBindings.elements.map((e) => (e.propertyName ?? e.name).text) : undefined;
      add(node, node.moduleSpecifier.text, named);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      add(node, node.moduleSpecifier.text);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference) && ts.isStringLiteral(node.moduleReference.expression)) {
      add(node, node.moduleReference.expression.text);
    } else if (ts.isCallExpression(node) && node.arguments.length >= 1 && ts.isStringLiteralLike(node.arguments[0])) {
      const callee = node.expression;
      if ((ts.isIdentifier(callee) && callee.text === 'require') || callee.kind === ts.SyntaxKind.ImportKeyword) add(node, node.arguments[0].text);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      add(node, node.argument.literal.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

const sources = [...tsFiles(ROOT)].map((abs) => {
  const file = posix(path.relative(ROOT, abs));
  const sf = ts.createSourceFile(file, readFileSync(abs, 'utf8'), ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  return { file, sf, imports: importsOf(file, sf) };
});
const allImports = sources.flatMap((s) => s.imports);

const under = (p: string, ...dirs: string[]) => dirs.some((d) => p === d || p.startsWith(`${d}/`));
/** A builtin that does no I/O (node:net only as `import { isIP } from 'node:net'`). */
function pureBuiltin(i: Import): boolean {
  const name = i.target.slice('node:'.length);
  if (name === 'net') return i.names !== undefined && i.names.length > 0 && i.names.every((n) => NET_PURE_NAMES.has(n));
  return PURE_BUILTINS.has(name.split('/')[0]);
}

interface Rule {
  name: string;
  /** the importing files the rule constrains */
  from: (file: string) => boolean;
  /** true when the import is allowed */
  allows: (i: Import) => boolean;
  why: string;
}

const USE_CASES = ['lib/transform', 'lib/ingest', 'lib/indexer', 'lib/onboard', 'lib/replay', 'lib/local', 'lib/setup', 'lib/demo'];

const rules: Rule[] = [
  {
    name: 'parsers/ imports only schemas/, parsers/ and I/O-free builtins',
    from: (f) => under(f, 'parsers'),
    allows: (i) => (i.kind === 'local' && under(i.target, 'parsers', 'schemas')) || (i.kind === 'builtin' && pureBuiltin(i)),
    why: 'parsers are pure: no I/O, no packages, no lib/',
  },
  {
    name: 'schemas/ imports only schemas/',
    from: (f) => under(f, 'schemas'),
    allows: (i) => i.kind === 'local' && under(i.target, 'schemas'),
    why: 'the schema is the one source of truth and depends on nothing',
  },
  {
    name: 'lib/core/ imports only lib/core/, parsers/, schemas/ and I/O-free builtins',
    from: (f) => under(f, 'lib/core'),
    allows: (i) => (i.kind === 'local' && under(i.target, 'lib/core', 'parsers', 'schemas')) || (i.kind === 'builtin' && pureBuiltin(i)),
    why: 'lib/core is pure: no fs/net/child_process, no @aws-sdk or @opensearch-project, no lib/io or other lib/ folders',
  },
  {
    name: 'lib/io/ imports no use case',
    from: (f) => under(f, 'lib/io'),
    allows: (i) => i.kind !== 'local' || under(i.target, 'lib/io', 'lib/core', 'parsers', 'schemas'),
    why: `lib/io may use lib/core, parsers, schemas, builtins and packages; not ${USE_CASES.join(', ')} or other folders`,
  },
  {
    name: 'handlers/ import only middy, powertools, lib/io/config, lib/io/observability and use cases',
    from: (f) => under(f, 'handlers'),
    allows: (i) =>
      (i.kind === 'package' && (i.target.startsWith('@middy/') || i.target.startsWith('@aws-lambda-powertools/') || i.target === 'aws-lambda')) ||
      (i.kind === 'local' &&
        (['lib/io/config', 'lib/io/observability', 'lib/transform', 'lib/ingest', 'lib/indexer', 'lib/replay'].includes(i.target) ||
          under(i.target, 'lib/replay', 'lib/setup'))),
    why: 'handlers are thin: wiring (config, observability, middy) around a use case; the rest belongs in the use case',
  },
  {
    name: 'bin/ never imports handlers/',
    from: (f) => under(f, 'bin'),
    allows: (i) => !(i.kind === 'local' && under(i.target, 'handlers')),
    why: 'the CLI calls the use cases in lib/, not Lambda entry points (move shared types into lib/)',
  },
  {
    name: 'only test/ imports test/',
    from: (f) => !under(f, 'test'),
    allows: (i) => !(i.kind === 'local' && under(i.target, 'test')),
    why: 'test helpers are not part of the product',
  },
  {
    name: 'lib/, parsers/, schemas/, handlers/ never import bin/, bench/, scripts/, samples/',
    from: (f) => under(f, 'lib', 'parsers', 'schemas', 'handlers'),
    allows: (i) =>
      !(i.kind === 'local' && under(i.target, 'bin', 'bench', 'scripts', 'samples')) ||
      // the demo (lib/local/) wraps the seeded sample generator's logs in AWS envelopes
      (under(i.file, 'lib/local') && under(i.target, 'samples')),
    why: 'tools depend on the product, never the reverse (exception: lib/local/ may import samples/)',
  },
];

function violations(rule: Rule): string[] {
  return allImports
    .filter((i) => rule.from(i.file) && !rule.allows(i))
    .map((i) => `${i.file}:${i.line} imports '${i.spec}'${i.kind === 'local' ? ` (${i.target})` : ''}: ${rule.why}`);
}

describe('architecture: dependency rules', () => {
  test('the scanner sees the tree', () => {
    for (const dir of ['parsers', 'schemas', 'lib/core', 'lib/io', 'handlers', 'bin']) {
      expect(sources.filter((s) => under(s.file, dir)).length).toBeGreaterThan(0);
    }
    const kinds = new Set(allImports.map((i) => i.kind));
    expect([...kinds].sort()).toEqual(['builtin', 'local', 'package']);
  });

  test.each(rules.map((r) => [r.name, r] as const))('%s', (_name, rule) => {
    expect(violations(rule)).toEqual([]);
  });

  test('each handler exports `handler = middy(...)`', () => {
    const missing = sources
      .filter((s) => under(s.file, 'handlers'))
      .filter(({ sf }) => !sf.statements.some((st) => ts.isVariableStatement(st) && st.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword) && st.declarationList.declarations.some(isMiddyHandler)))
      .map((s) => `${s.file}: no \`export const handler = middy(...)\``);
    expect(missing).toEqual([]);
  });
});

/** `handler = middy(fn)` or `handler = middy(fn).use(...)...`. */
function isMiddyHandler(d: ts.VariableDeclaration): boolean {
  if (!ts.isIdentifier(d.name) || d.name.text !== 'handler' || !d.initializer) return false;
  let e: ts.Expression = d.initializer;
  while (ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression)) e = e.expression.expression;
  return ts.isCallExpression(e) && ts.isIdentifier(e.expression) && e.expression.text === 'middy';
}
