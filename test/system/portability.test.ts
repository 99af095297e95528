/**
 * Issue 20 point 16: installs work beyond Linux x64 glibc. The lockfile holds every platform's native
 * packages as optional packages (none is a hard dependency), npm resolves an install for macOS and Linux arm64
 * from it (npm's --os/--cpu overrides, dry run, in a scratch folder), and the system set-up finds Jupyter and
 * Chromium without apt, or says exactly what to install.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, symlinkSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { repoRoot } from '../helpers/cli.ts';
import { edrPackage } from '../../scripts/postinstall.js';
import { findJupyterPython, jupyterPythonCandidates } from '../../lib/notebook/python.ts';
import { findChromium } from '../../lib/report/pdf.ts';
import { LedgerLabError } from '../../lib/errors.ts';

const lock = JSON.parse(readFileSync(join(repoRoot, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version?: string; os?: string[]; cpu?: string[]; libc?: string[]; optional?: boolean; dev?: boolean }> };
const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as Record<string, Record<string, string>>;

// The native families and the package each needs on the platforms we claim (napi-rs naming).
const PLATFORMS = {
  'darwin-arm64': { os: 'darwin', cpu: 'arm64' },
  'darwin-x64': { os: 'darwin', cpu: 'x64' },
  'linux-x64-gnu': { os: 'linux', cpu: 'x64', libc: 'glibc' },
  'linux-arm64-gnu': { os: 'linux', cpu: 'arm64', libc: 'glibc' },
  'linux-x64-musl': { os: 'linux', cpu: 'x64', libc: 'musl' },
  'win32-x64-msvc': { os: 'win32', cpu: 'x64' },
} as const;
const FAMILIES = ['@nomicfoundation/edr-', '@node-rs/jieba-', '@resvg/resvg-js-'];

test('the lockfile has every platform\'s native package for EDR, jieba and resvg, each optional with its os/cpu', () => {
  for (const family of FAMILIES) {
    for (const [plat, want] of Object.entries(PLATFORMS)) {
      const e = lock.packages[`node_modules/${family}${plat}`];
      assert.ok(e, `${family}${plat} missing from package-lock.json`);
      assert.is(e.optional, true, `${family}${plat} must be optional`);
      assert.equal([e.os, e.cpu], [[want.os], [want.cpu]], `${family}${plat}`);
      if ('libc' in want) assert.equal(e.libc, [want.libc], `${family}${plat} libc`);
    }
  }
  for (const plat of ['darwin-arm64', 'darwin-x64', 'linux-x64', 'linux-arm64', 'win32-x64']) {
    assert.ok(lock.packages[`node_modules/@esbuild/${plat}`]?.optional, `@esbuild/${plat}`);
  }
});

test('no package restricted to some platforms is a hard dependency (npm would refuse the install elsewhere)', () => {
  const hard = Object.entries(lock.packages).filter(([k, e]) => k && !e.optional && (e.os || e.cpu || e.libc));
  // onnxruntime-node declares the three desktop OSes; that is no restriction for the platforms above.
  assert.equal(hard.map(([k, e]) => [k, e.os]), [['node_modules/onnxruntime-node', ['win32', 'darwin', 'linux']]]);
  for (const field of ['dependencies', 'devDependencies']) {
    assert.equal(Object.keys(pkg[field]).filter((n) => /-(linux|darwin|win32)-/.test(n)), [], `${field} lists a platform package`);
  }
});

/** npm-cli.js of the npm on PATH, run on this Node 22 (EDR's packages need Node >= 22 or npm skips them). */
function npm(args: string[], cwd: string) {
  const which = spawnSync('sh', ['-c', 'command -v npm'], { encoding: 'utf8' }).stdout.trim();
  const cli = join(dirname(realpathSync(which)), 'npm-cli.js');
  return spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8', env: { ...process.env, PATH: `${dirname(process.execPath)}:${process.env.PATH}` }, timeout: 180_000 });
}

for (const [os, cpu, plat] of [['darwin', 'arm64', 'darwin-arm64'], ['linux', 'arm64', 'linux-arm64-gnu']] as const) {
  test(`npm install --os=${os} --cpu=${cpu} --dry-run from the lockfile picks that platform's native packages`, () => {
    const dir = mkdtempSync(join(tmpdir(), `ll-npm-${os}-${cpu}-`));
    for (const f of ['package.json', 'package-lock.json']) copyFileSync(join(repoRoot, f), join(dir, f));
    const r = npm(['install', `--os=${os}`, `--cpu=${cpu}`, '--dry-run', '--ignore-scripts', '--no-audit', '--no-fund'], dir);
    assert.is(r.status, 0, r.stderr.slice(-2000));
    const added = new Set([...r.stdout.matchAll(/^add (\S+) /gm)].map((m) => m[1]));
    for (const family of FAMILIES) assert.ok(added.has(`${family}${plat}`), `${family}${plat} not added:\n${[...added].filter((a) => FAMILIES.some((f) => a.startsWith(f))).join('\n')}`);
    // (@nomicfoundation/solidity-analyzer-* declare no os/cpu, so npm adds all of them everywhere: harmless.)
    assert.equal([...added].filter((a) => FAMILIES.some((f) => a.startsWith(f)) && /-linux-x64-gnu$/.test(a)), [], 'nothing for linux-x64');
    assert.not.match(r.stderr, /EBADPLATFORM/);
  });
}

test('postinstall names the EDR package of each platform as EDR\'s own loader does', () => {
  assert.is(edrPackage('linux', 'x64', true), '@nomicfoundation/edr-linux-x64-gnu');
  assert.is(edrPackage('linux', 'arm64', false), '@nomicfoundation/edr-linux-arm64-musl');
  assert.is(edrPackage('darwin', 'arm64', false), '@nomicfoundation/edr-darwin-arm64');
  assert.is(edrPackage('win32', 'x64', false), '@nomicfoundation/edr-win32-x64-msvc');
  assert.is(edrPackage(), '@nomicfoundation/edr-linux-x64-gnu', 'this machine');
  assert.ok(lock.packages[`node_modules/${edrPackage()}`], 'and the lockfile has it');
  assert.match(pkg.scripts.postinstall, 'node scripts/postinstall.js');
  // Installed here, so the script has nothing to do.
  const r = spawnSync(process.execPath, [join(repoRoot, 'scripts', 'postinstall.js')], { encoding: 'utf8' });
  assert.equal([r.status, r.stderr], [0, '']);
});

/** A PATH with only the commands the set-up script needs, plus `extra` links: no chromium, python3, pdftoppm or redis-server. */
function barePath(extra: Record<string, string> = {}): string {
  const bin = mkdtempSync(join(tmpdir(), 'll-bin-'));
  for (const c of ['bash', 'sh', 'uname', 'head', 'sed', 'awk', 'grep', 'find', 'id', 'fc-list']) {
    const which = spawnSync('sh', ['-c', `command -v ${c}`], { encoding: 'utf8' }).stdout.trim();
    if (which) symlinkSync(which, join(bin, c));
  }
  for (const [name, target] of Object.entries(extra)) symlinkSync(target, join(bin, name));
  return bin;
}

function setup(env: Record<string, string>) {
  const e: Record<string, string | undefined> = { ...process.env, LEDGERLAB_CHROMIUM: '', LEDGERLAB_JUPYTER_PYTHON: '', ...env };
  return spawnSync('/bin/bash', [join(repoRoot, 'scripts', 'setup-system.sh'), 'check'], { encoding: 'utf8', env: e as NodeJS.ProcessEnv });
}

test('setup-system.sh on Debian (apt): check passes with the installed packages', () => {
  const r = setup({});
  assert.equal([r.status, r.stderr], [0, '']);
});

test('setup-system.sh without apt: says exactly what to install with brew / dnf / pacman, exit 1', () => {
  const PATH = barePath();
  const expected: Record<string, string[]> = {
    brew: ['  Chromium or Chrome:  brew install --cask chromium   (or: brew install --cask google-chrome)   (or set LEDGERLAB_CHROMIUM=/path/to/chrome)', '  poppler (pdftoppm):  brew install poppler', '  Redis (redis-server):  brew install redis'],
    dnf: ['  Chromium or Chrome:  sudo dnf install -y chromium   (or set LEDGERLAB_CHROMIUM=/path/to/chrome)', '  poppler (pdftoppm):  sudo dnf install -y poppler-utils', '  Redis (redis-server):  sudo dnf install -y redis'],
    pacman: ['  Chromium or Chrome:  sudo pacman -S --needed chromium   (or set LEDGERLAB_CHROMIUM=/path/to/chrome)', '  poppler (pdftoppm):  sudo pacman -S --needed poppler', '  Redis (redis-server):  sudo pacman -S --needed redis   (or valkey)'],
  };
  for (const [pm, lines] of Object.entries(expected)) {
    const r = setup({ LEDGERLAB_SETUP_PM: pm, PATH });
    assert.is(r.status, 1, pm);
    assert.equal(r.stderr.trim().split('\n'), [`setup-system: missing on this machine (package manager: ${pm}); install with:`, ...lines, 'setup-system: then rerun: bash scripts/setup-system.sh (docs/setup.md has the details)'], pm);
  }
});

test('setup-system.sh without apt: finds Chromium by LEDGERLAB_CHROMIUM and Jupyter by the `jupyter` on PATH', () => {
  // A `jupyter` whose shebang names "python3" through env, found on PATH: a virtualenv's layout.
  const venv = mkdtempSync(join(tmpdir(), 'll-venv-'));
  mkdirSync(join(venv, 'bin'));
  symlinkSync('/usr/bin/python3', join(venv, 'bin', 'python3'));
  writeFileSync(join(venv, 'bin', 'jupyter'), '#!/usr/bin/env python3\nprint("jupyter")\n');
  chmodSync(join(venv, 'bin', 'jupyter'), 0o755);
  const PATH = `${join(venv, 'bin')}:${barePath({ pdftoppm: '/usr/bin/pdftoppm', 'redis-server': '/usr/bin/redis-server' })}`;
  const r = setup({ LEDGERLAB_SETUP_PM: 'brew', PATH, LEDGERLAB_CHROMIUM: '/usr/bin/chromium' });
  assert.equal([r.status, r.stderr.trim()], [0, `setup-system: ok (brew): Jupyter python ${join(venv, 'bin', 'python3')}, Chromium /usr/bin/chromium`]);
  // The library looks in the same places, in the same order.
  assert.is(jupyterPythonCandidates({ PATH })[0], join(venv, 'bin', 'python3'));
  assert.is(findJupyterPython({ PATH }), join(venv, 'bin', 'python3'));
  assert.is(findChromium(undefined, { PATH, LEDGERLAB_CHROMIUM: '/usr/bin/chromium' }), '/usr/bin/chromium');
  const bad = setup({ LEDGERLAB_SETUP_PM: 'dnf', PATH, LEDGERLAB_CHROMIUM: '/nope/chrome', LEDGERLAB_JUPYTER_PYTHON: '/bin/false' });
  assert.is(bad.status, 1);
  assert.match(bad.stderr, '  Jupyter: LEDGERLAB_JUPYTER_PYTHON=/bin/false cannot import nbclient, nbformat; fix it or unset it');
  assert.match(bad.stderr, '  Chromium: LEDGERLAB_CHROMIUM=/nope/chrome is not an executable; fix it or unset it');
  assert.throws(() => findJupyterPython({ PATH, LEDGERLAB_JUPYTER_PYTHON: '/bin/false' }), (e: LedgerLabError) => e.where === 'LEDGERLAB_JUPYTER_PYTHON');
});

test.run();
