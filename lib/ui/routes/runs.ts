/** Runs: the table, one run's page, comparison, live events, and start / cancel / resume. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { LedgerLabError } from '../../errors.ts';
import { compareRuns, filterBy, filterRuns, findRuns, flatten, listQueuedRuns, listRuns, type QueuedRun, type RunEntry } from '../../results/index.ts';
import { artefacts, metricLines, predictions, progressOf, runSummary } from '../run-view.ts';
import { curveKeys, metricCurve } from '../charts.ts';
import { streamRunEvents } from '../events.ts';
import type { Launcher, LaunchRequest } from '../launch.ts';

const RUN_ID = /^[A-Za-z0-9._-]+$/;

/** The run `id` directly under the root; ids are names, never paths. */
export function runById(root: string, id: string): RunEntry {
  if (!RUN_ID.test(id) || id === '.' || id === '..' || !existsSync(join(root, id, 'run.json'))) {
    throw new LedgerLabError({ kind: 'usage', problem: `no run "${id}"`, where: root, hint: 'GET /api/runs lists run ids' });
  }
  return findRuns([join(root, id)], root)[0];
}

export function registerRunRoutes(app: FastifyInstance, root: string, launcher: Launcher): void {
  app.get('/api/runs', async (req) => {
    const q = req.query as Record<string, string | undefined>;
    const filters = ['kind', 'status', 'name'].filter((k) => q[k]).map((k) => `${k}=${q[k]}`);
    // Runs put on a job queue and not started yet (docs/cluster.md) come first, as `queued`, without a run page.
    const queued = filterBy(listQueuedRuns(root), filters, (x: QueuedRun, key) => (key === 'status' ? 'queued' : (x as Record<string, unknown>)[key]))
      .map((x) => ({ id: x.runId, kind: x.kind, name: x.name, status: 'queued', seeds: [x.seed], startedAt: x.queuedAt, metrics: {} }));
    return [...queued, ...filterRuns(listRuns(root), filters).map(runSummary)];
  });

  app.get('/api/runs/:id', async (req) => {
    const e = runById(root, (req.params as { id: string }).id);
    const lines = metricLines(e);
    const charts = Object.fromEntries(curveKeys(lines).flatMap((k) => {
      const c = metricCurve([{ id: e.record.runId, lines }], k);
      return c ? [[k, c.spec]] : [];
    }));
    return {
      ...runSummary(e), record: e.record, progress: progressOf(e.record.config, lines), lines: lines.length,
      charts, artefacts: artefacts(e), predictions: predictions(e) ?? null,
    };
  });

  app.get('/api/compare', async (req) => {
    const ids = String((req.query as { ids?: string }).ids ?? '').split(',').filter(Boolean);
    if (ids.length < 2) throw new LedgerLabError({ kind: 'usage', problem: 'compare needs at least two run ids', where: 'ids', hint: '?ids=RUN1,RUN2' });
    const runs = ids.map((id) => runById(root, id));
    const comparison = compareRuns(runs);
    const values = runs.map((e) => ({ id: e.record.runId, config: Object.fromEntries(comparison.differing.map((k) => [k, flatten(e.record.config)[k] ?? null])) }));
    const loss = metricCurve(runs.map((e) => ({ id: e.record.runId, lines: metricLines(e) })), 'loss', 'training loss');
    return { runs: runs.map(runSummary), comparison, values, charts: loss ? { loss: loss.spec } : {} };
  });

  app.get('/api/runs/:id/events', async (req, reply) => {
    const id = (req.params as { id: string }).id;
    if (!RUN_ID.test(id) || (!existsSync(join(root, id, 'run.json')) && !launcher.pendingLaunch(id))) {
      throw new LedgerLabError({ kind: 'usage', problem: `no run "${id}"`, where: root });
    }
    streamRunEvents(reply, { root, runId: id, statusOf: (x) => launcher.statusOf(x) });
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
