/**
 * Fuzz test (issue 20): dataset loaders, experiment files and `score` input fed random bytes, truncated JSON,
 * huge fields and wrong types. Whatever the input: never a crash or a stack trace — either it loads, or it
 * is a LedgerLabError that says where (file:line[:col], or the file and a config path), and the CLI exits
 * non-zero. Seeded (LEDGERLAB_FUZZ_SEED, default 20) and bounded: a fixed number of cases per target, cut
 * short by a time budget (LEDGERLAB_FUZZ_MS, default 12 s for the library cases).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '../../lib/util/random.ts';
import { LedgerLabError } from '../../lib/errors.ts';
import { loadAdvertiseGen, loadE2E, loadPromptResponse, loadDataset } from '../../lib/data/index.ts';
import { planExperiment } from '../../lib/experiments/spec.ts';
import { readScoreFile } from '../../lib/metrics/corpus.ts';
import { ledgerlab, repoRoot } from '../helpers/cli.ts';
import { paths } from '../../lib/paths.ts';

const seed = process.env.LEDGERLAB_FUZZ_SEED ?? '20';
const budgetMs = Number(process.env.LEDGERLAB_FUZZ_MS ?? 12_000);
const dir = mkdtempSync(join(tmpdir(), 'll-fuzz-'));

// ---- seeds: real, valid inputs to mutate ----------------------------------------------------------------
const agLines = readFileSync(join(paths.datasets, 'advertisegen', 'dev-sample.jsonl'), 'utf8').split('\n').slice(0, 6).join('\n') + '\n';
const e2eText = readFileSync(join(paths.datasets, 'e2e', 'devset.csv'), 'utf8').split('\n').slice(0, 8).join('\n') + '\n';
const prText = [{ prompt: 'Say hi', response: 'hi', id: 'a' }, { prompt: 'Count', response: 'one two', references: ['one two', '1 2'] }].map((o) => JSON.stringify(o)).join('\n') + '\n';
const scoreText = [{ prediction: 'the cat sat', reference: 'the cat sat down' }, { prediction: 'a b', reference: ['a b c', 'b'] }].map((o) => JSON.stringify(o)).join('\n') + '\n';
const experimentText = readFileSync(join(repoRoot, 'test', 'fixtures', 'finetune-tiny.json'), 'utf8');

// ---- mutations --------------------------------------------------------------------------------------------
const WEIRD: unknown[] = [null, true, 0, -1, 1e308, -0.5, '', 'x', [], [1, 'a'], {}, { a: { b: [] } }, '\u0000', '类型#', 2 ** 53 + 1];

function randomBytes(rng: Rng, n: number): Buffer {
  return Buffer.from(Array.from({ length: n }, () => rng.int(256)));
}

function wrongTypes(rng: Rng, value: unknown): unknown {
  if (Array.isArray(value)) return value.map((v) => wrongTypes(rng, v));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const r = rng.next();
      if (r < 0.08) continue; // drop the key
      out[k] = r < 0.3 ? WEIRD[rng.int(WEIRD.length)] : wrongTypes(rng, v);
    }
    if (rng.next() < 0.1) out[`extra${rng.int(100)}`] = WEIRD[rng.int(WEIRD.length)];
    return out;
  }
  return rng.next() < 0.2 ? WEIRD[rng.int(WEIRD.length)] : value;
}

function hugeField(rng: Rng, value: unknown): unknown {
  const big = rng.next() < 0.5 ? 'x'.repeat(2 * 1024 * 1024 + rng.int(1000)) : '字'.repeat(400_000 + rng.int(1000));
  if (Array.isArray(value)) return rng.next() < 0.3 ? Array.from({ length: 5000 }, (_, i) => i) : value.map((v, i) => (i === 0 ? hugeField(rng, v) : v));
  if (value && typeof value === 'object') {
    const keys = Object.keys(value);
    const k = keys[rng.int(keys.length)];
    return { ...value, [k]: typeof (value as Record<string, unknown>)[k] === 'object' ? hugeField(rng, (value as Record<string, unknown>)[k]) : big };
  }
  return big;
}

/** Rewrites each JSON line (or a whole JSON document) of `text` with `f`; non-JSON lines are kept. */
function mapJson(text: string, f: (v: unknown) => unknown, whole: boolean): string {
  if (whole) return JSON.stringify(f(JSON.parse(text)), null, 2);
  return text.split('\n').map((l) => { try { return l ? JSON.stringify(f(JSON.parse(l))) : l; } catch { return l; } }).join('\n');
}

/** One mutated input from a valid seed text, with the name of the mutation. */
function mutate(rng: Rng, text: string, json: 'lines' | 'whole' | 'none'): { how: string; bytes: Buffer } {
  const b = Buffer.from(text);
  const pick = rng.int(json === 'none' ? 4 : 6);
  switch (pick) {
    case 0: return { how: 'random bytes', bytes: randomBytes(rng, 1 + rng.int(400)) };
    case 1: return { how: 'truncated', bytes: b.subarray(0, rng.int(b.length)) };
    case 2: { // flip a few bytes
      const c = Buffer.from(b);
      for (let i = 0; i < 1 + rng.int(4); i++) c[rng.int(c.length)] = rng.int(256);
      return { how: 'flipped bytes', bytes: c };
    }
    case 3: { // a random splice of bytes into the middle
      const at = rng.int(b.length);
      return { how: 'spliced bytes', bytes: Buffer.concat([b.subarray(0, at), randomBytes(rng, 1 + rng.int(20)), b.subarray(at)]) };
    }
    case 4: return { how: 'wrong types', bytes: Buffer.from(mapJson(text, (v) => wrongTypes(rng, v), json === 'whole')) };
    default: return { how: 'huge field', bytes: Buffer.from(mapJson(text, (v) => hugeField(rng, v), json === 'whole')) };
  }
}

// ---- the property -----------------------------------------------------------------------------------------
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const LOCATED = (file: string) => new RegExp(`^${escape(file)}(:\\d+(:\\d+)?| at \\S+| \\(config\\) at \\S+)?$`);

async function check(name: string, file: string, load: () => unknown, how: string): Promise<'ok' | 'error'> {
  try {
    await load();
    return 'ok';
  } catch (err) {
    if (!(err instanceof LedgerLabError)) {
      throw new Error(`${name} (${how}, ${file}): not a LedgerLabError: ${(err as Error)?.stack ?? err}`);
    }
    assert.ok(err.where && LOCATED(file).test(err.where), `${name} (${how}): error "${err.problem}" is not located in the file: where=${err.where}`);
    return 'error';
  }
}

interface Target { name: string; seed: string; json: 'lines' | 'whole' | 'none'; ext: string; load: (p: string) => unknown }
const targets: Target[] = [
  { name: 'AdvertiseGen loader', seed: agLines, json: 'lines', ext: 'jsonl', load: (p) => loadAdvertiseGen(p) },
  { name: 'E2E loader', seed: e2eText, json: 'none', ext: 'csv', load: (p) => loadE2E(p) },
  { name: 'prompt/response loader', seed: prText, json: 'lines', ext: 'jsonl', load: (p) => loadPromptResponse(p) },
  { name: 'format detection + load', seed: agLines, json: 'lines', ext: 'jsonl', load: (p) => loadDataset(p) },
  {
    name: 'experiment file', seed: experimentText, json: 'whole', ext: 'json',
    // A plan that validates must also be runnable: every run id is a folder name (≤ 255 bytes).
    load: (p) => { for (const r of planExperiment(p).runs) assert.ok(Buffer.byteLength(r.runId) <= 255, `run id of ${Buffer.byteLength(r.runId)} bytes`); },
  },
  { name: 'score input', seed: scoreText, json: 'lines', ext: 'jsonl', load: (p) => readScoreFile(p) },
];

test(`library: ${targets.length} targets × 60 seeded mutations (seed ${seed}) load or fail located`, async () => {
  const rng = new Rng(`fuzz:${seed}`);
  const t0 = Date.now();
  const tally: Record<string, Record<string, number>> = {};
  let n = 0;
  const slowest = { ms: 0, what: '' };
  for (let i = 0; i < 60 && Date.now() - t0 < budgetMs; i++) {
    for (const t of targets) {
      const { how, bytes } = mutate(rng, t.seed, t.json);
      const p = join(dir, `lib-${i}-${t.name.replace(/\W+/g, '_')}.${t.ext}`);
      writeFileSync(p, bytes);
      const c0 = Date.now();
      const r = await check(t.name, p, () => t.load(p), how);
      if (Date.now() - c0 > slowest.ms) Object.assign(slowest, { ms: Date.now() - c0, what: `${t.name} (${how}, ${p})` });
      (tally[t.name] ??= {})[r] = (tally[t.name][r] ?? 0) + 1;
      n++;
    }
  }
  console.log(`fuzz seed ${seed}: ${n} cases in ${Date.now() - t0} ms (slowest ${slowest.ms} ms: ${slowest.what})`, JSON.stringify(tally));
  assert.ok(n >= targets.length * 3, `only ${n} cases ran within ${budgetMs} ms`);
  // Each target saw real refusals, not only inputs that happen to load.
  for (const t of targets) assert.ok((tally[t.name]?.error ?? 0) > 0, `${t.name}: ${JSON.stringify(tally[t.name])}`);
});

test('CLI: mutated score and experiment files exit non-zero with a located error and no stack trace', () => {
  const rng = new Rng(`fuzz-cli:${seed}`);
  const cases: { args: (p: string) => string[]; text: string; json: 'lines' | 'whole'; ext: string }[] = [
    { args: (p) => ['score', p], text: scoreText, json: 'lines', ext: 'jsonl' },
    { args: (p) => ['run', p, '--root', join(dir, 'results')], text: experimentText, json: 'whole', ext: 'json' },
  ];
  for (let i = 0; i < 2; i++) {
    for (const c of cases) {
      // Only mutations that cannot yield a valid input (so `run` never starts training).
      let m;
      do m = mutate(rng, c.text, c.json); while (m.how !== 'random bytes' && m.how !== 'truncated');
      const p = join(dir, `cli-${i}-${c.args('x')[0]}.${c.ext}`);
      writeFileSync(p, m.bytes);
      const r = ledgerlab(c.args(p));
      assert.is.not(r.code, 0, `${m.how}: ${r.stdout}`);
      assert.match(r.stderr, /^error \((data|config|io|usage)\): /, `${m.how}: ${r.stderr}`);
      assert.match(r.stderr, `\n  where: ${p}`, `${m.how}: ${r.stderr}`);
      assert.not.match(r.stderr, /\n\s+at |error \(internal\)/, `${m.how}: ${r.stderr}`);
    }
  }
});

test.run();
