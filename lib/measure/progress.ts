/**
 * A one-line progress bar for long work: step, loss, tokens/s and ETA. Redraws in place on a TTY; elsewhere
 * (CI, pipes, a `run --jobs` worker) prints a plain line every `everyS` seconds (default: env
 * LEDGERLAB_PROGRESS_EVERY_S, else 10) and at the end; silent when LEDGERLAB_QUIET=1 or quiet.
 * A plain line reads `<label> <step>/<total>  <fields>  eta <time>` (see `parseProgressLine`).
 *
 * @example
 * const bar = new Progress({ total: 200, label: 'lora seed 0' });
 * bar.update(10, { loss: 2.31, 'tok/s': 4100 });
 * bar.done();
 */
export interface ProgressOptions {
  total: number;
  label?: string;
  quiet?: boolean;
  /** Minimum seconds between non-TTY lines. */
  everyS?: number;
  stream?: NodeJS.WriteStream;
}

export class Progress {
  private readonly t0 = performance.now();
  private last = -Infinity; // the first update always prints
  private readonly stream: NodeJS.WriteStream;
  private readonly quiet: boolean;
  private readonly tty: boolean;
  private readonly total: number;
  private readonly label: string;
  private readonly everyS: number;
  private start = 0;

  constructor(opts: ProgressOptions) {
    this.total = opts.total;
    this.label = opts.label ?? '';
    this.everyS = opts.everyS ?? progressEveryS();
    this.stream = opts.stream ?? process.stderr;
    this.quiet = opts.quiet ?? process.env.LEDGERLAB_QUIET === '1';
    this.tty = Boolean(this.stream.isTTY) && process.env.CI !== 'true';
  }

  /** Marks where timing for the ETA starts (e.g. after warm-up or when resuming at step k). */
  from(step: number): void {
    this.start = step;
  }

  update(step: number, fields: Record<string, number | string> = {}): void {
    if (this.quiet) return;
    const now = performance.now();
    if (!this.tty && (now - this.last) / 1000 < this.everyS && step < this.total) return;
    this.last = now;
    const elapsed = (now - this.t0) / 1000;
    const rate = (step - this.start) / Math.max(elapsed, 1e-9);
    const eta = rate > 0 ? (this.total - step) / rate : NaN;
    const width = 24;
    const filled = Math.round((width * step) / Math.max(this.total, 1));
    const bar = this.tty ? `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ` : '';
    const extra = Object.entries(fields)
      .map(([k, v]) => `${k} ${typeof v === 'number' ? (Math.abs(v) >= 100 ? v.toFixed(0) : v.toPrecision(4)) : v}`)
      .join('  ');
    const line = `${this.label ? this.label + ' ' : ''}${bar}${step}/${this.total}  ${extra}  eta ${formatSeconds(eta)}`;
    this.stream.write(this.tty ? `\r\x1b[2K${line}` : `${line}\n`);
  }

  done(): void {
    if (!this.quiet && this.tty) this.stream.write('\n');
  }
}

/** Seconds between plain progress lines: env LEDGERLAB_PROGRESS_EVERY_S (a number ≥ 0), else 10. */
export function progressEveryS(): number {
  const v = Number(process.env.LEDGERLAB_PROGRESS_EVERY_S);
  return process.env.LEDGERLAB_PROGRESS_EVERY_S !== undefined && process.env.LEDGERLAB_PROGRESS_EVERY_S !== '' && Number.isFinite(v) && v >= 0 ? v : 10;
}

/** Reads a plain progress line back (how `run --jobs` tells a worker's progress from its messages). */
export function parseProgressLine(line: string): { label: string; step: number; total: number } | undefined {
  const m = /^(.*?) ?(\d+)\/(\d+)  .*eta \S+$/.exec(line);
  return m ? { label: m[1], step: Number(m[2]), total: Number(m[3]) } : undefined;
}

export function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '?';
  if (s < 60) return `${s.toFixed(0)}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.round((s % 3600) / 60)).padStart(2, '0')}m`;
}
