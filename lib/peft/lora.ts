/**
 * LoRA (Hu et al. 2021): y = x·W + b + scale·dropout(x)·A·B with A [in, r] random and B [r, out] zero, so
 * training starts exactly at the base model. scale = alpha/r, or alpha/√r with rsLoRA (Kalajdzievski 2023).
 * Weights here are [in, out] (y = x·W), so A·B is PEFT's (B·A)ᵀ; initialisation follows PEFT: A from
 * kaiming_uniform(a=√5) = U(−1/√in, 1/√in), B = 0.
 */
import * as tf from '@tensorflow/tfjs';
import { LedgerLabError } from '../errors.ts';
import { Rng } from '../util/index.ts';
import { DenseLinear, type ApplyContext, type Linear, type Gpt, type GptConfig, expectedShapes } from '../model/index.ts';

/** q, k, v, o for both families; fc, proj for GPT-2's MLP; gate, up, down for the Llama family's SwiGLU. */
export const LORA_TARGETS = ['q', 'k', 'v', 'o', 'fc', 'proj', 'gate', 'up', 'down'] as const;
export type LoraTarget = (typeof LORA_TARGETS)[number];
const ROLE: Record<LoraTarget, string> = {
  q: 'attn.q', k: 'attn.k', v: 'attn.v', o: 'attn.o', fc: 'mlp.fc', proj: 'mlp.proj', gate: 'mlp.gate', up: 'mlp.up', down: 'mlp.down',
};

export interface LoraOptions {
  r: number;
  alpha: number;
  dropout: number;
  targets: readonly LoraTarget[];
  rslora: boolean;
  seed: number | string;
}

export class LoraLinear implements Linear {
  readonly base: Linear;
  readonly A: tf.Variable;
  readonly B: tf.Variable;
  readonly scale: number;
  readonly dropout: number;
  readonly inFeatures: number;
  readonly outFeatures: number;
  private merged = false;
  constructor(base: Linear, A: tf.Variable, B: tf.Variable, scale: number, dropout: number) {
    this.base = base;
    this.A = A;
    this.B = B;
    this.scale = scale;
    this.dropout = dropout;
    this.inFeatures = base.inFeatures;
    this.outFeatures = base.outFeatures;
  }

  apply(x: tf.Tensor2D, ctx: ApplyContext): tf.Tensor2D {
    const y = this.base.apply(x, ctx);
    if (this.merged) return y;
    const xd = ctx.training && this.dropout > 0 ? tf.dropout(x, this.dropout, undefined, ctx.seed()) : x;
    // scale folded into B ([r, out]) rather than applied to the [tokens, out] product: the same value up to
    // float rounding, one [r, out] multiply instead of a [tokens, out] one forward and backward.
    return tf.add(y, tf.matMul(tf.matMul(xd, this.A), tf.mul(this.B, this.scale))) as tf.Tensor2D;
  }

  /** scale·A·B, the update LoRA adds to W. */
  delta(): tf.Tensor2D {
    return tf.tidy(() => tf.mul(tf.matMul(this.A, this.B), this.scale) as tf.Tensor2D);
  }

  effective() {
    const base = this.base.effective();
    if (this.merged) return base;
    const d = this.delta();
    const weight = tf.add(base.weight, d) as tf.Tensor2D;
    base.weight.dispose();
    d.dispose();
    return { weight, bias: base.bias };
  }

  frozenBytes() {
    return this.base.frozenBytes();
  }

  get isMerged(): boolean {
    return this.merged;
  }

  /** W ← W + scale·A·B; the forward then skips the LoRA path (inference speed of the base). */
  merge(): void {
    if (this.merged) return;
    this.baseWeight('merge').assign(tf.tidy(() => tf.add(this.baseWeight('merge'), this.delta())));
    this.merged = true;
  }

  /** Exact inverse of merge up to float rounding: W ← W − scale·A·B. */
  unmerge(): void {
    if (!this.merged) return;
    this.baseWeight('unmerge').assign(tf.tidy(() => tf.sub(this.baseWeight('unmerge'), this.delta())));
    this.merged = false;
  }

  private baseWeight(op: string): tf.Variable {
    if (!(this.base instanceof DenseLinear)) {
      throw new LedgerLabError({ kind: 'usage', problem: `cannot ${op} LoRA into a quantized base weight`, where: `LoraLinear.${op}`, hint: 'export with model.exportWeights(), which dequantizes and adds the LoRA update' });
    }
    return this.base.weight;
  }
}

/**
 * Wraps the chosen linears of every block with LoRA; the base stays frozen, only A and B train.
 *
 * @example
 * const layers = applyLora(model, { r: 8, alpha: 16, dropout: 0, targets: ['q', 'v'], rslora: false, seed: 0 });
 * model.trainableParams() === 2 * 2 * 8 * (128 + 128); // 2 layers × (q, v) × r·(in + out)
 */
export function applyLora(model: Gpt, o: LoraOptions): LoraLinear[] {
  const rng = new Rng(o.seed);
  const scale = o.rslora ? o.alpha / Math.sqrt(o.r) : o.alpha / o.r;
  const out: LoraLinear[] = [];
  for (let i = 0; i < model.config.layers; i++) {
    for (const t of o.targets) {
      const name = `blocks.${i}.${ROLE[t]}`;
      const base = model.linears.get(name);
      // Every target at once ("all" in PEFT / LLaMA-Factory) means every linear the family has.
      if (!base && LORA_TARGETS.every((x) => o.targets.includes(x))) continue;
      if (!base) {
        const arch = model.config.arch ?? 'gpt2';
        throw new LedgerLabError({ kind: 'config', problem: `LoRA target "${t}" does not exist in a ${arch} block`, where: 'method.targets', hint: arch === 'llama' ? 'llama targets: q, k, v, o, gate, up, down' : 'gpt2 targets: q, k, v, o, fc, proj' });
      }
      const bound = 1 / Math.sqrt(base.inFeatures);
      const r = rng.fork(name);
      const a = Float32Array.from({ length: base.inFeatures * o.r }, () => (2 * r.next() - 1) * bound);
      const A = model.addTrainable(`${name}.lora_A`, tf.tensor2d(a, [base.inFeatures, o.r]));
      const B = model.addTrainable(`${name}.lora_B`, tf.zeros([o.r, base.outFeatures]));
      const l = new LoraLinear(base, A, B, scale, o.dropout);
      model.linears.set(name, l);
      out.push(l);
    }
  }
  return out;
}

/** Closed form: Σ over wrapped layers of r·(in + out), from the config's linear shapes. */
export function loraParamCount(c: GptConfig, r: number, targets: readonly LoraTarget[]): number {
  const shapes = expectedShapes(c);
  return c.layers * targets.reduce((n, t) => {
    const s = shapes.get(`blocks.0.${ROLE[t]}.weight`);
    return n + (s ? r * (s[0] + s[1]) : 0);
  }, 0);
}
