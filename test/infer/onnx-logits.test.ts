import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { initBackend } from '../../lib/runtime/index.ts';
import { REFERENCE_CONFIG, initWeights } from '../../lib/model/index.ts';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import onnxProto from 'onnx-proto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildOnnxDecoder, exportOnnx, onnxMetadata, OrtDecoder } from '../../lib/infer/index.ts';
import { buildModel, MethodSchema } from '../../lib/peft/method.ts';
import { LedgerLabError } from '../../lib/errors.ts';
import { makeModel, maxAbs, maxAbsDiff, randomIds, tfjsLogits, SMALL, type Kind } from './fixtures.ts';

// Stated tolerance: ONNX Runtime (MLAS) and tfjs-wasm sum in different orders; logits here are O(1), and fp32
// rounding over 2 blocks stays far below this.
const TOL = 1e-4;
const observed: Record<string, number> = {};
const scale: Record<string, number> = {};

await initBackend();

async function compare(kind: Kind, B: number, T: number, config = SMALL) {
  const model = await makeModel(kind, config);
  const ids = randomIds(`ids-${kind}`, B * T, config.vocab);
  const ref = await tfjsLogits(model, ids, B, T);
  const exp = await exportOnnx(model);
  const dec = await OrtDecoder.create(exp);
  const { logits, present } = await dec.run(ids, B, T);
  const diff = maxAbsDiff(logits, ref);
  observed[`${kind} ${config.dModel}d`] = diff;
  scale[`${kind} ${config.dModel}d`] = maxAbs(ref);
  assert.ok(maxAbs(ref) > 1, `logits not trivially small (${maxAbs(ref)})`);
  assert.ok(diff <= TOL, `${kind}: max |onnx − tfjs| ${diff} > ${TOL}`);
  assert.is(present.length, T);
  // The prefix lives in the graph, not in the cache: presents hold only the T tokens' keys.
  assert.equal(present.keys[0].dims, [B, config.heads, T, config.dModel / config.heads]);
  assert.is(exp.prefixLength, kind === 'ptuning-v2' ? 5 : kind === 'ptuning-v2-proj' ? 3 : 0);
  await dec.dispose();
  model.dispose();
  return diff;
}

test('full fine-tuning model: ONNX logits equal tfjs', async () => { await compare('full', 2, 9); });
test('untied head', async () => { await compare('untied', 1, 7); });
test('LoRA with random B on all six targets: merged export equals the unmerged tfjs forward', async () => { await compare('lora', 2, 8); });
test('QLoRA: nf4 base dequantized + LoRA merged equals the on-the-fly-decoding tfjs forward', async () => { await compare('qlora-nf4', 2, 8); });
test('P-Tuning v2 prefix (5 slots) baked into the graph', async () => { await compare('ptuning-v2', 2, 6); });
test('P-Tuning v2 with prefix projection MLP', async () => { await compare('ptuning-v2-proj', 1, 6); });
test('reference config (2 layers, d 128, 4 heads, vocab 2000), 32 tokens', async () => { await compare('full', 1, 32, REFERENCE_CONFIG); });

test('the adapters matter: zeroing LoRA B or dropping the prefix moves the logits far beyond the tolerance', async () => {
  const lora = await makeModel('lora');
  const ids = randomIds('ids-lora', 8, SMALL.vocab);
  const withB = await tfjsLogits(lora, ids, 1, 8);
  for (const [name, v] of lora.trainable) if (name.endsWith('lora_B')) v.assign(tf.zerosLike(v));
  assert.ok(maxAbsDiff(withB, await tfjsLogits(lora, ids, 1, 8)) > 100 * TOL);
  lora.dispose();
  const pt = await makeModel('ptuning-v2');
  const noPrefix = buildOnnxDecoder(pt.config, await pt.exportWeights());
  assert.is(noPrefix.prefixLength, 0);
  const dec = await OrtDecoder.create(noPrefix);
  const { logits } = await dec.run(ids, 1, 8);
  assert.ok(maxAbsDiff(logits, await tfjsLogits(pt, ids, 1, 8)) > 100 * TOL);
  await dec.dispose();
  pt.dispose();
});

test('virtual-token methods are refused with a usage error', async () => {
  const model = await buildModel(SMALL, initWeights(SMALL, 'v1'), MethodSchema.parse({ method: 'prompt-tuning', promptLength: 2 }), 'fp32', 1);
  try {
    await exportOnnx(model);
    assert.unreachable('should throw');
  } catch (err) {
    assert.instance(err, LedgerLabError);
    assert.is((err as LedgerLabError).kind, 'usage');
    assert.match((err as LedgerLabError).problem, 'virtual-token');
  }
  model.dispose();
});

test('a missing or misshapen weight names the tensor', () => {
  const w = initWeights(SMALL, 'x');
  w.delete('blocks.1.mlp.fc.bias');
  assert.throws(() => buildOnnxDecoder(SMALL, w), /weight "blocks\.1\.mlp\.fc\.bias" is missing/);
  const w2 = initWeights(SMALL, 'x');
  w2.set('final_ln.gamma', { shape: [3], data: new Float32Array(3) });
  assert.throws(() => buildOnnxDecoder(SMALL, w2), /"final_ln\.gamma" has shape \[3\], expected \[64\]/);
});

test('graph structure: opset 17, IR 8, metadata, op counts; ORT fuses the GELU into FastGelu', async () => {
  const exp = buildOnnxDecoder(SMALL, initWeights(SMALL, 's'));
  const m = onnxProto.onnx.ModelProto.decode(exp.bytes);
  assert.is(Number(m.irVersion), 8);
  assert.equal(m.opsetImport!.map((o) => [o.domain, Number(o.version)]), [['', 17]]);
  assert.equal(onnxMetadata(exp.bytes), { 'ledgerlab.config': JSON.stringify(SMALL), 'ledgerlab.prefixLength': '0' });
  const ops: Record<string, number> = {};
  for (const n of m.graph!.node!) ops[n.opType!] = (ops[n.opType!] ?? 0) + 1;
  // Per layer: 2 LayerNorm, fused qkv MatMul + o/fc/proj MatMuls + 2 attention MatMuls, Split, Softmax, Tanh.
  assert.equal([ops.LayerNormalization, ops.MatMul, ops.Split, ops.Softmax, ops.Tanh, ops.Concat], [5, 13, 2, 2, 2, 4]);
  const dir = mkdtempSync(join(tmpdir(), 'll-opt-'));
  try {
    const path = join(dir, 'opt.onnx');
    const session = await ort.InferenceSession.create(exp.bytes, { graphOptimizationLevel: 'all', optimizedModelFilePath: path, logSeverityLevel: 3 });
    await session.release();
    const opt = onnxProto.onnx.ModelProto.decode(readFileSync(path)).graph!.node!;
    assert.is(opt.filter((n) => n.opType === 'FastGelu').length, 2);
    assert.is(opt.filter((n) => n.opType === 'Tanh').length, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.after(() => {
  console.log('observed max |onnx − tfjs| logits:', Object.entries(observed).map(([k, v]) => `${k} ${v.toExponential(2)} (max |logit| ${scale[k].toFixed(1)})`).join(', '));
});

test.run();
