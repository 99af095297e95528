// One run: status and actions (cancel a running run, resume an interrupted one), live progress with ETA and
// the loss curve from server-sent events, every metric curve, predictions with per-example scores (sortable,
// worst first), artefacts, config and the full record.
import { api, events, fileUrl, ApiError } from '../api.js';
import { h, fmt, pill, errorBox, seconds } from '../dom.js';
import { renderChart } from '../chart.js';

export async function render(main, id) {
  let data;
  try {
    data = await api(`/api/runs/${encodeURIComponent(id)}`);
  } catch (err) {
    if (!(err instanceof ApiError && err.status === 404)) throw err;
    data = undefined; // launched, not started yet: the event stream says when it is
  }
  const status = h('span', { id: 'run-status' }, pill(data?.status ?? 'pending'));
  const progressBar = h('div', { style: 'width: 0%' });
  const progressText = h('span', { id: 'run-progress', class: 'muted' });
  const lossChart = h('div', { class: 'chart', id: 'loss-chart' });
  const actions = h('span', { class: 'toolbar' });
  const msg = h('span', { class: 'muted', id: 'action-note' });
  const describe = (r) => [h('b', {}, r.kind), ' · ', r.name, ' · seeds ', r.seeds.join(', '), ' · started ', r.startedAt.replace('T', ' ').slice(0, 19), r.endedAt ? ` · ended ${r.endedAt.replace('T', ' ').slice(0, 19)}` : ''];
  // Lines the server could not read (malformed JSON, a path leading out of the run folder): said where, the rest shown.
  const warningList = h('ul', { id: 'run-warnings-list' });
  const warnings = h('div', { class: 'warning-box', id: 'run-warnings', style: 'display:none' }, h('b', {}, 'Skipped while reading this run:'), warningList);
  const addWarnings = (list, more) => {
    if (!list?.length) return;
    warnings.style.display = '';
    for (const w of list) warningList.append(h('li', {}, h('code', {}, w.where), ' ', w.message));
    if (more > list.length) warningList.append(h('li', { class: 'muted' }, `${more - list.length} more malformed lines`));
  };
  const info = h('div', { id: 'run-info' }, ...(data ? describe(data) : [h('span', { class: 'muted' }, 'waiting for the run to start…')]));

  let current = data?.status ?? 'pending';
  const setProgress = (p) => {
    if (!p) return;
    if (current !== 'running') delete p.etaSeconds;
    progressBar.style.width = `${Math.round((p.fraction ?? 0) * 100)}%`;
    progressText.textContent = p.total ? `step ${p.step} / ${p.total}${p.etaSeconds !== undefined && p.step < p.total ? ` · ETA ${seconds(p.etaSeconds)}` : ''}` : p.step ? `step ${p.step}` : '';
  };
  let shownStatus;
  const setStatus = (s) => {
    current = s;
    if (s === shownStatus) return; // keep the same buttons while the status holds (no re-created Cancel under the cursor)
    shownStatus = s;
    status.replaceChildren(pill(s));
    actions.replaceChildren(
      s === 'running' || s === 'pending' ? h('button', { class: 'danger', id: 'cancel', onclick: cancel }, 'Cancel') : '',
      s === 'interrupted' || s === 'failed' ? h('button', { id: 'resume', onclick: resume }, 'Resume') : '',
      msg,
    );
  };
  async function cancel() {
    msg.textContent = 'sending SIGINT…';
    try { await api(`/api/runs/${encodeURIComponent(id)}/cancel`, { method: 'POST', body: {} }); msg.textContent = 'cancel sent; the run records itself as interrupted'; } catch (err) { msg.textContent = err.message; }
  }
  async function resume() {
    try { await api(`/api/runs/${encodeURIComponent(id)}/resume`, { method: 'POST', body: {} }); msg.textContent = 'resuming…'; setTimeout(() => dispatchEvent(new HashChangeEvent('hashchange')), 800); } catch (err) { msg.textContent = err.message; }
  }

  main.append(
    h('h1', {}, id, ' ', status),
    h('div', { class: 'card' },
      info,
      data?.error ? h('div', { class: 'error-box', style: 'margin-top:8px' }, data.error) : '',
      h('div', { style: 'margin-top:8px' }, h('span', { class: 'progress' }, progressBar), ' ', progressText, ' ', actions),
    ),
    warnings,
    h('h2', {}, 'Training loss'), lossChart,
  );
  setStatus(data?.status ?? 'pending');
  setProgress(data?.progress);
  addWarnings(data?.warnings, data?.malformedLines);
  if (data?.charts?.loss) await renderChart(lossChart, data.charts.loss);
  else lossChart.append(h('p', { class: 'muted' }, 'no loss lines yet'));

  let es;
  if (!data || data.status === 'running') {
    es = events(`/api/runs/${encodeURIComponent(id)}/events`);
    es.addEventListener('metrics', (ev) => {
      const m = JSON.parse(ev.data);
      setStatus(m.status);
      setProgress(m.progress);
      if (m.run && !data && !info.dataset.described) { info.replaceChildren(...describe(m.run)); info.dataset.described = '1'; }
      if (m.chart) renderChart(lossChart, m.chart);
      addWarnings(m.warnings);
    });
    es.addEventListener('error', (ev) => {
      // The server's own `error` event carries data; a dropped connection (no data) is retried by EventSource.
      if (!ev.data) return;
      es.close();
      msg.textContent = `live updates stopped: ${JSON.parse(ev.data).error}`;
    });
    es.addEventListener('end', (ev) => {
      es.close();
      setStatus(JSON.parse(ev.data).status);
      // Reload the page's static parts (curves, predictions, artefacts) now that the run has stopped.
      setTimeout(() => { if (location.hash === `#/run/${encodeURIComponent(id)}` || location.hash === `#/run/${id}`) dispatchEvent(new HashChangeEvent('hashchange')); }, 300);
    });
  }
  if (!data) return () => es?.close();

  // A few curves that say most about a run; every other logged metric is one pick away.
  const keys = Object.keys(data.charts).filter((k) => k !== 'loss');
  const preferred = ['evalLoss', 'lr', 'gradNorm', 'tokensPerS'].filter((k) => keys.includes(k));
  const shown = preferred.length ? preferred : keys.slice(0, 4);
  if (keys.length) {
    const box = h('div', { class: 'charts', id: 'metric-charts' });
    const extra = h('div', { class: 'chart', id: 'extra-chart', style: 'display:none' });
    const more = keys.filter((k) => !shown.includes(k));
    const picker = more.length ? h('select', { id: 'more-metrics', onchange: async () => { if (!picker.value) { extra.style.display = 'none'; return; } extra.style.display = ''; await renderChart(extra, data.charts[picker.value]); } }, h('option', { value: '' }, `more metrics (${more.length})…`), more.map((k) => h('option', { value: k }, k))) : '';
    main.append(h('h2', {}, 'Metric curves ', picker), box, extra);
    for (const k of shown) { const c = h('div', { class: 'chart', dataset: { metric: k } }); box.append(c); await renderChart(c, data.charts[k]); }
  }
  if (data.predictions) main.append(predictionsTable(data.predictions));
  main.append(
    h('h2', {}, 'Artefacts'),
    h('table', { id: 'artefacts' }, h('thead', {}, h('tr', {}, h('th', {}, 'file'), h('th', {}, 'name'), h('th', { class: 'num' }, 'bytes'))),
      h('tbody', {}, data.artefacts.map((a) => h('tr', {}, h('td', {}, h('a', { href: fileUrl(`${id}/${a.path}`), target: '_blank' }, a.path)), h('td', {}, a.name ?? ''), h('td', { class: 'num' }, a.bytes.toLocaleString('en'))))),
    ),
    h('div', { class: 'grid2' },
      h('div', {}, h('h2', {}, 'Config'), h('pre', { id: 'config' }, JSON.stringify(data.record.config, null, 2))),
      h('div', {}, h('h2', {}, 'Summary'), h('pre', {}, JSON.stringify(data.record.summary ?? null, null, 2))),
    ),
    h('details', {}, h('summary', {}, 'Full run record (run.json)'), h('pre', {}, JSON.stringify(data.record, null, 2))),
  );
  return () => es?.close();
}

function predictionsTable({ scoreKeys, rows }) {
  let key = scoreKeys[0];
  let asc = true; // worst first
  const tbody = h('tbody');
  const head = h('tr', {}, h('th', {}, 'prompt'), h('th', {}, 'prediction'), h('th', {}, 'reference'), scoreKeys.map((k) => h('th', { class: 'num sortable', dataset: { key: k }, onclick: () => { asc = key === k ? !asc : true; key = k; draw(); } }, k)));
  function draw() {
    head.querySelectorAll('th.sortable').forEach((th) => { th.classList.toggle('sorted', th.dataset.key === key); th.classList.toggle('desc', th.dataset.key === key && !asc); });
    const sorted = rows.slice().sort((a, b) => (asc ? 1 : -1) * ((a[key] ?? 0) - (b[key] ?? 0)));
    tbody.replaceChildren(...sorted.map((r) => h('tr', {},
      h('td', {}, String(r.source ?? r.prompt ?? '')), h('td', {}, String(r.prediction ?? '')), h('td', { class: 'muted' }, String((r.references ?? [r.target ?? ''])[0] ?? '')),
      scoreKeys.map((k) => h('td', { class: 'num' }, fmt(r[k]))),
    )));
  }
  draw();
  return h('div', {}, h('h2', {}, `Predictions (${rows.length}), worst first`), h('table', { id: 'predictions' }, h('thead', {}, head), tbody));
}
