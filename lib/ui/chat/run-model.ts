/**
 * A finished run as a chat model: the run's recorded config rebuilds its task (tokenizer), the cached base
 * and the method, its final checkpoint.safetensors supplies the trained tensors, and generation runs on the
 * same decoder evaluation used (ONNX Runtime, or tfjs for virtual-token methods). Kinds that write a final
 * checkpoint and record data/model/pretrain/method in their config (finetune) qualify.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { LedgerLabError } from '../../errors.ts';
import type { RunEntry } from '../../results/index.ts';
import { runById, runsInside } from '../run-dirs.ts';
import { FinetuneSchema, taskAndBase } from '../../experiments/index.ts';
import { buildModel } from '../../peft/index.ts';
import { readCheckpoint, CHECKPOINT_FILE } from '../../train/index.ts';
import { evalDecoder, TfjsDecoder, streamTokens, type CachedDecoder } from '../../infer/index.ts';
import { oneAtATime, textDeltas, type ChatModel, type ChatSource } from './source.ts';

function chattable(e: RunEntry): boolean {
  const c = e.record.config as Record<string, unknown> | null;
  return e.status === 'finished' && !!c && typeof c === 'object' && 'method' in c && 'model' in c && 'data' in c && existsSync(join(e.dir, CHECKPOINT_FILE));
}

export async function loadRunModel(e: RunEntry): Promise<ChatModel> {
  if (!chattable(e)) {
    throw new LedgerLabError({ kind: 'usage', problem: `run ${e.record.runId} cannot be chatted with (needs a finished run with a model config and ${CHECKPOINT_FILE})`, where: e.dir });
  }
  const config = FinetuneSchema.parse(e.record.config, `${join(e.dir, 'run.json')} (config)`);
  const { task, model, pt } = await taskAndBase(config, false);
  const m = await buildModel(model, pt.weights, config.method, config.quant, e.record.seeds[0] ?? 0);
  const ckpt = readCheckpoint(join(e.dir, CHECKPOINT_FILE))!;
  for (const [name, v] of m.trainable) {
    const data = ckpt.params.get(name);
    if (!data || data.length !== v.size) throw new LedgerLabError({ kind: 'data', problem: `checkpoint has no tensor "${name}" of ${v.size} values`, where: ckpt.path });
    tf.tidy(() => v.assign(tf.tensor(data, v.shape)));
  }
  const d = await evalDecoder(m);
  const decoder: CachedDecoder = d.decoder ?? new TfjsDecoder(m);
  const tok = task.tokenizer;
  return {
    stream: oneAtATime((prompt, o) => {
      const src = tok.encode(prompt).slice(0, task.limits.maxSource - 2);
      const ids = [tok.special.bos, ...src, tok.special.sep];
      return textDeltas(
        streamTokens(decoder, ids, { maxNew: o.maxNew, eos: tok.special.eos, temperature: o.temperature, topP: o.topP, seed: o.seed ?? 0 }),
        (out) => tok.decode(out, { skipSpecial: true }),
      );
    }),
    async dispose() {
      await d.dispose();
      if (!d.decoder) decoder.dispose();
      m.dispose();
    },
  };
}

export const runChatSource: ChatSource = {
  name: 'run',
  list: (root) => runsInside(root).filter(chattable).map((e) => ({ ref: `run:${e.record.runId}`, label: `${e.record.runId} (${(e.record.config as { method?: { method?: string } }).method?.method ?? e.record.kind})`, source: 'run' })),
  load: async (root, id) => {
    // An id is a folder name under the root (never a path): `run:/elsewhere` must not load a checkpoint from there.
    return loadRunModel(runById(root, id));
  },
};
