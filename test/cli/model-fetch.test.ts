/**
 * `ledgerlab model fetch` against a loopback server speaking the hub's protocol (test/helpers/fake-hub.ts):
 * listing, HEAD metadata, LFS redirect to a CDN host, an interrupted transfer that is resumed with Range,
 * the Hugging Face cache layout, hash checks, gated / missing repos.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../helpers/cli.ts';
import { startFakeHub, sha256, gitSha1, type HubFile } from '../helpers/fake-hub.ts';
import { paths } from '../../lib/paths.ts';
import { LedgerLabError, fetchModel, loadHfTokenizer, serializeSafetensors, tensorFromArray } from '../../lib/index.ts';

const GPT2 = join(paths.datasets, '..', 'tokenizers', 'gpt2');
const REPO = 'tiny-org/tiny-llama';
const COMMIT = '0123456789abcdef0123456789abcdef01234567';

/** Async: the fake hub runs in this process, so the CLI child must not block the event loop. */
function ledgerlabAsync(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(repoRoot, 'bin', 'ledgerlab.js'), ...args], { cwd: repoRoot, env: { ...process.env, ...env } });
    let stdout = '', stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function shard(seed: number, n: number): Buffer {
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) v[i] = Math.sin(seed * 1000 + i);
  return Buffer.from(serializeSafetensors({ [`model.layers.${seed}.mlp.up_proj.weight`]: tensorFromArray('F32', [n / 64, 64], v) }));
}

const s1 = shard(0, 64 * 1024), s2 = shard(1, 64 * 512);
const index = { metadata: { total_size: s1.length + s2.length }, weight_map: { 'model.layers.0.mlp.up_proj.weight': 'model-00001-of-00002.safetensors', 'model.layers.1.mlp.up_proj.weight': 'model-00002-of-00002.safetensors' } };
const FILES: HubFile[] = [
  { name: '.gitattributes', bytes: Buffer.from('*.safetensors filter=lfs diff=lfs merge=lfs -text\n'), lfs: false },
  { name: 'README.md', bytes: Buffer.from('# tiny\n'), lfs: false },
  { name: 'config.json', bytes: Buffer.from(JSON.stringify({ model_type: 'llama', hidden_size: 64 })), lfs: false },
  { name: 'model-00001-of-00002.safetensors', bytes: s1, lfs: true },
  { name: 'model-00002-of-00002.safetensors', bytes: s2, lfs: true },
  { name: 'model.safetensors.index.json', bytes: Buffer.from(JSON.stringify(index)), lfs: false },
  { name: 'model.safetensors', bytes: shard(7, 64), lfs: true }, // not in the index: a stale consolidated file, not fetched
  { name: 'pytorch_model.bin', bytes: Buffer.from('not fetched'), lfs: true },
  { name: 'onnx/model.onnx', bytes: Buffer.from('not fetched'), lfs: true },
  { name: 'tokenizer.json', bytes: readFileSync(join(GPT2, 'tokenizer.json')), lfs: false },
  { name: 'tokenizer_config.json', bytes: readFileSync(join(GPT2, 'tokenizer_config.json')), lfs: false },
];
const WANTED = ['config.json', 'model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors', 'model.safetensors.index.json', 'tokenizer.json', 'tokenizer_config.json'];
const byName = new Map(FILES.map((f) => [f.name, f]));

test('fetch into the HF cache through the CLI: LFS via the CDN without the token, a broken transfer resumed, layout, hashes; a second run downloads nothing', async () => {
  const hub = await startFakeHub({ repo: REPO, commit: COMMIT, files: FILES, token: 'hf_secret', breakAfter: new Map([['model-00001-of-00002.safetensors', 100_000]]) });
  const cache = mkdtempSync(join(tmpdir(), 'll-hub-'));
  const env = { HF_ENDPOINT: hub.endpoint, HF_TOKEN: 'hf_secret', HF_HUB_CACHE: cache, LEDGERLAB_QUIET: '1' };
  try {
    const r = await ledgerlabAsync(['model', 'fetch', REPO, '--json'], env);
    assert.is(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    const root = join(cache, 'models--tiny-org--tiny-llama');
    assert.equal([j.repo, j.revision, j.commit, j.dir], [REPO, 'main', COMMIT, join(root, 'snapshots', COMMIT)]);
    assert.equal(j.files.map((f: { name: string }) => f.name), WANTED);
    for (const f of j.files) {
      const src = byName.get(f.name)!;
      assert.is(f.checked, src.lfs ? 'sha256' : 'git-sha1', f.name);
      assert.is(f.etag, src.lfs ? sha256(src.bytes) : gitSha1(src.bytes), f.name);
      assert.is(f.downloaded, true);
      // Snapshot entries are relative symlinks into blobs/<etag>, holding the served bytes.
      const link = join(j.dir, f.name);
      assert.ok(lstatSync(link).isSymbolicLink(), f.name);
      assert.is(readlinkSync(link), join('..', '..', 'blobs', f.etag));
      assert.ok(readFileSync(link).equals(src.bytes), f.name);
    }
    const s1f = j.files.find((f: { name: string }) => f.name === 'model-00001-of-00002.safetensors');
    assert.equal([s1f.retries, s1f.resumedFrom], [1, 0]);
    assert.is(readFileSync(join(root, 'refs', 'main'), 'utf8'), COMMIT);
    assert.not.ok(existsSync(join(root, 'blobs', `${sha256(s1)}.incomplete`)));
    // The CDN got the rest with a Range request from where the transfer broke, and never the token.
    const cdnGets = hub.log.filter((l) => l.server === 'cdn' && l.url.includes(sha256(s1)));
    assert.equal(cdnGets.map((l) => l.range), [undefined, 'bytes=100000-']);
    assert.ok(hub.log.filter((l) => l.server === 'cdn').every((l) => l.authorization === undefined));
    assert.ok(hub.log.filter((l) => l.server === 'hub').every((l) => l.authorization === 'Bearer hf_secret'));
    assert.ok(hub.log.every((l) => !/pytorch_model|onnx|README|model\.safetensors$/.test(l.url)), 'only the wanted files are asked for');
    // The snapshot is a model directory: its tokenizer loads and gives GPT-2's ids.
    assert.equal(loadHfTokenizer(j.dir).encode('Hello world').ids, [15496, 995]);

    const before = hub.log.length;
    const again = await ledgerlabAsync(['model', 'fetch', REPO], env);
    assert.is(again.code, 0, again.stderr);
    assert.match(again.stdout, `${REPO}@main = commit ${COMMIT}`);
    assert.match(again.stdout, /model-00001-of-00002\.safetensors\s+0\.3 MB  sha256 ok  already present/);
    assert.ok(hub.log.slice(before).every((l) => l.method !== 'GET' || l.url.startsWith('/api/')), 'nothing downloaded again');
  } finally {
    await hub.close();
  }
});

test('--dir with a partial file from an earlier run: resumed from its size; a renamed repo is followed', async () => {
  const hub = await startFakeHub({ repo: REPO, commit: COMMIT, files: FILES, renamedFrom: 'old-org/tiny' });
  const dir = mkdtempSync(join(tmpdir(), 'll-hubdir-'));
  try {
    const partialDir = join(dir, '.cache', 'huggingface', 'download');
    mkdirSync(partialDir, { recursive: true });
    writeFileSync(join(partialDir, `model-00002-of-00002.safetensors.${sha256(s2)}.incomplete`), s2.subarray(0, 5000));
    const r = await fetchModel('old-org/tiny', { dir, endpoint: hub.endpoint, token: '' });
    assert.is(r.dir, dir);
    assert.is(r.commit, COMMIT);
    const f2 = r.files.find((f) => f.name === 'model-00002-of-00002.safetensors')!;
    assert.equal([f2.resumedFrom, f2.retries, f2.downloaded], [5000, 0, true]);
    for (const name of WANTED) assert.ok(readFileSync(join(dir, name)).equals(byName.get(name)!.bytes), name);
    assert.equal(hub.log.filter((l) => l.server === 'cdn' && l.url.includes(sha256(s2))).map((l) => l.range), ['bytes=5000-']);
    assert.ok(hub.log.some((l) => l.url.startsWith('/old-org/tiny/resolve/')), 'asked under the old name, redirected relatively');
  } finally {
    await hub.close();
  }
});

test('a corrupted download, a gated repo without HF_TOKEN and an unknown revision: located errors, exit 1, nothing put in place', async () => {
  const hub = await startFakeHub({ repo: REPO, commit: COMMIT, files: FILES, token: 'hf_secret', corrupt: new Set(['model-00002-of-00002.safetensors']) });
  const cache = mkdtempSync(join(tmpdir(), 'll-hubbad-'));
  try {
    const bad = await ledgerlabAsync(['model', 'fetch', REPO], { HF_ENDPOINT: hub.endpoint, HF_TOKEN: 'hf_secret', HF_HUB_CACHE: cache, LEDGERLAB_QUIET: '1' });
    assert.is(bad.code, 1);
    assert.match(bad.stderr, `error (data): model-00002-of-00002.safetensors: sha256 of the download is `);
    assert.match(bad.stderr, `the hub announced ${sha256(s2)}`);
    const root = join(cache, 'models--tiny-org--tiny-llama');
    assert.not.ok(existsSync(join(root, 'blobs', sha256(s2))));
    assert.not.ok(existsSync(join(root, 'blobs', `${sha256(s2)}.incomplete`)));
    assert.not.ok(existsSync(join(root, 'snapshots', COMMIT, 'model-00002-of-00002.safetensors')));

    const gated = await ledgerlabAsync(['model', 'fetch', REPO], { HF_ENDPOINT: hub.endpoint, HF_TOKEN: '', HF_HUB_CACHE: cache });
    assert.is(gated.code, 1);
    assert.match(gated.stderr, 'error (io): listing tiny-org/tiny-llama@main: HTTP 401');
    assert.match(gated.stderr, 'set HF_TOKEN');
    try {
      await fetchModel(REPO, { revision: 'v9', endpoint: hub.endpoint, token: 'hf_secret', cacheDir: cache });
      assert.unreachable();
    } catch (e) {
      assert.instance(e, LedgerLabError);
      assert.is((e as LedgerLabError).problem, 'listing tiny-org/tiny-llama@v9: revision not found (HTTP 404): Invalid rev id: v9');
      assert.is((e as LedgerLabError).where, `${hub.endpoint}/api/models/${REPO}/revision/v9?blobs=true`);
    }
    const usage = await ledgerlabAsync(['model', 'fetch', 'not a repo'], {});
    assert.is(usage.code, 2);
  } finally {
    await hub.close();
  }
});

test.run();
