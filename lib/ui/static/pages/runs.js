// Runs: every run with kind, name, status, seeds and headline metrics; filters; a selection to compare or
// to build a report from.
import { api } from '../api.js';
import { h, fmt, pill } from '../dom.js';

export async function render(main) {
  let all = await api('/api/runs');
  const selected = new Set();
  const kinds = [...new Set(all.map((r) => r.kind))].sort();
  const statuses = ['queued', 'running', 'finished', 'interrupted', 'failed'];
  const kindSel = h('select', { id: 'filter-kind' }, h('option', { value: '' }, 'all kinds'), kinds.map((k) => h('option', { value: k }, k)));
  const statusSel = h('select', { id: 'filter-status' }, h('option', { value: '' }, 'any status'), statuses.map((s) => h('option', { value: s }, s)));
  const text = h('input', { type: 'text', id: 'filter-text', placeholder: 'filter by id or name' });
  const compareBtn = h('button', { id: 'compare', class: 'primary', disabled: true, onclick: () => (location.hash = `#/compare/${[...selected].join(',')}`) }, 'Compare selected');
  const reportBtn = h('button', { id: 'build-report', disabled: true, onclick: buildReport }, 'Build report');
  const note = h('span', { class: 'muted', id: 'selection-note' });
  const tbody = h('tbody');
  const table = h('table', { id: 'runs-table' },
    h('thead', {}, h('tr', {}, h('th', {}, ''), h('th', {}, 'run'), h('th', {}, 'kind'), h('th', {}, 'name'), h('th', {}, 'status'), h('th', {}, 'seeds'), h('th', {}, 'key metrics'), h('th', {}, 'started'))),
    tbody);

  async function buildReport() {
    reportBtn.disabled = true;
    note.textContent = 'building report…';
    try {
      const r = await api('/api/reports', { method: 'POST', body: { runs: [...selected] } });
      location.hash = `#/reports/${r.name}`;
    } catch (err) {
      note.textContent = err.message;
      reportBtn.disabled = false;
    }
  }

  function update() {
    compareBtn.disabled = selected.size < 2;
    reportBtn.disabled = selected.size < 1;
    note.textContent = selected.size ? `${selected.size} selected` : '';
  }

  function draw() {
    const q = text.value.trim().toLowerCase();
    const rows = all.filter((r) => (!kindSel.value || r.kind === kindSel.value) && (!statusSel.value || r.status === statusSel.value) && (!q || r.id.toLowerCase().includes(q) || r.name.toLowerCase().includes(q)));
    tbody.replaceChildren(...rows.map((r) => h('tr', { dataset: { id: r.id } },
      h('td', {}, h('input', { type: 'checkbox', class: 'select', checked: selected.has(r.id), onchange: (e) => { e.target.checked ? selected.add(r.id) : selected.delete(r.id); update(); } })),
      // A queued run has no folder yet (a worker of the job queue has not started it): no page to link to.
      h('td', {}, r.status === 'queued' ? r.id : h('a', { href: `#/run/${encodeURIComponent(r.id)}` }, r.id)),
      h('td', {}, r.kind),
      h('td', {}, r.name),
      h('td', { class: 'status' }, pill(r.status)),
      h('td', {}, r.seeds.join(', ')),
      h('td', { class: 'mono' }, Object.entries(r.metrics).map(([k, v]) => `${k.replace(/^scores\./, '')} ${fmt(v)}`).join(' · ')),
      h('td', { class: 'muted' }, r.startedAt.replace('T', ' ').slice(0, 19)),
    )));
    if (!rows.length) tbody.append(h('tr', {}, h('td', { colspan: 8, class: 'muted' }, all.length ? 'No run matches the filters.' : 'No runs under this results root yet — start one from Launch.')));
  }

  [kindSel, statusSel].forEach((x) => x.addEventListener('change', draw));
  text.addEventListener('input', draw);
  const title = h('h1', {}, `Runs (${all.length})`);
  main.append(title, h('div', { class: 'toolbar' }, kindSel, statusSel, text, compareBtn, reportBtn, note), table);
  draw();
  // Runs start, finish and get interrupted meanwhile: refresh the table (selection and filters stay).
  const timer = setInterval(async () => {
    all = await api('/api/runs').catch(() => all);
    title.textContent = `Runs (${all.length})`;
    draw();
  }, 3000);
  return () => clearInterval(timer);
}
