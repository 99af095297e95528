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
