// The workbench's router: #/page/arg → a page module's render(main, arg). Pages clean up (close event
// streams) through the function their render returns.
import { api } from './api.js';
import { errorBox } from './dom.js';
import * as runs from './pages/runs.js';
import * as run from './pages/run.js';
import * as compare from './pages/compare.js';
import * as launch from './pages/launch.js';
import * as chat from './pages/chat.js';
import * as reports from './pages/reports.js';
import * as sim from './pages/sim.js';

const pages = { runs, run, compare, launch, chat, reports, sim };
const nav = { run: 'runs', compare: 'runs' };
let cleanup;

async function route() {
  const [, name = 'runs', ...rest] = (location.hash || '#/runs').split('/');
  const page = pages[name] ?? runs;
  const main = document.getElementById('app');
  cleanup?.();
  cleanup = undefined;
  document.querySelectorAll('header nav a').forEach((a) => a.classList.toggle('active', a.dataset.page === (nav[name] ?? name)));
  main.replaceChildren();
  main.dataset.page = name;
  try {
    cleanup = await page.render(main, decodeURIComponent(rest.join('/')));
  } catch (err) {
    main.replaceChildren(errorBox(err));
  }
}

window.addEventListener('hashchange', route);
api('/api/info').then((i) => (document.getElementById('root-label').textContent = i.root)).catch(() => {});
route();
