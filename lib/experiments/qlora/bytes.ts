/**
 * Frozen-weight bytes of a built model, two ways that must agree exactly:
 *   theoretical = Σ theoreticalBytes(n, dtype) over the block linears' weights (the formula in quant/tensor.ts);
 *   measured    = Σ byteLength of the buffers actually holding each weight (packed typed arrays, or the fp32
 *                 tensor's data for a dense base), counted independently of the tensors' own `byteLength` field.
 * Plus per-layer quantization error of the stored weight against the fp32 original.
 */
import type * as tf from '@tensorflow/tfjs';
import { type Gpt, type Linear, type Weights, DenseLinear, PackedLinear } from '../../model/index.ts';
import {
  dequantize, theoreticalBytes, type QuantDtype, type QuantizedTensor, quantErrorStats, type QuantErrorStats,
} from '../../quant/index.ts';
import { LedgerLabError } from '../../errors.ts';

/** The storage layer under any wrappers (LoRA keeps the frozen layer as `.base`). */
export function storageOf(lin: Linear): DenseLinear | PackedLinear {
  let l: Linear = lin;
  for (let i = 0; i < 8; i++) {
    if (l instanceof DenseLinear || l instanceof PackedLinear) return l;
    const inner = (l as { base?: Linear }).base;
    if (!inner) break;
    l = inner;
  }
  throw new LedgerLabError({ kind: 'runtime', problem: 'a block linear has no dense or packed storage layer', where: 'qlora/bytes.ts storageOf' });
}

/**
 * Bytes of the buffers a packed tensor holds, summed from the typed arrays themselves. The nf4-dq mean
 * offset is a float32 scalar (bitsandbytes keeps it as a 1-element tensor): counted as one Float32Array.
 */
export function bufferBytes(q: QuantizedTensor): number {
  switch (q.dtype) {
    case 'fp32': return q.data.byteLength;
    case 'fp16':
    case 'bf16': return q.bits.byteLength;
    case 'int8':
    case 'fp4':
    case 'nf4': return q.codes.byteLength + q.absmax.byteLength;
    case 'nf4-dq': return q.codes.byteLength + q.absmaxCodes.byteLength + q.absmax2.byteLength + Float32Array.of(q.absmaxOffset).byteLength;
  }
}

export interface LinearBytes {
  name: string;
  dtype: QuantDtype;
  n: number;
  theoretical: number;
  measured: number;
}

/**
 * Per block linear: weight bytes by formula and by buffer (biases stay fp32 and are excluded here). An fp32
 * weight's buffer is read asynchronously (a GPU backend has no synchronous read).
 */
export async function linearWeightBytes(model: Gpt): Promise<LinearBytes[]> {
  const rows: LinearBytes[] = [];
  for (const [name, lin] of model.linears) {
    const st = storageOf(lin);
    if (st instanceof PackedLinear) {
      const q = st.q.weight;
      rows.push({ name, dtype: q.dtype, n: q.n, theoretical: theoreticalBytes(q.n, q.dtype), measured: bufferBytes(q) });
    } else {
      const w = st.weight as tf.Variable;
      rows.push({ name, dtype: 'fp32', n: w.size, theoretical: theoreticalBytes(w.size, 'fp32'), measured: ((await w.data()) as Float32Array).byteLength });
    }
  }
  return rows;
}

export interface LayerQuantError extends QuantErrorStats {
  name: string;
  dtype: QuantDtype;
  bytes: number;
}

/** Round-trip error of each stored block-linear weight against the fp32 base it was built from. */
export async function layerQuantErrors(model: Gpt, base: Weights): Promise<LayerQuantError[]> {
  const rows: LayerQuantError[] = [];
  for (const [name, lin] of model.linears) {
    const st = storageOf(lin);
    const orig = base.get(`${name}.weight`);
    if (!orig) throw new LedgerLabError({ kind: 'data', problem: `base weight "${name}.weight" is missing`, where: 'qlora layerQuantErrors' });
    if (st instanceof PackedLinear) {
      rows.push({ name, dtype: st.q.weight.dtype, bytes: bufferBytes(st.q.weight), ...quantErrorStats(orig.data, dequantize(st.q.weight)) });
    } else {
      rows.push({ name, dtype: 'fp32', bytes: orig.data.byteLength, ...quantErrorStats(orig.data, (await st.weight.data()) as Float32Array) });
    }
  }
  return rows;
}

/** Milliseconds spent decoding packed weights so far (all linears), and a reset. */
export function dequantMs(model: Gpt): number {
  let ms = 0;
  for (const lin of model.linears.values()) {
    const st = storageOf(lin);
    if (st instanceof PackedLinear) ms += st.q.cost.ms;
  }
  return ms;
}

export function resetDequantCost(model: Gpt): void {
  for (const lin of model.linears.values()) {
    const st = storageOf(lin);
    if (st instanceof PackedLinear) st.q.resetCost();
  }
}
