/**
 * Progress of several parallel workers (the `run --jobs N` processes) in one terminal: each worker's latest
 * progress line is one row of a block redrawn in place on a TTY (a multi-bar); other lines a worker writes
 * (notes, warnings, errors) are printed above the block and stay. Off a TTY (CI, `npm run main | tee`) every
 * line is printed as it comes, prefixed with the worker's name; the workers themselves throttle their progress
 * lines (LEDGERLAB_PROGRESS_EVERY_S), so this gives periodic plain lines.
 *
 * @example
 * const board = new ProgressBoard();
 * board.add('speedup-…-s0');
 * child.stderr.on('data', (d) => board.write('speedup-…-s0', d));
 * board.remove('speedup-…-s0');
 */
import { parseProgressLine } from './progress.ts';

export interface ProgressBoardOptions {
  stream?: NodeJS.WriteStream | NodeJS.WritableStream;
  /** Redraw in place (default: the stream is a TTY and CI is not set). */
  tty?: boolean;
  quiet?: boolean;
}

export class ProgressBoard {
  private readonly stream: NodeJS.WritableStream & { columns?: number };
  private readonly tty: boolean;
  private readonly quiet: boolean;
  private readonly rows = new Map<string, string>();
  private readonly partial = new Map<string, string>();
  /** How many rows the block drawn last has (to move the cursor back over it). */
  private drawn = 0;

  constructor(opts: ProgressBoardOptions = {}) {
    this.stream = (opts.stream ?? process.stderr) as NodeJS.WritableStream & { columns?: number };
    this.tty = opts.tty ?? (Boolean((this.stream as NodeJS.WriteStream).isTTY) && process.env.CI !== 'true');
    this.quiet = opts.quiet ?? process.env.LEDGERLAB_QUIET === '1';
  }

  /** True when rows are redrawn in place (so callers know progress is shown live). */
  get live(): boolean {
    return this.tty && !this.quiet;
  }

  add(name: string, status = 'starting'): void {
    this.rows.set(name, status);
    if (this.quiet) return;
    if (this.tty) this.redraw();
    else this.stream.write(`[${name}] ${status}\n`);
  }

  /** Feeds raw output of worker `name`; complete lines are shown, a trailing partial line waits. */
  write(name: string, chunk: string | Buffer): void {
    const text = (this.partial.get(name) ?? '') + chunk.toString();
    const lines = text.split('\n');
    this.partial.set(name, lines.pop()!);
    for (const raw of lines) this.line(name, raw.replace(/\r$/, ''));
  }

  /** One line from worker `name`: a progress line updates its row; anything else is printed to stay. */
  line(name: string, text: string): void {
    if (this.quiet || text.trim() === '') return;
    if (!this.tty) {
      this.stream.write(`[${name}] ${text}\n`);
      return;
    }
    if (parseProgressLine(text)) {
      this.rows.set(name, text);
      this.redraw();
    } else {
      this.above(`[${name}] ${text}`);
    }
  }

  /** Removes a finished worker's row (flushing a partial last line first). */
  remove(name: string): void {
    const rest = this.partial.get(name);
    if (rest) this.line(name, rest);
    this.partial.delete(name);
    this.rows.delete(name);
    if (this.tty && !this.quiet) this.redraw();
  }

  /** Prints text that must stay (e.g. a run's outcome on stdout) without tearing the block. */
  around(fn: () => void): void {
    if (!this.tty || this.quiet) return fn();
    this.clear();
    fn();
    this.redraw();
  }

  private above(text: string): void {
    this.clear();
    this.stream.write(`${text}\n`);
    this.redraw();
  }

  private clear(): void {
    if (this.drawn === 0) return;
    this.stream.write(`\x1b[${this.drawn}A` + '\x1b[2K\n'.repeat(this.drawn) + `\x1b[${this.drawn}A`);
    this.drawn = 0;
  }

  private redraw(): void {
    if (this.quiet) return;
    const cols = this.stream.columns;
    const width = Math.max(20, (cols && cols > 0 ? cols : 120) - 1); // a pty without a size reports 0
    const out = [...this.rows].map(([name, text]) => `\x1b[2K[${name}] ${text}`.slice(0, width + 4));
    this.stream.write((this.drawn ? `\x1b[${this.drawn}A` : '') + out.map((l) => `${l}\n`).join('') + '\x1b[2K\n'.repeat(Math.max(0, this.drawn - out.length)) + (this.drawn > out.length ? `\x1b[${this.drawn - out.length}A` : ''));
    this.drawn = out.length;
  }
}
