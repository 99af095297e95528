/**
 * Charts inline in a real tslab notebook (Debian Jupyter + nbclient), and through nbconvert's HTML export:
 * the text/html output with inline SVG (or a data-URI PNG) must survive both.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureKernelSpec } from '../../lib/notebook/kernel.ts';
import { JUPYTER_PYTHON } from '../../lib/notebook/runner.ts';
import { paths } from '../../lib/paths.ts';

const dir = mkdtempSync(join(tmpdir(), 'll-nb-chart-'));
const reportDist = join(paths.dist, 'lib', 'report');

/** dist/lib/report must be at least as new as lib/report (tsc emits even when other files have type errors). */
function ensureReportBuilt(): void {
  const newest = (d: string, ext: string) => Math.max(0, ...readdirSync(d).filter((f) => f.endsWith(ext)).map((f) => statSync(join(d, f)).mtimeMs));
  if (existsSync(reportDist) && newest(reportDist, '.js') >= newest(join(paths.lib, 'report'), '.ts')) return;
  spawnSync(process.execPath, [join(paths.root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(paths.root, 'tsconfig.build.json')], { cwd: paths.root });
  assert.ok(existsSync(join(reportDist, 'index.js')), 'dist/lib/report was not built');
}

const code = (source: string) => ({ cell_type: 'code', execution_count: null, id: `c${Math.abs(hash(source))}`, metadata: {}, outputs: [], source });
function hash(s: string): number {
  let h = 0;
  for (const ch of s) h = (h * 31 + ch.charCodeAt(0)) | 0;
  return h;
}

test('showChart displays inline SVG and PNG as text/html; both survive the HTML export', () => {
  ensureReportBuilt();
  const entry = join(reportDist, 'index.js');
  const nb = {
    cells: [
      code(
        `import { display } from 'tslab';\nimport { groupedBarChart, waterfallChart, showChart } from '${entry}';\n` +
          `const chart = groupedBarChart({ title: 'Throughput 吞吐量', x: { title: 'method' }, y: { title: 'throughput', unit: 'samples/s' }, ` +
          `rows: [{ group: 'LoRA', mean: 21.7, lo: 20.9, hi: 22.4 }, { group: 'P-Tuning v2', mean: 5.8, lo: 5.2, hi: 6.3 }] });\n` +
          `await showChart(chart, { display });`,
      ),
      code(`await showChart(waterfallChart({ title: 'Decomposition', steps: [{ label: 'padding', factor: 2 }, { label: 'total', factor: 2 }] }), { format: 'png' });`),
    ],
    metadata: { kernelspec: { display_name: 'TypeScript (LedgerLab)', language: 'typescript', name: 'ledgerlab' }, language_info: { name: 'typescript' } },
    nbformat: 4,
    nbformat_minor: 5,
  };
  const input = join(dir, 'charts.ipynb');
  const output = join(dir, 'charts.out.ipynb');
  writeFileSync(input, JSON.stringify(nb));
  const { kernelName, env } = ensureKernelSpec();
  const r = spawnSync(JUPYTER_PYTHON, [join(paths.lib, 'notebook', 'nbrun.py'), input, output, '--cwd', dir, '--kernel', kernelName, '--timeout', '120', '--params', '{}'], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });
  assert.is(r.status, 0, r.stderr.slice(-2000));
  const executed = JSON.parse(readFileSync(output, 'utf8')) as { cells: { outputs: { output_type: string; data?: Record<string, string | string[]> }[] }[] };
  const htmlOf = (i: number) => {
    const outs = executed.cells[i].outputs.filter((o) => o.output_type === 'display_data');
    assert.is(outs.length, 1);
    assert.equal(Object.keys(outs[0].data!), ['text/html']);
    const v = outs[0].data!['text/html'];
    return Array.isArray(v) ? v.join('') : v;
  };
  assert.match(htmlOf(0), /^<figure class="chart" data-kind="grouped-bar"><svg style="max-width:100%;height:auto" role="img" [^]*>Throughput 吞吐量<\/text>/);
  assert.match(htmlOf(1), /^<figure class="chart" data-kind="waterfall"><img alt="Decomposition" style="max-width:100%" src="data:image\/png;base64,iVBORw0KGgo/);

  const conv = spawnSync('/usr/bin/jupyter', ['nbconvert', '--to', 'html', '--no-input', '--HTMLExporter.mathjax_url=', '--HTMLExporter.require_js_url=', '--HTMLExporter.jquery_url=', output, '--output', 'exported'], { cwd: dir, encoding: 'utf8' });
  assert.is(conv.status, 0, conv.stderr);
  const exported = readFileSync(join(dir, 'exported.html'), 'utf8');
  assert.ok(exported.includes('<svg style="max-width:100%;height:auto" role="img" '));
  assert.ok(exported.includes('>Throughput 吞吐量</text>'));
  assert.ok(exported.includes('<img alt="Decomposition" style="max-width:100%" src="data:image/png;base64,iVBORw0KGgo'));
});

test.run();
