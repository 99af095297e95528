/**
 * The fastest decoder available for evaluating a model: ONNX Runtime on an export of it (3–5× tfjs-wasm here),
 * or the tfjs model itself for methods ONNX export refuses (P-Tuning v1, prompt tuning) and for large quantized
 * bases (an fp32 export would undo their memory saving). Greedy output is the
 * same token for token either way (tested), so the choice changes speed, not results.
 *
 * @example
 * const d = await evalDecoder(model);
 * const ev = await evaluate({ model, ..., decoder: d.decoder });
 * await d.dispose();
 */
import { type Gpt, FROZEN_JS_BYTES, blockLinearBytes } from '../model/index.ts';
import type { CachedDecoder } from './generate.ts';
import { exportOnnx } from './onnx-export.ts';
import { OrtDecoder } from './ort.ts';

export interface EvalDecoder {
  decoder?: CachedDecoder;
  engine: 'onnxruntime' | 'tfjs';
  dispose(): Promise<void>;
}

export async function evalDecoder(model: Gpt): Promise<EvalDecoder> {
  // Virtual-token methods register their tensors under "prompt." (see isAdapterName).
  if ([...model.vars.keys()].some((k) => k.startsWith('prompt.'))) return { engine: 'tfjs', dispose: async () => {} };
  // A large quantized base (QLoRA past FROZEN_JS_BYTES of block linears) generates on tfjs, where its weights
  // stay packed: the ONNX export is fp32 (2 GB on the 0.5B shape), the very copy the quantized base avoids.
  if (model.quant !== 'fp32' && blockLinearBytes(model.config) > FROZEN_JS_BYTES) return { engine: 'tfjs', dispose: async () => {} };
  // A model past ONNX's 2 GB limit is exported with external data to a temporary folder; ORT has read (or
  // mapped) it once the session exists, so the files can go.
  const exp = await exportOnnx(model);
  let ort: OrtDecoder;
  try {
    ort = await OrtDecoder.create(exp, { intraOpThreads: 1 });
  } finally {
    exp.remove?.();
  }
  return { decoder: ort, engine: 'onnxruntime', dispose: () => ort.dispose() };
}
