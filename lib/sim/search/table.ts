/** The worst-case table printed beside the fixed-strategy one: fixed vs best-response captured share and ROI. */
import type { SearchedRow } from './best-response.ts';

const pct = (x: number) => (Number.isFinite(x) ? (x * 100).toFixed(1) : '—');
const num = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : '—');
const signed = (x: number, f: (x: number) => string) => (x >= 0 ? '+' : '') + f(x);

export function formatStrategy(s: Record<string, number | boolean>): string {
  return Object.entries(s).map(([k, v]) => `${k}=${typeof v === 'number' ? +v.toFixed(3) : v}`).join(' ');
}

export function formatWorstCaseTable(rows: readonly SearchedRow[]): string {
  const head = ['design', 'attack', 'fixed %', 'worst %', 'gain pp', 'fixed ROI', 'worst ROI', 'strategy'];
  const body = rows.filter((r) => r.worstCase).map((r) => {
    const w = r.worstCase!;
    return [r.design, r.attack, pct(w.fixed.capturedShare), pct(w.capturedShare), signed(w.gain.capturedShare, pct), num(w.fixed.roi), num(w.roi), formatStrategy(w.strategy)];
  });
  const widths = head.map((h, j) => Math.max(h.length, ...body.map((b) => b[j].length)));
  const line = (cells: string[]) => cells.map((c, j) => c.padEnd(widths[j])).join('  ').trimEnd();
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}
