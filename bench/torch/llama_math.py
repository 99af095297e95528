"""The Llama-family block math shared by llama_step.py (built-in shapes, random weights) and hf_step.py (a checkpoint
directory), in transformers' semantics: RMSNorm in float32 (x·rsqrt(mean x²+eps)·w), rotate-half RoPE, grouped-query
attention (repeat_kv) with an optional P-Tuning v2 prefix after RoPE, and the SwiGLU MLP."""
import math
import torch
import torch.nn as nn
import torch.nn.functional as F


class RMSNorm(nn.Module):
    def __init__(self, w, eps):
        super().__init__()
        self.w = nn.Parameter(w)
        self.eps = eps

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.w


def rope_tables(n, hd, theta):
    inv = 1.0 / (theta ** (torch.arange(0, hd, 2).float() / hd))
    f = torch.outer(torch.arange(n).float(), inv)
    emb = torch.cat([f, f], -1)
    return emb.cos(), emb.sin()


def rotate_half(x):
    h = x.shape[-1] // 2
    return torch.cat([-x[..., h:], x[..., :h]], -1)


class LlamaBlock(nn.Module):
    """Pre-norm attention + SwiGLU; a subclass sets n1, n2 (RMSNorm), q, k, v, o, gate, up, down (x → x·W) and the
    head counts (heads, kv, hd)."""

    def forward(self, x, cos, sin, pk=None, pv=None):
        B, n = x.shape[0], x.shape[1]
        H, KV, HD = self.heads, self.kv, self.hd
        h = self.n1(x)
        q = self.q(h).view(B, n, H, HD).transpose(1, 2)
        k = self.k(h).view(B, n, KV, HD).transpose(1, 2)
        v = self.v(h).view(B, n, KV, HD).transpose(1, 2)
        q, k = q * cos + rotate_half(q) * sin, k * cos + rotate_half(k) * sin
        Pn = 0
        if pk is not None:
            Pn = pk.shape[2]
            k = torch.cat([pk.expand(B, -1, -1, -1), k], 2)
            v = torch.cat([pv.expand(B, -1, -1, -1), v], 2)
        k, v = k.repeat_interleave(H // KV, 1), v.repeat_interleave(H // KV, 1)
        mask = torch.ones(n, Pn + n, dtype=torch.bool).tril(Pn)
        att = ((q @ k.transpose(-1, -2)) / math.sqrt(HD)).masked_fill(~mask, torch.finfo(q.dtype).min).softmax(-1)
        x = x + self.o((att @ v).transpose(1, 2).reshape(B, n, H * HD))
        h = self.n2(x)
        return x + self.down(F.silu(self.gate(h)) * self.up(h))
