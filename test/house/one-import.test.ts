// House rule: one import statement per module per file, in lib/, test/, scripts/ and bench/ (a value import and
// an `import type` of the same path become one statement with inline `type` specifiers). Parsed with
// TypeScript's parser, so multi-line statements and default + named forms count. Side-effect imports
// (`import './x.ts'`), re-exports and dynamic import() are not import statements of bindings and do not count.
// Fix a breach with the codemod, which is idempotent:
//   node_modules/.bin/node scripts/merge-imports.ts
// It leaves (and reports) what it cannot join: a namespace import (`* as x`) beside named imports of the same
// module (TypeScript has no one statement for both: use `x.name`), or a comment inside one of the statements.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import ts from 'typescript';
import { coveredFiles, importGroups, mergeImports } from '../../scripts/merge-imports.ts';
import { root } from './graph.ts';

/** Each module that `text` imports in more than one statement, as "file:line module (N statements)". */
export function repeatedImports(file: string, text: string): string[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  return importGroups(sf)
    .filter((g) => g.length > 1)
    .map((g) => `${file}:${sf.getLineAndCharacterOfPosition(g[1].getStart(sf)).line + 1} ${(g[0].moduleSpecifier as ts.StringLiteral).text} (${g.length} statements)`);
}

test('one import statement per module per file in lib/, test/, scripts/, bench/ (fix: scripts/merge-imports.ts)', () => {
  const files = coveredFiles();
  assert.ok(files.length > 300, `only ${files.length} files found`);
  const bad = files.flatMap((f) => repeatedImports(relative(root, f), readFileSync(f, 'utf8')));
  assert.equal(bad, []);
});

const planted = [
  "// a header comment",
  "import { readFileSync } from 'node:fs';",
  "import 'node:process'; // side effect: kept",
  "import { a, b as c } from './x.ts';",
  "import * as ns from './n.ts';",
  "import type { T } from './x.ts'; // why T",
  "import { d } from './n.ts';",
  "import type { U } from './y.ts';",
  "import type { V } from './y.ts';",
  "import {",
  "  e,",
  "  type W,",
  "} from './x.ts';",
  "import cfg from './c.json' with { type: 'json' };",
  "import { other } from './c.json';",
  "import { a } from './x.ts';",
  "export { z } from './x.ts';",
  "const later = await import('./x.ts');",
].join('\n');

test('a planted breach is caught (value + type, two type-only, multi-line, repeated name, namespace + named)', () => {
  assert.equal(repeatedImports('p.ts', planted), ['p.ts:6 ./x.ts (4 statements)', 'p.ts:7 ./n.ts (2 statements)', 'p.ts:9 ./y.ts (2 statements)']);
  // A side-effect import beside one with bindings, a re-export and a dynamic import are not repeats.
  assert.equal(repeatedImports('q.ts', "import './x.ts';\nimport { a } from './x.ts';\nexport { b } from './x.ts';\nconst c = await import('./x.ts');"), []);
});

test('the codemod merges into the first statement with inline type specifiers, keeps comments and side effects, and is idempotent', () => {
  const r = mergeImports('p.ts', planted);
  assert.equal(r.text.split('\n'), [
    "// a header comment",
    "import { readFileSync } from 'node:fs';",
    "import 'node:process'; // side effect: kept",
    "import { a, b as c, type T, e, type W } from './x.ts';",
    "import * as ns from './n.ts';",
    "// why T",
    "import { d } from './n.ts';",
    "import type { U, V } from './y.ts';",
    "import cfg from './c.json' with { type: 'json' };",
    "import { other } from './c.json';",
    "export { z } from './x.ts';",
    "const later = await import('./x.ts');",
  ]);
  assert.equal(r.merged, ['./x.ts (4 statements)', './y.ts (2 statements)']);
  // The namespace import and the named one cannot be one statement: left for a person (`ns.d`), and reported.
  assert.equal(r.left, ['./n.ts (a namespace import cannot share a statement with other bindings)']);
  assert.equal(repeatedImports('p.ts', r.text), ['p.ts:7 ./n.ts (2 statements)']);
  assert.is(mergeImports('p.ts', r.text).text, r.text, 'a second run changes nothing');
  // A value import of a name also imported as a type keeps the value; a default joins the named ones.
  assert.is(mergeImports('d.ts', "import type { A } from 'm';\nimport D from 'm';\nimport { A as B, A } from 'm';\n").text, "import D, { A, A as B } from 'm';\n");
  // A long merged statement is wrapped, one name list per line.
  const names = Array.from({ length: 30 }, (_, i) => `name${i}`);
  const long = mergeImports('l.ts', `import { ${names.slice(0, 15).join(', ')} } from './m.ts';\nimport type { ${names.slice(15).join(', ')} } from './m.ts';\n`).text;
  assert.match(long, /^import \{\n  name0, name1, .*,\n  .*type name29,\n\} from '\.\/m\.ts';\n$/s);
  assert.ok(long.split('\n').every((l) => l.length <= 122), long);
  // A comment inside one of the statements: left for a person, and reported.
  const inner = "import { a } from './x.ts';\nimport {\n  b, // keep me\n} from './x.ts';\n";
  assert.is(mergeImports('i.ts', inner).text, inner);
  assert.equal(mergeImports('i.ts', inner).left, ['./x.ts (a comment inside the statement; merge by hand)']);
});

test.run();
