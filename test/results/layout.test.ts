/**
 * Issue 20 point 13: a fresh clone has the documented top-level `results/` folder (a committed placeholder)
 * while whatever runs write there stays out of git.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { repoRoot } from '../helpers/cli.ts';

const git = (...args: string[]) => spawnSync('git', args, { cwd: repoRoot, encoding: 'utf8' });

test('results/README.md is committed (so a clone has results/)', () => {
  assert.is(git('ls-tree', '--name-only', 'HEAD', 'results/').stdout.trim(), 'results/README.md');
});

test('run folders and reports under results/ are ignored; the placeholder is not', () => {
  const r = git('check-ignore', '--no-index', 'results/speedup-x-s0/run.json', 'results/reports/x/report.html', 'results/README.md');
  const ignored = r.stdout.trim().split('\n');
  assert.equal(ignored, ['results/speedup-x-s0/run.json', 'results/reports/x/report.html']);
});

test.run();
