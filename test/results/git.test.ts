/**
 * Issue 20 point 11: the git commit in run records comes from the repository holding the code, so a run
 * started from another directory (here a temp folder outside any checkout) still records it.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gitState } from '../../lib/results/index.ts';
import { repoRoot } from '../helpers/cli.ts';

const head = spawnSync('git', ['rev-parse', 'HEAD'], { cwd: repoRoot, encoding: 'utf8' }).stdout.trim();

test('gitState reads the code repository whatever the current directory', () => {
  assert.match(head, /^[0-9a-f]{40}$/);
  assert.is(gitState().commit, head);
  assert.equal(gitState(mkdtempSync(join(tmpdir(), 'll-nogit-'))), { commit: null, dirty: false }, 'an explicit folder outside a checkout has no commit');
});

test('a run started from a directory outside the checkout records the code commit', () => {
  const elsewhere = mkdtempSync(join(tmpdir(), 'll-elsewhere-'));
  assert.is.not(spawnSync('git', ['rev-parse', 'HEAD'], { cwd: elsewhere }).status, 0, 'the temp folder is not in a checkout');
  const code = `
    import { startRun } from ${JSON.stringify(join(repoRoot, 'lib/results/index.ts'))};
    const run = await startRun({ root: 'results', kind: 'smoke', name: 'elsewhere', config: {}, seeds: [0], environment: {} });
    run.finish();
    console.log(run.dir);`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { cwd: elsewhere, encoding: 'utf8' });
  assert.is(r.status, 0, r.stderr);
  const dir = r.stdout.trim();
  assert.ok(dir.startsWith(join(elsewhere, 'results')), dir);
  const rec = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8'));
  assert.is(rec.git.commit, head);
  assert.type(rec.git.dirty, 'boolean');
});

test.run();
