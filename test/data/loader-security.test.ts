/**
 * Issue 27, low: loaders given odd files. A tokenizer.json with invalid UTF-8 is refused at file:line:col
 * (it used to load with U+FFFD tokens), one with a BOM loads; a PEFT adapter whose target_modules name
 * modules the base does not have loads with a warning naming them.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { paths } from '../../lib/paths.ts';
import { LedgerLabError, Gpt, MethodSchema, applyLora, loadHfTokenizer, loadPeftAdapter, loadPretrained, peftAdapter, writePeftAdapter } from '../../lib/index.ts';

const FIXTURE = 'test/model/fixtures/gpt2-f32';
const TOKENIZER = join(paths.datasets, '..', 'tokenizers', 'gpt2');

function tokenizerCopy(edit: (b: Buffer) => Buffer): string {
  const dir = mkdtempSync(join(tmpdir(), 'll-tok-'));
  cpSync(TOKENIZER, dir, { recursive: true });
  writeFileSync(join(dir, 'tokenizer.json'), edit(readFileSync(join(dir, 'tokenizer.json'))));
  return dir;
}

test('tokenizer.json with an invalid UTF-8 byte: a located data error, not a silent U+FFFD', () => {
  const dir = tokenizerCopy((b) => {
    const text = b.toString('latin1');
    const at = text.indexOf('"vocab"') + 20; // inside the vocabulary's first entries
    const out = Buffer.from(b);
    out[at] = 0xff;
    return out;
  });
  let err: unknown;
  try {
    loadHfTokenizer(dir);
  } catch (e) {
    err = e;
  }
  assert.instance(err, LedgerLabError, String(err));
  assert.match((err as LedgerLabError).where ?? '', /tokenizer\.json:\d+:\d+$/);
  assert.match((err as LedgerLabError).problem, /UTF-8/);
});

test('tokenizer.json starting with a BOM loads and encodes as without it', () => {
  const plain = loadHfTokenizer(TOKENIZER);
  const dir = tokenizerCopy((b) => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), b]));
  const bom = loadHfTokenizer(dir);
  assert.equal(bom.encode('hello world'), plain.encode('hello world'));
});

test('an adapter whose target_modules name modules the base lacks loads with a warning naming them', async () => {
  const p = loadPretrained(FIXTURE);
  const m = Gpt.fromWeights(p.config, p.weights);
  const spec = MethodSchema.parse({ method: 'lora', r: 2, alpha: 4, targets: ['q', 'v'] });
  if (spec.method !== 'lora') throw new Error('lora');
  applyLora(m, { ...spec, seed: 1 });
  const a = await peftAdapter(m, spec, { modelType: 'gpt2', base: 'gpt2' });
  const dir = mkdtempSync(join(tmpdir(), 'll-adapter-'));
  writePeftAdapter(dir, { ...a, config: { ...a.config, target_modules: ['c_attn', 'lm_head', 'wte'] } });
  const b = Gpt.fromWeights(p.config, p.weights);
  const loaded = await loadPeftAdapter(b, dir, 'gpt2');
  assert.is(loaded.warnings.length, 1);
  assert.match(loaded.warnings[0]!, /target_modules "lm_head", "wte" name no module/);
  assert.match(loaded.warnings[0]!, /adapter_config\.json/);
  const clean = mkdtempSync(join(tmpdir(), 'll-adapter-'));
  writePeftAdapter(clean, a);
  const c = Gpt.fromWeights(p.config, p.weights);
  assert.equal((await loadPeftAdapter(c, clean, 'gpt2')).warnings, []);
  for (const x of [m, b, c]) x.dispose();
  tf.disposeVariables();
});

test.run();
