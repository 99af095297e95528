// scripts/device-check.sh on this machine (no GPU; Mesa's lavapipe, installed by setup-system.sh test): it must get
// to its "no GPU adapter" exit cleanly, saying that only a software adapter exists, with a JSON summary that says
// so; with no argument it is a usage error.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../helpers/cli.ts';

const script = join(repoRoot, 'scripts', 'device-check.sh');

test('no GPU here, only lavapipe: exit 3 after the probe, "software adapter only", nothing was benchmarked', () => {
  const out = join(mkdtempSync(join(tmpdir(), 'device-check-')), 'nested', 'summary.json');
  const r = spawnSync('bash', [script, out], { encoding: 'utf8', timeout: 120_000, env: { ...process.env, LEDGERLAB_BACKEND: undefined } as NodeJS.ProcessEnv });
  assert.is(r.status, 3, r.stderr);
  assert.match(r.stderr, 'device-check: no GPU device node (/dev/dri/renderD*, /dev/nvidia0, /dev/dxg): nothing to install for a GPU');
  assert.match(r.stderr, 'device-check: stopped: software adapter only, no GPU adapter — nothing to check on this machine');
  assert.not.match(r.stderr, 'stopped at step', 'no adapter is not a failed step');
  const s = JSON.parse(readFileSync(out, 'utf8'));
  assert.is(s.schemaVersion, 1);
  assert.is(s.status, 'no-gpu-adapter');
  assert.is(s.backend, null);
  assert.is(s.adapter.isFallbackAdapter, true, 'the software adapter is recorded, as one');
  assert.match(s.reason, /^no GPU adapter — webgpu: software adapter only \(mesa software llvmpipe[^)]*\); tfjs-node-gpu: not installed/);
  assert.is(s.stoppedAt, null);
  assert.equal(s.tests, []);
  assert.equal(s.tokensPerSecond, {});
  assert.match(s.commit, /^[0-9a-f]{40}$/);
  assert.ok(Date.parse(s.finishedAt) >= Date.parse(s.startedAt));
});

test('usage: OUT.json is required', () => {
  const r = spawnSync('bash', [script], { encoding: 'utf8' });
  assert.is(r.status, 2);
  assert.match(r.stderr, 'usage: bash scripts/device-check.sh OUT.json');
  assert.not.ok(existsSync(join(repoRoot, 'OUT.json')));
});

test.run();
