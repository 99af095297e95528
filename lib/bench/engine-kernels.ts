/**
 * Which tfjs kernels the engine actually dispatches: a training step of every method (forward with and without
 * checkpointing, padding mask, loss, gradients, global-norm clipping, AdamW), on fp32 and quantized bases, plus
 * cached generation. The committed list (lib/runtime/engine-kernels.ts) is what `ledgerlab env` compares with a
 * backend's registered kernels to say which ops that backend lacks; test/bench/engine-kernels.test.ts re-records
 * it and fails when the engine starts using a kernel the list does not name.
 *
 * @example
 * const names = await recordEngineKernels();   // sorted kernel names, e.g. ['Add', 'BatchMatMul', …]
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../runtime/index.ts';
import { REFERENCE_CONFIG, CHATGLM2_TINY, type GptConfig, initWeights, lmLoss } from '../model/index.ts';
import { buildModel } from '../peft/index.ts';
import { AdamW, clipByGlobalNorm } from '../train/index.ts';
import { TfjsDecoder, generate } from '../infer/index.ts';
import { Rng } from '../util/index.ts';
import { REFERENCE_CASES } from './train-step.ts';

/**
 * One model per block family (GPT-2 and Llama/ChatGLM2), small enough to record in seconds, large enough to take
 * every code path (products routed, prefix, mask, grouped-query attention).
 */
const RECORD_CONFIGS: readonly GptConfig[] = [
  { ...REFERENCE_CONFIG, context: 64, vocab: 256 },
  { ...CHATGLM2_TINY, layers: 2, context: 64, vocab: 256 },
];

export async function recordEngineKernels(configs: readonly GptConfig[] = RECORD_CONFIGS): Promise<string[]> {
  await initBackend();
  const names = new Set<string>();
  for (const config of configs) await recordFor(config, names);
  // tf.profile also lists the names of tf.tidy scopes ("unnamed scope", "forward"): keep real kernels only.
  return [...names].filter((n) => tf.getKernel(n, tf.getBackend()) !== undefined).sort();
}

async function recordFor(config: GptConfig, names: Set<string>): Promise<void> {
  const B = 4, T = 32;
  const weights = initWeights(config, 0);
  const rng = new Rng('engine-kernels');
  const idsData = Int32Array.from({ length: B * T }, () => rng.int(config.vocab));
  const targets = Int32Array.from({ length: B * T }, (_, i) => (i % T > T - 4 ? -100 : rng.int(config.vocab)));
  for (const c of REFERENCE_CASES) {
    const model = await buildModel(config, weights, c.spec, c.quant, 0);
    const vars = [...model.trainable.values()];
    const keys = [...model.trainable.keys()];
    const opt = new AdamW(model.trainable, { betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0.01 });
    const ids = tf.tensor2d(idsData, [B, T], 'int32');
    const mask = tf.tensor2d(Int32Array.from({ length: B * T }, (_, i) => (i % T < T - 2 ? 1 : 0)), [B, T], 'int32');
    for (const checkpoint of [false, true]) {
      const info = await tf.profile(() => {
        const { value, grads } = tf.variableGrads(
          () => lmLoss(model.forward(ids, { training: true, seed: 1, checkpoint, attentionMask: mask }).logits, targets),
          vars,
        );
        value.dataSync();
        const clipped = clipByGlobalNorm(new Map(keys.map((k, i) => [k, grads[vars[i].name]!])), 1.0);
        opt.apply(clipped.grads, 1e-3);
        tf.dispose([value, ...Object.values(grads), ...clipped.grads.values()]);
        return [];
      });
      for (const k of info.kernelNames) names.add(k);
    }
    if (c.spec.method !== 'ptuning-v1') {
      // Generation with the KV cache: the decode path (slices, concatenated caches, position offsets).
      const info = await tf.profile(async () => {
        await generate(new TfjsDecoder(model), [[1, 2, 3], [4, 5, 6]], { maxNew: 3 });
        return [];
      });
      for (const k of info.kernelNames) names.add(k);
    }
    tf.dispose([ids, mask]);
    model.dispose();
  }
}
