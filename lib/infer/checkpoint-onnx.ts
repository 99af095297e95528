/**
 * A Hugging Face checkpoint directory straight to an ONNX export in a chosen storage, without building the
 * tfjs model: tensors are read one at a time from the safetensors files, block linears stored as `quant`
 * (quantized, then dequantized with the same `dequantizeRange` the tfjs layer uses, so the function is the
 * storage's exactly), and written to external data as they come.
 *
 * Why: at real sizes (a 0.5B model: 1.98 GB of fp32 weights) the tfjs wasm backend's 4 GiB heap cannot hold
 * the weights plus XNNPACK's packed copies plus activations. Generated this way the weights live only in ONNX
 * Runtime's native memory; JS holds one tensor (and its fused or transposed copy) at a time.
 *
 * @example
 * const { exp, pretrained } = exportCheckpointOnnx('Qwen2.5-0.5B', { quant: 'nf4-dq' });
 * const dec = await OrtDecoder.create(exp);  exp.remove?.();
 */
import { isLinearTensor, loadPretrained, expectedShapes, type Pretrained, type WeightSource } from '../model/index.ts';
import { dequantize, quantize, type QuantDtype } from '../quant/index.ts';
import { ONNX_INLINE_MAX_BYTES, writeOnnx, type OnnxExport } from './onnx-export.ts';

/** `weights` with every block linear's weight as stored in `quant` (biases, norms, embeddings stay fp32, as Gpt keeps them). */
export function storedAs(weights: WeightSource, quant: QuantDtype): WeightSource {
  if (quant === 'fp32') return weights;
  return {
    keys: () => weights.keys(),
    get(name) {
      const t = weights.get(name);
      if (!t || !name.endsWith('.weight') || !isLinearTensor(name)) return t;
      return { shape: t.shape, data: dequantize(quantize(t.data, t.shape, quant)) };
    },
  };
}

/**
 * Above this many bytes of fp32 weights, generation from a checkpoint goes to ONNX Runtime by default (`generate
 * --engine auto`, the chat's dir: models): ORT's native memory holds the weights, and it decodes faster.
 */
export const ORT_AUTO_BYTES = 2 ** 30;

/** Bytes of the checkpoint's weights in fp32 (what the tfjs model would hold), from config.json and headers only. */
export function checkpointFp32Bytes(dir: string): number {
  let bytes = 0;
  for (const shape of expectedShapes(loadPretrained(dir).config).values()) bytes += 4 * shape.reduce((a, b) => a * b, 1);
  return bytes;
}

export function exportCheckpointOnnx(dir: string, opts: { quant?: QuantDtype; path?: string; externalData?: boolean } = {}): { exp: OnnxExport; pretrained: Pretrained } {
  const pretrained = loadPretrained(dir);
  const bytes = checkpointFp32Bytes(dir);
  const exp = writeOnnx(pretrained.config, storedAs(pretrained.weights, opts.quant ?? 'fp32'), undefined, {
    path: opts.path, externalData: opts.externalData ?? bytes > ONNX_INLINE_MAX_BYTES,
  });
  return { exp, pretrained };
}
