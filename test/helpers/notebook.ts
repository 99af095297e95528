/**
 * Reading an executed notebook (.ipynb as papermill writes it) in the notebook tests: its cells, and the text
 * of every stream output and the HTML of every display, each concatenated in cell order.
 */
import { readFileSync } from 'node:fs';

export interface NbOutput { output_type?: string; text?: string | string[]; data?: Record<string, string | string[]> }
export interface NbCell { cell_type: string; source: string | string[]; outputs?: NbOutput[]; metadata: { tags?: string[] } }

/** nbformat stores multi-line strings as arrays of lines. */
export const joinLines = (x: string | string[] | undefined): string => (Array.isArray(x) ? x.join('') : x ?? '');

export function readNotebook(path: string): { cells: NbCell[]; outputs: NbOutput[]; text: string; html: string } {
  const nb = JSON.parse(readFileSync(path, 'utf8')) as { cells: NbCell[] };
  const outputs = nb.cells.flatMap((c) => c.outputs ?? []);
  return {
    cells: nb.cells,
    outputs,
    text: outputs.map((o) => joinLines(o.text)).join(''),
    html: outputs.map((o) => joinLines(o.data?.['text/html'])).join(''),
  };
}
