/**
 * Times the main job's base pretraining in this checkout: speedup-quick's data and `pretrain` section (600
 * steps), from an empty cache, in this process. Prints one JSON line: wall and CPU seconds, the commit.
 * Used to compare the engine before and after a change back to back (docs/measurements/): run it
 * alternately in two checkouts on a quiet machine.
 *
 *   node_modules/.bin/node scripts/pretrain-speed.ts
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';

const cache = mkdtempSync(join(tmpdir(), 'll-pretrain-'));
process.env.LEDGERLAB_CACHE = cache;
const { speedupKind } = await import('../lib/experiments/speedup/kind.ts');
const config = speedupKind.configSchema.parse(JSON.parse(readFileSync(new URL('../experiments/speedup-quick.json', import.meta.url), 'utf8')).config);
const c0 = process.cpuUsage();
const t0 = performance.now();
await speedupKind.prepare!(config, false);
const cpu = process.cpuUsage(c0);
rmSync(cache, { recursive: true, force: true });
const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
console.log(JSON.stringify({ commit, wallS: (performance.now() - t0) / 1000, cpuS: (cpu.user + cpu.system) / 1e6, steps: config.pretrain.steps }));
