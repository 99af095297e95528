// The workbench's HTTP API on a real server with real fixture runs: tokens on every call, loopback by
// default (and a token printed when binding elsewhere), validation before anything starts, file serving that
// never leaves the results root, and the exact JSON names the issue fixes.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync, mkdirSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { startUi, resolveInside, type UiServer } from '../../lib/ui/index.ts';
import { writeQueuedMarker, removeQueuedMarker } from '../../lib/results/index.ts';
import { repoRoot } from '../helpers/cli.ts';
import { makeFixtures, type Fixtures } from './fixtures.ts';
import { tempRoot } from './browser.ts';

let ui: UiServer;
let fx: Fixtures;
const root = tempRoot('api');

/** A raw HTTP request (the path is sent exactly as given: no client-side normalisation of "..") */
function raw(path: string, o: { method?: string; headers?: Record<string, string>; body?: unknown; port?: number; host?: string } = {}): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const data = o.body === undefined ? undefined : JSON.stringify(o.body);
    const req = request({ host: o.host ?? '127.0.0.1', port: o.port ?? ui.port, path, method: o.method ?? 'GET', headers: { ...(data ? { 'content-type': 'application/json' } : {}), ...o.headers } }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end(data);
  });
}
const auth = () => ({ 'x-ledgerlab-token': ui.token });

test.before(async () => {
  fx = await makeFixtures(root);
  ui = await startUi({ root, port: 0, token: 'api-test-token-1234' });
});
test.after(async () => {
  await ui.close();
  rmSync(root, { recursive: true, force: true });
  rmSync(join(root, '..', `outside-${process.pid}.txt`), { force: true });
});

test('GET /api/runs: run summaries with id, kind, name, status', async () => {
  const r = await raw('/api/runs', { headers: auth() });
  assert.is(r.status, 200);
  const runs = JSON.parse(r.body) as { id: string; kind: string; name: string; status: string; seeds: number[]; metrics: Record<string, number> }[];
  assert.equal(runs.map((x) => x.id).sort(), [...fx.finetune, fx.simulate].sort());
  const ft = runs.find((x) => x.id === fx.finetune[0])!;
  assert.equal([ft.kind, ft.name, ft.status, ft.seeds], ['finetune', 'finetune-tiny', 'finished', [0]]);
  const rec = JSON.parse(readFileSync(join(root, ft.id, 'run.json'), 'utf8'));
  assert.is(ft.metrics['scores.bleu-4'], rec.summary.scores['bleu-4']);
  const only = JSON.parse((await raw('/api/runs?kind=simulate', { headers: auth() })).body);
  assert.equal(only.map((x: { id: string }) => x.id), [fx.simulate]);
  const one = JSON.parse((await raw(`/api/runs/${ft.id}`, { headers: auth() })).body);
  assert.is(one.record.runId, ft.id);
  assert.is(one.predictions.rows.length, 4);
  assert.equal(one.progress, { step: 6, total: 6, fraction: 1, etaSeconds: one.progress.etaSeconds });
  assert.ok(one.artefacts.some((a: { path: string; name?: string }) => a.path === 'predictions.jsonl' && a.name === 'predictions'));
});

test('GET /api/runs lists runs put on a job queue and not started yet as queued (lib/results/queued.ts)', async () => {
  writeQueuedMarker(root, { runId: 'q-waiting-1234abcd-s3', kind: 'finetune', name: 'q-waiting', sweep: 'q-waiting', seed: 3, point: {}, config: {}, queuedAt: '2026-12-01T10:00:00.000Z', queue: 'redis://127.0.0.1:6379' });
  try {
    const runs = JSON.parse((await raw('/api/runs?status=queued', { headers: auth() })).body);
    assert.equal(runs, [{ id: 'q-waiting-1234abcd-s3', kind: 'finetune', name: 'q-waiting', status: 'queued', seeds: [3], startedAt: '2026-12-01T10:00:00.000Z', metrics: {} }]);
    const all = JSON.parse((await raw('/api/runs', { headers: auth() })).body);
    assert.equal(all.length, fx.finetune.length + 2);
  } finally {
    removeQueuedMarker(root, 'q-waiting-1234abcd-s3');
  }
});

test('every API call needs the token: missing or wrong → 401, header, bearer or query → 200', async () => {
  assert.is((await raw('/api/runs')).status, 401);
  assert.is((await raw('/api/runs', { headers: { 'x-ledgerlab-token': 'api-test-token-1235' } })).status, 401);
  assert.is((await raw('/api/runs', { headers: { authorization: `Bearer ${ui.token}` } })).status, 200);
  assert.is((await raw(`/api/runs?token=${ui.token}`)).status, 200);
  assert.is((await raw(`/files/${fx.simulate}/run.json`)).status, 401);
  assert.is((await raw(`/api/runs/${fx.finetune[0]}/events`)).status, 401);
  for (const [path, body] of [['/api/runs', { kind: 'finetune', name: 'x' }], [`/api/runs/${fx.finetune[0]}/cancel`, {}], ['/api/generate', { model: `run:${fx.finetune[0]}`, prompt: 'a' }], ['/api/reports', { runs: [fx.simulate] }]] as const) {
    assert.is((await raw(path, { method: 'POST', body })).status, 401, path);
  }
  // State changes are POST only: there is no GET route that starts or cancels.
  assert.is((await raw(`/api/runs/${fx.finetune[0]}/cancel`, { headers: auth() })).status, 404);
  // The page itself loads without a token (it holds no data) and asks for nothing outside this server.
  const page = await raw('/');
  assert.is(page.status, 200);
  assert.not.match(page.body, /https?:\/\//);
  assert.is((await raw('/vendor/vega.min.js')).status, 200);
  assert.is((await raw('/vendor/../package.json')).status, 404);
});

test('every front-end module parses (one syntax error would blank every page)', () => {
  const dir = join(repoRoot, 'lib', 'ui', 'static');
  const files = readdirSync(dir, { recursive: true }).map(String).filter((f) => f.endsWith('.js'));
  assert.ok(files.length >= 10, files.join(', '));
  for (const f of files) {
    const r = spawnSync(process.execPath, ['--check', join(dir, f)], { encoding: 'utf8' });
    assert.is(r.status, 0, `${f}: ${r.stderr}`);
  }
});

test('loopback server refuses a foreign Host header (DNS rebinding) with 421', async () => {
  const r = await raw('/api/runs', { headers: { ...auth(), host: 'attacker.example:80' } });
  assert.is(r.status, 421);
  assert.is((await raw('/api/runs', { headers: { ...auth(), host: `localhost:${ui.port}` } })).status, 200);
});

test('file serving stays inside the results root', async () => {
  const ok = await raw(`/files/${fx.simulate}/run.json`, { headers: auth() });
  assert.is(ok.status, 200);
  assert.match(String(ok.headers['content-security-policy']), /^sandbox; default-src 'none'/);
  assert.is(ok.body, readFileSync(join(root, fx.simulate, 'run.json'), 'utf8'));
  mkdirSync(join(root, 'evil'), { recursive: true });
  symlinkSync('/etc', join(root, 'evil', 'etc-link'));
  writeFileSync(join(root, '..', `outside-${process.pid}.txt`), 'secret');
  for (const p of [
    '/files/../../../../etc/passwd', '/files/%2e%2e/%2e%2e/%2e%2e/etc/passwd', '/files/..%2f..%2f..%2fetc%2fpasswd',
    `/files/${fx.simulate}/../../outside-${process.pid}.txt`, '/files/%2fetc%2fpasswd', '/files/evil/etc-link/passwd', '/files/..%5c..%5cetc%5cpasswd',
    '/files/a%00b', '/files/%E0%A4%A',
  ]) {
    const r = await raw(p, { headers: auth() });
    assert.ok(r.status >= 400 && r.status < 500, `${p} → ${r.status}`);
    assert.not.match(r.body, 'root:');
    assert.not.match(r.body, 'secret');
  }
  assert.equal(resolveInside(root, '../x'), { status: 403 });
  assert.equal(resolveInside(root, 'evil/etc-link/passwd'), { status: 403 });
  assert.equal(resolveInside(root, 'nope.txt'), { status: 404 });
  // Run ids are names, never paths.
  assert.is((await raw('/api/runs/..', { headers: auth() })).status, 404);
  assert.is((await raw('/api/runs/..%2F..%2Fetc', { headers: auth() })).status, 404);
});

test('a config that fails validation never starts a run: 400 with each issue at its path', async () => {
  const before = readdirSync(root).sort();
  const r = await raw('/api/runs', { method: 'POST', headers: auth(), body: { kind: 'finetune', name: 'bad run', seeds: [0], config: { train: { steps: 0, stpes: 3 }, method: { method: 'lroa' } } } });
  assert.is(r.status, 400);
  const body = JSON.parse(r.body) as { issues: { path: string; message: string }[] };
  assert.equal(body.issues.map((i) => i.path).sort(), ['config.method.method', 'config.train.steps', 'config.train.stpes', 'name'].sort());
  assert.match(body.issues.find((i) => i.path === 'config.train.steps')!.message, 'expected integer ≥ 1, got 0');
  assert.match(body.issues.find((i) => i.path === 'config.train.stpes')!.message, 'did you mean "steps"');
  assert.match(body.issues.find((i) => i.path === 'config.method.method')!.message, 'did you mean "lora"');
  const unknownKind = JSON.parse((await raw('/api/runs', { method: 'POST', headers: auth(), body: { kind: 'speedp', name: 'x', config: {} } })).body);
  assert.equal(unknownKind.issues.map((i: { path: string }) => i.path), ['kind']);
  const valid = JSON.parse((await raw('/api/validate', { method: 'POST', headers: auth(), body: { kind: 'finetune', name: 'ok', seeds: [3], config: { train: { steps: 2 } } } })).body);
  assert.equal(valid.ok, true);
  assert.match(valid.runIds[0], /^ok-[0-9a-f]{8}-s3$/);
  // Nothing was written except the launch folder's validation scratch, which is gone again.
  const after = readdirSync(root).filter((n) => n !== 'evil').sort();
  assert.equal(after.filter((n) => n !== 'launches'), before.filter((n) => n !== 'launches' && n !== 'evil'));
  assert.equal(existsSync(join(root, 'launches')) ? readdirSync(join(root, 'launches')) : [], []);
});

test('POST /api/generate streams newline-delimited tokens; a seeded stream repeats exactly', async () => {
  const body = { model: `run:${fx.finetune[0]}`, prompt: '类型#裙*颜色#红色', maxNew: 10, temperature: 0.9, topP: 0.9, seed: 7 };
  const a = await raw('/api/generate', { method: 'POST', headers: auth(), body });
  assert.is(a.status, 200);
  assert.is(a.headers['content-type'], 'application/x-ndjson; charset=utf-8');
  const lines = a.body.trim().split('\n').map((l) => JSON.parse(l));
  const done = lines.at(-1);
  assert.is(done.done, true);
  assert.is(done.tokens, lines.length - 1);
  assert.ok(done.tokens >= 1 && done.tokens <= 10);
  assert.ok(lines.slice(0, -1).every((l) => typeof l.token === 'string' && l.token.length > 0));
  const b = await raw('/api/generate', { method: 'POST', headers: auth(), body });
  assert.equal(b.body.trim().split('\n').slice(0, -1), a.body.trim().split('\n').slice(0, -1));
  const bad = await raw('/api/generate', { method: 'POST', headers: auth(), body: { ...body, topP: 0 } });
  assert.is(bad.status, 400);
  assert.match(JSON.parse(bad.body).error, 'topP');
  assert.is((await raw('/api/generate', { method: 'POST', headers: auth(), body: { ...body, model: 'run:no-such-run' } })).status, 404);
});

test('a busy port or a foreign address is a usage error naming the flag', async () => {
  try {
    await startUi({ root, port: ui.port });
    assert.unreachable('a second server on the same port');
  } catch (err) {
    assert.match(String((err as Error).message), `port ${ui.port} is already in use`);
    assert.is((err as { where?: string }).where, '--port');
  }
  await startUi({ root, port: 0, host: '192.0.2.1' }).then(() => assert.unreachable('bound a foreign address'), (err) => assert.is(err.where, '--host'));
  await startUi({ root, port: 0, token: 'short' }).then(() => assert.unreachable('short token'), (err) => assert.match(err.message, 'at least 8 characters'));
});

test('`ledgerlab ui` binds 127.0.0.1 by default; another host gets a generated token, printed', async () => {
  const start = (args: string[]) => new Promise<{ out: string; kill: () => Promise<void> }>((resolve, reject) => {
    const child = spawn(process.execPath, [join(repoRoot, 'bin', 'ledgerlab.js'), 'ui', '--port', '0', '--root', root, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const timer = setTimeout(() => reject(new Error(`no URL printed: ${out}`)), 60_000);
    child.stdout.on('data', (d) => { out += d; if (/token: \S+\n/.test(out)) { clearTimeout(timer); resolve({ out, kill: () => new Promise((r) => { child.on('exit', () => r()); child.kill('SIGINT'); }) }); } });
    child.stderr.on('data', (d) => (out += d));
  });
  const local = await start([]);
  const url = new URL(/ledgerlab ui: (\S+)/.exec(local.out)![1]);
  assert.is(url.hostname, '127.0.0.1');
  const token = url.searchParams.get('token')!;
  assert.ok(token.length >= 20);
  assert.is((await raw('/api/runs', { port: Number(url.port), headers: { 'x-ledgerlab-token': token } })).status, 200);
  assert.is((await raw('/api/runs', { port: Number(url.port) })).status, 401);
  await local.kill();

  const wide = await start(['--host', '0.0.0.0']);
  assert.match(wide.out, 'warning: listening on 0.0.0.0, reachable from the network');
  const t2 = /token: (\S+)/.exec(wide.out)![1];
  const port2 = Number(/:(\d+)\/\?token=/.exec(wide.out)![1]);
  assert.is.not(t2, token);
  assert.is((await raw('/api/runs', { port: port2 })).status, 401);
  assert.is((await raw('/api/runs', { port: port2, headers: { 'x-ledgerlab-token': t2, host: 'lab.example:1' } })).status, 200);
  await wide.kill();
});

test.run();
