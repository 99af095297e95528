/**
 * The timed side of the scale experiment: every cell of every rung becomes a timing-engine arm (../speedup/timed-cells.ts:
 * cells that differ only in padding or checkpointing share one model and optimizer, those are per-step options)
 * training on a fixed list of K batches, the same batch ids for every cell; the engine (lib/measure timeArms)
 * runs the shuffled, paired, guarded rounds.
 */
import { readFileSync } from 'node:fs';
import { allowedCpus } from '../cpus.ts';
import { loadavg } from 'node:os';
import { initWeights, type GptConfig } from '../../model/index.ts';
import type { Arm } from '../../measure/index.ts';
import { gridCells, recipeFactors, trainArms, type BatchShape, type Factor, type Recipe, type TrainArmSpec } from '../speedup/index.ts';
import type { Task } from '../task.ts';
import type { Rung } from './ladder.ts';

export interface TimedCell {
  rung: number;
  switched: Factor[];
  recipe: Recipe;
  /** per batch of the K: rows, real tokens, padded length. */
  batches: BatchShape[];
}

export interface CellSet {
  cells: TimedCell[];
  /** One timing-engine arm per cell (same order): a step on batch id b trains on the b-th of the K fixed batches. */
  arms: Arm[];
  factors: Factor[];
  dispose(): void;
}

/** The arm name of a cell: `<rung>:<switched factors joined by +>` ('fast' when none). */
export const cellArmName = (rung: string, switched: readonly string[]) => `${rung}:${switched.join('+') || 'fast'}`;

/** Builds every model the cells of these rungs need (cells differing only in per-step options share one), and the arms. */
export async function buildCells(rungs: readonly Rung[], task: Task, batchSize: number, batches: number, seed: number): Promise<CellSet> {
  const factors = recipeFactors(rungs[0].fast, rungs[0].slow);
  const meta: TimedCell[] = [];
  const specs: TrainArmSpec[] = [];
  for (const [ri, rung] of rungs.entries()) {
    // Random weights suffice for timing (the values do not change the work); fixed per rung, not per seed.
    const base = initWeights(rung.model, `scale:${rung.name}:base`);
    for (const g of gridCells(rung.fast, rung.slow, factors)) {
      meta.push({ rung: ri, switched: g.switched, recipe: g.recipe, batches: [] });
      specs.push({ name: cellArmName(rung.name, g.switched), recipe: g.recipe, config: rung.model as GptConfig, base, group: rung.name });
    }
  }
  const set = await trainArms(specs, task, batchSize, batches, seed);
  return { cells: meta.map((m, i) => ({ ...m, batches: set.batches[i]! })), arms: set.arms, factors, dispose: set.dispose };
}

/** 'cpu N (taskset)' when this process is pinned to one CPU (by the runner's taskset), else null. */
export function pinnedLabel(cpus = allowedCpus()): string | null {
  if (!cpus || cpus.length !== 1) return null;
  return `cpu ${cpus[0]}${process.env.LEDGERLAB_PINNED_CPU !== undefined ? ' (taskset)' : ''}`;
}

function cpuTimes(): Map<string, { busy: number; total: number }> {
  const out = new Map<string, { busy: number; total: number }>();
  try {
    for (const line of readFileSync('/proc/stat', 'utf8').split('\n')) {
      const m = /^(cpu\d*)\s+(.*)$/.exec(line);
      if (!m) continue;
      const v = m[2].split(/\s+/).map(Number);
      const idle = (v[3] ?? 0) + (v[4] ?? 0);
      const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
      out.set(m[1], { busy: total - idle, total });
    }
  } catch { /* not Linux: no per-core figures */ }
  return out;
}

/**
 * How busy the CPUs this process will be timed on are with OTHER work, over `ms` while this process sleeps:
 * the busy fraction of the pinned core (or the mean over the allowed ones), and the 1-minute load average.
 */
export async function otherLoad(ms = 1000): Promise<{ loadAvg1: number; coreBusy: number | null; cpus: number[] | undefined }> {
  const cpus = allowedCpus();
  const a = cpuTimes();
  await new Promise((r) => setTimeout(r, ms));
  const b = cpuTimes();
  const keys = (cpus ?? []).map((c) => `cpu${c}`).filter((k) => a.has(k) && b.has(k));
  const busy = keys.map((k) => {
    const dt = b.get(k)!.total - a.get(k)!.total;
    return dt > 0 ? (b.get(k)!.busy - a.get(k)!.busy) / dt : 0;
  });
  return { loadAvg1: loadavg()[0], coreBusy: busy.length ? busy.reduce((x, y) => x + y, 0) / busy.length : null, cpus };
}
