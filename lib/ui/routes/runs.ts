/** Runs: the table, one run's page, comparison, live events, and start / cancel / resume. */
import type { FastifyInstance } from 'fastify';
import { LedgerLabError } from '../../errors.ts';
import { compareRuns, filterBy, filterRuns, flatten, listQueuedRuns, type QueuedRun, type RunEntry } from '../../results/index.ts';
import { artefacts, predictions, progressOf, runMetrics, runSummary } from '../run-view.ts';
import { curveChart } from '../charts.ts';
import { streamRunEvents } from '../events.ts';
import { runById, runDir, runsInside, RUN_ID } from '../run-dirs.ts';
import type { LineProblem } from '../jsonl-follow.ts';
import type { Launcher, LaunchRequest } from '../launch.ts';

export { runById, runDir, runsInside, RUN_ID };

/** A run's page: summary, record, progress, every metric curve, artefacts, predictions and located warnings. */
async function runDetail(e: RunEntry) {
  const { digest, warnings } = await runMetrics(e);
  const charts = Object.fromEntries(digest.keys().flatMap((k) => {
    const c = curveChart([{ id: e.record.runId, points: digest.curve(k) }], k);
    return c ? [[k, c.spec]] : [];
  }));
  const more: LineProblem[] = [];
  const preds = await predictions(e, more);
  return {
    ...runSummary(e), record: e.record, progress: progressOf(e.record.config, digest.recent), lines: digest.count,
    charts, artefacts: artefacts(e), predictions: preds ?? null, warnings: [...warnings, ...more], malformedLines: digest.malformed,
  };
}

export function registerRunRoutes(app: FastifyInstance, root: string, launcher: Launcher): void {
  app.get('/api/runs', async (req) => {
    const q = req.query as Record<string, string | undefined>;
    const filters = ['kind', 'status', 'name'].filter((k) => q[k]).map((k) => `${k}=${q[k]}`);
    // Runs put on a job queue and not started yet (docs/cluster.md) come first, as `queued`, without a run page.
    const queued = filterBy(listQueuedRuns(root), filters, (x: QueuedRun, key) => (key === 'status' ? 'queued' : (x as Record<string, unknown>)[key]))
      .map((x) => ({ id: x.runId, kind: x.kind, name: x.name, status: 'queued', seeds: [x.seed], startedAt: x.queuedAt, metrics: {} }));
    return [...queued, ...filterRuns(runsInside(root), filters).map(runSummary)];
  });

  app.get('/api/runs/:id', async (req) => runDetail(runById(root, (req.params as { id: string }).id)));

  app.get('/api/compare', async (req) => {
    const ids = String((req.query as { ids?: string }).ids ?? '').split(',').filter(Boolean);
    if (ids.length < 2) throw new LedgerLabError({ kind: 'usage', problem: 'compare needs at least two run ids', where: 'ids', hint: '?ids=RUN1,RUN2' });
    const runs = ids.map((id) => runById(root, id));
    const comparison = compareRuns(runs);
    const values = runs.map((e) => ({ id: e.record.runId, config: Object.fromEntries(comparison.differing.map((k) => [k, flatten(e.record.config)[k] ?? null])) }));
    const digests = await Promise.all(runs.map(runMetrics));
    const loss = curveChart(runs.map((e, i) => ({ id: e.record.runId, points: digests[i].digest.curve('loss') })), 'loss', 'training loss');
    return { runs: runs.map(runSummary), comparison, values, charts: loss ? { loss: loss.spec } : {} };
  });

  app.get('/api/runs/:id/events', async (req, reply) => {
    const id = (req.params as { id: string }).id;
    // A planned run not started yet has no folder; a folder that exists must be a run folder inside the root.
    if (!RUN_ID.test(id) || (!runDir(root, id) && !launcher.pendingLaunch(id))) {
      throw new LedgerLabError({ kind: 'usage', problem: `no run "${id}"`, where: root });
    }
    streamRunEvents(reply, { root, runId: id, dirOf: () => runDir(root, id), statusOf: (x) => launcher.statusOf(x) });
  });

  app.post('/api/runs', async (req, reply) => {
    const launch = launcher.start((req.body ?? {}) as LaunchRequest);
    return reply.code(201).send(launch);
  });

  app.post('/api/validate', async (req) => {
    const { runIds } = launcher.validate((req.body ?? {}) as LaunchRequest);
    return { ok: true, runIds };
  });

  app.post('/api/runs/:id/cancel', async (req) => {
    const id = (req.params as { id: string }).id;
    if (!RUN_ID.test(id)) throw new LedgerLabError({ kind: 'usage', problem: `no run "${id}"`, where: root });
    return launcher.cancel(id);
  });

  app.post('/api/runs/:id/resume', async (req, reply) => {
    const id = (req.params as { id: string }).id;
    runById(root, id);
    return reply.code(201).send(launcher.resume(id));
  });

  app.get('/api/experiments', async () => launcher.experimentFiles());
  app.get('/api/kinds', async () => launcher.kinds());
}
