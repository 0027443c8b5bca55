/**
 * `npm run build` (also run by `npm ci` / `npm install` through the `prepare` script): bundles the CLI
 * (`bin/cli.ts`) into `dist/tributary.js` (CommonJS, node20, packages external: it loads the installed
 * node_modules) with a source map, and writes `dist/tributary.manifest.json`: the project files the
 * bundle was built from (esbuild's metafile inputs + the build settings) with their mtime and size.
 *
 * `bin/tributary.js` runs the bundle only while every one of those files still has the recorded mtime
 * and size (a few dozen `stat`s); any edit, checkout or missing file makes it fall back to tsx, so a
 * developer never runs a stale bundle. The manifest is deleted before building and written last: a
 * failed or interrupted build leaves no manifest, hence no bundle is used.
 *
 * Also writes `dist/enrich/asn-<version>.bin`, the compact ASN table of the enrichment step
 * (`lib/io/enrich.ts`), from the CSV of the installed `@ip-location-db/asn`.
 */
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { build, type Plugin } from 'esbuild';
import { writeAsnTable } from '../lib/io/enrich';

const ROOT = path.join(__dirname, '..');
const OUT = 'dist/tributary.js';
const MANIFEST = 'dist/tributary.manifest.json';
/** Not in the metafile but change what the bundle is. */
const EXTRA_INPUTS = ['scripts/build.ts', 'tsconfig.json'];

/**
 * In a bundle every module shares `dist/`'s `__dirname`; code that locates repository files from its
 * own folder (bin/commands/demo.ts, setup.ts: `resolve(__dirname, '../..')`) needs its original one.
 * Rewrites `__dirname` / `__filename` of each bundled source file to its own path, relative to the bundle.
 */
const sourceDirname: Plugin = {
  name: 'source-dirname',
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, (args) => {
      if (args.path.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
      const text = readFileSync(args.path, 'utf8');
      if (!/\b__(dirname|filename)\b/.test(text)) return undefined;
      const fromBundle = (p: string) => JSON.stringify(path.relative(path.join(ROOT, 'dist'), p).split(path.sep).join('/'));
      const prologue =
        `const __src_dirname = require("node:path").join(__dirname, ${fromBundle(path.dirname(args.path))});` +
        `const __src_filename = require("node:path").join(__dirname, ${fromBundle(args.path)});`;
      // One line: the source map stays aligned with the file's own lines.
      const contents = prologue + text.replace(/\b__dirname\b/g, '__src_dirname').replace(/\b__filename\b/g, '__src_filename');
      return { contents, loader: 'ts' };
    });
  },
};

async function main(): Promise<void> {
  const t0 = Date.now();
  rmSync(path.join(ROOT, MANIFEST), { force: true });
  mkdirSync(path.join(ROOT, 'dist'), { recursive: true });
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: ['bin/cli.ts'],
    outfile: OUT,
    bundle: true,
    platform: 'node',
    target: 'node20', // the CLI runs on the user's Node (engines: >=20.19), not on Lambda's node22
    format: 'cjs',
    packages: 'external',
    sourcemap: true,
    metafile: true,
    logLevel: 'warning',
    plugins: [sourceDirname],
  });
  const inputs = [...Object.keys(result.metafile.inputs), ...EXTRA_INPUTS].sort();
  const files: Record<string, [mtimeMs: number, size: number]> = {};
  for (const rel of inputs) {
    const st = statSync(path.join(ROOT, rel));
    // Edited while esbuild ran: which version went into the bundle is unknown, so record it as stale.
    files[rel] = [st.mtimeMs >= t0 ? -1 : st.mtimeMs, st.size];
  }
  const out = statSync(path.join(ROOT, OUT));
  const manifest = { bundle: OUT, bundleMtimeMs: out.mtimeMs, bundleSize: out.size, files };
  writeFileSync(path.join(ROOT, MANIFEST), JSON.stringify(manifest) + '\n');
  console.log(`build: ${OUT} (${(out.size / 1024).toFixed(0)} KiB, ${inputs.length} inputs) in ${Date.now() - t0} ms`);
  // The enrichment step's ASN table (lib/core/enrich/asn.ts), read by the CLI and packed into the
  // functions (serverless.yml package.patterns); without it the CSV is parsed at every start.
  const asn = writeAsnTable(ROOT);
  console.log(`build: ${path.relative(ROOT, asn.file)} (${(asn.bytes / 1048576).toFixed(1)} MiB ASN table)`);
}

main().catch((e) => {
  console.error(`build: ${e instanceof Error ? e.message : e}`);
  process.exit(1);
});
