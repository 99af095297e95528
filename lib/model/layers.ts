/**
 * The decoder's building blocks as plain functions over tensors, and the one interface every linear layer
 * implements so that PEFT methods and quantized storage can swap layers without the model knowing.
 */
import * as tf from '@tensorflow/tfjs';
import { QuantLinear, type QuantizedTensor, type QuantLinearOptions } from '../quant/index.ts';
import { heapOutput } from '../runtime/index.ts';

/** LayerNorm over the last axis, biased variance, eps 1e-5 (PyTorch's and GPT-2's default). */
export function layerNorm(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, eps = 1e-5): tf.Tensor {
  return tf.tidy(() => {
    const { mean, variance } = tf.moments(x, -1, true);
    return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, eps))), gamma), beta);
  });
}

const GELU_2C = 2 * Math.sqrt(2 / Math.PI);
/**
 * GELU, tanh approximation (GPT-2's "gelu_new"): 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))), computed as the
 * identical x·sigmoid(2·√(2/π)·(x + 0.044715·x³)) because wasm's sigmoid is ~6x faster than its tanh, and
 * x·x·x instead of pow(x, 3) (4x faster, and pow's gradient needs a log).
 */
export function gelu(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.mul(x, tf.sigmoid(tf.mul(tf.add(x, tf.mul(tf.mul(tf.mul(x, x), x), 0.044715)), GELU_2C))));
}

/** y = x·W + b over 2-D activations [m, in] → [m, out]. */
export interface Linear {
  readonly inFeatures: number;
  readonly outFeatures: number;
  apply(x: tf.Tensor2D, ctx: ApplyContext): tf.Tensor2D;
  /** Fresh float32 copies of the effective weight [in, out] and bias (a LoRA layer returns W + scale·A·B); the caller disposes them. */
  effective(): { weight: tf.Tensor2D; bias: tf.Tensor1D };
  /** Packed bytes of the frozen weight and bias (0 for trainable tensors, which are counted elsewhere). */
  frozenBytes(): { dtype: string; bytes: number };
}

/** Per-call state a layer may need: whether dropout is active, and a seed stream for it. */
export interface ApplyContext {
  training: boolean;
  /** Next dropout seed; deterministic per step so runs are reproducible. */
  seed(): number;
}

/**
 * Dense fp32 weights held as tf.Variables (trainable under full fine-tuning, frozen otherwise). The bias is
 * optional (Llama-family linears have none); `effective()` then reports a zero bias, so consumers of
 * effective weights (ONNX export, checkpoints) see one shape of layer.
 */
export class DenseLinear implements Linear {
  readonly weight: tf.Variable;
  readonly bias?: tf.Variable;
  readonly inFeatures: number;
  readonly outFeatures: number;
  constructor(weight: tf.Variable, bias?: tf.Variable) {
    this.weight = weight;
    this.bias = bias;
    this.inFeatures = weight.shape[0]!;
    this.outFeatures = weight.shape[1]!;
  }
  apply(x: tf.Tensor2D): tf.Tensor2D {
    const y = tf.matMul(x, this.weight) as tf.Tensor2D;
    return this.bias ? (tf.add(y, this.bias) as tf.Tensor2D) : y;
  }
  effective() {
    return { weight: tf.clone(this.weight) as tf.Tensor2D, bias: (this.bias ? tf.clone(this.bias) : tf.zeros([this.outFeatures])) as tf.Tensor1D };
  }
  frozenBytes() {
    return { dtype: 'fp32', bytes: this.weight.trainable ? 0 : (this.weight.size + (this.bias?.size ?? 0)) * 4 };
  }
}

/**
 * A frozen weight stored packed (nf4, nf4-dq, int8, fp4, fp16, bf16) and decoded tile by tile on every call;
 * the bias stays fp32, as bitsandbytes' Linear4bit keeps it.
 */
export class PackedLinear implements Linear {
  readonly q: QuantLinear;
  readonly bias?: tf.Tensor1D;
  readonly inFeatures: number;
  readonly outFeatures: number;
  constructor(weight: QuantizedTensor, bias?: tf.Tensor1D, opts: QuantLinearOptions = {}) {
    this.q = new QuantLinear(weight, { tileOutput: heapOutput, ...opts });
    this.bias = bias;
    this.inFeatures = this.q.inFeatures;
    this.outFeatures = this.q.outFeatures;
  }
  apply(x: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => (this.bias ? tf.add(this.q.apply(x), this.bias) : this.q.apply(x)) as tf.Tensor2D);
  }
  effective() {
    return { weight: this.q.dequantizedWeight(), bias: (this.bias ? tf.clone(this.bias) : tf.zeros([this.outFeatures])) as tf.Tensor1D };
  }
  frozenBytes() {
    return { dtype: this.q.weight.dtype, bytes: this.q.weight.byteLength + (this.bias?.size ?? 0) * 4 };
  }
}
