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
import { expectedShapes, loadPretrained } from '../model/index.ts';

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

/** With `dir`, loads that checkpoint (any HF directory) instead of writing a random one. */
export function benchLoad(o: { model: RandomLlama; dtype: 'F32' | 'F16' | 'BF16'; quants: string[]; repeats: number; dir?: string; log?: (s: string) => void }): LoadBenchResult {
  const dir = o.dir ?? mkdtempSync(join(tmpdir(), 'll-bench-load-'));
  try {
    const given = o.dir ? checkpointFacts(o.dir) : undefined;
    if (!given) o.log?.(`writing a random llama checkpoint (${o.dtype}) to ${dir} …`);
    const params = given?.params ?? writeRandomLlama(dir, o.model, o.dtype);
    const fileMB = given?.fileMB ?? statSync(join(dir, 'model.safetensors')).size / MB;
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
    return { params, fileMB, dtype: given ? 'as stored' : o.dtype, rows };
  } finally {
    if (!o.dir) rmSync(dir, { recursive: true, force: true });
  }
}

/** Parameters and weight-file size of a checkpoint directory (shards included). */
function checkpointFacts(dir: string): { params: number; fileMB: number } {
  const p = loadPretrained(dir);
  let params = 0;
  for (const shape of expectedShapes(p.config).values()) params += shape.reduce((a, b) => a * b, 1);
  return { params, fileMB: p.files.reduce((sum, f) => sum + statSync(f).size, 0) / MB };
}
