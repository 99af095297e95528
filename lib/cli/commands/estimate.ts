import type { Command } from '../command.ts';
import { listFlag, numberFlag } from '../args.ts';
import { LedgerLabError, estimate, formatEstimate, measureLengths, parseSets, readModelConfig, type BatchSpec } from '../../index.ts';

const USAGE = 'ledgerlab estimate --model PATH --method NAME[,NAME] [--set key=value …] [--storage S] [--compute C] [--batch B --seq T | --data FILE [--padding longest|max_length]] [--checkpoint] [--device D] [--json]';

/** --batch/--seq, or --data measured with the model's tokenizer (--seq then caps each example, as max_length pads to it). */
async function batchOf(args: Parameters<Command['run']>[0], modelDir: string): Promise<BatchSpec | undefined> {
  const batchSize = numberFlag(args, 'batch', 4, { int: true, min: 1 });
  const data = args.values.data as string | undefined;
  const seq = args.values.seq === undefined ? undefined : numberFlag(args, 'seq', 512, { int: true, min: 1 });
  if (!data) return args.values.batch === undefined && seq === undefined ? undefined : { batchSize, seqLen: seq ?? 512 };
  const padding = (args.values.padding as string | undefined) ?? 'longest';
  if (padding !== 'longest' && padding !== 'max_length') throw new LedgerLabError({ kind: 'usage', code: 'usage.bad_flag_value', problem: `--padding must be longest or max_length, got "${padding}"`, where: '--padding' });
  if (padding === 'max_length' && seq === undefined) throw new LedgerLabError({ kind: 'usage', code: 'usage.missing_flag', problem: '--padding max_length needs --seq T (the length every example is padded to)', where: '--padding' });
  const lengths = await measureLengths(data, modelDir);
  return { batchSize, lengths, padding, ...(seq === undefined ? {} : { maxLength: seq }) };
}

export const estimateCommand: Command = {
  name: 'estimate',
  summary: 'plan a fine-tuning run: trainable parameters as PEFT counts them, memory by part vs the device, step time and samples/s',
  usage: USAGE,
  help: [
    'From a Hugging Face config.json (a file or a model directory) alone: no weights are read, nothing is allocated.',
    '  --method     lora, prefix_tuning, prompt_tuning, p_tuning, full; LedgerLab names ptuning-v2 (ChatGLM P-Tuning',
    '               v2 = prefix tuning), ptuning-v1 (= p_tuning), prompt-tuning, qlora (lora on nf4-dq). Two methods',
    '               separated by a comma print both and the first one\'s samples/s over the second\'s.',
    '  --set        PEFT config fields: r, lora_alpha, target_modules=q_proj,v_proj (or all-linear), bias, use_rslora,',
    '               use_dora, num_virtual_tokens (pre_seq_len), prefix_projection, encoder_hidden_size,',
    '               encoder_reparameterization_type=MLP|LSTM, encoder_num_layers. An unknown key is an error.',
    '  --storage    frozen weights: fp32 fp16 bf16 int8 fp4 nf4 nf4-dq (default fp16; fp32 on --device cpu)',
    '  --compute    fp32 fp16 bf16 (default: the storage\'s half type, fp32 for fp32)',
    '  --batch --seq  the batch shape (default 4 × 512); --data FILE measures token lengths with the model',
    '               directory\'s tokenizer.json (--padding longest: the expected longest of a batch; max_length: --seq)',
    '  --device     a100-80gb (default), a100-40gb, h100, l40s, rtx-4090, m2-max, m3-max, cpu (this machine, fitted)',
    '  --json       one object: trainableParams, allParams, memory {weights, trainable, gradients, optimizer,',
    '               activations, overhead, total, device, fits}, step {seconds, samplesPerSecond, tokensPerSecond}, …',
    'docs/estimate.md documents every key and how close the model comes to published and measured figures.',
  ].join('\n'),
  options: {
    model: { type: 'string' }, method: { type: 'string' }, set: { type: 'string', multiple: true }, storage: { type: 'string' },
    compute: { type: 'string' }, batch: { type: 'string' }, seq: { type: 'string' }, data: { type: 'string' }, padding: { type: 'string' },
    checkpoint: { type: 'boolean' }, device: { type: 'string' }, json: { type: 'boolean' },
  },
  async run(args) {
    const need = (flag: string) => {
      const v = args.values[flag];
      if (typeof v !== 'string' || !v) throw new LedgerLabError({ kind: 'usage', code: 'usage.missing_flag', problem: `--${flag} is required`, where: 'ledgerlab estimate', hint: `usage: ${USAGE}` });
      return v;
    };
    const model = readModelConfig(need('model'));
    const method = need('method');
    const batch = await batchOf(args, model.dir);
    const e = estimate({
      config: model.config, source: model.path, method, options: parseSets(listFlag(args, 'set')),
      storage: args.values.storage as string | undefined, compute: args.values.compute as string | undefined,
      checkpoint: args.values.checkpoint === true, device: args.values.device as string | undefined, ...(batch ? { batch } : {}),
    });
    console.log(args.values.json ? JSON.stringify(e) : formatEstimate(e));
  },
};
