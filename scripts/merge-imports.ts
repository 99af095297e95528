// The codemod behind the house rule "one import statement per module per file" (test/house/one-import.test.ts):
// every file of lib/, test/, scripts/ and bench/ that imports the same module in several statements (say a value
// import and a separate `import type` from the same path) gets one statement, with inline `type` specifiers:
//
//   import { a } from './x.ts';               import { a, type B, c } from './x.ts';
//   import type { B } from './x.ts';    ──>
//   import { c } from './x.ts';
//
// The merged statement takes the place of the first one (module evaluation order is unchanged); the others are
// removed with their line. Side-effect imports (`import './x.ts'`), re-exports, dynamic `import()` and comments
// are left where they are; statements with different import attributes (`with { type: 'json' }`) are not merged.
// When every name is a type the statement stays `import type { … }`, so the module is still not loaded at run
// time. A namespace import (`* as x`) cannot share a statement with named imports; such a pair is left alone and
// reported, and the house test fails until a person writes `x.name` instead. Idempotent: a second run changes
// nothing. Imports are found with TypeScript's parser, so multi-line statements and `import x, { y }` forms count.
//
//   node_modules/.bin/node scripts/merge-imports.ts            # rewrites the files, lists what it merged and left
//   node_modules/.bin/node scripts/merge-imports.ts --check    # changes nothing; exits 1 if a file would change or is left
//   node_modules/.bin/node scripts/merge-imports.ts FILE…      # only these files
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

const root = join(import.meta.dirname, '..');
/** The folders the rule covers. */
export const FOLDERS = ['lib', 'test', 'scripts', 'bench'];

/** Every .ts file under the covered folders (sorted; node_modules and dot-folders skipped). */
export function coveredFiles(base = root): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(dir).sort().flatMap((n) => {
      if (n === 'node_modules' || n.startsWith('.')) return [];
      const p = join(dir, n);
      return statSync(p).isDirectory() ? walk(p) : p.endsWith('.ts') ? [p] : [];
    });
  return FOLDERS.flatMap((f) => walk(join(base, f)));
}

/** An import statement with bindings (a side-effect import has none and is never merged). */
type BindingImport = ts.ImportDeclaration & { importClause: ts.ImportClause };

/** The statements of `sf` that import bindings, grouped by module and import attributes, in file order. */
export function importGroups(sf: ts.SourceFile): BindingImport[][] {
  const groups = new Map<string, BindingImport[]>();
  for (const st of sf.statements) {
    if (!ts.isImportDeclaration(st) || !st.importClause || !ts.isStringLiteralLike(st.moduleSpecifier)) continue;
    const key = `${st.moduleSpecifier.text}\0${st.attributes?.getText(sf) ?? ''}`;
    groups.set(key, [...(groups.get(key) ?? []), st as BindingImport]);
  }
  return [...groups.values()];
}

const hasNamespace = (d: BindingImport) => !!d.importClause.namedBindings && ts.isNamespaceImport(d.importClause.namedBindings);

/**
 * True when the statements cannot become one: a namespace import (`* as x`) beside named imports, another
 * namespace import, a second default, or `import type` (`import d, * as x` is one statement; `import * as x, { y }`
 * and `import type d, * as x` are not TypeScript).
 */
export function unmergeable(group: readonly BindingImport[]): boolean {
  const ns = group.filter(hasNamespace);
  if (ns.length === 0) return false;
  if (ns.length > 1 || group.some((d) => d.importClause.isTypeOnly)) return true;
  return group.some((d) => d !== ns[0] && d.importClause.namedBindings !== undefined) || group.filter((d) => d.importClause.name).length > 1;
}

/** Comments inside a statement (between its first and last token) would be lost by rewriting it. */
function hasInnerComment(d: ts.Node, sf: ts.SourceFile): boolean {
  const text = sf.text.slice(d.getStart(sf), d.getEnd());
  const scanner = ts.createScanner(ts.ScriptTarget.Latest, false, ts.LanguageVariant.Standard, text);
  for (let k = scanner.scan(); k !== ts.SyntaxKind.EndOfFileToken; k = scanner.scan()) {
    if (k === ts.SyntaxKind.SingleLineCommentTrivia || k === ts.SyntaxKind.MultiLineCommentTrivia) return true;
  }
  return false;
}

interface Spec { text: string; key: string; type: boolean }

/** The one statement that imports everything `group` imports. */
function mergedStatement(group: readonly BindingImport[], sf: ts.SourceFile): string {
  const first = group[0];
  // `import type` only when every statement was one: an `import { type A }` still loads its module at run time.
  const allType = group.every((d) => d.importClause.isTypeOnly);
  let defaultName: string | undefined;
  let namespace: string | undefined;
  const specs: Spec[] = [];
  const add = (s: Spec) => {
    const same = specs.find((x) => x.key === s.key);
    if (!same) specs.push(s);
    else if (same.type && !s.type) Object.assign(same, s); // a value import also brings the type
  };
  for (const d of group) {
    const c = d.importClause;
    if (c.name) {
      if (!c.isTypeOnly && defaultName === undefined && !allType) defaultName = c.name.text;
      else if (c.name.text !== defaultName) add({ key: `default→${c.name.text}`, text: `default as ${c.name.text}`, type: c.isTypeOnly });
    }
    if (c.namedBindings && ts.isNamespaceImport(c.namedBindings)) namespace = c.namedBindings.name.text;
    else if (c.namedBindings) {
      for (const e of c.namedBindings.elements) {
        const from = e.propertyName ? e.propertyName.getText(sf) : e.name.text;
        const text = e.propertyName ? `${from} as ${e.name.text}` : e.name.text;
        add({ key: `${from}→${e.name.text}`, text, type: c.isTypeOnly || e.isTypeOnly });
      }
    }
  }
  const names = specs.map((s) => (s.type && !allType ? `type ${s.text}` : s.text));
  const head = allType ? 'import type ' : 'import ';
  const from = ` from ${first.moduleSpecifier.getText(sf)}${first.attributes ? ` ${first.attributes.getText(sf)}` : ''}`;
  const semi = sf.text.slice(first.getStart(sf), first.getEnd()).trimEnd().endsWith(';') ? ';' : '';
  const lead = [defaultName, namespace !== undefined ? `* as ${namespace}` : undefined].filter((x) => x !== undefined);
  const braces = names.length || !lead.length ? [`{ ${names.join(', ')} }`] : [];
  const oneLine = `${head}${[...lead, ...braces].join(', ')}${from}${semi}`;
  if (oneLine.length <= 140 || names.length === 0) return oneLine;
  // Long: the names on their own lines, packed to ~120 columns (the house style of lib/data/index.ts).
  const lines: string[] = [];
  let line = '';
  for (const n of names) {
    if (line && line.length + n.length + 2 > 118) { lines.push(line); line = ''; }
    line += `${n}, `;
  }
  lines.push(line);
  return `${head}${lead.map((l) => `${l}, `).join('')}{\n${lines.map((l) => `  ${l.trimEnd()}`).join('\n')}\n}${from}${semi}`;
}

/** The text range to delete for a statement that is merged away: the statement, and its line if nothing else is on it. */
function removalRange(d: ts.Node, sf: ts.SourceFile): [number, number] {
  const text = sf.text;
  let start = d.getStart(sf);
  let end = d.getEnd();
  const lineStart = text.lastIndexOf('\n', start - 1) + 1;
  let lineEnd = text.indexOf('\n', end);
  if (lineEnd < 0) lineEnd = text.length;
  const before = text.slice(lineStart, start);
  const after = text.slice(end, lineEnd);
  if (before.trim() === '' && after.trim() === '') return [lineStart, Math.min(lineEnd + 1, text.length)];
  if (after.trim() === '') end = lineEnd; // something before it on the line: keep that, drop trailing blanks
  else if (before.trim() === '') { start = lineStart; end += after.length - after.trimStart().length; } // a trailing comment stays
  return [start, end];
}

export interface MergeResult { text: string; merged: string[]; left: string[] }

/**
 * `text` with one import statement per module. `merged` names each module whose statements were joined,
 * `left` each module left with several statements (a namespace import beside named ones; a comment inside one
 * of the statements).
 */
export function mergeImports(file: string, text: string): MergeResult {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const edits: { start: number; end: number; text: string }[] = [];
  const merged: string[] = [];
  const left: string[] = [];
  for (const group of importGroups(sf)) {
    if (group.length < 2) continue;
    const mod = (group[0].moduleSpecifier as ts.StringLiteral).text;
    if (unmergeable(group)) { left.push(`${mod} (a namespace import cannot share a statement with other bindings)`); continue; }
    if (group.some((d) => hasInnerComment(d, sf))) { left.push(`${mod} (a comment inside the statement; merge by hand)`); continue; }
    edits.push({ start: group[0].getStart(sf), end: group[0].getEnd(), text: mergedStatement(group, sf) });
    for (const d of group.slice(1)) {
      const [start, end] = removalRange(d, sf);
      edits.push({ start, end, text: '' });
    }
    merged.push(`${mod} (${group.length} statements)`);
  }
  let out = text;
  for (const e of edits.sort((a, b) => b.start - a.start)) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return { text: out, merged, left };
}

if (import.meta.main) {
  const args = process.argv.slice(2);
  const check = args.includes('--check');
  const named = args.filter((a) => !a.startsWith('--'));
  const files = named.length ? named.map((f) => join(process.cwd(), f)) : coveredFiles();
  let changed = 0;
  let left = 0;
  for (const file of files) {
    const before = readFileSync(file, 'utf8');
    const r = mergeImports(file, before);
    const rel = relative(root, file);
    for (const l of r.left) console.log(`left  ${rel}: ${l}`);
    left += r.left.length;
    if (r.text === before) continue;
    changed++;
    for (const m of r.merged) console.log(`${check ? 'would merge' : 'merged'}  ${rel}: ${m}`);
    if (!check) writeFileSync(file, r.text);
  }
  console.log(`${changed} file(s) ${check ? 'would change' : 'changed'} of ${files.length}; ${left} left to merge by hand`);
  // Exit 1 while a file is not one import per module: something left, or (under --check) something to merge.
  if (left > 0 || (check && changed > 0)) process.exit(1);
}
