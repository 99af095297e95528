// The one JSON-lines reader and its truncate-to-checkpoint (used by the training loop and the drift kind).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readJsonl, truncateJsonl } from '../../lib/util/index.ts';
import { LedgerLabError } from '../../lib/errors.ts';

const dir = mkdtempSync(join(tmpdir(), 'll-jsonl-'));

test('readJsonl: skips blank lines, drops a torn last line, names file:line of a corrupt one', () => {
  const p = join(dir, 'a.jsonl');
  writeFileSync(p, '{"step":1}\n\n{"step":2}\n{"step":3,"lo');
  assert.equal(readJsonl(p), [{ step: 1 }, { step: 2 }]);
  writeFileSync(p, '{"step":1}\n{oops\n{"step":2}\n');
  try {
    readJsonl(p);
    assert.unreachable('a corrupt middle line is an error');
  } catch (err) {
    assert.instance(err, LedgerLabError);
    assert.is((err as LedgerLabError).where, `${p}:2`);
    assert.is((err as LedgerLabError).code, 'data.invalid_json_line');
  }
});

test('truncateJsonl keeps what the checkpoint covers, byte-for-byte, and drops a killed writer\'s torn tail', () => {
  const p = join(dir, 'metrics.jsonl');
  writeFileSync(p, '{"step":1,"loss":2.5}\n{"note":"no step"}\n{"step":2, "loss":2.25}\n{"step":3,"loss":2}\n{"step":4,"lo');
  const kept = truncateJsonl(p, (l) => typeof l.step !== 'number' || l.step <= 2);
  assert.equal(kept, [{ step: 1, loss: 2.5 }, { note: 'no step' }, { step: 2, loss: 2.25 }]);
  assert.is(readFileSync(p, 'utf8'), '{"step":1,"loss":2.5}\n{"note":"no step"}\n{"step":2, "loss":2.25}\n');
  assert.equal(truncateJsonl(p, () => true), kept, 'idempotent');
});

test('truncateJsonl on a missing file: nothing kept, no file created', () => {
  const p = join(dir, 'none.jsonl');
  assert.equal(truncateJsonl(p, () => true), []);
  assert.not.ok(existsSync(p));
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
