/**
 * `serverless package` of the archive-account stack, offline, for template tests: each run in a private
 * view of the project (its files copied, its directories linked), because serverless-esbuild builds in
 * `<service>/.esbuild` and `.serverless/`: runs sharing the project directory (parallel packages in
 * one test file, other test files in other Jest workers, `scripts/lint-templates.sh`) would overwrite
 * each other's bundles. A minimal environment: no AWS credentials or profile can leak into (and hide)
 * a remote lookup, and nothing of the caller's shell reaches the template unless passed in `env`.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

export const ROOT = join(__dirname, '..', '..');

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- CloudFormation JSON is untyped by nature
type Json = any;

export interface PackagedStack {
  /** The `--package` directory: the template, the function zips, `serverless-state.json`. */
  dir: string;
  template: { Resources: Record<string, Json>; Parameters: Record<string, Json>; Conditions: Record<string, Json>; Outputs: Record<string, Json> };
  /** The framework's state file (provider.stackTags, which go on the stack at deploy, not in the template). */
  state: Json;
  seconds: number;
}

const made: string[] = [];

function isolatedService(): string {
  const service = mkdtempSync(join(tmpdir(), 'tributary-service-'));
  made.push(service);
  for (const entry of readdirSync(ROOT)) {
    if (['.esbuild', '.serverless', '.git', '.cache', '.tributary'].includes(entry)) continue;
    // the framework only recognizes a real serverless.yml file, not a link to one
    if (statSync(join(ROOT, entry)).isFile()) copyFileSync(join(ROOT, entry), join(service, entry));
    else symlinkSync(join(ROOT, entry), join(service, entry));
  }
  return service;
}

/**
 * Packages `stage` with deploy parameters `params` (`--param="name=value"`) and extra environment.
 * @example const { template } = await packageStack('dev', { opensearchEndpoint: 'search-x.eu-west-1.es.amazonaws.com' })
 */
export async function packageStack(stage: string, params: Record<string, string> = {}, env: Record<string, string> = {}): Promise<PackagedStack> {
  const dir = mkdtempSync(join(tmpdir(), `tributary-package-${stage}-`));
  made.push(dir);
  const started = Date.now();
  const args = [require.resolve('osls/bin/serverless.js'), 'package', '--stage', stage, '--package', dir, ...Object.entries(params).map(([k, v]) => `--param=${k}=${v}`)];
  try {
    await promisify(execFile)(process.execPath, args, {
      cwd: isolatedService(),
      env: { PATH: process.env.PATH ?? '', HOME: dir, SLS_TELEMETRY_DISABLED: '1', SLS_NOTIFICATIONS_MODE: 'off', AWS_EC2_METADATA_DISABLED: 'true', ...env },
      timeout: 240_000,
      maxBuffer: 10 * 1024 * 1024,
    });
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    throw new Error(`serverless package --stage ${stage} ${JSON.stringify(params)} failed: ${err.message}\n${err.stdout ?? ''}\n${err.stderr ?? ''}`, { cause: e });
  }
  return {
    dir,
    template: JSON.parse(readFileSync(join(dir, 'cloudformation-template-update-stack.json'), 'utf8')),
    state: JSON.parse(readFileSync(join(dir, 'serverless-state.json'), 'utf8')),
    seconds: (Date.now() - started) / 1000,
  };
}

/** Removes every directory `packageStack` made (call from `afterAll`). */
export function cleanPackages(): void {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
}
