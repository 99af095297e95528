// Reports: the HTML reports under <root>/reports/ (built here from a selection on the Runs page, or by
// `ledgerlab report`), opened inside the page.
import { api, fileUrl } from '../api.js';
import { h } from '../dom.js';

export async function render(main, open) {
  const list = await api('/api/reports');
  main.append(h('h1', {}, `Reports (${list.length})`));
  if (open) {
    const r = list.find((x) => x.name === open);
    main.append(h('p', {}, h('a', { href: '#/reports' }, '← all reports'), ' · ', r ? h('a', { href: fileUrl(r.path), target: '_blank' }, 'open in a new tab') : ''));
    if (r) main.append(h('iframe', { class: 'report', id: 'report-frame', src: fileUrl(r.path) }));
    else main.append(h('p', { class: 'error-box' }, `no report "${open}"`));
    return;
  }
  main.append(
    h('p', { class: 'muted' }, 'Build a report from a selection of runs on the Runs page (“Build report”), or with ledgerlab report RUN… in a terminal.'),
    h('table', { id: 'reports' }, h('thead', {}, h('tr', {}, h('th', {}, 'report'), h('th', {}, 'written'), h('th', {}, 'files'))),
      h('tbody', {}, list.length ? list.map((r) => h('tr', {},
        h('td', {}, h('a', { href: `#/reports/${encodeURIComponent(r.name)}` }, r.name)),
        h('td', { class: 'muted' }, r.modified.replace('T', ' ').slice(0, 19)),
        h('td', {}, h('a', { href: fileUrl(r.path), target: '_blank' }, 'html'), r.pdf ? [' · ', h('a', { href: fileUrl(r.pdf), target: '_blank' }, 'pdf')] : ''),
      )) : h('tr', {}, h('td', { colspan: 3, class: 'muted' }, 'No reports yet.')))),
  );
}
