// House rule: no function in lib/ is over 80 lines (generated contract bindings aside). A long function is
// several jobs in one; split it into named steps. Parsed with TypeScript's parser: every function, method,
// arrow function, constructor and accessor with a body counts, from its first line to its last (nested
// functions count in their parent too).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import ts from 'typescript';
import { lib, root, walk } from './graph.ts';

export const MAX_LINES = 80;
/** Generated files: the contract bindings (lib/ledger/gen-bindings.ts writes them). */
const GENERATED = /^lib\/ledger\/bindings\//;

/** Every function in `text` longer than `max` lines, as "file:line name (N lines)". */
export function longFunctions(file: string, text: string, max = MAX_LINES): string[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const out: string[] = [];
  const lineOf = (pos: number) => sf.getLineAndCharacterOfPosition(pos).line + 1;
  const visit = (n: ts.Node): void => {
    if (ts.isFunctionLike(n) && 'body' in n && n.body) {
      const first = lineOf(n.getStart(sf));
      const lines = lineOf(n.getEnd()) - first + 1;
      if (lines > max) out.push(`${file}:${first} ${nameOf(n)} (${lines} lines)`);
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return out;
}

/** A function's name: its own, or the variable, property or method it is assigned to. */
function nameOf(n: ts.Node): string {
  const named = n as { name?: ts.Node };
  if (named.name && (ts.isIdentifier(named.name) || ts.isStringLiteral(named.name))) return named.name.text;
  if (ts.isConstructorDeclaration(n)) return 'constructor';
  const p = n.parent;
  if (p && (ts.isVariableDeclaration(p) || ts.isPropertyAssignment(p) || ts.isPropertyDeclaration(p)) && ts.isIdentifier(p.name)) return p.name.text;
  return '(anonymous)';
}

// The offenders left when the rule came (issue 31) were split in its second pass: no pending list remains.
const offenders = walk(lib).map((f) => relative(root, f)).filter((f) => !GENERATED.test(f))
  .flatMap((f) => longFunctions(f, readFileSync(`${root}/${f}`, 'utf8')));

test(`no function in lib/ is over ${MAX_LINES} lines`, () => {
  assert.equal(offenders, []);
});

test('a planted long function is caught, in every form; a short one is not', () => {
  const body = (n: number) => Array.from({ length: n }, (_, i) => `  x += ${i};`).join('\n');
  const long = body(MAX_LINES - 1); // + the two lines of braces = MAX_LINES + 1
  const text = [
    `export function f() {\n${long}\n}`,
    `const g = () => {\n${long}\n};`,
    `class C { m() {\n${long}\n} }`,
    `const o = { async run(ctx) {\n${long}\n} };`,
    `function ok() {\n${body(MAX_LINES - 2)}\n}`,
  ].join('\n');
  assert.equal(longFunctions('x.ts', text).map((o) => o.replace(/ \(\d+ lines\)$/, '')), ['x.ts:1 f', 'x.ts:82 g', 'x.ts:163 m', 'x.ts:244 run']);
});

test.run();
