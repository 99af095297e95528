"""Reads a safetensors file into float32 torch tensors with numpy (Debian's python3-torch 1.13 has no safetensors
package): one tensor at a time from the file; BF16 and F16 widened exactly. Used by qwen_greedy.py and hf_step.py."""
import json
import struct

import numpy as np
import torch


def read_safetensors(path):
    """name -> float32 torch tensor, one tensor at a time from the file (BF16 widened exactly)."""
    with open(path, 'rb') as f:
        (n,) = struct.unpack('<Q', f.read(8))
        header = json.loads(f.read(n))
        base = 8 + n
        out = {}
        for name, meta in header.items():
            if name == '__metadata__':
                continue
            a, b = meta['data_offsets']
            f.seek(base + a)
            raw = f.read(b - a)
            if meta['dtype'] == 'BF16':
                arr = (np.frombuffer(raw, dtype=np.uint16).astype(np.uint32) << 16).view(np.float32)
            elif meta['dtype'] == 'F16':
                arr = np.frombuffer(raw, dtype=np.float16).astype(np.float32)
            else:
                arr = np.frombuffer(raw, dtype=np.float32).copy()
            out[name] = torch.from_numpy(arr.reshape(meta['shape']))
    return out
