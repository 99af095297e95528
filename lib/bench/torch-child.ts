/**
 * The PyTorch reference as a persistent child process (bench/torch/step_server.py): started once per model,
 * it builds the model on `load` and runs one training step per `step`, replying with the step's own wall and
 * CPU ms, so the timing engine can alternate PyTorch steps with LedgerLab's inside each round. Thread-count
 * variables are set in the child's environment before torch loads. Tests drive the same protocol with a fake
 * child (any command speaking it).
 *
 * @example
 * const child = await TorchChild.start({ threads: 1, config: { arch: 'llama', method: 'lora', layers: 8, … } });
 * const { wallMs, cpuMs } = await child.step();
 * child.close();
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../paths.ts';
import { LedgerLabError } from '../errors.ts';
import type { StepTimes } from '../measure/index.ts';

export interface TorchInfo {
  trainable: number;
  torch: string;
  threads: number;
  processThreads: number | null;
  python: string;
  env: Record<string, string | null>;
}

export interface TorchChildOptions {
  threads: number;
  /** What `load` gets: arch, method and the sizes (layers, d, heads, kv, ffn, context, seq, batch, vocab). */
  config: Record<string, string | number>;
  /** The child command and its arguments (default /usr/bin/python3 bench/torch/step_server.py). */
  command?: string;
  args?: string[];
}

export const THREAD_VARS = ['OPENBLAS_NUM_THREADS', 'OMP_NUM_THREADS', 'MKL_NUM_THREADS'] as const;

/** The methods each reference script implements (hf: a llama, qwen2 or mistral checkpoint directory). */
export const TORCH_METHODS = {
  gpt2: ['full', 'lora', 'ptuning-v2', 'ptuning-v1', 'qlora'], llama: ['full', 'lora', 'ptuning-v2', 'ptuning-v1', 'qlora'], hf: ['full', 'lora', 'ptuning-v2', 'qlora'],
} as const;

/**
 * What `load` takes: gpt2 runs bench/torch/ref_step.py's model and llama bench/torch/llama_step.py's at these
 * sizes; hf runs bench/torch/hf_step.py on the checkpoint directory's own config and weights.
 */
export type TorchShape =
  | { arch: 'gpt2' | 'llama'; layers: number; d: number; heads: number; kv?: number; ffn?: number; context?: number; seq: number; batch: number; vocab: number }
  | { arch: 'hf'; dir: string; seq: number; batch: number };

export class TorchChild {
  private readonly waiting: ((line: string) => void)[] = [];
  private exited: string | undefined;
  info!: TorchInfo;

  private readonly proc: ChildProcessWithoutNullStreams;
  private readonly label: string;

  private constructor(proc: ChildProcessWithoutNullStreams, label: string) {
    this.proc = proc;
    this.label = label;
    createInterface({ input: proc.stdout }).on('line', (line) => this.waiting.shift()?.(line));
    let err = '';
    proc.stderr.on('data', (d) => (err += d));
    proc.on('exit', (code, signal) => {
      this.exited = `${label} exited (${signal ?? code}): ${err.trim().split('\n').pop() ?? ''}`;
      for (const w of this.waiting.splice(0)) w(JSON.stringify({ error: this.exited }));
    });
  }

  /** Starts the child and loads the model; `{ unavailable }` when Python or torch is missing. */
  static async start(o: TorchChildOptions): Promise<TorchChild | { unavailable: string }> {
    const command = o.command ?? '/usr/bin/python3';
    if (!o.command && !existsSync(command)) return { unavailable: `${command} not found` };
    const args = o.args ?? [join(packageRoot, 'bench', 'torch', 'step_server.py')];
    const n = String(o.threads);
    const env = { ...process.env, ...Object.fromEntries(THREAD_VARS.map((k) => [k, n])) };
    const child = new TorchChild(spawn(command, args, { env, stdio: ['pipe', 'pipe', 'pipe'] }), `${command} ${args.join(' ')}`);
    const reply = await child.request(`load ${JSON.stringify({ ...o.config, threads: o.threads })}`);
    if ('error' in reply) {
      child.close();
      const why = String(reply.error);
      return { unavailable: /No module named 'torch'/.test(why) ? 'python3-torch is not installed (apt-get install python3-torch)' : why };
    }
    child.info = reply as unknown as TorchInfo;
    return child;
  }

  private request(line: string): Promise<Record<string, unknown>> {
    if (this.exited) return Promise.resolve({ error: this.exited });
    return new Promise((resolve) => {
      this.waiting.push((text) => {
        try {
          resolve(JSON.parse(text) as Record<string, unknown>);
        } catch {
          resolve({ error: `not a protocol line: ${text.slice(0, 200)}` });
        }
      });
      this.proc.stdin.write(`${line}\n`);
    });
  }

  /** One PyTorch step: its own wall and CPU ms (measured in the child, so the pipe's latency is not counted). */
  async step(): Promise<StepTimes> {
    const r = await this.request('step');
    if ('error' in r || typeof r.wall_ms !== 'number' || typeof r.cpu_ms !== 'number') {
      throw new LedgerLabError({ kind: 'runtime', problem: `the PyTorch reference step failed: ${String(r.error ?? JSON.stringify(r))}`, where: this.label, hint: 'run `/usr/bin/python3 bench/torch/llama_step.py` by hand to see the error' });
    }
    return { wallMs: r.wall_ms, cpuMs: r.cpu_ms };
  }

  close(): void {
    if (this.exited) return;
    this.proc.stdin.end('quit\n');
  }
}
