/**
 * Fixture runs for the UI tests, made by the real CLI on a temp results root: two tiny finetune runs that
 * differ in train.lr (compare, chat side by side) and a smoke-sized simulate sweep (incentive heat map).
 * About 5–10 s in all; the pretrained base comes from the shared cache after its first build.
 */
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { ledgerlab, repoRoot } from '../helpers/cli.ts';
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

export function makeFixtures(root: string): Fixtures {
  const env = { LEDGERLAB_RESULTS: root };
  const a = ledgerlab(['run', TINY, '--set', SWEEP], { env });
  if (a.code !== 0) throw new Error(`fixture run failed: ${a.stderr}`);
  const s = ledgerlab(['simulate', join(repoRoot, 'experiments', 'sim-quick.json'), '--root', root], { env });
  if (s.code !== 0) throw new Error(`fixture simulate failed: ${s.stderr}`);
  const simulate = /recorded: (\S+)/.exec(s.stdout)![1].split('/').pop()!;
  return { finetune: planExperiment(TINY, [SWEEP]).runs.map((r) => r.runId), simulate };
}
