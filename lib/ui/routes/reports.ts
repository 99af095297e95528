/** Reports: list the HTML reports under <root>/reports/, and build one for a selection of runs (lib/report). */
import { existsSync, lstatSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { LedgerLabError } from '../../errors.ts';
import { s } from '../../config/index.ts';
import { buildReport, slug, writeReport } from '../../report/index.ts';
import { assertContained, runById } from '../run-dirs.ts';
import { resolveInside } from '../files.ts';
// The shipped kinds' report sections register when the experiments module loads.
import '../../experiments/index.ts';

/** A report name is one folder name under reports/: starts with a letter or digit (so never `.`, `..` or `-x`). */
const REPORT_NAME = /^[A-Za-z0-9\u4e00-\u9fff][A-Za-z0-9\u4e00-\u9fff._-]{0,99}$/;

const BuildSchema = s.object({
  runs: s.array(s.string({ nonEmpty: true }), { min: 1 }),
  title: s.string().optional(),
  name: s.string({ pattern: REPORT_NAME }).describe('a folder name: letters, digits, ".", "_", "-", starting with a letter or digit').optional(),
  /** An existing report of that name is replaced only when this says so. */
  overwrite: s.boolean().default(false),
});

/**
 * The folder report `name` is written to: directly under <root>/reports/, whose real path must lie inside the
 * root; an existing report there is a 409-style usage error unless `overwrite`, and a link is never written through.
 */
export function reportDir(root: string, name: string, overwrite: boolean): string {
  if (!REPORT_NAME.test(name)) throw new LedgerLabError({ kind: 'usage', problem: `report name "${name}" is not a folder name`, where: 'name', hint: 'letters, digits, ".", "_", "-", starting with a letter or digit' });
  const reports = join(root, 'reports');
  mkdirSync(reports, { recursive: true });
  if (resolveInside(root, 'reports', 'dir').status !== 200) throw new LedgerLabError({ kind: 'usage', problem: 'the reports folder leads outside the results root', where: reports });
  const dir = join(reports, name);
  const st = lstatSync(dir, { throwIfNoEntry: false });
  if (st?.isSymbolicLink()) throw new LedgerLabError({ kind: 'usage', problem: `report "${name}" is a link; not written through`, where: dir });
  if (st && !overwrite) throw new LedgerLabError({ kind: 'usage', code: 'report.exists', problem: `report "${name}" already exists`, where: dir, hint: 'pick another name, or send "overwrite": true to replace it' });
  return dir;
}

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
    const runs = body.runs.map((id) => assertContained(runById(root, id)));
    if (runs.some((e) => e.status !== 'finished')) throw new LedgerLabError({ kind: 'usage', problem: 'reports are built from finished runs only', where: 'runs', hint: runs.filter((e) => e.status !== 'finished').map((e) => `${e.record.runId} is ${e.status}`).join(', ') });
    const name = body.name ?? slug(`ui-${runs[0].record.name}-${runs.length}-runs-${Date.now().toString(36)}`);
    const dir = reportDir(root, name, body.overwrite); // refused before any work when it would overwrite
    const doc = await buildReport(runs, { title: body.title });
    const written = await writeReport(doc, { dir, pdf: false });
    return reply.code(201).send({ name, path: relative(root, written.html) });
  });
}
