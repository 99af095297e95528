/**
 * Fuzz test (issue 27): random config key paths — segments such as __proto__, constructor, prototype, their
 * look-alikes (case, spaces, percent- and unicode-escaped, full-width letters), unicode, numbers, dots and
 * empty parts — through every entry point that sets a key from outside: `--set` (applyOverrides), sweep keys
 * (setConfigKey and planExperiment), JSON and YAML documents, schema records, queue payloads (as the worker
 * checks them) and notebook `-p`. Whatever the
 * path: no key ever reaches Object.prototype, Array.prototype or Function.prototype, and a refused path is a
 * LedgerLabError that says where (and lists the bad key's path in `issues` when it is a prototype key).
 * Seeded (LEDGERLAB_FUZZ_SEED, default 27) and bounded by a time budget (LEDGERLAB_FUZZ_MS, default 8 s).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '../../lib/util/random.ts';
import { LedgerLabError, FORBIDDEN_KEYS, RunJobSchema, rejectForbiddenKeys, applyOverrides, parseJsonText, parseYamlText, planExperiment, s, setConfigKey, setKeyPath } from '../../lib/index.ts';
import { parseParams } from '../../lib/cli/commands/index.ts';

const seed = process.env.LEDGERLAB_FUZZ_SEED ?? '27';
const budgetMs = Number(process.env.LEDGERLAB_FUZZ_MS ?? 8_000);
const dir = mkdtempSync(join(tmpdir(), 'll-fuzz-keys-'));

const SEGMENTS = [
  '__proto__', 'constructor', 'prototype', '__proto__ ', ' __proto__', '__PROTO__', 'Constructor', '%5F%5Fproto%5F%5F', '\\u005f_proto__',
  '_\u005fproto__', 'ｃonstructor', 'proto', '__proto', 'prototype\u0000', 'toString', 'valueOf', 'hasOwnProperty', '__defineSetter__',
  'polluted', 'train', 'lr', 'method', '0', '1', '10', '-1', '类型', 'é', '😀', 'a b', '', ' ', '$', 'a=b', '[0]',
];
const VALUES = ['1', '"yes"', '{"polluted":"yes"}', '[1,2]', 'plain', '{"__proto__":{"polluted":"yes"}}', 'null'];

const PROTOS: Array<[string, object]> = [['Object.prototype', Object.prototype], ['Array.prototype', Array.prototype], ['Function.prototype', Function.prototype]];
const before = new Map(PROTOS.map(([n, p]) => [n, Object.getOwnPropertyNames(p).sort().join(',')]));

function assertClean(what: string): void {
  for (const [name, proto] of PROTOS) {
    const now = Object.getOwnPropertyNames(proto).sort().join(',');
    assert.is(now, before.get(name), `${what}: ${name} changed`);
  }
  assert.is(({} as Record<string, unknown>).polluted, undefined, what);
  assert.is(Object.getPrototypeOf({}), Object.prototype, what);
}

const randomPath = (rng: Rng): string[] => Array.from({ length: 1 + rng.int(4) }, () => rng.pick(SEGMENTS));
const forbidden = (segs: readonly string[]) => segs.some((k) => FORBIDDEN_KEYS.has(k));
/** An empty or blank part is refused first (its own located error), so the prototype check may not be reached. */
const blank = (segs: readonly string[]) => segs.some((k) => k.trim() === '');

/** Runs `fn`; returns its error (which must be a located LedgerLabError) or undefined. */
function attempt(fn: () => unknown, what: string): LedgerLabError | undefined {
  try {
    fn();
  } catch (err) {
    assert.instance(err, LedgerLabError, `${what}: ${String(err)}`);
    assert.ok((err as LedgerLabError).where, `${what}: the error says where`);
    return err as LedgerLabError;
  } finally {
    assertClean(what);
  }
  return undefined;
}

function forbiddenError(e: LedgerLabError | undefined, what: string): void {
  assert.ok(e, `${what}: a prototype key was accepted`);
  assert.match(e!.code, /forbidden_key$/, `${what}: ${e!.message}`);
  assert.ok(e!.issues.length > 0 && e!.issues[0]!.path.length > 0, `${what}: the key's path is listed`);
}

/** Every setter entry point with one random path and value. */
function oneCase(rng: Rng): void {
  const segs = randomPath(rng);
  const key = segs.join('.');
  const value = rng.pick(VALUES);
  const bad = forbidden(segs) && !blank(segs);
  const base = rng.next() < 0.5 ? {} : { train: { lr: 1, layers: [1, 2] }, method: 'lora' };
  const set = attempt(() => applyOverrides(base, [`${key}=${value}`]), `--set ${key}=${value}`);
  // "--set K=V" splits at the first "=": only the part before it is the key.
  const setSegs = key.split('=')[0]!.split('.');
  if (forbidden(setSegs) && !blank(setSegs)) forbiddenError(set, `--set ${key}`);
  if (forbidden(setSegs)) assert.ok(set, `--set ${key}: accepted`);
  const sweep = attempt(() => setConfigKey(base, key, JSON.parse(value.startsWith('{') || value.startsWith('[') || value === 'null' || /^[\d"]/.test(value) ? value : JSON.stringify(value)), `x.json at sweep.${key}`), `sweep ${key}`);
  if (bad) forbiddenError(sweep, `sweep ${key}`);
  if (forbidden(segs)) assert.ok(sweep, `sweep ${key}: accepted`);
  const direct = attempt(() => setKeyPath(base, segs, 1, { where: 'fuzz' }), `setKeyPath ${key}`);
  if (forbidden(segs)) forbiddenError(direct, `setKeyPath ${key}`);
  // Documents: the path as nested objects. JSON.parse keeps "__proto__" as an own key; parsing must refuse it.
  const text = segs.reduceRight((inner, k) => `{${JSON.stringify(k)}: ${inner}}`, value.startsWith('{') ? value : '1');
  const viaJson = attempt(() => parseJsonText(text, 'fuzz.json'), `json ${text}`);
  if (segs.includes('__proto__') || value.includes('__proto__')) forbiddenError(viaJson, `json ${text}`);
  const yaml = segs.reduceRight((inner, k, d) => `${'  '.repeat(d)}${JSON.stringify(k)}:${typeof inner === 'string' ? `\n${inner}` : ` ${inner}`}`, 1 as unknown as string);
  const viaYaml = attempt(() => parseYamlText(yaml, 'fuzz.yaml'), `yaml ${yaml}`);
  if (segs.includes('__proto__')) forbiddenError(viaYaml, `yaml ${JSON.stringify(yaml)}`);
  const rec = attempt(() => s.record(s.unknown()).parse(JSON.parse(text), 'fuzz.json'), `record ${text}`);
  if (FORBIDDEN_KEYS.has(segs[0]!)) assert.ok(rec, `record ${text}: a prototype key was accepted`);
  // A queue payload as the worker checks it: no __proto__ anywhere, then the job schema (point is a record).
  const job = () => {
    const data = JSON.parse(`{"v":1,"sweep":"f","kind":"simulate","name":"f","runId":"f-s0","seed":0,"config":{},"submitted":{"at":"now","host":"h"},"point":${text}}`);
    rejectForbiddenKeys(data, { where: 'queue job' });
    return RunJobSchema.parse(data, 'queue job');
  };
  const queued = attempt(job, `queue point ${text}`);
  if (segs.includes('__proto__') || FORBIDDEN_KEYS.has(segs[0]!) || value.includes('__proto__')) assert.ok(queued, `queue point ${text}: accepted`);
  const nb = attempt(() => parseParams([`${key}=${value}`]), `-p ${key}=${value}`);
  if (forbidden(setSegs)) assert.ok(nb, `-p ${key}: accepted`);
}

test('random key paths through --set, sweeps, documents, records and notebook -p never reach a prototype', () => {
  const rng = new Rng(`config-keys:${seed}`);
  const t0 = Date.now();
  let n = 0;
  for (; n < 3000 && Date.now() - t0 < budgetMs; n++) oneCase(rng);
  assert.ok(n >= 200, `only ${n} cases ran in ${budgetMs} ms`);
});

test('random sweep keys in experiment files: planExperiment refuses prototype keys at file:sweep.KEY', () => {
  const rng = new Rng(`config-sweeps:${seed}`);
  const t0 = Date.now();
  for (let n = 0; n < 150 && Date.now() - t0 < budgetMs; n++) {
    const segs = randomPath(rng);
    const key = segs.join('.');
    const file = join(dir, `exp-${n}.json`);
    writeFileSync(file, JSON.stringify({ kind: 'simulate', name: 'fuzz', sweep: { [key]: [JSON.parse(rng.pick(VALUES.filter((v) => v !== 'plain')))] }, config: {} }));
    const e = attempt(() => planExperiment(file), `sweep key ${JSON.stringify(key)}`);
    assert.ok(e, `sweep key ${JSON.stringify(key)}: an empty simulate config never validates`);
    if (segs.includes('__proto__') && !blank(segs)) assert.match(e!.code, /forbidden_key$/, key);
    else if (forbidden(segs) && !blank(segs)) assert.ok(e!.where!.startsWith(`${file} at sweep.${key}`), `${key}: ${e!.where}`);
  }
});

test.run();
