/**
 * Parity of a GPU backend with wasm on the reference models: prompt logits, and one LoRA step's loss and
 * gradients. Each side is built from the same pure `initWeights(config, seed)` on its own backend (no tensor
 * crosses backends), so the comparison is of the kernels alone. Used by scripts/device-check.sh.
 *
 * Tolerances (float32 on both sides; GPU reductions sum in another order): logits within 1e-3 of the logit
 * range, loss within 1e-4 relative, each gradient within 1e-3 of its largest magnitude.
 *
 * @example
 * const results = await backendParity('webgpu');   // [{ name: 'logits gpt reference', passed: true, … }, …]
 */
import * as tf from '@tensorflow/tfjs';
import { REFERENCE_CONFIG, type GptConfig, initWeights, lmLoss } from '../model/index.ts';
import { buildModel, MethodSchema } from '../peft/index.ts';
import { installKernelFixes, silenceCpuNotice } from '../runtime/index.ts';
import { Rng } from '../util/index.ts';
import { LedgerLabError } from '../errors.ts';

export const PARITY_TOLERANCE = { logitsOfRange: 1e-3, lossRel: 1e-4, gradOfMax: 1e-3 } as const;

export interface ParityResult {
  name: string;
  passed: boolean;
  /** The measured error against its tolerance, as a sentence. */
  detail: string;
}

interface Side { logits: Float32Array; loss: number; grads: Map<string, Float32Array> }

async function onBackend(backend: string, config: GptConfig): Promise<Side> {
  if (!(await tf.setBackend(backend))) throw new LedgerLabError({ kind: 'runtime', problem: `tfjs backend "${backend}" failed to initialise` });
  if (backend === 'wasm') installKernelFixes('wasm');
  if (backend === 'cpu') silenceCpuNotice();
  const B = 2, T = 16;
  const rng = new Rng('device-parity');
  const ids = Int32Array.from({ length: B * T }, () => rng.int(config.vocab));
  const targets = Int32Array.from({ length: B * T }, () => rng.int(config.vocab));
  const weights = initWeights(config, 0);
  const lora = MethodSchema.parse({ method: 'lora', r: 8, alpha: 16, targets: ['q', 'v'] });
  const model = await buildModel(config, weights, lora, 'fp32', 0);
  // LoRA's B starts at zero, which makes A's gradient zero too: give B values so both gradients are tested.
  for (const [name, v] of model.trainable) if (name.endsWith('.B')) v.assign(tf.randomUniform(v.shape, -0.05, 0.05, 'float32', 7));
  const input = tf.tensor2d(ids, [B, T], 'int32');
  const logitsT = model.forward(input).logits;
  const logits = (await logitsT.data()) as Float32Array;
  const vars = [...model.trainable.values()];
  const { value, grads } = tf.variableGrads(() => lmLoss(model.forward(input, { training: true }).logits, targets), vars);
  const loss = (await value.data())[0]!;
  const out = new Map<string, Float32Array>();
  for (const [name, v] of model.trainable) out.set(name, (await grads[v.name]!.data()) as Float32Array);
  tf.dispose([input, logitsT, value, ...Object.values(grads)]);
  model.dispose();
  return { logits, loss, grads: out };
}

const maxAbs = (a: Float32Array) => a.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
const maxDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, x, i) => Math.max(m, Math.abs(x - b[i]!)), 0);

/** Compares `backend` (already registered with tfjs) with wasm on the given reference configs. */
export async function backendParity(backend: string, configs: Record<string, GptConfig> = { 'gpt reference': REFERENCE_CONFIG }): Promise<ParityResult[]> {
  await import('@tensorflow/tfjs-backend-wasm');
  const results: ParityResult[] = [];
  for (const [label, config] of Object.entries(configs)) {
    const ref = await onBackend('wasm', config);
    const got = await onBackend(backend, config);
    const range = Math.max(...ref.logits) - Math.min(...ref.logits);
    const dl = maxDiff(got.logits, ref.logits);
    results.push({ name: `logits ${label}`, passed: dl <= PARITY_TOLERANCE.logitsOfRange * range, detail: `max |Δ| ${dl.toExponential(2)} vs tolerance ${(PARITY_TOLERANCE.logitsOfRange * range).toExponential(2)} (1e-3 of the range ${range.toFixed(2)})` });
    const lossRel = Math.abs(got.loss - ref.loss) / Math.abs(ref.loss);
    results.push({ name: `lora loss ${label}`, passed: lossRel <= PARITY_TOLERANCE.lossRel, detail: `loss ${got.loss} vs wasm ${ref.loss} (relative ${lossRel.toExponential(2)}, tolerance 1e-4)` });
    let worst = { name: '', err: 0 };
    for (const [name, g] of ref.grads) {
      const err = maxDiff(got.grads.get(name)!, g) / Math.max(maxAbs(g), 1e-30);
      if (err >= worst.err) worst = { name, err };
    }
    results.push({ name: `lora gradients ${label}`, passed: worst.err <= PARITY_TOLERANCE.gradOfMax, detail: `worst ${worst.name}: max |Δ| = ${worst.err.toExponential(2)} of its largest magnitude (tolerance 1e-3), ${ref.grads.size} tensors` });
  }
  return results;
}
