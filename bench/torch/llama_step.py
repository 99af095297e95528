"""The Llama-shaped reference training step in PyTorch, for `ledgerlab bench train --arch llama`.

Same blocks as lib/model/llama (transformers' LlamaForCausalLM semantics): RMSNorm (float32, x·rsqrt(mean x²+eps)·w),
rotate-half RoPE (θ 10000), grouped-query attention (repeat_kv), SwiGLU MLP (down(silu(gate x)·up x)), untied
head, no biases; loss on every position; AdamW (lr 1e-3, weight decay 0.01: torch's default). Methods:
  full        every parameter trains
  lora        LoRA r 8, alpha 16 on q and v (y = xW + (xA)B·alpha/r)
  ptuning-v2  16 prefix key/value vectors per layer and kv head ([16, layers·2·kv·hd])
  ptuning-v1  16 virtual tokens from PEFT's MLP prompt encoder (Linear·ReLU·Linear·ReLU·Linear, hidden 128)
  qlora       lora on a frozen NF4 base with double-quantized absmax (blocks 64 / 256), dequantized each forward
Sizes come from the command line (s / l of issue 15). Warm-up then timed steps on THREADS threads; prints JSON.
The block math is llama_math.py's (shared with hf_step.py), the step train_step.py's. Run with Debian's
/usr/bin/python3 (python3-torch 1.13).
"""
import json, math, os, platform, statistics, sys, time
import torch
import torch.nn as nn
from nf4 import NF4Weight  # bench/torch/nf4.py, beside this script
from llama_math import LlamaBlock, RMSNorm, rope_tables
from train_step import fixed_batch_step

args = dict(a.split("=", 1) for a in sys.argv[1:])
THREADS = int(args.get("threads", "1"))
REPEATS = int(args.get("repeats", "10"))
WARMUP = int(args.get("warmup", "3"))
METHODS = args.get("methods", "full,lora,ptuning-v2").split(",")
L, D, H, KV, FF = (int(args.get(k, d)) for k, d in (("layers", "2"), ("d", "128"), ("heads", "4"), ("kv", "2"), ("ffn", "352")))
T, B, V = int(args.get("seq", "64")), int(args.get("batch", "16")), int(args.get("vocab", "2000"))
HD = D // H
P = 16
torch.set_num_threads(THREADS)
torch.manual_seed(0)


class Lin(nn.Module):
    def __init__(self, i, o, lora_r=0, nf4=False):
        super().__init__()
        w = torch.randn(i, o) / math.sqrt(i)
        self.q = NF4Weight(w) if nf4 else None
        self.w = None if nf4 else nn.Parameter(w)
        self.r = lora_r
        if lora_r:
            self.A = nn.Parameter(torch.empty(i, lora_r).uniform_(-1 / math.sqrt(i), 1 / math.sqrt(i)))
            self.B = nn.Parameter(torch.zeros(lora_r, o))

    def forward(self, x):
        y = x @ (self.q() if self.q is not None else self.w)
        if self.r:
            y = y + (x @ self.A @ self.B) * (16 / self.r)
        return y


class Block(LlamaBlock):
    def __init__(self, lora, nf4):
        super().__init__()
        r = 8 if lora else 0
        self.heads, self.kv, self.hd = H, KV, HD
        self.n1, self.n2 = RMSNorm(torch.ones(D), 1e-6), RMSNorm(torch.ones(D), 1e-6)
        self.q, self.k = Lin(D, H * HD, r, nf4), Lin(D, KV * HD, 0, nf4)
        self.v, self.o = Lin(D, KV * HD, r, nf4), Lin(H * HD, D, 0, nf4)
        self.gate, self.up, self.down = Lin(D, FF, 0, nf4), Lin(D, FF, 0, nf4), Lin(FF, D, 0, nf4)


class Llama(nn.Module):
    def __init__(self, method):
        super().__init__()
        nf4 = method == "qlora"
        self.tok = nn.Embedding(V, D)
        self.blocks = nn.ModuleList([Block(method in ("lora", "qlora"), nf4) for _ in range(L)])
        self.norm = RMSNorm(torch.ones(D), 1e-6)
        self.head = Lin(D, V, 0, nf4)
        self.method = method
        self.prefix = nn.Parameter(torch.randn(P, L * 2 * KV * HD) * 0.02) if method == "ptuning-v2" else None
        if method == "ptuning-v1":
            self.prompt = nn.Parameter(torch.randn(P, D) * 0.02)
            self.enc = nn.Sequential(nn.Linear(D, 128), nn.ReLU(), nn.Linear(128, 128), nn.ReLU(), nn.Linear(128, D))

    def forward(self, ids):
        x = self.tok(ids)
        if self.method == "ptuning-v1":
            x = torch.cat([self.enc(self.prompt).unsqueeze(0).expand(B, -1, -1), x], 1)
        cos, sin = rope_tables(x.shape[1], HD, 10000.0)
        kv = self.prefix.view(P, L * 2, KV, HD).permute(1, 2, 0, 3).unsqueeze(1) if self.prefix is not None else None
        for i, b in enumerate(self.blocks):
            x = b(x, cos, sin, kv[2 * i], kv[2 * i + 1]) if kv is not None else b(x, cos, sin)
        if self.method == "ptuning-v1":
            x = x[:, P:]
        return self.head(self.norm(x))


def trainable(method, name):
    if method == "full":
        return True
    if method in ("lora", "qlora"):
        return name.endswith((".A", ".B"))
    if method == "ptuning-v2":
        return name == "prefix"
    return name == "prompt" or name.startswith("enc.")


def make_step(method):
    """One training step of `method` on fixed random tokens, and the number of trainable parameters."""
    return fixed_batch_step(Llama(method), lambda n: trainable(method, n), lambda ps: torch.optim.AdamW(ps, lr=1e-3, weight_decay=0.01), V, B, T)


def bench(method):
    step, n_trainable = make_step(method)
    for _ in range(WARMUP):
        step()
    times, cpu = [], []
    for _ in range(REPEATS):
        t0, c0 = time.perf_counter(), time.process_time()
        step()
        times.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)  # every thread of the process, as Node's cpuUsage
    times.sort()
    q = statistics.quantiles(times, n=4) if len(times) > 1 else [times[0]] * 3
    med = statistics.median(times)
    return {"method": method, "median_ms": med, "iqr_ms": q[2] - q[0], "cpu_median_ms": statistics.median(cpu), "tokens_per_s": B * T / (med / 1000),
            "trainable": n_trainable}


if __name__ == "__main__":
    # Threads of this process during the steps (OpenBLAS starts its own pool unless OPENBLAS_NUM_THREADS is set).
    TASKS = len(os.listdir("/proc/self/task")) if os.path.isdir("/proc/self/task") else None
    print(json.dumps({"torch": torch.__version__, "threads": THREADS, "processThreads": TASKS, "python": platform.python_version(),
                      "shape": {"layers": L, "d": D, "heads": H, "kv": KV, "ffn": FF, "seq": T, "batch": B, "vocab": V},
                      "rows": [bench(mth) for mth in METHODS]}))
