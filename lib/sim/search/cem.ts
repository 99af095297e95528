/**
 * Cross-entropy method (Rubinstein 1999; de Boer et al. 2005) over the unit box [0, 1]^d: sample a diagonal
 * Gaussian, keep the elite fraction, refit mean and spread with smoothing. Derivative-free and seeded, so a
 * best-response search repeats exactly. Hand-written because the npm CMA-ES/CEM packages are unmaintained
 * one-offs and the method is a few lines; the objective is expensive (whole episodes), so every decoded
 * point is evaluated once (a cache keyed by the caller's discretisation) and the best point ever seen wins.
 */
import { Rng } from '../../util/index.ts';

export interface CemOptions {
  iterations: number;
  population: number;
  /** Elite count per iteration (≥ 1, ≤ population). */
  elite: number;
  /** Weight of the new elite statistics against the old ones (1 = no smoothing). */
  smoothing: number;
  initialSigma: number;
  /** Spread never shrinks below this (keeps exploring near the boundary). */
  minSigma: number;
  seed: number;
  /** Starting mean (e.g. the fixed strategy); the point itself is evaluated first. */
  start?: readonly number[];
  /** Canonical key of a point after the caller's rounding, for the evaluation cache. */
  key?: (x: readonly number[]) => string;
  /**
   * Grid step per dimension (1/(max − min) for an integer knob): after the CEM iterations, a coordinate
   * ascent polishes the best point one step at a time (CEM's spread collapses before it reaches a corner
   * of a flat-topped objective; the polish walks the rest). At most `polishEvaluations` new points.
   */
  steps?: readonly number[];
  polishEvaluations?: number;
}

export interface CemResult {
  best: number[];
  value: number;
  /** Distinct points evaluated. */
  evaluations: number;
  /** Best value after each iteration (index 0 = the start point). */
  trace: number[];
}

const clip01 = (v: number) => (v < 0 ? 0 : v > 1 ? 1 : v);

/** Maximises f over [0, 1]^dim. NaN values count as −∞. */
export function crossEntropyMaximize(f: (x: number[]) => number, dim: number, o: CemOptions): CemResult {
  const rng = new Rng(`cem:${o.seed}`);
  const key = o.key ?? ((x: readonly number[]) => x.map((v) => v.toFixed(6)).join(','));
  const cache = new Map<string, number>();
  const evalAt = (x: number[]) => {
    const k = key(x);
    let v = cache.get(k);
    if (v === undefined) {
      v = f(x);
      if (Number.isNaN(v)) v = -Infinity;
      cache.set(k, v);
    }
    return v;
  };
  const mu = o.start ? o.start.map(clip01) : Array.from({ length: dim }, () => 0.5);
  const sigma = Array.from({ length: dim }, () => o.initialSigma);
  let best = mu.slice();
  let value = evalAt(best);
  const trace = [value];
  const elite = Math.max(1, Math.min(o.population, o.elite));
  for (let it = 0; it < o.iterations; it++) {
    const pop: { x: number[]; v: number }[] = [];
    for (let p = 0; p < o.population; p++) {
      const x = mu.map((m, d) => clip01(m + sigma[d] * rng.normal()));
      pop.push({ x, v: evalAt(x) });
    }
    // Stable order on ties (earlier sample first) so the run is reproducible bit for bit.
    // Elitism: the best point so far competes in every refit (the objective is deterministic).
    pop.push({ x: best.slice(), v: value });
    const ranked = pop.map((p, i) => ({ ...p, i })).sort((a, b) => b.v - a.v || a.i - b.i).slice(0, elite);
    if (ranked[0].v > value) {
      value = ranked[0].v;
      best = ranked[0].x.slice();
    }
    for (let d = 0; d < dim; d++) {
      let m = 0;
      for (const e of ranked) m += e.x[d];
      m /= ranked.length;
      let s2 = 0;
      for (const e of ranked) s2 += (e.x[d] - m) ** 2;
      const sd = Math.sqrt(s2 / ranked.length);
      mu[d] = o.smoothing * m + (1 - o.smoothing) * mu[d];
      sigma[d] = Math.max(o.minSigma, o.smoothing * sd + (1 - o.smoothing) * sigma[d]);
    }
    trace.push(value);
  }
  if (o.steps) {
    const budget = cache.size + (o.polishEvaluations ?? 20 * dim);
    let improved = true;
    while (improved && cache.size < budget) {
      improved = false;
      for (let d = 0; d < dim && cache.size < budget; d++) {
        // The box's faces first: many attack optima sit at a bound (all identities, no skew, max volume).
        for (const edge of [0, 1]) {
          if (best[d] === edge || cache.size >= budget) continue;
          const x = best.slice();
          x[d] = edge;
          const v = evalAt(x);
          if (v > value) { value = v; best = x; improved = true; }
        }
        for (const dir of [1, -1]) {
          // Walk while it improves; a step is at least the grid step so the decoded point changes.
          for (;;) {
            const x = best.slice();
            x[d] = clip01(x[d] + dir * Math.max(o.steps[d], 1e-3));
            if (x[d] === best[d] || cache.size >= budget) break;
            const v = evalAt(x);
            if (!(v > value)) break;
            value = v;
            best = x;
            improved = true;
          }
        }
      }
    }
    trace.push(value);
  }
  return { best, value, evaluations: cache.size, trace };
}
