// The import graph of lib/, read with TypeScript's parser: shared by the house tests (imports, circles,
// sub-folders) and by scripts/import-map.ts, which writes the map in docs/architecture.md.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

export const root = join(import.meta.dirname, '..', '..');
export const lib = join(root, 'lib');

export function walk(dir: string): string[] {
  return readdirSync(dir).sort().flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Every module specifier a file names: import/export … from, import x = require(), import(), import('x').T. */
export function specifiers(file: string, text = readFileSync(file, 'utf8')): { spec: string; line: number; typeOnly: boolean }[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const out: { spec: string; line: number; typeOnly: boolean }[] = [];
  const add = (n: ts.Node | undefined, typeOnly: boolean) => {
    if (n && ts.isStringLiteralLike(n)) out.push({ spec: n.text, line: sf.getLineAndCharacterOfPosition(n.getStart()).line + 1, typeOnly });
  };
  const visit = (n: ts.Node): void => {
    if (ts.isImportDeclaration(n)) add(n.moduleSpecifier, n.importClause?.isTypeOnly ?? false);
    else if (ts.isExportDeclaration(n)) add(n.moduleSpecifier, n.isTypeOnly);
    else if (ts.isImportEqualsDeclaration(n) && ts.isExternalModuleReference(n.moduleReference)) add(n.moduleReference.expression, false);
    else if (ts.isCallExpression(n) && n.expression.kind === ts.SyntaxKind.ImportKeyword) add(n.arguments[0], false);
    else if (ts.isImportTypeNode(n) && ts.isLiteralTypeNode(n.argument)) add(n.argument.literal, true);
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return out;
}

/** lib/x/… → "x"; a root file lib/errors.ts → "errors". */
export function folderOf(abs: string): string {
  const parts = relative(lib, abs).split(sep);
  return parts.length === 1 ? parts[0].replace(/\.ts$/, '') : parts[0];
}

/** One import: `from` and `to` are repository-relative paths; `where` is file:line. */
export interface Edge { from: string; to: string; where: string; fromFolder: string; toFolder: string }

/** Every relative import of every file in lib/ (packages and node: builtins left out). */
export function edges(): Edge[] {
  const out: Edge[] = [];
  for (const file of walk(lib)) {
    for (const { spec, line } of specifiers(file)) {
      if (!spec.startsWith('.')) continue;
      const target = resolve(dirname(file), spec);
      const outside = relative(lib, target).startsWith('..');
      out.push({
        from: relative(root, file), to: relative(root, target), where: `${relative(root, file)}:${line}`,
        fromFolder: folderOf(file), toFolder: outside ? '(outside lib)' : folderOf(target),
      });
    }
  }
  return out;
}

/**
 * The import circles between files: each strongly connected component of more than one file (Tarjan), as
 * its sorted file list. Type-only imports count too: a circle of types still ties the files together.
 */
export function circles(es: readonly Pick<Edge, 'from' | 'to'>[]): string[][] {
  const next = new Map<string, string[]>();
  for (const e of es) next.set(e.from, [...(next.get(e.from) ?? []), e.to]);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  let counter = 0;
  const strong = (v: string): void => {
    index.set(v, counter); low.set(v, counter); counter++;
    stack.push(v); onStack.add(v);
    for (const w of next.get(v) ?? []) {
      if (!index.has(w)) { strong(w); low.set(v, Math.min(low.get(v)!, low.get(w)!)); }
      else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const comp: string[] = [];
      let w: string;
      do { w = stack.pop()!; onStack.delete(w); comp.push(w); } while (w !== v);
      if (comp.length > 1 || (next.get(v) ?? []).includes(v)) out.push(comp.sort());
    }
  };
  for (const v of [...next.keys()].sort()) if (!index.has(v)) strong(v);
  return out;
}

/**
 * Rule (e), the front door at every depth: from the deepest folder holding both files, an import may go into a
 * sub-folder only through that sub-folder's index.ts. (At the top this is rule (a): lib/train/x.ts may
 * import lib/model/index.ts, not lib/model/gpt.ts; inside a folder, lib/sim/run.ts may import
 * lib/sim/agents/index.ts, not lib/sim/agents/types.ts.) Returns the sub-folder entered past its door, or
 * undefined when the import is fine.
 */
export function doorSkipped(e: Pick<Edge, 'from' | 'to'>): string | undefined {
  const from = dirname(e.from).split('/');
  const to = e.to.split('/');
  let i = 0;
  while (i < from.length && i < to.length - 1 && from[i] === to[i]) i++;
  const rest = to.slice(i);
  if (rest.length < 2 || (rest.length === 2 && rest[1] === 'index.ts')) return undefined;
  return to.slice(0, i + 1).join('/');
}
