/**
 * RFC 4180 CSV, fed one line at a time so big files stream: fields may be quoted; inside quotes a comma, a
 * newline or a doubled quote ("") is data. A quoted newline is kept as "\n" (a CRLF inside quotes becomes
 * "\n"). Errors name the line where the bad record starts and the column of the problem.
 */
import { dataError } from '../where.ts';

export interface CsvRecord {
  fields: string[];
  /** Line where the record starts (1-based) and where it ends (multi-line quoted fields). */
  line: number;
  endLine: number;
}

/**
 * Incremental parser: `push(line, no)` returns the records completed by that line; `end()` checks that no
 * quoted field is left open.
 *
 * @example
 * const p = new CsvParser('x.csv');
 * p.push('a,"b,c"', 1);   // [{fields: ['a', 'b,c'], line: 1, endLine: 1}]
 * p.push('"multi', 2);    // []  (quote still open)
 * p.push('line""",z', 3); // [{fields: ['multi\nline"', 'z'], line: 2, endLine: 3}]
 * p.end();
 */
export class CsvParser {
  private readonly file: string;
  private fields: string[] = [];
  private field = '';
  private inQuotes = false;
  private startLine = 0;
  private quoteOpenedAt = { line: 0, col: 0 };

  constructor(file: string) {
    this.file = file;
  }

  push(line: string, no: number): CsvRecord[] {
    if (!this.inQuotes) {
      this.startLine = no;
      this.fields = [];
      this.field = '';
    } else {
      this.field += '\n';
    }
    // `afterQuote`: we just closed a quoted field; only a comma or the end of line may follow.
    let afterQuote = false;
    for (let i = 0; i < line.length; i++) {
      const ch = line[i];
      if (this.inQuotes) {
        if (ch === '"') {
          if (line[i + 1] === '"') {
            this.field += '"';
            i++;
          } else {
            this.inQuotes = false;
            afterQuote = true;
          }
        } else {
          this.field += ch;
        }
      } else if (ch === ',') {
        this.fields.push(this.field);
        this.field = '';
        afterQuote = false;
      } else if (afterQuote) {
        throw dataError(`unexpected ${JSON.stringify(ch)} after a closing quote (column ${i + 1})`, `${this.file}:${no}`, 'inside a quoted field write a quote as ""; after the closing quote only a comma may follow');
      } else if (ch === '"') {
        if (this.field !== '') {
          throw dataError(`a quote inside an unquoted field (column ${i + 1})`, `${this.file}:${no}`, 'quote the whole field and double the inner quote: "say ""hi"""');
        }
        this.inQuotes = true;
        this.quoteOpenedAt = { line: no, col: i + 1 };
      } else {
        this.field += ch;
      }
    }
    if (this.inQuotes) return [];
    this.fields.push(this.field);
    this.field = '';
    return [{ fields: this.fields, line: this.startLine, endLine: no }];
  }

  /** Call after the last line: an open quote means the quotes are unbalanced. */
  end(): void {
    if (this.inQuotes) {
      const { line, col } = this.quoteOpenedAt;
      throw dataError(`unbalanced quote: the quoted field opened at column ${col} is never closed`, `${this.file}:${line}`, 'close the quote, or double quotes that are part of the text ("")');
    }
  }
}
