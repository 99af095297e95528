/**
 * A frozen linear layer whose weight stays packed (nf4, nf4-dq, fp4, int8, fp16, bf16 or fp32) and is
 * dequantized on the fly, one tile of rows at a time, inside the forward and backward passes.
 *
 * y = x · W with W [in, out] row-major (x [..., in] → y [..., out]). The weight rows are cut into tiles of
 * `tileRows` rows; for each tile the packed values are decoded into a transient float32 tensor (straight into
 * the wasm heap there), multiplied, and disposed, so at most one tile (tileRows × out floats, 16 MiB by
 * default) of dequantized weight exists at any time and no fp32 copy is kept between calls. A layer small
 * enough for one tile (every linear up to 4M weights: a 0.5B model's attention and a 1.5B's q/o) decodes its
 * whole weight transiently inside each call and runs one product. The gradient flows to x only (dx = dy · Wᵀ,
 * again per tile, the transpose folded into the product); the base weight is frozen.
 *
 * QLoRA = this layer for the base + fp32 LoRA adapters added by the PEFT wrapper.
 */
import * as tf from '@tensorflow/tfjs';
import { dequantizeRange, type QuantizedTensor } from './tensor.ts';
import { usage } from './check.ts';

/** Default bound on the dequantized values of one tile (16 MiB of float32). */
export const QUANT_TILE_VALUES = 1 << 22;

export interface QuantLinearOptions {
  /** Weight rows decoded per tile. Default: as many rows as fit in `maxTileValues`, at least 1. */
  tileRows?: number;
  /**
   * Upper bound on dequantized values alive at once (default 4,194,304 = 16 MiB of float32, the JS-held fp32
   * layout's tile too). Fewer, larger tiles are faster (each tile costs a slice, an add and a product with a
   * short inner length, which ONNX Runtime's GEMM runs at half speed); smaller ones lower the transient peak.
   */
  maxTileValues?: number;
  /**
   * A fresh float32 tensor of a shape with a writable view of its memory, or undefined (lib/runtime's
   * `heapOutput` on wasm, passed in by lib/model): tiles are then decoded in place, with no JS array and no
   * upload copy. Without it a tile is decoded into a JS array and uploaded.
   */
  tileOutput?: (shape: number[]) => { tensor: tf.Tensor2D; view: Float32Array } | undefined;
}

/** Time spent decoding weights (JS unpacking + upload into tfjs), for the cost report. */
export interface DequantCost {
  tiles: number;
  values: number;
  ms: number;
}

export class QuantLinear {
  readonly weight: QuantizedTensor;
  readonly inFeatures: number;
  readonly outFeatures: number;
  readonly tileRows: number;
  readonly cost: DequantCost = { tiles: 0, values: 0, ms: 0 };
  private readonly op: (x: tf.Tensor) => tf.Tensor;
  private readonly tileOutput: QuantLinearOptions['tileOutput'];

  /**
   * @example
   * const layer = new QuantLinear(quantize(w, [128, 384], 'nf4-dq'));
   * const y = layer.apply(x);          // x [batch, seq, 128] → y [batch, seq, 384]
   * const dx = tf.grad((x) => layer.apply(x).sum())(x);
   */
  constructor(weight: QuantizedTensor, opts: QuantLinearOptions = {}) {
    if (weight.shape.length !== 2) {
      throw usage('QuantLinear', `weight shape is [${weight.shape.join(', ')}]; a linear layer needs [in, out]`);
    }
    this.weight = weight;
    [this.inFeatures, this.outFeatures] = weight.shape;
    const tileRows = opts.tileRows ?? Math.max(1, Math.floor((opts.maxTileValues ?? QUANT_TILE_VALUES) / Math.max(1, this.outFeatures)));
    if (!Number.isInteger(tileRows) || tileRows < 1) throw usage('QuantLinear', `tileRows is ${tileRows}; it must be an integer ≥ 1`);
    this.tileRows = Math.min(tileRows, Math.max(1, this.inFeatures));
    this.tileOutput = opts.tileOutput;
    this.op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
      const value: tf.Tensor = this.matmulTiles(args[0] as tf.Tensor2D, false);
      return { value, gradFunc: (dy: tf.Tensor) => this.matmulTiles(dy as tf.Tensor2D, true) };
    }) as (x: tf.Tensor) => tf.Tensor;
  }

  /** x [..., in] → [..., out]. Differentiable with respect to x. */
  apply(x: tf.Tensor): tf.Tensor {
    const lead = x.shape.slice(0, -1);
    if (x.shape[x.shape.length - 1] !== this.inFeatures) {
      throw usage('QuantLinear.apply', `input's last dimension is ${x.shape[x.shape.length - 1]}; the weight expects ${this.inFeatures}`);
    }
    return tf.tidy(() => {
      const y = this.op(x.reshape([-1, this.inFeatures]));
      return y.reshape([...lead, this.outFeatures]);
    });
  }

  /**
   * dy [m, out] · Wᵀ → [m, in], tile by tile: the product this layer's gradient uses, for callers that fuse a
   * frozen layer's backward into their own op (the chunked head + loss). Not differentiable.
   */
  applyTransposed(dy: tf.Tensor2D): tf.Tensor2D {
    return this.matmulTiles(dy, true);
  }

  /** Rows [r0, r1) of W as a transient float32 tensor [r1 - r0, out]; the caller disposes it. */
  tile(r0: number, r1: number): tf.Tensor2D {
    const t0 = performance.now();
    const count = (r1 - r0) * this.outFeatures;
    // On wasm the values are decoded straight into the tensor's heap memory (no JS array, no upload copy).
    const out = this.tileOutput?.([r1 - r0, this.outFeatures]);
    const buf = dequantizeRange(this.weight, r0 * this.outFeatures, count, out?.view ?? new Float32Array(count));
    const t = out?.tensor ?? tf.tensor2d(buf, [r1 - r0, this.outFeatures]);
    this.cost.ms += performance.now() - t0;
    this.cost.tiles++;
    this.cost.values += count;
    return t;
  }

  /** The full float32 weight as a tensor (for export or tests only: this is the copy the layer avoids). */
  dequantizedWeight(): tf.Tensor2D {
    return this.tile(0, this.inFeatures);
  }

  resetCost(): void {
    this.cost.tiles = 0;
    this.cost.values = 0;
    this.cost.ms = 0;
  }

  /** forward: a [m, in] · W → [m, out]; backward (transposed): a [m, out] · Wᵀ → [m, in]. */
  private matmulTiles(a: tf.Tensor2D, transposed: boolean): tf.Tensor2D {
    const parts: tf.Tensor2D[] = [];
    let acc: tf.Tensor2D | null = null;
    for (let r0 = 0; r0 < this.inFeatures; r0 += this.tileRows) {
      const r1 = Math.min(this.inFeatures, r0 + this.tileRows);
      const w = this.tile(r0, r1);
      if (transposed) {
        parts.push(tf.matMul(a, w, false, true) as tf.Tensor2D);
      } else {
        const xs = tf.slice(a, [0, r0], [-1, r1 - r0]);
        const part = tf.matMul(xs, w) as tf.Tensor2D;
        xs.dispose();
        if (acc === null) acc = part;
        else {
          const sum = tf.add(acc, part) as tf.Tensor2D;
          acc.dispose();
          part.dispose();
          acc = sum;
        }
      }
      w.dispose();
    }
    if (!transposed) return acc ?? tf.zeros([a.shape[0], this.outFeatures]);
    if (parts.length === 1) return parts[0];
    const dx = tf.concat(parts, 1) as tf.Tensor2D;
    for (const p of parts) p.dispose();
    return dx;
  }
}
