/**
 * AdamW, global-norm gradient clipping and the learning-rate schedule, written out so the optimizer state is
 * plain data (step count and the m, v moments per tensor) that a checkpoint saves and restores bit for bit.
 *
 * The update follows PyTorch's `torch.optim.AdamW` (decoupled decay applied before the Adam step):
 *   p ← p·(1 − lr·wd);  m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g²
 *   p ← p − (lr / (1−β1^t)) · m / (√v / √(1−β2^t) + ε)
 * The bias corrections are computed in float64 in JS and enter as float32 scalars, the same on every run.
 */
import * as tf from '@tensorflow/tfjs';
import { LedgerLabError } from '../errors.ts';
import type { TrainConfig } from './config.ts';

export interface AdamWOptions {
  betas: readonly number[];
  eps: number;
  weightDecay: number;
  /** Which tensors decay; default: rank ≥ 2 (matrices and embeddings), as nanoGPT groups them. */
  decay?: (name: string, v: tf.Variable) => boolean;
}

/** Saved optimizer state: the update count and both moments of every tensor, as float32 copies. */
export interface AdamWState {
  step: number;
  m: Map<string, Float32Array>;
  v: Map<string, Float32Array>;
}

/**
 * @example
 * const opt = new AdamW(model.trainable, { betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0.01 });
 * opt.apply(grads, 1e-3);          // grads: name → tensor, same keys as model.trainable
 * const saved = await opt.state();  // later: opt.load(saved)
 */
export class AdamW {
  /** Updates applied so far (t in the bias correction). */
  step = 0;
  private readonly params: Map<string, tf.Variable>;
  private readonly m = new Map<string, tf.Variable>();
  private readonly v = new Map<string, tf.Variable>();
  private readonly decays = new Map<string, boolean>();
  private readonly opts: AdamWOptions;

  constructor(params: Map<string, tf.Variable>, opts: AdamWOptions) {
    if (opts.betas.length !== 2) throw new LedgerLabError({ kind: 'config', problem: `betas must be [β1, β2], got ${JSON.stringify(opts.betas)}`, where: 'train.betas' });
    this.params = params;
    this.opts = opts;
    const decay = opts.decay ?? ((_n: string, v: tf.Variable) => v.rank >= 2);
    for (const [name, p] of params) {
      // Unnamed (auto-named) moment variables: the model's names are taken by the parameters themselves.
      this.m.set(name, tf.tidy(() => tf.variable(tf.zerosLike(p), false)));
      this.v.set(name, tf.tidy(() => tf.variable(tf.zerosLike(p), false)));
      this.decays.set(name, decay(name, p));
    }
  }

  /** One AdamW update at learning rate `lr`; `grads` maps every parameter name to its gradient. */
  apply(grads: Map<string, tf.Tensor>, lr: number): void {
    this.step++;
    const [b1, b2] = this.opts.betas;
    const bc1 = 1 - Math.pow(b1, this.step);
    const bc2 = 1 - Math.pow(b2, this.step);
    const stepSize = lr / bc1;
    const sqrtBc2 = Math.sqrt(bc2);
    for (const [name, p] of this.params) {
      const g = grads.get(name);
      if (!g) throw new LedgerLabError({ kind: 'runtime', problem: `no gradient for trainable tensor "${name}"`, where: 'AdamW.apply', hint: 'the loss does not depend on it: check the method wiring' });
      tf.tidy(() => {
        const m = this.m.get(name)!;
        const v = this.v.get(name)!;
        const m1 = tf.add(tf.mul(m, b1), tf.mul(g, 1 - b1));
        const v1 = tf.add(tf.mul(v, b2), tf.mul(tf.square(g), 1 - b2));
        let base: tf.Tensor = p;
        if (this.decays.get(name) && this.opts.weightDecay > 0) base = tf.mul(p, 1 - lr * this.opts.weightDecay);
        const denom = tf.add(tf.div(tf.sqrt(v1), sqrtBc2), this.opts.eps);
        const next = tf.sub(base, tf.mul(tf.div(m1, denom), stepSize));
        m.assign(m1);
        v.assign(v1);
        p.assign(next);
      });
    }
  }

  /** Copies of the state (exact float32 values). */
  async state(): Promise<AdamWState> {
    const m = new Map<string, Float32Array>();
    const v = new Map<string, Float32Array>();
    for (const name of this.params.keys()) {
      m.set(name, (await this.m.get(name)!.data()) as Float32Array);
      v.set(name, (await this.v.get(name)!.data()) as Float32Array);
    }
    return { step: this.step, m, v };
  }

  /** Restores a saved state; every tensor must be present with the right size. */
  load(state: AdamWState): void {
    for (const [name, p] of this.params) {
      for (const [which, src, dst] of [['m', state.m, this.m], ['v', state.v, this.v]] as const) {
        const data = src.get(name);
        if (!data || data.length !== p.size) {
          throw new LedgerLabError({ kind: 'data', problem: `optimizer state ${which} for "${name}" is ${data ? `${data.length} values, expected ${p.size}` : 'missing'}`, where: 'checkpoint optimizer state', hint: 'resume with the same model and method config the checkpoint was written with' });
        }
        tf.tidy(() => dst.get(name)!.assign(tf.tensor(data, p.shape)));
      }
    }
    this.step = state.step;
  }

  dispose(): void {
    for (const t of [...this.m.values(), ...this.v.values()]) t.dispose();
    this.m.clear();
    this.v.clear();
  }
}

/**
 * Scales gradients so their global L2 norm is at most `maxNorm` (PyTorch's clip_grad_norm_: coefficient
 * maxNorm / (norm + 1e-6), capped at 1). Returns the norm before clipping and the (possibly new) gradients;
 * replaced tensors are disposed.
 */
export function clipByGlobalNorm(grads: Map<string, tf.Tensor>, maxNorm: number): { norm: number; grads: Map<string, tf.Tensor> } {
  const norm = Math.sqrt(tf.tidy(() => tf.addN([...grads.values()].map((g) => tf.sum(tf.square(g)))).dataSync()[0]!));
  if (!(maxNorm > 0)) return { norm, grads };
  const coef = maxNorm / (norm + 1e-6);
  if (coef >= 1) return { norm, grads };
  const out = new Map<string, tf.Tensor>();
  for (const [name, g] of grads) {
    out.set(name, tf.mul(g, coef));
    g.dispose();
  }
  return { norm, grads: out };
}

/**
 * clipByGlobalNorm without reading anything back, for a GPU backend: the norm stays a scalar tensor (read
 * with the step's logged values) and the coefficient min(1, maxNorm / (norm + 1e-6)) is applied on the device
 * (a multiply by exactly 1 leaves gradients unchanged, as the host version's early return does). Float32
 * throughout, where the host version computes the coefficient in float64: the two can differ in the last bit.
 */
export function clipByGlobalNormOnDevice(grads: Map<string, tf.Tensor>, maxNorm: number): { norm: tf.Scalar; grads: Map<string, tf.Tensor> } {
  // Pairwise adds, not addN: WebGPU's AddN binds every input at once, past the device's storage-buffer limit.
  const norm = tf.tidy(() => tf.sqrt([...grads.values()].map((g) => tf.sum(tf.square(g))).reduce((a, b) => tf.add(a, b))) as tf.Scalar);
  if (!(maxNorm > 0)) return { norm, grads };
  const coef = tf.tidy(() => tf.minimum(tf.div(maxNorm, tf.add(norm, 1e-6)), 1));
  const out = new Map<string, tf.Tensor>();
  for (const [name, g] of grads) {
    out.set(name, tf.mul(g, coef));
    g.dispose();
  }
  coef.dispose();
  return { norm, grads: out };
}

/**
 * Learning rate for update `step` (0-based): linear warm-up lr·(step+1)/warmupSteps (reaching `lr` at step
 * warmupSteps − 1; unlike Hugging Face's, the first update is not wasted at 0), then constant, or linear or
 * cosine decay towards lr·minLrRatio as in Hugging Face's get_{linear,cosine}_schedule_with_warmup.
 *
 * @example
 * lrAt(0, { lr: 1e-3, warmupSteps: 10, steps: 100, schedule: 'cosine', minLrRatio: 0 }); // 1e-4
 */
export function lrAt(step: number, c: Pick<TrainConfig, 'lr' | 'warmupSteps' | 'steps' | 'schedule' | 'minLrRatio'>): number {
  if (step < c.warmupSteps) return (c.lr * (step + 1)) / c.warmupSteps;
  if (c.schedule === 'constant') return c.lr;
  // Hugging Face's schedules: progress reaches 1 one step after the last, so the last update still moves.
  const span = c.steps - c.warmupSteps;
  const progress = span <= 0 ? 0 : Math.min(1, (step - c.warmupSteps) / span);
  const floor = c.lr * c.minLrRatio;
  if (c.schedule === 'linear') return floor + (c.lr - floor) * (1 - progress);
  return floor + (c.lr - floor) * 0.5 * (1 + Math.cos(Math.PI * progress));
}
