// Launch: start from an experiment file or a bare kind; the form is generated from the kind's config schema
// (defaults shown beside each field); the server validates (errors appear at their field, nothing starts)
// and runs it through `ledgerlab run`; the page then follows the run live.
import { api, ApiError } from '../api.js';
import { h, errorBox } from '../dom.js';

const join = (base, key) => (base ? `${base}.${key}` : key);
const show = (v) => (v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));

/** One form field bound to its config path; read() returns undefined for "leave to the default". */
function leaf(f, path, value) {
  let input;
  const initial = value !== undefined ? value : f.default;
  if (f.type === 'enum') {
    input = h('select', {}, f.required || f.default !== undefined ? '' : h('option', { value: '' }, '(none)'), f.values.map((v) => h('option', { value: String(v), selected: String(v) === show(initial) }, String(v))));
  } else if (f.type === 'boolean') {
    input = h('input', { type: 'checkbox', checked: initial === true });
  } else if (f.type === 'json') {
    input = h('textarea', { rows: initial !== undefined && show(initial).length > 60 ? 4 : 1, placeholder: 'JSON' }, initial === undefined ? '' : JSON.stringify(initial, null, show(initial).length > 60 ? 1 : 0));
  } else {
    input = h('input', { type: f.type === 'number' ? 'number' : 'text', step: f.type === 'number' ? (f.int ? '1' : 'any') : undefined, value: show(initial), placeholder: show(f.default) });
  }
  input.name = path;
  const error = h('div', { class: 'error' });
  const row = h('div', { class: 'field', dataset: { path } }, h('label', {}, f.key), input, h('span', { class: 'doc' }, f.description, f.default !== undefined ? ` · default ${show(f.default)}` : '', f.doc ? ` — ${f.doc}` : ''), error);
  const read = () => {
    if (f.type === 'boolean') return input.checked === (f.default === true) && value === undefined ? undefined : input.checked;
    const raw = input.value.trim();
    if (raw === '') return undefined;
    if (f.type === 'number') return Number(raw);
    if (f.type === 'enum') return f.values.find((v) => String(v) === raw) ?? raw;
    if (f.type === 'json') {
      try { return JSON.parse(raw); } catch { throw Object.assign(new Error('not valid JSON'), { path }); }
    }
    return raw;
  };
  return { el: row, read, fields: [{ path, row, error }] };
}

/** A form node for a described schema: objects become fieldsets, tagged unions a choice plus its branch. */
function node(f, path, value) {
  if (f.type === 'object') {
    const v = value ?? {};
    const kids = f.fields.map((c) => node(c, join(path, c.key), v[c.key] ?? (f.default ?? {})[c.key]));
    // An optional section without a default (e.g. train.earlyStop) is off unless switched on.
    const optional = path && !f.required && f.default === undefined;
    const on = optional ? h('input', { type: 'checkbox', name: `${path}.enabled`, checked: value !== undefined }) : undefined;
    const body = h('div', {}, kids.map((k) => k.el));
    if (on) { const sync = () => (body.style.display = on.checked ? '' : 'none'); on.addEventListener('change', sync); sync(); }
    const el = path ? h('fieldset', { dataset: { path } }, h('legend', { class: 'mono' }, f.key, on ? [' ', on, h('span', { class: 'muted' }, ' optional')] : ''), body) : body;
    return {
      el, fields: kids.flatMap((k) => k.fields),
      read: () => {
        if (on && !on.checked) return undefined;
        const out = {};
        for (const [i, k] of kids.entries()) { const x = k.read(); if (x !== undefined) out[f.fields[i].key] = x; }
        return Object.keys(out).length || !path ? out : undefined;
      },
    };
  }
  if (f.type === 'tagged') {
    const initial = value ?? f.default ?? {};
    const names = Object.keys(f.branches);
    const select = h('select', { name: join(path, f.tag) }, names.map((n) => h('option', { value: n, selected: n === initial[f.tag] }, n)));
    const holder = h('div');
    let current;
    const build = () => {
      const chosen = select.value;
      const same = chosen === initial[f.tag];
      current = node({ type: 'object', key: '', fields: f.branches[chosen] }, '', same ? initial : {});
      // Branch fields live under the union's own path (method.r, not method.lora.r).
      current.fields.forEach((x) => { x.row.dataset.path = join(path, x.row.dataset.path); });
      holder.replaceChildren(current.el);
    };
    select.addEventListener('change', build);
    build();
    const error = h('div', { class: 'error' });
    const row = h('div', { class: 'field', dataset: { path: join(path, f.tag) } }, h('label', {}, f.tag), select, h('span', { class: 'doc' }, f.description), error);
    const el = h('fieldset', { dataset: { path } }, h('legend', { class: 'mono' }, f.key), row, holder);
    return { el, get fields() { return [{ path: join(path, f.tag), row, error }, ...current.fields.map((x) => ({ ...x, path: x.row.dataset.path }))]; }, read: () => ({ [f.tag]: select.value, ...current.read() }) };
  }
  return leaf(f, path, value);
}

export async function render(main) {
  const [files, kinds] = await Promise.all([api('/api/experiments'), api('/api/kinds')]);
  const byKind = Object.fromEntries(kinds.map((k) => [k.kind, k]));
  const source = h('select', { id: 'launch-source' },
    h('option', { value: '' }, '— choose an experiment file or a kind —'),
    h('optgroup', { label: 'experiment files' }, files.filter((f) => f.launchable).map((f) => h('option', { value: `file:${f.file}` }, `${f.name} (${f.kind}) — ${f.file.split('/').slice(-2).join('/')}`))),
    h('optgroup', { label: 'kinds (schema defaults)' }, kinds.map((k) => h('option', { value: `kind:${k.kind}` }, `${k.kind} — ${k.summary}`))),
  );
  const formBox = h('div', { id: 'launch-form' });
  const general = h('div');
  main.append(h('h1', {}, 'Launch a run'), h('div', { class: 'toolbar' }, source), general, formBox);

  source.addEventListener('change', () => {
    general.replaceChildren();
    const v = source.value;
    if (!v) return formBox.replaceChildren();
    const file = v.startsWith('file:') ? files.find((f) => `file:${f.file}` === v) : undefined;
    const kind = byKind[file ? file.kind : v.slice(5)];
    const env = {
      name: leaf({ type: 'string', key: 'name', description: 'run name (letters, digits, . _ -)', required: true }, 'name', file?.name ?? kind.kind),
      seeds: leaf({ type: 'json', key: 'seeds', description: 'list of seeds', required: false, default: [0] }, 'seeds', file?.seeds),
      sweep: leaf({ type: 'json', key: 'sweep', description: 'config key → list of values (a grid)', required: false, default: {} }, 'sweep', file && Object.keys(file.sweep).length ? file.sweep : undefined),
    };
    const config = node(kind.form, 'config', file?.config ?? {});
    const note = h('span', { class: 'muted', id: 'launch-note' });
    const start = h('button', { class: 'primary', id: 'start' }, 'Start');
    const check = h('button', { id: 'validate' }, 'Validate');
    const allFields = () => [...Object.values(env).flatMap((x) => x.fields), ...config.fields];
    const collect = () => ({ kind: kind.kind, name: env.name.read(), seeds: env.seeds.read(), sweep: env.sweep.read(), config: config.read() ?? {} });
    const clear = () => allFields().forEach((x) => { x.row.classList.remove('invalid'); x.error.textContent = ''; });
    const showIssues = (issues) => {
      const fields = allFields();
      const rest = [];
      for (const i of issues) {
        // The deepest field whose path is a prefix of the issue's path (a list item's issue lands on the list).
        const hit = fields.filter((x) => i.path === x.row.dataset.path || i.path.startsWith(`${x.row.dataset.path}.`) || i.path.startsWith(`${x.row.dataset.path}[`)).sort((a, b) => b.row.dataset.path.length - a.row.dataset.path.length)[0];
        if (hit) { hit.row.classList.add('invalid'); hit.error.textContent = (hit.error.textContent ? `${hit.error.textContent}; ` : '') + (i.path === hit.row.dataset.path ? i.message : `${i.path}: ${i.message}`); } else rest.push(i);
      }
      general.replaceChildren(...(rest.length ? [errorBox(new Error(rest.map((i) => `${i.path}: ${i.message}`).join('\n')))] : []));
      fields.find((x) => x.row.classList.contains('invalid'))?.row.scrollIntoView({ block: 'center' });
    };
    const submit = async (path) => {
      clear();
      general.replaceChildren();
      let body;
      try { body = collect(); } catch (err) { return showIssues([{ path: err.path ?? '', message: err.message }]); }
      note.textContent = path === '/api/runs' ? 'starting…' : 'checking…';
      try {
        const r = await api(path, { method: 'POST', body });
        if (path === '/api/runs') location.hash = `#/run/${encodeURIComponent(r.runIds[0])}`;
        else note.textContent = `valid: ${r.runIds.length} run(s): ${r.runIds.join(', ')}`;
      } catch (err) {
        note.textContent = err instanceof ApiError && err.body?.issues ? `${err.body.issues.length} invalid value(s) — nothing was started` : err.message;
        if (err instanceof ApiError && err.body?.issues) showIssues(err.body.issues);
      }
    };
    start.addEventListener('click', () => submit('/api/runs'));
    check.addEventListener('click', () => submit('/api/validate'));
    // The estimate of this launch on this machine (docs/estimate.md): trainable parameters, memory, step time.
    const estimateButton = h('button', { id: 'estimate' }, 'Estimate');
    const estimateBox = h('pre', { id: 'launch-estimate', class: 'mono muted' });
    const showEstimate = async () => {
      try {
        const r = await api('/api/estimate', { method: 'POST', body: collect() });
        estimateBox.textContent = r.text ?? `no estimate: ${r.reason}`;
      } catch (err) { estimateBox.textContent = `no estimate: ${err.message}`; }
    };
    estimateButton.addEventListener('click', showEstimate);
    formBox.replaceChildren(
      h('div', { class: 'card' }, h('div', { class: 'muted', style: 'margin-bottom:6px' }, `kind ${kind.kind}: ${kind.summary}`, file?.description ? ` — ${file.description}` : ''), env.name.el, env.seeds.el, env.sweep.el),
      h('div', { class: 'card' }, h('h2', { style: 'margin-top:0' }, 'config'), config.el),
      h('div', { class: 'toolbar' }, start, check, estimateButton, note),
      estimateBox,
    );
    showEstimate();
  });
}
