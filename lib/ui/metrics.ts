/**
 * A run's metric lines as the pages need them, in bounded memory whatever the file's size: every curve
 * thinned as it is read (at most about 2 × MAX_POINTS points per metric, the last point always kept), the last
 * few training steps for the progress and ETA, the count, and the malformed lines as located warnings.
 */
import { JsonlFollower, type LineProblem, type LineSink } from './jsonl-follow.ts';
import { MAX_POINTS, type CurvePoint } from './charts.ts';

type Line = Record<string, unknown>;

/** Keys that are coordinates, not curves. */
const NOT_CURVES = new Set(['step', 'epoch', 'time', 'seed']);
/** Beyond this many metric keys a file is foreign or hostile; further keys are not charted. */
const MAX_CURVES = 64;
/** Steps kept for progressOf (its pace looks at the last 21 logged steps). */
const RECENT = 21;
const MAX_WARNINGS = 20;

/** Points of one series, thinned by doubling the stride whenever the kept points reach 2 × MAX_POINTS. */
class Thinned {
  private kept: CurvePoint[] = [];
  private stride = 1;
  private seen = 0;
  private last?: CurvePoint;

  add(p: CurvePoint): void {
    if (this.seen++ % this.stride === 0) this.kept.push(p);
    this.last = p;
    if (this.kept.length >= 2 * MAX_POINTS) {
      this.kept = this.kept.filter((_, i) => i % 2 === 0);
      this.stride *= 2;
    }
  }

  points(): CurvePoint[] {
    return this.last && this.kept.at(-1) !== this.last ? [...this.kept, this.last] : this.kept;
  }
}

export class MetricsDigest implements LineSink {
  count = 0;
  malformed = 0;
  readonly warnings: LineProblem[] = [];
  /** The last RECENT lines with a numeric step and loss. */
  recent: Line[] = [];
  private readonly curves = new Map<string, Thinned>();

  line(l: Line): void {
    this.count++;
    if (typeof l.step !== 'number') return;
    for (const [k, v] of Object.entries(l)) {
      if (NOT_CURVES.has(k) || typeof v !== 'number' || !Number.isFinite(v)) continue;
      let c = this.curves.get(k);
      if (!c) {
        if (this.curves.size >= MAX_CURVES) continue;
        this.curves.set(k, (c = new Thinned()));
      }
      c.add({ x: l.step, y: v });
    }
    if (typeof l.loss === 'number') {
      this.recent.push(l);
      if (this.recent.length > RECENT) this.recent.shift();
    }
  }

  bad(p: LineProblem): void {
    this.malformed++;
    if (this.warnings.length < MAX_WARNINGS) this.warnings.push(p);
  }

  keys(): string[] {
    return [...this.curves.keys()];
  }

  curve(key: string): CurvePoint[] {
    return this.curves.get(key)?.points() ?? [];
  }

  /** Warnings for a response: the first few located, and how many more. */
  report(): { warnings: LineProblem[]; malformedLines: number } {
    return { warnings: this.warnings, malformedLines: this.malformed };
  }
}

/** Reads a whole metrics file (absent: empty) into a digest, chunk by chunk. `label` names it in warnings. */
export async function digestMetrics(path: string | undefined, label: string): Promise<MetricsDigest> {
  const d = new MetricsDigest();
  if (!path) return d;
  const f = new JsonlFollower(path, label);
  while ((await f.readMore(d)) > 0);
  f.finish(d);
  return d;
}

/** Every well-formed line of a (small) JSON-lines file that `keep` accepts, and the malformed ones as warnings. */
export async function collectLines(path: string | undefined, label: string, keep: (l: Line) => boolean, max = 10_000): Promise<{ lines: Line[]; warnings: LineProblem[]; truncated: boolean }> {
  const lines: Line[] = [];
  const warnings: LineProblem[] = [];
  let truncated = false;
  const sink: LineSink = {
    line: (l) => { if (!keep(l)) return; if (lines.length < max) lines.push(l); else truncated = true; },
    bad: (p) => { if (warnings.length < MAX_WARNINGS) warnings.push(p); },
  };
  if (!path) return { lines, warnings, truncated };
  const f = new JsonlFollower(path, label);
  while ((await f.readMore(sink)) > 0);
  f.finish(sink);
  return { lines, warnings, truncated };
}
