"""The reference training step on a Hugging Face checkpoint directory, for `ledgerlab bench train --model DIR`.

Llama-family checkpoints (model_type llama, qwen2, mistral: config.json + model.safetensors, F32/F16/BF16 widened to
float32) with the checkpoint's own weights, in transformers' LlamaForCausalLM / Qwen2ForCausalLM semantics: RMSNorm
(float32, x·rsqrt(mean x²+eps)·w), rotate-half RoPE (rope_theta), grouped-query attention (repeat_kv), q/k/v biases
where the checkpoint has them (qwen2; llama's attention_bias), SwiGLU MLP, the head tied to the embedding when
tie_word_embeddings. Loss on every position of random tokens; AdamW (lr 1e-3, weight decay 0.01), as LedgerLab's
`bench train` step. Methods, each training exactly the parameters LedgerLab's case trains:
  full        every parameter (a tied head is the embedding, counted once)
  lora        LoRA r 8, alpha 16 on q and v (y = xWᵀ + b + (xA)B·alpha/r)
  ptuning-v2  16 prefix key/value vectors per layer and kv head, after RoPE ([16, layers·2·kv·hd])
  qlora       lora on NF4 block linears with double-quantized absmax (bench/torch/nf4.py), dequantized each
              forward; embedding, norms and head stay float32 (QLoRA's and LedgerLab's layout)
Sizes come from the command line as key=value (dir, batch, seq, threads); bench/torch/step_server.py imports this
module and calls make_step(method). The block math is llama_math.py's (shared with llama_step.py), the step
train_step.py's. Run with Debian's /usr/bin/python3 (python3-torch 1.13).
"""
import json, math, os, sys
import torch
import torch.nn as nn
import torch.nn.functional as F
from nf4 import NF4Weight  # bench/torch/nf4.py, beside this script
from safetensors_np import read_safetensors
from llama_math import LlamaBlock, RMSNorm, rope_tables
from train_step import fixed_batch_step

args = dict(a.split("=", 1) for a in sys.argv[1:] if "=" in a)
THREADS = int(args.get("threads", "1"))
DIR = args["dir"]
B, T = int(args.get("batch", "1")), int(args.get("seq", "256"))
P = 16
torch.set_num_threads(THREADS)
torch.manual_seed(0)

CFG = json.load(open(os.path.join(DIR, "config.json")))
if CFG.get("model_type") not in ("llama", "qwen2", "mistral"):
    raise ValueError(f"hf_step.py runs llama, qwen2 and mistral checkpoints, not {CFG.get('model_type')!r}")
D, L, H = CFG["hidden_size"], CFG["num_hidden_layers"], CFG["num_attention_heads"]
KV = CFG.get("num_key_value_heads") or H
HD = CFG.get("head_dim") or D // H
V, EPS, THETA = CFG["vocab_size"], CFG.get("rms_norm_eps", 1e-6), CFG.get("rope_theta", 10000.0)
TIED = CFG.get("tie_word_embeddings", False)
QKV_BIAS = CFG["model_type"] == "qwen2" or CFG.get("attention_bias", False)


def weight_files():
    index = os.path.join(DIR, "model.safetensors.index.json")
    if os.path.exists(index):
        return sorted(set(json.load(open(index))["weight_map"].values()))
    return ["model.safetensors"]


class Lin(nn.Module):
    """nn.Linear's math on the checkpoint's [out, in] weight (optionally NF4), optional bias and LoRA."""

    def __init__(self, w, b=None, lora_r=0, nf4=False):
        super().__init__()
        self.q = NF4Weight(w) if nf4 else None
        self.w = None if nf4 else nn.Parameter(w)
        self.b = nn.Parameter(b) if b is not None else None
        self.r = lora_r
        if lora_r:
            o, i = w.shape
            self.A = nn.Parameter(torch.empty(i, lora_r).uniform_(-1 / math.sqrt(i), 1 / math.sqrt(i)))
            self.B = nn.Parameter(torch.zeros(lora_r, o))

    def forward(self, x):
        y = F.linear(x, self.q() if self.q is not None else self.w, self.b)
        if self.r:
            y = y + (x @ self.A @ self.B) * (16 / self.r)
        return y


class Block(LlamaBlock):
    def __init__(self, w, i, lora, nf4):
        super().__init__()
        p = f"model.layers.{i}."
        r = 8 if lora else 0
        self.heads, self.kv, self.hd = H, KV, HD
        bias = (lambda n: w.pop(p + f"self_attn.{n}_proj.bias")) if QKV_BIAS else (lambda n: None)
        lin = lambda n, b=None, rr=0: Lin(w.pop(p + n + ".weight"), b, rr, nf4)
        self.n1, self.n2 = RMSNorm(w.pop(p + "input_layernorm.weight"), EPS), RMSNorm(w.pop(p + "post_attention_layernorm.weight"), EPS)
        self.q, self.k = lin("self_attn.q_proj", bias("q"), r), lin("self_attn.k_proj", bias("k"))
        self.v, self.o = lin("self_attn.v_proj", bias("v"), r), lin("self_attn.o_proj")
        self.gate, self.up, self.down = lin("mlp.gate_proj"), lin("mlp.up_proj"), lin("mlp.down_proj")


class Model(nn.Module):
    def __init__(self, method):
        super().__init__()
        w = {}
        for f in weight_files():
            w.update(read_safetensors(os.path.join(DIR, f)))
        nf4 = method == "qlora"
        self.tok = nn.Parameter(w.pop("model.embed_tokens.weight"))
        self.blocks = nn.ModuleList([Block(w, i, method in ("lora", "qlora"), nf4) for i in range(L)])
        self.norm = RMSNorm(w.pop("model.norm.weight"), EPS)
        self.head = None if TIED else nn.Parameter(w.pop("lm_head.weight"))
        self.method = method
        self.prefix = nn.Parameter(torch.randn(P, L * 2 * KV * HD) * 0.02) if method == "ptuning-v2" else None

    def forward(self, ids):
        x = F.embedding(ids, self.tok)
        cos, sin = rope_tables(x.shape[1], HD, THETA)
        kv = self.prefix.view(P, L * 2, KV, HD).permute(1, 2, 0, 3).unsqueeze(1) if self.prefix is not None else None
        for i, b in enumerate(self.blocks):
            x = b(x, cos, sin, kv[2 * i], kv[2 * i + 1]) if kv is not None else b(x, cos, sin)
        return F.linear(self.norm(x), self.tok if self.head is None else self.head)


def trainable(method, name):
    if method == "full":
        return True
    if method in ("lora", "qlora"):
        return name.endswith((".A", ".B"))
    if method == "ptuning-v2":
        return name == "prefix"
    raise ValueError(f"hf_step.py has no method {method!r} (full, lora, ptuning-v2, qlora)")


def make_step(method):
    """One training step of `method` on fixed random tokens, and the number of trainable parameters."""
    return fixed_batch_step(Model(method), lambda n: trainable(method, n), lambda ps: torch.optim.AdamW(ps, lr=1e-3, weight_decay=0.01), V, B, T)
