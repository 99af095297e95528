/**
 * Runs the PyTorch reference step (bench/torch/ref_step.py) with Debian's python3-torch, for a side-by-side
 * figure measured in the same session on the same machine. Absent torch is reported, not an error.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { packageRoot } from '../paths.ts';
import { join } from 'node:path';

export interface TorchRow { method: string; median_ms: number; iqr_ms: number; tokens_per_s: number; trainable: number }
export interface TorchResult { torch: string; threads: number; python: string; rows: TorchRow[] }

export function runTorchReference(o: { threads?: number; repeats?: number; warmup?: number; methods?: string[] } = {}): TorchResult | { unavailable: string } {
  const python = '/usr/bin/python3';
  if (!existsSync(python)) return { unavailable: `${python} not found` };
  const script = join(packageRoot, 'bench', 'torch', 'ref_step.py');
  const args = [`threads=${o.threads ?? 1}`, `repeats=${o.repeats ?? 10}`, `warmup=${o.warmup ?? 3}`, `methods=${(o.methods ?? ['full', 'lora', 'ptuning-v2']).join(',')}`];
  const r = spawnSync(python, [script, ...args], { encoding: 'utf8', timeout: 600_000 });
  if (r.status !== 0) {
    const why = /No module named 'torch'/.test(r.stderr) ? 'python3-torch is not installed (apt-get install python3-torch)' : (r.stderr || r.error?.message || 'failed').trim().split('\n').pop()!;
    return { unavailable: why };
  }
  return JSON.parse(r.stdout) as TorchResult;
}
