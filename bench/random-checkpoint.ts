// Writes a seeded random checkpoint in the Hugging Face layout, tensor by tensor (little memory):
//   node bench/random-checkpoint.ts DIR [qwen2.5-0.5b|qwen2.5-1.5b|llama-100m] [BF16|F16|F32] [SEED]
// qwen2.5-0.5b (default) is Qwen2.5-0.5B's exact shape and layout: the input of bench/torch/qwen_greedy.py and
// of `generate/bench … --model DIR` at real size (about 1 GB as BF16).
import { writeRandomLlama, QWEN25_05B, QWEN25_15B, LLAMA_100M } from '../lib/index.ts';

const [dir, preset = 'qwen2.5-0.5b', dtype = 'BF16', seed = '0'] = process.argv.slice(2);
const shapes = { 'qwen2.5-0.5b': QWEN25_05B, 'qwen2.5-1.5b': QWEN25_15B, 'llama-100m': LLAMA_100M } as const;
const shape = shapes[preset as keyof typeof shapes];
if (!dir || !shape || !['BF16', 'F16', 'F32'].includes(dtype)) {
  console.error('usage: node bench/random-checkpoint.ts DIR [qwen2.5-0.5b|qwen2.5-1.5b|llama-100m] [BF16|F16|F32] [SEED]');
  process.exit(2);
}
const params = writeRandomLlama(dir, shape, dtype as 'BF16', Number(seed));
console.log(JSON.stringify({ dir, preset, dtype, seed: Number(seed), params }));
