// Real Jupyter (Debian nbclient) executing a real tslab notebook that imports the library's public entry.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ledgerlab, repoRoot } from '../helpers/cli.ts';
import { Rng } from '../../lib/util/random.ts';
import { sha256Json } from '../../lib/util/hash.ts';

const tmp = mkdtempSync(join(tmpdir(), 'll-nb-'));

interface Cell { cell_type: string; source: string | string[]; outputs?: { text?: string | string[] }[]; metadata: { tags?: string[] } }
const text = (c: Cell) => (c.outputs ?? []).map((o) => (Array.isArray(o.text) ? o.text.join('') : o.text ?? '')).join('');

test('00-smoke runs headless, imports lib, and takes parameters', () => {
  const out = join(tmp, 'smoke.ipynb');
  const r = ledgerlab(['notebook', 'run', '00-smoke', '-p', 'seed=7', '-p', 'label=ci', '--out', out]);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, `→ ${out}`);
  const nb = JSON.parse(readFileSync(out, 'utf8')) as { cells: Cell[] };
  const injected = nb.cells.find((c) => c.metadata.tags?.includes('injected-parameters'))!;
  assert.is([injected.source].flat().join(''), 'seed = 7;\nlabel = "ci";');
  const rng = new Rng(7);
  const draws = [rng.int(1000), rng.int(1000), rng.int(1000)];
  const all = nb.cells.map(text).join('');
  assert.match(all, `label=ci seed=7 draws=${draws.join(',')}`);
  assert.match(all, `config hash ${sha256Json({ seed: 7, label: 'ci' }).slice(0, 12)}`);
  assert.match(all, /node v22\./);
  assert.match(all, 'backend wasm; fixes UnsortedSegmentSum,BatchMatMul,_FusedMatMul');
});

test('papermill: re-running an executed notebook replaces its injected cell; metadata.papermill records the run', () => {
  const first = join(tmp, 'smoke-first.ipynb');
  assert.is(ledgerlab(['notebook', 'run', '00-smoke', '-p', 'seed=7', '--out', first]).code, 0);
  const second = join(tmp, 'smoke-second.ipynb');
  const r = ledgerlab(['notebook', 'run', first, '-p', 'seed=9', '--out', second]);
  assert.is(r.code, 0, r.stderr);
  const nb = JSON.parse(readFileSync(second, 'utf8')) as { cells: Cell[]; metadata: { papermill: Record<string, unknown> } };
  const injected = nb.cells.filter((c) => c.metadata.tags?.includes('injected-parameters'));
  assert.is(injected.length, 1, 'one injected cell, not one per run');
  assert.is([injected[0].source].flat().join(''), 'seed = 9;');
  const params = nb.cells.findIndex((c) => c.metadata.tags?.includes('parameters'));
  assert.is(nb.cells.indexOf(injected[0]), params + 1, 'right after the parameters cell');
  const rng = new Rng(9);
  assert.match(nb.cells.map(text).join(''), `seed=9 draws=${[rng.int(1000), rng.int(1000), rng.int(1000)].join(',')}`);
  const pm = nb.metadata.papermill;
  assert.equal(pm.parameters, { seed: 9 });
  assert.is(pm.input_path, first);
  assert.is(pm.output_path, second);
  assert.is(pm.exception, null);
  assert.ok(Date.parse(pm.end_time as string) >= Date.parse(pm.start_time as string));
  assert.ok((pm.duration as number) > 0 && (pm.duration as number) < 300);
  // Without parameters the earlier injected values stay (papermill leaves the notebook as it is).
  const third = join(tmp, 'smoke-third.ipynb');
  assert.is(ledgerlab(['notebook', 'run', second, '--out', third]).code, 0);
  const nb3 = JSON.parse(readFileSync(third, 'utf8')) as { cells: Cell[]; metadata: { papermill: Record<string, unknown> } };
  assert.equal(nb3.cells.filter((c) => c.metadata.tags?.includes('injected-parameters')).map((c) => [c.source].flat().join('')), ['seed = 9;']);
  assert.equal(nb3.metadata.papermill.parameters, {});
});

test('a failing cell exits non-zero with that cell\'s error text, and the executed notebook is kept', () => {
  const nb = JSON.parse(readFileSync(join(repoRoot, 'notebooks', '00-smoke.ipynb'), 'utf8')) as { cells: Cell[] };
  nb.cells.push({ cell_type: 'code', source: 'const boom: number = 1;\nthrow new Error("planted failure " + boom);', outputs: [], metadata: {}, execution_count: null } as Cell);
  const src = join(tmp, 'broken.ipynb');
  writeFileSync(src, JSON.stringify(nb));
  const out = join(tmp, 'broken-out.ipynb');
  const r = ledgerlab(['notebook', 'run', src, '--out', out]);
  assert.is(r.code, 1);
  assert.match(r.stderr, 'error (notebook): cell 5 failed');
  assert.match(r.stderr, 'planted failure 1');
  assert.match(r.stderr, 'throw new Error("planted failure " + boom);');
  assert.ok(existsSync(out), 'executed notebook written despite the failure');
  assert.is(JSON.parse(readFileSync(out, 'utf8')).metadata.papermill.exception, true);
});

test('a type error in a cell is reported (cells are type-checked)', () => {
  const nb = JSON.parse(readFileSync(join(repoRoot, 'notebooks', '00-smoke.ipynb'), 'utf8')) as { cells: Cell[] };
  nb.cells.push({ cell_type: 'code', source: 'const n: number = "not a number";', outputs: [], metadata: {}, execution_count: null } as Cell);
  const src = join(tmp, 'typeerr.ipynb');
  writeFileSync(src, JSON.stringify(nb));
  const r = ledgerlab(['notebook', 'run', src, '--out', join(tmp, 'typeerr-out.ipynb')]);
  assert.is(r.code, 1);
  assert.match(r.stderr, "Type 'string' is not assignable to type 'number'");
});

test('unknown parameter and unknown notebook are usage/io errors', () => {
  const bad = ledgerlab(['notebook', 'run', '00-smoke', '-p', 'sede=1', '--out', join(tmp, 'x.ipynb')]);
  assert.is(bad.code, 2);
  assert.match(bad.stderr, 'unknown notebook parameter(s): sede');
  const missing = ledgerlab(['notebook', 'run', 'no-such-notebook']);
  assert.is(missing.code, 1);
  assert.match(missing.stderr, 'notebook "no-such-notebook" not found');
  assert.match(missing.stderr, 'available: 00-smoke');
});

test.run();
