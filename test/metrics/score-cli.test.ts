/**
 * `ledgerlab score` and `ledgerlab bench score`, run in-process through the same flag parser the CLI uses
 * (the commands are wired into lib/cli/commands/index.ts by the lead), on real files in a temp folder.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCommandArgs } from '../../lib/cli/args.ts';
import { scoreCommand, benchScoreCommand } from '../../lib/cli/commands/index.ts';
import type { Command } from '../../lib/cli/command.ts';
import { LedgerLabError, exitCodeOf, formatError } from '../../lib/errors.ts';
import { rougeScores, bleu4En, zhScores } from '../../lib/metrics/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'ledgerlab-score-'));
const file = (name: string, lines: string[]): string => {
  const p = join(dir, name);
  writeFileSync(p, lines.join('\n') + '\n');
  return p;
};

async function run(cmd: Command, argv: string[]): Promise<{ out: string; err: string; error?: unknown }> {
  const out: string[] = [], err: string[] = [];
  const log = console.log, error = console.error;
  console.log = (...a: unknown[]) => { out.push(a.join(' ')); };
  console.error = (...a: unknown[]) => { err.push(a.join(' ')); };
  try {
    await cmd.run(parseCommandArgs(cmd, argv));
    return { out: out.join('\n'), err: err.join('\n') };
  } catch (e) {
    return { out: out.join('\n'), err: err.join('\n'), error: e };
  } finally {
    console.log = log; console.error = error;
  }
}

const en = file('en.jsonl', [
  JSON.stringify({ prediction: 'the cat sat on the mat', reference: 'the cat is on the mat' }),
  '',
  JSON.stringify({ prediction: 'dogs running fast', reference: ['a dog runs fast', 'dogs were running'] }),
  JSON.stringify({ prediction: '这是中文', reference: 'english words' }),
]);

test('--json: items in input order with rouge1/2/L/Lsum P/R/F and bleu4; corpus means with CIs', async () => {
  const r = await run(scoreCommand, [en, '--json']);
  assert.is(r.error, undefined);
  const j = JSON.parse(r.out);
  assert.is(j.items.length, 3);
  assert.equal(Object.keys(j.items[0]), ['rouge1', 'rouge2', 'rougeL', 'rougeLsum', 'bleu4']);
  assert.equal(j.items[0].rouge1, rougeScores('the cat is on the mat', 'the cat sat on the mat').rouge1);
  assert.is(j.items[0].bleu4, bleu4En(['the cat is on the mat'], 'the cat sat on the mat'));
  assert.is(j.items[2].rouge1.fmeasure, 0);
  assert.match(j.items[2].warnings[0], 'scores 0');
  assert.match(r.err, `${en}:4`); // the warning names file:line
  const mean = (j.items[0].rouge1.fmeasure + j.items[1].rouge1.fmeasure + 0) / 3;
  assert.ok(Math.abs(j.corpus.rouge1.fmeasure.mean - mean) < 1e-15);
  assert.ok(j.corpus.rouge1.fmeasure.lo <= mean && mean <= j.corpus.rouge1.fmeasure.hi);
  assert.equal([j.corpus.n, j.corpus.resamples, j.corpus.seed], [3, 1000, 0]);
  // --stemmer changes item 2 (dogs/running/runs stem together)
  const s = JSON.parse((await run(scoreCommand, [en, '--json', '--stemmer'])).out);
  assert.ok(s.items[1].rouge1.fmeasure > j.items[1].rouge1.fmeasure);
});

test('text output: one line per metric with mean [lo, hi]', async () => {
  const r = await run(scoreCommand, [en, '--seed', '3', '--resamples', '200']);
  assert.match(r.out, '3 items, en');
  assert.match(r.out, /\n  rougeLsum \d\.\d{4} \[\d\.\d{4}, \d\.\d{4}\]/);
  assert.match(r.out, /\n  bleu4 {5}\d\.\d{4}/);
});

test('--lang zh: LLaMA-Factory keys, ×100 rounded', async () => {
  const zh = file('zh.jsonl', [
    JSON.stringify({ prediction: '简约而不简单的牛仔外套', reference: '简约的牛仔外套，白色的衣身十分百搭。' }),
    JSON.stringify({ prediction: '', reference: '牛仔外套' }),
  ]);
  const j = JSON.parse((await run(scoreCommand, [zh, '--lang', 'zh', '--json'])).out);
  assert.equal(j.items[0], zhScores('简约而不简单的牛仔外套', '简约的牛仔外套，白色的衣身十分百搭。'));
  assert.equal(Object.keys(j.items[0]), ['rouge-1', 'rouge-2', 'rouge-l', 'bleu-4']);
  assert.equal(j.items[1], { 'rouge-1': 0, 'rouge-2': 0, 'rouge-l': 0, 'bleu-4': 0 });
  assert.is(j.corpus['rouge-1'].mean, j.items[0]['rouge-1'] / 2);
  const e = await run(scoreCommand, [zh, '--lang', 'zh', '--stemmer']);
  assert.instance(e.error, LedgerLabError);
  assert.is(exitCodeOf(e.error), 2);
});

test('malformed lines: located LedgerLabError, non-zero exit, nothing printed as scored', async () => {
  const bad: [string[], string, string][] = [
    [[JSON.stringify({ prediction: 'a', reference: 'a' }), '', '{"prediction": "a", "reference": '], ':3', 'not valid JSON'],
    [[JSON.stringify({ prediction: 'a', reference: 'a' }), JSON.stringify({ prediction: 1, reference: 'a' })], ':2', '"prediction" is a number'],
    [[JSON.stringify({ prediction: 'a' })], ':1', '"reference" is missing'],
    [[JSON.stringify({ prediction: 'a', reference: [] })], ':1', 'empty list'],
    [[JSON.stringify({ prediction: 'a', reference: ['a', 2] })], ':1', 'non-string'],
    [['[1, 2]'], ':1', 'not a JSON object'],
  ];
  for (const [i, [lines, line, problem]] of bad.entries()) {
    const p = file(`bad${i}.jsonl`, lines);
    const r = await run(scoreCommand, [p, '--json']);
    assert.instance(r.error, LedgerLabError, problem);
    const e = r.error as LedgerLabError;
    assert.is(e.where, p + line);
    assert.match(e.problem, problem);
    assert.is(exitCodeOf(e), 1);
    assert.is(r.out, '', 'nothing on stdout');
    assert.match(formatError(e), `where: ${p}${line}`);
  }
  const missing = await run(scoreCommand, [join(dir, 'nope.jsonl')]);
  assert.is((missing.error as LedgerLabError).kind, 'io');
  const empty = await run(scoreCommand, [file('empty.jsonl', [''])]);
  assert.match((empty.error as LedgerLabError).problem, 'no records');
  const lang = await run(scoreCommand, [en, '--lang', 'fr']);
  assert.is(exitCodeOf(lang.error), 2);
});

test('bench score: small run reports pairs/s median and IQR', async () => {
  const r = await run(benchScoreCommand, ['--pairs', '50', '--words', '20', '--repeats', '3', '--warmup', '0', '--json']);
  assert.is(r.error, undefined);
  const j = JSON.parse(r.out);
  assert.is(j.pairs, 50);
  assert.is(j.ms.n, 3);
  assert.ok(j.pairsPerSecond.median > 0 && j.pairsPerSecond.q1 <= j.pairsPerSecond.median && j.pairsPerSecond.median <= j.pairsPerSecond.q3);
});

test.run();
