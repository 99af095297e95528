/**
 * `bench load`: the peak resident memory of loading a Hugging Face checkpoint into the decoder, per storage
 * dtype, each in a fresh process (bench/load-rss.ts). The checkpoint is a seeded random Llama of ~100M
 * parameters written in the HF layout (random-checkpoint.ts); a quantized load converts tensor by tensor,
 * so its peak should sit near runtime + packed model + one fp32 tensor, far below the fp32 model.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LedgerLabError } from '../errors.ts';
import { packageRoot } from '../paths.ts';
import { summarize } from '../measure/index.ts';
import { childEnv } from '../util/index.ts';
import { writeRandomLlama, type RandomLlama } from './random-checkpoint.ts';

export interface LoadBenchRow {
  quant: string;
  runs: number;
  peakRssMB: { median: number; min: number; max: number };
  /** Peak RSS of the same process before loading (Node, tfjs-wasm, the library). */
  baseRssMB: number;
  loadSeconds: { median: number; min: number; max: number };
  frozenMB: number;
}

export interface LoadBenchResult {
  params: number;
  fileMB: number;
  dtype: string;
  rows: LoadBenchRow[];
}

const MB = 1024 * 1024;
const stat = (xs: number[]) => ({ median: summarize(xs).median, min: Math.min(...xs), max: Math.max(...xs) });

export function benchLoad(o: { model: RandomLlama; dtype: 'F32' | 'F16' | 'BF16'; quants: string[]; repeats: number; log?: (s: string) => void }): LoadBenchResult {
  const dir = mkdtempSync(join(tmpdir(), 'll-bench-load-'));
  try {
    o.log?.(`writing a random llama checkpoint (${o.dtype}) to ${dir} …`);
    const params = writeRandomLlama(dir, o.model, o.dtype);
    const fileMB = statSync(join(dir, 'model.safetensors')).size / MB;
    const rows: LoadBenchRow[] = [];
    for (const quant of o.quants) {
      const runs: Array<{ seconds: number; peakRssBytes: number; rssBeforeBytes: number; frozenBytes: number }> = [];
      for (let i = 0; i < o.repeats; i++) {
        const r = spawnSync(process.execPath, [join(packageRoot, 'bench', 'load-rss.ts'), dir, quant], { encoding: 'utf8', maxBuffer: 1 << 20, env: childEnv() });
        const line = r.stdout.trim().split('\n').pop() ?? '';
        if (r.status !== 0 || !line.startsWith('{')) {
          throw new LedgerLabError({ kind: 'runtime', problem: `loading with quant ${quant} failed: ${(r.stderr || r.error?.message || '').trim().split('\n').slice(-3).join(' | ')}`, where: 'bench load child' });
        }
        runs.push(JSON.parse(line));
        o.log?.(`  ${quant} run ${i + 1}: peak ${(runs[i].peakRssBytes / MB).toFixed(0)} MB, ${runs[i].seconds.toFixed(1)} s`);
      }
      rows.push({
        quant, runs: runs.length,
        peakRssMB: stat(runs.map((r) => r.peakRssBytes / MB)),
        baseRssMB: summarize(runs.map((r) => r.rssBeforeBytes / MB)).median,
        loadSeconds: stat(runs.map((r) => r.seconds)),
        frozenMB: runs[0].frozenBytes / MB,
      });
    }
    return { params, fileMB, dtype: o.dtype, rows };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
