/**
 * Progress of long jobs (replay, demo indexing): one line redrawn in place on a TTY, plain
 * timestamped lines at a fixed interval otherwise (CI logs, `nohup`, Lambda), and a final line.
 *
 * Rates are measured over the whole run so far (objects are uneven; a short window jumps around),
 * and the ETA is by BYTES, the one total known up front from the listing.
 */

export interface ProgressState {
  objectsDone: number;
  objectsTotal: number;
  bytesDone: number;
  bytesTotal: number;
  documents: number;
  indexed: number;
  deadLettered: number;
  /** Objects skipped because a checkpoint says they are done. */
  skipped: number;
  /** Concurrency and rate limit in force (adaptive throttling). */
  concurrency?: number;
  rateLimit?: number;
  throttled?: number;
}

export interface ProgressOptions {
  /** Where to write (default process.stderr). */
  out?: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  /** Interval of plain lines when not a TTY (default 10 s). */
  intervalMs?: number;
  /** Redraw interval on a TTY (default 250 ms). */
  ttyIntervalMs?: number;
  /** Force TTY / plain mode (default: out.isTTY). */
  tty?: boolean;
  label?: string;
  now?: () => number;
}

const MB = 1024 * 1024;

/** `1h02m`, `3m05s`, `12s`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '?';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** The numbers of one progress line (exported for tests and for the plain-text form). */
export function describe(state: ProgressState, elapsedMs: number): { pct: number; mbps: number; docsPerSec: number; etaMs: number } {
  const secs = Math.max(elapsedMs / 1000, 0.001);
  const pct = state.bytesTotal > 0 ? state.bytesDone / state.bytesTotal : state.objectsTotal > 0 ? state.objectsDone / state.objectsTotal : 1;
  const mbps = state.bytesDone / MB / secs;
  const docsPerSec = state.documents / secs;
  const etaMs = pct > 0 && pct < 1 ? (elapsedMs / pct) * (1 - pct) : pct >= 1 ? 0 : NaN;
  return { pct: Math.min(pct, 1), mbps, docsPerSec, etaMs };
}

export class Progress {
  private readonly out: NonNullable<ProgressOptions['out']>;
  private readonly tty: boolean;
  private readonly now: () => number;
  private readonly started: number;
  private timer?: NodeJS.Timeout;
  private lastWidth = 0;

  constructor(
    readonly state: ProgressState,
    private readonly options: ProgressOptions = {},
  ) {
    this.out = options.out ?? process.stderr;
    this.tty = options.tty ?? this.out.isTTY === true;
    this.now = options.now ?? Date.now;
    this.started = this.now();
  }

  start(): void {
    const every = this.tty ? (this.options.ttyIntervalMs ?? 250) : (this.options.intervalMs ?? 10_000);
    this.timer = setInterval(() => this.render(), every);
    this.timer.unref();
  }

  /** One line of text for the current state. */
  line(): string {
    const s = this.state;
    const d = describe(s, this.now() - this.started);
    const label = this.options.label ? `${this.options.label} ` : '';
    const parts = [
      `${s.objectsDone}/${s.objectsTotal} objects`,
      `${(s.bytesDone / MB).toFixed(1)}/${(s.bytesTotal / MB).toFixed(1)} MB`,
      `${s.documents} docs (${Math.round(d.docsPerSec)}/s)`,
      `${d.mbps.toFixed(2)} MB/s`,
      `ETA ${formatDuration(d.etaMs)}`,
    ];
    if (s.skipped) parts.push(`${s.skipped} already done`);
    if (s.deadLettered) parts.push(`${s.deadLettered} dead-lettered`);
    if (s.throttled) parts.push(`throttled ${s.throttled}x → concurrency ${s.concurrency}${s.rateLimit && Number.isFinite(s.rateLimit) ? `, ${Math.round(s.rateLimit)} docs/s` : ''}`);
    if (!this.tty) return `${label}${Math.floor(d.pct * 100)}% ${parts.join(', ')}`;
    const width = 20;
    const filled = Math.round(d.pct * width);
    return `${label}[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${Math.floor(d.pct * 100)}% ${parts.join(' | ')}`;
  }

  render(): void {
    const text = this.line();
    if (this.tty) {
      const cols = this.out.columns ?? 200;
      const clipped = text.length > cols - 1 ? text.slice(0, cols - 1) : text;
      this.out.write(`\r${clipped}${' '.repeat(Math.max(0, this.lastWidth - clipped.length))}`);
      this.lastWidth = clipped.length;
    } else this.out.write(`${new Date(this.now()).toISOString()} ${text}\n`);
  }

  /** Final line (always printed, with a newline). */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.render();
    if (this.tty) this.out.write('\n');
    this.lastWidth = 0;
  }
}
