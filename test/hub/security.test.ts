/**
 * Issue 27 against a hostile hub (test/helpers/fake-hub.ts with its tamper knobs): ETags and listing shas that
 * are paths, non-hex ETags, `--revision ../..`, transfers that end early or answer Range with an empty 206, an
 * announced size over the cap, and a server sending more than it announced. Each must be refused with a
 * located error, write nothing outside the cache, and stop after --attempts transfers.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../helpers/cli.ts';
import { startFakeHub, sendBytes, type HubFile } from '../helpers/fake-hub.ts';
import { LedgerLabError, fetchModel, MAX_LISTING_BYTES } from '../../lib/index.ts';

const REPO = 'evil-org/tiny';
const COMMIT = 'fedcba9876543210fedcba9876543210fedcba98';
const WEIGHTS = Buffer.from(Array.from({ length: 40_000 }, (_, i) => (i * 7919) & 0xff));
const FILES: HubFile[] = [
  { name: 'config.json', bytes: Buffer.from('{"model_type":"llama"}'), lfs: false },
  { name: 'model.safetensors', bytes: WEIGHTS, lfs: true },
];

/** A fresh folder holding the cache, so anything written beside the cache is seen too. */
function sandbox(): { top: string; cache: string } {
  const top = mkdtempSync(join(tmpdir(), 'll-hubsec-'));
  return { top, cache: join(top, 'a', 'b', 'cache') };
}

/** Every path under `dir`, relative. */
function tree(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort();
}

/** Runs fetchModel and returns its LedgerLabError (fails the test on success or a foreign error); bounded in time. */
async function refusal(p: Promise<unknown>, ms = 20_000): Promise<LedgerLabError> {
  const timeout = new Promise<never>((_, no) => setTimeout(() => no(new Error(`no answer within ${ms} ms (a loop?)`)), ms).unref());
  try {
    await Promise.race([p, timeout]);
  } catch (err) {
    assert.instance(err, LedgerLabError, String(err));
    return err as LedgerLabError;
  }
  assert.unreachable('the fetch was expected to be refused');
  throw new Error('unreachable');
}

const outside = (top: string) => tree(top).filter((p) => !p.startsWith(join('a', 'b', 'cache')) && p !== 'a' && p !== join('a', 'b'));

test('an X-Linked-Etag that is a path is refused before anything is written; nothing lands outside the cache', async () => {
  const hub = await startFakeHub({ repo: REPO, commit: COMMIT, files: FILES, rewriteHeaders: (f, h) => (f === 'model.safetensors' ? { ...h, 'x-linked-etag': '"../../../../escaped"' } : h) });
  const { top, cache } = sandbox();
  try {
    const e = await refusal(fetchModel(REPO, { endpoint: hub.endpoint, cacheDir: cache }));
    assert.is(e.code, 'io.hub_refused');
    assert.match(e.problem, /X-Linked-Etag for model\.safetensors .*not a sha256/);
    assert.ok(e.where?.includes('/resolve/'), e.where);
    assert.equal(outside(top), []);
    assert.is(hub.log.filter((l) => l.server === 'cdn').length, 0, 'no byte was asked for');
  } finally {
    await hub.close();
  }
});

test('a non-hex ETag no longer turns the hash check into a size check: changed bytes are refused', async () => {
  const hub = await startFakeHub({ repo: REPO, commit: COMMIT, files: FILES, corrupt: new Set(['model.safetensors']), rewriteHeaders: (f, h) => (f === 'model.safetensors' ? { ...h, 'x-linked-etag': '"not-a-hash"' } : h) });
  const { cache } = sandbox();
  try {
    const e = await refusal(fetchModel(REPO, { endpoint: hub.endpoint, cacheDir: cache }));
    assert.is(e.code, 'io.hub_refused');
    assert.not.ok(tree(cache).some((p) => p.endsWith('model.safetensors')), 'nothing was published');
  } finally {
    await hub.close();
  }
});

test('a regular file whose ETag is not a 40-hex git sha1 is refused', async () => {
  const hub = await startFakeHub({ repo: REPO, commit: COMMIT, files: FILES, rewriteHeaders: (f, h) => (f === 'config.json' ? { ...h, etag: '"../x"' } : h) });
  const { top, cache } = sandbox();
  try {
    const e = await refusal(fetchModel(REPO, { endpoint: hub.endpoint, cacheDir: cache }));
    assert.match(e.problem, /ETag for config\.json .*not a git sha1/);
    assert.equal(outside(top), []);
  } finally {
    await hub.close();
  }
});

test('a listing sha with ../ (medium 6) is refused: no snapshot folder or link outside the cache', async () => {
  const hub = await startFakeHub({ repo: REPO, commit: COMMIT, files: FILES, rewriteListing: (b) => ({ ...b, sha: '../../../../snap' }) });
  const { top, cache } = sandbox();
  try {
    const e = await refusal(fetchModel(REPO, { endpoint: hub.endpoint, cacheDir: cache }));
    assert.is(e.code, 'io.hub_refused');
    assert.match(e.problem, /listing's "sha" is "\.\.\/\.\.\/\.\.\/\.\.\/snap", not a commit id/);
    assert.equal(outside(top), []);
  } finally {
    await hub.close();
  }
});

test('--revision ../.. is a usage error before any request, even against a hub that answers any revision', async () => {
  const hub = await startFakeHub({ repo: REPO, commit: COMMIT, files: FILES, anyRevision: true });
  const { top, cache } = sandbox();
  try {
    for (const revision of ['../..', '..', 'main/../../x', '/etc', 'a\\b', '-x', '']) {
      const e = await refusal(fetchModel(REPO, { endpoint: hub.endpoint, cacheDir: cache, revision }));
      assert.is(e.code, 'usage.bad_revision', revision);
      assert.is(e.where, '--revision');
    }
    assert.is(hub.log.length, 0);
    assert.equal(tree(top), []);
  } finally {
    await hub.close();
  }
});

test('a branch name with slashes (refs/pr/3) still works and its refs file stays inside the cache', async () => {
  const hub = await startFakeHub({ repo: REPO, commit: COMMIT, files: FILES, anyRevision: true });
  const { top, cache } = sandbox();
  try {
    const r = await fetchModel(REPO, { endpoint: hub.endpoint, cacheDir: cache, revision: 'refs/pr/3' });
    assert.is(r.commit, COMMIT);
    assert.ok(existsSync(join(cache, 'models--evil-org--tiny', 'refs', 'refs', 'pr', '3')));
    assert.equal(outside(top), []);
  } finally {
    await hub.close();
  }
});

test('a blobs folder that is a symlink out of the cache is not written through', async () => {
  const hub = await startFakeHub({ repo: REPO, commit: COMMIT, files: FILES });
  const { top, cache } = sandbox();
  const elsewhere = join(top, 'elsewhere');
  mkdirSync(elsewhere);
  mkdirSync(join(cache, 'models--evil-org--tiny'), { recursive: true });
  symlinkSync(elsewhere, join(cache, 'models--evil-org--tiny', 'blobs'));
  try {
    const e = await refusal(fetchModel(REPO, { endpoint: hub.endpoint, cacheDir: cache }));
    assert.is(e.code, 'io.hub_refused');
    assert.match(e.problem, /would be written outside/);
    assert.equal(readdirSync(elsewhere), []);
  } finally {
    await hub.close();
  }
});

test('a Range answered with an empty 206 (medium 8): stops after --attempts transfers with a located error', async () => {
  const hub = await startFakeHub({
    repo: REPO, commit: COMMIT, files: FILES, breakAfter: new Map([['model.safetensors', 10_000]]),
    cdnOverride: (_f, req, res) => {
      if (!req.headers.range) return false;
      res.writeHead(206, { 'content-length': '0', 'content-range': `bytes */${WEIGHTS.length}` }).end();
      return true;
    },
  });
  const { cache } = sandbox();
  try {
    const e = await refusal(fetchModel(REPO, { endpoint: hub.endpoint, cacheDir: cache, attempts: 3 }));
    assert.is(e.code, 'io.download_incomplete');
    assert.match(e.problem, /3 transfer\(s\) broke off or ended early \(\d+ of 40000 bytes\)/);
    assert.is(hub.log.filter((l) => l.server === 'cdn').length, 3);
  } finally {
    await hub.close();
  }
});

test('through the CLI: `model fetch --attempts 2` against an empty 206 exits 1 after 2 transfers (it looped forever)', async () => {
  const hub = await startFakeHub({
    repo: REPO, commit: COMMIT, files: FILES, breakAfter: new Map([['model.safetensors', 10_000]]),
    cdnOverride: (_f, req, res) => {
      if (!req.headers.range) return false;
      res.writeHead(206, { 'content-length': '0' }).end();
      return true;
    },
  });
  const { cache } = sandbox();
  try {
    // Async: the fake hub runs in this process, so the CLI child must not block the event loop.
    const r = await new Promise<{ code: number | null; stderr: string }>((done) => {
      const child = spawn(process.execPath, [join(repoRoot, 'bin', 'ledgerlab.js'), 'model', 'fetch', REPO, '--attempts', '2', '--json'], { env: { ...process.env, HF_ENDPOINT: hub.endpoint, HF_HUB_CACHE: cache, LEDGERLAB_QUIET: '1' } });
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      child.on('close', (code) => { clearTimeout(timer); done({ code, stderr }); });
    });
    assert.is(r.code, 1, r.stderr);
    assert.is(JSON.parse(r.stderr.trim().split('\n').pop()!).error.code, 'io.download_incomplete');
    assert.is(hub.log.filter((l) => l.server === 'cdn').length, 2);
  } finally {
    await hub.close();
  }
});

test('a server that ends every transfer early is asked at most --attempts times', async () => {
  const hub = await startFakeHub({
    repo: REPO, commit: COMMIT, files: FILES,
    cdnOverride: (_f, req, res, bytes) => {
      const start = Number(/^bytes=(\d+)-$/.exec(req.headers.range ?? '')?.[1] ?? 0);
      const part = bytes.subarray(start, start + 4000);
      res.writeHead(start ? 206 : 200, { 'content-length': String(part.length) }).end(part);
      return true;
    },
  });
  const { cache } = sandbox();
  try {
    const e = await refusal(fetchModel(REPO, { endpoint: hub.endpoint, cacheDir: cache, attempts: 4 }));
    assert.is(e.code, 'io.download_incomplete');
    assert.match(e.problem, /\(16000 of 40000 bytes\)/);
    assert.is(hub.log.filter((l) => l.server === 'cdn').length, 4);
  } finally {
    await hub.close();
  }
});

test('an announced size over the cap is refused before any byte is asked for', async () => {
  const hub = await startFakeHub({ repo: REPO, commit: COMMIT, files: FILES });
  const { cache } = sandbox();
  try {
    const e = await refusal(fetchModel(REPO, { endpoint: hub.endpoint, cacheDir: cache, maxFileBytes: 30_000 }));
    assert.is(e.code, 'data.download_too_large');
    assert.match(e.problem, /model\.safetensors is 40000 bytes, more than the 30000 bytes accepted/);
    assert.is(hub.log.filter((l) => l.server === 'cdn').length, 0);
  } finally {
    await hub.close();
  }
});

test('a server sending more than it announced is cut off at the announced size; the partial file is deleted', async () => {
  const hub = await startFakeHub({
    repo: REPO, commit: COMMIT, files: FILES,
    rewriteHeaders: (f, h) => (f === 'model.safetensors' ? { ...h, 'x-linked-size': '1000' } : h),
    cdnOverride: (_f, req, res, bytes) => { sendBytes(req, res, bytes, {}); return true; },
  });
  const { cache } = sandbox();
  try {
    const e = await refusal(fetchModel(REPO, { endpoint: hub.endpoint, cacheDir: cache }));
    assert.is(e.code, 'data.download_too_long');
    assert.match(e.problem, /sent more than the 1000 bytes it announced/);
    assert.not.ok(tree(cache).some((p) => p.endsWith('.incomplete')), tree(cache).join(', '));
  } finally {
    await hub.close();
  }
});

test('a listing over the size cap is refused while it streams, not parsed after the whole answer is in memory', async () => {
  const pad = 'x'.repeat(1 << 20);
  const hub = await startFakeHub({ repo: REPO, commit: COMMIT, files: FILES, rewriteListing: (b) => ({ ...b, pad: Array.from({ length: MAX_LISTING_BYTES / pad.length + 2 }, () => pad) }) });
  const { top, cache } = sandbox();
  try {
    const e = await refusal(fetchModel(REPO, { endpoint: hub.endpoint, cacheDir: cache }));
    assert.is(e.kind, 'io');
    assert.match(e.problem, /over the \d+-byte limit for an API answer/);
    assert.ok(e.where?.includes('/api/models/'), e.where);
    assert.equal(tree(top).filter((p) => p.includes('snapshots')), []);
  } finally {
    await hub.close();
  }
});

test.run();
