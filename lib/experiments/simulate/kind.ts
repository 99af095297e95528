/**
 * The simulator as an experiment kind: `ledgerlab run experiments/sim-quick.json` runs one seed per run (the
 * runner owns the seeds, sweeps and resume); `ledgerlab simulate FILE` runs every seed as one sweep.
 */
import type { ExperimentKind } from '../kind.ts';
import { SimConfigSchema, parseSimConfig, runSweep } from '../../sim/index.ts';
import { rowSummary } from './sweep-file.ts';

/** The simulator as an experiment kind for `ledgerlab run` (one seed per run; the runner owns the seeds). */
export const simulateKind: ExperimentKind<unknown> = {
  kind: 'simulate',
  summary: 'incentive stress test: reward designs × attacks, fast off-chain mode',
  configSchema: SimConfigSchema,
  async run(ctx) {
    const cfg = parseSimConfig(ctx.config);
    const r = runSweep(cfg, [ctx.seed]);
    for (const c of r.cells) ctx.run.logMetrics({ design: c.design, attack: c.attack, seed: c.seed, ...c.metrics });
    return { seconds: r.seconds, rows: r.rows.map(rowSummary) };
  },
};
