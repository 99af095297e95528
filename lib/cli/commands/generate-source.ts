/**
 * What `ledgerlab generate` generates with: the tfjs model (runs, adapters, LedgerLab bases, small
 * checkpoints) or ONNX Runtime straight from a checkpoint directory (`--engine ort`, and `auto` for
 * checkpoints whose fp32 weights exceed ORT_AUTO_BYTES: ORT holds the weights natively and decodes faster).
 * Both give the rest of the command the same shape: a cached decoder, prompt logits, codec and EOS.
 */
import * as tf from '@tensorflow/tfjs';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  LedgerLabError, openModel, openRun, isRunDir, loadPeftAdapter, loadPretrained, TfjsDecoder, openCheckpointDecoder,
  checkpointFp32Bytes, ORT_AUTO_BYTES, withPhase, type CachedDecoder, type QuantDtype, type TextCodec,
} from '../../index.ts';

export const ENGINES = ['auto', 'ort', 'tfjs'] as const;

export interface GenerateSource {
  engine: 'ort' | 'tfjs';
  decoder: CachedDecoder;
  vocab: number;
  context: number;
  tokenizer?: TextCodec;
  eos?: number;
  promptLogits(prompt: number[]): Promise<number[][]>;
  dispose(): Promise<void>;
}

export async function openGenerateSource(dir: string, o: { engine: string; quant: string; quantGiven: boolean; adapter?: string; threads: number }): Promise<GenerateSource> {
  if (!(ENGINES as readonly string[]).includes(o.engine)) throw new LedgerLabError({ kind: 'usage', problem: `--engine must be one of ${ENGINES.join(', ')}, got "${o.engine}"`, where: '--engine' });
  const checkpoint = !isRunDir(dir) && !o.adapter && loadsAsCheckpoint(dir);
  if (o.engine === 'ort' && !checkpoint) {
    throw new LedgerLabError({ kind: 'usage', problem: '--engine ort generates from a Hugging Face checkpoint directory without --adapter', where: '--engine', hint: 'use --engine tfjs for runs, adapters and LedgerLab bases' });
  }
  const ort = o.engine === 'ort' || (o.engine === 'auto' && checkpoint && checkpointFp32Bytes(dir) > ORT_AUTO_BYTES);
  return ort ? ortSource(dir, o.quant as QuantDtype, o.threads) : tfjsSource(dir, o);
}

/** A Hugging Face checkpoint has config.json (a broken one fails later, with loadPretrained's located error). */
function loadsAsCheckpoint(dir: string): boolean {
  return existsSync(join(dir, 'config.json'));
}

async function ortSource(dir: string, quant: QuantDtype, threads: number): Promise<GenerateSource> {
  const c = await openCheckpointDecoder(dir, { quant, threads });
  return {
    engine: 'ort', decoder: c.decoder, vocab: c.config.vocab, context: c.decoder.context, tokenizer: c.tokenizer, eos: c.eos,
    async promptLogits(prompt) {
      const { logits } = await withPhase('prompt logits', () => c.decoder.run(prompt, 1, prompt.length));
      return Array.from({ length: prompt.length }, (_, t) => Array.from(logits.subarray(t * c.config.vocab, (t + 1) * c.config.vocab)));
    },
    dispose: () => c.decoder.dispose(),
  };
}

async function tfjsSource(dir: string, o: { quant: string; quantGiven: boolean; adapter?: string }): Promise<GenerateSource> {
  if (isRunDir(dir) && o.quantGiven) throw new LedgerLabError({ kind: 'usage', problem: '--quant does not apply to a run: it keeps the storage it was trained with', where: '--quant' });
  const opened = await withPhase('load', async () => (isRunDir(dir) ? await openRun(dir) : openModel(dir, { quant: o.quant as QuantDtype })));
  const { model } = opened;
  if (o.adapter) {
    if (opened.kind !== 'hf') throw new LedgerLabError({ kind: 'usage', problem: '--adapter needs a Hugging Face checkpoint as --model (its model_type names the adapter\'s modules)', where: '--adapter' });
    const loaded = await loadPeftAdapter(model, o.adapter, loadPretrained(dir).modelType);
    for (const w of loaded.warnings) console.error(`warning: ${w}`);
  }
  const decoder = new TfjsDecoder(model);
  return {
    engine: 'tfjs', decoder, vocab: model.config.vocab, context: model.config.context, tokenizer: opened.tokenizer, eos: opened.eos,
    async promptLogits(prompt) {
      // Asynchronous read: a GPU backend (WebGPU in Node) has no synchronous one.
      return withPhase('prompt logits', async () => {
        const input = tf.tensor2d([prompt], [1, prompt.length], 'int32');
        const out = model.forward(input).logits;
        try {
          return ((await out.array()) as number[][][])[0]!;
        } finally {
          input.dispose();
          out.dispose();
        }
      });
    },
    async dispose() {
      decoder.dispose();
      model.dispose();
    },
  };
}
