// PEFT's adapter format: a finetune run on a Hugging Face-layout checkpoint exported with `ledgerlab export`
// (peft, merged, onnx) and loaded back (adapter onto the base, merged checkpoint, ONNX Runtime); GPT-2's fused
// c_attn and prefix tuning at library level; bad adapter folders are located errors.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runExperiment, prepareTask, DataSchema, exportRun, openRunModel } from '../../lib/experiments/index.ts';
import { saveHfTokenizer } from '../../lib/data/index.ts';
import { Gpt, loadPretrained, materialize, readSafetensors } from '../../lib/model/index.ts';
import { writeRandomLlama } from '../../lib/bench/index.ts';
import { applyLora, applyPrefix, buildModel, loadPeftAdapter, peftAdapter, writePeftAdapter, MethodSchema } from '../../lib/peft/index.ts';
import { OrtDecoder, TfjsDecoder, generate } from '../../lib/infer/index.ts';
import { initBackend } from '../../lib/runtime/index.ts';
import { LedgerLabError } from '../../lib/errors.ts';
import { baseWeightsWithAdapter } from '../../lib/experiments/base.ts';
import { ledgerlab } from '../helpers/cli.ts';

const IDS = [[5, 17, 3, 99, 42, 7, 250, 11]];

function logits(m: Gpt, ids = IDS.map((r) => r.map((t) => t % m.config.vocab))): Float32Array {
  return tf.tidy(() => m.forward(tf.tensor2d(ids, [ids.length, ids[0].length], 'int32')).logits.dataSync() as Float32Array);
}

function maxDiff(a: Float32Array, b: Float32Array): number {
  assert.is(a.length, b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

function baseOf(dir: string): Gpt {
  const p = loadPretrained(dir);
  return Gpt.fromWeights(p.config, p.weights);
}

const work = mkdtempSync(join(tmpdir(), 'll-peft-'));
const ckpt = join(work, 'base');
let runDir = '';

test('a LoRA run on a Llama checkpoint trains; its PEFT export has PEFT\'s keys and shapes exactly', async () => {
  await initBackend();
  const data = { source: 'synthetic', syntheticCount: 40, evalCount: 4, maxSource: 32, maxTarget: 24, tokenizer: 'bpe', vocab: 300 };
  const tok = (await prepareTask(DataSchema.parse(data))).tokenizer;
  saveHfTokenizer(tok, ckpt);
  writeRandomLlama(ckpt, { layers: 2, hidden: 32, heads: 4, kvHeads: 2, ffn: 64, vocab: tok.vocabSize, context: 128, tied: false }, 'F32', 5);
  const file = join(work, 'exp.json');
  writeFileSync(file, JSON.stringify({
    kind: 'finetune', name: 'peft-export', seeds: [0],
    config: {
      data, model: { from: 'hf', path: ckpt },
      method: { method: 'lora', r: 4, alpha: 8, targets: ['q', 'v', 'gate'] },
      train: { steps: 3, batchSize: 4, lr: 0.05, warmupSteps: 0, logEvery: 1 },
      eval: { count: 2, maxNew: 4 },
    },
  }));
  const out = await runExperiment(file, { root: join(work, 'results') });
  assert.is(out.failed.length, 0, out.failed[0]?.error);
  runDir = out.outcomes[0].dir;

  const dir = join(work, 'adapter');
  const files = await exportRun(runDir, 'peft', dir);
  assert.equal(files, ['adapter_config.json', 'adapter_model.safetensors']);
  const cfg = JSON.parse(readFileSync(join(dir, 'adapter_config.json'), 'utf8'));
  assert.is(cfg.peft_type, 'LORA');
  assert.is(cfg.task_type, 'CAUSAL_LM');
  assert.is(cfg.r, 4);
  assert.is(cfg.lora_alpha, 8);
  assert.is(cfg.lora_dropout, 0);
  assert.is(cfg.use_rslora, false);
  assert.is(cfg.fan_in_fan_out, false);
  assert.equal(cfg.target_modules, ['gate_proj', 'q_proj', 'v_proj']);
  assert.is(cfg.base_model_name_or_path, ckpt);
  const st = readSafetensors(join(dir, 'adapter_model.safetensors'));
  const expected: Record<string, number[]> = {};
  for (const i of [0, 1]) {
    const p = `base_model.model.model.layers.${i}.`;
    expected[`${p}self_attn.q_proj.lora_A.weight`] = [4, 32];
    expected[`${p}self_attn.q_proj.lora_B.weight`] = [32, 4];
    expected[`${p}self_attn.v_proj.lora_A.weight`] = [4, 32];
    expected[`${p}self_attn.v_proj.lora_B.weight`] = [16, 4];
    expected[`${p}mlp.gate_proj.lora_A.weight`] = [4, 32];
    expected[`${p}mlp.gate_proj.lora_B.weight`] = [64, 4];
  }
  assert.equal(Object.fromEntries([...st.tensors].map(([k, t]) => [k, t.shape]).sort()), Object.fromEntries(Object.entries(expected).sort()));
  assert.ok([...st.tensors.values()].every((t) => t.dtype === 'F32'));
});

test('the exported adapter loads onto the base with the run\'s logits; merged and ONNX exports agree', async () => {
  const trained = await openRunModel(runDir);
  const want = logits(trained.model);
  const base = baseOf(ckpt);
  const baseLogits = logits(base);
  const loaded = await loadPeftAdapter(base, join(work, 'adapter'), 'llama');
  assert.is(loaded.wrapped.length, 6);
  const got = logits(base);
  assert.ok(maxDiff(want, baseLogits) > 1e-3, 'the adapter changes the logits (it trained)');
  assert.ok(maxDiff(want, got) <= 1e-6, `adapter on base: max |Δ| ${maxDiff(want, got)}`);

  const merged = join(work, 'merged');
  const files = await exportRun(runDir, 'merged', merged);
  assert.equal(files, ['config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json']);
  const m = baseOf(merged);
  assert.ok(maxDiff(want, logits(m)) <= 1e-5, `merged: max |Δ| ${maxDiff(want, logits(m))}`);
  m.dispose();

  const onnxDir = join(work, 'onnx');
  assert.equal(await exportRun(runDir, 'onnx', onnxDir), ['model.onnx', 'tokenizer.json', 'tokenizer_config.json']);
  const ort = await OrtDecoder.create(join(onnxDir, 'model.onnx'));
  const tfd = new TfjsDecoder(trained.model);
  const a = await generate(ort, [IDS[0]], { maxNew: 12 });
  const b = await generate(tfd, [IDS[0]], { maxNew: 12 });
  assert.equal(a.tokens, b.tokens);
  assert.is(a.tokens[0].length, 12);
  await ort.dispose();
  tfd.dispose();

  // the CLI: ledgerlab export (by run id under --root) and generate --adapter, whose prompt logits are the run's
  const cliOut = join(work, 'cli-adapter');
  const runId = JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8')).runId as string;
  const ex = ledgerlab(['export', runId, '--format', 'peft', '--out', cliOut, '--root', join(work, 'results'), '--json']);
  assert.is(ex.code, 0, ex.stderr);
  assert.equal(JSON.parse(ex.stdout).files, ['adapter_config.json', 'adapter_model.safetensors']);
  assert.equal(readFileSync(join(cliOut, 'adapter_model.safetensors')), readFileSync(join(work, 'adapter', 'adapter_model.safetensors')));
  const g = ledgerlab(['generate', '--model', ckpt, '--adapter', cliOut, '--ids', IDS[0].join(','), '--max-new', '4', '--json', '--logits']);
  assert.is(g.code, 0, g.stderr);
  const gl = new Float32Array((JSON.parse(g.stdout).promptLogits as number[][]).flat());
  assert.ok(maxDiff(want, gl) <= 1e-6, `generate --adapter: ${maxDiff(want, gl)}`);
  assert.equal(JSON.parse(g.stdout).generated, b.tokens[0].slice(0, 4));

  // model.adapter in an experiment: the base weights with the LoRA merged in
  const p = loadPretrained(ckpt);
  const withAdapter = Gpt.fromWeights(p.config, await baseWeightsWithAdapter(p, cliOut));
  assert.ok(maxDiff(want, logits(withAdapter)) <= 1e-5, `model.adapter: ${maxDiff(want, logits(withAdapter))}`);
  withAdapter.dispose();
  base.dispose();
  trained.model.dispose();
  // an existing --out is refused, nothing half-written
  try {
    await exportRun(runDir, 'peft', merged);
    assert.unreachable('export over an existing folder');
  } catch (e) {
    assert.instance(e, LedgerLabError);
    assert.match((e as Error).message, 'already exists');
  }
});

test('GPT-2: LoRA on q, v, o is one fused c_attn LoRA of rank 2r (block-diagonal B) + attn.c_proj, and loads back exactly', async () => {
  const fx = 'test/model/fixtures/gpt2-f32';
  const m = baseOf(fx);
  const spec = MethodSchema.parse({ method: 'lora', r: 2, alpha: 6, targets: ['q', 'v', 'o'] });
  if (spec.method !== 'lora') throw new Error();
  applyLora(m, { ...spec, seed: 1 });
  for (const [name, v] of m.trainable) if (name.endsWith('lora_B')) v.assign(tf.randomNormal(v.shape, 0, 0.5, 'float32', 7));
  const want = logits(m);
  const a = await peftAdapter(m, spec, { modelType: 'gpt2', base: 'gpt2' });
  const shapes = Object.fromEntries([...a.tensors].map(([k, t]) => [k, t.shape]).sort());
  const exp: Record<string, number[]> = {};
  for (const i of [0, 1]) {
    const p = `base_model.model.transformer.h.${i}.attn.`;
    Object.assign(exp, { [`${p}c_attn.lora_A.weight`]: [4, 64], [`${p}c_attn.lora_B.weight`]: [192, 4], [`${p}c_proj.lora_A.weight`]: [2, 64], [`${p}c_proj.lora_B.weight`]: [64, 2] });
  }
  assert.equal(shapes, Object.fromEntries(Object.entries(exp).sort()));
  assert.equal(a.config.target_modules, ['attn.c_proj', 'c_attn']);
  assert.equal(a.config.rank_pattern, { c_attn: 4 });
  assert.equal(a.config.alpha_pattern, { c_attn: 12 });
  assert.is(a.config.fan_in_fan_out, true);
  // k's third of c_attn's B is zero (k was not targeted)
  const B = new Float32Array(readBytes(a.tensors.get('base_model.model.transformer.h.0.attn.c_attn.lora_B.weight')!));
  for (let j = 64; j < 128; j++) for (let k = 0; k < 4; k++) assert.is(B[j * 4 + k], 0);
  const dir = join(work, 'gpt2-adapter');
  writePeftAdapter(dir, a);
  const b = baseOf(fx);
  const l = await loadPeftAdapter(b, dir, 'gpt2');
  assert.equal(l.wrapped.sort(), ['blocks.0.attn.o', 'blocks.0.attn.q', 'blocks.0.attn.v', 'blocks.1.attn.o', 'blocks.1.attn.q', 'blocks.1.attn.v']);
  assert.is(maxDiff(want, logits(b)), 0);
  m.dispose();
  b.dispose();

  // "all" on GPT-2: every linear it has (q, k, v, o, fc, proj), one c_attn of rank 3r
  const all = baseOf(fx);
  const allSpec = MethodSchema.parse({ method: 'lora', r: 2, alpha: 4, lora_target: 'all' });
  if (allSpec.method !== 'lora') throw new Error();
  applyLora(all, { ...allSpec, seed: 1 });
  const ad = await peftAdapter(all, allSpec, { modelType: 'gpt2', base: 'gpt2' });
  assert.equal(ad.config.target_modules, ['c_attn', 'c_fc', 'c_proj']);
  assert.equal(ad.tensors.get('base_model.model.transformer.h.1.attn.c_attn.lora_A.weight')!.shape, [6, 64]);
  assert.equal(ad.tensors.get('base_model.model.transformer.h.1.mlp.c_proj.lora_B.weight')!.shape, [64, 2]);
  all.dispose();
});

function readBytes(t: { data: Uint8Array }): ArrayBuffer {
  return t.data.slice().buffer;
}

test('prefix tuning (GQA): prompt_embeddings [P, layers·2·kv·hd] round-trips to the same logits', async () => {
  const m = baseOf(ckpt);
  const spec = MethodSchema.parse({ method: 'ptuning-v2', prefixLength: 3, projection: true, projectionHidden: 8 });
  applyPrefix(m, { prefixLength: 3, projection: true, projectionHidden: 8, prefixDropout: 0, seed: 2 });
  const want = logits(m);
  const a = await peftAdapter(m, spec, { modelType: 'llama', base: ckpt });
  assert.is(a.config.peft_type, 'PREFIX_TUNING');
  assert.is(a.config.num_virtual_tokens, 3);
  assert.is(a.config.token_dim, 16);
  assert.is(a.config.num_layers, 2);
  assert.is(a.config.num_attention_heads, 2);
  assert.is(a.config.prefix_projection, true);
  assert.is(a.config.encoder_hidden_size, 8);
  assert.equal([...a.tensors.keys()], ['prompt_embeddings']);
  assert.equal(a.tensors.get('prompt_embeddings')!.shape, [3, 2 * 2 * 16]);
  const dir = join(work, 'prefix-adapter');
  writePeftAdapter(dir, a);
  const b = baseOf(ckpt);
  await loadPeftAdapter(b, dir, 'llama');
  assert.ok(maxDiff(want, logits(b)) <= 1e-6, `prefix: ${maxDiff(want, logits(b))}`);
  m.dispose();
  b.dispose();
});

test('prompt tuning and P-Tuning (MLP encoder) export prompt_embeddings [P, d] and load back to the same logits', async () => {
  for (const spec of [MethodSchema.parse({ method: 'prompt-tuning', promptLength: 4 }), MethodSchema.parse({ method: 'ptuning-v1', promptLength: 3, encoder: 'mlp', encoderHidden: 8 })]) {
    const p = loadPretrained(ckpt);
    const m = await buildModel(p.config, materialize(p.weights), spec, 'fp32', 3);
    const want = logits(m);
    const a = await peftAdapter(m, spec, { modelType: 'llama', base: ckpt });
    assert.is(a.config.peft_type, spec.method === 'prompt-tuning' ? 'PROMPT_TUNING' : 'P_TUNING');
    assert.is(a.config.token_dim, 32);
    assert.is(a.config.num_virtual_tokens, spec.method === 'prompt-tuning' ? 4 : 3);
    if (spec.method === 'ptuning-v1') {
      assert.is(a.config.encoder_reparameterization_type, 'MLP');
      assert.is(a.config.encoder_hidden_size, 8);
    }
    assert.equal(a.tensors.get('prompt_embeddings')!.shape, [spec.method === 'prompt-tuning' ? 4 : 3, 32]);
    const dir = join(work, `${spec.method}-adapter`);
    writePeftAdapter(dir, a);
    const b = baseOf(ckpt);
    await loadPeftAdapter(b, dir, 'llama');
    assert.ok(maxDiff(want, logits(b)) <= 1e-6, `${spec.method}: ${maxDiff(want, logits(b))}`);
    m.dispose();
    b.dispose();
  }
});

test('a run on the built-in (LedgerLab) base: merged export is a transformers llama checkpoint with the run\'s logits; its PEFT adapter loads onto it', async () => {
  const file = join(work, 'builtin.json');
  writeFileSync(file, JSON.stringify({
    kind: 'finetune', name: 'peft-builtin', seeds: [0],
    config: {
      data: { source: 'synthetic', syntheticCount: 30, evalCount: 2, maxSource: 24, maxTarget: 16, tokenizer: 'char', vocab: 300 },
      model: { arch: 'llama', layers: 1, dModel: 32, heads: 4, kvHeads: 2, ffn: 64, context: 64, vocab: 300, tiedHead: false },
      pretrain: { steps: 2, batchSize: 4, blockSize: 16, warmupSteps: 0 },
      method: { method: 'lora', r: 2, alpha: 4, targets: ['q', 'down'] },
      train: { steps: 2, batchSize: 4, lr: 0.05, warmupSteps: 0, logEvery: 1 },
      eval: { count: 2, maxNew: 2 },
    },
  }));
  const out = await runExperiment(file, { root: join(work, 'results-builtin') });
  assert.is(out.failed.length, 0, out.failed[0]?.error);
  const dir = out.outcomes[0].dir;
  const trained = await openRunModel(dir);
  const want = logits(trained.model);
  const merged = join(work, 'builtin-merged');
  await exportRun(dir, 'merged', merged);
  const cfg = JSON.parse(readFileSync(join(merged, 'config.json'), 'utf8'));
  assert.equal([cfg.model_type, cfg.hidden_size, cfg.num_key_value_heads, cfg.intermediate_size, cfg.tie_word_embeddings], ['llama', 32, 2, 64, false]);
  const m = baseOf(merged);
  assert.ok(maxDiff(want, logits(m)) <= 1e-5, `built-in merged: ${maxDiff(want, logits(m))}`);
  m.dispose();
  const peft = join(work, 'builtin-peft');
  await exportRun(dir, 'peft', peft);
  assert.equal(JSON.parse(readFileSync(join(peft, 'adapter_config.json'), 'utf8')).target_modules, ['down_proj', 'q_proj']);
  assert.match(trained.base, /base-[0-9a-f]{16}$/);
  // full fine-tuning has no adapter: a usage error pointing at --format merged
  try {
    await peftAdapter(trained.model, MethodSchema.parse({ method: 'full' }), { modelType: 'llama', base: trained.base });
    assert.unreachable('exported a full fine-tuning run as an adapter');
  } catch (e) {
    assert.instance(e, LedgerLabError);
    assert.match((e as LedgerLabError).hint ?? '', '--format merged');
  }
  trained.model.dispose();
});

async function expectError(dir: string, re: RegExp, where: RegExp) {
  const b = baseOf(ckpt);
  try {
    await loadPeftAdapter(b, dir, 'llama');
    assert.unreachable('loaded a bad adapter');
  } catch (e) {
    assert.instance(e, LedgerLabError);
    assert.match((e as Error).message, re);
    assert.match((e as LedgerLabError).where ?? '', where);
  } finally {
    b.dispose();
  }
}

test('bad adapter folders are located errors: missing file, unknown peft_type, wrong base shape', async () => {
  const src = join(work, 'adapter');
  const noWeights = join(work, 'bad-missing');
  cpSync(src, noWeights, { recursive: true });
  rmSync(join(noWeights, 'adapter_model.safetensors'));
  await expectError(noWeights, /adapter_model\.safetensors is missing/, /bad-missing/);

  const unknown = join(work, 'bad-type');
  cpSync(src, unknown, { recursive: true });
  const cfg = JSON.parse(readFileSync(join(unknown, 'adapter_config.json'), 'utf8'));
  writeFileSync(join(unknown, 'adapter_config.json'), JSON.stringify({ ...cfg, peft_type: 'IA3' }));
  await expectError(unknown, /peft_type "IA3" is not supported/, /adapter_config\.json: peft_type/);

  // an adapter for a wider base (hidden 48) onto the hidden-32 checkpoint
  const wide = join(work, 'wide');
  writeRandomLlama(wide, { layers: 2, hidden: 48, heads: 4, kvHeads: 2, ffn: 64, vocab: 300, context: 128, tied: false }, 'F32', 1);
  const w = baseOf(wide);
  const spec = MethodSchema.parse({ method: 'lora', r: 2, alpha: 4, targets: ['q'] });
  if (spec.method !== 'lora') throw new Error();
  applyLora(w, { ...spec, seed: 0 });
  const shapeDir = join(work, 'bad-shape');
  writePeftAdapter(shapeDir, await peftAdapter(w, spec, { modelType: 'llama', base: wide }));
  w.dispose();
  await expectError(shapeDir, /\[2, 48\].*expected lora_A \[2, 32\]/, /bad-shape\/adapter_model\.safetensors/);
  assert.ok(!existsSync(join(work, 'nothing')));
});

test.run();
