/**
 * Issue 20 point 15: long work shows progress. Plain lines at an interval when stderr is not a TTY; one row
 * per `run --jobs` worker redrawn in place on a terminal; pretraining and generation report too. The board is
 * checked by replaying its output through a tiny terminal model; the CLI with real processes, both with a
 * pipe and with a real pseudo-terminal (`script`).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { Progress, ProgressBoard, parseProgressLine, progressEveryS } from '../../lib/measure/index.ts';
import { repoRoot } from '../helpers/cli.ts';

/** Replays text with \n, \r, ESC[nA (cursor up) and ESC[2K (clear line) onto a screen of lines. */
function screen(out: string): string[] {
  const lines: string[] = [''];
  let row = 0, col = 0;
  for (let i = 0; i < out.length; i++) {
    const ch = out[i];
    if (ch === '\x1b') {
      const m = /^\x1b\[(\d*)([AK])/.exec(out.slice(i));
      if (!m) continue;
      if (m[2] === 'A') row = Math.max(0, row - Number(m[1] || 1));
      else lines[row] = '';
      i += m[0].length - 1;
    } else if (ch === '\n') {
      row++;
      col = 0;
      while (lines.length <= row) lines.push('');
    } else if (ch === '\r') col = 0;
    else {
      const l = lines[row].padEnd(col);
      lines[row] = l.slice(0, col) + ch + l.slice(col + 1);
      col++;
    }
  }
  while (lines.length && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

function sink(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (d) => (text += d));
  return { stream, text: () => text };
}

test('Progress off a TTY: a plain line per interval and always the last step; format parses back', () => {
  const s = sink();
  const bar = new Progress({ total: 5, label: 'train lora', everyS: 3600, stream: s.stream as never, quiet: false });
  for (let i = 1; i <= 5; i++) bar.update(i, { loss: 2.5 });
  const lines = s.text().trim().split('\n');
  assert.is(lines.length, 2, 'the first line (interval elapsed since start) and the final step');
  assert.match(lines[1], /^train lora 5\/5  loss 2\.500  eta 0s$/);
  assert.equal(parseProgressLine(lines[1]), { label: 'train lora', step: 5, total: 5 });
  assert.is(parseProgressLine('note: something else'), undefined);
  const every = new Progress({ total: 3, label: 'x', everyS: 0, stream: s.stream as never, quiet: false });
  for (let i = 1; i <= 3; i++) every.update(i);
  assert.is(s.text().trim().split('\n').length, 5);
});

test('LEDGERLAB_PROGRESS_EVERY_S sets the interval (bad values fall back to 10)', () => {
  const old = process.env.LEDGERLAB_PROGRESS_EVERY_S;
  try {
    for (const [v, want] of [['2.5', 2.5], ['0', 0], ['-1', 10], ['soon', 10], ['', 10]] as const) {
      process.env.LEDGERLAB_PROGRESS_EVERY_S = v;
      assert.is(progressEveryS(), want, v);
    }
  } finally {
    if (old === undefined) delete process.env.LEDGERLAB_PROGRESS_EVERY_S;
    else process.env.LEDGERLAB_PROGRESS_EVERY_S = old;
  }
});

test('ProgressBoard on a TTY: one row per worker, redrawn in place; messages stay above; rows go when done', () => {
  const s = sink();
  const board = new ProgressBoard({ stream: s.stream as never, tty: true, quiet: false });
  board.add('run-a');
  board.add('run-b');
  board.write('run-a', 'train 1/6  loss 2.0  eta 5s\ntrain 2/6  loss 1.9  eta 4s\n');
  board.write('run-b', 'train 1/6  loss 2.2  eta 6s\nnote: using synth');
  assert.equal(screen(s.text()), ['[run-a] train 2/6  loss 1.9  eta 4s', '[run-b] train 1/6  loss 2.2  eta 6s']);
  board.write('run-b', 'etic data\ngenerate 4/8  ex/s 3.0  eta 1s\n');
  assert.equal(screen(s.text()), ['[run-b] note: using synthetic data', '[run-a] train 2/6  loss 1.9  eta 4s', '[run-b] generate 4/8  ex/s 3.0  eta 1s']);
  board.around(() => s.stream.write('finished run-a\n'));
  board.remove('run-a');
  assert.equal(screen(s.text()), ['[run-b] note: using synthetic data', 'finished run-a', '[run-b] generate 4/8  ex/s 3.0  eta 1s']);
  board.remove('run-b');
  assert.equal(screen(s.text()), ['[run-b] note: using synthetic data', 'finished run-a']);
});

test('ProgressBoard off a TTY: every line, prefixed with its worker', () => {
  const s = sink();
  const board = new ProgressBoard({ stream: s.stream as never, tty: false, quiet: false });
  board.add('run-a');
  board.write('run-a', 'train 1/2  eta 1s\nwarn');
  board.remove('run-a');
  assert.is(s.text(), '[run-a] starting\n[run-a] train 1/2  eta 1s\n[run-a] warn\n');
});

const fixture = join(repoRoot, 'test', 'fixtures', 'finetune-tiny.json');
const quick = ['--jobs', '2', '--set', 'seeds=[0,1]', '--set', 'train.steps=3', '--set', 'pretrain.steps=3'];
const env = { ...process.env, LEDGERLAB_QUIET: '', LEDGERLAB_PROGRESS_EVERY_S: '0', CI: '' };

test('run --jobs 2 with stderr piped: pretraining, then each worker\'s training and generation as [run] lines', () => {
  const root = mkdtempSync(join(tmpdir(), 'll-progress-'));
  // A fresh cache, so the base is pretrained here (in the parent, before the workers start).
  const r = spawnSync(process.execPath, [join(repoRoot, 'bin/ledgerlab.js'), 'run', fixture, '--root', root, ...quick], { encoding: 'utf8', env: { ...env, LEDGERLAB_CACHE: join(root, 'cache') } });
  assert.is(r.status, 0, r.stderr);
  const lines = r.stderr.trim().split('\n');
  assert.ok(lines.some((l) => /^pretrain 3\/3  loss /.test(l)), 'pretraining progress');
  for (const seed of [0, 1]) {
    const id = /\[(finetune-tiny-[0-9a-f]{8}-s\d)\]/.exec(lines.find((l) => l.includes(`-s${seed}] `))!)![1];
    const mine = lines.filter((l) => l.startsWith(`[${id}] `)).map((l) => l.slice(id.length + 3));
    assert.is(mine[0], 'starting');
    assert.equal(mine.filter((l) => l.startsWith('finetune lora')).map((l) => parseProgressLine(l)!.step), [1, 2, 3], `${id}: ${mine.join(' | ')}`);
    assert.ok(mine.some((l) => /^generate lora 4\/4  ex\/s /.test(l)), `${id} generation: ${mine.join(' | ')}`);
  }
});

test('run --jobs 2 on a terminal: rows per worker are drawn in place and cleared at the end', () => {
  const root = mkdtempSync(join(tmpdir(), 'll-progress-tty-'));
  const cmd = [process.execPath, join(repoRoot, 'bin/ledgerlab.js'), 'run', fixture, '--root', root, ...quick].map((a) => `'${a}'`).join(' ');
  // `script` gives the command a real pseudo-terminal and copies what it draws to our stdout.
  const r = spawnSync('script', ['-qfec', cmd, '/dev/null'], { encoding: 'utf8', env: { ...env, LEDGERLAB_PROGRESS_EVERY_S: '' } });
  assert.is(r.status, 0, r.stdout + r.stderr);
  const out = r.stdout.replace(/\r\n/g, '\n');
  assert.match(out, /\x1b\[2K\[finetune-tiny-[0-9a-f]{8}-s0\] /, 'worker rows are drawn with clear-line');
  assert.match(out, /\x1b\[\d+A/, 'and redrawn in place (cursor up)');
  const final = screen(out).filter((l) => l.trim() !== '');
  assert.equal(final.filter((l) => /^\[finetune-tiny-.*\] (finetune|generate|starting)/.test(l)), [], `no stale rows: ${final.join(' | ')}`);
  assert.equal(final.slice(-1), ['2 runs: 2 finished, 0 skipped (already finished), 0 failed']);
});

test.run();
