/**
 * ONNX Runtime generation straight from a checkpoint directory, in any storage: the decoder, its tokenizer and
 * EOS, and the export's temporary files already removed (ORT has read them when the session exists).
 *
 * Why: this is how a model too large for the tfjs wasm heap generates (weights in ORT's native memory).
 *
 * @example
 * const c = await openCheckpointDecoder('Qwen2.5-0.5B', { quant: 'bf16' });
 * const { tokens } = await generate(c.decoder, [c.tokenizer!.encode('1+1=')], { maxNew: 8, eos: c.eos });
 * await c.decoder.dispose();
 */
import { withPhase } from '../runtime/index.ts';
import type { GptConfig } from '../model/index.ts';
import type { QuantDtype } from '../quant/index.ts';
import { exportCheckpointOnnx } from './checkpoint-onnx.ts';
import { checkpointCodec, type TextCodec } from './open-model.ts';
import { OrtDecoder } from './ort.ts';

export interface CheckpointDecoder {
  decoder: OrtDecoder;
  config: GptConfig;
  tokenizer?: TextCodec;
  eos?: number;
}

export async function openCheckpointDecoder(dir: string, opts: { quant?: QuantDtype; threads?: number } = {}): Promise<CheckpointDecoder> {
  const { exp, pretrained } = withPhase('export to ONNX', () => exportCheckpointOnnx(dir, { quant: opts.quant }));
  let decoder: OrtDecoder;
  try {
    decoder = await withPhase('ONNX Runtime session', () => OrtDecoder.create(exp, { intraOpThreads: opts.threads ?? 1 }));
  } finally {
    exp.remove?.();
  }
  return { decoder, config: pretrained.config, ...checkpointCodec(pretrained) };
}
