// House rule: an error thrown in lib/ is a LedgerLabError (lib/errors.ts: kind, code, issues with paths), so
// the CLI, --json and run records can report every failure the same way. Checked with TypeScript's parser on
// every `throw new X(…)`; rethrowing a caught value (`throw err`) is fine.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import ts from 'typescript';
import { lib, root, walk } from './graph.ts';

/** Classes a library's protocol asks for: BullMQ fails a job without retries on an UnrecoverableError. */
const PROTOCOL = new Set(['LedgerLabError', 'UnrecoverableError']);

/** Every `throw new C(…)` whose class C is not LedgerLabError (or a protocol class), as "file: C". */
export function foreignThrows(file: string, text: string): string[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const out: string[] = [];
  const visit = (n: ts.Node): void => {
    if (ts.isThrowStatement(n) && n.expression && ts.isNewExpression(n.expression)) {
      const cls = n.expression.expression.getText(sf);
      if (!PROTOCOL.has(cls)) out.push(`${file}: ${cls}`);
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return out;
}

/**
 * Plain throws left when the rule came (issue 31). One is left, and stays: lib/paths.ts cannot import
 * lib/errors.ts (both are layer 0, and a layer imports only lower ones), so finding no package root is a plain
 * Error. One entry per file and class; the list may only shrink.
 */
const PENDING = new Set([
  'lib/paths.ts: Error',
]);

const found = walk(lib).map((f) => relative(root, f)).filter((f) => !f.startsWith('lib/ledger/bindings/'))
  .flatMap((f) => foreignThrows(f, readFileSync(`${root}/${f}`, 'utf8')));

test('lib/ throws LedgerLabError only (but the pending list)', () => {
  assert.equal([...new Set(found)].filter((t) => !PENDING.has(t)), []);
});

test('the pending list only shrinks: a fixed file leaves it', () => {
  assert.equal([...PENDING].filter((p) => !found.includes(p)), []);
});

test('a planted plain throw is caught; LedgerLabError and rethrows are not', () => {
  const text = [
    "throw new RangeError('x');",
    "function f() { if (1) throw new Error('y'); }",
    "throw new LedgerLabError({ kind: 'data', problem: 'z' });",
    'try { f(); } catch (err) { throw err; }',
  ].join('\n');
  assert.equal(foreignThrows('x.ts', text), ['x.ts: RangeError', 'x.ts: Error']);
});

test.run();
