// Incentive results: a simulate run's design × attack heat map of the captured share (the report's chart);
// clicking a cell (in the map or the table) opens that cell's per-seed figures.
import { api } from '../api.js';
import { h, fmt } from '../dom.js';
import { renderChart } from '../chart.js';

const pct = (m) => (m && m.n ? (m.n === 1 ? `${(m.mean * 100).toFixed(1)}` : `${(m.mean * 100).toFixed(1)} [${(m.lo * 100).toFixed(1)}, ${(m.hi * 100).toFixed(1)}]`) : '—');

export async function render(main, id) {
  if (!id) {
    const runs = await api('/api/sim');
    main.append(h('h1', {}, 'Incentive results'),
      h('table', { id: 'sim-runs' }, h('thead', {}, h('tr', {}, h('th', {}, 'simulate run'), h('th', {}, 'seeds'), h('th', {}, 'started'))),
        h('tbody', {}, runs.length ? runs.map((r) => h('tr', {}, h('td', {}, h('a', { href: `#/sim/${encodeURIComponent(r.id)}` }, r.id)), h('td', {}, r.seeds.join(', ')), h('td', { class: 'muted' }, r.startedAt.replace('T', ' ').slice(0, 19)))) : h('tr', {}, h('td', { colspan: 3, class: 'muted' }, 'No finished simulate run (ledgerlab simulate experiments/sim-quick.json makes one).')))));
    return;
  }
  const d = await api(`/api/sim/${encodeURIComponent(id)}`);
  const heat = h('div', { class: 'chart', id: 'heatmap' });
  const cellBox = h('div', { id: 'cell' });
  const openCell = async (design, attack) => {
    const c = await api(`/api/sim/${encodeURIComponent(id)}/cell?design=${encodeURIComponent(design)}&attack=${encodeURIComponent(attack)}`);
    const charts = h('div', { class: 'charts' });
    cellBox.replaceChildren(h('h2', {}, `${design} × ${attack}: per seed`),
      h('table', { id: 'cell-seeds' }, h('thead', {}, h('tr', {}, h('th', {}, 'seed'), Object.keys(c.seeds[0]).filter((k) => k !== 'seed').map((k) => h('th', { class: 'num' }, k)))),
        h('tbody', {}, c.seeds.map((s) => h('tr', {}, h('td', {}, s.seed), Object.entries(s).filter(([k]) => k !== 'seed').map(([, v]) => h('td', { class: 'num' }, fmt(v))))))),
      charts);
    for (const ch of c.charts) { const el = h('div', { class: 'chart' }); charts.append(el); await renderChart(el, ch.spec); }
    cellBox.scrollIntoView({ block: 'start' });
  };
  const table = h('table', { id: 'sim-table', class: 'heat-cells' },
    h('thead', {}, h('tr', {}, h('th', {}, 'design \\ attack'), d.attacks.map((a) => h('th', {}, a)))),
    h('tbody', {}, d.designs.map((des) => h('tr', {}, h('td', {}, des), d.attacks.map((att) => {
      const row = d.rows.find((r) => r.design === des && r.attack === att);
      return h('td', { class: 'num', dataset: { design: des, attack: att }, onclick: () => openCell(des, att), title: 'per-seed figures' }, pct(row?.metrics.capturedShare));
    })))));
  main.append(h('h1', {}, `Incentive results: ${d.name}`), h('p', { class: 'muted' }, d.caption ?? ''), heat, h('h2', {}, 'Captured share (%) — click a cell for its seeds'), table, cellBox);
  const view = await renderChart(heat, d.chart);
  view.addEventListener('click', (_e, item) => { const x = item?.datum; if (x?.row && x?.col) openCell(x.row, x.col); });
}
