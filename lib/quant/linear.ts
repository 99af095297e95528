/**
 * A frozen linear layer whose weight stays packed (nf4, nf4-dq, fp4, int8, fp16, bf16 or fp32) and is
 * dequantized on the fly, one tile at a time, inside the forward and backward passes.
 *
 * y = x · W with W [in, out] row-major (x [..., in] → y [..., out]). The weight is cut into tiles; for each tile
 * the packed values are decoded into a transient float32 tensor (straight into the wasm heap there), multiplied,
 * and disposed, so at most one tile (16 MiB of float32 by default) of dequantized weight exists at any time and
 * no fp32 copy is kept between calls. A layer small enough for one tile (every linear up to 4M weights: a 0.5B
 * model's attention and a 1.5B's q/o) decodes its whole weight transiently inside each call and runs one product.
 * A larger one is cut into equal tiles so that every product keeps the full inner length and nothing is sliced
 * or summed:
 *   - forward: column tiles W[:, c0:c1] (`tileCols` columns); y's columns are x · W[:, c0:c1] side by side;
 *   - backward: row tiles W[r0:r1, :] (`tileRows` rows); dx's columns are dy · W[r0:r1, :]ᵀ side by side.
 * (Row tiles in the forward held 27 of the 0.5B shape's 896 head rows: 99 products of inner length 27 at
 * ~13 GFLOP/s and 33 accumulating adds of [110, 151936] per chunk of tokens; column tiles in the backward
 * sliced dy's columns, 3.1 s of strided copies per step.)
 * The gradient flows to x only (the transpose folded into the product); the base weight is frozen.
 *
 * QLoRA = this layer for the base + fp32 LoRA adapters added by the PEFT wrapper.
 */
import * as tf from '@tensorflow/tfjs';
import { dequantizeRange, type QuantizedTensor } from './tensor.ts';
import { usage } from './check.ts';

/** Default bound on the dequantized values of one tile (16 MiB of float32). */
export const QUANT_TILE_VALUES = 1 << 22;

export interface QuantLinearOptions {
  /** Weight rows per backward tile. Default: equal tiles of at most `maxTileValues` values. */
  tileRows?: number;
  /** Weight columns per forward tile. Default: equal tiles of at most `maxTileValues` values. */
  tileCols?: number;
  /**
   * Upper bound on dequantized values alive at once (default 4,194,304 = 16 MiB of float32, the JS-held fp32
   * layout's tile too). Fewer, larger tiles are faster (each tile is one more product and a concatenated part);
   * smaller ones lower the transient peak.
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
  /** Rows per backward tile. */
  readonly tileRows: number;
  /** Columns per forward tile. */
  readonly tileCols: number;
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
    const maxValues = opts.maxTileValues ?? QUANT_TILE_VALUES;
    const [inF, outF] = [Math.max(1, this.inFeatures), Math.max(1, this.outFeatures)];
    // Equal tiles of at most maxValues along a side of length `side` whose cross-section is `across` values.
    const equalTiles = (side: number, across: number) => Math.ceil(side / Math.ceil(side / Math.max(1, Math.floor(maxValues / across))));
    const tileRows = opts.tileRows ?? equalTiles(inF, outF), tileCols = opts.tileCols ?? equalTiles(outF, inF);
    for (const [name, v] of [['tileRows', tileRows], ['tileCols', tileCols]] as const) {
      if (!Number.isInteger(v) || v < 1) throw usage('QuantLinear', `${name} is ${v}; it must be an integer ≥ 1`);
    }
    this.tileRows = Math.min(tileRows, inF);
    this.tileCols = Math.min(tileCols, outF);
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

  /** W[r0:r1, c0:c1] as a transient float32 tensor [r1 - r0, c1 - c0] (default: every column); the caller disposes it. */
  tile(r0: number, r1: number, c0 = 0, c1 = this.outFeatures): tf.Tensor2D {
    const t0 = performance.now();
    const rows = r1 - r0, cols = c1 - c0, count = rows * cols;
    // On wasm the values are decoded straight into the tensor's heap memory (no JS array, no upload copy).
    const out = this.tileOutput?.([rows, cols]);
    const buf = out?.view ?? new Float32Array(count);
    if (cols === this.outFeatures) dequantizeRange(this.weight, r0 * this.outFeatures, count, buf);
    else for (let r = 0; r < rows; r++) dequantizeRange(this.weight, (r0 + r) * this.outFeatures + c0, cols, buf, r * cols);
    const t = out?.tensor ?? tf.tensor2d(buf, [rows, cols]);
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

  /** forward: a [m, in] · W → [m, out], by column tiles; backward (transposed): a [m, out] · Wᵀ → [m, in], by row tiles. */
  private matmulTiles(a: tf.Tensor2D, transposed: boolean): tf.Tensor2D {
    const parts: tf.Tensor2D[] = [];
    const [side, step] = transposed ? [this.inFeatures, this.tileRows] : [this.outFeatures, this.tileCols];
    for (let i0 = 0; i0 < side; i0 += step) {
      const i1 = Math.min(side, i0 + step);
      const w = transposed ? this.tile(i0, i1) : this.tile(0, this.inFeatures, i0, i1);
      parts.push(tf.matMul(a, w, false, transposed) as tf.Tensor2D);
      w.dispose();
    }
    if (parts.length === 0) return tf.zeros([a.shape[0], transposed ? this.inFeatures : this.outFeatures]);
    if (parts.length === 1) return parts[0]!;
    const out = tf.concat(parts, 1) as tf.Tensor2D;
    for (const p of parts) p.dispose();
    return out;
  }
}
