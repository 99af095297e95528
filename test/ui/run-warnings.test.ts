// Issue 27 (low): one malformed metrics line made the whole run page fail (400). In Chromium on a real server:
// the page shows the run, its loss curve from the other lines, and a warning naming the file and line.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { rmSync } from 'node:fs';
import type { Browser, Page } from 'puppeteer-core';
import { closeAll, launchBrowser, openPage, startUi, tempRoot, type PageLog } from './browser.ts';
import type { UiServer } from '../../lib/ui/index.ts';
import { writeRun } from './synthetic.ts';

const root = tempRoot('warn');
let ui: UiServer, browser: Browser, profile: string, page: Page, log: PageLog;

test.before(async () => {
  writeRun(root, 'torn-page', { metrics: '{"step":1,"loss":2}\n{"step":2,"loss":\n{"step":3,"loss":1.5}\n{"step":4,"loss":1.25}\n' });
  ui = await startUi({ root, port: 0, token: 'run-warnings-token-1234' });
  ({ browser, profile } = await launchBrowser());
  ({ page, log } = await openPage(browser, ui));
});
test.after(async () => {
  await closeAll(browser, profile, ui);
  rmSync(root, { recursive: true, force: true });
});

test('a run with a malformed metrics line: the page, the curve of the rest, and a located warning', async () => {
  await page.goto(`http://127.0.0.1:${ui.port}/?token=${ui.token}#/run/torn-page`, { waitUntil: 'networkidle0' });
  await page.waitForSelector('#run-warnings:not([style*="display: none"])', { timeout: 20_000 });
  const warning = await page.$eval('#run-warnings', (el) => el.textContent ?? '');
  assert.match(warning, 'torn-page/metrics.jsonl:2');
  assert.match(warning, 'invalid JSON line');
  await page.waitForSelector('#loss-chart svg, #loss-chart canvas', { timeout: 20_000 });
  assert.match(await page.$eval('h1', (el) => el.textContent ?? ''), 'torn-page');
  assert.equal(log.errors, []);
  assert.equal(log.external, []);
});

test.run();
