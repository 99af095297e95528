/**
 * Incentive results: a simulate run's design × attack heat map of the captured share (the report's own
 * chart), and one cell's per-seed figures read from the run's metrics.jsonl.
 */
import type { FastifyInstance } from 'fastify';
import { LedgerLabError } from '../../errors.ts';
import { readSimSweeps, capturedShareHeatmap } from '../../experiments/index.ts';
import { runSummary, selectMetricLines } from '../run-view.ts';
import { perSeedBars } from '../charts.ts';
import { assertContained, runById, runsInside } from '../run-dirs.ts';

const CELL_METRICS = ['capturedShare', 'roi', 'honestRetention', 'gainRatio'];

export function registerSimRoutes(app: FastifyInstance, root: string): void {
  app.get('/api/sim', async () => runsInside(root).filter((e) => e.record.kind === 'simulate' && e.status === 'finished').map(runSummary));

  app.get('/api/sim/:id', async (req) => {
    const e = assertContained(runById(root, (req.params as { id: string }).id));
    const [sweep] = readSimSweeps([e]);
    if (!sweep) throw new LedgerLabError({ kind: 'usage', problem: `run ${e.record.runId} is not a finished simulate run`, where: e.dir });
    const chart = capturedShareHeatmap(sweep);
    return { ...runSummary(e), chart: chart.spec, caption: chart.caption, rows: sweep.rows, designs: sweep.config.designs.map((d) => d.name), attacks: [...new Set(sweep.rows.map((r) => r.attack))] };
  });

  app.get('/api/sim/:id/cell', async (req) => {
    const e = runById(root, (req.params as { id: string }).id);
    const q = req.query as { design?: string; attack?: string };
    const { lines, warnings } = await selectMetricLines(e, (l) => l.design === q.design && l.attack === q.attack);
    if (!lines.length) throw new LedgerLabError({ kind: 'usage', problem: `no cell design=${q.design} attack=${q.attack} in ${e.record.runId}`, where: 'design, attack' });
    const seeds = lines.map((l) => ({ seed: l.seed as number, ...Object.fromEntries(CELL_METRICS.map((m) => [m, l[m]])) }));
    const charts = CELL_METRICS.flatMap((m) => {
      const c = perSeedBars(m, lines.map((l) => ({ seed: l.seed as number, value: typeof l[m] === 'number' ? (l[m] as number) : NaN })), `${q.design} × ${q.attack}`);
      return c ? [{ metric: m, spec: c.spec }] : [];
    });
    return { design: q.design, attack: q.attack, seeds, charts, ...(warnings.length ? { warnings } : {}) };
  });
}
