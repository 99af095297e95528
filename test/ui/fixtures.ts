/**
 * Fixture runs for the UI tests, made by the real CLI on a temp results root: two tiny finetune runs that
 * differ in train.lr (compare, chat side by side) and a smoke-sized simulate sweep (incentive heat map).
 * About 5–10 s in all; the pretrained base comes from the shared cache after its first build.
 */
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { repoRoot } from '../helpers/cli.ts';
import { planExperiment } from '../../lib/experiments/index.ts';

export const TINY = join(repoRoot, 'test', 'fixtures', 'finetune-tiny.json');
export const SWEEP = 'sweep={"train.lr":[0.005,0.02]}';

export function tinySpec(overrides: { name: string; steps: number; checkpointEvery?: number }) {
  const spec = JSON.parse(readFileSync(TINY, 'utf8'));
  spec.name = overrides.name;
  spec.config.train = { ...spec.config.train, steps: overrides.steps, evalEvery: 0, logEvery: 1, checkpointEvery: overrides.checkpointEvery ?? 5 };
  spec.config.eval = { count: 2, maxNew: 4 };
  return spec;
}

export interface Fixtures { finetune: string[]; simulate: string }

function cli(args: string[], root: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(repoRoot, 'bin', 'ledgerlab.js'), ...args], { env: { ...process.env, LEDGERLAB_RESULTS: root }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`ledgerlab ${args.join(' ')} exited ${code}: ${err}`))));
  });
}

/** The finetune pair and the simulate sweep, made at the same time by two real `ledgerlab` processes. */
export async function makeFixtures(root: string): Promise<Fixtures> {
  const [, sim] = await Promise.all([
    cli(['run', TINY, '--set', SWEEP], root),
    cli(['simulate', join(repoRoot, 'experiments', 'sim-quick.json'), '--root', root], root),
  ]);
  const simulate = /recorded: (\S+)/.exec(sim)![1].split('/').pop()!;
  return { finetune: planExperiment(TINY, [SWEEP]).runs.map((r) => r.runId), simulate };
}
