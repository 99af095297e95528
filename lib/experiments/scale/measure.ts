/**
 * The timed side of the scale experiment: every cell of every rung gets its model built once (cells that
 * differ only in padding or checkpointing share one model and optimizer: those are per-step options), a
 * fixed list of K batches (a BatchIterator rewound to the same position before each timing, so every round's
 * workload is identical), and one timing = K real training steps (lib/train trainStep: forward, backward,
 * clipping, AdamW). The rounds are scheduled by ./rounds.ts.
 */
import { readFileSync } from 'node:fs';
import { allowedCpus } from '../cpus.ts';
import { loadavg } from 'node:os';
import { buildModel } from '../../peft/index.ts';
import { initWeights, type Gpt, type GptConfig } from '../../model/index.ts';
import { AdamW, trainConfig, trainStep, type TrainConfig } from '../../train/index.ts';
import { BatchIterator } from '../../data/index.ts';
import { Rng } from '../../util/index.ts';
import { gridCells, recipeFactors, type Factor } from '../speedup/factors.ts';
import type { Recipe } from '../speedup/config.ts';
import type { Task } from '../task.ts';
import type { Rung } from './ladder.ts';

export interface TimedCell {
  rung: number;
  switched: Factor[];
  recipe: Recipe;
  /** per batch of the K: rows, real tokens, padded length. */
  batches: { batchSize: number; realTokens: number; paddedLength: number }[];
  time(): number;
}

export interface CellSet {
  cells: TimedCell[];
  factors: Factor[];
  dispose(): void;
}

/** Builds every model the cells of these rungs need, and the cells. */
export async function buildCells(rungs: readonly Rung[], task: Task, batchSize: number, batches: number, seed: number): Promise<CellSet> {
  const models: Gpt[] = [];
  const opts: AdamW[] = [];
  const cells: TimedCell[] = [];
  const factors = recipeFactors(rungs[0].fast, rungs[0].slow);
  try {
    for (const [ri, rung] of rungs.entries()) {
      // Random weights suffice for timing (the values do not change the work); fixed per rung, not per seed.
      const base = initWeights(rung.model, `scale:${rung.name}:base`);
      const byModel = new Map<string, { model: Gpt; opt: AdamW }>();
      for (const g of gridCells(rung.fast, rung.slow, factors)) {
        const mk = JSON.stringify([g.recipe.method, g.recipe.quant]);
        let m = byModel.get(mk);
        if (!m) {
          const model = await buildModel(rung.model as GptConfig, base, g.recipe.method, g.recipe.quant, seed);
          models.push(model);
          const opt = new AdamW(model.trainable, { betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0 });
          opts.push(opt);
          m = { model, opt };
          byModel.set(mk, m);
        }
        cells.push(timedCell(ri, g.switched, g.recipe, m.model, m.opt, task, batchSize, batches, seed));
      }
    }
  } catch (err) {
    for (const o of opts) o.dispose();
    for (const m of models) m.dispose();
    throw err;
  }
  return {
    cells, factors,
    dispose: () => {
      for (const o of opts) o.dispose();
      for (const m of models) m.dispose();
    },
  };
}

function timedCell(rung: number, switched: Factor[], recipe: Recipe, model: Gpt, opt: AdamW, task: Task, batchSize: number, k: number, seed: number): TimedCell {
  const config: TrainConfig = trainConfig({
    steps: k, batchSize, lr: recipe.lr, padding: recipe.padding, checkpoint: recipe.checkpoint, schedule: 'constant',
    maxSource: task.limits.maxSource, maxTarget: task.limits.maxTarget,
  });
  const it = new BatchIterator(task.train, { batchSize, seed, padding: recipe.padding, maxSource: task.limits.maxSource, maxTarget: task.limits.maxTarget, padId: task.tokenizer.special.pad });
  const start = it.state();
  const batches = Array.from({ length: k }, () => {
    const b = it.next();
    return { batchSize: b.shape[0], realTokens: b.stats.realTokens, paddedLength: b.shape[1] };
  });
  const rng = new Rng(`${seed}:dropout`);
  return {
    rung, switched, recipe, batches,
    time() {
      it.restore(start);
      const t0 = performance.now();
      for (let i = 0; i < k; i++) trainStep({ model, opt, it, rng, config, lr: recipe.lr });
      return (performance.now() - t0) / 1000 / k;
    },
  };
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
