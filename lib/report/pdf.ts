/**
 * HTML → PDF with Debian's Chromium headless (`apt-get install chromium`). The report HTML is self-contained,
 * so Chromium needs no network; the flags below keep it from phoning home or touching the user's profile.
 *
 * @example
 * await printPdf('/abs/results/reports/x/report.html', '/abs/results/reports/x/report.pdf');
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { LedgerLabError } from '../errors.ts';
import { childEnv, writeFileAtomic } from '../util/index.ts';

export const CHROMIUM_NAMES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];
export const CHROMIUM_APP_PATHS = ['/Applications/Chromium.app/Contents/MacOS/Chromium', '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome'];

function executable(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The Chromium binary to use: `explicit`, else $LEDGERLAB_CHROMIUM, else the first of CHROMIUM_NAMES on PATH.
 * Missing → a LedgerLabError saying how to install it.
 */
export function findChromium(explicit?: string, env: NodeJS.ProcessEnv = process.env): string {
  const wanted = explicit ?? env.LEDGERLAB_CHROMIUM;
  if (wanted) {
    const p = isAbsolute(wanted) || wanted.includes('/') ? resolve(wanted) : searchPath(wanted, env);
    if (p && executable(p)) return p;
    throw new LedgerLabError({
      kind: 'runtime',
      problem: `Chromium not found at "${wanted}"`,
      where: explicit ? 'chromium option' : 'LEDGERLAB_CHROMIUM',
      hint: 'point it at a Chromium/Chrome binary, or unset it to search PATH',
    });
  }
  for (const name of CHROMIUM_NAMES) {
    const p = searchPath(name, env);
    if (p) return p;
  }
  // macOS keeps browsers in app bundles, not on PATH.
  for (const p of CHROMIUM_APP_PATHS) if (existsSync(p) && executable(p)) return p;
  throw new LedgerLabError({
    kind: 'runtime',
    problem: 'Chromium is not installed, so the report cannot be printed to PDF (the HTML report is written)',
    where: `PATH (looked for ${CHROMIUM_NAMES.join(', ')})`,
    hint: 'install it (`sudo apt-get install chromium`, `brew install --cask chromium`, `sudo dnf install chromium`; `bash scripts/setup-system.sh` says which), or set LEDGERLAB_CHROMIUM=/path/to/chrome',
  });
}

function searchPath(name: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const p = join(dir, name);
    if (existsSync(p) && executable(p)) return p;
  }
  return undefined;
}

export interface PdfOptions {
  chromium?: string;
  /** Kill Chromium after this long (default 120 s). */
  timeoutMs?: number;
}

/** Prints `htmlPath` to `pdfPath` (written atomically). Errors carry Chromium's last stderr lines. */
export async function printPdf(htmlPath: string, pdfPath: string, opts: PdfOptions = {}): Promise<string> {
  const bin = findChromium(opts.chromium);
  const out = resolve(pdfPath);
  const profile = mkdtempSync(join(tmpdir(), 'll-chromium-'));
  const tmpPdf = join(profile, 'out.pdf');
  const args = [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--no-first-run', `--user-data-dir=${profile}`,
    '--no-pdf-header-footer', `--print-to-pdf=${tmpPdf}`, pathToFileURL(resolve(htmlPath)).href,
  ];
  try {
    const { code, stderr, timedOut } = await new Promise<{ code: number | null; stderr: string; timedOut: boolean }>((done, fail) => {
      const child = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'], env: childEnv() });
      let stderr = '';
      let timedOut = false;
      child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-8000)));
      const timer = setTimeout(() => {
        timedOut = true;
        child.kill('SIGKILL');
      }, opts.timeoutMs ?? 120_000);
      child.on('error', (err) => {
        clearTimeout(timer);
        fail(err);
      });
      child.on('close', (c) => {
        clearTimeout(timer);
        done({ code: c, stderr, timedOut });
      });
    });
    const ok = existsSync(tmpPdf) && readFileSync(tmpPdf).subarray(0, 5).toString('latin1') === '%PDF-';
    if (!ok || code !== 0) {
      throw new LedgerLabError({
        kind: 'runtime',
        problem: timedOut ? 'Chromium timed out printing the PDF' : `Chromium failed to print the PDF (exit ${code})`,
        where: `${bin} --print-to-pdf ${htmlPath}`,
        hint: stderr.trim().split('\n').slice(-4).join(' | ') || 'run the command by hand to see why',
      });
    }
    writeFileAtomic(out, readFileSync(tmpPdf));
    return out;
  } catch (err) {
    if (err instanceof LedgerLabError) throw err;
    throw new LedgerLabError({ kind: 'runtime', problem: `cannot run Chromium: ${(err as Error).message}`, where: bin, cause: err });
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}
