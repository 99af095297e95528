/**
 * The simulator as an experiment kind: `ledgerlab run experiments/sim-quick.json` runs one seed per run (the
 * runner owns the seeds, sweeps and resume); `ledgerlab simulate FILE` runs every seed as one sweep.
 */
import type { ExperimentKind } from '../kind.ts';
import { LedgerLabError } from '../../errors.ts';
import { SimConfigSchema, simConfigOf, runSweep } from '../../sim/index.ts';
import type { Infer } from '../../config/index.ts';
import { rowSummary } from './sweep-file.ts';

/** The simulator as an experiment kind for `ledgerlab run` (one seed per run; the runner owns the seeds). */
export const simulateKind: ExperimentKind<Infer<typeof SimConfigSchema>> = {
  kind: 'simulate',
  summary: 'incentive stress test: reward designs × attacks, fast off-chain mode',
  configSchema: SimConfigSchema,
  async run(ctx) {
    const cfg = simConfigOf(ctx.config); // parsed once, by the runner with configSchema
    // Searches, populations and span studies are made over a whole sweep, not one seed's run.
    const adaptive = (['search', 'population', 'spans'] as const).filter((k) => cfg[k]);
    if (adaptive.length) throw new LedgerLabError({ kind: 'config', problem: `config.${adaptive.join(', config.')} run over a whole sweep, not per seed`, where: `config.${adaptive[0]}`, hint: 'run this file with `ledgerlab simulate FILE`' });
    const r = runSweep(cfg, [ctx.seed]);
    for (const c of r.cells) ctx.run.logMetrics({ design: c.design, attack: c.attack, seed: c.seed, ...c.metrics });
    return { seconds: r.seconds, rows: r.rows.map(rowSummary) };
  },
};
