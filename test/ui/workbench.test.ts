// The workbench driven in Debian Chromium (puppeteer-core, headless, fresh profile) against a real server on
// real fixture runs: the runs table, compare, a launch whose loss curve grows live until it finishes, a cancel
// that leaves the run interrupted and resumable, streamed chat side by side, a report, the incentive heat map,
// and a traversal attempt. Each page's screenshot is saved (LEDGERLAB_UI_SHOTS=docs/img refreshes the docs).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'puppeteer-core';
import { readJsonl, readRunRecord } from '../../lib/results/index.ts';
import type { UiServer } from '../../lib/ui/index.ts';
import { repoRoot } from '../helpers/cli.ts';
import { makeFixtures, tinySpec, type Fixtures } from './fixtures.ts';
import { closeAll, experimentsDir, launchBrowser, openPage, startUi, tempRoot, type PageLog } from './browser.ts';

// Browser globals used inside page.evaluate callbacks, which run in Chromium, not in Node (no DOM lib here).
/* eslint-disable @typescript-eslint/no-explicit-any */
declare const document: any;
declare const window: any;
declare const MutationObserver: any;
type HTMLElement = {
  dataset: Record<string, string | undefined>; textContent: string | null; querySelector(s: string): any;
  classList: { contains(c: string): boolean }; closest(s: string): any;
};
type HTMLInputElement = HTMLElement & { value: string };

const root = tempRoot('workbench');
const shots = resolve(repoRoot, process.env.LEDGERLAB_UI_SHOTS ?? tempRoot('shots'));
mkdirSync(shots, { recursive: true });
const LIVE_STEPS = 100;
const CANCEL_STEPS = 120;
const exps = experimentsDir({
  'tiny-live.json': tinySpec({ name: 'tiny-live', steps: LIVE_STEPS }),
  'tiny-cancel.json': tinySpec({ name: 'tiny-cancel', steps: CANCEL_STEPS }),
});

let fx: Fixtures;
let ui: UiServer;
let browser: Browser;
let profile: string;
let page: Page;
let log: PageLog;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const go = async (hash: string) => {
  await page.goto(`http://127.0.0.1:${ui.port}/?token=${ui.token}${hash}`, { waitUntil: 'networkidle0' });
};
const shot = (name: string) => page.screenshot({ path: join(shots, `ui-${name}.png`), fullPage: true });
const text = (sel: string) => page.$eval(sel, (e) => e.textContent ?? '');
const statusPill = () => text('#run-status');
async function until<T>(what: string, f: () => Promise<T | undefined | false>, timeoutMs = 90_000, everyMs = 100): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await f().catch(() => undefined);
    if (v) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** Picks an experiment file on the launch page and starts it; returns the run id the page went to. */
async function launchFile(file: string, edit?: (p: Page) => Promise<void>): Promise<string> {
  await go('#/launch');
  await page.waitForSelector('#launch-source');
  await page.select('#launch-source', `file:${join(exps, file)}`);
  await page.waitForSelector('#start');
  await edit?.(page);
  await page.click('#start');
  await until('the run page', async () => page.url().includes('#/run/'));
  return decodeURIComponent(page.url().split('#/run/')[1]);
}

test.before(async () => {
  // Chromium starts while the fixture runs are made.
  const [made, launched] = await Promise.all([makeFixtures(root), launchBrowser()]);
  fx = made;
  ({ browser, profile } = launched);
  ui = await startUi({ root, port: 0, experimentDirs: [exps] });
  ({ page, log } = await openPage(browser, ui));
});
test.after(async () => {
  await closeAll(browser, profile, ui);
  for (const d of [root, exps]) rmSync(d, { recursive: true, force: true });
});

test('the runs table lists every run with kind, status and seeds; filters narrow it', async () => {
  await go('#/runs');
  await page.waitForSelector('#runs-table tbody tr[data-id]');
  const rows = await page.$$eval('#runs-table tbody tr[data-id]', (trs) => trs.map((tr) => [tr.getAttribute('data-id'), ...[...tr.querySelectorAll('td')].slice(2, 6).map((td) => td.textContent)]));
  assert.equal(rows.map((r) => r[0]).sort(), [...fx.finetune, fx.simulate].sort());
  assert.equal(rows.find((r) => r[0] === fx.simulate), [fx.simulate, 'simulate', 'sim-quick', 'finished', '0, 1']);
  assert.equal(rows.find((r) => r[0] === fx.finetune[0]), [fx.finetune[0], 'finetune', 'finetune-tiny', 'finished', '0']);
  await shot('runs');
  await page.select('#filter-kind', 'simulate');
  assert.equal(await page.$$eval('#runs-table tbody tr[data-id]', (trs) => trs.map((tr) => tr.getAttribute('data-id'))), [fx.simulate]);
  await page.select('#filter-kind', '');
});

test('compare shows the two runs, the differing config key, metrics and overlaid loss curves', async () => {
  await go('#/runs');
  await page.waitForSelector('#runs-table tbody tr[data-id]');
  for (const id of fx.finetune) await page.click(`tr[data-id="${id}"] input.select`);
  await page.click('#compare');
  await page.waitForSelector('#compare-loss svg');
  const ids = await page.$$eval('#compare-runs tbody tr td:first-child', (tds) => tds.map((t) => t.textContent));
  assert.equal(ids, fx.finetune);
  assert.is(await text('#differing'), 'train.lr');
  const lrs = await page.$$eval('#compare-runs tbody tr td:last-child', (tds) => tds.map((t) => t.textContent));
  assert.equal(lrs, ['0.005', '0.02']);
  const metrics = await page.$$eval('#compare-metrics tbody tr td:first-child', (tds) => tds.map((t) => t.textContent));
  assert.ok(metrics.includes('scores.bleu-4') && metrics.includes('evalLoss'));
  assert.is(await page.$eval('#compare-loss', (e) => (e as HTMLElement).dataset.points), String(2 * 6));
  await shot('compare');
});

test('a run page: predictions worst first and sortable, artefacts, metric curves', async () => {
  const id = fx.finetune[0];
  await go(`#/run/${id}`);
  await page.waitForSelector('#predictions tbody tr');
  const col = async () => page.$$eval('#predictions tbody tr', (trs) => trs.map((tr) => Number(tr.querySelectorAll('td')[3].textContent)));
  const first = await col();
  const key = await page.$eval('#predictions th.sortable', (th) => (th as HTMLElement).dataset.key!);
  const file = readJsonl<Record<string, number>>(join(root, id, 'predictions.jsonl')).map((r) => r[key]).sort((a, b) => a - b);
  assert.equal(first, file.map((x) => Number(x === Math.floor(x) ? String(x) : x.toPrecision(4))));
  await page.click('#predictions th.sortable');
  const desc = await col();
  assert.equal(desc, first.slice().reverse());
  const files = await page.$$eval('#artefacts tbody tr td:first-child', (tds) => tds.map((t) => t.textContent));
  assert.equal(files, ['adapter.safetensors', 'checkpoint.safetensors', 'metrics.jsonl', 'predictions.jsonl', 'run.json']);
  assert.is(await page.$eval('#loss-chart', (e) => (e as HTMLElement).dataset.points), '6');
  assert.ok((await page.$$('#metric-charts svg')).length >= 2);
  await shot('run');
});

test('launch: a bad value is shown at its field and starts nothing; a good one streams its loss curve live', async () => {
  await go('#/launch');
  await page.waitForSelector('#launch-source');
  await page.select('#launch-source', `file:${join(exps, 'tiny-live.json')}`);
  await page.waitForSelector('input[name="config.train.steps"]');
  assert.is(await page.$eval('input[name="config.train.steps"]', (e) => (e as HTMLInputElement).value), String(LIVE_STEPS));
  await page.$eval('input[name="config.train.steps"]', (e) => { (e as HTMLInputElement).value = '0'; });
  await page.click('#start');
  await page.waitForSelector('.field.invalid[data-path="config.train.steps"]');
  assert.match(await text('.field.invalid[data-path="config.train.steps"] .error'), 'expected integer ≥ 1, got 0');
  assert.is(await page.$$eval('.field.invalid', (x) => x.length), 1);
  assert.ok(!readdirSync(root).some((n) => n.startsWith('tiny-live')), 'no run folder for an invalid config');
  await shot('launch');

  const seen: number[] = [];
  let midShot = false;
  const id = await launchFile('tiny-live.json');
  assert.match(id, /^tiny-live-[0-9a-f]{8}-s0$/);
  await until('the run to finish', async () => {
    const n = Number(await page.$eval('#loss-chart', (e) => (e as HTMLElement).dataset.points ?? '0').catch(() => '0'));
    if (n && n !== seen.at(-1)) seen.push(n);
    if (!midShot && n >= 15 && n < LIVE_STEPS) { midShot = true; await shot('run-live'); }
    return (await statusPill().catch(() => '')) === 'finished' && n === LIVE_STEPS;
  }, 120_000, 50);
  assert.ok(seen.length >= 3, `the curve grew in steps: ${seen.join(' → ')}`);
  assert.ok(seen.some((n) => n > 0 && n < LIVE_STEPS), `points seen before the end: ${seen.join(' → ')}`);
  assert.equal(seen, seen.slice().sort((a, b) => a - b), 'the curve only grows');
  assert.is(seen.at(-1), LIVE_STEPS);
  assert.is(readRunRecord(join(root, id)).status, 'finished');
  // The run went through `ledgerlab run` on the launch's experiment file.
  assert.equal(readRunRecord(join(root, id)).process.argv.slice(0, 2), [join(repoRoot, 'bin', 'ledgerlab.js'), 'run']);
});

test('cancel marks a running run interrupted; resume continues it from its checkpoint to the end', async () => {
  const id = await launchFile('tiny-cancel.json');
  await until('some steps', async () => Number(await page.$eval('#loss-chart', (e) => (e as HTMLElement).dataset.points ?? '0')) >= 12);
  await page.waitForSelector('#cancel');
  await page.click('#cancel');
  await until('interrupted', async () => (await statusPill()) === 'interrupted', 60_000);
  await until('the page to reload the stopped run', async () => (await page.$('#artefacts')) !== null, 10_000);
  const rec = readRunRecord(join(root, id));
  assert.is(rec.status, 'interrupted');
  assert.is(rec.error?.message, 'received SIGINT');
  assert.ok(existsSync(join(root, id, 'checkpoint.safetensors')));
  const listed = (await (await fetch(`http://127.0.0.1:${ui.port}/api/runs?status=interrupted`, { headers: { "x-ledgerlab-token": ui.token } })).json()) as { id: string }[];
  assert.equal(listed.map((r: { id: string }) => r.id), [id]);
  const stoppedAt = readJsonl<{ step?: number; loss?: number }>(join(root, id, 'metrics.jsonl')).filter((l) => l.loss !== undefined).length;
  assert.ok(stoppedAt < CANCEL_STEPS, `stopped at step ${stoppedAt}`);
  await shot('run-interrupted');
  await page.click('#resume');
  await until('the resumed run to finish', async () => readRunRecord(join(root, id)).status === 'finished', 120_000, 250);
  const done = readRunRecord(join(root, id));
  const summary = done.summary as { steps: number; resumedFrom: number };
  assert.is(summary.steps, CANCEL_STEPS);
  assert.ok(summary.resumedFrom > 0 && summary.resumedFrom <= stoppedAt, `resumed from ${summary.resumedFrom}`);
  assert.is(done.resumes, 1);
});

test('chat: two runs answer the same prompt side by side, token by token, as the API streams them', async () => {
  await go('#/chat');
  await page.waitForSelector('#model-a option');
  await page.select('#model-a', `run:${fx.finetune[0]}`);
  await page.select('#model-b', `run:${fx.finetune[1]}`);
  const set = (sel: string, v: string) => page.$eval(sel, (e, x) => { (e as HTMLInputElement).value = x; }, v);
  await set('#temperature', '0.7');
  await set('#top-p', '0.9');
  await set('#max-new', '12');
  await set('#seed', '3');
  // Every token count the page sets on its way, from the mutation records themselves (each record keeps the value it
  // replaced), so that the check does not depend on how the browser batches observer callbacks: a chunk that brings
  // several tokens at once still shows as one DOM update per token.
  await page.evaluate(() => {
    const w = window as unknown as { seen: Record<string, string[]> };
    w.seen = {};
    new MutationObserver((records: any[]) => {
      for (const r of records) {
        const el = r.target as HTMLElement;
        if (r.type !== 'attributes' || r.attributeName !== 'data-tokens' || !el.classList.contains('answer')) continue;
        (w.seen[(el.closest('.chat-col') as HTMLElement).dataset.model!] ??= []).push(r.oldValue!);
      }
      document.querySelectorAll('.chat-col').forEach((c: HTMLElement) => {
        const s = w.seen[(c as HTMLElement).dataset.model!];
        if (s) s.push((c.querySelector('.answer') as HTMLElement).dataset.tokens!);
      });
    }).observe(document.getElementById('answers')!, { subtree: true, attributes: true, attributeOldValue: true, attributeFilter: ['data-tokens'] });
  });
  await page.click('#generate');
  await page.waitForFunction(() => document.querySelectorAll('.answer[data-done="true"]').length === 2, { timeout: 90_000 });
  const answers = await page.$$eval('.chat-col', (cols) => cols.map((c) => [(c as HTMLElement).dataset.model, c.querySelector('.answer')!.textContent, (c.querySelector('.answer') as HTMLElement).dataset.tokens]));
  assert.equal(answers.map((a) => a[0]), fx.finetune.map((id) => `run:${id}`));
  const seen = await page.evaluate(() => (window as unknown as { seen: Record<string, string[]> }).seen);
  for (const [ref, answer, tokens] of answers) {
    const res = await fetch(`http://127.0.0.1:${ui.port}/api/generate`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-ledgerlab-token': ui.token }, body: JSON.stringify({ model: ref, prompt: '类型#裙*颜色#红色*风格#清新', temperature: 0.7, topP: 0.9, maxNew: 12, seed: 3 }) });
    const lines = (await res.text()).trim().split('\n').map((l) => JSON.parse(l));
    assert.is(answer, lines.filter((l) => l.token).map((l) => l.token).join(''), `${ref} shows what the API streams`);
    assert.is(Number(tokens), lines.at(-1).tokens);
    assert.ok(Number(tokens) >= 2);
    // The page added the answer one token at a time, as the stream's lines came (1, 2, …, n), never in one piece.
    const counts = [...new Set(seen[ref!]!.map(Number).filter((n) => n > 0))];
    assert.equal(counts, Array.from({ length: Number(tokens) }, (_, i) => i + 1), `${ref}: counts seen ${counts.join(' → ')}`);
  }
  await shot('chat');
});

test('a traversal attempt from the page gets a 4xx and no file', async () => {
  const res = await page.goto(`http://127.0.0.1:${ui.port}/files/..%2f..%2f..%2f..%2fetc%2fpasswd?token=${ui.token}`);
  assert.is(res!.status(), 403);
  await go('#/runs');
  const statuses = await page.evaluate(async (token) => Promise.all(['/files/%2e%2e/%2e%2e/%2e%2e/etc/passwd', '/files/..%5C..%5Cetc%5Cpasswd'].map(async (p) => {
    const r = await fetch(`${p}?token=${token}`);
    return [r.status, (await r.text()).includes('root:')];
  })), ui.token);
  for (const [status, leaked] of statuses) { assert.ok((status as number) >= 400 && (status as number) < 500); assert.is(leaked, false); }
});

test('reports: build one from a selection of runs and open it', async () => {
  await go('#/runs');
  await page.waitForSelector('#runs-table tbody tr[data-id]');
  for (const id of fx.finetune) await page.click(`tr[data-id="${id}"] input.select`);
  await page.click('#build-report');
  await until('the report page', async () => page.url().includes('#/reports/'), 90_000);
  await page.waitForSelector('#report-frame');
  const frame = await (await page.$('#report-frame'))!.contentFrame();
  await until('the report to load', async () => (await frame.content()).includes(fx.finetune[1]), 30_000);
  const name = decodeURIComponent(page.url().split('#/reports/')[1]);
  assert.ok(existsSync(join(root, 'reports', name, 'report.html')));
  const html = readFileSync(join(root, 'reports', name, 'report.html'), 'utf8');
  for (const id of fx.finetune) assert.match(html, id);
  await sleep(300);
  await shot('report');
  await go('#/reports');
  await page.waitForSelector('#reports tbody tr');
  assert.equal(await page.$$eval('#reports tbody tr td:first-child', (tds) => tds.map((t) => t.textContent)), [name]);
  await shot('reports');
});

test('incentives: the design × attack heat map; a cell opens its per-seed figures', async () => {
  await go(`#/sim/${fx.simulate}`);
  await page.waitForSelector('#heatmap svg');
  const heat = await page.$eval('#heatmap', (e) => (e as HTMLElement).dataset.points);
  assert.is(heat, '9');
  await page.click('td[data-design="sqrt"][data-attack="wash"]');
  await page.waitForSelector('#cell-seeds tbody tr');
  const rows = await page.$$eval('#cell-seeds tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
  const lines = readJsonl<Record<string, number | string>>(join(root, fx.simulate, 'metrics.jsonl')).filter((l) => l.design === 'sqrt' && l.attack === 'wash');
  assert.equal(rows.map((r) => r[0]), lines.map((l) => String(l.seed)));
  assert.equal(rows.map((r) => Number(r[1])), lines.map((l) => Number((l.capturedShare as number).toPrecision(4))));
  await page.waitForFunction(() => document.querySelectorAll('#cell svg').length >= 3);
  await shot('sim');
});

test('the page made no request outside this server and had no script errors', () => {
  assert.equal(log.external, []);
  // HTTP errors the tests provoke on purpose (400 invalid launch, 403 traversal, 404 run not started yet) are
  // logged by Chromium as "Failed to load resource"; anything else is a bug in the page.
  assert.equal(log.errors.filter((e) => !e.startsWith('Failed to load resource: the server responded with a status of 4')), []);
});

test.run();
