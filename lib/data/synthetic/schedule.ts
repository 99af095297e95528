/**
 * Knob values over time. A schedule is a constant, a linear ramp (`from` at t=start to `to` at t=end,
 * flat outside), or steps ([[t0, v0], [t1, v1], ...]: v_i from t_i on). Optional `jitter` adds a seeded
 * uniform wobble of ± jitter, fixed per (seed, knob, t), so two runs with one seed see the same wobble.
 */
import { Rng } from '../../util/index.ts';

export type KnobSchedule =
  | number
  | { from: number; to: number; start?: number; end?: number; jitter?: number }
  | { steps: [number, number][]; jitter?: number };

/**
 * Value of a schedule at time t, clamped to [0, 1] (all knobs are probabilities or fractions).
 *
 * @example
 * knobAt({ from: 0, to: 0.4, start: 0, end: 1 }, 0.5); // 0.2
 * knobAt({ steps: [[0, 0], [0.5, 0.3]] }, 0.7);       // 0.3
 */
export function knobAt(s: KnobSchedule | undefined, t: number, seed: string | number = 0, knob = ''): number {
  if (s === undefined) return 0;
  let v: number;
  let jitter = 0;
  if (typeof s === 'number') v = s;
  else if ('steps' in s) {
    v = 0;
    for (const [t0, v0] of s.steps) if (t >= t0) v = v0;
    jitter = s.jitter ?? 0;
  } else {
    const start = s.start ?? 0;
    const end = s.end ?? 1;
    const u = end === start ? (t >= end ? 1 : 0) : Math.min(1, Math.max(0, (t - start) / (end - start)));
    v = s.from + (s.to - s.from) * u;
    jitter = s.jitter ?? 0;
  }
  if (jitter > 0) v += (new Rng(`${seed}|schedule|${knob}|${t}`).next() * 2 - 1) * jitter;
  return Math.min(1, Math.max(0, v));
}
