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
  /**
   * The .onnx file, when the export was written to one. With external data (`externalData: true`) the
   * weights are in `<file>.data` beside it, and ORT must open the file by path (bytes hold the graph only).
   */
  file?: string;
  externalData?: boolean;
  /** Deletes a temporary export's folder (an external-data export made without a path). */
  remove?: () => void;
}
