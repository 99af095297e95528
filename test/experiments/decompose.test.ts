import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { decompose, waterfall } from '../../lib/experiments/speedup/decompose.ts';

const close = (a: number, b: number, msg?: string) => assert.ok(Math.abs(a - b) < 1e-12, `${msg ?? ''} ${a} vs ${b}`);

test('independent multiplicative factors: main = Shapley, no interaction', () => {
  // padding costs 1.3×, checkpointing 1.33×: speed = 100 / (1.3^p · 1.33^c)
  const d = decompose(['padding', 'ckpt'], (s) => 100 / ((s.has('padding') ? 1.3 : 1) * (s.has('ckpt') ? 1.33 : 1)));
  close(Math.exp(d.total), 1.3 * 1.33);
  close(d.main.padding, Math.log(1.3));
  close(d.shapley.ckpt, Math.log(1.33));
  close(d.interaction, 0);
});

test('a factor that only matters together with another: Shapley splits the interaction', () => {
  // prefix length only slows P-Tuning (method switched); alone it does nothing.
  const speed = (s: ReadonlySet<string>) => 20 / ((s.has('method') ? 1.5 : 1) * (s.has('method') && s.has('prefix') ? 2 : 1));
  const d = decompose(['method', 'prefix'], speed);
  close(d.main.prefix, 0);
  close(d.main.method, Math.log(1.5));
  close(d.interaction, Math.log(2));
  close(d.shapley.method, Math.log(1.5) + Math.log(2) / 2);
  close(d.shapley.prefix, Math.log(2) / 2);
  close(d.shapley.method + d.shapley.prefix, d.total, 'efficiency');
});

test('waterfall runs from 1.0× to the total ratio', () => {
  const d = decompose(['a', 'b', 'c'], (s) => 10 / (1 + s.size + (s.has('a') && s.has('c') ? 1 : 0)));
  const w = waterfall(d);
  close(w[w.length - 1].cumulative, 10 / 10 * 5);
  close(w[w.length - 2].cumulative, w[w.length - 1].factor);
  const m = waterfall(d, 'main');
  assert.equal(m.map((r) => r.label), ['a', 'b', 'c', 'interaction', 'total']);
  close(m[3].cumulative, 5);
});

test.run();
