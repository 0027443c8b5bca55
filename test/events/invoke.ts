/** Test helper: runs a handler through `run-handler.ts` in a child process with the given env. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Invocation {
  result?: unknown;
  error?: string;
  /** Parsed JSON log lines (Powertools logger). */
  logs: Array<Record<string, unknown>>;
  /** Parsed EMF metric documents. */
  metrics: Array<Record<string, unknown>>;
  status: number | null;
  stderr: string;
}

const root = join(__dirname, '..', '..');

export function invokeLocal(fn: 'transform' | 's3ingest' | 'indexer', event: unknown, env: Record<string, string | undefined>): Invocation {
  const file = join(mkdtempSync(join(tmpdir(), 'tributary-event-')), 'event.json');
  writeFileSync(file, JSON.stringify(event));
  const clean = Object.fromEntries(Object.entries({ ...process.env, ...env }).filter(([, v]) => v !== undefined)) as Record<string, string>;
  const p = spawnSync(process.execPath, [join(root, 'node_modules/tsx/dist/cli.mjs'), join(__dirname, 'run-handler.ts'), fn, file], {
    env: { ...clean, NODE_NO_WARNINGS: '1' },
    encoding: 'utf8',
    timeout: 120_000,
  });
  const out: Invocation = { logs: [], metrics: [], status: p.status, stderr: p.stderr };
  for (const line of `${p.stdout ?? ''}\n${p.stderr ?? ''}`.split('\n')) {
    if (line.startsWith('__RESULT__ ')) out.result = JSON.parse(line.slice(11));
    else if (line.startsWith('__ERROR__ ')) out.error = line.slice(10);
    else if (line.startsWith('{')) {
      const j = JSON.parse(line) as Record<string, unknown>;
      (j._aws ? out.metrics : out.logs).push(j);
    }
  }
  return out;
}

/**
 * The invocation's own EMF document (dimensions `{service, stage}`): the per-source documents
 * (with a `source` dimension) are published first and hold only their source's share.
 */
export function invocationMetrics(inv: Invocation): Record<string, number> {
  const all = inv.metrics.filter((m) => !('source' in m));
  if (all.length !== 1) throw new Error(`expected one invocation metric document, got ${all.length} of ${inv.metrics.length}`);
  return all[0] as Record<string, number>;
}
