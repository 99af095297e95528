"""PyTorch reference for greedy tokens on a real-size checkpoint (issue 29): the 0.5B shape in fp32 and bf16.

Reads a Qwen2/Llama checkpoint in the Hugging Face layout (config.json + model.safetensors, F32/F16/BF16; e.g.
the seeded random Qwen2.5-0.5B-shaped one from `node bench/random-checkpoint.ts DIR`) with numpy, and runs the
reference math of test/model/fixtures/make_hf_fixtures.py (written from transformers' modeling code: rotate-half
RoPE, repeat_kv, float32 RMSNorm, q/k/v biases) without a cache:
  fp32: weights widened to float32, float32 math (what every LedgerLab storage whose weights equal the file's
        computes; for a BF16 file that is fp32 and bf16 storage alike);
  bf16: weights and activations in bfloat16 (torch's own bf16 kernels), for the record: bf16 math rounds
        activations too, so its tokens may legitimately differ from fp32's.
Prints one JSON object: prompt, greedy tokens and per-step top-2 margins (relative to the logit range) for each.

  OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/torch/qwen_greedy.py DIR --prompt 9707,11,1879,0 --new 8 [--bf16-new 4]
"""
import argparse
import json
import os
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', '..', 'test', 'model', 'fixtures'))
import make_hf_fixtures as ref  # noqa: E402  (the same reference math as the HF parity fixtures)
from make_hf_fixtures import llama_logits  # noqa: E402
from safetensors_np import read_safetensors  # noqa: E402  (bench/torch/safetensors_np.py)

_rope, _softmax = ref.rope, ref.causal_softmax


def use_dtype(dtype):
    """Makes the reference's rotary tables and causal mask follow `dtype` (float32: exactly the original)."""
    if dtype == torch.float32:
        ref.rope, ref.causal_softmax = _rope, _softmax
        return

    def rope(T, hd, theta):
        cos, sin = _rope(T, hd, theta)
        return cos.to(dtype), sin.to(dtype)

    def causal_softmax(scores):
        T = scores.shape[-1]
        mask = torch.full((T, T), torch.finfo(scores.dtype).min, dtype=scores.dtype).triu(1)
        return torch.softmax(scores + mask, dim=-1)

    ref.rope, ref.causal_softmax = rope, causal_softmax


def greedy(cfg, w, prompt, n, qkv_bias):
    ids, margins = list(prompt), []
    with torch.no_grad():
        for _ in range(n):
            last = llama_logits(cfg, w, ids, qkv_bias)[-1].float()
            top = torch.topk(last, 2).values
            margins.append(round(float((top[0] - top[1]) / (last.max() - last.min())), 6))
            ids.append(int(last.argmax()))
    return ids[len(prompt):], margins


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('dir')
    ap.add_argument('--prompt', default='9707,11,1879,0')
    ap.add_argument('--new', type=int, default=8)
    ap.add_argument('--bf16-new', type=int, default=4)
    a = ap.parse_args()
    torch.set_num_threads(1)
    cfg = json.load(open(os.path.join(a.dir, 'config.json')))
    qkv_bias = cfg['model_type'] == 'qwen2'
    prompt = [int(t) for t in a.prompt.split(',')]
    w = read_safetensors(os.path.join(a.dir, 'model.safetensors'))
    use_dtype(torch.float32)
    fp32, fp32_margins = greedy(cfg, w, prompt, a.new, qkv_bias)
    print(json.dumps({'fp32': fp32}), file=sys.stderr)
    w = {k: v.to(torch.bfloat16) for k, v in w.items()}
    use_dtype(torch.bfloat16)
    bf16, bf16_margins = greedy(cfg, w, prompt, a.bf16_new, qkv_bias)
    print(json.dumps({
        'prompt': prompt, 'fp32': {'greedy': fp32, 'margins': fp32_margins},
        'bf16Math': {'greedy': bf16, 'margins': bf16_margins},
        'config': {k: cfg[k] for k in ('model_type', 'hidden_size', 'num_hidden_layers', 'num_attention_heads', 'num_key_value_heads', 'intermediate_size', 'vocab_size', 'tie_word_embeddings', 'rope_theta', 'rms_norm_eps')},
        'generator': 'bench/torch/qwen_greedy.py (torch %s)' % torch.__version__,
    }))


if __name__ == '__main__':
    main()
