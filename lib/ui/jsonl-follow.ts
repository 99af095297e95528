/**
 * Reading a JSON-lines file that may be huge (150 MB of metrics) or still being written, without holding it:
 * the file is read asynchronously in fixed chunks from a remembered offset, so a big file neither blocks the
 * server (other requests are answered between chunks) nor lands in memory whole. Each complete line goes to
 * a callback; a malformed one is reported with its location (file:line) and skipped, so one bad line does not
 * hide the rest. A last line without its newline waits (a writer may be mid-append); a line longer than the
 * limit is skipped as malformed.
 */
import { open } from 'node:fs/promises';

export interface LineProblem { where: string; message: string }

export interface LineSink {
  line(value: Record<string, unknown>, lineNo: number): void;
  bad(problem: LineProblem): void;
}

const CHUNK = 1 << 20;
export const MAX_LINE_CHARS = 4 << 20;

export class JsonlFollower {
  private offset = 0;
  private pending = '';
  private lineNo = 0;
  private skipping = false;
  private readonly path: string;
  private readonly label: string;

  /** `label` names the file in warnings (a path relative to the results root, never the server's layout). */
  constructor(path: string, label = path) {
    this.path = path;
    this.label = label;
  }

  /** Reads what was appended since the last call (at most `maxBytes`); returns the bytes read. ENOENT reads as nothing. */
  async readMore(sink: LineSink, maxBytes = Infinity): Promise<number> {
    let fh;
    try {
      fh = await open(this.path, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
      throw err;
    }
    const buf = Buffer.alloc(CHUNK);
    let total = 0;
    let carry = Buffer.alloc(0); // a UTF-8 character cut at a chunk's end
    try {
      while (total < maxBytes) {
        const { bytesRead } = await fh.read(buf, 0, Math.min(CHUNK, maxBytes - total), this.offset);
        if (bytesRead === 0) break;
        this.offset += bytesRead;
        total += bytesRead;
        const bytes = Buffer.concat([carry, buf.subarray(0, bytesRead)]);
        const cut = completeUtf8(bytes);
        carry = Buffer.from(bytes.subarray(cut));
        this.feed(bytes.subarray(0, cut).toString('utf8'), sink);
      }
    } finally {
      await fh.close();
    }
    this.offset -= carry.length; // read again next time, whole
    return total - carry.length;
  }

  /**
   * The file is complete: a last line without its newline counts when it parses (as readJsonl keeps it) and
   * is dropped silently when it does not (a kill mid-append tears it).
   */
  finish(sink: LineSink): void {
    const raw = this.pending;
    this.pending = '';
    if (!raw.trim() || this.skipping) return;
    try {
      const value = JSON.parse(raw);
      if (value !== null && typeof value === 'object' && !Array.isArray(value)) sink.line(value, ++this.lineNo);
    } catch {
      // torn by a kill mid-append
    }
  }

  private feed(text: string, sink: LineSink): void {
    const parts = (this.pending + text).split('\n');
    this.pending = parts.pop() ?? '';
    for (const raw of parts) this.take(raw, sink);
    if (this.pending.length > MAX_LINE_CHARS) {
      // Drop the overlong line now (memory stays bounded) and everything up to its newline.
      if (!this.skipping) sink.bad({ where: `${this.label}:${this.lineNo + 1}`, message: `line longer than ${MAX_LINE_CHARS} characters, skipped` });
      this.skipping = true;
      this.pending = '';
    }
  }

  private take(raw: string, sink: LineSink): void {
    this.lineNo++;
    if (this.skipping) { this.skipping = false; return; }
    if (raw.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (err) {
      sink.bad({ where: `${this.label}:${this.lineNo}`, message: `invalid JSON line, skipped: ${(err as Error).message}` });
      return;
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      sink.bad({ where: `${this.label}:${this.lineNo}`, message: 'not a JSON object, skipped' });
      return;
    }
    sink.line(value as Record<string, unknown>, this.lineNo);
  }
}

/** Length of the prefix of `b` that ends on a whole UTF-8 character. */
function completeUtf8(b: Buffer): number {
  for (let i = b.length - 1, back = 0; i >= 0 && back < 4; i--, back++) {
    const c = b[i];
    if ((c & 0xc0) === 0x80) continue; // continuation byte
    const need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
    return back + 1 >= need ? b.length : i;
  }
  return b.length;
}
