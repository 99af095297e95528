"""NF4 with double quantization as the PyTorch reference steps store a frozen base (ref_step.py, llama_step.py):
4-bit NF4 codes + int8 absmax per 64 values with fp32 scales per 256 absmax, dequantized on every use."""
import torch
import torch.nn as nn

# NF4 levels (QLoRA paper, bitsandbytes' table).
NF4 = torch.tensor([-1.0, -0.6961928009986877, -0.5250730514526367, -0.39491748809814453, -0.28444138169288635,
                    -0.18477343022823334, -0.09105003625154495, 0.0, 0.07958029955625534, 0.16093020141124725,
                    0.24611230194568634, 0.33791524171829224, 0.44070982933044434, 0.5626170039176941,
                    0.7229568362236023, 1.0])


class NF4Weight(nn.Module):
    """A frozen weight as 4-bit NF4 codes + int8 absmax (per 64) with fp32 scales (per 256 absmax), dequantized per use."""

    def __init__(self, w):
        super().__init__()
        flat = w.reshape(-1, 64)
        absmax = flat.abs().amax(1).clamp_min(1e-12)
        self.register_buffer("codes", (flat / absmax[:, None]).unsqueeze(-1).sub(NF4).abs().argmin(-1).to(torch.uint8))
        am = absmax.reshape(-1, 256) if absmax.numel() % 256 == 0 else absmax.reshape(1, -1)
        mean = am.mean()
        scale = (am - mean).abs().amax(1).clamp_min(1e-12) / 127
        self.register_buffer("am_q", ((am - mean) / scale[:, None]).round().clamp(-127, 127).to(torch.int8))
        self.register_buffer("am_scale", scale)
        self.register_buffer("am_mean", mean)
        self.shape = w.shape

    def forward(self):
        absmax = (self.am_q.float() * self.am_scale[:, None] + self.am_mean).reshape(-1)
        return (NF4[self.codes.long()] * absmax[:, None]).reshape(self.shape)
