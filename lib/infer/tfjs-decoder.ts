/**
 * The tfjs model behind the same cached-decoder interface as ONNX Runtime: the first call runs with the
 * method's extras (P-Tuning v2 prefix) and returns presents; later calls pass them back as the prefix with
 * the position offset, per the model contract. Used as the reference in tests and the baseline in
 * `bench generate`.
 */
import * as tf from '@tensorflow/tfjs';
import type { Gpt, KvPrefix } from '../model/index.ts';
import type { CachedDecoder } from './generate.ts';

export class TfjsDecoder implements CachedDecoder {
  readonly model: Gpt;
  readonly vocab: number;
  readonly context: number;
  private cache?: KvPrefix;
  private positions = 0;

  /** @example const { tokens } = await generate(new TfjsDecoder(model), [[1, 2]], { maxNew: 4 }); */
  constructor(model: Gpt) {
    this.model = model;
    this.vocab = model.config.vocab;
    this.context = model.config.context;
  }

  reset(): void {
    this.disposeCache();
    this.positions = 0;
  }

  async step(ids: Int32Array, batch: number, tokens: number): Promise<Float32Array> {
    const input = tf.tensor2d(ids, [batch, tokens], 'int32');
    // only the last position's logits: the head runs on one row per sequence (lastOnly)
    const r = this.model.forward(input, { prefix: this.cache, positionOffset: this.positions, returnPresents: true, lastOnly: true });
    input.dispose();
    this.disposeCache();
    this.cache = r.presents;
    this.positions = r.positions;
    const last = tf.tidy(() => tf.reshape(r.logits, [batch * this.vocab]));
    r.logits.dispose();
    const data = (await last.data()) as Float32Array;
    last.dispose();
    return data;
  }

  private disposeCache(): void {
    if (!this.cache) return;
    for (const t of [...this.cache.keys, ...this.cache.values]) t.dispose();
    this.cache = undefined;
  }

  dispose(): void {
    this.reset();
  }
}
