import type { Command } from '../command.ts';
import { numberFlag } from '../args.ts';
import { LedgerLabError, initBackend, generate, QUANT_DTYPES } from '../../index.ts';
import { openGenerateSource } from './generate-source.ts';

function parseIds(raw: string): number[] {
  const ids = raw.split(',').map((s) => s.trim()).filter((s) => s !== '').map(Number);
  if (ids.length === 0 || ids.some((v) => !Number.isInteger(v) || v < 0)) {
    throw new LedgerLabError({ kind: 'usage', problem: `--ids expects comma-separated token ids ≥ 0, got "${raw}"`, where: '--ids' });
  }
  return ids;
}

export const generateCommand: Command = {
  name: 'generate',
  summary: 'generate text from a Hugging Face checkpoint directory or a LedgerLab base (greedy or seeded sampling)',
  usage: 'ledgerlab generate --model DIR|RUN (--prompt TEXT | --ids 1,2,3) [--max-new N] [--temperature T] [--top-k K] [--top-p P] [--seed S] [--quant Q] [--adapter DIR] [--engine auto|ort|tfjs] [--threads N] [--logits] [--json]',
  help: [
    'DIR: a directory as transformers saves it (config.json + model.safetensors or sharded index; llama, qwen2,',
    'mistral, gpt2) with its tokenizer.json, or a LedgerLab pretrained-base folder (meta.json + weights.safetensors).',
    'RUN: a finished finetune run folder (results/<run>): its base rebuilt with the run\'s method, storage and adapter.',
    '  --prompt TEXT     encoded with the directory\'s tokenizer (special tokens as the tokenizer adds them)',
    '  --ids 1,2,3       the prompt as token ids (no tokenizer needed)',
    '  --max-new N       new tokens at most (default 32); generation also stops at the tokenizer\'s EOS',
    '  --temperature T   0 (default) = greedy; otherwise softmax(logits/T) sampling, seeded by --seed (default 0)',
    '  --top-k K, --top-p P   restrict sampling to the K most likely tokens / the nucleus of mass P',
    '  --adapter DIR     a PEFT adapter folder (adapter_config.json + adapter_model.safetensors: LORA, PREFIX_TUNING,',
    '                    P_TUNING, PROMPT_TUNING) loaded onto the --model checkpoint',
    '  --quant Q         store the block linears as Q (nf4, nf4-dq, int8, fp16, …), converted tensor by tensor',
    '  --engine E        tfjs (the model on the tensor backend), ort (ONNX Runtime from the checkpoint directory: the',
    '                    weights, stored as Q then dequantized, live in ORT\'s memory, outside the 4 GiB wasm heap),',
    '                    auto (default: ort for checkpoints over 1 GiB of fp32 weights without --adapter, else tfjs)',
    '  --threads N       ONNX Runtime threads (default 1)',
    'Text streams to stdout as tokens are chosen. --json prints one object instead: {"prompt", "generated"',
    '(new ids), "text", "engine"} and, with --logits, "promptLogits" (one row of vocabulary logits per prompt position).',
  ].join('\n'),
  options: {
    model: { type: 'string' }, prompt: { type: 'string' }, ids: { type: 'string' }, 'max-new': { type: 'string' },
    temperature: { type: 'string' }, 'top-k': { type: 'string' }, 'top-p': { type: 'string' }, seed: { type: 'string' },
    quant: { type: 'string' }, adapter: { type: 'string' }, logits: { type: 'boolean' }, json: { type: 'boolean' },
    engine: { type: 'string' }, threads: { type: 'string' },
  },
  async run(args) {
    const dir = args.values.model as string | undefined;
    if (!dir) throw new LedgerLabError({ kind: 'usage', problem: '--model DIR is required', where: 'ledgerlab generate' });
    const text = args.values.prompt as string | undefined;
    const rawIds = args.values.ids as string | undefined;
    if ((text === undefined) === (rawIds === undefined)) {
      throw new LedgerLabError({ kind: 'usage', problem: 'give exactly one of --prompt TEXT and --ids 1,2,3', where: 'ledgerlab generate' });
    }
    const maxNew = numberFlag(args, 'max-new', 32, { int: true, min: 0 });
    const temperature = numberFlag(args, 'temperature', 0, { min: 0 });
    const topK = numberFlag(args, 'top-k', 0, { int: true, min: 0 });
    const topP = numberFlag(args, 'top-p', 1, { min: 0 });
    if (!(topP > 0 && topP <= 1)) throw new LedgerLabError({ kind: 'usage', problem: `--top-p must be in (0, 1], got ${topP}`, where: '--top-p' });
    const seed = numberFlag(args, 'seed', 0, { int: true });
    const quant = (args.values.quant as string | undefined) ?? 'fp32';
    if (!(QUANT_DTYPES as readonly string[]).includes(quant)) {
      throw new LedgerLabError({ kind: 'usage', problem: `--quant must be one of ${QUANT_DTYPES.join(', ')}, got "${quant}"`, where: '--quant' });
    }
    await initBackend();
    const threads = numberFlag(args, 'threads', 1, { int: true, min: 1 });
    const source = await openGenerateSource(dir, {
      engine: (args.values.engine as string | undefined) ?? 'auto', quant, quantGiven: args.values.quant !== undefined,
      adapter: args.values.adapter as string | undefined, threads,
    });
    const { tokenizer } = source;
    try {
      if (text !== undefined && !tokenizer) {
        throw new LedgerLabError({ kind: 'usage', problem: `${dir} has no tokenizer.json, so --prompt cannot be encoded`, where: '--prompt', hint: 'pass token ids with --ids' });
      }
      const prompt = rawIds !== undefined ? parseIds(rawIds) : tokenizer!.encode(text!);
      const bad = prompt.find((id) => id >= source.vocab);
      if (bad !== undefined) throw new LedgerLabError({ kind: 'usage', problem: `token id ${bad} is outside the vocabulary (${source.vocab})`, where: '--ids' });
      if (prompt.length === 0) throw new LedgerLabError({ kind: 'usage', problem: 'the prompt encodes to no tokens', where: '--prompt' });
      const promptLogits = args.values.logits ? await source.promptLogits(prompt) : undefined;
      // Streaming: print what the decoded text gained since the last token (a token may complete a
      // multi-byte character only together with the next one).
      let shown = '';
      const seen: number[] = [];
      const stream = !args.values.json && tokenizer
        ? (_row: number, t: number) => {
            seen.push(t);
            const now = tokenizer.decode(seen);
            if (now.startsWith(shown) && !now.endsWith('\uFFFD')) {
              process.stdout.write(now.slice(shown.length));
              shown = now;
            }
          }
        : undefined;
      const r = maxNew === 0
        ? { tokens: [[]] as number[][] }
        : await generate(source.decoder, [prompt], { maxNew: Math.min(maxNew, source.context - prompt.length + 1), temperature, topK, topP, seed, eos: source.eos, onToken: stream });
      const generated = r.tokens[0];
      const outText = tokenizer ? tokenizer.decode(generated) : generated.join(' ');
      if (args.values.json) {
        console.log(JSON.stringify({ prompt, generated, text: outText, engine: source.engine, ...(promptLogits ? { promptLogits } : {}) }));
      } else if (tokenizer) {
        const rest = outText.startsWith(shown) ? outText.slice(shown.length) : '';
        process.stdout.write(rest + '\n');
      } else {
        console.log(outText);
      }
    } finally {
      await source.dispose();
    }
  },
};
