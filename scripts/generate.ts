/** Writes the artifacts derived from the schema (`npm run generate`). `--check` exits 1 on drift. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generatedFiles } from '../schemas/codegen';
import { dashboardFiles } from '../lib/setup/dashboards';

const root = join(__dirname, '..');
const check = process.argv.includes('--check');
let drift = 0;
for (const [path, content] of Object.entries({ ...generatedFiles(), ...dashboardFiles() })) {
  const full = join(root, path);
  let current = '';
  try {
    current = readFileSync(full, 'utf8');
  } catch {
    /* missing file counts as drift */
  }
  if (current === content) continue;
  drift++;
  if (check) console.error(`drift: ${path} is not what \`npm run generate\` writes`);
  else {
    writeFileSync(full, content);
    console.log(`wrote ${path}`);
  }
}
if (check && drift) process.exit(1);
