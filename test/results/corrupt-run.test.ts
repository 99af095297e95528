/**
 * Issue 20 point 6: one empty or corrupt run.json must not make `runs`, `compare` and `report` fail for every
 * run. Listings skip it with a warning naming the file; a command naming exactly that run still refuses it.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRun, listRuns, findRuns, scanRuns, type SkippedRun } from '../../lib/results/index.ts';
import { ledgerlab } from '../helpers/cli.ts';

const root = mkdtempSync(join(tmpdir(), 'll-corrupt-'));
const emptyRun = join(root, 'smoke-empty', 'run.json');
const cutRun = join(root, 'smoke-cut', 'run.json');

test.before(async () => {
  for (const [i, v] of [3, 5].entries()) {
    const run = await startRun({ root, kind: 'smoke', name: 'tiny', seeds: [i], environment: {}, runId: `smoke-ok-${i}`, config: { seed: i, lr: 0.01 } });
    run.finish({ loss: v });
  }
  mkdirSync(join(root, 'smoke-empty'));
  writeFileSync(emptyRun, '');
  mkdirSync(join(root, 'smoke-cut'));
  writeFileSync(cutRun, '{"schemaVersion": 1, "runId": "smoke-cut", "kind": "sm');
});

test('scanRuns keeps the readable runs and reports each unreadable file with its error', () => {
  const { entries, skipped } = scanRuns(root);
  assert.equal(entries.map((e) => e.record.runId).sort(), ['smoke-ok-0', 'smoke-ok-1']);
  const byDir = Object.fromEntries(skipped.map((s) => [s.dir, s.error]));
  assert.is(byDir[join(root, 'smoke-empty')].problem, 'run record is empty');
  assert.is(byDir[join(root, 'smoke-empty')].where, emptyRun);
  assert.is(byDir[join(root, 'smoke-cut')].problem, 'run record is not valid JSON (unexpected end of input)');
  assert.is(byDir[join(root, 'smoke-cut')].where, `${cutRun}:1:55`);
  const seen: SkippedRun[] = [];
  assert.is(listRuns(root, { onSkip: (s) => seen.push(s) }).length, 2);
  assert.is(seen.length, 2);
});

test('findRuns: a prefix skips the broken runs; naming a broken run refuses it with its error', () => {
  assert.equal(findRuns(['smoke-'], root, { onSkip: () => {} }).map((e) => e.record.runId), ['smoke-ok-0', 'smoke-ok-1']);
  assert.throws(() => findRuns(['smoke-empty'], root), (e: Error & { where?: string }) => e.where === emptyRun);
  assert.throws(() => findRuns([join(root, 'smoke-cut')], root), (e: Error & { where?: string }) => e.where === `${cutRun}:1:55`);
});

test('ledgerlab runs lists the good runs and warns naming each broken file', () => {
  const r = ledgerlab(['runs', '--root', root]);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /smoke-ok-0/);
  assert.match(r.stdout, /smoke-ok-1/);
  assert.not.match(r.stdout, /smoke-empty|smoke-cut/);
  const warnings = r.stderr.trim().split('\n').sort();
  assert.equal(warnings, [
    `warning: skipping run smoke-cut: run record is not valid JSON (unexpected end of input) (at ${cutRun}:1:55)`,
    `warning: skipping run smoke-empty: run record is empty (at ${emptyRun})`,
  ]);
});

test('ledgerlab compare over a prefix works; compare naming the broken run exits 1 naming the file', () => {
  const ok = ledgerlab(['compare', 'smoke-', '--root', root, '--json']);
  assert.is(ok.code, 0, ok.stderr);
  assert.equal(JSON.parse(ok.stdout).groups.map((g: { runIds: string[] }) => g.runIds), [['smoke-ok-0', 'smoke-ok-1']]);
  const bad = ledgerlab(['compare', 'smoke-empty', '--root', root]);
  assert.is(bad.code, 1);
  assert.is(bad.stderr.trim(), `error (data): run record is empty\n  where: ${emptyRun}\n  hint:  the run was killed while its folder was created, or the file was truncated: delete the folder or rerun the experiment`);
});

test('ledgerlab report of the experiment works; a report naming the broken run refuses it', () => {
  const out = join(root, 'report-out');
  const ok = ledgerlab(['report', 'tiny', '--root', root, '--out', out, '--json']);
  assert.is(ok.code, 0, ok.stderr);
  assert.equal(JSON.parse(ok.stdout).runs, ['smoke-ok-0', 'smoke-ok-1']);
  assert.match(ok.stderr, /warning: skipping run smoke-empty/);
  const bad = ledgerlab(['report', 'smoke-cut', '--root', root, '--out', out]);
  assert.is(bad.code, 1);
  assert.match(bad.stderr, `where: ${cutRun}:1:55`);
});

test.run();
