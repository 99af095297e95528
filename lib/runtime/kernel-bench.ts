/**
 * Measures what the kernel fixes buy on a transformer-shaped training step built from raw tf ops: embedding
 * lookup (gather → UnsortedSegmentSum in the backward pass), one attention block (q·kᵀ), a tied output head
 * (h·Eᵀ) and Adam — the shapes of the reference step (batch 16, seq 64, d_model 128, vocab 2000).
 * The full model's step is measured by `ledgerlab bench train`.
 */
import * as tf from '@tensorflow/tfjs';
import { installKernelFixes, removeKernelFixes } from './kernels/index.ts';
import { timeRepeats, type Stat } from '../measure/index.ts';
import { Rng } from '../util/index.ts';
import { silenceCpuNotice } from './backend.ts';

export interface KernelBenchCase {
  backend: 'wasm' | 'cpu';
  fixes: string[];
  label: string;
}

export interface KernelBenchResult extends KernelBenchCase {
  stepMs: Stat | null;
  tokensPerSecond: number | null;
  error?: string;
}

export const DEFAULT_CASES: KernelBenchCase[] = [
  { backend: 'wasm', fixes: ['UnsortedSegmentSum', 'BatchMatMul', '_FusedMatMul', 'Identity', 'Sum', 'GatherV2', 'Tile', 'Cast', 'Gradients', 'OrtMatMul'], label: 'wasm, all fixes (matmuls in ONNX Runtime)' },
  { backend: 'wasm', fixes: ['UnsortedSegmentSum', 'BatchMatMul', '_FusedMatMul', 'Identity'], label: 'wasm, all fixes but ORT (matmuls in tfjs)' },
  { backend: 'wasm', fixes: ['UnsortedSegmentSum'], label: 'wasm, segment-sum fix only (transposed matmuls)' },
  { backend: 'wasm', fixes: [], label: 'wasm, tfjs kernels only' },
  { backend: 'cpu', fixes: ['UnsortedSegmentSum'], label: 'cpu, segment-sum fix' },
];
/** tfjs' own cpu UnsortedSegmentSum takes tens of seconds per step here; run only on request. */
export const SLOW_CASE: KernelBenchCase = { backend: 'cpu', fixes: [], label: 'cpu, tfjs kernels only' };

const B = 16, T = 64, D = 128, V = 2000;

function makeStep(seed: number) {
  const rng = new Rng(seed);
  const init = (shape: number[], scale: number) =>
    tf.variable(tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal() * scale), shape));
  const emb = init([V, D], 0.02);
  const wq = init([D, D], 0.05), wk = init([D, D], 0.05), wv = init([D, D], 0.05);
  const ids = tf.tensor2d(Int32Array.from({ length: B * T }, () => rng.int(V)), [B, T], 'int32');
  const targets = tf.oneHot(tf.tensor1d(Int32Array.from({ length: B * T }, () => rng.int(V)), 'int32'), V);
  const mask = tf.linalg.bandPart(tf.ones([T, T]), -1, 0).sub(1).mul(1e9); // causal: 0 on/below diagonal
  const opt = tf.train.adam(1e-3);
  const step = () =>
    tf.tidy(() => {
      opt.minimize(() => {
        const x = tf.reshape(tf.gather(emb, ids), [B * T, D]);
        const q = tf.reshape(tf.matMul(x, wq), [B, T, D]);
        const k = tf.reshape(tf.matMul(x, wk), [B, T, D]);
        const v = tf.reshape(tf.matMul(x, wv), [B, T, D]);
        const att = tf.softmax(tf.add(tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(D)), mask));
        const h = tf.reshape(tf.add(tf.matMul(att, v), tf.reshape(x, [B, T, D])), [B * T, D]);
        const logits = tf.matMul(h, emb, false, true);
        return tf.losses.softmaxCrossEntropy(targets, logits) as tf.Scalar;
      });
    });
  const dispose = () => tf.dispose([emb, wq, wk, wv, ids, targets, mask]);
  return { step, dispose };
}

/** Runs each case on the same seeded weights and batch; a case that throws is reported, not fatal. */
export async function benchKernels(cases: KernelBenchCase[], opts: { warmup?: number; repeats?: number; seed?: number } = {}): Promise<KernelBenchResult[]> {
  await import('@tensorflow/tfjs-backend-wasm');
  const results: KernelBenchResult[] = [];
  for (const c of cases) {
    await tf.setBackend(c.backend);
    if (c.backend === 'cpu') silenceCpuNotice();
    removeKernelFixes(c.backend);
    installKernelFixes(c.backend, c.fixes);
    const { step, dispose } = makeStep(opts.seed ?? 0);
    try {
      const stat = await timeRepeats(step, { warmup: opts.warmup ?? 1, repeats: opts.repeats ?? 5 });
      results.push({ ...c, stepMs: stat, tokensPerSecond: (B * T) / (stat.median / 1000) });
    } catch (err) {
      results.push({ ...c, stepMs: null, tokensPerSecond: null, error: (err as Error).message.split('\n')[0] });
    } finally {
      dispose();
      removeKernelFixes(c.backend);
    }
  }
  return results;
}
