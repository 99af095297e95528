import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Rng, sha256Json } from '../../lib/util/index.ts';

test('same seed, same stream; different seeds differ', () => {
  const a = new Rng(7), b = new Rng(7), c = new Rng(8);
  const xs = Array.from({ length: 5 }, () => a.nextUint32());
  assert.equal(Array.from({ length: 5 }, () => b.nextUint32()), xs);
  assert.not.equal(Array.from({ length: 5 }, () => c.nextUint32()), xs);
});

test('state round-trips mid-stream, including the cached normal', () => {
  const a = new Rng('x');
  a.normal();
  const b = Rng.fromState(a.state());
  assert.equal([a.normal(), a.next(), a.int(100)], [b.normal(), b.next(), b.int(100)]);
});

test('uniform and normal moments are sane', () => {
  const r = new Rng(1);
  let s = 0, s2 = 0;
  const n = 20000;
  for (let i = 0; i < n; i++) { const x = r.normal(); s += x; s2 += x * x; }
  assert.ok(Math.abs(s / n) < 0.03, `mean ${s / n}`);
  assert.ok(Math.abs(s2 / n - 1) < 0.05, `var ${s2 / n}`);
  const counts = [0, 0, 0, 0];
  for (let i = 0; i < 4000; i++) counts[r.int(4)]++;
  for (const k of counts) assert.ok(k > 900 && k < 1100, `bucket ${k}`);
});

test('shuffle is a permutation; fork does not advance the parent', () => {
  const r = new Rng(3);
  assert.equal(r.shuffle([1, 2, 3, 4, 5]).sort(), [1, 2, 3, 4, 5]);
  const before = r.state();
  r.fork('a');
  assert.equal(r.state(), before);
  assert.not.equal(r.fork('a').next(), r.fork('b').next());
});

test('json hash ignores key order', () => {
  assert.is(sha256Json({ a: 1, b: [1, 2] }), sha256Json({ b: [1, 2], a: 1 }));
  assert.is(sha256Json({}), '44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a');
});

test.run();
