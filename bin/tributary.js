#!/usr/bin/env node
// Runs dist/tributary.js (built by `npm run build`, also by `npm ci`) when it is fresh: every file it was
// built from (dist/tributary.manifest.json) still has the recorded mtime and size. Otherwise (never
// built, a source edited or checked out since, TRIBUTARY_TSX=1) runs the TypeScript directly with tsx,
// so the command is always the code in this checkout. TRIBUTARY_LAUNCH_DEBUG=1 says which and why.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');

/** Why the bundle cannot be used, or '' when it can. */
function staleReason() {
  if (process.env.TRIBUTARY_TSX === '1') return 'TRIBUTARY_TSX=1';
  let manifest;
  try {
    manifest = JSON.parse(fs.readFileSync(path.join(root, 'dist/tributary.manifest.json'), 'utf8'));
  } catch {
    return 'no dist/tributary.manifest.json (run npm run build)';
  }
  const same = (rel, mtimeMs, size) => {
    const st = fs.statSync(path.join(root, rel), { throwIfNoEntry: false });
    return st !== undefined && st.mtimeMs === mtimeMs && st.size === size;
  };
  if (!same(manifest.bundle, manifest.bundleMtimeMs, manifest.bundleSize)) return `${manifest.bundle} changed since the manifest was written`;
  for (const [rel, [mtimeMs, size]] of Object.entries(manifest.files)) {
    if (!same(rel, mtimeMs, size)) return `${rel} changed since the build`;
  }
  return '';
}

function fail(e) {
  process.stderr.write(`tributary: ${e && e.message ? e.message : e}\n`);
  process.exit(1);
}

const reason = staleReason();
if (process.env.TRIBUTARY_LAUNCH_DEBUG === '1') process.stderr.write(`tributary: ${reason ? `tsx (${reason})` : 'dist/tributary.js'}\n`);
let cli;
if (reason) {
  try {
    require('tsx/cjs');
  } catch {
    fail(`cannot run the CLI: ${reason}, and tsx is not installed (npm ci installs it; then npm run build)`);
  }
  cli = require('./cli.ts');
} else {
  cli = require('../dist/tributary.js');
}
cli.main(process.argv).catch(fail);
