/** Reports: list the HTML reports under <root>/reports/, and build one for a selection of runs (lib/report). */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { LedgerLabError } from '../../errors.ts';
import { s } from '../../config/index.ts';
import { buildReport, slug, writeReport } from '../../report/index.ts';
import { runById } from './runs.ts';
// The shipped kinds' report sections register when the experiments module loads.
import '../../experiments/index.ts';

const BuildSchema = s.object({ runs: s.array(s.string({ nonEmpty: true }), { min: 1 }), title: s.string().optional(), name: s.string({ pattern: /^[A-Za-z0-9._-]+$/ }).optional() });

export function listReports(root: string): { name: string; path: string; modified: string; pdf?: string }[] {
  const dir = join(root, 'reports');
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((n) => existsSync(join(dir, n, 'report.html'))).map((n) => ({
    name: n, path: relative(root, join(dir, n, 'report.html')), modified: statSync(join(dir, n, 'report.html')).mtime.toISOString(),
    ...(existsSync(join(dir, n, 'report.pdf')) ? { pdf: relative(root, join(dir, n, 'report.pdf')) } : {}),
  })).sort((a, b) => b.modified.localeCompare(a.modified));
}

export function registerReportRoutes(app: FastifyInstance, root: string): void {
  app.get('/api/reports', async () => listReports(root));
  app.post('/api/reports', async (req, reply) => {
    const body = BuildSchema.parse(req.body ?? {}, 'POST /api/reports body');
    const runs = body.runs.map((id) => runById(root, id));
    if (runs.some((e) => e.status !== 'finished')) throw new LedgerLabError({ kind: 'usage', problem: 'reports are built from finished runs only', where: 'runs', hint: runs.filter((e) => e.status !== 'finished').map((e) => `${e.record.runId} is ${e.status}`).join(', ') });
    const doc = await buildReport(runs, { title: body.title });
    const name = body.name ?? slug(`ui-${runs[0].record.name}-${runs.length}-runs-${Date.now().toString(36)}`);
    const written = await writeReport(doc, { dir: join(root, 'reports', name), pdf: false });
    return reply.code(201).send({ name, path: relative(root, written.html) });
  });
}
