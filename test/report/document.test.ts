import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRun, listRuns } from '../../lib/results/index.ts';
import { meanCI } from '../../lib/measure/index.ts';
import {
  formatCell, inlineMarkdown, markdownHtml, table, tableHtml, paragraph, chartBlock, runProvenance, provenanceLine,
  renderReportHtml, writeReport, findChromium, groupedBarChart, runRecordsAppendix, type ReportDocument,
} from '../../lib/report/index.ts';
import { LedgerLabError } from '../../lib/errors.ts';

const root = mkdtempSync(join(tmpdir(), 'll-doc-'));
const out = mkdtempSync(join(tmpdir(), 'll-doc-out-'));
const env = {
  schemaVersion: 1,
  node: { version: 'v22.23.3', execPath: '/x/node', platform: 'linux', arch: 'x64' },
  cpu: { model: 'Test CPU @ 2.0GHz', cores: 2, mhz: 2000 },
  memory: { totalBytes: 8 * 2 ** 30, freeBytes: 2 ** 30 },
  os: { release: '6.1', distro: 'Debian GNU/Linux 12 (bookworm)', hostname: 'box1' },
  backend: { name: 'wasm', tfBackend: 'wasm', reason: 'test' },
};

test.before(async () => {
  for (const [i, v] of [20, 22, 24].entries()) {
    const run = await startRun({ root, kind: 'speedup', name: 'quick', seeds: [i], environment: env, runId: `speedup-lora-s${i}`, config: { method: 'lora', seed: i } });
    run.finish({ samplesPerSecond: v });
  }
});

test('cells: numbers, intervals (formatCI text), n=1, missing', () => {
  assert.is(formatCell(21.8, 2), '21.80');
  assert.is(formatCell({ mean: 21.8, lo: 20.18, hi: 23.414, n: 3 }, 2), '21.80 [20.18, 23.41]');
  assert.is(formatCell(meanCI([20, 22, 24])), '22.000 [17.032, 26.968]');
  assert.is(formatCell(meanCI([5])), '5.000 (n=1)');
  assert.is(formatCell(meanCI([])), '—');
  assert.is(formatCell(null), '—');
  assert.is(formatCell(NaN), '—');
  assert.is(formatCell('LoRA <r=32>'), 'LoRA <r=32>');
});

test('markdown subset and tables escape HTML', () => {
  assert.is(inlineMarkdown('**3.7×** is *not* `a<b` — see [limits](#limits)'), '<strong>3.7×</strong> is <em>not</em> <code>a&lt;b</code> — see <a href="#limits">limits</a>');
  assert.is(markdownHtml('one\nline\n\n- a\n- **b**'), '<p>one line</p>\n<ul><li>a</li><li><strong>b</strong></li></ul>');
  const t = tableHtml(table({ columns: ['method', { key: 'sps', title: 'speed', unit: 'samples/s', digits: 1 }], rows: [{ method: 'LoRA <32>', sps: { mean: 21.67, lo: 20.9, hi: 22.4, n: 3 } }] }));
  assert.is(
    t,
    '<table><thead><tr><th>method</th><th>speed <span class="unit">(samples/s)</span></th></tr></thead>\n<tbody>\n' +
      '<tr><td>LoRA &lt;32&gt;</td><td class="num">21.7 [20.9, 22.4]</td></tr>\n</tbody></table>',
  );
});

test('provenance is read from the run records', () => {
  const runs = listRuns(root);
  const p = runProvenance(runs.find((e) => e.record.runId === 'speedup-lora-s1')!);
  assert.is(p.backend, 'wasm');
  assert.is(p.machine, '2× Test CPU @ 2.0GHz, 8.0 GiB, Node v22.23.3, host box1');
  assert.equal(p.seeds, [1]);
  assert.is(p.configSha256, runs.find((e) => e.record.runId === 'speedup-lora-s1')!.record.configSha256);
  assert.match(p.commit, /^([0-9a-f]{12}( \(dirty\))?|no commit.*)$/);
  assert.match(provenanceLine(runs), /^3 runs · 3 configs · seeds 0,1,2 · (commit \S+( \(dirty\))?|.*) · wasm backend$/);
});

function doc(): ReportDocument {
  const runs = listRuns(root);
  const ci = meanCI(runs.map((e) => (e.record.summary as { samplesPerSecond: number }).samplesPerSecond));
  return {
    title: 'LoRA throughput 吞吐量',
    subtitle: 'quick check',
    generatedAt: '2026-01-01T00:00:00.000Z',
    sections: [{
      title: 'Results',
      blocks: [
        paragraph('Three seeds; **95%** t-interval.'),
        table({ columns: ['method', { key: 'sps', title: 'samples/s' }], rows: [{ method: 'LoRA', sps: ci }] }),
        chartBlock(groupedBarChart({ title: 'Throughput', x: { title: 'method' }, y: { title: 'throughput', unit: 'samples/s' }, rows: [{ group: 'LoRA', ...ci }], caption: 'Bars: mean; whiskers: 95% CI.' }), runs),
      ],
    }],
    limits: ['Tiny model on CPU.'],
    appendix: [runRecordsAppendix(runs)],
  };
}

test('HTML: self-contained, tables and numbers exact, provenance and limits present', async () => {
  const html = await renderReportHtml(doc());
  assert.ok(html.startsWith('<!DOCTYPE html>'));
  assert.ok(html.includes('<td class="num">22.000 [17.032, 26.968]</td>'));
  assert.ok(html.includes('<figcaption>Bars: mean; whiskers: 95% CI.</figcaption></figure>\n<div class="provenance">'), 'the provenance of the section follows its chart');
  assert.ok(html.includes('<section id="limits">\n<h2>Limits</h2>\n<ul><li>Tiny model on CPU.</li></ul>'));
  assert.ok(html.includes('<li><a href="#run-records">Appendix: run records</a></li>'));
  for (const id of ['speedup-lora-s0', 'speedup-lora-s1', 'speedup-lora-s2']) assert.ok(html.includes(`<td>${id}</td>`), id);
  assert.ok(html.includes('<td>2× Test CPU @ 2.0GHz, 8.0 GiB, Node v22.23.3, host box1</td>'));
  assert.not.match(html, /<script|<link|(src|href)="https?:|url\(https?:|@import/);
});

test('writeReport writes atomically; PDF pages render and show the numbers', async () => {
  const w = await writeReport(doc(), { dir: out, pdf: true });
  assert.is(w.html, join(out, 'report.html'));
  assert.is(w.pdf, join(out, 'report.pdf'));
  assert.equal(readdirSync(out).sort(), ['report.html', 'report.pdf']);
  assert.is(readFileSync(w.pdf!).subarray(0, 5).toString(), '%PDF-');
  const png = spawnSync('pdftoppm', ['-png', '-r', '40', w.pdf!, join(out, 'page')], { encoding: 'utf8' });
  assert.is(png.status, 0, png.stderr);
  const pages = readdirSync(out).filter((f) => /^page-\d+\.png$/.test(f));
  assert.ok(pages.length >= 1, 'no pages');
  // Non-blank: the first page (title, table, chart) has a fair share of dark pixels.
  const ppm = spawnSync('pdftoppm', ['-gray', '-r', '30', '-f', '1', '-l', '1', w.pdf!], { maxBuffer: 1 << 26 });
  assert.is(ppm.status, 0);
  const m = /^P5\s+(\d+)\s+(\d+)\s+255\s/.exec(ppm.stdout.subarray(0, 40).toString('latin1'))!;
  const pix = ppm.stdout.subarray(m[0].length);
  const dark = pix.filter((v) => v < 160).length;
  assert.ok(dark > pix.length * 0.005 && dark < pix.length * 0.5, `dark ${dark} of ${pix.length}`);
  const text = spawnSync('pdftotext', ['-layout', w.pdf!, '-'], { encoding: 'utf8' }).stdout;
  assert.match(text, /22\.000 \[17\.032, 26\.968\]/);
  assert.match(text, /LoRA throughput\s+吞吐量/);
  assert.match(text, /Tiny model on CPU\./);
  assert.match(text, /speedup-lora-s2/);
});

test('missing Chromium is a clear LedgerLabError; the HTML is still written', async () => {
  try {
    findChromium(undefined, { PATH: '/nonexistent' });
    assert.unreachable();
  } catch (err) {
    assert.instance(err, LedgerLabError);
    const e = err as LedgerLabError;
    assert.is(e.kind, 'runtime');
    assert.is(e.where, 'PATH (looked for chromium, chromium-browser, google-chrome, google-chrome-stable)');
    assert.match(e.hint!, /apt-get install chromium/);
  }
  assert.throws(() => findChromium('/no/such/chromium'), (e: unknown) => e instanceof LedgerLabError && e.problem === 'Chromium not found at "/no/such/chromium"');
  const dir = mkdtempSync(join(tmpdir(), 'll-doc-nochrome-'));
  try {
    await writeReport(doc(), { dir, pdf: true, chromium: '/no/such/chromium' });
    assert.unreachable();
  } catch (err) {
    assert.instance(err, LedgerLabError);
  }
  assert.ok(existsSync(join(dir, 'report.html')));
  assert.not.ok(existsSync(join(dir, 'report.pdf')));
});

test.run();
