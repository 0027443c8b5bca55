#!/usr/bin/env node
// Runs the TypeScript CLI directly (tsx), so the command is always the code in this checkout.
require('tsx/cjs');
require('./cli.ts').main(process.argv).catch((e) => {
  process.stderr.write(`tributary: ${e && e.message ? e.message : e}\n`);
  process.exit(1);
});
