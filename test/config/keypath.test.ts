/**
 * Issue 27, high 2: config keys that would reach a prototype. Every entry point that sets a nested key from
 * outside — `--set`, sweep keys of an experiment file, JSON and YAML documents, schema records, notebook `-p` —
 * refuses `__proto__`, `constructor` and `prototype` with a located error, and Object.prototype never changes.
 * Also: a YAML alias bomb is a located config error, not "internal".
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ledgerlab } from '../helpers/cli.ts';
import { LedgerLabError, applyOverrides, parseJsonText, parseYamlText, planExperiment, s, setConfigKey } from '../../lib/index.ts';

const PROTO_KEYS = Object.getOwnPropertyNames(Object.prototype).sort();

/** Fails when anything was added to Object.prototype (and removes it, so later tests stay meaningful). */
function assertPrototypeClean(what: string): void {
  const now = Object.getOwnPropertyNames(Object.prototype).sort();
  const added = now.filter((k) => !PROTO_KEYS.includes(k));
  for (const k of added) delete (Object.prototype as Record<string, unknown>)[k];
  assert.equal(added, [], `${what}: Object.prototype gained ${added.join(', ')}`);
  assert.is(({} as Record<string, unknown>).polluted, undefined, what);
}

function refused(fn: () => unknown, what: string): LedgerLabError {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  assertPrototypeClean(what);
  assert.instance(err, LedgerLabError, `${what}: ${String(err)}`);
  return err as LedgerLabError;
}

test('--set: __proto__, constructor and prototype segments are usage errors naming the key', () => {
  for (const o of ['__proto__.polluted=1', 'constructor.prototype.polluted=1', 'train.__proto__.polluted=1', 'a.prototype=1', 'constructor=1']) {
    const e = refused(() => applyOverrides({ train: {} }, [o]), o);
    assert.is(e.kind, 'usage', o);
    assert.is(e.code, 'usage.forbidden_key', o);
    assert.match(e.where ?? '', /^--set /, o);
    assert.ok(e.issues.length === 1 && e.issues[0]!.path.length > 0, o);
  }
});

test('--set: a JSON value carrying a __proto__ key is refused too; ordinary overrides still apply', () => {
  const e = refused(() => applyOverrides({}, ['train={"__proto__":{"polluted":1}}']), 'value');
  assert.match(e.problem, /"__proto__" is not allowed/);
  assert.equal(applyOverrides({ train: { lr: 1 } }, ['train.lr=0.5', 'train.layers.0=3']), { train: { lr: 0.5, layers: { 0: 3 } } });
});

test('an experiment file whose sweep keys reach the prototype is refused at file:sweep.KEY (the RCE of the audit)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'll-keys-'));
  for (const key of ['__proto__.NODE_OPTIONS', 'constructor.prototype.GIT_CONFIG_COUNT', 'train.__proto__.x']) {
    const file = join(dir, 'exp.json');
    writeFileSync(file, JSON.stringify({ kind: 'simulate', name: 'x', sweep: { [key]: ['--require /tmp/evil.cjs'] }, config: {} }));
    const e = refused(() => planExperiment(file), key);
    assert.is(e.code, 'config.forbidden_key', key);
    assert.is(e.where, `${file} at sweep.${key}`);
  }
});

test('JSON and YAML documents with a __proto__ key are refused with the key\'s path', () => {
  const j = refused(() => parseJsonText('{"config": {"train": {"__proto__": {"polluted": 1}}}}', 'exp.json'), 'json');
  assert.is(j.where, 'exp.json at config.train.__proto__');
  assert.equal(j.issues[0]!.path, ['config', 'train', '__proto__']);
  const y = refused(() => parseYamlText('sweep:\n  __proto__: [1]\n', 'exp.yaml'), 'yaml');
  assert.is(y.where, 'exp.yaml at sweep.__proto__');
  const arr = refused(() => parseJsonText('[{"a": [{"__proto__": 1}]}]', 'x.json'), 'array');
  assert.equal(arr.issues[0]!.path, [0, 'a', 0, '__proto__']);
});

test('schema records refuse prototype keys instead of replacing the prototype of their output', () => {
  const rec = s.record(s.unknown());
  const input = JSON.parse('{"ok": 1, "__proto__": {"polluted": 1}, "constructor": 2}');
  const e = refused(() => rec.parse(input, 'q.json'), 'record');
  assert.equal(e.issues.map((i) => i.path), [['__proto__'], ['constructor']]);
});

test('setConfigKey (sweeps): the one setter; own properties only, objects created as plain {}', () => {
  const out = setConfigKey({}, 'a.b', 1, 'here') as { a: { b: number } };
  assert.equal(out, { a: { b: 1 } });
  assert.is(Object.getPrototypeOf(out.a), Object.prototype);
  // "toString" is inherited, not own: setting below it creates a fresh object instead of writing into a function
  const t = setConfigKey({}, 'toString.x', 1, 'here') as Record<string, unknown>;
  assert.equal(t.toString, { x: 1 });
  assert.is(Object.prototype.toString.call({}), '[object Object]');
  assertPrototypeClean('toString');
});

test('a YAML alias bomb is a located config error (config.yaml_aliases), not internal', () => {
  const bomb = ['a: &a [x, x, x, x, x, x, x, x, x]', ...'bcdefghij'.split('').map((k, i) => `${k}: &${k} [${Array(9).fill(`*${'abcdefghij'[i]}`).join(', ')}]`)].join('\n');
  const e = refused(() => parseYamlText(bomb, 'bomb.yaml'), 'bomb');
  assert.is(e.code, 'config.yaml_aliases');
  assert.match(e.where ?? '', /^bomb\.yaml:2:\d+$/);
  const dir = mkdtempSync(join(tmpdir(), 'll-bomb-'));
  writeFileSync(join(dir, 'bomb.yaml'), `kind: simulate\nname: bomb\nconfig:\n  ${bomb.replace(/\n/g, '\n  ')}\n`);
  const r = ledgerlab(['run', join(dir, 'bomb.yaml'), '--json'], { env: { LEDGERLAB_RESULTS: dir } });
  assert.is(r.code, 1, r.stderr);
  const err = JSON.parse(r.stderr.trim().split('\n').pop()!).error;
  assert.equal([err.kind, err.code], ['config', 'config.yaml_aliases']);
  assert.match(err.where, /bomb\.yaml:\d+:\d+$/);
});

test('notebook -p: __proto__ and non-identifier names, and numbers out of range, are usage errors (exit 2) before Jupyter starts', () => {
  for (const [p, re] of [['__proto__={"polluted":1}', /"__proto__" is not allowed/], ['constructor=1', /"constructor" is not allowed/], ['seed=1e400', /seed: 1e400 is not a finite number/], ['seeds=[1,-1e999]', /not a finite number/], ['a.b=1', /not a variable name/], ['x={"__proto__":1}', /"__proto__" is not allowed/]] as const) {
    const r = ledgerlab(['notebook', 'run', 'no-such-notebook', '-p', p]);
    assert.is(r.code, 2, `${p}: ${r.stderr}`);
    assert.match(r.stderr, re, p);
    assert.not.match(r.stderr, /no-such-notebook/, `${p}: refused before the notebook is looked up`);
  }
});

test.run();
