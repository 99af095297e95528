import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { paths } from '../../lib/paths.ts';
import { LedgerLabError } from '../../lib/errors.ts';
import { exactCounts, idListHash, loadAdvertiseGen, split } from '../../lib/data/index.ts';
import { Rng } from '../../lib/util/random.ts';

const AG = join(paths.datasets, 'advertisegen', 'dev-sample.jsonl');
const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const F = { train: 0.8, eval: 0.1, test: 0.1 };
const mk = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `ex${i}`, source: `s${i % 7}` }));

test('exactCounts: largest remainder, always sums to n', () => {
  assert.equal(exactCounts(10, [0.8, 0.1, 0.1]), [8, 1, 1]);
  assert.equal(exactCounts(7, [0.5, 0.25, 0.25]), [3, 2, 2]);
  assert.equal(exactCounts(870, [0.8, 0.1, 0.1]), [696, 87, 87]);
  assert.equal(exactCounts(3, [1 / 3, 1 / 3, 1 / 3]), [1, 1, 1]);
  assert.equal(exactCounts(0, [0.8, 0.1, 0.1]), [0, 0, 0]);
});

test('assignment = sort by sha256(seed:id), cut at exact counts (checked independently)', () => {
  const exs = mk(10);
  const s = split(exs, { seed: 3, fractions: F });
  const order = exs.map((e) => e.id).sort((a, b) => (sha(`3:${a}`) < sha(`3:${b}`) ? -1 : 1));
  assert.equal(new Set(s.train.map((e) => e.id)), new Set(order.slice(0, 8)));
  assert.equal(s.eval.map((e) => e.id), [order[8]]);
  assert.equal(s.test.map((e) => e.id), [order[9]]);
  // Input order is kept within each split.
  assert.equal(s.train.map((e) => e.id), exs.filter((e) => order.slice(0, 8).includes(e.id)).map((e) => e.id));
});

test('manifest: seed, counts and sha256 of each sorted id list', () => {
  const exs = mk(50);
  const { train, eval: ev, test: te, manifest } = split(exs, { seed: 'abc', fractions: { train: 0.6, eval: 0.2, test: 0.2 } });
  assert.equal(manifest.counts, { train: 30, eval: 10, test: 10 });
  assert.is(manifest.seed, 'abc');
  assert.is(manifest.groupBy, 'id');
  assert.is(manifest.sha256.train, sha(train.map((e) => e.id).sort().join('\n')));
  assert.is(manifest.sha256.eval, sha(ev.map((e) => e.id).sort().join('\n')));
  assert.is(manifest.sha256.test, idListHash(te.map((e) => e.id).reverse()));
  assert.is(idListHash([]), sha(''));
});

test('deterministic: same seed -> same split for any input order; another seed differs', () => {
  const exs = mk(200);
  const a = split(exs, { seed: 7, fractions: F });
  const b = split(new Rng(1).shuffle(exs), { seed: 7, fractions: F });
  const c = split(exs, { seed: 8, fractions: F });
  assert.equal(a.manifest, b.manifest);
  assert.not.equal(a.manifest.sha256.eval, c.manifest.sha256.eval);
  assert.equal(a.manifest.counts, c.manifest.counts);
});

test('stable under growth: adding examples moves few existing ones', () => {
  const small = split(mk(1000), { seed: 1, fractions: F });
  const big = split(mk(1100), { seed: 1, fractions: F });
  const evalSmall = new Set(small.eval.map((e) => e.id));
  const kept = big.eval.filter((e) => evalSmall.has(e.id)).length;
  assert.ok(kept >= 80, `only ${kept} of 100 eval examples kept their split`);
});

test('groupBy source keeps a prompt on one side (real AdvertiseGen, 43 repeated contents)', async () => {
  const exs = await loadAdvertiseGen(AG);
  const s = split(exs, { seed: 0, fractions: F, groupBy: 'source' });
  const side = new Map<string, string>();
  for (const [name, part] of [['train', s.train], ['eval', s.eval], ['test', s.test]] as const) {
    for (const e of part) {
      const prev = side.get(e.source);
      assert.ok(prev === undefined || prev === name, `content on both ${prev} and ${name}`);
      side.set(e.source, name);
    }
  }
  assert.is(s.train.length + s.eval.length + s.test.length, 870);
  const byId = split(exs, { seed: 0, fractions: F });
  assert.equal(byId.manifest.counts, { train: 696, eval: 87, test: 87 });
  // Golden values: a change here means every recorded AdvertiseGen split changes.
  assert.is(byId.manifest.sha256.eval.slice(0, 16), GOLDEN_EVAL);
});

test('bad fractions and duplicate ids are errors', () => {
  try {
    split(mk(3), { seed: 1, fractions: { train: 0.8, eval: 0.1, test: 0.2 } });
    assert.unreachable();
  } catch (e) {
    assert.instance(e, LedgerLabError);
    assert.match((e as LedgerLabError).problem, 'sum to 1');
  }
  try {
    split([{ id: 'a', source: '' }, { id: 'a', source: '' }], { seed: 1, fractions: F });
    assert.unreachable();
  } catch (e) {
    assert.is((e as LedgerLabError).problem, 'duplicate example id "a"');
  }
});

const GOLDEN_EVAL = '0588bc47aa32bd56';
test.run();
