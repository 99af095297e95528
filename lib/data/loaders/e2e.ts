/**
 * E2E NLG CSV: header `mr,ref`, one reference a row; rows with the same `mr` are one example with several
 * references (the dev set has 4,672 rows for 547 MRs). `mr` like `name[Alimentum], area[city centre]`
 * becomes attributes [{key:'name', value:'Alimentum'}, ...]; the first reference is the training target.
 * Examples come out in order of each MR's first row.
 */
import type { Attribute, Example } from '../types.ts';
import { contentId } from '../ids.ts';
import { fileLines, textLines, type Line, type LineOptions } from '../lines.ts';
import { dataError } from '../where.ts';
import { CsvParser, type CsvRecord } from './csv.ts';

const HINT = 'E2E CSV has a header "mr,ref" and rows like "name[Alimentum], area[city centre]",<reference text>';
const MR_ITEM = /^\s*([^[\]]+?)\s*\[([^\]]*)\]\s*$/;

/**
 * Parses a meaning representation into attributes.
 *
 * @example
 * parseMeaningRepresentation('name[Alimentum], area[city centre]', 'dev.csv:2');
 * // [{key:'name', value:'Alimentum'}, {key:'area', value:'city centre'}]
 */
export function parseMeaningRepresentation(mr: string, where: string): Attribute[] {
  if (mr.trim() === '') throw dataError('field "mr" is empty', where, HINT);
  // Values never contain "]" but may contain commas ("£20-25"); split on "]," boundaries.
  const items = mr.split(/\]\s*,/).map((s, i, all) => (i < all.length - 1 ? `${s}]` : s));
  return items.map((item, i) => {
    const m = MR_ITEM.exec(item);
    if (!m) throw dataError(`mr item ${i + 1} ${JSON.stringify(item.trim())} is not key[value]`, where, HINT);
    return { key: m[1], value: m[2] };
  });
}

/** Groups E2E rows into examples; call `add` per CSV record, then `finish`. */
class E2EGrouper {
  private readonly file: string;
  private header: string[] | null = null;
  private mrCol = 0;
  private refCol = 1;
  private readonly groups = new Map<string, { mr: string; refs: string[]; attributes: Attribute[] }>();

  constructor(file: string) {
    this.file = file;
  }

  add(rec: CsvRecord): void {
    const where = `${this.file}:${rec.line}`;
    if (this.header === null) {
      this.header = rec.fields.map((f) => f.trim());
      this.mrCol = this.header.indexOf('mr');
      this.refCol = this.header.indexOf('ref');
      if (this.mrCol < 0 || this.refCol < 0) {
        throw dataError(`header must have columns "mr" and "ref", got ${JSON.stringify(rec.fields.join(','))}`, where, HINT);
      }
      return;
    }
    if (rec.fields.length === 1 && rec.fields[0] === '') return; // blank line
    if (rec.fields.length !== this.header.length) {
      throw dataError(`expected ${this.header.length} fields, got ${rec.fields.length}`, where, 'quote fields that contain commas: "a, b"');
    }
    const mr = rec.fields[this.mrCol];
    const ref = rec.fields[this.refCol];
    if (ref.trim() === '') throw dataError('field "ref" is empty', where, HINT);
    const g = this.groups.get(mr);
    if (g) g.refs.push(ref);
    else this.groups.set(mr, { mr, refs: [ref], attributes: parseMeaningRepresentation(mr, where) });
  }

  finish(): Example[] {
    if (this.header === null) throw dataError('the file is empty (no "mr,ref" header)', `${this.file}:1`, HINT);
    return [...this.groups.values()].map((g) => ({
      id: contentId('e2e', g.mr),
      source: g.mr,
      target: g.refs[0],
      references: g.refs,
      attributes: g.attributes,
      lang: 'en' as const,
    }));
  }
}

/**
 * Loads an E2E CSV file (streamed line by line; only the grouped examples are held).
 *
 * @example
 * const exs = await loadE2E('../shared/datasets/e2e/devset.csv');
 * exs.length; // 547
 */
export async function loadE2E(path: string, opts: LineOptions = {}): Promise<Example[]> {
  const csv = new CsvParser(path);
  const grouper = new E2EGrouper(path);
  for await (const line of fileLines(path, opts)) for (const rec of csv.push(line.text, line.no)) grouper.add(rec);
  csv.end();
  return grouper.finish();
}

/** Parses E2E CSV text held in memory; `file` names the source in errors. */
export function parseE2E(text: string, file = '<text>'): Example[] {
  return parseLines(textLines(text), file);
}

function parseLines(lines: Iterable<Line>, file: string): Example[] {
  const csv = new CsvParser(file);
  const grouper = new E2EGrouper(file);
  for (const line of lines) for (const rec of csv.push(line.text, line.no)) grouper.add(rec);
  csv.end();
  return grouper.finish();
}
