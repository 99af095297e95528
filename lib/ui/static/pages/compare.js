// Compare: the config keys that differ, each summary metric as mean [95% CI] per group of seeds, and the
// runs' loss curves overlaid.
import { api } from '../api.js';
import { h, fmt, pill } from '../dom.js';
import { renderChart } from '../chart.js';

const ci = (m) => (!m || !m.n ? '—' : m.n === 1 ? fmt(m.mean) : `${fmt(m.mean)} [${fmt(m.lo)}, ${fmt(m.hi)}]`);

export async function render(main, ids) {
  const d = await api(`/api/compare?ids=${encodeURIComponent(ids)}`);
  const c = d.comparison;
  main.append(
    h('h1', {}, `Compare ${d.runs.length} runs`),
    h('table', { id: 'compare-runs' }, h('thead', {}, h('tr', {}, h('th', {}, 'run'), h('th', {}, 'kind'), h('th', {}, 'status'), h('th', {}, 'seeds'), c.differing.map((k) => h('th', { class: 'mono' }, k)))),
      h('tbody', {}, d.runs.map((r, i) => h('tr', {}, h('td', {}, h('a', { href: `#/run/${encodeURIComponent(r.id)}` }, r.id)), h('td', {}, r.kind), h('td', {}, pill(r.status)), h('td', {}, r.seeds.join(', ')), c.differing.map((k) => h('td', { class: 'mono' }, fmt(d.values[i].config[k]))))))),
    h('h2', {}, `Differing config keys (${c.differing.length})`),
    c.differing.length ? h('p', { class: 'mono', id: 'differing' }, c.differing.join(', ')) : h('p', { class: 'muted', id: 'differing' }, 'The configs are identical (runs differ by seed only).'),
    h('h2', {}, 'Metrics: mean [95% CI] over the seeds of each config'),
    h('table', { id: 'compare-metrics' },
      h('thead', {}, h('tr', {}, h('th', {}, 'metric'), c.groups.map((g, i) => h('th', { class: 'num' }, `group ${i + 1}: ${g.runIds.length} run(s), seeds ${g.seeds.join(',')}`)))),
      h('tbody', {}, c.metricNames.map((m) => h('tr', {}, h('td', { class: 'mono' }, m), c.groups.map((g) => h('td', { class: 'num' }, ci(g.metrics[m])))))),
    ),
  );
  if (d.charts.loss) {
    const el = h('div', { class: 'chart', id: 'compare-loss' });
    main.append(h('h2', {}, 'Loss curves'), el);
    await renderChart(el, d.charts.loss);
  }
}
