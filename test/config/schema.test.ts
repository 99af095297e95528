import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { s, applyOverrides, parseJsonText } from '../../lib/config/index.ts';
import { canonicalJson } from '../../lib/util/index.ts';
import { LedgerLabError } from '../../lib/errors.ts';

const Train = s.object({
  lr: s.number({ exclusiveMin: 0 }),
  steps: s.int({ min: 1 }).default(100),
  padding: s.enum(['longest', 'max_length'] as const).default('longest'),
  tags: s.array(s.string()).optional(),
  model: s.object({ layers: s.int({ min: 1 }) }),
});

function issuesOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.instance(err, LedgerLabError);
    return (err as LedgerLabError).problem;
  }
  throw new Error('expected a throw');
}

test('fills defaults and keeps given values', () => {
  assert.equal(Train.parse({ lr: 0.5, model: { layers: 2 } }), { lr: 0.5, steps: 100, padding: 'longest', model: { layers: 2 } });
});

test('unknown key is an error naming its path, with a suggestion', () => {
  const p = issuesOf(() => Train.parse({ lr: 0.5, model: { layers: 2, layres: 3 } }, 'exp.json'));
  assert.match(p, 'model.layres: unknown key (did you mean "layers"?)');
});

test('collects every issue with its path', () => {
  const p = issuesOf(() => Train.parse({ lr: -1, steps: 1.5, padding: 'longst', tags: ['a', 3], model: {} }));
  assert.match(p, '5 invalid config values');
  assert.match(p, 'lr: expected number > 0, got -1');
  assert.match(p, 'steps: expected integer ≥ 1, got 1.5');
  assert.match(p, 'padding: expected one of longest | max_length, got string "longst" (did you mean "longest"?)');
  assert.match(p, 'tags[1]: expected string, got number 3');
  assert.match(p, 'model.layers: required integer ≥ 1 is missing');
});

test('the error says where: source file and first path', () => {
  try {
    Train.parse({ lr: 'x', model: { layers: 1 } }, 'experiments/a.json');
    assert.unreachable();
  } catch (err) {
    assert.is((err as LedgerLabError).where, 'experiments/a.json at lr');
    assert.is((err as LedgerLabError).kind, 'config');
  }
});

test('tagged unions pick the branch by tag', () => {
  const M = s.tagged('method', { lora: s.object({ r: s.int({ min: 1 }) }), full: s.object({}) });
  assert.equal(M.parse({ method: 'lora', r: 8 }), { method: 'lora', r: 8 });
  assert.match(issuesOf(() => M.parse({ method: 'lroa' })), 'method: expected one of lora | full, got string "lroa" (did you mean "lora"?)');
  assert.match(issuesOf(() => M.parse({ method: 'full', r: 8 })), 'r: unknown key');
});

test('defaults are copied, not shared', () => {
  const S = s.object({ xs: s.array(s.int()).default([1]) });
  const a = S.parse({});
  a.xs.push(2);
  assert.equal(S.parse({}).xs, [1]);
});

test('overrides set nested paths and parse JSON values', () => {
  const base = { train: { lr: 0.1 }, seeds: [1, 2] };
  assert.equal(applyOverrides(base, ['train.lr=0.001', 'train.name=fast', 'seeds=[3]', 'model.layers=2']), {
    train: { lr: 0.001, name: 'fast' }, seeds: [3], model: { layers: 2 },
  });
  assert.equal(base.train.lr, 0.1, 'base is not mutated');
  assert.throws(() => applyOverrides({}, ['nokey']), /override "nokey" has no "=" \(expected key.path=value\)/);
});

test('JSON syntax errors name file:line:col', () => {
  try {
    parseJsonText('{\n  "a": 1,\n  "b": ,\n}', 'x.json');
    assert.unreachable();
  } catch (err) {
    assert.is((err as LedgerLabError).where, 'x.json:3:8');
  }
});

test('canonical JSON sorts keys at every depth', () => {
  assert.is(canonicalJson({ b: 1, a: { d: [{ y: 1, x: 2 }], c: 0 } }), '{"a":{"c":0,"d":[{"x":2,"y":1}]},"b":1}');
});

test('the error carries a machine-readable code and every issue with its path, not only the first', () => {
  try {
    Train.parse({ lr: -1, steps: 0, padding: 'wide', model: { layers: 'two' }, extra: true }, 'exp.json');
    assert.unreachable('invalid');
  } catch (err) {
    const e = err as LedgerLabError;
    assert.is(e.code, 'config.invalid');
    assert.equal(e.issues.map((i) => i.path), [['extra'], ['lr'], ['steps'], ['padding'], ['model', 'layers']]);
    assert.ok(e.issues.every((i) => e.problem.includes(i.message)), 'the sentence lists the same issues');
    assert.equal(e.toJSON().issues.length, 5);
    assert.equal([e.kind, e.where], ['config', 'exp.json at extra']);
  }
  assert.is(new LedgerLabError({ kind: 'io', problem: 'x' }).code, 'io');
  assert.equal(new LedgerLabError({ kind: 'io', problem: 'x' }).issues, []);
});

test.run();
