/**
 * The checkpoint of a replay: objects done are recorded in a JSON file, rewritten atomically (temp
 * file + rename) at most once a second and at the end; an interrupted replay resumes with
 * `resume: true` and skips them. An object in flight when the replay stopped is simply done again
 * (idempotent).
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { stableId } from '../../parsers/ids';
import { addTally, type Tally } from '../core/tally';
import type { ReplayFilter, ReplayFrom } from './plan';


export interface CheckpointData {
  version: 1;
  fingerprint: string;
  archive: string;
  from: ReplayFrom;
  filter: ReplayFilter;
  complete: boolean;
  done: string[];
  tally: Tally;
  updatedAt: string;
}

/** What identifies one replay job: the same archive, area, range, filters and index prefix. */
export function replayFingerprint(archiveUrl: string, from: ReplayFrom, filter: ReplayFilter, indexPrefix: string): string {
  const norm = (v?: string[]) => (v?.length ? [...v].sort() : undefined);
  return stableId(
    'replay',
    JSON.stringify({ archiveUrl, from, since: filter.since, until: filter.until, s: norm(filter.sources), a: norm(filter.accounts), r: norm(filter.regions), indexPrefix }),
  );
}

/** The checkpoint file of one replay; writes are atomic (temp file + rename). */
export class Checkpoint {
  readonly done = new Set<string>();
  tally: Tally = {};
  private lastSave = 0;
  /** Set when `load` found an unfinished checkpoint of another job or a finished one. */
  note?: string;

  constructor(
    readonly file: string,
    private readonly meta: Omit<CheckpointData, 'done' | 'tally' | 'complete' | 'updatedAt' | 'version'>,
  ) {}

  /** Loads an existing checkpoint of the same job (resume); throws if it belongs to another job. */
  load(): boolean {
    if (!existsSync(this.file)) return false;
    const data = JSON.parse(readFileSync(this.file, 'utf8')) as CheckpointData;
    if (data.fingerprint !== this.meta.fingerprint)
      throw new Error(`checkpoint ${this.file} belongs to another replay (different archive, range, filters or index prefix)`);
    for (const k of data.done) this.done.add(k);
    this.tally = data.tally ?? {};
    return true;
  }

  markDone(key: string, tally: Tally): void {
    this.done.add(key);
    addTally(this.tally, tally);
  }

  save(complete = false, force = false): void {
    const now = Date.now();
    if (!force && !complete && now - this.lastSave < 1000) return;
    this.lastSave = now;
    const data: CheckpointData = { version: 1, ...this.meta, complete, done: [...this.done], tally: this.tally, updatedAt: new Date(now).toISOString() };
    mkdirSync(path.dirname(path.resolve(this.file)), { recursive: true });
    const tmp = `${this.file}.tmp-${process.pid}`;
    writeFileSync(tmp, JSON.stringify(data));
    renameSync(tmp, this.file);
  }
}
