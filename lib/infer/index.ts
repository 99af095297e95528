/**
 * infer/: export a model to ONNX (built from JS; LoRA merged, quantized weights dequantized, P-Tuning v2
 * prefix baked in) and generate with a key/value cache on ONNX Runtime or tfjs through one loop.
 */
export { buildOnnxDecoder, exportOnnx, methodPrefix, onnxMetadata, ONNX_OPSET, ONNX_IR_VERSION, ONNX_INLINE_MAX_BYTES, writeOnnx } from './onnx-export.ts';
export { exportCheckpointOnnx, storedAs, checkpointFp32Bytes, ORT_AUTO_BYTES } from './checkpoint-onnx.ts';
export { ExternalDataSink, EXTERNAL_MIN_BYTES } from './onnx-external.ts';
export type { OnnxExport, PlainPrefix } from './onnx-export.ts';
export { OrtDecoder } from './ort.ts';
export type { OrtOptions, OrtCache } from './ort.ts';
export { TfjsDecoder } from './tfjs-decoder.ts';
export { generate, generateBatched, pickToken, argmax, banRepeatedNgrams } from './generate.ts';
export { streamTokens } from './stream.ts';
export type { CachedDecoder, GenerateOptions, GenerateResult, SamplingOptions } from './generate.ts';
export { benchGenerate } from './bench.ts';
export type { GenerateBenchOptions, GenerateBenchResult, GenerateBenchRow } from './bench.ts';
export { evalDecoder } from './decoder-for.ts';
export type { EvalDecoder } from './decoder-for.ts';
export { openModel, checkpointCodec } from './open-model.ts';
export type { OpenedModel, TextCodec } from './open-model.ts';
export { openCheckpointDecoder } from './checkpoint-decoder.ts';
export type { CheckpointDecoder } from './checkpoint-decoder.ts';
