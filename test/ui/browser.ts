/**
 * The real workbench in Debian Chromium for the UI tests: a server on a fresh results root (in this process,
 * port 0), fixture runs made by the real CLI, and a headless Chromium driven by puppeteer-core with a fresh
 * profile. Console errors and failed requests of the page are collected so tests can assert there were none.
 */
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { startUi, type UiServer } from '../../lib/ui/index.ts';

export const CHROMIUM = '/usr/bin/chromium';

export async function launchBrowser(): Promise<{ browser: Browser; profile: string }> {
  const profile = mkdtempSync(join(tmpdir(), 'll-ui-chromium-'));
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', `--user-data-dir=${profile}`],
    defaultViewport: { width: 1280, height: 860 },
  });
  return { browser, profile };
}

export interface PageLog { errors: string[]; external: string[] }

/** A page with its console errors, page errors and any request that leaves the server collected. */
export async function openPage(browser: Browser, ui: UiServer): Promise<{ page: Page; log: PageLog }> {
  const page = await browser.newPage();
  const log: PageLog = { errors: [], external: [] };
  page.on('console', (m) => { if (m.type() === 'error') log.errors.push(m.text()); });
  page.on('pageerror', (e) => log.errors.push(String(e)));
  page.on('request', (r) => { const u = new URL(r.url()); if (u.protocol.startsWith('http') && u.host !== `127.0.0.1:${ui.port}`) log.external.push(r.url()); });
  return { page, log };
}

export function tempRoot(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `ll-ui-${prefix}-`));
}

export async function closeAll(browser: Browser | undefined, profile: string | undefined, ui: UiServer | undefined): Promise<void> {
  await browser?.close();
  await ui?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
}

/** A folder with one experiment file, offered by the launch page. */
export function experimentsDir(files: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), 'll-ui-exp-'));
  mkdirSync(dir, { recursive: true });
  for (const [name, spec] of Object.entries(files)) writeFileSync(join(dir, name), JSON.stringify(spec, null, 2));
  return dir;
}

export { startUi };
