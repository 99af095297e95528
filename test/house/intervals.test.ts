// One interval type: every mean/lo/hi figure in lib/ is lib/measure's Interval (MeanCI and BootstrapCI extend
// it), checked by scanning every interface and type literal in lib/ for a declaration of mean, lo and hi.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { meanCI, type Interval, type MeanCI } from '../../lib/measure/index.ts';
import { bootstrapCI, type BootstrapCI } from '../../lib/metrics/index.ts';
import { formatCell, isInterval } from '../../lib/report/index.ts';

const root = join(import.meta.dirname, '..', '..');
const walk = (d: string): string[] => readdirSync(d).sort().flatMap((n) => (statSync(join(d, n)).isDirectory() ? walk(join(d, n)) : n.endsWith('.ts') ? [join(d, n)] : []));

/** Interfaces and object type literals that declare all of mean, lo and hi themselves. */
function intervalShapes(file: string, text = readFileSync(file, 'utf8')): string[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const out: string[] = [];
  const declares = (members: ts.NodeArray<ts.TypeElement>) => {
    const names = new Set(members.flatMap((m) => (m.name && ts.isIdentifier(m.name) ? [m.name.text] : [])));
    return names.has('mean') && names.has('lo') && names.has('hi');
  };
  const visit = (n: ts.Node): void => {
    if (ts.isInterfaceDeclaration(n) && declares(n.members)) out.push(`${relative(root, file)}: interface ${n.name.text}`);
    else if (ts.isTypeLiteralNode(n) && declares(n.members)) out.push(`${relative(root, file)}:${sf.getLineAndCharacterOfPosition(n.getStart()).line + 1}: type literal`);
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return out;
}

test('the scan finds an interval shape wherever it is declared', () => {
  assert.equal(intervalShapes('x.ts', 'interface A { mean: number; lo: number; hi: number }\nconst f = (c: { mean: number; lo: number; hi: number; n: number }) => c;\ninterface B extends A { sd: number }'), [
    'x.ts: interface A', 'x.ts:2: type literal',
  ]);
});

test('lib/ declares mean/lo/hi exactly once: Interval in lib/measure/stats.ts', () => {
  // SweepMatrix holds a design × attack grid column-wise (mean[][], lo[][], hi[][]) for plotting, not a figure.
  const exempt = new Set(['lib/sim/analysis.ts: interface SweepMatrix']);
  assert.equal(walk(join(root, 'lib')).flatMap((f) => intervalShapes(f)).filter((s) => !exempt.has(s)), ['lib/measure/stats.ts: interface Interval']);
});

test('a t-interval and a bootstrap interval are both Intervals, and render as interval cells', () => {
  const t: MeanCI = meanCI([21.1, 21.9, 22.4]);
  const b: BootstrapCI = bootstrapCI([1, 2, 3, 4], { resamples: 200, seed: 1 });
  const cells: Interval[] = [t, b];
  assert.ok(cells.every(isInterval));
  assert.is(formatCell(t, 2), '21.80 [20.17, 23.43]');
  assert.is(b.level, 0.95);
});

test.run();
