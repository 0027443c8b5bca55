import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Architecture: who may import whom, on the specifier strings as written (import, import type,
// export-from, import = require). test/unit/architecture.test.ts checks the same rules completely
// (resolved paths, require() and import() included); its header lists them.
const up = (...dirs) => `^\\.{1,2}/(\\.\\./)*(${dirs.join('|')})(/|$)`; // a relative path into one of these top folders
const PURE = 'node:(assert|buffer|crypto|events|net|path|querystring|stream|string_decoder|url|util|zlib)(/|$)'; // I/O-free builtins
const arch = {
  noTest: { regex: up('test'), message: 'only test/ imports test/.' },
  noTools: { regex: up('bin', 'bench', 'scripts', 'samples'), message: 'lib/, parsers/, schemas/, handlers/ never import bin/, bench/, scripts/ or samples/.' },
  noToolsLocal: { regex: up('bin', 'bench', 'scripts'), message: 'lib/local/ never imports bin/, bench/ or scripts/ (samples/ is allowed).' },
  noHandlers: { regex: up('handlers'), message: 'bin/ never imports handlers/: use the use case in lib/.' },
  parsers: { regex: `^(?!\\./|\\.\\./schemas(/|$)|${PURE})`, message: 'parsers/ imports only parsers/, schemas/ and I/O-free node: builtins.' },
  schemas: { regex: '^(?!\\./)', message: 'schemas/ imports only schemas/.' },
  schemasSub: { regex: '^(?!\\./|\\.\\./(?!\\.\\./))', message: 'schemas/ imports only schemas/.' },
  core: { regex: `^(?!\\./|\\.\\./\\.\\./(parsers|schemas)(/|$)|${PURE})`, message: 'lib/core/ is pure: only lib/core/, parsers/, schemas/ and I/O-free node: builtins (no packages, no lib/io).' },
  io: { regex: '^\\.(?!/|\\./core(/|$)|\\./\\.\\./(parsers|schemas)(/|$))', message: 'lib/io/ imports lib/io/, lib/core/, parsers/, schemas/, builtins and packages, never a use case or another folder.' },
  handlers: {
    regex: '^(?!@middy/|@aws-lambda-powertools/|aws-lambda$|\\.\\./lib/io/(config|observability)$|\\.\\./lib/(transform|ingest|indexer)$|\\.\\./lib/(replay|setup)(/|$))',
    message: 'handlers/ import only @middy/*, @aws-lambda-powertools/*, aws-lambda, lib/io/config, lib/io/observability and use cases (lib/transform, ingest, indexer, replay, setup).',
  },
};
const netPure = { name: 'node:net', allowImportNames: ['isIP', 'isIPv4', 'isIPv6'], message: 'only the address helpers of node:net: no sockets here.' };
/** One block per folder; a later block replaces an earlier one's options, so each lists all its patterns. */
const restrict = (files, patterns, paths = [], ignores = []) => ({
  files,
  ignores,
  rules: { '@typescript-eslint/no-restricted-imports': ['error', { paths, patterns }] },
});

export default tseslint.config(
  { ignores: ['node_modules/', '.serverless/', '.cache/', 'dist/', '.esbuild/', 'coverage/', 'schemas/generated/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { require: 'readonly', module: 'writable', process: 'readonly', __dirname: 'readonly', console: 'readonly', Buffer: 'readonly' } },
    rules: {
      '@typescript-eslint/no-require-imports': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-control-regex': 'off',
    },
  },
  restrict(['**/*.{ts,js,mjs}'], [arch.noTest], [], ['test/**']),
  restrict(['bin/**'], [arch.noTest, arch.noHandlers]),
  restrict(['lib/**', 'parsers/**', 'schemas/**', 'handlers/**'], [arch.noTest, arch.noTools]),
  restrict(['lib/local/**'], [arch.noTest, arch.noToolsLocal]),
  restrict(['lib/core/**'], [arch.noTest, arch.noTools, arch.core], [netPure]),
  restrict(['lib/io/**'], [arch.noTest, arch.noTools, arch.io]),
  restrict(['parsers/**'], [arch.noTest, arch.noTools, arch.parsers], [netPure]),
  restrict(['schemas/*.ts'], [arch.noTest, arch.noTools, arch.schemas]),
  restrict(['schemas/*/**'], [arch.noTest, arch.noTools, arch.schemasSub]),
  restrict(['handlers/**'], [arch.noTest, arch.noTools, arch.handlers]),
);
