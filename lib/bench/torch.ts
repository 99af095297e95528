/**
 * Runs the PyTorch reference step (bench/torch/ref_step.py) with Debian's python3-torch, for a side-by-side
 * figure measured in the same session on the same machine. Absent torch is reported, not an error.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { packageRoot } from '../paths.ts';
import { join } from 'node:path';

export interface TorchRow { method: string; median_ms: number; iqr_ms: number; cpu_median_ms: number; tokens_per_s: number; trainable: number }
export interface TorchResult { torch: string; threads: number; /** OS threads of the python process after the steps. */ processThreads?: number; python: string; rows: TorchRow[] }

/** The methods each reference script implements. */
export const TORCH_METHODS = { gpt2: ['full', 'lora', 'ptuning-v2', 'ptuning-v1', 'qlora'], llama: ['full', 'lora', 'ptuning-v2', 'ptuning-v1', 'qlora'] } as const;

export interface TorchShape { arch: 'gpt2' | 'llama'; layers: number; d: number; heads: number; kv?: number; ffn?: number; context?: number; seq: number; batch: number; vocab: number }

/**
 * gpt2 runs bench/torch/ref_step.py (issue 4's model), llama bench/torch/llama_step.py (RMSNorm, RoPE, SwiGLU,
 * GQA, AdamW); `shape` sets the sizes (default: issue 4's gpt2 step).
 */
export function runTorchReference(o: { threads?: number; repeats?: number; warmup?: number; methods?: string[]; shape?: TorchShape } = {}): TorchResult | { unavailable: string } {
  const python = '/usr/bin/python3';
  if (!existsSync(python)) return { unavailable: `${python} not found` };
  const sh = o.shape;
  const script = join(packageRoot, 'bench', 'torch', sh?.arch === 'llama' ? 'llama_step.py' : 'ref_step.py');
  const sizes = sh ? Object.entries(sh).filter(([k, v]) => k !== 'arch' && v !== undefined).map(([k, v]) => `${k}=${v}`) : [];
  const args = [`threads=${o.threads ?? 1}`, `repeats=${o.repeats ?? 10}`, `warmup=${o.warmup ?? 3}`, `methods=${(o.methods ?? ['full', 'lora', 'ptuning-v2']).join(',')}`, ...sizes];
  // torch.set_num_threads covers torch's own pool only: Debian's torch calls OpenBLAS (pthread build), which
  // starts one GEMM thread per core unless told otherwise, so a "one-thread" reference ran its products on two.
  const n = String(o.threads ?? 1);
  const env = { ...process.env, OPENBLAS_NUM_THREADS: n, OMP_NUM_THREADS: n, MKL_NUM_THREADS: n };
  const r = spawnSync(python, [script, ...args], { encoding: 'utf8', timeout: 3_600_000, env });
  if (r.status !== 0) {
    const why = /No module named 'torch'/.test(r.stderr) ? 'python3-torch is not installed (apt-get install python3-torch)' : (r.stderr || r.error?.message || 'failed').trim().split('\n').pop()!;
    return { unavailable: why };
  }
  return JSON.parse(r.stdout) as TorchResult;
}
