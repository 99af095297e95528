/**
 * The Datanet's model: a byte-level BPE tokenizer trained on the Datanet's texts, a small decoder fine-tuned
 * on every item (prompt → text) with the project's own engine (lib/train's loop, AdamW, tfjs), and its greedy
 * generations on the query workload. Small on purpose (2 layers, d_model 64): the point is the lifecycle
 * contribute → train → infer → attribute, with an output that really comes from the Datanet.
 */
import { initBackend } from '../../runtime/index.ts';
import { BpeTokenizer, type Tokenizer, encodeExamples } from '../../data/index.ts';
import { initWeights } from '../../model/index.ts';
import { buildModel } from '../../peft/index.ts';
import { trainConfig, trainLoop } from '../../train/index.ts';
import { TfjsDecoder, generateBatched } from '../../infer/index.ts';
import type { ModelOptions, TextItem, TrainedOutputs } from '../../sim/index.ts';

export async function trainAndGenerate(items: readonly TextItem[], prompts: readonly string[], o: ModelOptions): Promise<TrainedOutputs> {
  await initBackend(); // before the first tensor, or tfjs falls back to its slow cpu backend
  const tokenizer = BpeTokenizer.train(items.flatMap((it) => [it.prompt, it.text]), { vocabSize: o.vocab });
  const limits = { maxSource: o.maxSource, maxTarget: o.maxTarget };
  const train = encodeExamples(tokenizer, items.map((it) => ({ id: String(it.index), source: it.prompt, target: it.text })), limits);
  const config = { layers: o.layers, dModel: o.dModel, heads: o.heads, context: o.maxSource + o.maxTarget, vocab: tokenizer.vocabSize, tiedHead: true, dropout: 0 };
  const model = await buildModel(config, initWeights(config, `datanet:${o.seed}`), { method: 'full' } as never, 'fp32', o.seed);
  try {
    const t0 = performance.now();
    const r = await trainLoop({
      model, train, padId: tokenizer.special.pad, seed: o.seed, quiet: true,
      config: trainConfig({ steps: o.steps, batchSize: o.batchSize, lr: o.lr, warmupSteps: Math.min(10, Math.floor(o.steps / 10)), schedule: 'cosine', maxSource: o.maxSource, maxTarget: o.maxTarget, logEvery: Math.max(1, o.steps) }),
    });
    const trainSeconds = (performance.now() - t0) / 1000;
    const t1 = performance.now();
    const encoded = encodeExamples(tokenizer, prompts.map((p, i) => ({ id: String(i), source: p, target: '' })), limits);
    // Rows of equal prompt length generate together (the decoder has no padding mask).
    const outputs: number[][] = new Array(prompts.length);
    const byLen = new Map<number, number[]>();
    encoded.forEach((e, i) => byLen.set(e.prompt.length, [...(byLen.get(e.prompt.length) ?? []), i]));
    for (const rows of byLen.values()) {
      const dec = new TfjsDecoder(model);
      try {
        const gen = await generateBatched(dec, rows.map((i) => encoded[i].prompt), { maxNew: o.maxNew, eos: tokenizer.special.eos, temperature: 0, batchSize: 16 });
        rows.forEach((i, j) => (outputs[i] = gen[j]));
      } finally {
        dec.dispose();
      }
    }
    return {
      tokenizer, itemTokens: items.map((it) => Int32Array.from(tokenizer.encode(it.text))), outputs,
      texts: outputs.map((t) => tokenizer.decode(t, { skipSpecial: true })), finalLoss: r.lastLoss, trainSeconds, generateSeconds: (performance.now() - t1) / 1000,
    };
  } finally {
    model.dispose();
  }
}
