/**
 * The `finetune` experiment kind: the plain path from data to a scored adapter, one run per seed —
 * pretrain (or reuse) the tiny base, build the method on it, train with checkpoints in the run folder (so
 * `ledgerlab run --resume` continues bit for bit after a kill), generate on the held-out prompts and score.
 *
 * @example
 * // experiments/smoke.json
 * { "kind": "finetune", "name": "smoke", "seeds": [0], "config": { "method": { "method": "lora" }, "train": { "steps": 60 } } }
 */
import { s, type Infer } from '../../config/index.ts';
import type { ExperimentKind } from '../kind.ts';
import { DataSchema } from '../task.ts';
import { CHATGLM2_TINY } from '../../model/index.ts';
import { modelSpecSchema, QualityEvalSchema, TaskPretrainSchema, taskAndBase } from '../base.ts';
import { MethodSchema, buildModel, adapterBytes, memoryBreakdown } from '../../peft/index.ts';
import { resolve } from 'node:path';
import { QUANT_DTYPES, QUANT_ALIASES } from '../../quant/index.ts';
import { TrainSchema, trainLoop } from '../../train/index.ts';
import { generateAndScore } from '../quality.ts';
import { memLog } from '../../runtime/index.ts';

export const FinetuneSchema = s.object({
  data: DataSchema.default(DataSchema.parse({})),
  model: modelSpecSchema(CHATGLM2_TINY),
  pretrain: TaskPretrainSchema.default(TaskPretrainSchema.parse({})),
  method: MethodSchema.default(MethodSchema.parse({ method: 'lora' })),
  quant: s.enum(QUANT_DTYPES).default('fp32'),
  train: TrainSchema.default(TrainSchema.parse({ steps: 100 })),
  eval: QualityEvalSchema.default(QualityEvalSchema.parse({})),
}, { aliases: QUANT_ALIASES });
export type FinetuneConfig = Infer<typeof FinetuneSchema>;

export const finetuneKind: ExperimentKind<FinetuneConfig> = {
  kind: 'finetune',
  summary: 'pretrain (cached) + one PEFT method + evaluation with ROUGE/BLEU',
  configSchema: FinetuneSchema,
  prepare: async (config, verbose) => void (await taskAndBase(config, verbose)),
  async run({ config: c, seed, run, resume, verbose }) {
    const { task, model, pt } = await taskAndBase(c, verbose);
    memLog('task and base ready');
    const m = await buildModel(model, pt.source ?? pt.weights, c.method, c.quant, seed);
    memLog('load');
    try {
      const train = { ...c.train, maxSource: task.limits.maxSource, maxTarget: task.limits.maxTarget };
      const r = await trainLoop({
        model: m, config: train, train: task.train, eval: task.eval, padId: task.tokenizer.special.pad, seed,
        metricsPath: run.metricsPath, checkpointDir: run.dir, resume, quiet: !verbose, label: `finetune ${c.method.method}`,
      });
      // The trained adapter and where its base lives, so `ledgerlab generate --model RUN` can rebuild the model.
      if (c.method.method !== 'full') {
        const base = pt.checkpoint ? { kind: 'hf' as const, path: resolve(pt.checkpoint.path) } : { kind: 'ledgerlab-base' as const, path: (pt as { dir: string }).dir };
        run.writeArtifact('adapter', 'adapter.safetensors', await adapterBytes(m, { method: c.method, quant: c.quant, model, base, seed }));
      }
      memLog('train done');
      const ev = await generateAndScore(m, task, { artefact: 'predictions', eval: c.eval, exportedDecoder: true, label: `generate ${c.method.method}` }, run, verbose);
      memLog('eval done');
      const mem = memoryBreakdown(m, 'adamw');
      return {
        scores: ev.scores, generation: ev.generation, evalLoss: ev.evalLoss, perplexity: ev.perplexity, steps: r.steps, resumedFrom: r.resumedFrom, lastLoss: r.lastLoss,
        trainableParams: mem.trainableParams, stateBytes: mem.stateBytes, frozenBytes: mem.frozenBytes,
        base: { key: pt.key, reused: pt.reused, finalLoss: pt.meta.finalLoss, ...(pt.checkpoint ? { checkpoint: pt.checkpoint } : {}) },
        data: task.manifest,
      };
    } finally {
      m.dispose();
    }
  },
};
