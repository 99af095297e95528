"""The reference training step in PyTorch, for `ledgerlab bench train --torch`.

Same model as lib/model (GPT-2-style pre-LN decoder, tanh GELU, tied head), same shapes (2 layers, d_model 128,
4 heads, seq 64, batch 16, vocab 2000 by default; sizes from the command line) and the same methods (full, LoRA
r=8 on q and v, P-Tuning v2 prefix 16, P-Tuning v1 with an MLP prompt encoder, QLoRA on an NF4-DQ base),
Adam; warm-up then timed steps on one thread. Prints one JSON object. Run with Debian's /usr/bin/python3
(python3-torch).
"""
import json, math, os, platform, statistics, sys, time
import torch
import torch.nn as nn
import torch.nn.functional as F
from nf4 import NF4Weight  # bench/torch/nf4.py, beside this script
from train_step import fixed_batch_step

args = dict(a.split("=", 1) for a in sys.argv[1:])
THREADS = int(args.get("threads", "1"))
REPEATS = int(args.get("repeats", "10"))
WARMUP = int(args.get("warmup", "3"))
METHODS = args.get("methods", "full,lora,ptuning-v2").split(",")
torch.set_num_threads(THREADS)
torch.manual_seed(0)
# Issue 4's shape by default; `bench train --size l` passes layers=8 d=512 heads=8 seq=256 batch=4 vocab=8000.
L, D, H = (int(args.get(k, d)) for k, d in (("layers", "2"), ("d", "128"), ("heads", "4")))
T, B, V = int(args.get("seq", "64")), int(args.get("batch", "16")), int(args.get("vocab", "2000"))
HD = D // H



class Lin(nn.Module):
    def __init__(self, i, o, lora_r=0, nf4=False):
        super().__init__()
        w = torch.randn(i, o) * 0.02
        self.q = NF4Weight(w) if nf4 else None
        self.w = None if nf4 else nn.Parameter(w)
        self.b = nn.Parameter(torch.zeros(o))
        self.r = lora_r
        if lora_r:
            self.A = nn.Parameter(torch.empty(i, lora_r).uniform_(-1 / math.sqrt(i), 1 / math.sqrt(i)))
            self.B = nn.Parameter(torch.zeros(lora_r, o))

    def forward(self, x):
        y = x @ (self.q() if self.q is not None else self.w) + self.b
        if self.r:
            y = y + (x @ self.A @ self.B) * (16 / self.r)
        return y


class Block(nn.Module):
    def __init__(self, lora, nf4=False):
        super().__init__()
        r = 8 if lora else 0
        self.ln1, self.ln2 = nn.LayerNorm(D), nn.LayerNorm(D)
        self.q, self.k, self.v = Lin(D, D, r, nf4), Lin(D, D, 0, nf4), Lin(D, D, r, nf4)
        self.o, self.fc, self.proj = Lin(D, D, 0, nf4), Lin(D, 4 * D, 0, nf4), Lin(4 * D, D, 0, nf4)

    def forward(self, x, pk=None, pv=None):
        n = x.shape[1]
        h = self.ln1(x)
        sp = lambda t: t.view(B, n, H, HD).transpose(1, 2)
        q, k, v = sp(self.q(h)), sp(self.k(h)), sp(self.v(h))
        P = 0
        if pk is not None:
            P = pk.shape[2]
            k = torch.cat([pk.expand(B, -1, -1, -1), k], 2)
            v = torch.cat([pv.expand(B, -1, -1, -1), v], 2)
        mask = torch.ones(n, P + n, dtype=torch.bool).tril(P)
        att = (q @ k.transpose(-1, -2)) / math.sqrt(HD)
        att = att.masked_fill(~mask, -1e9).softmax(-1)
        x = x + self.o((att @ v).transpose(1, 2).reshape(B, n, D))
        return x + self.proj(F.gelu(self.fc(self.ln2(x)), approximate="tanh"))


class GPT(nn.Module):
    def __init__(self, method):
        super().__init__()
        self.tok, self.pos = nn.Embedding(V, D), nn.Embedding(int(args.get("context", "256")), D)
        # GPT-2's (and lib/model/init.ts's) std 0.02, not nn.Embedding's N(0, 1): with unit-variance embeddings
        # the tied head's logits have std ~11, the softmax gradient fills with denormals, and OpenBLAS's matmul
        # on denormals runs ~70x slower (a 600 ms step instead of ~50 ms), which would misstate PyTorch's speed.
        nn.init.normal_(self.tok.weight, std=0.02)
        nn.init.normal_(self.pos.weight, std=0.02)
        self.blocks = nn.ModuleList([Block(method in ("lora", "qlora"), method == "qlora") for _ in range(L)])
        self.ln = nn.LayerNorm(D)
        self.method = method
        self.prefix = nn.Parameter(torch.randn(16, L * 2 * D)) if method == "ptuning-v2" else None
        if method == "ptuning-v1":  # 16 virtual tokens from PEFT's MLP prompt encoder (hidden 128)
            self.prompt = nn.Parameter(torch.randn(16, D) * 0.02)
            self.enc = nn.Sequential(nn.Linear(D, 128), nn.ReLU(), nn.Linear(128, 128), nn.ReLU(), nn.Linear(128, D))

    def forward(self, ids):
        x = self.tok(ids)
        if self.method == "ptuning-v1":
            x = torch.cat([self.enc(self.prompt).unsqueeze(0).expand(B, -1, -1), x], 1)
        x = x + self.pos(torch.arange(x.shape[1]))
        kv = self.prefix.view(16, L * 2, H, HD).permute(1, 2, 0, 3).unsqueeze(1) if self.prefix is not None else None
        for i, b in enumerate(self.blocks):
            x = b(x, kv[2 * i], kv[2 * i + 1]) if kv is not None else b(x)
        if self.method == "ptuning-v1":
            x = x[:, 16:]
        return self.ln(x) @ self.tok.weight.t()


def make_step(method):
    """One training step of `method` on fixed random tokens, and the number of trainable parameters."""
    trainable = lambda n: (method == "full" or (method in ("lora", "qlora") and n.endswith((".A", ".B"))) or n == "prefix"
                           or (method == "ptuning-v1" and (n == "prompt" or n.startswith("enc."))))
    return fixed_batch_step(GPT(method), trainable, lambda ps: torch.optim.Adam(ps, lr=1e-3), V, B, T)


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
                      "rows": [bench(mth) for mth in METHODS]}))
