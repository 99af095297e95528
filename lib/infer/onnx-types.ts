/**
 * The shapes both decoder graph builders share (GPT-2's in onnx-export.ts, the Llama family's in
 * onnx-llama.ts): in a module of their own so the dispatcher and the Llama builder do not import each other.
 */
import type { GptConfig } from '../model/index.ts';

/** Per-layer key/value prefix as plain arrays, each [H, P, hd] flattened (shared by the whole batch). */
export interface PlainPrefix {
  length: number;
  keys: Float32Array[];
  values: Float32Array[];
}

export interface OnnxExport {
  /** Serialized ModelProto. */
  bytes: Uint8Array;
  config: GptConfig;
  /** P-Tuning v2 prefix slots baked into the graph (0 without a prefix). */
  prefixLength: number;
  inputNames: string[];
  outputNames: string[];
}
