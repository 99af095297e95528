/**
 * BatchMatMul for the wasm backend computed by ONNX Runtime's MLAS GEMM, reading the operands from and
 * writing the product into the wasm heap directly (no copies).
 *
 * Why: tfjs-backend-wasm runs a batched product (batch > 1, i.e. attention's q·kᵀ and p·v and their
 * gradients) in a plain loop at ~1–2 GFLOP/s, and its XNNPACK path for 2-D products reaches 10–20 GFLOP/s on
 * the training step's shapes; MLAS runs the same products 2–10× faster on one thread. ORT sessions are built
 * once per (rank, transpose) signature with symbolic dimensions; a Transpose in the graph is folded into
 * MLAS's transposed GEMM by ORT's optimizer, so transposed products need no explicit copy either.
 *
 * onnxruntime-node's public `session.run` is async (it defers the native call with setImmediate), but a tfjs
 * kernel must return synchronously, so this calls the package's native binding (`dist/binding.js`, the same
 * object the public API wraps) directly. onnxruntime-node is pinned to an exact version for that reason; if
 * the binding cannot load, `ortMatMulKernel` returns undefined and the caller keeps the wasm kernel.
 */
import { createRequire } from 'node:module';
import onnxProto from 'onnx-proto';
import { backend_util, type KernelConfig, type KernelFunc, type TensorInfo, type NamedAttrMap } from '@tensorflow/tfjs';
import { swapLastTwo } from './matmul-transpose.ts';
import { LedgerLabError } from '../../errors.ts';

const require = createRequire(import.meta.url);
const { onnx } = onnxProto;

interface NativeSession {
  loadModel(buffer: ArrayBufferLike, byteOffset: number, byteLength: number, options: object): void;
  run(feeds: Record<string, unknown>, fetches: Record<string, unknown>, options: object): Record<string, unknown>;
}
interface OrtNative {
  binding: { InferenceSession: new () => NativeSession };
  initOrt(): void;
}
type OrtTensorCtor = new (type: 'float32', data: Float32Array, dims: readonly number[]) => unknown;

/** The wasm backend's internals this kernel uses (stable across tfjs 4.x, pinned exactly in package.json). */
interface WasmBackendLike {
  makeOutput(shape: number[], dtype: string): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): Float32Array;
}

type Args = { inputs: Record<string, TensorInfo>; backend: WasmBackendLike; attrs: NamedAttrMap };

/**
 * Which products go to ORT. A native call costs tens of µs, so small products stay in wasm, and so do thin
 * ones, where XNNPACK measured faster here: few rows (a decoding step's [batch, d] × [d, vocab]: 206 µs in
 * wasm vs 310 in ORT at batch 8) or a short inner dimension (LoRA's [tokens, 8] × [8, d]: 487 vs 1,503 µs).
 * Few rows of a transposed A are not a decoding step but a backward product of two activations (LoRA's
 * gradient of B, [tokens, 8]ᵀ × [tokens, d]): XNNPACK packs its fresh right operand on every call, 4,556 µs
 * vs ORT's 605 at [1024, 8]ᵀ × [1024, 512], so those go to ORT.
 */
export const ORT_MIN_MACS = 1 << 16;
export const ORT_MIN_ROWS = 16;
export const ORT_MIN_INNER = 16;

/** Products routed to ORT since start (or the last reset): lets tests and benches see the route is taken. */
export const ortMatMulStats = { calls: 0 };

export interface OrtMatMulOptions {
  /** ORT intra-op threads (1 = the calling thread only; more split each product over other cores). */
  threads: number;
}

/** A single-node graph y = op(a)·op(b) with symbolic dims; op = transpose of the last two axes when set. */
function matMulModel(rankA: number, rankB: number, transposeA: boolean, transposeB: boolean): Uint8Array {
  const dims = (prefix: string, rank: number) => Array.from({ length: rank }, (_, i) => ({ dimParam: `${prefix}${i}` }));
  const info = (name: string, rank: number, prefix: string) => ({ name, type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT, shape: { dim: dims(prefix, rank) } } } });
  const nodes: onnxProto.onnx.INodeProto[] = [];
  const operand = (name: string, rank: number, t: boolean) => {
    if (!t) return name;
    nodes.push({ opType: 'Transpose', input: [name], output: [`${name}T`], attribute: [{ name: 'perm', type: onnx.AttributeProto.AttributeType.INTS, ints: swapLastTwo(rank) }] });
    return `${name}T`;
  };
  const inputs = [operand('a', rankA, transposeA), operand('b', rankB, transposeB)];
  nodes.push({ opType: 'MatMul', input: inputs, output: ['y'] });
  const rankY = Math.max(rankA, rankB);
  return onnx.ModelProto.encode({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }],
    graph: { name: 'matmul', node: nodes, input: [info('a', rankA, 'a'), info('b', rankB, 'b')], output: [info('y', rankY, 'y')] },
  }).finish();
}

function loadNative(): { native: OrtNative; Tensor: OrtTensorCtor } | undefined {
  try {
    const native = require('onnxruntime-node/dist/binding.js') as OrtNative;
    const { Tensor } = require('onnxruntime-node') as { Tensor: OrtTensorCtor };
    native.initOrt();
    return { native, Tensor };
  } catch {
    return undefined;
  }
}

/**
 * Wraps the wasm BatchMatMul: float32 products of at least ORT_MIN_MACS multiply-adds, ORT_MIN_ROWS rows and
 * ORT_MIN_INNER inner length run in ORT, the rest in `fallback` (the untransposed wasm kernel). Returns
 * undefined when onnxruntime-node's binding is missing.
 */
export function ortMatMulKernel(fallback: KernelConfig, o: OrtMatMulOptions): KernelConfig | undefined {
  const ort = loadNative();
  if (!ort) return undefined;
  const sessions = new Map<string, NativeSession>();
  const session = (rankA: number, rankB: number, tA: boolean, tB: boolean): NativeSession => {
    const key = `${rankA}${rankB}${+tA}${+tB}`;
    let s = sessions.get(key);
    if (!s) {
      const bytes = matMulModel(rankA, rankB, tA, tB);
      s = new ort.native.binding.InferenceSession();
      s.loadModel(bytes.buffer, bytes.byteOffset, bytes.byteLength, {
        intraOpNumThreads: o.threads, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all',
        // Without this, idle pool threads spin after every call and steal the core tfjs runs on.
        extra: { session: { intra_op: { allow_spinning: '0' } } },
      });
      sessions.set(key, s);
    }
    return s;
  };
  const runFallback = fallback.kernelFunc as unknown as (a: Args) => TensorInfo;

  const kernelFunc = ((args: Args) => {
    const { a, b } = args.inputs;
    const { transposeA, transposeB } = args.attrs as { transposeA: boolean; transposeB: boolean };
    const ra = a.shape.length, rb = b.shape.length;
    const m = transposeA ? a.shape[ra - 1] : a.shape[ra - 2];
    const k = transposeA ? a.shape[ra - 2] : a.shape[ra - 1];
    const n = transposeB ? b.shape[rb - 2] : b.shape[rb - 1];
    const kb = transposeB ? b.shape[rb - 1] : b.shape[rb - 2];
    if (k !== kb) throw new LedgerLabError({ kind: 'runtime', problem: `matMul: inner dimensions ${k} and ${kb} of [${a.shape}] and [${b.shape}] differ` });
    const batch = backend_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
    const macs = batch.reduce((p, d) => p * d, 1) * m * k * n;
    if (a.dtype !== 'float32' || b.dtype !== 'float32' || macs < ORT_MIN_MACS || (m < ORT_MIN_ROWS && !transposeA) || k < ORT_MIN_INNER) return runFallback(args);
    const outShape = [...batch, m, n];
    const out = args.backend.makeOutput(outShape, 'float32');
    // Views are taken after makeOutput: an allocation can grow (and so replace) the wasm heap's buffer.
    const view = (t: TensorInfo) => new ort.Tensor('float32', args.backend.typedArrayFromHeap(t), t.shape);
    session(ra, rb, transposeA, transposeB).run({ a: view(a), b: view(b) }, { y: view(out) }, {});
    ortMatMulStats.calls++;
    return out;
  }) as unknown as KernelFunc;
  return { ...fallback, kernelFunc };
}
