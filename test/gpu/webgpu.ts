/**
 * Helpers of the WebGPU tests: the same `ledgerlab` command on wasm and on WebGPU (Mesa's lavapipe, the software
 * Vulkan device `scripts/setup-system.sh test` installs), side by side, each in its own process (a backend is
 * chosen once per process) with its own results and base cache, so each side pretrains on its own backend.
 * The two run at once: the machine has 2 cores, and lavapipe's shader compiles dominate the WebGPU side.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, type CliResult } from '../helpers/cli.ts';

export type Side = 'wasm' | 'webgpu';

/**
 * Losses (training steps, evaluation) of a WebGPU run within this of wasm's, relative: float32 on both sides,
 * reductions summed in another order, a few steps of training (observed: < 1e-6). device-parity's one-step loss
 * tolerance, kept for runs of up to 6 steps.
 */
export const LOSS_REL_TOL = 1e-4;

/** `ledgerlab ARGS` with LEDGERLAB_BACKEND=side, asynchronously; `root` gets results/ and the base cache. */
export function ledgerlabOn(side: Side, args: string[], root: string, timeoutMs = 240_000): Promise<CliResult> {
  const env: NodeJS.ProcessEnv = { ...process.env, LEDGERLAB_BACKEND: side, LEDGERLAB_RESULTS: join(root, 'results'), LEDGERLAB_CACHE: join(root, 'cache'), LEDGERLAB_QUIET: '1' };
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(repoRoot, 'bin', 'ledgerlab.js'), '--debug', ...args], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export interface SideRun { side: Side; root: string; result: CliResult }

/** The same command on both sides, at once. */
export async function onBoth(args: string[]): Promise<Record<Side, SideRun>> {
  const sides: Side[] = ['wasm', 'webgpu'];
  const runs = await Promise.all(sides.map(async (side) => {
    const root = mkdtempSync(join(tmpdir(), `ll-${side}-`));
    return { side, root, result: await ledgerlabOn(side, args, root) };
  }));
  return { wasm: runs[0]!, webgpu: runs[1]! };
}

/** Why a side failed, for an assertion message: its exit code and the end of its stderr (the stack, with --debug). */
export function failure(r: SideRun): string {
  return `${r.side} exited ${r.result.code}: ${r.result.stderr.split('\n').filter((l) => !/artificially reduced/.test(l)).slice(-25).join('\n')}`;
}

export interface RunFiles { runId: string; record: { status: string; summary?: Record<string, unknown>; error?: unknown }; metrics: Record<string, unknown>[] }

/** Every run folder a side wrote: run.json and metrics.jsonl, by run id without the config hash. */
export function runsOf(r: SideRun): RunFiles[] {
  const dir = join(r.root, 'results');
  return readdirSync(dir).filter((d) => !d.startsWith('.') && !d.startsWith('_')).flatMap((runId) => {
    try {
      const record = JSON.parse(readFileSync(join(dir, runId, 'run.json'), 'utf8'));
      const metrics = readFileSync(join(dir, runId, 'metrics.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
      return [{ runId, record, metrics }];
    } catch {
      return [];
    }
  }).sort((a, b) => a.runId.localeCompare(b.runId));
}

/** Relative difference, 0 when both are 0. */
export const rel = (a: number, b: number): number => (a === b ? 0 : Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b)));

/**
 * The numbers at the same paths of two JSON values whose relative difference exceeds `tol` (keys matching `skip`
 * are left out: timings, hashes, byte counts measured from memory). Paths name what differs.
 */
export function numbersApart(a: unknown, b: unknown, tol: number, skip: RegExp, path = ''): string[] {
  if (typeof a === 'number' && typeof b === 'number') {
    return Number.isNaN(a) && Number.isNaN(b) ? [] : rel(a, b) > tol ? [`${path}: wasm ${a} vs webgpu ${b}`] : [];
  }
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].filter((k) => !skip.test(k)).flatMap((k) => numbersApart((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], tol, skip, path ? `${path}.${k}` : k));
  }
  return [];
}
