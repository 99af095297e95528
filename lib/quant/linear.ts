/**
 * A frozen linear layer whose weight stays packed (nf4, nf4-dq, fp4, int8, fp16, bf16 or fp32) and is
 * dequantized on the fly, one tile of rows at a time, inside the forward and backward passes.
 *
 * y = x · W with W [in, out] row-major (x [..., in] → y [..., out]). The weight is cut into tiles; for each tile
 * the packed values are decoded into a transient float32 tensor (straight into the wasm heap there), multiplied,
 * and disposed, so at most one tile (16 MiB of float32 by default) of dequantized weight exists at any time and
 * no fp32 copy is kept between calls. A layer small enough for one tile (every linear up to 4M weights: a 0.5B
 * model's attention and a 1.5B's q/o) decodes its whole weight transiently inside each call and runs one product.
 * A larger one is cut into equal tiles along its longer side, so every product keeps a long inner length:
 *   - wide (out > in, e.g. a tied head [d, vocab] or an MLP's up projection): column tiles W[:, c0:c1], each the
 *     full inner length; y's columns are the tiles' products side by side, and dx sums dy[:, c0:c1] · W[:, c0:c1]ᵀ.
 *     (Row tiles of a [896, 151936] head held 27 rows: 99 products of inner length 27 at ~13 GFLOP/s and 33
 *     accumulating adds of [110, 151936], 5.6 s of a 13.7 s 0.5B LoRA step.)
 *   - tall (in ≥ out): row tiles W[r0:r1, :] (or `tileRows` rows when given); y sums x[:, r0:r1] · W[r0:r1, :],
 *     and dx's columns are dy · W[r0:r1, :]ᵀ side by side.
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
  /** Rows per row tile (all `inFeatures` when the layer uses column tiles). */
  readonly tileRows: number;
  /** Columns per column tile (all `outFeatures` when the layer uses row tiles). */
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
    // n equal tiles of at most maxValues along a side of length `side` whose cross-section is `across` values.
    const equalTiles = (side: number, across: number) => Math.ceil(side / Math.ceil(side / Math.max(1, Math.floor(maxValues / across))));
    const wide = opts.tileRows === undefined && inF * outF > maxValues && outF > inF;
    const tileRows = opts.tileRows ?? (wide ? inF : equalTiles(inF, outF));
    if (!Number.isInteger(tileRows) || tileRows < 1) throw usage('QuantLinear', `tileRows is ${tileRows}; it must be an integer ≥ 1`);
    this.tileRows = Math.min(tileRows, inF);
    this.tileCols = wide ? equalTiles(outF, inF) : outF;
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

  /**
   * forward: a [m, in] · W → [m, out]; backward (transposed): a [m, out] · Wᵀ → [m, in]. Per tile, the product
   * either fills its own columns of the result (`parts`, concatenated) or adds into it (`acc`): row tiles fill
   * dx's columns and add into y; column tiles fill y's columns and add into dx.
   */
  private matmulTiles(a: tf.Tensor2D, transposed: boolean): tf.Tensor2D {
    const byColumns = this.tileCols < this.outFeatures;
    const parts: tf.Tensor2D[] = [];
    let acc: tf.Tensor2D | null = null;
    const add = (part: tf.Tensor2D) => {
      if (acc === null) acc = part;
      else {
        const sum = tf.add(acc, part) as tf.Tensor2D;
        acc.dispose();
        part.dispose();
        acc = sum;
      }
    };
    for (let r0 = 0; r0 < this.inFeatures; r0 += this.tileRows) {
      const r1 = Math.min(this.inFeatures, r0 + this.tileRows);
      for (let c0 = 0; c0 < this.outFeatures; c0 += this.tileCols) {
        const c1 = Math.min(this.outFeatures, c0 + this.tileCols);
        const w = this.tile(r0, r1, c0, c1);
        // the slice of `a` this tile meets: x's rows r0:r1 of the inner length, or dy's columns c0:c1
        const [from, to] = transposed ? [c0, c1] : [r0, r1];
        const whole = to - from === a.shape[1];
        const as = whole ? a : tf.slice(a, [0, from], [-1, to - from]) as tf.Tensor2D;
        const part = tf.matMul(as, w, false, transposed) as tf.Tensor2D;
        if (!whole) as.dispose();
        w.dispose();
        if (transposed === byColumns) add(part);
        else parts.push(part);
      }
    }
    const width = transposed ? this.inFeatures : this.outFeatures;
    if (parts.length === 0) return acc ?? tf.zeros([a.shape[0], width]);
    if (parts.length === 1) return parts[0];
    const out = tf.concat(parts, 1) as tf.Tensor2D;
    for (const p of parts) p.dispose();
    return out;
  }
}
